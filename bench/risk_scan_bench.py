"""How long the weekly risk scan takes on a catalog, first run and second (incremental) run.

Runs the DAG's own steps (dags/qingyang_pipeline/risk_scan.py) in this process, against a
CKAN given by URL and the pipeline's token, and posts the results like the DAG does; so run
it against a site whose findings may change (the test site with the demo catalog loaded:
`ckan -c $QY_TEST_INI qingyang demo`). Run with the Airflow venv's Python (ckanapi, core):

    .venv/airflow/bin/python bench/risk_scan_bench.py http://127.0.0.1:$QY_TEST_PORT var/secrets/ckan_test_pipeline_token
"""
from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dags"))

from ckanapi import NotFound, RemoteCKAN  # noqa: E402

from qingyang_pipeline import risk_scan  # noqa: E402


def one_run(url: str, token: str) -> dict:
    remote = RemoteCKAN(url, apikey=token)
    call = lambda action, data: remote.call_action(action, data)  # noqa: E731
    started = time.monotonic()
    items = risk_scan.list_published(call)
    steps = risk_scan.plan(items, call("qingyang_risk_sources", {}))
    run_id, out = f"bench-{uuid.uuid4().hex[:8]}", {"items": len(steps), "read": 0, "unchanged": 0, "findings": 0}
    for step in steps:
        try:
            result = risk_scan.scan_item(step, call, url, token)
            call("qingyang_risk_report", {"run_id": run_id, **{k: result[k] for k in
                                                               ("package_id", "sources", "unchanged", "findings")}})
        except NotFound:   # gone since the search (a test site's index keeps deleted items)
            out["gone"] = out.get("gone", 0) + 1
            continue
        out["read"] += len(result["sources"]) - len(result["unchanged"])
        out["unchanged"] += len(result["unchanged"])
        out["findings"] += len(result["findings"])
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


if __name__ == "__main__":
    url, token_file = sys.argv[1], sys.argv[2]
    token = Path(token_file).read_text().strip()
    for label in ("first", "second"):
        print(label, one_run(url, token), flush=True)
