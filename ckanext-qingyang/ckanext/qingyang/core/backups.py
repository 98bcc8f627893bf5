"""The nightly backups' rules (第十七条 归档): which backups to keep, when to drill a restore.

Pure: the DAG qingyang_backup lists the backup folders and applies the decisions.
Folder names are UTC stamps as scripts/backup.sh writes them: 20261207T020000Z.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

STAMP = "%Y%m%dT%H%M%SZ"


def parse_stamp(name: str) -> datetime | None:
    """The folder's UTC time, or None for a folder that is not a backup (kept untouched)."""
    try:
        return datetime.strptime(name, STAMP).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def to_keep(names: Iterable[str], daily: int = 7, weekly: int = 4, monthly: int = 12) -> set[str]:
    """The newest backup of each of the last `daily` days, `weekly` ISO weeks and `monthly`
    months that have a backup (as restic's --keep-daily/--keep-weekly/--keep-monthly).
    Names that are not stamps are always kept: nothing unknown is deleted."""
    names = list(names)
    stamped = sorted(((parse_stamp(n), n) for n in names if parse_stamp(n)), reverse=True)
    keep = {n for n in names if parse_stamp(n) is None}
    for count, period in ((daily, lambda t: t.date()),
                          (weekly, lambda t: t.isocalendar()[:2]),
                          (monthly, lambda t: (t.year, t.month))):
        seen: list = []
        for when, name in stamped:
            key = period(when)
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(name)
    return keep


def to_delete(names: Iterable[str], **limits: int) -> list[str]:
    names = list(names)
    keep = to_keep(names, **limits)
    return sorted(n for n in names if n not in keep)


def drill_due(drilled: Iterable[str], now: datetime) -> bool:
    """A restore drill runs once a month: when no backup of this month has been drilled."""
    return not any((t := parse_stamp(n)) and (t.year, t.month) == (now.year, now.month) for n in drilled)
