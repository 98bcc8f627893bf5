"""The boards' rules (我要问 / 我要查 / 我要看, 第十五条): pure, no CKAN import.

Kinds and deadlines come from catalogs/boards.yaml (load()); every deadline is in working
days of core.deadlines.Calendar. The actions (boards/actions.py) store what these
functions decide; the qingyang_boards DAG runs escalation_steps() daily.

## States (status keys; STATUS_LABELS gives the Chinese)
    pending              待受理   new; the jurisdiction's 政务服务中心 accepts or rejects it
    rejected             不予受理 refused by the centre with a reason (final)
    dispatched           已转办   accepted and sent to a department (by the centre, or a
                                  department's one transfer); the department's clock runs
    processing           办理中   with the handler: the centre keeps a 不清楚 message until it
                                  dispatches it, an extension was decided, or 不满意 reopened it
    extension_requested  延期申请中 the department asked for more time; the centre decides
    answered             已答复   replied; waits for the asker's rating
    closed               已办结   rated 满意/基本满意 (or 不满意 a second time), or nobody rated
                                  it within close_days working days of the reply

A rating closes the message at once, so there is no lasting 已评价 state: the rating and
its step stay in the timeline and in `rating`. (The contract's `rated` is refined away.)

## Steps (history `step` keys; STEP_LABELS)
create, accept, reject, dispatch (centre -> department), transfer (department ->
department, once), reply, extend (asked, once), extension_approved, extension_refused,
rate, reopen (不满意, once), close, publish, unpublish, supervise (督办单), and the ladder's
remind, overdue (催办), escalate (提请督办), report (列入通报).

## Deadlines
- pending: accept_days after creation.
- dispatched/processing: the kind's days after the acceptance or the centre's dispatch;
  a department's transfer does not restart the clock (passing a message on cannot buy time).
- an approved extension adds the kind's extension_days to the current deadline.
- 不满意 reopens it with the kind's days again, from the rating.
- answered: closed close_days working days after the reply if nobody rated it.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from ckanext.qingyang.core import codes
from ckanext.qingyang.core.deadlines import Calendar

BOARDS_FILE = "boards.yaml"   # in the catalogs folder

STATUS_LABELS = {
    "pending": "待受理",
    "rejected": "不予受理",
    "dispatched": "已转办",
    "processing": "办理中",
    "extension_requested": "延期申请中",
    "answered": "已答复",
    "closed": "已办结",
}
OPEN = ("dispatched", "processing", "extension_requested")   # with a handler, the clock running
CLOCKED = ("pending",) + OPEN                                   # a deadline someone can miss
FINAL = ("rejected", "closed")

STEP_LABELS = {
    "create": "留言", "accept": "受理", "reject": "不予受理", "dispatch": "转办", "transfer": "部门转办",
    "reply": "答复", "extend": "申请延期", "extension_approved": "同意延期", "extension_refused": "不同意延期",
    "rate": "评价", "reopen": "重新办理", "close": "办结", "publish": "同意公开", "unpublish": "撤销公开",
    "supervise": "督办", "remind": "到期提醒", "overdue": "催办", "escalate": "提请督办", "report": "列入通报",
}

# who takes each step: the asker (holding the code), the centre, the handling department,
# or the system (the DAG)
STEP_ACTORS = {
    "accept": "centre", "reject": "centre", "dispatch": "centre", "transfer": "handler",
    "reply": "handler", "extend": "handler", "extension_approved": "centre", "extension_refused": "centre",
    "rate": "asker", "publish": "centre", "unpublish": "centre", "supervise": "centre",
}

# which status each step may start from, and where it leads (None: unchanged)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "accept": (("pending",), None),          # -> dispatched or processing (see accept_status)
    "reject": (("pending",), "rejected"),
    "dispatch": (("processing", "dispatched"), "dispatched"),
    "transfer": (("dispatched", "processing"), "dispatched"),
    "reply": (("dispatched", "processing"), "answered"),
    "extend": (("dispatched", "processing"), "extension_requested"),
    "extension_approved": (("extension_requested",), "processing"),
    "extension_refused": (("extension_requested",), "processing"),
    "rate": (("answered",), None),           # -> closed, or processing when 不满意 reopens it
    "close": (("answered",), "closed"),
    "publish": (("answered", "closed"), None),
    "unpublish": (("answered", "closed"), None),
    "supervise": (OPEN, None),
}

RATINGS = {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}
RATING_KEYS = {**{v: k for k, v in RATINGS.items()}, **{k: k for k in RATINGS}}

MAX_TITLE = 100
MAX_CONTENT = 2000
MAX_NAME = 30
MAX_REPLY = 5000
MAX_REASON = 500
MAX_FILES = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
UNKNOWN_ORG = ("", "不清楚", "unknown")   # the asker does not know: the centre dispatches


class StepRefused(ValueError):
    """A step not allowed from the message's state (the Chinese message says why)."""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    days: int
    extension_days: int


