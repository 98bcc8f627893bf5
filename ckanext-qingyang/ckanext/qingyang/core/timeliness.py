"""How current a department's list is against its update cycle (as HDX rates data).

fresh       confirmed within the cycle
due         the cycle has passed, within the grace period
overdue     up to one more grace period late
delinquent  later still, or never confirmed

The qingyang_timeliness DAG rates; CKAN stores the ratings and shows them with LABELS.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

LABELS = {"fresh": "及时", "due": "待更新", "overdue": "逾期", "delinquent": "严重逾期"}
LATE = ("overdue", "delinquent")   # the 督查 list of the platform admin


def grace_days(cycle_days: int) -> int:
    return max(7, cycle_days // 6)


def rate(last_confirmed: dt.date | None, cycle_days: int, today: dt.date) -> str:
    if last_confirmed is None:
        return "delinquent"
    age = (today - last_confirmed).days
    grace = grace_days(cycle_days)
    if age < cycle_days:
        return "fresh"
    if age < cycle_days + grace:
        return "due"
    if age < cycle_days + 2 * grace:
        return "overdue"
    return "delinquent"


@dataclass
class ListRating:
    organization: str
    type_name: str
    items: int
    last_confirmed: str | None
    cycle_days: int
    rating: str
    rated_on: str

    def to_dict(self) -> dict:
        return asdict(self)


def rate_lists(last_confirmed: dict[tuple[str, str], tuple[int, str | None]], cycles: dict[str, int],
               today: dt.date) -> list[ListRating]:
    """Rate every (organization, type) list; values are (item count, newest 最后确认日期)."""
    out = []
    for (org, type_name), (count, newest) in sorted(last_confirmed.items()):
        cycle = cycles[type_name]
        date = dt.date.fromisoformat(newest[:10]) if newest else None
        out.append(ListRating(org, type_name, count, newest, cycle, rate(date, cycle, today), today.isoformat()))
    return out
