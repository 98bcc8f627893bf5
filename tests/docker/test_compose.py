"""docker/ is checked, never built: compose-go and BuildKit's parser load the files and
they must agree with ports.env, config/ckan.ini.template, requirements/ and solr/pom.xml."""
import shutil
from pathlib import Path

import pytest

import compose_checks as cc


def test_docker_files_agree_with_the_native_platform():
    assert cc.problems() == []


@pytest.fixture
def drifted(tmp_path):
    """A copy of docker/ to edit; the build contexts (..) still name this repository."""
    copy = tmp_path / "docker"
    shutil.copytree(cc.ROOT / "docker", copy, ignore=shutil.ignore_patterns("check"))

    def edit(name, old, new):
        f = copy / name
        text = f.read_text()
        assert old in text, f"{old!r} not in {name}"
        f.write_text(text.replace(old, new, 1))
    return copy, edit


def _problems(copy):
    # contexts resolve to the copy's parent: link the sources the Dockerfiles copy
    for name in ("requirements", "ckanext-qingyang", "setup.py", "pyproject.toml", "config",
                 "scripts", "catalogs", "solr", "dags", "expectations", "ports.env"):
        (copy.parent / name).symlink_to(cc.ROOT / name)
    return cc.problems(copy, cc.ROOT)


def test_the_copy_itself_passes(drifted):
    copy, _ = drifted
    assert _problems(copy) == []


def test_a_ckan_port_other_than_ports_env_fails(drifted):
    copy, edit = drifted
    edit("compose.yaml", 'expose: ["5000"]', 'expose: ["5001"]')
    assert "ckan: expose ['5001'] != ports.env 5000" in _problems(copy)


def test_an_airflow_version_other_than_requirements_fails(drifted):
    copy, edit = drifted
    edit("Dockerfile.airflow", "FROM apache/airflow:3.3.2-python3.11", "FROM apache/airflow:3.2.0-python3.11")
    assert "Dockerfile.airflow: final FROM apache/airflow:3.2.0-python3.11 != apache/airflow:3.3.2-python3.11" \
        in _problems(copy)


def test_a_backup_port_other_than_ports_env_fails(drifted):
    copy, edit = drifted
    edit("backup.override.yaml", '"127.0.0.1:5432:5432"', '"127.0.0.1:5433:5432"')
    assert "backup.override.yaml: postgres publishes [('127.0.0.1', '5433', '5432')], not 127.0.0.1:5432:5432" \
        in _problems(copy)


def test_a_solr_url_other_than_the_template_fails(drifted):
    copy, edit = drifted
    edit("compose.yaml", "CKAN_SOLR_URL: http://solr:8983/solr/ckan", "CKAN_SOLR_URL: http://solr:8983/solr/other")
    assert any(x.startswith("ckan: CKAN_SOLR_URL") and "/solr/other" in x for x in _problems(copy))


def test_a_missing_copy_source_fails(drifted):
    copy, edit = drifted
    edit("Dockerfile.solr", "COPY solr/src/ solr/src/", "COPY solr/source/ solr/src/")
    assert any("COPY source solr/source/ does not exist" in x for x in _problems(copy))


def test_a_copy_source_left_out_of_the_build_context_fails(drifted):
    copy, edit = drifted
    edit("Dockerfile.airflow", "COPY dags/ /opt/airflow/dags/", "COPY var/ /opt/airflow/dags/")
    (copy.parent / "var").mkdir()
    assert any("COPY source var/ is excluded by .dockerignore" in x for x in _problems(copy))


def test_a_password_written_into_compose_fails(drifted):
    copy, edit = drifted
    edit("compose.yaml", 'PGPORT: "5432"', 'PGPORT: "5432"\n      POSTGRES_PASSWORD: hunter2')
    assert "postgres: secret POSTGRES_PASSWORD written in compose.yaml (it belongs in env/*.env)" in _problems(copy)


def test_an_invalid_compose_file_is_refused_by_the_loader(drifted):
    copy, edit = drifted
    edit("compose.yaml", 'expose: ["6379"]', 'exposes: ["6379"]')
    with pytest.raises(ValueError, match="exposes"):
        _problems(copy)


def test_wal_archiving_other_than_the_native_clusters_fails(drifted):
    copy, edit = drifted
    edit("compose.yaml", "archive_timeout=300", "archive_timeout=900")
    assert "postgres: archive_timeout is '900', natively '300'" in _problems(copy)