@dataclass(frozen=True)
class Rules:
    kinds: dict[str, Kind]
    accept_days: int = 1
    close_days: int = 5
    remind_days_before: int = 1
    escalate_days_late: int = 2
    report_days_late: int = 5
    reject_reasons: dict[str, str] = field(default_factory=dict)

    def kind(self, value: str | None) -> Kind | None:
        """A kind by key (consult) or label (咨询)."""
        value = (value or "").strip()
        if value in self.kinds:
            return self.kinds[value]
        return next((k for k in self.kinds.values() if k.label == value), None)


DEFAULT_KINDS = {"consult": ("咨询", 5), "help": ("求助", 5), "suggest": ("建议", 10), "complain": ("投诉", 10)}


def default_rules() -> Rules:
    return Rules({k: Kind(k, label, days, days) for k, (label, days) in DEFAULT_KINDS.items()},
                 reject_reasons={"spam": "无效信息", "out_of_scope": "不属于受理范围", "duplicate": "重复留言"})


def load(catalogs_dir: str | Path) -> Rules:
    """The rules of catalogs/boards.yaml (missing keys keep the defaults of the issue)."""
    path = Path(catalogs_dir) / BOARDS_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    base = default_rules()
    kinds = {}
    for key, spec in (data.get("kinds") or {}).items():
        days = int(spec.get("days", 0))
        if days < 1:
            raise ValueError(f"{path}: kinds.{key}.days must be a positive number of working days")
        kinds[key] = Kind(key, str(spec.get("label") or key), days, int(spec.get("extension_days", days)))
    ladder = data.get("ladder") or {}
    return Rules(
        kinds=kinds or base.kinds,
        accept_days=int(data.get("accept_days", base.accept_days)),
        close_days=int(data.get("close_days", base.close_days)),
        remind_days_before=int(ladder.get("remind_days_before", base.remind_days_before)),
        escalate_days_late=int(ladder.get("escalate_days_late", base.escalate_days_late)),
        report_days_late=int(ladder.get("report_days_late", base.report_days_late)),
        reject_reasons={str(k): str(v) for k, v in (data.get("reject_reasons") or base.reject_reasons).items()},
    )


# ---------------------------------------------------------------- the state machine
def check_step(step: str, status: str, *, transfers_used: int = 0, extension_used: bool = False,
               reopened: bool = False, publish_consent: bool = True) -> None:
    """Raise StepRefused unless `step` may be taken from `status` (and its once-only limits)."""
    if step not in TRANSITIONS:
        raise StepRefused(f"未知的办理步骤:{step}")
    allowed, _ = TRANSITIONS[step]
    label = STATUS_LABELS.get(status, status)
    if status not in allowed:
        raise StepRefused(f"留言当前状态为“{label}”,不能{STEP_LABELS[step]}")
    if step == "transfer" and transfers_used >= 1:
        raise StepRefused("部门转办只能一次,本留言已转办过")
    if step == "extend" and extension_used:
        raise StepRefused("延期只能申请一次,本留言已申请过")
    if step in ("publish",) and not publish_consent:
        raise StepRefused("留言人不同意公开,不能公开")


def next_status(step: str, status: str, **facts: Any) -> str:
    """The status after a step (check_step first)."""
    if step == "accept":
        return "dispatched" if facts.get("to_department") else "processing"
    if step == "rate":
        rating = facts.get("rating")
        return "processing" if rating == "unsatisfied" and not facts.get("reopened") else "closed"
    target = TRANSITIONS[step][1]
    return target or status


def accept_days_due(rules: Rules, calendar: Calendar, created: dt.date) -> dt.date:
    return calendar.due_on(created, rules.accept_days)


def answer_due(rules: Rules, calendar: Calendar, kind: str, start: dt.date) -> dt.date:
    return calendar.due_on(start, rules.kinds[kind].days)


def extended_due(rules: Rules, calendar: Calendar, kind: str, due: dt.date) -> dt.date:
    return calendar.due_on(due, rules.kinds[kind].extension_days)


def close_due(rules: Rules, calendar: Calendar, replied: dt.date) -> dt.date:
    return calendar.due_on(replied, rules.close_days)


# ---------------------------------------------------------------- input
PHONE_RE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")


def normalize_phone(phone: Any) -> str:
    """Spaces and a +86 / 86 prefix dropped; the landline's dash kept."""
    text = re.sub(r"[\s()()]", "", str(phone or ""))
    text = re.sub(r"^(\+?86)(?=1\d{10}$)", "", text)
    return text


