import pytest


def empty_bulletins() -> None:
    """qingyang_bulletin outlives CKAN's reset and refuses deletes of issued rows."""
    from ckanext.qingyang.tests.db import empty_guarded

    empty_guarded("qingyang_bulletin")


@pytest.fixture(scope="module")
def world():
    """The scoreboard's small city (assessment/tests/world.py), built once per module."""
    from ckanext.qingyang.supervision.assessment.tests.conftest import fresh_world

    yield fresh_world(empty_bulletins)
    empty_bulletins()


@pytest.fixture()
def archive(ckan_config, monkeypatch, tmp_path):
    monkeypatch.setitem(ckan_config, "ckanext.qingyang.bulletins.archive_dir", str(tmp_path / "bulletins"))
    return tmp_path / "bulletins"
