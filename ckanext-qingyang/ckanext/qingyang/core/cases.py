"""办件 (approval and service cases) for 全流程效能监察 (第二条): a record's fields, its checks,
and its timing in working days against the matched item's 办结时限.

Pure: no CKAN, no Airflow. The DAG checks records early with it; the load action
(supervision/efficiency/actions.py) checks them again and stores what passes.

Timing rules (one place):
- a case's time is Calendar.between(受理日, 办结日): working days after acceptance up to and
  including the day it closed (closed the day it was accepted: 0);
- each step's time is the same count from the step before it (受理 → 审查 → 决定 → 送达);
- 按时: time ≤ promised_days; 超承诺时限: promised < time ≤ statutory; 超法定时限: time > statutory.
  A service item has one 办结时限: it is both its promised and its statutory limit;
- an open case (在办) due on Calendar.due_on(受理日, promised_days): 红牌 once overdue,
  黄牌 while one working day or less is left.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ckanext.qingyang.core.deadlines import Calendar

OPEN = "在办"
STATES = (OPEN, "办结", "不予受理", "退回", "撤回")
STEPS = ("受理", "审查", "决定", "送达")
STEP_KEYS = {"受理": "accept_at", "审查": "review_at", "决定": "decide_at", "送达": "deliver_at"}

ON_TIME, OVER_PROMISED, OVER_STATUTORY = "按时", "超承诺时限", "超法定时限"
YELLOW, RED = "黄牌", "红牌"

# field → the names a record may use for it (English identifier first, then the regulation's term)
FIELDS: dict[str, tuple[str, ...]] = {
    "case_no": ("case_no", "办件编号"),
    "department": ("department", "部门", "organization"),
    "item_code": ("item_code", "事项编码"),
    "item_name": ("item_name", "事项名称", "item_title"),
    "applicant_type": ("applicant_type", "申请人类型"),
    "accepted_at": ("accepted_at", "受理时间"),
    "accept_at": ("accept_at", "受理"),
    "review_at": ("review_at", "审查"),
    "decide_at": ("decide_at", "决定"),
    "deliver_at": ("deliver_at", "送达"),
    "closed_at": ("closed_at", "办结时间"),
    "status": ("status", "状态"),
    "online": ("online", "是否网办"),
    "verification_code": ("verification_code", "查询码"),
}
LABELS = {k: v[1] for k, v in FIELDS.items()}
TIME_FIELDS = ("accepted_at", "accept_at", "review_at", "decide_at", "deliver_at", "closed_at")
APPLICANT_TYPES = ("自然人", "法人", "其他组织")
YES, NO = ("是", "true", "1", "yes", "y", "网办"), ("否", "false", "0", "no", "n", "", "窗口")


@dataclass(frozen=True)
class Problem:
    """Why a record is quarantined: the record (its 办件编号, or its row), the field, the reason."""
    record: str
    field: str
    reason: str        # Chinese, for people
    kind: str          # English, for logs and counting: unknown_item, order, future, duplicate, invalid, missing

    def message(self) -> str:
        return f"办件 {self.record}:{LABELS.get(self.field, self.field)}:{self.reason}"


@dataclass(frozen=True)
class Item:
    """A published approval_item / service_item, as the matching needs it."""
    id: str
    title: str
    kind: str                  # approval_item / service_item
    promised_days: int
    statutory_days: int
    code: str = ""


@dataclass(frozen=True)
class Case:
    case_no: str
    department: str
    item_code: str
    item_name: str
    applicant_type: str
    accepted_at: dt.datetime
    steps: Mapping[str, dt.datetime]      # step name (受理…送达) → time, those given
    closed_at: dt.datetime | None
    status: str
    online: bool
    verification_code: str = ""
    item: Item | None = None

    def step_time(self, step: str) -> dt.datetime | None:
        return self.steps.get(step)


@dataclass(frozen=True)
class Timing:
    days: int | None                  # working days taken (closed), or so far (open)
    step_days: dict[str, int]
    due: dt.date                      # the promised limit's last day
    statutory_due: dt.date
    verdict: str | None               # 按时 / 超承诺时限 / 超法定时限 for closed cases
    card: str | None                  # 黄牌 / 红牌 for open cases
    days_left: int | None             # open cases: working days left (negative: late)


def _get(raw: Mapping, name: str):
    for key in FIELDS[name]:
        if key in raw and raw[key] is not None:
            v = raw[key]
            return v.strip() if isinstance(v, str) else v
    return None


def parse_time(value) -> dt.datetime:
    """"YYYY-MM-DD HH:MM[:SS]", ISO 8601 with T, or a date (midnight); local time, no zone."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip().replace("/", "-")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"不是时间(应为 YYYY-MM-DD HH:MM):{value!r}") from None
    return parsed.replace(tzinfo=None)


