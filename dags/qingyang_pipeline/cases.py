"""办件 collection for dags/qingyang_cases.py: the approval systems registered under
`case_sources:` in catalogs/sources.yaml (paged HTTP JSON with a since-cursor), and the
files dropped in var/inbox/<organization>/cases/ (JSON lines or CSV).

A pulled batch is written into the inbox like a dropped file, and the source's cursor is
saved only after the file is complete; so a run that fails later loses nothing and the
next run loads the file. A file is read whole before anything of it is sent: one that
cannot be read is moved aside (rejected/) with the reason, nothing of it loaded.

The approval system's API, as the test peer plays it:
  GET <url>?since=<cursor>&page=<n>  →  {"records": [...], "next_page": n+1 | null, "cursor": "..."}
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

FOLDER = "cases"
SUFFIXES = (".jsonl", ".csv")
MAX_PAGES = 10_000


@dataclass(frozen=True)
class CaseSource:
    id: str
    organization: str
    url: str
    every_minutes: float = 60


def load_case_sources(path: Path) -> list[CaseSource]:
    if not path.exists():
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for s in doc.get("case_sources") or []:
        if not s.get("enabled", True):
            continue
        if not str(s.get("url", "")).startswith(("http://", "https://")):
            raise ValueError(f"办件数据源 {s.get('id')}:网址应以 http:// 或 https:// 开头")
        out.append(CaseSource(str(s["id"]), str(s["organization"]), str(s["url"]), float(s.get("every_minutes", 60))))
    return out


def _state(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _write_state(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, ensure_ascii=False))
    os.replace(tmp, path)


def cursor_of(state_file: Path, source_id: str) -> str:
    return str(_state(state_file).get(source_id, {}).get("cursor") or "")


def fetch(source: CaseSource, since: str, timeout: int = 60) -> tuple[list[dict], str]:
    """Every page after `since`: the records and the new cursor (unchanged if none came)."""
    records, cursor, page = [], since, 1
    while page and page <= MAX_PAGES:
        query = urllib.parse.urlencode({"since": since, "page": page})
        sep = "&" if "?" in source.url else "?"
        req = urllib.request.Request(f"{source.url}{sep}{query}", headers={"User-Agent": "qingyang-airflow/cases"})
        with urllib.request.urlopen(req, timeout=timeout) as response:
            doc = json.loads(response.read().decode("utf-8"))
        if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
            raise ValueError(f"case source {source.id}: page {page} has no records list")
        records += doc["records"]
        cursor = str(doc.get("cursor") or cursor)
        page = doc.get("next_page")
    return records, cursor


def pull(source: CaseSource, inbox_root: Path, state_file: Path, now: dt.datetime) -> Path | None:
    """The source's new records into the inbox as one JSON-lines file; then the cursor moves."""
    state = _state(state_file)
    mine = state.get(source.id, {})
    if mine.get("at") and now - dt.datetime.fromisoformat(mine["at"]) < dt.timedelta(minutes=source.every_minutes):
        return None
    records, cursor = fetch(source, str(mine.get("cursor") or ""))
    target = None
    if records:
        folder = inbox_root / source.organization / FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{source.id}-{now:%Y%m%d-%H%M%S}.jsonl"
        partial = target.with_name(target.name + ".part")
        partial.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        os.replace(partial, target)
    state[source.id] = {"cursor": cursor, "at": now.isoformat()}
    _write_state(state_file, state)
    return target


def inbox_files(inbox_root: Path) -> list[Path]:
    """Complete case files in every organization's cases/ folder, oldest name first."""
    if not inbox_root.is_dir():
        return []
    return sorted(p for p in inbox_root.glob(f"*/{FOLDER}/*") if p.is_file() and not p.is_symlink()
                  and p.suffix in SUFFIXES)


def read_file(path: Path) -> list[dict]:
    """All the file's records, or ValueError naming the line (Chinese, for the department)."""
    text = path.read_bytes().decode("utf-8-sig")
    if path.suffix == ".csv":
        return [dict(r) for r in csv.DictReader(io.StringIO(text))]
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            raise ValueError(f"{path.name} 第{n}行不是 JSON:{e}") from None
        if not isinstance(rec, dict):
            raise ValueError(f"{path.name} 第{n}行不是一个对象")
        out.append(rec)
    return out


def chunks(records: list[dict], size: int) -> list[list[dict]]:
    return [records[i:i + size] for i in range(0, len(records), size)]


def done(path: Path, inbox_root: Path, var: Path, outcome: str, reason: str = "") -> Path:
    """Move a file out of the inbox: archive/cases/ once loaded, rejected/cases/ with a .reason beside it."""
    org = path.relative_to(inbox_root).parts[0]
    folder = var / ("archive" if outcome == "loaded" else "rejected") / FOLDER / org
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    os.replace(path, target)
    if reason:
        target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
    return target
