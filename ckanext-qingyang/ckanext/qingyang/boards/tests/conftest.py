import pytest

from ckanext.qingyang.boards.tests.web import HUANXIAN
from ckanext.qingyang.tests.db import module_site, truncate


@pytest.fixture(autouse=True)
def _fresh_limits(no_limits_yet):
    """Every boards test starts with no limit used (the fixture is the package root's)."""


def empty_boards() -> None:
    """The boards' tables and the notices outlive CKAN's reset (they are not in its metadata)."""
    from ckanext.qingyang.boards.model import TABLES

    truncate(*TABLES, "qingyang_notice")


@pytest.fixture(scope="module")
def city():
    """world.py's small city, built once per module: its organizations and users only change
    by what a test adds."""
    from ckanext.qingyang.boards.tests.world import build_world

    return module_site(build_world, empty_boards)


@pytest.fixture()
def world(city, no_limits_yet):
    """The city with no messages, notices or used limits: each test starts from there."""
    empty_boards()
    return city


def _huan() -> dict:
    from ckanext.qingyang.tests.factories import department

    return {
        "city_centre": department(name="qingyang-service-center", title="庆阳市政务服务中心",
                                  roles="service_center"),
        "centre": department(name="huanxian-service-center", title="环县政务服务中心",
                             jurisdiction="环县", jurisdiction_level="county", region_code=HUANXIAN,
                             roles="service_center"),
        "dept": department(name="huanxian-hrss", title="环县人力资源和社会保障局", jurisdiction="环县",
                           jurisdiction_level="county", region_code=HUANXIAN),
    }


@pytest.fixture(scope="module")
def huan_site():
    return module_site(_huan, empty_boards)


@pytest.fixture()
def huan(huan_site, no_limits_yet):
    """环县's 政务服务中心 and its 人社局, and the city's centre (built once per module)."""
    return huan_site
