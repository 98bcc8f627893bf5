"""/qingyang/efficiency in a real browser (Playwright driving Debian's chromium): the platform
admin sees every department's month, the red card and the unmatched record with its reason; a
department sees its own only. At 1280 and 375 px, no sideways scrolling, no serious axe finding."""
from __future__ import annotations

from pathlib import Path

import pytest
from ckan.tests import helpers

from ckanext.qingyang.supervision.efficiency.tests.world import CARD, record
from ckanext.qingyang.tests.browser import check

SHOTS = Path(__file__).resolve().parents[6] / "var" / "screenshots"
pytestmark = pytest.mark.usefixtures("with_plugins")


def _load(world):
    batch = [record("W-1"), record("W-2", 办结时间="2026-03-20 10:00"),
             record("W-3", 受理时间="2026-11-02 09:00", 审查=None, 决定=None, 状态="在办", 办结时间=None),
             record("W-4", 事项名称="临时占用城市道路审批"),
             record("W-5", 部门="hr", 事项名称=CARD, 审查=None, 决定=None, 办结时间="2026-03-04 10:00")]
    helpers.call_action("qingyang_cases_load", {"user": world.users["pipeline"]["name"]}, records=batch,
                        now="2026-11-30T12:00")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_efficiency_page_for_the_platform_admin_and_a_department(browser, live_url, world, width):
    _load(world)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  extra_http_headers={"Authorization": world.tokens["platform_admin"]})
    page = context.new_page()
    page.goto(live_url + "/qingyang/efficiency?month=2026-03", wait_until="networkidle")
    monthly = page.inner_text("#monthly")
    assert "市自然资源局" in monthly and "市人社局" in monthly and "50.0%" in monthly
    assert "W-3" in page.inner_text("#cards") and "红牌" in page.inner_text("#cards")
    assert "临时占用城市道路审批" in page.inner_text("#quarantined")
    check(page, width)
    page.screenshot(path=str(SHOTS / f"efficiency-admin-{width}.png"), full_page=True)
    page.select_option("select[name=organization]", "land")
    page.click(".qingyang-efficiency form button")
    page.wait_for_load_state("networkidle")
    assert "超法定时限" in page.inner_text("#month-cases")
    check(page, width)
    context.close()

    context = browser.new_context(viewport={"width": width, "height": 900},
                                  extra_http_headers={"Authorization": world.tokens["hr"]})
    page = context.new_page()
    page.goto(live_url + "/qingyang/efficiency?month=2026-03", wait_until="networkidle")
    body = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
    assert "市人社局" in body and "市自然资源局" not in body and "W-3" not in body
    check(page, width)
    page.screenshot(path=str(SHOTS / f"efficiency-department-{width}.png"), full_page=True)
    context.close()
