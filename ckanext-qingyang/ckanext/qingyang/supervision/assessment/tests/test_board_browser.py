"""The scoreboard in a real browser (Playwright driving Debian's chromium): the ranking with
its bar charts, a department's trend and radar, and the evidence behind a deduction, at
1280 and 375 px; each page passes axe-core and never scrolls sideways."""
from __future__ import annotations

import pytest

from ckanext.qingyang.supervision.assessment.tests.world import LAST
from ckanext.qingyang.tests.browser import check


@pytest.mark.parametrize("width", [1280, 375])
def test_the_board_leads_to_the_evidence_of_a_deduction(browser, live_url, world, width):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  extra_http_headers={"Authorization": world.tokens["admin"]})
    page = context.new_page()
    page.goto(f"{live_url}/qingyang/assessment/?month={LAST}")
    assert page.locator("h1").inner_text().startswith("督查考核")
    assert page.locator(".qy-badge-live").first.is_visible()
    # ECharts drew the bars (as SVG) over the tables that carry the same figures
    page.wait_for_selector("[data-qy-bars] svg")
    assert page.locator("[data-qy-bars] svg").count() == 2
    county = page.locator(".qy-board").first.locator("tbody tr", has_text="庆城县")
    assert county.is_visible()
    fin = page.locator(".qy-board").nth(1).locator("tbody tr", has_text="庆阳市财政局")
    assert "样本不足" in fin.inner_text()
    check(page, width)

    fin.locator("a", has_text="庆阳市财政局").click()
    page.wait_for_selector("[data-qy-radar] svg")
    assert page.locator("h1").inner_text() == "庆阳市财政局"
    assert page.locator("[data-qy-line] svg").count() == 1
    review = page.locator("#i-review")
    assert "4/6 达标" in review.inner_text()
    assert review.locator(".qy-evidence li").count() == 2
    accountable = page.locator("#i-accountability")
    assert [t.strip() for t in accountable.locator(".qy-evidence a").all_inner_texts()] == ["分管领导", "主管科室", "专人"]
    check(page, width)
    # the evidence leads to where the department puts it right
    accountable.locator(".qy-evidence a", has_text="专人").click()
    page.wait_for_load_state()
    assert page.url.endswith("/organization/edit/qy-fin")
    assert page.locator("label", has_text="专人").first.is_visible()
    context.close()
