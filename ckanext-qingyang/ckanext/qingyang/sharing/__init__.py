"""Who sees what: the access rules, the data gate, share requests, the audit log, notices."""
