"""qingyang_boards: the boards' escalation ladder, every morning (第十五条), with nobody to start it.

fetch_facts  the messages whose clock runs or whose answer waits for a rating (CKAN's
             qingyang_boards_facts: status, deadline, round, reply date, steps already taken)
decide       core/boards.py's escalation_steps with the working-day calendar of
             catalogs/local_closures.yaml and the rules of catalogs/boards.yaml: a reminder one
             working day before the deadline, 催办 the day after, 提请督办 to the centre at 2
             working days late, 通报 at 5, and closing an answer nobody rated for 5 working days
take_steps   CKAN's qingyang_boards_escalate takes each step once (a second run changes nothing)
             and notifies the department's or the centre's admins in the app and by mail

The DAG imports only ckanext.qingyang.core, never CKAN; it talks to CKAN through the API
(the Airflow connection qingyang_ckan, as the other DAGs).
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from airflow.sdk import dag, task

from ckanext.qingyang.core import boards, deadlines

from qingyang_pipeline.connection import ckan_call

CHINA = ZoneInfo("Asia/Shanghai")


def catalogs_dir() -> Path:
    """QINGYANG_CATALOGS_DIR, else the repository's catalogs/."""
    return Path(os.environ.get("QINGYANG_CATALOGS_DIR") or Path(__file__).resolve().parents[1] / "catalogs")


def china_day(moment: datetime | None) -> date:
    """The day in Qingyang (UTC+8) of the run; now for a manual run."""
    return (moment or datetime.now(tz=CHINA)).astimezone(CHINA).date()


def decide(facts: list[dict], today: date, catalogs: Path | None = None) -> list[dict]:
    """The steps due today, as {id, step, round} for qingyang_boards_escalate."""
    folder = catalogs or catalogs_dir()
    rules, calendar = boards.load(folder), deadlines.load(folder)
    return [{"id": f["id"], "step": step, "round": int(f.get("round") or 1)}
            for f in facts
            for step in boards.escalation_steps(rules, calendar, boards.Facts.from_dict(f), today)]


@dag(
    dag_id="qingyang_boards",
    schedule="30 23 * * *",          # 07:30 in Qingyang, before the offices open
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["qingyang", "boards"],
    doc_md=__doc__,
)
def qingyang_boards():
    @task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=True)
    def fetch_facts() -> list[dict]:
        return ckan_call()("qingyang_boards_facts", {})

    @task
    def decide_steps(facts: list[dict], logical_date: datetime | None = None) -> dict:
        today = china_day(logical_date)
        steps = decide(facts, today)
        print(f"{len(facts)} messages on the clock, {len(steps)} steps due on {today}")
        return {"today": today.isoformat(), "steps": steps}

    @task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=True)
    def take_steps(plan: dict) -> dict:
        result = ckan_call()("qingyang_boards_escalate", plan)
        print(f"taken: {result['taken']}")
        return result

    take_steps(decide_steps(fetch_facts()))


qingyang_boards()
