"""The 风险评估报告 pages in a real browser (Playwright driving Debian's chromium): the city's
report for the platform admin, a department's for its member, at 1280 and 375 px; no sideways
scrolling, no serious axe finding; the XLSX download is the report."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from ckanext.qingyang.boards.tests.world import ok
from ckanext.qingyang.tests.browser import check

SHOTS = Path(__file__).resolve().parents[6] / "var" / "screenshots"


SEED = {"housing": [("字段“办理地点”", "mobile", "138****5678"),
                     ("附件《受益户名单.csv》第 2 行“备注”列", "id_number", "6210**********1234")],
        "transport": [("数据表《补充数据》第 2 行“说明”列", "marker", "“机密”:本表属机密资料")]}


def _seed(app, w):
    for org, found in SEED.items():
        ok(app, w, "pipeline", "qingyang_risk_report", run_id="run-1", package_id=w.items[org]["id"],
           findings=[{"source": "fields", "where": where, "rule": rule, "masked": masked} for where, rule, masked in found],
           sources={"fields": "f1"}, today="2026-12-01")


@pytest.mark.parametrize("width", [1280, 375])
def test_risk_report_pages(app, browser, live_url, world, width):
    w = world
    _seed(app, w)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for role, path, expect, absent in (("admin", "/qingyang/risk", "全市风险评估报告", None),
                                       ("housing", "/qingyang/risk", "市住建局风险评估报告", "本表属机密资料")):
        context = browser.new_context(viewport={"width": width, "height": 900},
                                      extra_http_headers={"Authorization": w.tokens[role]})
        page = context.new_page()
        assert page.goto(live_url + path, wait_until="networkidle").status == 200
        text = page.inner_text(".qingyang-risk")
        assert expect in text and "未整改" in text and "2026-12-01" in text
        if absent:
            assert absent not in text
        check(page, width)
        page.screenshot(path=str(SHOTS / f"risk-{role}-{width}.png"), full_page=True)
        with page.expect_download() as download:
            page.click("text=下载 XLSX")
        rows = list(openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
                    .iter_rows(values_only=True))
        assert rows[0][0] == expect and len(rows) == 2 + (3 if role == "admin" else 2)
        page.click("text=市住建局示例事项")
        page.wait_for_load_state("networkidle")
        assert "/dataset/" in page.url
        context.close()
