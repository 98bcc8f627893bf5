"""办件: a record's checks (each quarantine reason names the record and the field), matching
to the department's published item, and the timing in working days with the holiday calendar."""
from __future__ import annotations

import datetime as dt

from ckanext.qingyang.core import cases
from ckanext.qingyang.core.deadlines import Calendar

CAL = Calendar()
NOW = dt.datetime(2026, 11, 30, 12, 0)
PERMIT = cases.Item("i1", "建设用地规划许可证核发", "approval_item", promised_days=5, statutory_days=10)
SERVICE = cases.Item("i2", "社保卡补办", "service_item", promised_days=3, statutory_days=3, code="S-001")
ITEMS = cases.Items([("zrzy", PERMIT), ("rs", SERVICE)])


def rec(**over):
    base = {"办件编号": "QY-1", "部门": "zrzy", "事项名称": "建设用地规划许可证核发", "申请人类型": "法人",
            "受理时间": "2026-03-02 09:00", "审查": "2026-03-03 10:00", "决定": "2026-03-05 16:00",
            "送达": "2026-03-06 09:00", "办结时间": "2026-03-06 09:30", "状态": "办结", "是否网办": "是"}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def test_a_good_record_is_normalised_with_its_steps_and_matched_by_title():
    batch = cases.check_batch([rec()], ITEMS, NOW)
    assert not batch.quarantined
    case = batch.cases[0]
    assert case.item is PERMIT and case.online and case.status == "办结"
    assert list(case.steps) == ["审查", "决定", "送达"]


def test_english_keys_and_a_code_match_the_service_item():
    raw = {"case_no": "RS-9", "department": "rs", "item_code": "S-001", "item_name": "别的名字",
           "accepted_at": "2026-03-02T09:00:00", "status": "在办", "online": False}
    batch = cases.check_batch([raw], ITEMS, NOW)
    assert batch.cases[0].item is SERVICE and batch.cases[0].closed_at is None


def test_unknown_item_is_quarantined_and_counted_as_unmatched():
    batch = cases.check_batch([rec(事项名称="不存在的事项")], ITEMS, NOW)
    assert not batch.cases
    (raw, [problem]), = batch.unmatched()
    assert problem.kind == "unknown_item" and problem.field == "item_name"
    assert "QY-1" in problem.message() and "事项名称" in problem.message() and "不存在的事项" in problem.message()


def test_an_item_of_another_department_does_not_match():
    batch = cases.check_batch([rec(部门="rs")], ITEMS, NOW)
    assert batch.unmatched() and not batch.cases


def test_times_out_of_order_name_the_later_field():
    batch = cases.check_batch([rec(决定="2026-03-02 08:00")], ITEMS, NOW)
    [(_, problems)] = batch.quarantined
    assert [(p.field, p.kind) for p in problems][0] == ("decide_at", "order")
    assert "决定" in problems[0].message() and "早于" in problems[0].reason


def test_future_times_are_quarantined():
    batch = cases.check_batch([rec(办结时间="2026-12-24 09:00")], ITEMS, NOW)
    [(_, problems)] = batch.quarantined
    assert ("closed_at", "future") in [(p.field, p.kind) for p in problems]


def test_a_case_no_twice_in_a_batch_keeps_the_first():
    batch = cases.check_batch([rec(), rec(状态="撤回")], ITEMS, NOW)
    assert [c.status for c in batch.cases] == ["办结"]
    [(_, [problem])] = batch.quarantined
    assert problem.kind == "duplicate" and problem.record == "QY-1"


def test_missing_and_invalid_fields_each_reported():
    batch = cases.check_batch([rec(办件编号=None, 状态="完成", 受理时间="昨天", 是否网办="也许")], ITEMS, NOW)
    [(_, problems)] = batch.quarantined
    fields = {p.field for p in problems}
    assert {"case_no", "status", "accepted_at", "online"} <= fields
    assert all(p.record == "第1行" for p in problems)


