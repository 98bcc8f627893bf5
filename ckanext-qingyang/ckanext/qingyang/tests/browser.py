"""What every browser test checks of a page (Playwright page objects)."""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings, one line each."""
    result = Axe().run(page)
    return [f'{v["id"]}: {v["help"]} ({len(v["nodes"])}× e.g. {v["nodes"][0]["target"]})'
            for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def check(page, width: int) -> None:
    """No sideways scrolling at this width and no serious accessibility finding."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    found = serious_violations(page)
    assert found == [], f"{page.url}: {found}"
