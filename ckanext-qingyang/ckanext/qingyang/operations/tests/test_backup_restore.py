"""make backup / make restore against the test site, restored into scratch databases."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from ckan.tests import helpers

from ckanext.qingyang.tests.factories import department, example_item

ROOT = Path(__file__).resolve().parents[5]


def _psql_su(sql: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, capture_output=True)


@pytest.fixture()
def scratch(tmp_path, ckan_config):
    """Empty scratch databases and an ini naming them (the test site is the source)."""
    suffix = ckan_config["ckan.site_id"].rsplit("_", 1)[-1]
    names = [f"ckan_scratch_{suffix}", f"datastore_scratch_{suffix}"]
    for db in names:
        _psql_su(f"drop database if exists {db}")
        _psql_su(f"create database {db} owner ckan_default encoding 'UTF8' template template0")
    ini = Path(ckan_config["__file__"]).read_text()
    src_catalog = ckan_config["sqlalchemy.url"].rsplit("/", 1)[1]
    src_datastore = ckan_config["ckan.datastore.write_url"].rsplit("/", 1)[1]
    ini = ini.replace(f"/{src_catalog}\n", f"/{names[0]}\n").replace(f"/{src_datastore}\n", f"/{names[1]}\n")
    ini = ini.replace(f"ckan.storage_path = {ckan_config['ckan.storage_path']}",
                      f"ckan.storage_path = {tmp_path / 'restored-storage'}")
    target = tmp_path / "scratch.ini"
    target.write_text(ini)
    yield target
    for db in names:
        _psql_su(f"drop database if exists {db} with (force)")


def _run(script, *args, env):
    return subprocess.run(["bash", str(ROOT / "scripts" / script), *args], env={**os.environ, **env},
                          capture_output=True, text=True)


@pytest.mark.usefixtures("clean_db")
def test_a_backup_restores_into_empty_databases_and_says_what_it_verified(tmp_path, ckan_config, scratch):
    dept = department()
    user = helpers.call_action("get_site_user")
    for code in ("0201", "0202"):
        helpers.call_action("package_create", {"user": user["name"]},
                            **example_item("power_item", owner_org=dept["id"], name=f"backup-item-{code}",
                                           code=f"XK-621000-{code}"))
    archive = tmp_path / "archive" / "2026" / "12"
    archive.mkdir(parents=True)
    (archive / "list.xlsx").write_bytes(b"archived bytes")
    key = tmp_path / "operator.key"
    key.write_text("operator passphrase\n")
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "pg_ckan_password").write_text("s3cret-value")
    env = {"QY_BACKUP_KEY_FILE": str(key), "QY_AIRFLOW_ENV": ""}
    dest = tmp_path / "backup"
    made = _run("backup.sh", str(dest), env={**env, "QY_INI": ckan_config["__file__"],
                                             "QY_ARCHIVE": str(tmp_path / "archive"), "QY_SECRETS": str(secrets)})
    assert made.returncode == 0, made.stderr
    # the secrets and the ini's passwords leave the machine only encrypted
    blob = b"".join(p.read_bytes() for p in dest.rglob("*") if p.is_file())
    assert b"s3cret-value" not in blob
    assert ckan_config["sqlalchemy.url"].split("@")[0].encode() not in blob
    assert "power_item\tactive\t2" in (dest / "counts.tsv").read_text()

    restore_env = {**env, "QY_INI": str(scratch), "QY_ARCHIVE": str(tmp_path / "restored-archive"),
                   "QY_SECRETS": str(tmp_path / "restored-secrets"), "QY_CONFIG_OUT": str(tmp_path / "cfg")}
    done = _run("restore.sh", str(dest), env=restore_env)
    assert done.returncode == 0, done.stderr
    assert "dataset counts per type and state equal the backup: 2 datasets" in done.stdout
    assert "package_show of 2 sampled items equals the backup's, field by field" in done.stdout
    assert "qingyang_audit_verify: the access log's hash chain is intact" in done.stdout
    assert "search answers for every one of the 2 active items" in done.stdout
    assert "archive: 1 files restored" in done.stdout
    assert (tmp_path / "restored-archive" / "2026" / "12" / "list.xlsx").read_bytes() == b"archived bytes"
    assert (tmp_path / "restored-secrets" / "pg_ckan_password").read_text() == "s3cret-value"
    assert (tmp_path / "cfg" / "ckan.ini").read_text() == Path(ckan_config["__file__"]).read_text()

    # an item that differs from the backup is named, with its field
    scratch_url = next(line.split(" = ", 1)[1] for line in scratch.read_text().splitlines()
                       if line.startswith("sqlalchemy.url = "))
    subprocess.run(["psql", scratch_url.replace("postgresql+psycopg2", "postgresql").replace("postgresql+psycopg", "postgresql"),
                    "-qc", "update package set title = 'changed' where id = (select min(id) from package)"], check=True)
    differs = subprocess.run([str(ROOT / ".venv" / "ckan" / "bin" / "ckan"), "-c", str(scratch), "qingyang",
                              "restore-verify", "--no-search", str(dest / "sample.json")],
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "ckanext-qingyang")})
    assert differs.returncode != 0, differs.stdout + differs.stderr[-2000:]
    assert "differs after the restore in fields: title" in differs.stderr
    assert "字段: title" in differs.stderr

    # a second restore over the now non-empty databases is refused
    again = _run("restore.sh", str(dest), env=restore_env)
    assert again.returncode != 0
    assert "not empty" in again.stderr and "--force" in again.stderr

    # a damaged backup is refused, naming the file
    dump = dest / "db" / "catalog.dump"
    dump.write_bytes(dump.read_bytes()[:-10])
    broken = _run("restore.sh", str(dest), "--force", env=restore_env)
    assert broken.returncode != 0
    assert "db/catalog.dump: FAILED" in broken.stdout + broken.stderr


def test_a_backup_without_the_operators_key_is_refused(tmp_path, ckan_config):
    made = _run("backup.sh", str(tmp_path / "b"), env={"QY_INI": ckan_config["__file__"], "QY_BACKUP_KEY_FILE": ""})
    assert made.returncode != 0
    assert "QY_BACKUP_KEY_FILE" in made.stderr
    assert not (tmp_path / "b").exists()
