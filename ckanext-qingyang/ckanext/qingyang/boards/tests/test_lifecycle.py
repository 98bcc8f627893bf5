"""The life of a message through the action API, as the people involved see it: the asker
(by 查询码, no account), an integrating system (token), the centre, the departments."""
from __future__ import annotations

import datetime as dt

import pytest

from ckanext.qingyang import deadlines
from ckanext.qingyang.boards import messages
from ckanext.qingyang.boards.tests.world import call, message, ok
from ckanext.qingyang.core import boards as rules

KINDS = {"consult": ("咨询", 5), "help": ("求助", 5), "suggest": ("建议", 10), "complain": ("投诉", 10)}


def _create(app, world, **kw):
    return ok(app, world, "hotline", "qingyang_message_create", **message(**kw))


def _due(days):
    return deadlines.calendar().due_on(dt.date.today(), days).isoformat()


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_from_question_to_published_answer(app, world, kind):
    label, days = KINDS[kind]
    created = _create(app, world, kind=label, phone="13900000001")
    code = created["code"]
    assert created["status"] == "pending" and created["kind_label"] == label
    assert created["deadline"] == _due(1)                      # 受理 within one working day
    assert created["phone"] == "139****0001" and created["display_name"] == "张*明"

    seen = ok(app, world, None, "qingyang_message_show", code=code)   # the asker, no account
    assert seen["status_label"] == "待受理" and seen["code"] == code

    accepted = ok(app, world, "centre", "qingyang_message_accept", id=created["id"])
    assert accepted["status"] == "dispatched" and accepted["organization"]["name"] == "housing"
    assert accepted["deadline"] == _due(days)

    replied = ok(app, world, "housing", "qingyang_message_reply", id=created["id"], text="符合条件的可以申请。")
    assert replied["status"] == "answered"
    assert replied["reply"]["organization"]["name"] == "housing" and replied["reply"]["user"]

    rated = ok(app, world, None, "qingyang_message_rate", code=code, rating="满意")
    assert rated["status"] == "closed" and rated["rating_label"] == "满意"
    assert [t["step"] for t in rated["timeline"]] == ["create", "accept", "dispatch", "reply", "rate", "close"]

    assert ok(app, world, None, "qingyang_message_list", scope="public")["count"] == 0
    moderation = ok(app, world, "centre", "qingyang_message_list", scope="moderation")
    assert [m["id"] for m in moderation["results"]] == [created["id"]]
    ok(app, world, "centre", "qingyang_message_publish", id=created["id"], approve=True)
    public = ok(app, world, None, "qingyang_message_list", scope="public", kind=label)
    assert public["count"] == 1
    item = public["results"][0]
    assert item["phone"] == "139****0001" and item["display_name"] == "张*明" and "code" not in item
    assert ok(app, world, None, "qingyang_message_show", id=created["id"])["reply"]["text"] == "符合条件的可以申请。"

    figures = ok(app, world, None, "qingyang_board_figures")
    assert figures[0]["organization"]["name"] == "housing"
    assert (figures[0]["received"], figures[0]["on_time_percent"], figures[0]["satisfaction_percent"]) == (1, 100.0, 100.0)


def test_a_message_for_nobody_in_particular_goes_to_the_jurisdictions_centre(app, world):
    created = _create(app, world, organization="不清楚", jurisdiction="621002")
    assert created["organization"]["name"] == "xifeng-centre" and created["addressed_organization"] is None
    # the city's centre cannot accept the county's message
    assert call(app, world, "centre", "qingyang_message_accept", id=created["id"])[0] == 403
    kept = ok(app, world, "county_centre", "qingyang_message_accept", id=created["id"])
    assert kept["status"] == "processing" and kept["organization"]["name"] == "xifeng-centre"
    assert kept["phone"] == "13812345678"                     # the centre handles it for now
    sent = ok(app, world, "county_centre", "qingyang_message_transfer", id=created["id"],
              organization="housing", reason="属住房保障事项")
    assert sent["status"] == "dispatched" and sent["transfers_left"] == 1
    assert sent["phone"] == "138****5678"                     # no longer the handler


