"""Access log retention (等保 2.0: audit records kept at least six months).

Rows stay online for ckanext.qingyang.audit_online_months. Whole months older than
that move into one gzip'd JSON-lines file each (read-only, never rewritten), whose
SHA-256 and chain ends go into the append-only qingyang_access_log_archive; only
then does qingyang_access_log_release (the migration) remove that month's rows,
in the same transaction. The hash chain runs on through the files: verify_files
checks each file's hash, every row's hash, and that each file continues the last.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import logging
import os
from pathlib import Path
from typing import Any, Iterator

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.model import access_log, access_log_archive

log = logging.getLogger(__name__)

UTC = dt.timezone.utc


def archive_dir() -> Path:
    configured = tk.config.get("ckanext.qingyang.audit_archive_dir")
    return Path(configured) if configured else Path(tk.config["ckan.storage_path"]) / "audit-archive"


def online_months() -> int:
    return int(tk.config.get("ckanext.qingyang.audit_online_months") or 12)


def _month_start(d: dt.datetime) -> dt.datetime:
    return dt.datetime(d.year, d.month, 1, tzinfo=UTC)


def _add_months(d: dt.datetime, n: int) -> dt.datetime:
    m = d.year * 12 + d.month - 1 + n
    return dt.datetime(m // 12, m % 12 + 1, 1, tzinfo=UTC)


def cutoff(now: dt.datetime | None = None, months: int | None = None) -> dt.datetime:
    """Rows before this (UTC) are archived: the start of the month `months` before this one."""
    now = (now or dt.datetime.now(UTC)).astimezone(UTC)
    return _add_months(_month_start(now), -(online_months() if months is None else months))


def _file_row(r: Any) -> dict:
    out = {k: r[k] for k in r.keys() if k != "id"}
    out["at"] = r["at"].astimezone(UTC).isoformat()
    return out


def _encode(rows: list[dict]) -> bytes:
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as f:   # mtime 0: same rows, same bytes
        f.write(text.encode("utf-8"))
    return buf.getvalue()


def archive(now: dt.datetime | None = None, months: int | None = None, by: str | None = None) -> list[dict]:
    """Move every whole month before cutoff() out of the table; the months moved."""
    limit = cutoff(now, months)
    done = []
    folder = archive_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with model.meta.engine.connect() as conn:
        # the chain's oldest rows first; stop at the first row still online by rule, or
        # at a row older than the month being collected (a clock that went back)
        chunks: list[tuple[dt.datetime, list[dict]]] = []
        for r in conn.execute(sa.select(access_log).order_by(access_log.c.seq)).mappings():
            if r["at"] >= limit:
                break
            start = _month_start(r["at"].astimezone(UTC))
            if chunks and start < chunks[-1][0]:
                chunks.pop()
                break
            if not chunks or start != chunks[-1][0]:
                chunks.append((start, []))
            chunks[-1][1].append(_file_row(r))
    for start, rows in chunks:
        done.append(_archive_month(folder, start, rows, by))
    return done


def _archive_month(folder: Path, start: dt.datetime, rows: list[dict], by: str | None) -> dict:
    month = start.strftime("%Y-%m")
    data = _encode(rows)
    digest = hashlib.sha256(data).hexdigest()
    name = f"access-log-{month}.jsonl.gz"
    path = folder / name
    if path.exists():   # left by a run that failed before its manifest entry: not recorded, so rewrite
        path.chmod(0o644)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    path.chmod(0o444)
    entry = {"month": month, "period_start": start, "period_end": _add_months(start, 1), "file_name": name,
             "sha256": digest, "rows": len(rows), "first_seq": rows[0]["seq"], "last_seq": rows[-1]["seq"],
             "first_prev_hash": rows[0]["prev_hash"], "last_row_hash": rows[-1]["row_hash"], "archived_by": by}
    with model.meta.engine.begin() as conn:
        conn.execute(access_log_archive.insert(), [entry])
        released = conn.execute(sa.text("SELECT qingyang_access_log_release(:m)"), {"m": month}).scalar()
    log.info("audit archive: month %s, %d rows to %s (sha256 %s)", month, released, path, digest)
    return {"month": month, "rows": released, "file": str(path), "sha256": digest}


def manifest() -> list[dict]:
    q = sa.select(access_log_archive).order_by(access_log_archive.c.first_seq)
    return [dict(r) for r in model.Session.execute(q).mappings()]


def _read(entry: dict) -> list[dict]:
    return [json.loads(line) for line in
            gzip.decompress((archive_dir() / entry["file_name"]).read_bytes()).decode("utf-8").splitlines()]


def archived_rows(since: str | None = None, until: str | None = None) -> Iterator[dict]:
    """Archived rows, newest first, of the months that overlap [since, until)."""
    lo = _parse(since)
    hi = _parse(until)
    for entry in reversed(manifest()):
        if (lo and entry["period_end"] <= lo) or (hi and entry["period_start"] >= hi):
            continue
        try:
            rows = _read(entry)
        except OSError as e:
            log.error("audit list: the archive file of %s cannot be read: %s", entry["month"], e)
            raise tk.ValidationError({"archive": [f"{entry['month']} 月的归档文件无法读取({entry['file_name']}),"
                                                  "请用 qingyang_audit_verify 检查"]})
        for r in reversed(rows):
            at = dt.datetime.fromisoformat(r["at"])
            if (lo and at < lo) or (hi and at >= hi):
                continue
            yield dict(r, archive_month=entry["month"])


def _parse(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    d = dt.datetime.fromisoformat(value)
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def verify_files() -> dict[str, Any]:
    """Each archived month: its file is there, has its recorded SHA-256, every row's hash
    holds and the file continues the chain where the previous one ended."""
    from ckanext.qingyang.sharing.audit import chain_hash

    prev, n, problems = "", 0, []
    entries = manifest()

    def fail(entry, seq, zh, en):
        log.error("audit verify: month %s (%s): %s", entry["month"], entry["file_name"], en)
        problems.append({"month": entry["month"], "file": entry["file_name"], "seq": seq, "message": zh, "error": en})
        return {"rows": n, "months": len(entries), "problems": problems, "intact": False,
                "first_broken_seq": seq, "last_hash": prev}

    for entry in entries:
        path = archive_dir() / entry["file_name"]
        if not path.is_file():
            return fail(entry, entry["first_seq"], f"{entry['month']} 月的归档文件缺失: {path}",
                        f"the archive file of {entry['month']} is missing: {path}")
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            return fail(entry, entry["first_seq"], f"{entry['month']} 月的归档文件已被改动(SHA-256 与登记不符): {path}",
                        f"the archive file of {entry['month']} was changed (SHA-256 differs from the manifest): {path}")
        rows = _read(entry)
        if not rows or rows[0]["prev_hash"] != prev:
            return fail(entry, entry["first_seq"], f"{entry['month']} 月的归档文件与上一段哈希链衔接不上",
                        f"the archive file of {entry['month']} does not continue the chain of the month before")
        for r in rows:
            n += 1
            if r["prev_hash"] != prev or chain_hash(r, prev) != r["row_hash"]:
                return fail(entry, r["seq"], f"{entry['month']} 月归档文件中第 {r['seq']} 条记录与哈希链不符",
                            f"row seq {r['seq']} in the archive file of {entry['month']} does not match the chain")
            prev = r["row_hash"]
        if len(rows) != entry["rows"] or prev != entry["last_row_hash"]:
            return fail(entry, entry["last_seq"], f"{entry['month']} 月归档文件的记录数或末行校验值与登记不符",
                        f"the archive file of {entry['month']} does not end where its manifest entry says")
    return {"rows": n, "months": len(entries), "problems": problems, "intact": True, "first_broken_seq": None,
            "last_hash": prev}


# ---------------------------------------------------------------- action
def qingyang_audit_archive(context: dict, data_dict: dict) -> dict[str, Any]:
    """Move the access log's whole months older than audit_online_months into archive files.

    :param online_months: keep this many months online instead of the configured number (at least 6)
    """
    tk.check_access("qingyang_audit_archive", context, data_dict)
    months = data_dict.get("online_months")
    if months not in (None, ""):
        try:
            months = int(months)
        except (TypeError, ValueError):
            raise tk.ValidationError({"online_months": ["在线保留月数必须是整数"]})
        if months < 6:
            raise tk.ValidationError({"online_months": ["在线保留月数不能少于 6 个月(等保 2.0 要求审计记录至少保存六个月)"]})
    else:
        months = None
    done = archive(months=months, by=context.get("user"))
    return {"archived": done, "cutoff": cutoff(months=months).isoformat()}
