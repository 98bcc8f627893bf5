"""qingyang_backup: the nightly backup (第十七条 存储、管理、维护、查询和归档).

Runs scripts/backup.sh into QINGYANG_BACKUP_DIR (default var/backup), keeps 7 daily,
4 weekly and 12 monthly backups (core/backups.py), and once a month drills a restore of
the new backup into scratch databases; the drill's report (drill-report.json in the
backup folder, drills.log beside the backups, and the task's log) says whether it matched. The drill skips the Solr
rebuild: the scratch site shares the platform's Solr core and site_id.

Settings (environment): QINGYANG_BACKUP_KEY_FILE (the passphrase file; default
var/secrets/backup_passphrase, made by setup-airflow.sh: the operator keeps a copy
elsewhere), QINGYANG_BACKUP_DIR, QINGYANG_BACKUP_INI (default var/ckan/ckan.ini),
QINGYANG_BACKUP_AIRFLOW_ENV, QINGYANG_BACKUP_ARCHIVE, QINGYANG_BACKUP_SECRETS;
QINGYANG_BACKUP_PITR=off skips the nightly base backup of scripts/pitr.sh (point-in-time
recovery from the WAL archive; it keeps 2 bases and the WAL they need).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

from airflow.sdk import dag, task

from ckanext.qingyang.core.backups import drill_due, parse_stamp, to_delete

ROOT = Path(__file__).resolve().parents[1]


def _settings() -> dict[str, str]:
    var = ROOT / "var"
    s = {
        "dir": os.environ.get("QINGYANG_BACKUP_DIR", str(var / "backup")),
        "key": os.environ.get("QINGYANG_BACKUP_KEY_FILE", str(var / "secrets" / "backup_passphrase")),
        "ini": os.environ.get("QINGYANG_BACKUP_INI", str(var / "ckan" / "ckan.ini")),
        "airflow_env": os.environ.get("QINGYANG_BACKUP_AIRFLOW_ENV", str(var / "airflow" / "airflow.env")),
        "archive": os.environ.get("QINGYANG_BACKUP_ARCHIVE", str(var / "archive")),
        "secrets": os.environ.get("QINGYANG_BACKUP_SECRETS", str(var / "secrets")),
    }
    if not s["key"] or not Path(s["key"]).is_file():
        raise RuntimeError("QINGYANG_BACKUP_KEY_FILE must name the operator's passphrase file")
    return s


def _script(name: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ROOT / "scripts" / name), *args], env={**os.environ, **env},
                          capture_output=True, text=True)


def _psql_su(sql: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, capture_output=True, text=True)


def scratch_ini(ini_text: str, names: dict[str, str], storage: str) -> str:
    """The site's ini pointed at scratch databases and a scratch storage folder."""
    for key, db in names.items():
        ini_text = re.sub(rf"^({re.escape(key)} = postgresql[^\n]*/)[^/\n]+$", rf"\g<1>{db}", ini_text, flags=re.M)
    return re.sub(r"^ckan.storage_path = .*$", f"ckan.storage_path = {storage}", ini_text, flags=re.M)


@dag(
    dag_id="qingyang_backup",
    schedule="0 2 * * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["qingyang", "backup"],
    doc_md=__doc__,
)
def qingyang_backup():
    @task
    def backup() -> str:
        s = _settings()
        dest = Path(s["dir"]) / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        done = _script("backup.sh", str(dest), env={
            "QY_BACKUP_KEY_FILE": s["key"], "QY_INI": s["ini"], "QY_AIRFLOW_ENV": s["airflow_env"],
            "QY_ARCHIVE": s["archive"], "QY_SECRETS": s["secrets"]})
        print(done.stderr)
        if done.returncode != 0:
            raise RuntimeError(f"backup failed: {done.stderr.strip().splitlines()[-1:]}")
        return str(dest)

    @task
    def prune(made: str) -> list[str]:
        root = Path(made).parent
        names = [p.name for p in root.iterdir() if p.is_dir()]
        gone = [n for n in to_delete(names) if n != Path(made).name]
        for name in gone:
            shutil.rmtree(root / name)
        print(f"kept {len(names) - len(gone)} backups, deleted {gone}")
        return gone

    @task
    def drill(made: str) -> dict:
        s = _settings()
        root = Path(made).parent
        log = root / "drills.log"   # beside the backups, so pruning never forgets a drill
        drilled = log.read_text().split() if log.exists() else []
        if not drill_due(drilled, datetime.now(timezone.utc)):
            return {"backup": made, "drilled": False}
        tag = uuid.uuid4().hex[:8]
        names = {"sqlalchemy.url": f"qingyang_drill_catalog_{tag}",
                 "ckan.datastore.write_url": f"qingyang_drill_datastore_{tag}"}
        work = Path(tempfile.mkdtemp(prefix="qingyang-drill-"))
        try:
            for db in names.values():
                _psql_su(f"create database {db} owner ckan_default encoding 'UTF8' template template0")
            ini = work / "drill.ini"
            ini.write_text(scratch_ini(Path(s["ini"]).read_text(), names, str(work / "storage")))
            done = _script("restore.sh", made, env={
                "QY_BACKUP_KEY_FILE": s["key"], "QY_INI": str(ini), "QY_AIRFLOW_ENV": "",
                "QY_ARCHIVE": str(work / "archive"), "QY_SECRETS": str(work / "secrets"),
                "QY_CONFIG_OUT": str(work / "config"), "QY_NO_SOLR": "1"})
        finally:
            for db in names.values():
                _psql_su(f"drop database if exists {db} with (force)")
            shutil.rmtree(work, ignore_errors=True)
        report = {"backup": made, "drilled": True, "matched": done.returncode == 0,
                  "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "verified": [line.strip() for line in done.stdout.splitlines() if line.strip().startswith("ok")],
                  "errors": [line for line in done.stderr.splitlines() if "ERROR" in line]}
        (Path(made) / "drill-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
        with log.open("a") as f:
            f.write(Path(made).name + "\n")
        print(("restore drill MATCHED: " if report["matched"] else "restore drill DID NOT MATCH: ")
              + json.dumps(report, ensure_ascii=False))
        if not report["matched"]:
            raise RuntimeError(f"the restore drill of {made} did not match: {report['errors']}")
        return report

    @task
    def pitr_base() -> str:
        # a base backup for point-in-time recovery; it also prunes the WAL archive
        if os.environ.get("QINGYANG_BACKUP_PITR", "on") == "off":
            return "skipped (QINGYANG_BACKUP_PITR=off)"
        done = _script("pitr.sh", "base", env={})
        print(done.stderr)
        if done.returncode != 0:
            raise RuntimeError(f"pitr base backup failed: {done.stderr.strip().splitlines()[-1:]}")
        return done.stdout.strip()

    made = backup()
    prune(made)
    drill(made)
    pitr_base()


qingyang_backup()
