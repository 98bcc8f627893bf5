import pytest

from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.db import module_site
from ckanext.qingyang.tests.factories import department


@pytest.fixture()
def city_dept(clean_db, clean_index):
    return department(name="qingyang-natural-resources", title="庆阳市自然资源局")


@pytest.fixture()
def approval(city_dept):
    return create(city_dept)


@pytest.fixture(scope="module")
def world():
    """The portal's small city (world.py), built once for a module whose tests only read."""
    from ckanext.qingyang.portal.tests import world as world_module

    return module_site(world_module.build)
