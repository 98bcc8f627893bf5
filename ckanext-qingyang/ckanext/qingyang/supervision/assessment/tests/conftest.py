import pytest


def empty_snapshots() -> None:
    """The snapshot tables outlive CKAN's reset (they are not in its metadata) and refuse deletes."""
    from ckanext.qingyang.supervision.assessment.model import TABLES
    from ckanext.qingyang.tests.db import empty_guarded

    empty_guarded(*TABLES)


def fresh_world(*emptied):
    """Reset the database and build world.py's city; a module fixture runs before the function
    fixtures, so it loads the plugins itself (as the portal's world fixture does). `emptied`:
    more cleaners of tables that outlive the reset."""
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
        for clean in emptied:
            clean()
        return world_module.build()
    finally:
        plugins.unload_all()


@pytest.fixture(scope="module")
def world():
    """The scoreboard's small city (world.py), built once per module; the snapshots it stores
    are emptied again afterwards."""
    yield fresh_world()
    empty_snapshots()
