"""Deadlines (期限) in working days (工作日): the calendar and every configured limit.

Public holidays and make-up working days (调休) come from the `chinesecalendar` package
(the State Council's yearly notices); catalogs/local_closures.yaml adds this region's own
closures and extra working days on top. For a year the package does not know yet, the
calendar falls back to Monday-Friday plus the local file and logs a warning once.

Pure: no CKAN import. The limits are passed in; deadlines.py (the extension's) reads them from
CKAN's config.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar
import yaml

log = logging.getLogger(__name__)

LOCAL_CLOSURES = "local_closures.yaml"   # in the catalogs folder


@dataclass(frozen=True)
class Limits:
    """Every configured limit, in working days.

    - share_decision_days: the owning department answers a 共享申请 or 开放申请
      (ckanext.qingyang.share_decision_days)
    - review_days: each reviewing office decides on a submitted item
      (ckanext.qingyang.review_days)

    The coming limits for answering a message (留言答复) and for handling a case (办件)
    belong here too, each with its config key, once something reads them.
    """
    share_decision_days: int
    review_days: int


@functools.lru_cache(maxsize=None)   # one library walk, and one warning, per year
def _national_working_days(year: int) -> frozenset[dt.date]:
    first = dt.date(year, 1, 1)
    days = [first + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - first).days)]
    try:
        return frozenset(filter(chinese_calendar.is_workday, days))
    except NotImplementedError:
        log.warning("chinesecalendar %s has no holidays for %d: counting Monday-Friday plus %s; "
                    "upgrade chinesecalendar once the State Council has published %d",
                    chinese_calendar.__version__, year, LOCAL_CLOSURES, year)
        return frozenset(d for d in days if d.weekday() < 5)


@dataclass(frozen=True)
class Calendar:
    """The national working days with the local closures and extra working days on top."""
    closures: frozenset[dt.date] = frozenset()
    extra_working_days: frozenset[dt.date] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.closures:
            return False
        return day in self.extra_working_days or day in _national_working_days(day.year)

    def due_on(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (start itself not counted)."""
        day = start
        while days > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 if end <= start): an age."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def days_left(self, due: dt.date, today: dt.date) -> int:
        """Working days after `today` up to `due`; negative (working days late) once overdue."""
        if not overdue(due, today):
            return self.between(today, due)
        # late from the day after the due date, a weekend too: at least one day
        return -max(self.between(due, today), 1)


def overdue(due: dt.date, today: dt.date) -> bool:
    """Past the due date; the due date itself is still in time."""
    return today > due


def load(catalogs_dir: str | Path) -> Calendar:
    """The calendar with the catalogs folder's local_closures.yaml applied."""
    path = Path(catalogs_dir) / LOCAL_CLOSURES
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    def dates(key: str) -> frozenset[dt.date]:
        days = data.get(key) or []
        for day in days:
            if not isinstance(day, dt.date):
                raise ValueError(f"{path}: {key}: {day!r} is not a date (YYYY-MM-DD)")
        return frozenset(days)

    calendar = Calendar(dates("closures"), dates("extra_working_days"))
    both = calendar.closures & calendar.extra_working_days
    if both:
        raise ValueError(f"{path}: {min(both)} is both a closure and an extra working day")
    return calendar
