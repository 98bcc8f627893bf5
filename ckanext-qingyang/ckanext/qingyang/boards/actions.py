"""The boards' actions: every step of a message's life (qingyang_message_*), the lists, the
public figures and the escalation run by the qingyang_boards DAG.

The rules (states, deadlines, checks) are core/boards.py's; who may do what is auth.py's
(with messages.py's relations); this module stores each step with its history row in one
transaction and then sends the notices.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ckanext.qingyang import deadlines
from ckanext.qingyang.boards import files, limits, messages, notify
from ckanext.qingyang.boards.model import ladder_step, message, message_seq, supervision
from ckanext.qingyang.core import boards as rules
from ckanext.qingyang.core import markers
from ckanext.qingyang.sharing import access

log = logging.getLogger(__name__)

NOT_FOUND = "查询码不存在或有误,请核对后再查"


def _fail(errors: dict[str, list[str]]) -> None:
    model.Session.rollback()
    raise tk.ValidationError(errors)


def _refused(e: rules.StepRefused) -> None:
    model.Session.rollback()
    raise tk.ValidationError({"status": [str(e)]})


def _message_for_step(context: dict, data_dict: dict, action: str) -> dict:
    msg = messages.get(data_dict.get("id"), lock=True)
    if msg is None:
        model.Session.rollback()
        raise tk.ObjectNotFound("留言不存在")
    try:
        tk.check_access(action, context, {"id": msg["id"]})
    except tk.NotAuthorized:
        model.Session.rollback()
        raise
    return msg


def _text(data_dict: dict, key: str, label: str, limit: int, required: bool = True) -> str:
    text, error = rules.check_text(label, data_dict.get(key), limit, required)
    if error:
        _fail({key: [error]})
    return text


def _org_ref(ref: Any, key: str = "organization") -> model.Group:
    g = messages.org(str(ref or "").strip())
    if g is None:
        _fail({key: [f"办理部门:“{ref or ''}”不存在" if ref else "办理部门:请选择部门"]})
    return g


def _step(msg: dict, step: str, who: messages.Caller, *, to_status: str | None = None,
          org_id: str | None = None, target: str | None = None, note: str | None = None, **values: Any) -> str:
    """Store a step: the message's new values and its history row (not committed)."""
    status = to_status or msg["status"]
    if status != msg["status"] or values:
        messages.update(msg["id"], status=status, **values)
    messages.add_history(msg["id"], step, from_status=msg["status"], to_status=status, user=who.user,
                         organization_id=org_id, target_org=target, note=note)
    msg.update(values, status=status)
    return status


def _show(msg_id: str, context: dict) -> dict:
    return messages.to_dict(messages.get(msg_id), messages.caller(context))


