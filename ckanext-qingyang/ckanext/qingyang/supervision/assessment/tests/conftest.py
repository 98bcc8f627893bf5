import pytest


def empty_snapshots() -> None:
    """The snapshot tables outlive CKAN's reset (they are not in its metadata) and refuse
    deletes: empty them as their owner (the test database only)."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.qingyang.supervision.assessment.model import TABLES

    with model.meta.engine.begin() as conn:
        for t in TABLES:
            conn.execute(sa.text(f"ALTER TABLE {t} DISABLE TRIGGER USER"))
            conn.execute(sa.text(f"DELETE FROM {t}"))
            conn.execute(sa.text(f"ALTER TABLE {t} ENABLE TRIGGER USER"))


@pytest.fixture(scope="module")
def world():
    """The scoreboard's small city (world.py), built once per module; the snapshot test's
    month is emptied again afterwards."""
    import ckan.plugins as plugins
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import helpers

    from ckanext.qingyang.supervision.assessment.tests import world as world_module

    plugins.load_all()
    try:
        helpers.reset_db()
        _run_migrations("activity")
        _run_migrations("qingyang")
        search.clear_all()
        empty_snapshots()
        built = world_module.build()
    finally:
        plugins.unload_all()
    yield built
    empty_snapshots()
