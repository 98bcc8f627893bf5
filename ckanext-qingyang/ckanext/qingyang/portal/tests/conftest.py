import pytest

from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.factories import department


@pytest.fixture()
def city_dept(clean_db, clean_index):
    return department(name="qingyang-natural-resources", title="庆阳市自然资源局")


@pytest.fixture()
def approval(city_dept):
    return create(city_dept)


@pytest.fixture(scope="module")
def world():
    """The portal's small city (world.py), built once for a module whose tests only read.

    A module fixture runs before the function fixtures, so it loads the plugins and
    resets the database itself (as clean_db does); each test's with_plugins reloads them.
    """
    import ckan.plugins as plugins
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import helpers

    from ckanext.qingyang.portal.tests import world as world_module

    plugins.load_all()
    try:
        helpers.reset_db()
        _run_migrations("activity")
        _run_migrations("qingyang")
        search.clear_all()
        return world_module.build()
    finally:
        plugins.unload_all()
