"""PNG screenshots of portal pages, as a desktop (1280 px) and a phone (375 px) show them.

    .venv/ckan/bin/python scripts/screenshots.py [--base URL] [--out DIR] [item names...]

It shoots the portal's pages (PORTAL_PAGES) and the boards' public pages (BOARD_PAGES) at
both widths; with `--code` a message on /track, and with `--staff-token` (an API token of a
政务服务中心 member, e.g. from `ckan user token add`) the staff pages (STAFF_PAGES) and the
first message of the 受理 list. Without names it asks the site's API for a published approval item and a service item
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
# 我要问 / 我要查 / 我要看 (anyone)
BOARD_PAGES = {
    "ask": "/ask",
    "ask-en": "/en/ask",
    "track": "/track",
    "track-unknown": "/track?code=QY2026-000000-ABCDEFGH",
    "answers": "/answers",
    "answers-en": "/en/answers",
}
# the staff pages (signed in by --staff-token)
STAFF_PAGES = {
    "boards-inbox": "/boards/inbox",
    "boards-centre": "/boards/centre",
    "boards-supervise": "/boards/supervise",
    "boards-moderation": "/boards/moderation",
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


def shoot(base: str, names: list[str], out: Path, code: str = "", staff_token: str = "",
          portal: bool = True) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as pw:
        # chromium refuses some ports (5061 is SIP) unless told otherwise
        port = urllib.parse.urlsplit(base).port
        allow = [f"--explicitly-allowed-ports={port}"] if port else []
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", *allow])
        try:
            pages = dict(PORTAL_PAGES if portal else {}, **BOARD_PAGES)
            if code:
                pages["track-message"] = f"/track?code={code}"
            for stem, path in pages.items():
                for label, width in WIDTHS.items():
                    written.append(_shot(browser, base + path, width, out / f"{stem}-{label}.png",
                                         ok=(200, 404) if stem == "track-unknown" else (200,)))
            if staff_token:
                staff = dict(STAFF_PAGES)
                first = _first_message(browser, base, staff_token)
                if first:
                    staff["boards-message"] = first
                for stem, path in staff.items():
                    for label, width in WIDTHS.items():
                        written.append(_shot(browser, base + path, width, out / f"{stem}-{label}.png",
                                             headers={"Authorization": staff_token}))
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


def _first_message(browser, base: str, token: str) -> str | None:
    """The path of the first message on the 受理 list (the staff member's centre)."""
    page = browser.new_page(extra_http_headers={"Authorization": token})
    try:
        page.goto(base + "/boards/centre", wait_until="networkidle")
        link = page.locator(".qy-staff-table a").first
        return link.get_attribute("href") if link.count() else None
    finally:
        page.close()


def _shot(browser, url: str, width: int, path: Path, media: str = "screen", ok: tuple[int, ...] = (200,),
          headers: dict | None = None) -> Path:
    page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1,
                            extra_http_headers=headers or {})
    try:
        page.emulate_media(media=media)
        resp = page.goto(url, wait_until="networkidle")
        if resp is None or resp.status not in ok:
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
    parser.add_argument("--code", default="", help="a 查询码 to show on /track")
    parser.add_argument("--staff-token", default="", help="API token of a 政务服务中心 member (staff pages)")
    parser.add_argument("--skip-guides", action="store_true", help="only the portal's and the boards' pages")
    parser.add_argument("--boards-only", action="store_true", help="only the boards' pages")
    args = parser.parse_args(argv)
    base = args.base.rstrip("/")
    skip = args.skip_guides or args.boards_only
    names = [] if skip else (args.names or pick_items(base))
    if not names and not skip:
        return 1
    shoot(base, names, args.out, code=args.code, staff_token=args.staff_token, portal=not args.boards_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