# ---------------------------------------------------------------- 我要问
def qingyang_message_create(context: dict, data_dict: dict) -> dict[str, Any]:
    """Leave a message (我要问). Returns the message with its 查询码 (`code`).

    :param kind: 咨询/建议/投诉/求助, or consult/suggest/complain/help
    :param organization: the department (name or id); empty or 不清楚: the jurisdiction's
        政务服务中心, which dispatches it
    :param jurisdiction: region code, place or government name of the jurisdiction whose
        centre gets a 不清楚 message (default: the city)
    :param title: up to 100 characters
    :param content: up to 2,000 characters
    :param name: the asker's name (required unless anonymous)
    :param anonymous: true to show 匿名
    :param phone: mainland mobile or landline with area code; always masked in public
    :param publish_consent: true if the question and answer may be published
    :param attachments: up to 3 images (JPEG, PNG, GIF, WebP) or PDFs of 5 MB, as uploaded
        files or [{filename, data (base64)}]; judged by content
    Anonymous callers must come through the web form (captcha); a token needs none.
    """
    tk.check_access("qingyang_message_create", context, data_dict)
    r = messages.board_rules()
    clean, errors = rules.validate_message(r, data_dict)

    ref = str(data_dict.get("organization") or "").strip()
    addressed = None
    if ref in rules.UNKNOWN_ORG:
        centre = messages.centre_for_jurisdiction(data_dict.get("jurisdiction"))
        if centre is None:
            errors.setdefault("organization", []).append(
                f"办理部门:辖区“{data_dict.get('jurisdiction') or '庆阳市'}”没有政务服务中心,请直接选择部门")
    else:
        addressed = messages.org(ref)
        centre = messages.centre_for_org(addressed) if addressed is not None else None
        if addressed is None:
            errors.setdefault("organization", []).append(f"办理部门:“{ref}”不存在")
        elif centre is None:
            errors.setdefault("organization", []).append(f"办理部门:“{addressed.title}”所在辖区没有政务服务中心")

    uploads, upload_errors = files.read_uploads(data_dict.get("attachments"))
    checked, check_errors = rules.check_attachments(uploads)
    if upload_errors or check_errors:
        errors["attachments"] = upload_errors + check_errors
    if errors:
        _fail(errors)

    try:
        limits.hit_phone(clean["phone"])
    except limits.Limited as e:
        _fail({"phone": [str(e)]})

    user = access.context_user(context)
    created = messages.now()
    seq = model.Session.execute(sa.select(message_seq.next_value())).scalar()
    msg_id = str(uuid.uuid4())
    demo = bool(context.get("qingyang_demo"))
    row = dict(
        id=msg_id, code=rules.make_code(created.year, seq), seq=seq, kind=clean["kind"],
        organization_id=centre.id, addressed_org=addressed.id if addressed is not None and addressed.id != centre.id else None,
        centre_id=centre.id, jurisdiction=str((centre.extras or {}).get("region_code") or ""), handlers="",
        title=(messages.DEMO_PREFIX if demo and not clean["title"].startswith(messages.DEMO_PREFIX) else "") + clean["title"],
        content=clean["content"], name=clean.get("name", ""), anonymous=clean["anonymous"], phone=clean["phone"],
        publish_consent=clean["publish_consent"], status="pending", created=created,
        created_by=user.id if user else None,
        deadline=rules.accept_days_due(r, deadlines.calendar(), created.date()), demo=demo, updated=created,
        round=1, transfers_used=0, published=False)
    try:
        model.Session.execute(message.insert().values(**row))
        note = f"留言类型:{r.kinds[clean['kind']].label}"
        messages.add_history(msg_id, "create", to_status="pending", user=user, at=created, note=note)
        stored = files.store(msg_id, uploads, checked)
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        files.remove_folder(msg_id)
        raise
    # answered from what was just written (no second read: integrating systems send many)
    defaults = {c.name: None for c in message.columns}
    first = dict(at=created, step="create", to_status="pending", organization_id=None, target_org=None,
                 user_name=None, note=note)
    return messages.to_dict(dict(defaults, **row), None, with_code=True, known_history=[first],
                            known_attachments=[{k: a[k] for k in ("id", "filename", "mimetype", "size")} for a in stored])


# ---------------------------------------------------------------- 我要查
@tk.side_effect_free
def qingyang_message_show(context: dict, data_dict: dict) -> dict[str, Any]:
    """One message: by `code` (anyone holding it; phone masked; an unknown and a wrong code
    answer alike, and lookups are rate-limited per address) or by `id` (staff by the access
    rules; anyone for a published message)."""
    tk.check_access("qingyang_message_show", context, data_dict)
    if data_dict.get("code") is not None:
        _lookup_limit()
        msg = messages.by_code(data_dict.get("code"))
        if msg is None:
            raise tk.ObjectNotFound(NOT_FOUND)
        return messages.to_dict(msg, None, with_code=True)
    msg = messages.get(data_dict.get("id"))
    if msg is None:
        raise tk.ObjectNotFound("留言不存在")
    who = messages.caller(context)
    if messages.relation(msg, who):
        return messages.to_dict(msg, who)
    if msg["published"]:
        return messages.to_dict(msg, None, public=True)
    raise tk.ObjectNotFound("留言不存在")


def _lookup_limit() -> None:
    try:
        limits.hit_lookup(limits.client_address())
    except limits.Limited as e:
        raise tk.ValidationError({"code": [str(e)]})


# ---------------------------------------------------------------- the centre: 受理
def qingyang_message_accept(context: dict, data_dict: dict) -> dict[str, Any]:
    """The centre accepts a new message; with `organization` (or the asker's choice) it is
    dispatched to that department at once, otherwise the centre keeps it to dispatch later.

    :param id: the message
    :param organization: optional department to dispatch to
    :param note: optional
    """
    msg = _message_for_step(context, data_dict, "qingyang_message_accept")
    who = messages.caller(context)
    try:
        rules.check_step("accept", msg["status"])
    except rules.StepRefused as e:
        _refused(e)
    note = _text(data_dict, "note", "说明", rules.MAX_REASON, required=False)
    target = _org_ref(data_dict["organization"]) if data_dict.get("organization") else messages.org(msg["addressed_org"])
    to_dept = target is not None and target.id != msg["centre_id"]
    r, cal, today = messages.board_rules(), deadlines.calendar(), messages.today()
    due = rules.answer_due(r, cal, msg["kind"], today)
    status = rules.next_status("accept", msg["status"], to_department=to_dept)
    _step(msg, "accept", who, to_status="processing", org_id=msg["centre_id"], note=note or None,
          accepted_at=messages.now(), started_on=today, deadline=due)
    if to_dept:
        _dispatch(msg, who, target, "受理后转办", due, status)
    model.Session.commit()
    if to_dept:
        _notify_dispatch(msg, target)
    return _show(msg["id"], context)


