"""A collection run killed at any point, then run again, converges to the same catalog.

The kills are real SIGKILLs against the real test CKAN that `make test` starts:
- the gunicorn workers of the test CKAN, in the middle of an import request
  (its database transaction and Solr writes are cut short), at several points;
- the pipeline process itself, at several points.
After each kill the pipeline runs again, as Airflow's retry would. The catalog
must then hold exactly the file's items: none missing, none twice, the search
index agreeing with the database; and a further run must change nothing.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

from ckanext.qingyang.core import listdef
from test_collect import TODAY, drop, xlsx

ROWS = 400
CHUNK = 100     # rows per import request: one kill lands inside one transaction


def power_rows(n: int) -> list[dict]:
    from ckanext.qingyang.core import spreadsheets

    lt = listdef.load_type("power_item")
    out = []
    for i in range(n):
        row = spreadsheets.example_row(lt)
        row.update({"编码": f"XK-621000-{i + 1:04d}", "名称": f"测试许可事项{i + 1:05d}",
                    "最后确认日期": "2026-10-01"})
        out.append(row)
    return out


def _listening_inode(port: int) -> str:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "0A":   # LISTEN
                return parts[9]
    raise AssertionError(f"nothing listens on port {port}")


def gunicorn_workers(port: int) -> list[int]:
    """The worker processes of the server on `port`: they share its listening socket."""
    target = f"socket:[{_listening_inode(port)}]"
    holders: dict[int, int] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) == target for fd in (proc / "fd").iterdir()):
                holders[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    return [pid for pid, parent in holders.items() if parent in holders]


def wait_for_ckan(url: str, timeout: float = 90) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/api/3/action/status_show", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the test CKAN did not come back within {timeout} s")


@pytest.fixture()
def settings(tmp_path):
    from qingyang_pipeline import collect

    # one request at a time, so that a kill's place in the run is known
    return collect.Settings(tmp_path / "var", today=TODAY, chunk_rows=CHUNK, parallel_requests=1)


def run(ckan, settings, file):
    from qingyang_pipeline import collect

    return collect.process(file, ckan, settings, run_id=f"crash-{uuid.uuid4().hex[:6]}")


def assert_catalog_is_exactly(ckan, org: str, expected: list[dict]) -> None:
    lt = listdef.load_type("power_item")
    exported = ckan("qingyang_list_export", {"organization": org, "type": "power_item", "drafts": True})
    by_code = {}
    for row in exported["rows"]:
        assert row["编码"] not in by_code, f"{row['编码']} is in the catalog twice"
        by_code[row["编码"]] = row
    assert sorted(by_code) == sorted(r["编码"] for r in expected)
    for row in expected:
        item, _ = listdef.row_to_item(lt, row)
        assert listdef.item_to_row(lt, item) == by_code[row["编码"]], row["编码"]
    # the database holds the same items as the search index, each once
    names = {listdef.natural_name(lt, org, listdef.row_to_item(lt, r)[0]) for r in expected}
    shown = ckan("organization_show", {"id": org, "include_datasets": False})
    assert shown["package_count"] == len(expected)
    for name in sorted(names)[:: max(1, len(names) // 20)]:
        assert ckan("package_show", {"id": name})["list_status"] == "current"


def committed(ckan, name: str) -> bool:
    """package_show reads the database, not the search index."""
    try:
        ckan("package_show", {"id": name})
        return True
    except Exception:
        return False


@pytest.mark.parametrize("kill_when", ["early", "inside_transaction", "after_commit"])
def test_killing_ckan_inside_an_import_then_rerunning_converges(ckan, org, test_ckan, settings, kill_when):
    """The kill lands in the second import request: at its start, inside its database
    transaction, or right after its commit while its items are being indexed."""
    url = test_ckan.url
    port = urlparse(url).port
    lt = listdef.load_type("power_item")
    expected = power_rows(ROWS)
    data = xlsx("power_item", expected)
    second_chunk_name = listdef.natural_name(lt, org, listdef.row_to_item(lt, expected[CHUNK])[0])
    imports: list[float] = []
    first_took: list[float] = []
    killed = threading.Event()

    def kill(workers):
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        killed.set()

    def kill_after_commit(workers):
        deadline = time.monotonic() + 60
        while not committed(ckan, second_chunk_name) and time.monotonic() < deadline:
            time.sleep(0.02)
        kill(workers)

    def killing_call(action, data_dict):
        if action != "qingyang_list_import":
            return ckan(action, data_dict)
        imports.append(time.monotonic())
        if len(imports) == 2:   # the second request: one chunk is already in
            workers = gunicorn_workers(port)
            assert workers, "no gunicorn workers found"
            if kill_when == "after_commit":
                threading.Thread(target=kill_after_commit, args=(workers,)).start()
            else:
                delay = 0.05 if kill_when == "early" else 0.3 * first_took[0]
                threading.Timer(delay, kill, args=(workers,)).start()
        result = ckan(action, data_dict)
        if len(imports) == 1:
            first_took.append(time.monotonic() - imports[0])
        return result

    with pytest.raises(Exception):
        run(killing_call, settings, drop(settings, org, "power_item", "权力清单.xlsx", data))
    assert killed.wait(60)
    wait_for_ckan(url)
    if kill_when == "after_commit":
        # the crash left committed items that search does not know yet
        assert ckan("organization_show", {"id": org})["package_count"] < 2 * CHUNK

    again = run(ckan, settings, drop(settings, org, "power_item", "权力清单.xlsx", data))
    assert again.outcome == "accepted", again.reason_zh
    assert again.created + again.unchanged == ROWS and again.quarantined_rows == 0
    assert_catalog_is_exactly(ckan, org, expected)

    third = run(ckan, settings, drop(settings, org, "power_item", "权力清单.xlsx", data))
    assert (third.created, third.updated, third.cancelled, third.unchanged) == (0, 0, 0, ROWS)


RUNNER = """
import json, sys, uuid
from pathlib import Path
from ckanapi import RemoteCKAN
from qingyang_pipeline import collect
from qingyang_pipeline.inbox import InboxFile
args = json.loads(sys.argv[1])
remote = RemoteCKAN(args["url"], apikey=args["token"])
path = Path(args["path"])
st = path.stat()
settings = collect.Settings(Path(args["var"]), chunk_rows=args["chunk"])
collect.process(InboxFile(args["org"], "power_item", path, st.st_size, st.st_mtime),
                lambda a, d: remote.call_action(a, d), settings, run_id="killed-" + uuid.uuid4().hex[:6])
print("finished")
"""


@pytest.mark.parametrize("kill_after", [1.0, 4.0], ids=["loading", "later"])
def test_killing_the_pipeline_process_then_rerunning_converges(ckan, org, test_ckan, settings, kill_after):
    expected = power_rows(ROWS)
    file = drop(settings, org, "power_item", "权力清单.xlsx", xlsx("power_item", expected))
    args = {"url": test_ckan.url, "org": org, "path": str(file.path), "chunk": CHUNK, "token": test_ckan.token,
            "var": str(settings.var_dir)}
    dags = Path(__file__).resolve().parents[2] / "dags"
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, json.dumps(args)], stdout=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(dags)))
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=30)
    assert b"finished" not in out, "the run ended before the kill: nothing was tested"

    again = run(ckan, settings, file)
    assert again.outcome == "accepted", again.reason_zh
    assert_catalog_is_exactly(ckan, org, expected)
    third = run(ckan, settings, file)
    assert (third.created, third.updated, third.cancelled, third.unchanged) == (0, 0, 0, ROWS)
    # the archive holds the file once, whatever the kill interrupted
    stored = [p for p in (settings.var_dir / "archive" / org).rglob("*.xlsx")]
    assert len(stored) == 1
