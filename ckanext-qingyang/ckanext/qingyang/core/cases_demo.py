"""A deterministic 办件 generator (示例): the demo's year of cases and the benchmark's load.

generate(items, n, end, seed) gives n records spread over the 12 months before `end` for the
given (department, item title, promised_days, statutory_days) items, in the record fields
core/cases.py reads. Most close within the promised limit; some over it, a few over the
statutory one, and the last weeks' cases partly still open (some of them red). Same
arguments, same records.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Iterator, Sequence

from ckanext.qingyang.core.deadlines import Calendar

PREFIX = "SL"          # 示例 case numbers: SL<year><seq>
STATUS_WEIGHTS = (("办结", 90), ("不予受理", 4), ("退回", 3), ("撤回", 3))


def generate(items: Sequence[tuple[str, str, int, int]], n: int, end: dt.date, seed: int = 2017,
             calendar: Calendar | None = None) -> Iterator[dict]:
    cal = calendar or Calendar()
    rnd = random.Random(seed)
    start = end - dt.timedelta(days=365)
    states, weights = zip(*STATUS_WEIGHTS)
    for seq in range(n):
        dept, title, promised, statutory = items[rnd.randrange(len(items))]
        day = start + dt.timedelta(days=rnd.randrange(365))
        while not cal.is_working_day(day):     # back, so that every time stays before `end`
            day -= dt.timedelta(days=1)
        accepted = dt.datetime.combine(day, dt.time(8 + rnd.randrange(9), rnd.randrange(60)))
        roll = rnd.random()
        days = (rnd.randint(0, max(promised, 0)) if roll < 0.85 else
                rnd.randint(promised + 1, max(statutory, promised + 1)) if roll < 0.96 else
                statutory + rnd.randint(1, 10))
        closed_day = cal.due_on(day, days) if days else day
        # each step after the one before it (a minute at least), on working days within the case's time
        review = _after(accepted, dt.datetime.combine(cal.due_on(day, min(1, days)), dt.time(10)))
        decide = _after(review, dt.datetime.combine(cal.due_on(day, max(days - 1, 0)), dt.time(15)))
        closed = _after(decide, dt.datetime.combine(closed_day, dt.time(16, rnd.randrange(60))))
        rec = {"办件编号": f"{PREFIX}{day.year}{seq:07d}", "部门": dept, "事项名称": title,
               "申请人类型": "自然人" if rnd.random() < 0.7 else "法人",
               "受理时间": _fmt(accepted), "是否网办": "是" if rnd.random() < 0.6 else "否",
               "查询码": f"{rnd.randrange(10**6):06d}"}
        if closed.date() >= end:        # not done yet: still open, the steps so far
            rec["状态"] = "在办"
            if review.date() < end:
                rec["审查"] = _fmt(review)
        else:
            rec.update({"审查": _fmt(review), "决定": _fmt(decide), "办结时间": _fmt(closed),
                        "状态": states[rnd.choices(range(len(states)), weights)[0]]})
        yield rec


def _after(prev: dt.datetime, candidate: dt.datetime) -> dt.datetime:
    return max(candidate, prev + dt.timedelta(minutes=1))


def _fmt(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")
