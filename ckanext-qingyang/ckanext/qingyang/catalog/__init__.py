"""The lists as a whole: definitions served by CKAN, import and export, submissions, timeliness, search."""
