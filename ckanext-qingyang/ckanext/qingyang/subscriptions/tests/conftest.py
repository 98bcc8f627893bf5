import pytest

from ckanext.qingyang.tests.db import module_site, truncate


def empty() -> None:
    from ckanext.qingyang.subscriptions.model import TABLES

    truncate(*TABLES)


@pytest.fixture(scope="module")
def city():
    from ckanext.qingyang.subscriptions.tests.world import build

    return module_site(build, empty)


@pytest.fixture()
def world(city):
    """The city with nobody subscribed: each test starts from there."""
    empty()
    return city