def _dispatch(msg: dict, who: messages.Caller, target: model.Group, note: str, due: dt.date,
              status: str = "dispatched", step: str = "dispatch", **values: Any) -> None:
    handlers = " ".join(dict.fromkeys([*(msg["handlers"] or "").split(), target.id]))
    _step(msg, step, who, to_status=status, org_id=msg["organization_id"], target=target.id, note=note,
          organization_id=target.id, handlers=handlers, deadline=due, **values)


def _notify_dispatch(msg: dict, target: model.Group) -> None:
    notify.send(target.id, f"新的留言待办理:{msg['title']}",
                f"{target.title}:\n\n市民留言《{msg['title']}》已转至贵单位办理,请在 {msg['deadline']} 前答复。", msg["id"])


def qingyang_message_reject(context: dict, data_dict: dict) -> dict[str, Any]:
    """The centre refuses a new message as invalid (不予受理).

    :param id: the message
    :param reason: spam / out_of_scope / duplicate (or the Chinese label)
    :param note: optional, shown to the asker
    """
    msg = _message_for_step(context, data_dict, "qingyang_message_reject")
    try:
        rules.check_step("reject", msg["status"])
    except rules.StepRefused as e:
        _refused(e)
    r = messages.board_rules()
    reason = str(data_dict.get("reason") or "").strip()
    reason = next((k for k, v in r.reject_reasons.items() if reason in (k, v)), None) if reason else None
    if reason is None:
        _fail({"reason": ["不予受理的理由:请选择" + "、".join(r.reject_reasons.values())]})
    note = _text(data_dict, "note", "说明", rules.MAX_REASON, required=False)
    _step(msg, "reject", messages.caller(context), to_status="rejected", org_id=msg["centre_id"],
          note=r.reject_reasons[reason] + (f":{note}" if note else ""), reject_reason=reason,
          closed_at=messages.now())
    model.Session.commit()
    return _show(msg["id"], context)


# ---------------------------------------------------------------- 转办
def qingyang_message_transfer(context: dict, data_dict: dict) -> dict[str, Any]:
    """Send the message to another department: the centre's dispatch (its clock restarts), or
    the handling department passing it on once, with a reason (the deadline stays).

    :param id: the message
    :param organization: the department (name or id)
    :param reason: why
    """
    msg = _message_for_step(context, data_dict, "qingyang_message_transfer")
    who = messages.caller(context)
    centre = who.acts_for(msg["centre_id"])
    step = "dispatch" if centre else "transfer"
    try:
        rules.check_step(step, msg["status"], transfers_used=msg["transfers_used"] or 0)
    except rules.StepRefused as e:
        _refused(e)
    target = _org_ref(data_dict.get("organization"))
    if target.id == msg["organization_id"]:
        _fail({"organization": [f"办理部门:留言已在“{target.title}”办理,请选择其他部门"]})
    reason = _text(data_dict, "reason", "转办理由", rules.MAX_REASON)
    if step == "dispatch":
        due = rules.answer_due(messages.board_rules(), deadlines.calendar(), msg["kind"], messages.today())
        _dispatch(msg, who, target, reason, due, started_on=messages.today())
    else:
        _dispatch(msg, who, target, reason, msg["deadline"], step="transfer",
                  transfers_used=(msg["transfers_used"] or 0) + 1)
    model.Session.commit()
    _notify_dispatch(msg, target)
    return _show(msg["id"], context)


