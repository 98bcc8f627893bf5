"""Working days (工作日) under the State Council's holiday calendar (catalogs/holidays.yaml).

Pure Python, no CKAN import: deadlines are counted the same way everywhere.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[dt.date]
    working_weekends: frozenset[dt.date]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_weekends:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (start itself not counted)."""
        day = start
        while days > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 if end <= start)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def load(path: str | Path) -> Calendar:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}

    def dates(key: str) -> frozenset[dt.date]:
        return frozenset(d for days in (data.get(key) or {}).values() for d in days or ())

    return Calendar(dates("holidays"), dates("working_weekends"))
