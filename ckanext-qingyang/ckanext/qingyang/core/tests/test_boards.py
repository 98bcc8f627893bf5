"""The boards' pure rules: kinds and deadlines from catalogs/boards.yaml, the state machine,
input checks, the 查询码, masking, attachments by content and the escalation ladder."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from ckanext.qingyang.core import boards
from ckanext.qingyang.core.deadlines import Calendar

CATALOGS = Path(__file__).resolve().parents[5] / "catalogs"
RULES = boards.load(CATALOGS)
CAL = Calendar()
D = dt.date

JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
GIF = b"GIF89a" + b"\0" * 100
WEBP = b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * 100
PDF = b"%PDF-1.7\n" + b"\0" * 100


def test_the_catalog_gives_the_issues_defaults():
    assert {k: (v.label, v.days) for k, v in RULES.kinds.items()} == {
        "consult": ("咨询", 5), "help": ("求助", 5), "suggest": ("建议", 10), "complain": ("投诉", 10)}
    assert (RULES.accept_days, RULES.close_days) == (1, 5)
    assert RULES.kind("投诉").key == RULES.kind("complain").key == "complain"
    assert RULES.kind("表扬") is None
    assert set(RULES.reject_reasons) == {"spam", "out_of_scope", "duplicate"}


def test_deadlines_skip_the_national_day_week_and_count_its_make_up_saturday():
    # 2026: 10-01..10-07 off, Saturday 10-10 worked (调休)
    assert boards.answer_due(RULES, CAL, "consult", D(2026, 9, 29)) == D(2026, 10, 12)
    assert boards.accept_days_due(RULES, CAL, D(2026, 9, 30)) == D(2026, 10, 8)
    assert boards.answer_due(RULES, CAL, "complain", D(2026, 9, 30)) == D(2026, 10, 20)
    # an extension adds the kind's days to the current deadline
    assert boards.extended_due(RULES, CAL, "consult", D(2026, 10, 12)) == D(2026, 10, 19)
    # unrated answers close 5 working days after the reply, over the holiday too
    assert boards.close_due(RULES, CAL, D(2026, 9, 30)) == D(2026, 10, 13)


def test_a_local_closure_moves_a_deadline():
    cal = Calendar(closures=frozenset({D(2026, 10, 9)}))
    assert boards.answer_due(RULES, cal, "consult", D(2026, 9, 29)) == D(2026, 10, 13)


@pytest.mark.parametrize("step,status,ok", [
    ("accept", "pending", True), ("accept", "dispatched", False), ("reject", "pending", True),
    ("reject", "answered", False), ("reply", "dispatched", True), ("reply", "processing", True),
    ("reply", "pending", False), ("reply", "extension_requested", False), ("reply", "closed", False),
    ("transfer", "dispatched", True), ("transfer", "answered", False), ("extend", "processing", True),
    ("extension_approved", "extension_requested", True), ("extension_refused", "processing", False),
    ("rate", "answered", True), ("rate", "closed", False), ("publish", "answered", True),
    ("publish", "closed", True), ("publish", "processing", False), ("supervise", "dispatched", True),
    ("supervise", "answered", False), ("dispatch", "processing", True), ("dispatch", "pending", False),
])
def test_which_step_from_which_state(step, status, ok):
    if ok:
        boards.check_step(step, status)
    else:
        with pytest.raises(boards.StepRefused, match="不能"):
            boards.check_step(step, status)


def test_transfer_extension_and_reopen_happen_once():
    with pytest.raises(boards.StepRefused, match="转办只能一次"):
        boards.check_step("transfer", "dispatched", transfers_used=1)
    with pytest.raises(boards.StepRefused, match="延期只能申请一次"):
        boards.check_step("extend", "processing", extension_used=True)
    assert boards.next_status("rate", "answered", rating="unsatisfied") == "processing"
    assert boards.next_status("rate", "answered", rating="unsatisfied", reopened=True) == "closed"
    assert boards.next_status("rate", "answered", rating="satisfied") == "closed"
    assert boards.next_status("accept", "pending", to_department=True) == "dispatched"
    assert boards.next_status("accept", "pending", to_department=False) == "processing"
    with pytest.raises(boards.StepRefused, match="不同意公开"):
        boards.check_step("publish", "closed", publish_consent=False)


GOOD = dict(kind="咨询", title="公积金提取", content="请问如何提取?", name="张三明", phone="13812345678")


def test_a_good_message_is_clean_and_keeps_markup_as_typed():
    clean, errors = boards.validate_message(RULES, dict(GOOD, content="<script>alert(1)</script>&amp;"))
    assert errors == {}
    assert clean["kind"] == "consult" and clean["content"] == "<script>alert(1)</script>&amp;"
    for phone in ("0934-8212345", "09348212345", "+86 138 1234 5678"):
        assert boards.validate_message(RULES, dict(GOOD, phone=phone))[1] == {}, phone
    assert boards.validate_message(RULES, dict(GOOD, name="", anonymous=True))[1] == {}


@pytest.mark.parametrize("field,value,words", [
    ("kind", "", "留言类型"), ("kind", "表扬", "留言类型"), ("title", "", "标题:不能为空"),
    ("title", "长" * 101, "标题:不能超过 100"), ("content", "  ", "内容:不能为空"),
    ("content", "字" * 2001, "内容:不能超过 2000"), ("phone", "", "联系电话:不能为空"),
    ("phone", "1381234567", "联系电话"), ("phone", "12345678901", "联系电话"), ("phone", "abc", "联系电话"),
    ("name", "", "姓名"), ("name", "名" * 31, "姓名"),
])
def test_bad_input_names_the_field_in_chinese(field, value, words):
    _, errors = boards.validate_message(RULES, dict(GOOD, **{field: value}))
    assert list(errors) == [field] and words in errors[field][0], errors


def test_codes_are_random_well_formed_and_normalized():
    codes = {boards.make_code(2026, 123) for _ in range(2000)}
    assert len(codes) == 2000     # the same sequence number still gives different codes
    code = codes.pop()
    assert re.fullmatch(r"QY2026-000123-[2-9A-HJKMNP-Z]{8}", code)
    assert boards.normalize_code(" " + code.lower() + " ") == code
    for bad in ("", None, "QY2026-000123", "QY2026-000123-K7F3", code + "X", "'; drop table--"):
        assert boards.normalize_code(bad) is None


def test_masks():
    assert boards.mask_phone("13812345678") == "138****5678"
    assert boards.mask_phone("0934-8212345") == "0934-***2345"
    assert boards.display_name("张三明", False) == "张*明"
    assert boards.display_name("张三", False) == "张*"
    assert boards.display_name("张三明", True) == "匿名"


def test_personal_data_in_a_reply_is_found():
    assert boards.personal_data_findings("答复", "请携带身份证到窗口办理,电话 0934-8212345") == []
    found = boards.personal_data_findings("答复", "经核实,11010519491231002X 的申请人手机 13812345678 已登记")
    assert len(found) == 2 and "身份证号码" in found[0] and "138****5678" in found[1]
    # 18 digits that fail the check digit are not an ID number
    assert boards.personal_data_findings("答复", "文号 110105194912310021") == []


def test_attachments_are_judged_by_content():
    ok, errors = boards.check_attachments([("a.jpg", JPEG), ("b.PNG", PNG), ("c.pdf", PDF)])
    assert errors == [] and [f["mimetype"] for f in ok] == ["image/jpeg", "image/png", "application/pdf"]
    assert boards.check_attachments([("d.gif", GIF), ("e.webp", WEBP)])[1] == []
    cases = {
        ("photo.jpg", PDF): "文件名与内容不符",
        ("scan.pdf", b"MZ\x90\0program"): "只能上传图片",
        ("big.pdf", b"%PDF-" + b"\0" * (5 * 1024 * 1024)): "超过 5 MB",
        ("empty.png", b""): "文件为空",
        ("notes.txt", b"hello"): "只能上传图片",
    }
    for (name, data), words in cases.items():
        _, errors = boards.check_attachments([(name, data)])
        assert len(errors) == 1 and words in errors[0] and name in errors[0], (name, errors)
    _, errors = boards.check_attachments([("a.jpg", JPEG)] * 4)
    assert errors == ["附件:最多 3 个(现有 4 个)"]


def _facts(status="dispatched", deadline=D(2026, 10, 12), **kw):
    return boards.Facts("m1", status, deadline, **kw)


def test_the_ladder_across_the_national_day_week():
    steps = lambda today, **kw: boards.escalation_steps(RULES, CAL, _facts(**kw), today)
    # deadline Monday 10-12; the working day before it is the make-up Saturday 10-10
    assert steps(D(2026, 10, 9)) == []
    assert steps(D(2026, 10, 10)) == ["remind"]
    assert steps(D(2026, 10, 12)) == ["remind"]          # the last day, if the run was missed
    assert steps(D(2026, 10, 12), done=frozenset({"remind:1"})) == []
    assert steps(D(2026, 10, 13), done=frozenset({"remind:1"})) == ["overdue"]
    assert steps(D(2026, 10, 14), done=frozenset({"remind:1", "overdue:1"})) == ["escalate"]
    done = frozenset({"remind:1", "overdue:1", "escalate:1"})
    assert steps(D(2026, 10, 16), done=done) == []
    assert steps(D(2026, 10, 19), done=done) == ["report"]   # 5 working days late
    # a late run catches up in order, each step once
    assert steps(D(2026, 10, 20)) == ["overdue", "escalate", "report"]
    # a reopened message has a new round of steps
    assert steps(D(2026, 10, 13), done=frozenset({"overdue:1"}), round=2) == ["overdue"]
    # nothing for a message that is answered in time or final
    assert steps(D(2026, 10, 20), status="rejected") == []


def test_pending_messages_are_late_for_the_centre_without_asking_it_to_supervise_itself():
    f = _facts(status="pending", deadline=D(2026, 9, 30))
    assert boards.escalation_steps(RULES, CAL, f, D(2026, 9, 30)) == []
    assert boards.escalation_steps(RULES, CAL, f, D(2026, 10, 8)) == ["overdue"]


def test_unrated_answers_close_after_five_working_days():
    f = _facts(status="answered", deadline=D(2026, 10, 12), replied_on=D(2026, 9, 30))
    # the asker has the whole fifth working day (10-13) to rate it
    assert boards.escalation_steps(RULES, CAL, f, D(2026, 10, 13)) == []
    assert boards.escalation_steps(RULES, CAL, f, D(2026, 10, 14)) == ["close"]
    assert boards.escalation_steps(RULES, CAL, boards.Facts.from_dict(
        {"id": "m1", "status": "answered", "deadline": "2026-10-12", "replied_on": "2026-09-30",
         "done": ["close:1"]}), D(2026, 10, 14)) == []