# ---------------------------------------------------------------- 答复
def qingyang_message_reply(context: dict, data_dict: dict) -> dict[str, Any]:
    """The handling department replies (the second reply after a 不满意).

    The reply passes the non-classified gate (core/markers.py, as publishing's) and the
    personal-data check (no unmasked 身份证号码 or 手机号码) before it is stored.

    :param id: the message
    :param text: the reply, up to 5,000 characters
    """
    msg = _message_for_step(context, data_dict, "qingyang_message_reply")
    try:
        rules.check_step("reply", msg["status"])
    except rules.StepRefused as e:
        _refused(e)
    text = _text(data_dict, "text", "答复内容", rules.MAX_REPLY)
    found = [f.message_zh() for f in markers.scan_values([("答复内容", text)])]
    found += rules.personal_data_findings("答复内容", text)
    if found:
        _fail({"text": found})
    who = messages.caller(context)
    today, now = messages.today(), messages.now()
    user = who.user.fullname or who.user.name if who.user else None
    if msg["round"] == 1:
        values = dict(reply_text=text, reply_at=now, reply_org=msg["organization_id"], reply_user=user,
                      reply_days=deadlines.calendar().between(msg["started_on"] or today, today),
                      reply_on_time=bool(msg["deadline"] is None or today <= msg["deadline"]))
    else:
        values = dict(reply2_text=text, reply2_at=now, reply2_org=msg["organization_id"], reply2_user=user)
    _step(msg, "reply", who, to_status="answered", org_id=msg["organization_id"], note=text[:200], **values)
    model.Session.commit()
    return _show(msg["id"], context)


# ---------------------------------------------------------------- 延期
def qingyang_message_extend(context: dict, data_dict: dict) -> dict[str, Any]:
    """The handling department asks once for more time; the centre decides.

    :param id: the message
    :param reason: why
    """
    msg = _message_for_step(context, data_dict, "qingyang_message_extend")
    try:
        rules.check_step("extend", msg["status"], extension_used=bool(msg["extension_reason"]))
    except rules.StepRefused as e:
        _refused(e)
    reason = _text(data_dict, "reason", "延期理由", rules.MAX_REASON)
    who = messages.caller(context)
    _step(msg, "extend", who, to_status="extension_requested", org_id=msg["organization_id"], note=reason,
          extension_reason=reason, extension_at=messages.now(), extension_by=who.user.name if who.user else None)
    model.Session.commit()
    dept = messages.org_brief(msg["organization_id"]) or {"title": ""}
    notify.send(msg["centre_id"], f"延期申请待审批:{msg['title']}",
                f"{dept['title']}申请延期答复留言《{msg['title']}》。\n理由:{reason}", msg["id"])
    return _show(msg["id"], context)


def qingyang_message_decide_extension(context: dict, data_dict: dict) -> dict[str, Any]:
    """The centre approves (the kind's extension days are added) or refuses an extension.

    :param id: the message
    :param approve: true or false
    :param reason: required when refusing
    """
    msg = _message_for_step(context, data_dict, "qingyang_message_decide_extension")
    approve = data_dict.get("approve")
    if approve is None or str(approve).strip() == "":
        _fail({"approve": ["是否同意延期:请选择同意或不同意"]})
    approve = tk.asbool(approve)
    step = "extension_approved" if approve else "extension_refused"
    try:
        rules.check_step(step, msg["status"])
    except rules.StepRefused as e:
        _refused(e)
    reason = _text(data_dict, "reason", "审批意见", rules.MAX_REASON, required=not approve)
    values: dict[str, Any] = dict(extension_decision="approved" if approve else "refused",
                                  extension_decided_at=messages.now(), extension_decision_reason=reason or None)
    if approve:
        values.update(extension_old_deadline=msg["deadline"],
                      deadline=rules.extended_due(messages.board_rules(), deadlines.calendar(), msg["kind"],
                                                  msg["deadline"]))
    _step(msg, step, messages.caller(context), to_status="processing", org_id=msg["centre_id"],
          note=reason or None, **values)
    model.Session.commit()
    notify.send(msg["organization_id"], f"延期申请{'已同意' if approve else '未同意'}:{msg['title']}",
                f"留言《{msg['title']}》的延期申请{'已同意,答复期限延至 ' + str(msg['deadline']) if approve else '未同意,请按原期限 ' + str(msg['deadline']) + ' 答复'}。"
                + (f"\n意见:{reason}" if reason else ""), msg["id"])
    return _show(msg["id"], context)


