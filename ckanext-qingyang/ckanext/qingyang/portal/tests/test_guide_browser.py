"""The 办事指南 in a real browser: Playwright drives Debian's chromium against the test
CKAN app, served over HTTP from a thread (the CKAN suite has no live server of its own).

On a 375 px phone the page does not scroll sideways, the summary box stacks, the guide's
text is at least 17px and its buttons, phone links and checklist rows are at least 44px
tall; printed, the checklist page shows no buttons. `make test` installs chromium and
fonts-noto-cjk (scripts/install-system.sh)."""
from __future__ import annotations



def test_guide_reads_well_on_a_phone(browser, live_url, approval):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live_url}/dataset/{approval['name']}", wait_until="networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.qy-guide')).fontSize)") >= 17
    small_text = page.evaluate("""() => [...document.querySelectorAll('.qy-guide *')]
        .filter(e => e.childElementCount === 0 && e.textContent.trim() && parseFloat(getComputedStyle(e).fontSize) < 17)
        .map(e => e.textContent.trim())""")
    assert small_text == []
    short_targets = page.evaluate("""() => [...document.querySelectorAll(
        '.qy-guide .qy-button, .qy-guide a[href^="tel:"], .qy-checklist label')]
        .filter(e => e.getBoundingClientRect().height < 44).map(e => e.textContent.trim())""")
    assert short_targets == []
    lefts = page.evaluate("() => [...document.querySelectorAll('.qy-summary > .qy-fact')].map(e => e.getBoundingClientRect().left)")
    assert len(lefts) >= 3 and len(set(lefts)) == 1      # stacked, one column
    assert page.locator('a[href^="tel:"]').count() == 2


def test_checklist_prints_without_buttons(browser, live_url, approval):
    page = browser.new_page(viewport={"width": 794, "height": 1123})
    page.emulate_media(media="print")
    page.goto(f"{live_url}/qingyang/guide/{approval['name']}/print", wait_until="networkidle")
    assert page.locator(".qy-checklist input[type=checkbox]").count() == 3
    assert not page.locator(".qy-print-actions").is_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