def validate_message(rules: Rules, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A new message's fields checked: (clean values, errors by field in Chinese naming the field).

    Text is kept as typed (HTML and script included): escaping is the output's job.
    """
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def err(key: str, msg: str) -> None:
        errors.setdefault(key, []).append(msg)

    kind = rules.kind(str(data.get("kind") or ""))
    if not data.get("kind"):
        err("kind", "留言类型:请选择咨询、建议、投诉或求助")
    elif kind is None:
        err("kind", f"留言类型:“{data.get('kind')}”不是咨询、建议、投诉或求助")
    else:
        clean["kind"] = kind.key

    for key, label, limit in (("title", "标题", MAX_TITLE), ("content", "内容", MAX_CONTENT)):
        value = data.get(key)
        text = value.strip() if isinstance(value, str) else ""
        if value is not None and not isinstance(value, str):
            err(key, f"{label}:应为文字")
        elif not text:
            err(key, f"{label}:不能为空")
        elif len(text) > limit:
            err(key, f"{label}:不能超过 {limit} 个字(现有 {len(text)} 个)")
        else:
            clean[key] = text

    anonymous = _bool(data.get("anonymous"))
    clean["anonymous"] = anonymous
    name = data.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name and not anonymous:
        err("name", "姓名:请填写姓名,或选择匿名")
    elif len(name) > MAX_NAME:
        err("name", f"姓名:不能超过 {MAX_NAME} 个字")
    else:
        clean["name"] = name

    raw_phone = data.get("phone")
    phone = normalize_phone(raw_phone)
    if not phone:
        err("phone", "联系电话:不能为空")
    elif not codes.is_valid_mobile(phone):
        err("phone", f"联系电话:“{raw_phone}”不是有效的手机号码(11 位)或固定电话(区号-号码)")
    else:
        clean["phone"] = phone

    clean["publish_consent"] = _bool(data.get("publish_consent"))
    return clean, errors


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on", "是", "y")
    return bool(value)


def check_text(label: str, value: Any, limit: int, required: bool = True) -> tuple[str, str | None]:
    """(clean text, Chinese error or None) for a reply, reason or note."""
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        return "", f"{label}:应为文字"
    if required and not text:
        return "", f"{label}:不能为空"
    if len(text) > limit:
        return "", f"{label}:不能超过 {limit} 个字(现有 {len(text)} 个)"
    return text, None


# ---------------------------------------------------------------- personal data in a reply
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE_CANDIDATE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def personal_data_findings(label: str, text: str) -> list[str]:
    """Unmasked 身份证号码 and 手机号码 in text that is to be published, in Chinese.

    The same personal data publishing keeps out of public copies (core/masking.py masks
    these fields of household rows; the ID number is the GB 11643 check of core/codes.py).
    """
    out = []
    for m in _ID_CANDIDATE.finditer(text or ""):
        if codes.is_valid_id_number(m.group().upper()):
            out.append(f"{label}含有身份证号码({m.group()[:4]}…),答复可能公开,请删除或写成脱敏形式")
            break
    for m in _MOBILE_CANDIDATE.finditer(text or ""):
        out.append(f"{label}含有手机号码({mask_phone(m.group())}),答复可能公开,请删除或写成脱敏形式")
        break
    return out


# ---------------------------------------------------------------- 查询码 and masking
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"   # no 0/O, 1/I/L: read out over the phone
CODE_RANDOM_LEN = 8                                   # 31**8 ≈ 8.5e11 ≈ 39.6 bits
CODE_RE = re.compile(r"QY(\d{4})-(\d{6,})-([%s]{%d})" % (CODE_ALPHABET, CODE_RANDOM_LEN))


def make_code(year: int, seq: int) -> str:
    """QY2026-000123-K7F3M9QX: year and sequence for people, 8 random characters from
    `secrets` for the lock. Knowing the year and sequence (they are guessable) leaves
    31**8 possibilities per message; lookups are also rate-limited per address."""
    rand = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_RANDOM_LEN))
    return f"QY{year:04d}-{seq:06d}-{rand}"


def normalize_code(code: Any) -> str | None:
    """The code as stored, or None if it cannot be one (then it answers as an unknown one)."""
    text = re.sub(r"\s", "", str(code or "")).upper()
    return text if CODE_RE.fullmatch(text) else None


def mask_phone(phone: str) -> str:
    """138****5678; a landline keeps its area code and last four digits."""
    phone = phone or ""
    if "-" in phone:
        area, number = phone.split("-", 1)
        return f"{area}-{'*' * max(len(number) - 4, 0)}{number[-4:]}"
    if len(phone) == 11:
        return phone[:3] + "****" + phone[-4:]
    if len(phone) <= 4:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) > 7 else "*" * (len(phone) - 4) + phone[-4:]


def display_name(name: str, anonymous: bool) -> str:
    """What pages show for the asker: 匿名, or the name masked (张*明)."""
    if anonymous or not name:
        return "匿名"
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# ---------------------------------------------------------------- attachments
# magic bytes -> (mime type, the extensions a file of that type may carry)
FILE_TYPES = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
}


def sniff(data: bytes) -> str | None:
    """The type a file's first bytes show, among the allowed ones."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:5] == b"%PDF-":
        return "application/pdf"
    return None


def check_attachments(files: Iterable[tuple[str, bytes]]) -> tuple[list[dict], list[str]]:
    """(accepted [{filename, mimetype, size}], Chinese errors) for (filename, content) pairs.

    The content decides: an allowed type under the wrong name (a PDF called photo.jpg,
    a program called scan.pdf) is refused as mislabelled."""
    files = list(files)
    out, errors = [], []
    if len(files) > MAX_FILES:
        return [], [f"附件:最多 {MAX_FILES} 个(现有 {len(files)} 个)"]
    for i, (filename, data) in enumerate(files, 1):
        name = Path(str(filename or "")).name or f"附件{i}"
        where = f"附件{i}《{name}》"
        if not data:
            errors.append(f"{where}:文件为空")
            continue
        if len(data) > MAX_FILE_BYTES:
            errors.append(f"{where}:超过 5 MB(现为 {len(data) / 1024 / 1024:.1f} MB)")
            continue
        mime = sniff(data)
        if mime is None:
            errors.append(f"{where}:只能上传图片(JPG、PNG、GIF、WebP)或 PDF,该文件的内容不是其中之一")
            continue
        if Path(name).suffix.lower() not in FILE_TYPES[mime]:
            errors.append(f"{where}:文件名与内容不符(内容是 {mime.split('/')[-1].upper()}),请改正后再上传")
            continue
        out.append({"filename": name, "mimetype": mime, "size": len(data)})
    return out, errors


# ---------------------------------------------------------------- the escalation ladder
LADDER = ("remind", "overdue", "escalate", "report", "close")


@dataclass(frozen=True)
class Facts:
    """What the ladder needs to know about one message."""
    id: str
    status: str
    deadline: dt.date | None
    round: int = 1                     # 1, or 2 after a 不满意 reopened it
    replied_on: dt.date | None = None
    done: frozenset[str] = frozenset()  # step keys already taken ("remind:1", "close:1")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Facts":
        def day(v):
            return dt.date.fromisoformat(v[:10]) if isinstance(v, str) and v else v
        return cls(d["id"], d["status"], day(d.get("deadline")), int(d.get("round") or 1),
                   day(d.get("replied_on")), frozenset(d.get("done") or ()))


def step_key(step: str, round_: int) -> str:
    """Each ladder step once per round of answering (a reopened message has a new deadline)."""
    return f"{step}:{round_}"


def escalation_steps(rules: Rules, calendar: Calendar, facts: Facts, today: dt.date) -> list[str]:
    """The ladder's steps due today for one message and not taken yet, in order.

    remind    one working day (remind_days_before) or less before the deadline, not late yet
    overdue   催办: the day after the deadline was missed (the message is flagged 逾期)
    escalate  escalate_days_late working days late: the centre is asked for a 督办
    report    report_days_late working days late: listed for the month's 通报
    close     an answer nobody rated for close_days working days is closed
    A late run catches up: a message found 6 days late gets overdue, escalate and report at once
    (but no reminder: it is too late for one).
    """
    due: list[str] = []
    if facts.status in CLOCKED and facts.deadline is not None:
        late = calendar.days_left(facts.deadline, today)
        if late >= 0:
            if late <= rules.remind_days_before and facts.status != "pending":
                due.append("remind")
        else:
            due.append("overdue")
            if -late >= rules.escalate_days_late and facts.status != "pending":
                due.append("escalate")
            if -late >= rules.report_days_late:
                due.append("report")
    elif facts.status == "answered" and facts.replied_on is not None:
        if today > close_due(rules, calendar, facts.replied_on):   # the fifth day is the asker's
            due.append("close")
    return [s for s in due if step_key(s, facts.round) not in facts.done]


def days_late(calendar: Calendar, deadline: dt.date | None, today: dt.date) -> int:
    """Working days past the deadline (0 when in time)."""
    if deadline is None:
        return 0
    left = calendar.days_left(deadline, today)
    return -left if left < 0 else 0
