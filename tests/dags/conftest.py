"""Test setup for the Airflow DAGs (run with the airflow venv's pytest):

    .venv/airflow/bin/pytest tests/dags

Airflow reads its configuration when it is first imported, so everything is
set here, at import time, before any test module imports airflow. The tests
are hermetic: a throw-away AIRFLOW_HOME with its own SQLite metadata DB
(migrated once per session), never the dev database in var/airflow. Set
QINGYANG_AIRFLOW_TEST_DB_URL to use another (disposable) database instead.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DAGS_FOLDER = REPO_ROOT / "dags"

# DAG modules import like Airflow imports them (the dags folder on sys.path),
# so tests can also reach their pure functions directly.
if str(DAGS_FOLDER) not in sys.path:
    sys.path.insert(0, str(DAGS_FOLDER))

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="qingyang-airflow-test-"))

# Nothing from a developer's shell (e.g. a sourced var/airflow/airflow.env)
# may leak into the tests: drop every Airflow setting and connection first.
for _name in list(os.environ):
    if _name.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_")):
        del os.environ[_name]

os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(_AIRFLOW_HOME / "plugins"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": os.environ.get(
            "QINGYANG_AIRFLOW_TEST_DB_URL", f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}"
        ),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(_AIRFLOW_HOME / "logs"),
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH": str(_AIRFLOW_HOME / "dag_bundles"),
    }
)


def pytest_unconfigure(config):
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def dags_folder() -> Path:
    return DAGS_FOLDER


@pytest.fixture(scope="session")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER))


@pytest.fixture(scope="session")
def airflow_db():
    """A migrated metadata database for dag.test() (initdb never drops anything)."""
    from airflow.utils import db

    db.initdb()


@pytest.fixture
def ckan_connection(monkeypatch):
    """Point the `qingyang_ckan` connection at a URL for one test."""

    def _point_at(url: str) -> None:
        monkeypatch.setenv("AIRFLOW_CONN_QINGYANG_CKAN", url)

    return _point_at


@dataclass(frozen=True)
class CkanSite:
    """The test CKAN `make test` starts, and the pipeline token it issues for the run."""
    url: str
    token: str

    @property
    def connection_uri(self) -> str:
        """The `qingyang_ckan` Airflow connection for this site."""
        return self.url.replace("://", f"://pipeline:{self.token}@")


def _env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        pytest.fail(f"{name} is not set: `make test` starts a CKAN for these tests and sets it")
    return value


@pytest.fixture(scope="session")
def test_ckan() -> CkanSite:
    return CkanSite(_env("QINGYANG_TEST_CKAN_URL"), Path(_env("QINGYANG_TEST_CKAN_TOKEN_FILE")).read_text().strip())


@pytest.fixture(scope="module")
def ckan(test_ckan):
    """call(action, data) against the test CKAN, as the pipeline."""
    from ckanapi import RemoteCKAN

    remote = RemoteCKAN(test_ckan.url, apikey=test_ckan.token)
    return lambda action, data: remote.call_action(action, data)


@pytest.fixture()
def org(ckan):
    """A fresh department of its own for each test (the test CKAN keeps its data)."""
    name = f"test-dept-{uuid.uuid4().hex[:8]}"
    ckan("organization_create", {"name": name, "title": "测试局", "kind": "department",
                                 "jurisdiction_level": "city", "jurisdiction": "庆阳市",
                                 "region_code": "621000"})
    return name