def normalise(raw: Mapping, row: int, now: dt.datetime) -> tuple[Case | None, list[Problem]]:
    """One record as a Case, or None with the problems that quarantine it. `row` (from 1)
    names a record without a 办件编号."""
    case_no = str(_get(raw, "case_no") or "")
    name = case_no or f"第{row}行"
    problems: list[Problem] = []

    def bad(fld: str, reason: str, kind: str = "invalid") -> None:
        problems.append(Problem(name, fld, reason, kind))

    if not case_no:
        bad("case_no", "缺少办件编号", "missing")
    department = str(_get(raw, "department") or "")
    if not department:
        bad("department", "缺少部门", "missing")
    item_code, item_name = str(_get(raw, "item_code") or ""), str(_get(raw, "item_name") or "")
    if not item_code and not item_name:
        bad("item_name", "缺少事项编码或事项名称", "missing")
    applicant_type = str(_get(raw, "applicant_type") or "")
    if applicant_type and applicant_type not in APPLICANT_TYPES:
        bad("applicant_type", f"不是 {'/'.join(APPLICANT_TYPES)} 之一:{applicant_type}")
    status = str(_get(raw, "status") or "")
    if status not in STATES:
        bad("status", f"不是 {'/'.join(STATES)} 之一:{status or '(空)'}", "missing" if not status else "invalid")
    online_raw = _get(raw, "online")
    text = str(online_raw if online_raw is not None else "").lower()
    if isinstance(online_raw, bool):
        online = online_raw
    elif text in YES:
        online = True
    elif text in NO:
        online = False
    else:
        online = False
        bad("online", f"应为 是/否:{online_raw}")

    times: dict[str, dt.datetime] = {}
    for fld in TIME_FIELDS:
        value = _get(raw, fld)
        if value in (None, ""):
            continue
        try:
            times[fld] = parse_time(value)
        except ValueError as e:
            bad(fld, str(e))
            continue
        if times[fld] > now:
            bad(fld, f"时间在未来:{times[fld]:%Y-%m-%d %H:%M}", "future")
    if "accepted_at" not in times and not any(p.field == "accepted_at" for p in problems):
        bad("accepted_at", "缺少受理时间", "missing")
    if status and status != OPEN and "closed_at" not in times and not any(p.field == "closed_at" for p in problems):
        bad("closed_at", f"状态为{status},缺少办结时间", "missing")
    if status == OPEN and "closed_at" in times:
        bad("closed_at", "状态为在办,却有办结时间")

    # 受理时间 ≤ 受理 ≤ 审查 ≤ 决定 ≤ 送达 ≤ 办结时间, over the times given
    chain = [f for f in TIME_FIELDS if f in times]
    for before, after in zip(chain, chain[1:]):
        if times[after] < times[before]:
            bad(after, f"早于{LABELS[before]}({times[after]:%Y-%m-%d %H:%M} < {times[before]:%Y-%m-%d %H:%M})",
                "order")
    if problems:
        return None, problems
    steps = {step: times[key] for step, key in STEP_KEYS.items() if key in times}
    return Case(case_no=case_no, department=department, item_code=item_code, item_name=item_name,
                applicant_type=applicant_type, accepted_at=times["accepted_at"], steps=steps,
                closed_at=times.get("closed_at"), status=status, online=online,
                verification_code=str(_get(raw, "verification_code") or "")), []


