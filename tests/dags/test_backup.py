"""The nightly backup DAG for real with dag.test(): it backs up the TEST site (its ini and
databases, read-only), prunes by core/backups.py and drills a restore into scratch
databases (the retention rules themselves: core/tests/test_backups.py)."""
from __future__ import annotations

import json
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _setup(tmp_path, monkeypatch):
    key = tmp_path / "operator.key"
    key.write_text("operator passphrase\n")
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "a.xlsx").write_bytes(b"archived")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "s").write_text("x")
    backups = tmp_path / "backups"
    backups.mkdir()
    # the cluster-wide base backup (scripts/pitr.sh, tested in operations/tests/test_pitr.py)
    # would copy every database on the shared test cluster
    monkeypatch.setenv("QINGYANG_BACKUP_PITR", "off")
    for env, value in (("DIR", backups), ("KEY_FILE", key), ("INI", REPO_ROOT / "var" / "ckan" / "test.ini"),
                       ("AIRFLOW_ENV", ""), ("ARCHIVE", tmp_path / "archive"), ("SECRETS", tmp_path / "secrets")):
        monkeypatch.setenv(f"QINGYANG_BACKUP_{env}", str(value))
    return backups


def test_the_nightly_run_backs_up_prunes_and_drills_a_restore_that_matches(airflow_db, dagbag, tmp_path, monkeypatch):
    from airflow.utils.state import DagRunState

    backups = _setup(tmp_path, monkeypatch)
    old = [f"2024{m:02d}01T020000Z" for m in range(1, 13)] + ["20230101T020000Z"]
    for name in old:
        (backups / name).mkdir()

    dag_run = dagbag.dags["qingyang_backup"].test()

    assert dag_run.state == DagRunState.SUCCESS
    made = sorted(p for p in backups.iterdir() if p.is_dir() and p.name.startswith("20") and p.name not in old)
    assert len(made) == 1
    assert (made[0] / "manifest.sha256").exists() and (made[0] / "db" / "catalog.dump").exists()
    # 12 monthly slots: the new one and the 11 newest old months; 2023 and 2024-01 are gone
    assert not (backups / "20230101T020000Z").exists() and not (backups / "20240101T020000Z").exists()
    assert (backups / "20241201T020000Z").exists()
    report = json.loads((made[0] / "drill-report.json").read_text())
    assert report["drilled"] and report["matched"], report
    assert any("dataset counts per type and state equal the backup" in v for v in report["verified"])
    assert (backups / "drills.log").read_text().split() == [made[0].name]

    # the second run of the month makes a backup but no drill
    dag_run = dagbag.dags["qingyang_backup"].test()
    assert dag_run.state == DagRunState.SUCCESS
    assert len((backups / "drills.log").read_text().split()) == 1


def test_without_the_operators_key_the_run_fails(airflow_db, dagbag, tmp_path, monkeypatch):
    from airflow.utils.state import DagRunState

    backups = _setup(tmp_path, monkeypatch)
    monkeypatch.setenv("QINGYANG_BACKUP_KEY_FILE", str(tmp_path / "missing.key"))
    dag_run = dagbag.dags["qingyang_backup"].test()
    assert dag_run.state == DagRunState.FAILED
    assert list(backups.iterdir()) == []
