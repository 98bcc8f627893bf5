"""Loading 办件: matched to the department's published item, stored once, updated by a later
state; bad and unmatched records quarantined with their reasons and reported to the department;
the scoreboard's department_month facts; who may load and who sees what."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.qingyang.supervision.efficiency import facts
from ckanext.qingyang.supervision.efficiency.tests.world import CARD, PERMIT_CODE, call, ok, record

NOW = "2026-11-30T12:00"
pytestmark = pytest.mark.usefixtures("with_plugins")


def stored(no):
    return model.Session.execute(sa.text("SELECT * FROM qingyang_case WHERE case_no = :n"), {"n": no}).mappings().first()


def notices_of(user):
    return model.Session.execute(sa.text("SELECT subject, link FROM qingyang_notice WHERE user_id = :u"),
                                 {"u": user["id"]}).all()


def test_a_batch_loads_reruns_unchanged_and_a_later_state_updates(app, world):
    batch = [record("L-1"), record("L-2", 状态="在办", 办结时间=None),
             record("L-3", 部门="hr", 事项名称=CARD, 审查=None, 决定=None, 办结时间="2026-03-09 10:00"),
             record("L-4", 部门="hr", 事项名称=CARD, 审查=None, 决定=None, 办结时间="2026-03-05 10:00")]
    first = ok(app, world, "pipeline", "qingyang_cases_load", records=batch, now=NOW)
    assert (first["inserted"], first["updated"], first["quarantined"]) == (4, 0, 0)
    one = stored("L-1")
    assert one["verdict"] == "按时" and one["days"] == 4 and one["organization_id"] == world.orgs["land"]["id"]
    # a service item's one 办结时限 (3): 5 working days is over it, 3 within
    assert (stored("L-3")["verdict"], stored("L-3")["days"], stored("L-3")["item_kind"]) == ("超法定时限", 5, "service_item")
    assert stored("L-4")["verdict"] == "按时"
    again = ok(app, world, "pipeline", "qingyang_cases_load", records=batch, now=NOW)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert stored("L-1")["updated_at"] == one["updated_at"]

    closed = record("L-2", 办结时间="2026-03-20 10:00")
    later = ok(app, world, "pipeline", "qingyang_cases_load", records=[closed], now=NOW)
    assert later["updated"] == 1
    assert stored("L-2")["status"] == "办结" and stored("L-2")["verdict"] == "超法定时限"
    # the older, open state sent again does not reopen it
    stale = ok(app, world, "pipeline", "qingyang_cases_load", records=[batch[1]], now=NOW)
    assert stale["unchanged"] == 1 and stored("L-2")["status"] == "办结"


def test_csv_body_with_chinese_headers(app, world):
    rec = record("C-1")
    body = ",".join(rec) + "\n" + ",".join(rec.values()) + "\n"
    result = ok(app, world, "pipeline", "qingyang_cases_load", format="csv", body=body, now=NOW)
    assert result["inserted"] == 1 and stored("C-1")["online"] is True


def test_a_record_with_the_items_code_matches_it_whatever_its_name(app, world):
    done = ok(app, world, "pipeline", "qingyang_cases_load", now=NOW, records=[
        record("K-1", 事项编码=PERMIT_CODE, 事项名称="建设用地规划许可"),           # the approval system's own name
        record("K-2", 事项编码="621000-XK-9999", 事项名称="不存在的事项")])
    assert (done["inserted"], done["unmatched"]) == (1, 1)
    assert stored("K-1")["item_id"] == world.items["permit"]["id"]
    assert any("621000-XK-9999" in p for p in done["problems"])


def test_unmatched_records_are_kept_listed_and_notified_once(app, world):
    def unmatched_notices(role):
        return len([n for n in notices_of(world.users[role]) if "未匹配" in n.subject])

    before = {role: unmatched_notices(role) for role in ("land", "platform_admin", "hr")}
    batch = [record("U-1", 事项名称="不存在的事项"), record("U-2", 事项名称="未发布的许可")]
    result = ok(app, world, "pipeline", "qingyang_cases_load", records=batch, now=NOW)
    assert result["unmatched"] == 2 and result["inserted"] == 0
    assert any("U-1" in p and "不存在的事项" in p for p in result["problems"])
    assert stored("U-1") is None
    grown = {role: unmatched_notices(role) - n for role, n in before.items()}
    assert grown == {"land": 1, "platform_admin": 1, "hr": 0}     # one notice per load and department
    ok(app, world, "pipeline", "qingyang_cases_load", records=batch, now=NOW)   # rerun: no second notice
    assert unmatched_notices("land") - before["land"] == 1
    rows = facts.quarantined([world.orgs["land"]["id"]])
    assert {r["case_no"] for r in rows if r["kind"] == "unknown_item"} >= {"U-1", "U-2"}

    page = app.get("/qingyang/efficiency", headers={"Authorization": world.tokens["land"]})
    assert page.status_code == 200 and "U-1" in page.body and "不存在的事项" in page.body and "未匹配事项" in page.body


def test_bad_records_are_quarantined_with_record_and_field_and_nothing_else_changes(app, world):
    batch = [record("B-1", 决定="2026-03-01 08:00"), record("B-2", 办结时间="2027-01-05 09:00"),
             record("B-3"), record("B-3", 状态="撤回")]
    result = ok(app, world, "pipeline", "qingyang_cases_load", records=batch, now=NOW)
    assert (result["inserted"], result["quarantined"]) == (1, 3)
    text = "\n".join(result["problems"])
    assert "办件 B-1:决定:早于" in text and "办件 B-2:办结时间:时间在未来" in text and "重复" in text
    assert stored("B-1") is None and stored("B-3")["status"] == "办结"
    # a file that cannot be read is refused whole: the case already stored is untouched
    status, error = call(app, world, "pipeline", "qingyang_cases_load", format="jsonl", now=NOW,
                         body=json.dumps(record("B-3", 状态="撤回"), ensure_ascii=False) + "\n{not json\n")
    assert status == 409 and "第2行" in str(error)
    assert stored("B-3")["status"] == "办结"


def test_department_month_counts_and_evidence(app, world):
    batch = [record("M-1", 受理时间="2026-04-01 09:00", 审查=None, 决定=None, 办结时间="2026-04-03 09:00"),
             record("M-2", 受理时间="2026-04-01 09:00", 审查=None, 决定=None, 办结时间="2026-04-13 09:00"),
             record("M-3", 受理时间="2026-04-01 09:00", 审查=None, 决定=None, 办结时间="2026-04-28 09:00"),
             record("M-4", 受理时间="2026-04-20 09:00", 审查=None, 决定=None, 状态="在办", 办结时间=None)]
    ok(app, world, "pipeline", "qingyang_cases_load", records=batch, now=NOW)
    got = facts.department_month(world.orgs["land"]["id"], "2026-04")
    assert (got["cases"], got["on_time"], got["over_promised"], got["over_statutory"]) == (3, 1, 1, 1)
    # red in April: M-2 (due 8 Apr, closed 13 Apr), M-3 (closed 28 Apr), M-4 (due 27 Apr, still open)
    assert got["red_cards"] == 3
    labels = {(e["case_no"], e["label"]) for e in got["evidence"]}
    assert {("M-2", "超承诺时限"), ("M-3", "超法定时限"), ("M-2", "红牌"), ("M-4", "红牌")} <= labels
    assert all(e["url"].startswith("/qingyang/efficiency?") for e in got["evidence"])
    assert facts.red_card_url(world.orgs["land"]["id"], "2026-04").endswith("#red-cards")
    # M-4 stays red in the months after; M-1..M-3 are gone by May
    assert facts.department_month(world.orgs["land"]["id"], "2026-05")["red_cards"] == 1
    via_api = ok(app, world, "land", "qingyang_efficiency_month", organization="land", month="2026-04")
    assert via_api["cases"] == 3

    page = app.get("/qingyang/efficiency?organization=land&month=2026-04",
                   headers={"Authorization": world.tokens["platform_admin"]})
    assert "M-4" in page.body and "红牌" in page.body and "市自然资源局" in page.body


def test_only_the_pipeline_or_platform_admin_load_and_departments_see_their_own(app, world):
    status, _ = call(app, world, "land", "qingyang_cases_load", records=[record("A-1")], now=NOW)
    assert status == 403 and stored("A-1") is None
    assert call(app, world, "platform_admin", "qingyang_cases_load", records=[record("A-1")], now=NOW)[0] == 200
    assert call(app, world, "hr", "qingyang_efficiency_month", organization="land", month="2026-03")[0] == 403
    assert app.get("/qingyang/efficiency?organization=land", headers={"Authorization": world.tokens["hr"]},
                   status=403)
    assert app.get("/qingyang/efficiency", status=403)
    hr_page = app.get("/qingyang/efficiency?month=2026-03", headers={"Authorization": world.tokens["hr"]}).body
    admin_page = app.get("/qingyang/efficiency?month=2026-03",
                         headers={"Authorization": world.tokens["platform_admin"]}).body
    assert "市自然资源局" not in hr_page and "市人社局" in hr_page
    assert "市自然资源局" in admin_page and "市人社局" in admin_page


def test_red_and_yellow_cards_alert_the_department_and_the_platform_admin_once(app, world, smtp_server):
    import datetime as dt

    from ckanext.qingyang import deadlines

    cal, today = deadlines.calendar(), facts.today()
    # accepted so that 1 working day is left today (黄牌), and a case long overdue (红牌)
    start = today
    while cal.between(start, cal.due_on(start, 5)) != 5 or cal.days_left(cal.due_on(start, 5), today) != 1:
        start -= dt.timedelta(days=1)
    stamp = lambda d: f"{d:%Y-%m-%d} 09:00"  # noqa: E731
    batch = [record("Y-1", 受理时间=stamp(start), 审查=None, 决定=None, 状态="在办", 办结时间=None),
             record("R-1", 受理时间="2026-11-02 09:00", 审查=None, 决定=None, 状态="在办", 办结时间=None)]
    ok(app, world, "pipeline", "qingyang_cases_load", records=batch)
    first = ok(app, world, "pipeline", "qingyang_cases_alert")
    assert first["red"] >= 1 and first["yellow"] >= 1
    subjects = [n.subject for n in notices_of(world.users["land"]) if "亮牌" in n.subject]
    assert len(subjects) == 1 and "红牌" in subjects[0]
    assert [n for n in notices_of(world.users["platform_admin"]) if "亮牌" in n.subject]
    assert not [n for n in notices_of(world.users["hr"]) if "亮牌" in n.subject]
    # by mail too, through a real SMTP server: the department's editor and the platform admin
    mails = {m["to"][0]: m for m in smtp_server.messages}
    assert {"land@qy.example.gov.cn", "platform_admin@qy.example.gov.cn"} <= set(mails)
    assert "hr@qy.example.gov.cn" not in mails
    assert "红牌" in mails["land@qy.example.gov.cn"]["subject"] and "R-1" in mails["land@qy.example.gov.cn"]["body"]
    again = ok(app, world, "pipeline", "qingyang_cases_alert")
    assert (again["red"], again["yellow"]) == (0, 0)
    assert len(smtp_server.messages) == len(mails)
    assert len([n for n in notices_of(world.users["land"]) if "亮牌" in n.subject]) == 1
    assert call(app, world, "land", "qingyang_cases_alert")[0] == 403
    page = app.get("/qingyang/efficiency", headers={"Authorization": world.tokens["land"]}).body
    assert "Y-1" in page and "黄牌" in page and "R-1" in page


def test_the_guide_shows_the_items_last_12_months(app, world):
    ok(app, world, "pipeline", "qingyang_cases_load", now=NOW, records=[
        record("G-1", 受理时间="2026-10-05 09:00", 审查=None, 决定=None, 办结时间="2026-10-09 09:00"),
        record("G-2", 受理时间="2025-10-09 09:00", 审查=None, 决定=None, 办结时间="2025-10-10 09:00")])   # over a year ago
    year = facts.item_year(world.items["permit"]["id"])
    stored_cases = model.Session.execute(sa.text(
        "SELECT count(*) FROM qingyang_case WHERE item_id = :i AND closed_on > CURRENT_DATE - 365"),
        {"i": world.items["permit"]["id"]}).scalar()
    assert year["cases"] == stored_cases and year["cases"] >= 1
    page = app.get(f"/approval_item/{world.items['permit']['name']}").body
    assert "近12个月办理情况" in page and f"{year['cases']} 件" in page
    assert f"事项编码:{PERMIT_CODE}" in page
