"""PNG screenshots of portal pages, as a desktop (1280 px) and a phone (375 px) show them.

    .venv/ckan/bin/python scripts/screenshots.py [--base URL] [--out DIR] [item names...]

It shoots the portal's pages (PORTAL_PAGES) at both widths. Without names it asks the site's API for a published approval item and a service item
(those with the most 办事指南 fields filled in). For each item it writes the guide
(`/dataset/<name>`) at both widths and the printable checklist
(`/qingyang/guide/<name>/print`) on screen and as print media, into var/screenshots/.

Playwright drives Debian's chromium (apt: chromium fonts-noto-cjk); `playwright install`
is not used: the browser it downloads cannot run here.
"""
from __future__ import annotations

import argparse
import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = {"desktop": 1280, "phone": 375}
PRINT_WIDTH = 794   # A4 at 96 dpi
GUIDE_TYPES = ("approval_item", "service_item")
# the portal's pages (stem -> path), shot at both widths before the guides
PORTAL_PAGES = {
    "home": "/",
    "home-en": "/en/",
    "search-license": "/search?q=营业执照",
    "search-dibao": "/search?q=低保",
    "search-sbk": "/search?q=sbk",
    "search-none": "/search?q=火星护照",
    "theme-sunshine-power": "/theme/sunshine?list=power&org=huanxian-market-regulation",
    "theme-sunshine-fund": "/theme/sunshine?list=fund",
    "theme-sunshine-poverty": "/theme/sunshine?list=poverty",
    "theme-approval": "/theme/approval",
    "theme-service": "/theme/service?audience=personal&topic=social_security",
    "theme-service-en": "/en/theme/service",
    "jurisdiction": "/jurisdiction",
    "catalog-search": "/dataset/?q=营业执照",
    "department": "/organization/huanxian-market-regulation",
    "login": "/user/login",
}
GUIDE_FIELDS = ("acceptance_conditions", "service_location", "service_hours", "visits_required", "online",
                "online_url", "complaint_phone", "audience", "topics", "phone", "fee_standard")


def _api(base: str, action: str, **params) -> dict:
    url = f"{base}/api/3/action/{action}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=60) as resp:
        return json.load(resp)["result"]


def pick_items(base: str) -> list[str]:
    """One published item of each guide type: the one with the most guide fields filled."""
    names = []
    for type_name in GUIDE_TYPES:
        found = _api(base, "package_search", fq=f"+dataset_type:{type_name} +publish_state:published", rows=100)
        if not found["results"]:
            print(f"no published {type_name} at {base}", file=sys.stderr)
            continue
        best = max(found["results"], key=lambda r: sum(1 for f in GUIDE_FIELDS if r.get(f) not in (None, "", [])))
        names.append(best["name"])
    return names


def shoot(base: str, names: list[str], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        # chromium refuses some ports (5061 is SIP) unless told otherwise
        port = urllib.parse.urlsplit(base).port
        allow = [f"--explicitly-allowed-ports={port}"] if port else []
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", *allow])
        try:
            for stem, path in PORTAL_PAGES.items():
                for label, width in WIDTHS.items():
                    written.append(_shot(browser, base + path, width, out / f"{stem}-{label}.png"))
            for name in names:
                pages = {f"{name}-guide": f"{base}/dataset/{name}", f"{name}-print": f"{base}/qingyang/guide/{name}/print"}
                for stem, url in pages.items():
                    for label, width in WIDTHS.items():
                        written.append(_shot(browser, url, width, out / f"{stem}-{label}.png"))
                written.append(_shot(browser, pages[f"{name}-print"], PRINT_WIDTH, out / f"{name}-print-media.png",
                                     media="print"))
        finally:
            browser.close()
    return written


def _shot(browser, url: str, width: int, path: Path, media: str = "screen") -> Path:
    page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
    try:
        page.emulate_media(media=media)
        resp = page.goto(url, wait_until="networkidle")
        if resp is None or resp.status != 200:
            raise SystemExit(f"{url}: HTTP {resp.status if resp else '?'}")
        page.screenshot(path=str(path), full_page=True)
        print(path)
        return path
    finally:
        page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="item names (default: one approval and one service item)")
    parser.add_argument("--base", default="http://127.0.0.1:5000", help="site URL (default: the platform)")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    args = parser.parse_args(argv)
    base = args.base.rstrip("/")
    names = args.names or pick_items(base)
    if not names:
        return 1
    shoot(base, names, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