# ---------------------------------------------------------------- 评价
def qingyang_message_rate(context: dict, data_dict: dict) -> dict[str, Any]:
    """The asker rates the reply with the 查询码: 满意 / 基本满意 / 不满意. 不满意 reopens the
    message once for a second reply; any other rating (or a second 不满意) closes it.

    :param code: the 查询码
    :param rating: satisfied / basically / unsatisfied, or 满意 / 基本满意 / 不满意
    :param note: optional comment
    """
    tk.check_access("qingyang_message_rate", context, data_dict)
    _lookup_limit()
    found = messages.by_code(data_dict.get("code"))
    if found is None:
        raise tk.ObjectNotFound(NOT_FOUND)
    msg = messages.get(found["id"], lock=True)
    rating = rules.RATING_KEYS.get(str(data_dict.get("rating") or "").strip())
    if rating is None:
        _fail({"rating": ["评价:请选择满意、基本满意或不满意"]})
    try:
        rules.check_step("rate", msg["status"])
    except rules.StepRefused as e:
        _refused(e)
    note = _text(data_dict, "note", "评价意见", rules.MAX_REASON, required=False)
    reopened = msg["round"] >= 2
    status = rules.next_status("rate", msg["status"], rating=rating, reopened=reopened)
    who = messages.Caller(None, {}, False)
    now, today = messages.now(), messages.today()
    values: dict[str, Any] = dict(rating=rating, rated_at=now)
    if msg["round"] == 1:
        values["first_rating"] = rating
    label = rules.RATINGS[rating] + (f":{note}" if note else "")
    if status == "processing":
        due = rules.answer_due(messages.board_rules(), deadlines.calendar(), msg["kind"], today)
        _step(msg, "rate", who, to_status="answered", note=label, **values)
        msg["status"] = "answered"
        _step(msg, "reopen", who, to_status="processing", org_id=msg["organization_id"],
              note="留言人不满意,重新办理", round=2, started_on=today, deadline=due)
    else:
        _step(msg, "rate", who, to_status="answered", note=label, **values)
        msg["status"] = "answered"
        _step(msg, "close", who, to_status="closed", note="已评价", closed_at=now)
    model.Session.commit()
    if status == "processing":
        notify.send(msg["organization_id"], f"留言人不满意,请重新办理:{msg['title']}",
                    f"留言《{msg['title']}》的留言人对答复不满意,请在 {msg['deadline']} 前再次答复。"
                    + (f"\n留言人意见:{note}" if note else ""), msg["id"])
    return messages.to_dict(messages.get(msg["id"]), None, with_code=True)


# ---------------------------------------------------------------- 我要看: publication
def qingyang_message_publish(context: dict, data_dict: dict) -> dict[str, Any]:
    """The centre approves (or withdraws) publication of an answered message whose asker
    allowed it; the public archive shows it with name and phone masked.

    :param id: the message
    :param approve: true to publish, false to withdraw or refuse
    :param note: optional
    """
    msg = _message_for_step(context, data_dict, "qingyang_message_publish")
    approve = tk.asbool(data_dict.get("approve", True))
    step = "publish" if approve else "unpublish"
    try:
        rules.check_step(step, msg["status"], publish_consent=msg["publish_consent"])
    except rules.StepRefused as e:
        _refused(e)
    note = _text(data_dict, "note", "说明", rules.MAX_REASON, required=False)
    _step(msg, step, messages.caller(context), org_id=msg["centre_id"], note=note or None,
          published=approve, published_at=messages.now() if approve else None)
    model.Session.commit()
    return _show(msg["id"], context)


# ---------------------------------------------------------------- 督办
def qingyang_message_supervise(context: dict, data_dict: dict) -> dict[str, Any]:
    """The centre issues a 督办单 to the handling department: a required reply date and a
    note; the department's admins are notified in the app and by mail. Kept for the
    assessment scoreboard.

    :param id: the message
    :param due: the date (YYYY-MM-DD) by which the department must reply
    :param note: the 督办 instruction
    """
    msg = _message_for_step(context, data_dict, "qingyang_message_supervise")
    try:
        rules.check_step("supervise", msg["status"])
    except rules.StepRefused as e:
        _refused(e)
    try:
        due = dt.date.fromisoformat(str(data_dict.get("due") or "")[:10])
    except ValueError:
        due = None
    if due is None:
        _fail({"due": ["要求答复日期:请填写日期(如 2026-12-31)"]})
    if due < messages.today():
        _fail({"due": ["要求答复日期:不能早于今天"]})
    note = _text(data_dict, "note", "督办意见", rules.MAX_REASON)
    who = messages.caller(context)
    late = rules.days_late(deadlines.calendar(), msg["deadline"], messages.today())
    model.Session.execute(supervision.insert().values(
        id=str(uuid.uuid4()), message_id=msg["id"], organization_id=msg["organization_id"],
        centre_id=msg["centre_id"], issued_at=messages.now(), issued_by=who.user.id if who.user else "",
        issued_by_name=(who.user.fullname or who.user.name) if who.user else "", reply_due=due,
        deadline=msg["deadline"], days_late=late, note=note))
    _step(msg, "supervise", who, org_id=msg["centre_id"], target=msg["organization_id"],
          note=f"要求 {due} 前答复:{note}")
    model.Session.commit()
    dept = messages.org_brief(msg["organization_id"]) or {"title": ""}
    centre = messages.org_brief(msg["centre_id"]) or {"title": "政务服务中心"}
    notify.send(msg["organization_id"], f"督办单:{msg['title']}",
                f"{dept['title']}:\n\n{centre['title']}对留言《{msg['title']}》发出督办单。\n"
                f"答复期限:{msg['deadline']}(已逾期 {late} 个工作日)\n要求答复日期:{due}\n督办意见:{note}",
                msg["id"])
    return _show(msg["id"], context)