def test_closed_without_closing_time_and_open_with_one():
    batch = cases.check_batch([rec(办结时间=None), rec(办件编号="QY-2", 状态="在办")], ITEMS, NOW)
    assert [p.field for _, ps in batch.quarantined for p in ps] == ["closed_at", "closed_at"]


def timing_of(**over):
    case = cases.check_batch([rec(**over)], ITEMS, NOW).cases[0]
    return cases.timing(case, case.item, CAL, NOW.date())


def test_on_time_case_and_its_step_days():
    t = timing_of()
    assert t.days == 4 and t.verdict == cases.ON_TIME and t.card is None     # Mon → Fri
    assert t.step_days == {"审查": 1, "决定": 2, "送达": 1}


def test_over_promised_and_over_statutory_count_working_days_only():
    # accepted Mon 2 Mar; the weekend 7-8 Mar does not count: Mon 9 Mar is day 5, Tue 10 day 6
    assert timing_of(送达=None, 办结时间="2026-03-09 10:00").verdict == cases.ON_TIME
    assert timing_of(送达=None, 办结时间="2026-03-10 10:00").verdict == cases.OVER_PROMISED
    assert timing_of(送达=None, 办结时间="2026-03-17 10:00").verdict == cases.OVER_STATUTORY


def test_national_day_holidays_do_not_count():
    # accepted Wed 30 Sep 2026; 1-7 Oct is the holiday: closed Thu 8 Oct is the first working day
    t = timing_of(受理时间="2026-09-30 09:00", 审查=None, 决定=None, 送达=None, 办结时间="2026-10-08 09:00")
    assert t.days == 1 and t.verdict == cases.ON_TIME


def test_open_cases_get_yellow_then_red_cards():
    case = cases.check_batch([rec(状态="在办", 办结时间=None, 送达=None)], ITEMS, NOW).cases[0]
    due = cases.timing(case, PERMIT, CAL, dt.date(2026, 3, 3)).due
    assert due == dt.date(2026, 3, 9)
    assert cases.timing(case, PERMIT, CAL, dt.date(2026, 3, 4)).card is None      # 3 days left
    assert cases.timing(case, PERMIT, CAL, dt.date(2026, 3, 6)).card == cases.YELLOW   # 1 left
    assert cases.timing(case, PERMIT, CAL, dt.date(2026, 3, 9)).card == cases.YELLOW   # due today
    late = cases.timing(case, PERMIT, CAL, dt.date(2026, 3, 10))
    assert late.card == cases.RED and late.days_left == -1


def test_service_item_limit_is_both_limits():
    assert cases.item_limits("service_item", {"time_limit_days": "3"}) == (3, 3)
    assert cases.item_limits("approval_item", {"promised_days": 5, "statutory_days": "20"}) == (5, 20)


def test_the_demo_generator_is_deterministic_valid_and_has_late_and_open_cases():
    from ckanext.qingyang.core import cases_demo

    items = [("zrzy", PERMIT.title, 5, 10), ("rs", SERVICE.title, 3, 3)]
    end = dt.date(2026, 11, 30)
    first = list(cases_demo.generate(items, 2000, end))
    assert first == list(cases_demo.generate(items, 2000, end))
    batch = cases.check_batch(first, ITEMS, dt.datetime.combine(end, dt.time()))
    assert not batch.quarantined, batch.quarantined[:3]
    verdicts = [cases.timing(c, c.item, CAL, end) for c in batch.cases]
    kinds = {t.verdict for t in verdicts} | {t.card for t in verdicts}
    assert {cases.ON_TIME, cases.OVER_PROMISED, cases.OVER_STATUTORY} <= kinds
    assert sum(t.verdict == cases.ON_TIME for t in verdicts) > len(verdicts) * 0.7
    assert any(c.status == cases.OPEN for c in batch.cases)
