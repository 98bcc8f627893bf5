"""A citizen's way through the portal in a real browser (Playwright driving Debian's
chromium against the test app): choose 环县, open 行政审批, search 营业执照, 低保 and
`sbk`, open a 办事指南 and print its checklist, switch to English and to large type;
then the same on a 375 px phone. Every page passes axe-core with no serious or critical
violation and never scrolls sideways."""
from __future__ import annotations

import pytest
from ckanext.qingyang.portal.tests.world import HUANXIAN
from ckanext.qingyang.tests.browser import check

pytestmark = pytest.mark.usefixtures("world")

PHONE, DESKTOP = 375, 1280


def search(page, words: str) -> list[str]:
    page.fill("form.qy-searchbox input[name=q]", words)
    page.press("form.qy-searchbox input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    return page.locator(".qy-result-title").all_inner_texts()


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_citizen_finds_a_service_and_prints_its_checklist(browser, live_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_url + "/", wait_until="networkidle")
    check(page, width)

    # 1. choose 环县: the choice shows in the header and survives the next pages
    page.click(".qy-switcher")
    check(page, width)
    page.click(f'a[href*="code={HUANXIAN}"]')
    page.wait_for_load_state("networkidle")
    assert "环县" in page.inner_text(".qy-switcher")
    assert any(c["name"] == "qy_jurisdiction" and c["value"] == HUANXIAN for c in context.cookies())

    # 2. 行政审批 shows 环县's approval items
    page.click('.qy-nav a[href="/theme/approval"]')
    page.wait_for_load_state("networkidle")
    check(page, width)
    assert page.locator(".qy-result-title").all_inner_texts() == ["食品经营许可"]

    # 3. search: the formal name, an everyday word, pinyin initials
    assert search(page, "营业执照") == ["营业执照补领换领"]
    assert page.inner_text(".qy-result mark") == "营业执照"
    check(page, width)
    assert search(page, "低保") == ["最低生活保障申请受理"]
    assert "环城镇" in page.inner_text(".qy-result-where")
    assert search(page, "sbk") == ["社会保障卡申领"]

    # suggestions arrive as one types
    page.fill("form.qy-searchbox input[name=q]", "")
    page.type("form.qy-searchbox input[name=q]", "sheb")
    page.wait_for_function("document.querySelectorAll('#qy-suggest option').length > 0")
    assert "社会保障卡申领" in page.eval_on_selector_all("#qy-suggest option", "os => os.map(o => o.value)")

    # 4. a 办事指南; an approval item's 办理要件, printed
    search(page, "sbk")
    page.click(".qy-result-title a")
    page.wait_for_load_state("networkidle")
    assert page.inner_text(".qy-guide h1").strip() == "社会保障卡申领"
    check(page, width)
    page.click('.qy-nav a[href="/"]')
    assert search(page, "食品经营")[:2] == ["食品经营许可", "食品经营许可证核发"]
    page.locator(".qy-result-title a").first.click()
    page.wait_for_load_state("networkidle")
    check(page, width)
    page.click(".qy-print-link")
    page.wait_for_load_state("networkidle")
    check(page, width)
    page.emulate_media(media="print")
    assert page.locator(".qy-checklist li").count() >= 1
    assert not page.locator(".qy-print-actions").is_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
    page.emulate_media(media="screen")

    # 5. English, then large type: both persist on the next page
    page.goto(live_url + "/theme/service", wait_until="networkidle")
    page.click('.qy-topbar a[hreflang="en"]')
    page.wait_for_load_state("networkidle")
    assert page.inner_text("h1").strip() == "Public services"
    page.click('.qy-toggle[data-qy-mode="large"]')
    page.wait_for_function("document.body.classList.contains('qy-large')")
    page.goto(live_url + "/en/theme/approval", wait_until="networkidle")
    assert page.evaluate("document.body.classList.contains('qy-large')")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= 20
    check(page, width)
    context.close()



PAGES = ["/theme/sunshine?list=power&org=huanxian-market", "/theme/sunshine?list=fund",
         "/theme/sunshine?list=poverty", "/theme/service?audience=personal", "/search?q=火星护照",
         "/ask", "/en/", "/dataset/?q=营业执照", "/organization/huanxian-market"]


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("display", ["", "large-contrast"])
def test_every_portal_page_passes_axe_and_fits(browser, live_url, width, display):
    context = browser.new_context(viewport={"width": width, "height": 900})
    if display:
        context.add_cookies([{"name": "qy_display", "value": display, "url": live_url}])
    page = context.new_page()
    for path in PAGES:
        response = page.goto(live_url + path, wait_until="networkidle")
        assert response.status == 200, path
        check(page, width)
    page.goto(live_url + "/theme/sunshine?list=fund", wait_until="networkidle")
    assert page.locator(".qy-chart svg").count() == 1          # ECharts drew the chart
    context.close()
