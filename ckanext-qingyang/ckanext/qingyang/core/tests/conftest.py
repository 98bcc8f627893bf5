"""The core's tests need no CKAN: the Airflow venv runs them (scripts/test.sh, suite 2)."""
import pytest


@pytest.fixture(autouse=True)
def _platform_plugins():
    """Overrides the extension's conftest.py, whose fixture of this name loads CKAN's plugins."""
