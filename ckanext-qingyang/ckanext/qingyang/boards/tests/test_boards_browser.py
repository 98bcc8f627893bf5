"""The boards in a real browser (Playwright driving Debian's chromium against the test app):
a citizen asks (the test reads the captcha's answer from the server side store, as the
site's operator could; the check itself runs as for anyone), gets a 查询码, tracks it; the
centre accepts and dispatches it, the department replies; the citizen rates the reply; the
centre publishes it and it appears in 我要看 and its feed. At 1280 and 375 px; every page
passes axe-core with no serious or critical violation and never scrolls sideways, in the
normal and the large-type high-contrast modes."""
from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET

import pytest

from ckanext.qingyang.boards import forms
from ckanext.qingyang.tests.browser import check as fits_and_passes_axe

PHONE, DESKTOP = 375, 1280
SCRIPT = "<script>window.qyPwned=1</script>"
IMG = '<img src=x onerror="window.qyPwned=1">'



def check(page, width: int) -> None:
    fits_and_passes_axe(page, width)
    assert page.evaluate("window.qyPwned") is None, page.url          # no citizen's markup ran


def staff(browser, world, role: str, width: int):
    """A member of staff, signed in by API token (CKAN identifies every request by it)."""
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  extra_http_headers={"Authorization": world.tokens[role]})
    return context, context.new_page()


def ask(page, live_url: str, width: int, word: str = "", kind: str = "consult") -> str:
    page.goto(live_url + "/ask", wait_until="networkidle")
    check(page, width)
    page.check(f"input[name=kind][value={kind}]")
    page.select_option("#f-jurisdiction", "621000")
    page.select_option("#f-organization", "housing")
    page.fill("#f-title", f"公租房怎么申请{word}{SCRIPT}")
    page.fill("#f-content", f"我想申请公租房,需要什么条件?{IMG}")
    assert re.search(r"已写 \d+ / 2000 字", page.inner_text("#counter-content"))
    page.fill("#f-name-input", "张三明")
    page.fill("#f-phone", "13812345678")
    page.check("input[name=publish_consent]")
    # first a wrong captcha: the error stands beside it, and what was typed stays
    page.fill("#f-captcha-input", "0")
    page.click("button[type=submit].qy-btn-big")
    page.wait_for_load_state("networkidle")
    assert "验证码" in page.inner_text("#err-captcha")
    assert page.input_value("#f-title") == f"公租房怎么申请{word}{SCRIPT}"
    assert page.evaluate("document.activeElement.id") == "qy-errors"
    check(page, width)
    token = page.input_value("input[name=captcha_token]")
    page.fill("#f-captcha-input", forms.captcha_answer(token))
    page.click("button[type=submit].qy-btn-big")
    page.wait_for_load_state("networkidle")
    code = page.inner_text("#qy-code").strip()
    assert re.fullmatch(r"QY\d{4}-\d{6}-[0-9A-Z]{8}", code), code
    check(page, width)
    page.click("[data-qy-copy]")
    page.wait_for_function("document.querySelector('.qy-copy-status').textContent.includes('已复制')")
    return code


# every kind once, each width twice
@pytest.mark.parametrize("kind, width", [("consult", DESKTOP), ("suggest", PHONE), ("complain", DESKTOP),
                                         ("help", PHONE)])
