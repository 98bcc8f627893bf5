"""qingyang_collect: department lists from the inbox into the catalog.

Department systems registered in catalogs/sources.yaml are pulled into the inbox
when due. Every file in ``var/inbox/<organization>/<list type>/`` becomes one mapped
task: archive → parse → check (listdef rules + the list's Great Expectations
suite) → load through CKAN's API → report. The run publishes one Asset per list
type it changed, so downstream DAGs can follow.

A refused file (bad structure, too many bad rows) is an outcome, reported to the
department; a CKAN or Solr failure fails the task, which retries with backoff.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, dag, task

from ckanext.qingyang.core.listdef import TYPE_NAMES

from qingyang_pipeline.connection import ckan_call

LIST_ASSETS = {t: Asset(f"qingyang://lists/{t}") for t in TYPE_NAMES}


def var_dir() -> Path:
    """The platform's var/ (QINGYANG_VAR_DIR, else next to dags/)."""
    return Path(os.environ.get("QINGYANG_VAR_DIR") or Path(__file__).resolve().parents[1] / "var")


def sources_file() -> Path:
    """Registered department systems (QINGYANG_SOURCES_FILE, else catalogs/sources.yaml)."""
    return Path(os.environ.get("QINGYANG_SOURCES_FILE") or Path(__file__).resolve().parents[1] / "catalogs" / "sources.yaml")


@dag(
    dag_id="qingyang_collect",
    schedule=timedelta(minutes=15),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["qingyang", "collect"],
    doc_md=__doc__,
)
def qingyang_collect():
    @task(retries=2, retry_delay=timedelta(seconds=30), retry_exponential_backoff=True)
    def pull_sources() -> list[str]:
        """Department systems (catalogs/sources.yaml) that are due land in the inbox."""
        import datetime as dt

        from qingyang_pipeline import sources

        registered = sources.load_sources(sources_file())
        for source in registered:
            for problem in source.problems():
                raise ValueError(problem)
        now = dt.datetime.now()
        state = var_dir() / "sources" / "state.json"
        return [str(sources.pull(s, var_dir() / "inbox", state, now)) for s in sources.due(registered, state, now)]

    @task
    def discover(pulled: list[str]) -> list[dict[str, Any]]:
        from qingyang_pipeline import inbox

        scan = inbox.scan_inbox(var_dir() / "inbox", TYPE_NAMES)
        for path, message in scan.problems:
            print(f"inbox problem: {path}: {message}")
        # files pulled just now were renamed into place complete: no need to wait for them to settle
        known = {str(f.path) for f in scan}
        for path in map(Path, pulled):
            if str(path) not in known:
                st = path.stat()
                scan.append(inbox.InboxFile(path.parent.parent.name, path.parent.name, path, st.st_size, st.st_mtime))
        return [{"org_name": f.org_name, "type_name": f.type_name, "path": str(f.path),
                 "size": f.size, "mtime": f.mtime} for f in scan]

    @task(retries=3, retry_delay=timedelta(seconds=15), retry_exponential_backoff=True,
          max_active_tis_per_dagrun=2, execution_timeout=timedelta(hours=1))
    def collect_file(source: dict[str, Any], run_id: str | None = None) -> dict[str, Any]:
        from qingyang_pipeline import collect, inbox

        file = inbox.InboxFile(source["org_name"], source["type_name"], Path(source["path"]),
                               source["size"], source["mtime"])
        if not file.path.exists():
            return {"line": f"{file.org_name}/{file.type_name}/{file.path.name}: already collected",
                    "outcome": "gone", "type_name": file.type_name, "changed": 0}
        settings = collect.Settings(var_dir(), reject_share=float(os.environ.get("QINGYANG_REJECT_SHARE", "0.2")))
        report = collect.process(file, ckan_call(), settings, run_id=(run_id or "manual").replace(":", "-"))
        inbox.done(file.path, report.sha256)
        print(report.line())
        return {"line": report.line(), "outcome": report.outcome, "type_name": file.type_name,
                "changed": report.changed}

    # none_failed: with no new files the mapped task is skipped, the summary still runs
    @task(outlets=list(LIST_ASSETS.values()), trigger_rule="none_failed")
    def summarize(results: list[dict[str, Any]], run_id: str | None = None) -> list[str]:
        lines = [r["line"] for r in results]
        summary = var_dir() / "reports" / (run_id or "manual").replace(":", "-") / "summary.txt"
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text("\n".join(lines) + ("\n" if lines else "no new files\n"), encoding="utf-8")
        print("\n".join(lines) or "no new files")
        return lines

    summarize(collect_file.expand(source=discover(pull_sources())))


qingyang_collect()
