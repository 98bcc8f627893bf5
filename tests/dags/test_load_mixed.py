"""bench/load_mixed.py keeps working: a few seconds of it against the test CKAN.

The figures are the bench's business; here only that it runs end to end (readers, an
import writer, a review writer through submit and approve/return) and finds nothing lost.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLACE = {"jurisdiction_level": "city", "jurisdiction": "庆阳市", "region_code": "621000"}


def test_a_short_mixed_load_passes_its_own_checks(ckan, test_ckan, tmp_path):
    tag = uuid.uuid4().hex[:8]
    gov, office, dept = f"lm-gov-{tag}", f"lm-centre-{tag}", f"lm-dept-{tag}"
    ckan("organization_create", dict(PLACE, name=gov, title="压测市政府", kind="government"))
    parent = [{"name": gov, "capacity": "parent"}]
    ckan("organization_create", dict(PLACE, name=office, title="压测政务服务中心", kind="office",
                                     roles="service_center", groups=parent))
    ckan("organization_create", dict(PLACE, name=dept, title="压测局", kind="department", groups=parent))
    ini = Path(os.environ.get("QINGYANG_TEST_CKAN_INI") or ROOT / "var/ckan/test.ini")
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench/load_mixed.py"), "--base", test_ckan.url, "--ini", str(ini),
         "--admin-token-file", os.environ["QINGYANG_TEST_CKAN_TOKEN_FILE"], "--org", dept, "--office", office,
         "--seconds", "4", "--readers", "2", "--import-pool", "4", "--review-pool", "2", "--rows", "2",
         "--out", str(tmp_path)], capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    report = json.loads(next(tmp_path.glob("load-mixed-*.json")).read_text("utf-8"))
    assert report["passed"] and report["5xx"] == 0 and not report["writes"]["problems"]
    assert report["writes"]["imports_acknowledged"] > 0 and report["writes"]["reviews_acknowledged"] > 0
    assert {"page home", "api package_show", "write import", "write review"} <= set(report["per_kind"])