# ---------------------------------------------------------------- lists
SCOPES = ("inbox", "centre", "supervise", "moderation", "report", "public")


@tk.side_effect_free
def qingyang_message_list(context: dict, data_dict: dict) -> dict[str, Any]:
    """Messages of one scope: {count, results}.

    :param scope: inbox (the caller's departments, oldest first), centre (the caller's
        centres' jurisdictions), supervise (their late messages by department and age),
        moderation (answered, asker consented, not yet published), report (listed for the
        通报 of `month`, default this month: 5 working days late), public (published)
    :param organization, kind, status, month (YYYY-MM), q (words in title, content and
        reply), overdue (true), rows (default 20, at most 100), start
    """
    data_dict = dict(data_dict)
    scope = data_dict.get("scope") or "public"
    if scope not in SCOPES:
        raise tk.ValidationError({"scope": [f"范围:应为 {' / '.join(SCOPES)}"]})
    tk.check_access("qingyang_message_list", context, dict(data_dict, scope=scope))
    who = messages.caller(context)
    t = message.c
    today = messages.today()
    q = sa.select(message)
    order: list[Any] = [t.created]
    if scope == "inbox":
        mine = list(who.capacities)
        q = q.where(sa.or_(t.organization_id.in_(mine),
                           *[t.handlers.contains(o) for o in mine]) if mine else sa.false())
        q = q.where(t.status.notin_(("pending", "rejected")) | t.organization_id.in_(mine))
    elif scope in ("centre", "supervise", "moderation", "report"):
        if not who.platform_admin:
            q = q.where(t.centre_id.in_(who.centres() or [""]))
        if scope == "report":
            month = str(data_dict.pop("month", None) or today.strftime("%Y-%m"))
            m = re.fullmatch(r"(\d{4})-(\d{2})", month.strip())
            if not m or not 1 <= int(m.group(2)) <= 12:
                raise tk.ValidationError({"month": ["月份:格式应为 YYYY-MM"]})
            first = dt.datetime(int(m.group(1)), int(m.group(2)), 1)
            after = dt.datetime(first.year + first.month // 12, first.month % 12 + 1, 1)
            l = ladder_step.c
            listed = sa.select(l.message_id).where(l.step.like("report:%"), l.at >= first, l.at < after)
            q = q.where(t.id.in_(listed))
            order = [t.organization_id, t.deadline]
        if scope == "supervise":
            q = q.where(t.status.in_(rules.OPEN), t.deadline < today)
            order = [t.organization_id, t.deadline]
        elif scope == "moderation":
            q = q.where(t.publish_consent.is_(True), t.published.is_(False), t.status.in_(("answered", "closed")))
    else:
        q = q.where(t.published.is_(True))
        order = [t.reply_at.desc()]
    if data_dict.get("organization"):
        g = messages.org(str(data_dict["organization"]))
        q = q.where(t.organization_id == (g.id if g else ""))
    if data_dict.get("kind"):
        kind = messages.board_rules().kind(str(data_dict["kind"]))
        q = q.where(t.kind == (kind.key if kind else ""))
    if data_dict.get("status"):
        statuses = data_dict["status"] if isinstance(data_dict["status"], list) else str(data_dict["status"]).split(",")
        q = q.where(t.status.in_([s.strip() for s in statuses]))
    if data_dict.get("month"):
        m = re.fullmatch(r"(\d{4})-(\d{2})", str(data_dict["month"]).strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise tk.ValidationError({"month": ["月份:格式应为 YYYY-MM"]})
        start = dt.datetime(int(m.group(1)), int(m.group(2)), 1)
        end = dt.datetime(start.year + start.month // 12, start.month % 12 + 1, 1)
        col = t.reply_at if scope == "public" else t.created
        q = q.where(col >= start, col < end)
    for word in str(data_dict.get("q") or "").split()[:8]:
        like = f"%{word.replace('%', '').replace('_', '')}%"
        q = q.where(sa.or_(t.title.ilike(like), t.content.ilike(like), t.reply_text.ilike(like),
                           t.reply2_text.ilike(like)))
    if tk.asbool(data_dict.get("overdue", False)):
        q = q.where(t.status.in_(rules.CLOCKED), t.deadline < today)
    try:
        rows = max(1, min(int(data_dict.get("rows") or 20), 100))
        start_at = max(0, int(data_dict.get("start") or 0))
    except (TypeError, ValueError):
        raise tk.ValidationError({"rows": ["rows / start:应为整数"]})
    count = model.Session.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar()
    found = model.Session.execute(q.order_by(*order, t.id).limit(rows).offset(start_at)).mappings()
    public = scope == "public"
    results = [messages.to_dict(dict(r), None if public else who, public=public, full=False) for r in found]
    if scope == "supervise":
        cal = deadlines.calendar()
        for item in results:
            item["days_late"] = rules.days_late(cal, dt.date.fromisoformat(item["deadline"]), today)
    return {"count": count, "results": results}


# ---------------------------------------------------------------- figures
@tk.side_effect_free
def qingyang_board_figures(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """Public figures per department: messages received, answered on time %, average working
    days to answer, satisfaction % (满意 and 基本满意 among the rated ones).

    :param year: optional, e.g. 2026 (by the message's date)
    :param jurisdiction: optional region code of the centre (621000, 621002...)
    """
    tk.check_access("qingyang_board_figures", context, data_dict)
    t = message.c
    q = sa.select(
        t.organization_id,
        sa.func.count().label("received"),
        sa.func.count(t.reply_at).label("answered"),
        sa.func.count().filter(t.reply_on_time.is_(True)).label("on_time"),
        sa.func.avg(t.reply_days).label("avg_days"),
        sa.func.count(t.rating).label("rated"),
        sa.func.count().filter(t.rating.in_(("satisfied", "basically"))).label("satisfied"),
    ).where(t.status.notin_(("pending", "rejected"))).group_by(t.organization_id)
    if data_dict.get("year"):
        try:
            year = int(data_dict["year"])
        except (TypeError, ValueError):
            raise tk.ValidationError({"year": ["年份:应为四位数字"]})
        q = q.where(t.created >= dt.datetime(year, 1, 1), t.created < dt.datetime(year + 1, 1, 1))
    if data_dict.get("jurisdiction"):
        q = q.where(t.jurisdiction == str(data_dict["jurisdiction"]))
    out = []
    for r in model.Session.execute(q).mappings():
        org = messages.org_brief(r["organization_id"])
        if org is None:
            continue
        out.append({
            "organization": org, "received": r["received"], "answered": r["answered"],
            "on_time_percent": round(100 * r["on_time"] / r["answered"], 1) if r["answered"] else None,
            "average_days": round(float(r["avg_days"]), 1) if r["avg_days"] is not None else None,
            "rated": r["rated"],
            "satisfaction_percent": round(100 * r["satisfied"] / r["rated"], 1) if r["rated"] else None,
        })
    return sorted(out, key=lambda f: (-f["received"], f["organization"]["title"]))


# ---------------------------------------------------------------- the escalation ladder
@tk.side_effect_free
def qingyang_boards_facts(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """What the ladder needs of every message whose clock runs or whose answer waits for a
    rating (the qingyang_boards DAG decides with core/boards.py)."""
    tk.check_access("qingyang_boards_escalate", context, data_dict)
    t, l = message.c, ladder_step.c
    rows = model.Session.execute(sa.select(t.id, t.status, t.deadline, t.round, t.reply_at, t.reply2_at)
                                 .where(t.status.in_(rules.CLOCKED + ("answered",)))).mappings().all()
    done: dict[str, list[str]] = {}
    ids = [r["id"] for r in rows]
    for i in range(0, len(ids), 5000):
        for mid, step in model.Session.execute(sa.select(l.message_id, l.step).where(l.message_id.in_(ids[i:i + 5000]))):
            done.setdefault(mid, []).append(step)
    out = []
    for r in rows:
        replied = r["reply2_at"] if r["round"] >= 2 else r["reply_at"]
        out.append({"id": r["id"], "status": r["status"], "deadline": r["deadline"].isoformat() if r["deadline"] else None,
                    "round": r["round"], "replied_on": replied.date().isoformat() if replied else None,
                    "done": sorted(done.get(r["id"], []))})
    return out


def qingyang_boards_escalate(context: dict, data_dict: dict) -> dict[str, Any]:
    """Take the ladder's steps: the given ones ({id, step, round} from the DAG), or, without
    `steps`, the ones core/boards.py finds due `today` (YYYY-MM-DD, default today). Each
    step once per message and round; reminders, 催办 and 督办提请 notify the department's
    (or the centre's) admins in the app and by mail; unrated answers are closed."""
    tk.check_access("qingyang_boards_escalate", context, data_dict)
    today = dt.date.fromisoformat(str(data_dict["today"])[:10]) if data_dict.get("today") else messages.today()
    steps = data_dict.get("steps")
    if steps is None:
        r, cal = messages.board_rules(), deadlines.calendar()
        steps = [{"id": f["id"], "step": s, "round": f["round"]}
                 for f in qingyang_boards_facts(context, {})
                 for s in rules.escalation_steps(r, cal, rules.Facts.from_dict(f), today)]
    taken: dict[str, int] = {}
    for item in steps:
        if _take(item, today):
            taken[item["step"]] = taken.get(item["step"], 0) + 1
    return {"today": today.isoformat(), "proposed": len(steps), "taken": taken}


LADDER_NOTES = {
    "remind": ("留言即将到期:{title}", "留言《{title}》的答复期限是 {deadline},请及时答复。"),
    "overdue": ("催办:留言已逾期:{title}", "留言《{title}》的答复期限 {deadline} 已过,请尽快答复。"),
    "escalate": ("提请督办:{title}", "{dept}办理的留言《{title}》已逾期 {late} 个工作日(期限 {deadline}),请督办。"),
    "report": ("列入通报:{title}", "{dept}办理的留言《{title}》已逾期 {late} 个工作日,列入 {month} 通报。"),
}


def _take(item: dict, today: dt.date) -> bool:
    step, round_ = str(item.get("step")), int(item.get("round") or 1)
    if step not in rules.LADDER:
        return False
    msg = messages.get(item.get("id"), lock=True)
    if msg is None or msg["round"] != round_:
        model.Session.rollback()
        return False
    if (step == "close" and msg["status"] != "answered") or (step != "close" and msg["status"] not in rules.CLOCKED):
        model.Session.rollback()
        return False
    late = rules.days_late(deadlines.calendar(), msg["deadline"], today)
    inserted = model.Session.execute(
        postgresql.insert(ladder_step).values(
            message_id=msg["id"], step=rules.step_key(step, round_), at=messages.now(),
            organization_id=msg["organization_id"], days_late=late)
        .on_conflict_do_nothing()).rowcount
    if not inserted:
        model.Session.rollback()
        return False
    system = messages.Caller(None, {}, False)
    if step == "close":
        _step(msg, "close", system, to_status="closed", note="答复后 5 个工作日未评价,自动办结",
              closed_at=messages.now())
        model.Session.commit()
        return True
    _step(msg, step, system, note=f"逾期 {late} 个工作日" if late else f"期限 {msg['deadline']}")
    model.Session.commit()
    subject, body = LADDER_NOTES[step]
    dept = messages.org_brief(msg["organization_id"]) or {"title": ""}
    facts = dict(title=msg["title"], deadline=msg["deadline"], late=late, dept=dept["title"],
                 month=today.strftime("%Y-%m"))
    to = msg["centre_id"] if step in ("escalate", "report") or msg["status"] == "pending" else msg["organization_id"]
    notify.send(to, subject.format(**facts), body.format(**facts), msg["id"])
    return True


ACTIONS: dict[str, Any] = {f.__name__: f for f in (
    qingyang_message_create, qingyang_message_show, qingyang_message_accept, qingyang_message_reject,
    qingyang_message_transfer, qingyang_message_reply, qingyang_message_extend,
    qingyang_message_decide_extension, qingyang_message_rate, qingyang_message_publish,
    qingyang_message_supervise, qingyang_message_list, qingyang_board_figures, qingyang_boards_facts,
    qingyang_boards_escalate)}