def test_a_department_passes_a_message_on_once_and_keeps_its_deadline(app, world):
    created = _create(app, world)
    first = ok(app, world, "centre", "qingyang_message_accept", id=created["id"])
    moved = ok(app, world, "housing", "qingyang_message_transfer", id=created["id"], organization="transport",
               reason="属道路运输事项")
    assert moved["organization"]["name"] == "transport" and moved["transfers_left"] == 0
    assert moved["deadline"] == first["deadline"]
    status, error = call(app, world, "transport", "qingyang_message_transfer", id=created["id"],
                         organization="other-dept", reason="再转")
    assert status == 409 and "只能一次" in error["status"][0]
    # housing no longer handles it: no reply, but it still sees the message it sent on
    assert call(app, world, "housing", "qingyang_message_reply", id=created["id"], text="答复")[0] == 403
    assert ok(app, world, "housing", "qingyang_message_show", id=created["id"])["phone"] == "138****5678"
    assert ok(app, world, "transport", "qingyang_message_reply", id=created["id"], text="已处理")["status"] == "answered"
    # a reason is required, and the target must exist
    other = _create(app, world, phone="13900000002")
    ok(app, world, "centre", "qingyang_message_accept", id=other["id"])
    status, error = call(app, world, "housing", "qingyang_message_transfer", id=other["id"], organization="transport")
    assert status == 409 and error["reason"] == ["转办理由:不能为空"]
    status, error = call(app, world, "housing", "qingyang_message_transfer", id=other["id"], organization="nowhere",
                         reason="x")
    assert status == 409 and "不存在" in error["organization"][0]


def test_the_centre_rejects_invalid_messages_with_a_reason(app, world):
    created = _create(app, world)
    status, error = call(app, world, "centre", "qingyang_message_reject", id=created["id"], reason="不喜欢")
    assert status == 409 and "不予受理的理由" in error["reason"][0]
    rejected = ok(app, world, "centre", "qingyang_message_reject", id=created["id"], reason="duplicate",
                  note="与 QY2026-000001 重复")
    assert rejected["status"] == "rejected" and rejected["reject_reason_label"] == "重复留言"
    seen = ok(app, world, None, "qingyang_message_show", code=created["code"])
    assert seen["status_label"] == "不予受理" and "重复留言" in seen["timeline"][-1]["note"]
    status, error = call(app, world, "centre", "qingyang_message_accept", id=created["id"])
    assert status == 409 and "不予受理" in error["status"][0]


def test_an_extension_is_asked_once_and_the_centre_approves_or_refuses(app, world):
    one, two = _create(app, world, phone="13900000003"), _create(app, world, phone="13900000004")
    for m in (one, two):
        ok(app, world, "centre", "qingyang_message_accept", id=m["id"])
    asked = ok(app, world, "housing", "qingyang_message_extend", id=one["id"], reason="需现场核查")
    assert asked["status"] == "extension_requested"
    # the department cannot decide its own extension
    assert call(app, world, "housing", "qingyang_message_decide_extension", id=one["id"], approve=True)[0] == 403
    old = asked["deadline"]
    approved = ok(app, world, "centre", "qingyang_message_decide_extension", id=one["id"], approve=True)
    assert approved["status"] == "processing" and approved["extension"]["decision"] == "approved"
    assert approved["deadline"] == deadlines.calendar().due_on(dt.date.fromisoformat(old), 5).isoformat()
    status, error = call(app, world, "housing", "qingyang_message_extend", id=one["id"], reason="再延")
    assert status == 409 and "只能申请一次" in error["status"][0]

    ok(app, world, "housing", "qingyang_message_extend", id=two["id"], reason="需会商")
    status, error = call(app, world, "centre", "qingyang_message_decide_extension", id=two["id"], approve=False)
    assert status == 409 and error["reason"] == ["审批意见:不能为空"]
    refused = ok(app, world, "centre", "qingyang_message_decide_extension", id=two["id"], approve=False,
                 reason="事项简单,按期办理")
    assert refused["deadline"] == _due(5)
    assert refused["extension"]["decision_label"] == "不同意延期" and refused["status"] == "processing"