class Items:
    """The published items per department, looked up by 事项编码 (when the item has one) or title."""

    def __init__(self, items: Iterable[tuple[str, Item]]):
        self._by_code: dict[tuple[str, str], Item] = {}
        self._by_title: dict[tuple[str, str], Item] = {}
        for dept, item in items:
            if item.code:
                self._by_code[(dept, item.code)] = item
            self._by_title[(dept, item.title)] = item

    def match(self, case: Case) -> Item | None:
        if case.item_code and (case.department, case.item_code) in self._by_code:
            return self._by_code[(case.department, case.item_code)]
        return self._by_title.get((case.department, case.item_name))


@dataclass
class Batch:
    cases: list[Case] = field(default_factory=list)
    quarantined: list[tuple[Mapping, list[Problem]]] = field(default_factory=list)

    def unmatched(self) -> list[tuple[Mapping, list[Problem]]]:
        return [(raw, ps) for raw, ps in self.quarantined if any(p.kind == "unknown_item" for p in ps)]


def check_batch(records: Iterable[Mapping], items: Items, now: dt.datetime) -> Batch:
    """Every record normalised and matched; a 办件编号 seen twice in the batch quarantines the
    later ones (the first stands)."""
    out, seen = Batch(), set()
    for row, raw in enumerate(records, start=1):
        case, problems = normalise(raw, row, now)
        if case is not None:
            if case.case_no in seen:
                problems = [Problem(case.case_no, "case_no", "本批次中办件编号重复", "duplicate")]
            else:
                item = items.match(case)
                if item is None:
                    what = case.item_code or case.item_name
                    problems = [Problem(case.case_no, "item_code" if case.item_code else "item_name",
                                        f"{case.department} 没有已发布的事项“{what}”", "unknown_item")]
                else:
                    seen.add(case.case_no)
                    out.cases.append(_with_item(case, item))
                    continue
        out.quarantined.append((raw, problems))
    return out


def _with_item(case: Case, item: Item) -> Case:
    from dataclasses import replace
    return replace(case, item=item)


def timing(case: Case, item: Item, calendar: Calendar, today: dt.date) -> Timing:
    start = case.accepted_at.date()
    due = calendar.due_on(start, item.promised_days)
    statutory_due = calendar.due_on(start, item.statutory_days)
    step_days, prev = {}, start
    for step in STEPS:
        at = case.steps.get(step)
        if at is not None:
            step_days[step] = calendar.between(prev, at.date())
            prev = at.date()
    if case.status != OPEN and case.closed_at is not None:
        days = calendar.between(start, case.closed_at.date())
        return Timing(days, step_days, due, statutory_due, verdict(days, item), None, None)
    days = calendar.between(start, today)
    left = calendar.days_left(due, today)
    return Timing(days, step_days, due, statutory_due, None, card_for(left), left)


def card_for(days_left: int) -> str | None:
    """An open case's card: 红牌 once overdue, 黄牌 with one working day or less left."""
    return RED if days_left < 0 else YELLOW if days_left <= 1 else None


def verdict(days: int, item: Item) -> str:
    if days <= item.promised_days:
        return ON_TIME
    if days <= item.statutory_days:
        return OVER_PROMISED
    return OVER_STATUTORY


def item_limits(kind: str, data: Mapping) -> tuple[int, int]:
    """(promised_days, statutory_days) of a published item: approval_item has both,
    service_item one 办结时限 (time_limit_days) that is both."""
    if kind == "service_item":
        n = int(data.get("time_limit_days") or 0)
        return n, n
    return int(data.get("promised_days") or 0), int(data.get("statutory_days") or 0)