def test_a_citizen_asks_staff_answer_and_the_answer_is_published(browser, live_url, world, kind, width):
    # the boards' tables outlive clean_db: this test's message is told apart by a word
    word = uuid.uuid4().hex[:8]
    title = f"公租房怎么申请{word}{SCRIPT}"
    citizen = browser.new_context(viewport={"width": width, "height": 900})
    page = citizen.new_page()
    code = ask(page, live_url, width, word, kind)

    # 我要查, from the success page
    page.click("a[href*='/track?code=']")
    page.wait_for_load_state("networkidle")
    assert page.inner_text(".qy-status").strip() == "待受理"
    assert page.inner_text("#qy-message-title") == title
    check(page, width)

    # 受理: the centre accepts it and sends it to 市住建局
    ctx, centre = staff(browser, world, "centre", width)
    centre.goto(live_url + "/boards/centre", wait_until="networkidle")
    check(centre, width)
    centre.click(".qy-staff-table a")
    centre.wait_for_load_state("networkidle")
    check(centre, width)
    assert centre.input_value("#f-accept-org") == "housing"
    centre.click("#h-accept ~ form button[type=submit]")
    centre.wait_for_load_state("networkidle")
    assert "已受理" in centre.inner_text(".qy-notice")
    message_url = centre.url

    # 留言办理: the department's inbox and its reply
    hctx, dept = staff(browser, world, "housing", width)
    dept.goto(live_url + "/boards/inbox", wait_until="networkidle")
    assert "剩" in dept.inner_text(".qy-staff-table tbody tr")
    check(dept, width)
    dept.click(".qy-staff-table a")
    dept.wait_for_load_state("networkidle")
    check(dept, width)
    dept.fill("#f-reply-text", f"请带身份证到市住建局窗口申请。{IMG}")
    dept.click("#h-reply ~ form button[type=submit]")
    dept.wait_for_load_state("networkidle")
    assert "答复已提交" in dept.inner_text(".qy-notice")
    assert dept.inner_text(".qy-status").strip() == "已答复"

    # the citizen reads the reply and rates it
    page.goto(f"{live_url}/track?code={code}", wait_until="networkidle")
    assert page.inner_text(".qy-reply .qy-text") == f"请带身份证到市住建局窗口申请。{IMG}"
    check(page, width)
    page.check("input[name=rating][value=满意]")
    page.click(".qy-rate button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "谢谢您的评价" in page.inner_text(".qy-notice")
    assert page.inner_text(".qy-status").strip() == "已办结"

    # 公开审核 → 我要看 and the feed
    centre.goto(live_url + "/boards/moderation", wait_until="networkidle")
    check(centre, width)
    centre.goto(message_url, wait_until="networkidle")
    centre.click("#h-publish ~ form button[value='1']")
    centre.wait_for_load_state("networkidle")
    assert "已公开" in centre.inner_text(".qy-message-kind")

    page.goto(live_url + "/answers", wait_until="networkidle")
    check(page, width)
    answer = page.locator(".qy-answer", has_text=word)
    assert answer.locator("h3").inner_text() == title
    answer.locator("summary").click()
    assert "张*明" in answer.inner_text()
    check(page, width)
    page.fill("#f-q", word)
    page.press("#f-q", "Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator(".qy-answer").count() == 1
    feed = page.request.get(live_url + "/answers.atom")
    titles = [t.text for t in ET.fromstring(feed.body()).iter("{http://www.w3.org/2005/Atom}title")]
    assert f"[{dict(forms.KINDS)[kind]}] {title}" in titles
    for c in (citizen, ctx, hctx):
        c.close()


PUBLIC_PAGES = ["/ask", "/track", "/track?code=QY2026-000001-ABCDEFGH", "/answers", "/en/ask", "/en/answers"]
STAFF_PAGES = ["/boards/inbox", "/boards/centre", "/boards/supervise", "/boards/moderation"]


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("display", ["", "large-contrast"])
def test_every_boards_page_passes_axe_and_fits(browser, live_url, world, width, display):
    context = browser.new_context(viewport={"width": width, "height": 900})
    if display:
        context.add_cookies([{"name": "qy_display", "value": display, "url": live_url}])
    page = context.new_page()
    code = ask(page, live_url, width)
    for path in PUBLIC_PAGES + [f"/track?code={code}"]:
        response = page.goto(live_url + path, wait_until="networkidle")
        assert response.status in (200, 404), path
        check(page, width)
    ctx, centre = staff(browser, world, "centre", width)
    if display:
        ctx.add_cookies([{"name": "qy_display", "value": display, "url": live_url}])
    for path in STAFF_PAGES:
        assert centre.goto(live_url + path, wait_until="networkidle").status == 200, path
        check(centre, width)
    centre.goto(live_url + "/boards/centre", wait_until="networkidle")
    centre.click(".qy-staff-table a")
    centre.wait_for_load_state("networkidle")
    check(centre, width)
    ctx.close()
    context.close()