def test_unsatisfied_reopens_once_for_a_second_reply(app, world):
    created = _create(app, world)
    ok(app, world, "centre", "qingyang_message_accept", id=created["id"])
    ok(app, world, "housing", "qingyang_message_reply", id=created["id"], text="请到窗口咨询。")
    reopened = ok(app, world, None, "qingyang_message_rate", code=created["code"], rating="不满意", note="没有回答问题")
    assert reopened["status"] == "processing" and reopened["round"] == 2 and reopened["deadline"] == _due(5)
    again = ok(app, world, "housing", "qingyang_message_reply", id=created["id"], text="申请条件是:……")
    assert again["reply"]["text"] == "请到窗口咨询。" and again["second_reply"]["text"] == "申请条件是:……"
    closed = ok(app, world, None, "qingyang_message_rate", code=created["code"], rating="unsatisfied")
    assert closed["status"] == "closed" and closed["first_rating"] == "unsatisfied"
    status, error = call(app, world, None, "qingyang_message_rate", code=created["code"], rating="满意")
    assert status == 409


def test_an_unrated_answer_closes_itself_after_five_working_days(app, world):
    created = _create(app, world)
    ok(app, world, "centre", "qingyang_message_accept", id=created["id"])
    ok(app, world, "housing", "qingyang_message_reply", id=created["id"], text="已答复")
    close_due = rules.close_due(messages.board_rules(), deadlines.calendar(), dt.date.today())
    result = ok(app, world, "sysadmin", "qingyang_boards_escalate", today=close_due.isoformat())
    assert result["taken"] == {}
    day_after = close_due + dt.timedelta(days=1)
    assert ok(app, world, "sysadmin", "qingyang_boards_escalate", today=day_after.isoformat())["taken"] == {"close": 1}
    assert ok(app, world, "sysadmin", "qingyang_boards_escalate", today=day_after.isoformat())["taken"] == {}
    seen = ok(app, world, None, "qingyang_message_show", code=created["code"])
    assert seen["status"] == "closed" and seen["timeline"][-1]["note"].endswith("自动办结")


def test_markup_is_kept_as_typed(app, world):
    text = '<script>alert("x")</script><img src=x onerror=alert(1)>&lt;'
    created = _create(app, world, title="<b>标题</b>", content=text)
    seen = ok(app, world, None, "qingyang_message_show", code=created["code"])
    assert seen["content"] == text and seen["title"] == "<b>标题</b>"


def test_the_reply_passes_the_classification_gate_and_the_personal_data_check(app, world):
    created = _create(app, world)
    ok(app, world, "centre", "qingyang_message_accept", id=created["id"])
    for text, words in (("根据机密文件,不予办理", "密级标志"), ("申请人 11010519491231002X 已登记", "身份证号码"),
                        ("请联系经办人 13912345678", "手机号码")):
        status, error = call(app, world, "housing", "qingyang_message_reply", id=created["id"], text=text)
        assert status == 409 and words in error["text"][0], (text, error)
    seen = ok(app, world, "housing", "qingyang_message_show", id=created["id"])
    assert seen["status"] == "dispatched" and seen["reply"] is None
    # citing a document's title is not a marking
    assert ok(app, world, "housing", "qingyang_message_reply", id=created["id"],
              text="依据《保守国家秘密法》,经办电话 0934-8212345。")["status"] == "answered"


def test_steps_from_the_wrong_state_are_refused_in_chinese(app, world):
    created = _create(app, world)
    status, error = call(app, world, "sysadmin", "qingyang_message_reply", id=created["id"], text="答复")
    assert status == 409 and error["status"] == ["留言当前状态为“待受理”,不能答复"]
    status, error = call(app, world, None, "qingyang_message_rate", code=created["code"], rating="满意")
    assert status == 409 and "不能评价" in error["status"][0]
    status, error = call(app, world, "centre", "qingyang_message_publish", id=created["id"], approve=True)
    assert status == 409
    no_consent = _create(app, world, publish_consent=False, phone="13900000005")
    ok(app, world, "centre", "qingyang_message_accept", id=no_consent["id"])
    ok(app, world, "housing", "qingyang_message_reply", id=no_consent["id"], text="答复")
    status, error = call(app, world, "centre", "qingyang_message_publish", id=no_consent["id"], approve=True)
    assert status == 409 and "不同意公开" in error["status"][0]


def test_history_is_append_only(app, world):
    import sqlalchemy as sa
    from ckan import model

    created = _create(app, world)
    for statement in ("UPDATE qingyang_message_history SET note = 'x'", "DELETE FROM qingyang_message_history",
                      "TRUNCATE qingyang_supervision"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            model.Session.execute(sa.text(statement))
        model.Session.rollback()
    assert len(ok(app, world, None, "qingyang_message_show", code=created["code"])["timeline"]) == 1
