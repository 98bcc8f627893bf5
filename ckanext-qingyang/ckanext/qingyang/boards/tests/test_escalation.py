"""The escalation ladder without anyone starting it: reminder, 催办, 提请督办 and 通报 on the
right working days, each once; the centre's 督办单 reaches the department's admins in the
app and by mail, delivered to a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import datetime as dt

import pytest

from ckanext.qingyang import deadlines
from ckanext.qingyang.boards.tests.world import call, message, ok


def _escalate(app, world, day: dt.date) -> dict:
    return ok(app, world, "platform_admin", "qingyang_boards_escalate", today=day.isoformat())["taken"]


@pytest.fixture()
def late(app, world):
    created = ok(app, world, "hotline", "qingyang_message_create", **message(title="<i>路灯</i>不亮"))
    return ok(app, world, "centre", "qingyang_message_accept", id=created["id"])


def test_overdue_then_supervised_and_the_mail_is_delivered(app, world, late, smtp_server):
    cal = deadlines.calendar()
    due = dt.date.fromisoformat(late["deadline"])
    # the working day before the deadline: a reminder to the department's admins
    day_before = next(d for d in (due - dt.timedelta(days=n) for n in range(1, 15)) if cal.is_working_day(d))
    assert _escalate(app, world, day_before) == {"remind": 1}
    assert _escalate(app, world, day_before) == {}                      # once
    day_after = due + dt.timedelta(days=1)
    assert _escalate(app, world, day_after) == {"overdue": 1}
    two_late = cal.due_on(due, 2)
    assert _escalate(app, world, two_late) == {"escalate": 1}
    assert _escalate(app, world, cal.due_on(due, 5)) == {"report": 1}
    # listed for this month's 通报 (the month the step was taken)
    report = ok(app, world, "centre", "qingyang_message_list", scope="report")
    assert [m["id"] for m in report["results"]] == [late["id"]]
    assert ok(app, world, "county_centre", "qingyang_message_list", scope="report")["count"] == 0

    # the mails so far: reminder and 催办 to the department's admin, 提请督办 and 通报 to the centre's
    subjects = [(m["to"], m["subject"]) for m in smtp_server.messages]
    assert subjects == [
        (["housing_admin@qy.example.gov.cn"], "留言即将到期:<i>路灯</i>不亮"),
        (["housing_admin@qy.example.gov.cn"], "催办:留言已逾期:<i>路灯</i>不亮"),
        (["centre_admin@qy.example.gov.cn"], "提请督办:<i>路灯</i>不亮"),
        (["centre_admin@qy.example.gov.cn"], "列入通报:<i>路灯</i>不亮"),
    ]

    # the pages use today's date: move the deadline back to make it late now
    from ckan import model
    from ckanext.qingyang.boards import messages
    messages.update(late["id"], deadline=dt.date.today() - dt.timedelta(days=14))
    model.Session.commit()
    inbox = ok(app, world, "housing", "qingyang_message_list", scope="inbox")["results"]
    assert inbox[0]["id"] == late["id"] and inbox[0]["overdue"] and inbox[0]["days_left"] < 0
    supervise = ok(app, world, "centre", "qingyang_message_list", scope="supervise")["results"]
    assert [(m["id"], m["organization"]["name"]) for m in supervise] == [(late["id"], "housing")]
    assert supervise[0]["days_late"] >= 8
    assert ok(app, world, "housing", "qingyang_message_list", scope="inbox", overdue=True)["count"] == 1

    smtp_server.messages.clear()
    status, error = call(app, world, "centre", "qingyang_message_supervise", id=late["id"], note="请尽快答复")
    assert status == 409 and "要求答复日期" in error["due"][0]
    reply_by = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    shown = ok(app, world, "centre", "qingyang_message_supervise", id=late["id"], due=reply_by,
               note="请于三日内答复并报送办理情况")
    assert shown["supervisions"][0]["reply_due"] == reply_by
    assert [m["to"] for m in smtp_server.messages] == [["housing_admin@qy.example.gov.cn"]]
    mail = smtp_server.messages[0]
    assert mail["subject"] == "督办单:<i>路灯</i>不亮"
    assert "请于三日内答复并报送办理情况" in mail["body"] and f"/boards/messages/{late['id']}" in mail["body"]
    notices = ok(app, world, "housing_admin", "qingyang_notice_list")
    assert notices[0]["subject"] == "督办单:<i>路灯</i>不亮"
    # the asker does not see the internal steps
    seen = ok(app, world, None, "qingyang_message_show", code=ok(app, world, "hotline", "qingyang_message_create",
                                                                  **message(phone="13900000021"))["code"])
    assert [t["step"] for t in seen["timeline"]] == ["create"]


def test_a_late_run_catches_up_and_a_pending_message_is_late_for_the_centre(app, world, smtp_server):
    created = ok(app, world, "hotline", "qingyang_message_create", **message())
    cal = deadlines.calendar()
    due = dt.date.fromisoformat(created["deadline"])
    assert _escalate(app, world, cal.due_on(due, 6)) == {"overdue": 1, "report": 1}
    assert {tuple(m["to"]) for m in smtp_server.messages} == {("centre_admin@qy.example.gov.cn",)}


def test_only_the_platform_admin_runs_the_ladder(app, world):
    for actor in (None, "centre", "housing"):
        assert call(app, world, actor, "qingyang_boards_escalate")[0] == 403
        assert call(app, world, actor, "qingyang_boards_facts")[0] == 403
