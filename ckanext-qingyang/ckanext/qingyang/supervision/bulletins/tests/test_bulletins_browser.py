"""通报 in a real browser (Playwright driving Debian's chromium): the platform admin drafts a
month's bulletin, reviews it and issues it; a named department then finds it with its files.
At 1280 and 375 px; each page passes axe-core and never scrolls sideways."""
from __future__ import annotations

import pytest

from ckanext.qingyang.supervision.assessment.tests.world import LAST
from ckanext.qingyang.supervision.bulletins.tests.conftest import empty_bulletins
from ckanext.qingyang.tests.browser import check


@pytest.mark.parametrize("width", [1280, 375])
def test_the_admin_reviews_and_issues_and_the_department_reads_it(browser, live_url, world, archive, width):
    empty_bulletins()
    admin = browser.new_context(viewport={"width": width, "height": 900},
                                extra_http_headers={"Authorization": world.tokens["admin"]})
    page = admin.new_page()
    page.goto(f"{live_url}/qingyang/bulletins/")
    assert page.locator("h1").inner_text() == "通报"
    check(page, width)
    page.select_option("#f-month", LAST)
    page.click("button:has-text('起草')")
    page.wait_for_selector(".qy-review-box")
    assert "草稿" in page.locator(".qy-badge").first.inner_text()
    assert page.locator(".qy-bulletin-org h3", has_text="庆阳市财政局").count() == 1
    check(page, width)
    page.click("button:has-text('审定并印发')")
    page.wait_for_selector(".qy-hashes")
    assert page.locator(".qy-badge").first.inner_text() == "已印发"
    assert page.locator("a", has_text="下载 PDF").is_visible()
    assert page.locator(".qy-review-box").count() == 0
    admin.close()

    dept = browser.new_context(viewport={"width": width, "height": 900},
                               extra_http_headers={"Authorization": world.tokens["good"]})
    page = dept.new_page()
    page.goto(f"{live_url}/qingyang/bulletins/")
    assert page.locator("#f-month").count() == 0      # only the platform admin drafts
    page.locator(".qy-list a").first.click()
    page.wait_for_selector(".qy-bulletin")
    assert "庆阳市民政局" in page.locator(".qy-bulletin").inner_text()
    with page.expect_download() as got:
        page.click("a:has-text('下载 Excel')")
    assert got.value.suggested_filename == f"通报-{LAST}.xlsx"
    check(page, width)
    dept.close()
