"""订阅 in a real browser (Playwright driving Debian's chromium) at 1280 and 375 px: a visitor
finds the Atom feeds and is sent to sign in for mail; a signed-in citizen picks a department,
subscribes, sees it listed and on the department's page, and unsubscribes there. No sideways
scrolling, no serious axe finding."""
from __future__ import annotations

from pathlib import Path

import pytest

from ckanext.qingyang.tests.browser import check

SHOTS = Path(__file__).resolve().parents[5] / "var" / "screenshots"
pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_visitor_and_a_citizen_follow_a_department(browser, live_url, world, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    visitor = browser.new_context(viewport={"width": width, "height": 900})
    page = visitor.new_page()
    page.goto(live_url + "/", wait_until="networkidle")
    page.click("footer >> text=订阅更新")
    page.wait_for_load_state("networkidle")
    types = page.inner_text("section[aria-labelledby=qy-types]")
    assert "行政权力清单" in types and "便民服务事项目录" in types
    feed = page.get_attribute("section[aria-labelledby=qy-types] li:has-text('便民服务事项目录') a[type='application/atom+xml']", "href")
    assert feed.endswith("/subscriptions/feeds/list/service_item.atom")
    check(page, width)
    page.screenshot(path=str(SHOTS / f"subscriptions-visitor-{width}.png"), full_page=True)
    page.click("section[aria-labelledby=qy-types] li:has-text('便民服务事项目录') button")
    page.wait_for_load_state("networkidle")
    assert "/user/login" in page.url
    visitor.close()

    citizen = browser.new_context(viewport={"width": width, "height": 900},
                                  extra_http_headers={"Authorization": world.tokens["citizen"]})
    page = citizen.new_page()
    page.goto(live_url + "/subscriptions", wait_until="networkidle")
    assert "citizen@example.cn" in page.inner_text("#content")
    page.select_option("#f-organization", "hr")
    page.click("section[aria-labelledby=qy-departments] button:has-text('选择')")
    page.wait_for_load_state("networkidle")
    page.click("section[aria-labelledby=qy-departments] button:has-text('邮件订阅')")
    page.wait_for_load_state("networkidle")
    assert "已订阅“市人社局”的更新" in page.inner_text("body")
    assert "市人社局" in page.inner_text("section[aria-labelledby=qy-mine]")
    check(page, width)
    page.screenshot(path=str(SHOTS / f"subscriptions-citizen-{width}.png"), full_page=True)

    page.goto(live_url + "/organization/hr", wait_until="networkidle")
    box = page.inner_text(".qy-follow-box")
    assert "已邮件订阅" in box
    page.screenshot(path=str(SHOTS / f"subscriptions-organization-{width}.png"), full_page=False)
    page.click(".qy-follow-box button:has-text('退订')")
    page.wait_for_load_state("networkidle")
    assert "已退订“市人社局”" in page.inner_text("body") and "邮件订阅" in page.inner_text(".qy-follow-box")
    citizen.close()
