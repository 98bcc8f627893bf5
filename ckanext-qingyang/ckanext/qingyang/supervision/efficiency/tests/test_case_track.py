"""我要查's 查办件: an applicant finds their case by 办件编号 and 查询码, through CKAN's API and on
/track (in a real browser at 1280 and 375 px); an unknown number and a wrong code answer
alike, lookups are limited per address, and nothing about the applicant is shown."""
from __future__ import annotations

from pathlib import Path

import pytest

from ckanext.qingyang.supervision.efficiency.tests.world import CARD, PERMIT, call, ok, record
from ckanext.qingyang.tests.browser import check

SHOTS = Path(__file__).resolve().parents[6] / "var" / "screenshots"
NOW = "2026-11-30T12:00"
pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture
def cases(app, world, no_limits_yet):
    ok(app, world, "pipeline", "qingyang_cases_load", now=NOW, records=[
        record("T-1", 查询码="482913", 申请人类型="自然人"),
        record("T-2", 部门="hr", 事项名称=CARD, 查询码="771204", 受理时间="2026-11-25 09:00", 审查=None,
               决定=None, 状态="在办", 办结时间=None),
        record("T-3")])                      # no 查询码: never found by anyone
    return world


def test_the_right_number_and_code_show_the_cases_progress(app, cases):
    done = ok(app, cases, None, "qingyang_case_track", case_no="T-1", code="482913")
    assert (done["item_title"], done["department"], done["status"]) == (PERMIT, "市自然资源局", "办结")
    assert [s["step"] for s in done["steps"]] == ["受理", "审查", "决定"]
    assert (done["days"], done["verdict"], done["open"]) == (4, "按时", False)
    assert done["item_url"].endswith(f"/approval_item/{cases.items['permit']['name']}")
    assert "applicant_type" not in done and "自然人" not in str(done)

    open_ = ok(app, cases, None, "qingyang_case_track", case_no="T-2", code="771204")
    assert open_["open"] and open_["status"] == "在办" and open_["due_on"] and open_["days_left"] is not None


def test_unknown_number_wrong_code_and_no_code_answer_alike(app, cases):
    answers = [call(app, cases, None, "qingyang_case_track", case_no=no, code=code)
               for no, code in (("T-1", "000000"), ("NO-SUCH", "482913"), ("T-3", "482913"))]
    assert {status for status, _ in answers} == {404}
    assert len({str(body["message"]) for _, body in answers}) == 1
    status, body = call(app, cases, None, "qingyang_case_track", case_no="T-1")
    assert status == 409 and "查询码" in str(body)


def test_lookups_are_limited_per_address(app, cases, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.qingyang.boards.lookup_limit", "3 per minute")
    for _ in range(3):
        assert call(app, cases, None, "qingyang_case_track", case_no="T-1", code="000001")[0] == 404
    status, body = call(app, cases, None, "qingyang_case_track", case_no="T-1", code="482913")
    assert status == 409 and "频繁" in str(body)
    assert app.get("/track?case_no=T-1&case_code=482913", status=429)


def test_the_track_page_shows_the_case_and_the_same_answer_for_a_miss(app, cases):
    page = app.get("/track?case_no=t-1&case_code=482913").body
    assert PERMIT in page and "市自然资源局" in page and "办理进度" in page and "4 个工作日" in page
    assert "自然人" not in page
    miss = app.get("/track?case_no=T-1&case_code=000000", status=404).body
    unknown = app.get("/track?case_no=NO-SUCH&case_code=482913", status=404).body
    assert "没有查到这个办件" in miss and "没有查到这个办件" in unknown and PERMIT not in miss


@pytest.mark.parametrize("width", [1280, 375])
def test_a_citizen_looks_up_an_open_case_on_a_phone_or_desktop(browser, live_url, cases, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_url + "/track", wait_until="networkidle")
    page.fill("#f-case-no", "T-2")
    page.fill("#f-case-code", "771204")
    page.click(".qy-casebox button")
    page.wait_for_load_state("networkidle")
    case = page.inner_text("#qy-case")
    assert CARD in case and "在办" in case and "正在办理" in case and "承诺办结日期" in case
    assert "2026年11月25日 09:00" in case          # the window's time, as the applicant saw it
    check(page, width)
    page.screenshot(path=str(SHOTS / f"track-case-{width}.png"), full_page=True)
    context.close()
