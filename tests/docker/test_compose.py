"""docker/ is never built here (no Docker engine), but Docker's own parsers read it on every
`make test`, and it must agree with what runs natively, so the two cannot drift apart."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import checks  # beside this file (pytest puts its folder on sys.path)

ROOT = checks.ROOT


def test_the_production_files_agree_with_the_native_install():
    assert checks.problems(ROOT / "docker") == []


@pytest.fixture()
def copy(tmp_path):
    """docker/ copied beside links to the rest of the checkout (the build context)."""
    shutil.copytree(ROOT / "docker", tmp_path / "docker", ignore=shutil.ignore_patterns("env", "tls"))
    for entry in ROOT.iterdir():
        if entry.name not in ("docker", ".git", ".venv", "var"):
            (tmp_path / entry.name).symlink_to(entry)
    return tmp_path / "docker"


def _edit(path: Path, old: str, new: str):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("file, old, new, named", [
    ("compose.yaml", "http://solr:8983/solr/ckan", "http://solr:8984/solr/ckan",
     "CKAN_SOLR_URL: solr:8984 instead of solr:8983"),
    ("compose.yaml", "image: postgres:15", "image: postgres:16", "postgres image postgres:16 instead of postgres:15"),
    ("compose.yaml", "activity datastore dcat", "activity datastore", "CKAN__PLUGINS"),
    ("compose.yaml", "archive_timeout=300", "archive_timeout=900", "postgres archive_timeout is '900', natively '300'"),
    ("compose.yaml", "expose: [\"5000\"]", "expose: [\"5001\"]", "ckan does not expose CKAN_PORT 5000"),
    ("Dockerfile.solr", "FROM solr:9.10.1", "FROM solr:9.9.0", "builds on solr:9.9.0 instead of solr:9.10.1"),
    ("Dockerfile.ckan", "COPY catalogs/ catalogs/", "COPY catalogues/ catalogs/", "copies catalogues/, which does not exist"),
    ("Dockerfile.airflow", "-c /opt/qingyang/requirements/airflow-constraints.txt", "",
     "installs without the constraints"),
    ("env.example/ckan.env", "@postgres:5432/ckan_default", "@postgres:5432/ckan", "databases"),
    ("nginx/qingyang.conf", "http://ckan:5000", "http://ckan:8000", "nginx does not proxy to ckan:5000"),
])
def test_a_drifted_copy_is_named(copy, file, old, new, named):
    _edit(copy / file, old, new)
    found = checks.problems(copy)
    assert any(named in p for p in found), found


def test_a_compose_file_docker_would_refuse_is_refused_with_the_parsers_reason(copy):
    _edit(copy / "compose.yaml", "  redis:\n    image: redis:7", "  redis:\n    image: redis:7\n    restart: sometimes")
    with pytest.raises(ValueError, match="restart"):
        checks.problems(copy)


def test_the_example_env_files_hold_no_secret():
    for env in (ROOT / "docker" / "env.example").iterdir():
        for line in env.read_text().splitlines():
            key = line.split("=", 1)[0]
            if any(w in key for w in ("PASSWORD", "SECRET", "KEY", "TOKEN")) and not key.endswith("_FILE"):
                assert "CHANGE-ME" in line, f"{env.name}: {key} looks like a real secret"
    assert "env/" in (ROOT / ".gitignore").read_text()
