"""督查考核: the scoreboard's rules from catalogs/assessment.yaml, applied to facts."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from ckanext.qingyang.core import assessment as a

CATALOGS = Path(__file__).resolve().parents[5] / "catalogs"
DOC = yaml.safe_load((CATALOGS / a.RULES_FILE).read_text("utf-8"))


@pytest.fixture()
def rules():
    return a.load_rules(CATALOGS)[-1]


def test_the_committed_rules_load_and_weigh_every_indicator(rules):
    assert set(rules.indicators) == set(a.INDICATORS)
    assert rules.label("accountability") == "责任落实" and rules.min_sample >= 2


def test_a_new_version_applies_from_its_month_on_and_the_old_one_before():
    doc = copy.deepcopy(DOC)
    later = copy.deepcopy(doc["versions"][0])
    later["from"], later["indicators"]["timeliness"]["weight"] = "2027-03", 40
    doc["versions"].append(later)
    versions = a.parse_rules(doc)
    assert a.rules_for(versions, "2027-02").indicators["timeliness"]["weight"] == 20
    assert a.rules_for(versions, "2027-03").indicators["timeliness"]["weight"] == 40
    with pytest.raises(a.RulesError, match="no rule applies"):
        a.rules_for(versions, "2020-01")


@pytest.mark.parametrize("change, message", [
    (lambda d: d["versions"][0].update({"from": "2026-13"}), "from must be YYYY-MM"),
    (lambda d: d["versions"][0]["indicators"].pop("security"), r"missing \['security'\]"),
    (lambda d: d["versions"][0]["indicators"]["quality"].update({"weight": -1}), "quality needs a label"),
    (lambda d: d["duties"].append({"when": {"colour": "red"}, "lists": ["x"]}), "duties #6"),
])
def test_a_wrong_rules_file_is_refused_naming_the_key(change, message):
    doc = copy.deepcopy(DOC)
    change(doc)
    with pytest.raises(a.RulesError, match=message):
        a.parse_rules(doc)


def test_duties_follow_kind_role_and_level(rules):
    dept = {"name": "x", "kind": "department", "level": "city", "roles": []}
    assert a.duties_for(dept, rules) == ["power_item", "responsibility_item", "shared_resource"]
    finance = dict(dept, roles=["finance_bureau"])
    assert "special_fund" in a.duties_for(finance, rules)
    city_poverty = {"name": "p", "kind": "office", "level": "city", "roles": ["poverty_office"]}
    county_poverty = dict(city_poverty, level="county")
    assert "poverty_project" not in a.duties_for(city_poverty, rules)
    assert a.duties_for(county_poverty, rules)[-2:] == ["poverty_fund_plan", "poverty_project"]
    assert a.duties_for({"name": "g", "kind": "government", "level": "county"}, rules) == []


def test_a_small_sample_is_shown_but_not_counted_so_one_quick_case_cannot_top_the_board(rules):
    quick = a.assess({"completeness": a.Fact(3, 3), "accountability": a.Fact(3, 0),
                      "efficiency": a.Fact(1, 1)}, rules)
    eff = next(i for i in quick["indicators"] if i["key"] == "efficiency")
    assert eff["status_label"] == "样本不足" and eff["rate"] == 1.0 and eff["score"] is None
    # the total is completeness and accountability only, weighted 15:5
    assert quick["total"] == pytest.approx((15 * 100 + 5 * 0) / 20, abs=0.1)
    busy = a.assess({"completeness": a.Fact(3, 3), "accountability": a.Fact(3, 0),
                     "efficiency": a.Fact(40, 30, {"red_cards": 3})}, rules)
    eff = next(i for i in busy["indicators"] if i["key"] == "efficiency")
    assert eff["status"] == "counted" and eff["score"] == pytest.approx(75 - 3 * 2)


def test_indicators_score_their_facts(rules):
    result = a.assess({
        "timeliness": a.Fact(4, 0, {"ratings": {"fresh": 2, "overdue": 1, "delinquent": 1}}),
        "security": a.Fact(2),
        "messages": a.Fact(10, 8, {"rated": 5, "satisfied": 5, "supervised": 1}),
        "review": a.Fact(0, 0, applies=False),
        "sharing": a.Fact(0),
    }, rules)
    by = {i["key"]: i for i in result["indicators"]}
    assert by["timeliness"]["score"] == (2 * 100 + 40 + 0) / 4
    assert by["security"]["score"] == 100 - 2 * 20
    assert by["messages"]["score"] == pytest.approx(100 * (0.7 * 0.8 + 0.3 * 1.0) - 5)
    assert by["review"]["status_label"] == "不适用" and by["sharing"]["status_label"] == "无数据"
    # only counted indicators weigh: timeliness 20, security 10, messages 10
    assert result["total"] == pytest.approx((20 * 60 + 10 * 60 + 10 * 81) / 40, abs=0.1)


def test_ranks_share_a_place_on_a_tie_and_unscored_rows_come_last():
    rows = [{"title": "甲", "total": 80}, {"title": "乙", "total": None}, {"title": "丙", "total": 90},
            {"title": "丁", "total": 80}]
    ranked = a.rank(rows)
    assert [(r["title"], r["rank"]) for r in ranked] == [("丙", 1), ("丁", 2), ("甲", 2), ("乙", None)]


def test_months():
    assert a.months_back("2027-02", 3) == ["2026-12", "2027-01", "2027-02"]
    start, end = a.month_bounds("2026-12")
    assert (start.isoformat(), end.isoformat()) == ("2026-12-01", "2027-01-01")


def test_a_bulletin_names_late_organizations_with_their_items_and_low_counties():
    rules = a.bulletin_rules(CATALOGS)
    late = {"organization": "late", "title": "甲局", "county_code": "621021", "rank": 3, "total": 60,
            "indicators": [{"key": "timeliness", "label": "及时性", "evidence": [{"label": "逾期", "title": "权力清单"}]},
                           {"key": "quality", "label": "数据质量", "evidence": [{"label": "质量检查未通过", "title": "x"}]}]}
    fine = {"organization": "fine", "title": "乙局", "county_code": "", "rank": 1, "total": 99,
            "indicators": [{"key": "timeliness", "label": "及时性", "evidence": []}]}
    counties = [{"county_code": "621021", "title": "庆城县", "organization": "qc-gov", "total": 85.0, "rank": 1},
                {"county_code": "621022", "title": "环县", "organization": "hx-gov", "total": 70.0, "rank": 2}]
    content = a.bulletin_content([late, fine], counties, rules)
    assert [o["title"] for o in content["organizations"]] == ["甲局"]
    # 数据质量 is not a matter of being late: not in name_for, not listed
    assert content["organizations"][0]["items"] == [{"label": "逾期", "title": "权力清单", "indicator": "及时性"}]
    assert [c["title"] for c in content["counties"]] == ["环县"] and content["counties"][0]["below"]
    assert content["summary"] == {"organizations": 1, "counties": 1, "items": 1}


def test_an_organization_with_nothing_to_assess_is_shown_but_not_ranked(rules):
    empty = a.assess({"security": a.Fact(0), "accountability": a.Fact(3, 3)}, rules)
    busy = a.assess({"completeness": a.Fact(3, 2), "security": a.Fact(0), "accountability": a.Fact(3, 3)}, rules)
    assert empty["total"] == 100 and not empty["ranked"] and busy["ranked"]
    ranked = a.rank([dict(empty, title="乡镇"), dict(busy, title="局")])
    assert [(r["title"], r["rank"]) for r in ranked] == [("局", 1), ("乡镇", None)]
