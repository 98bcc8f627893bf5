import pytest


def empty_snapshots() -> None:
    """The snapshot tables outlive CKAN's reset (they are not in its metadata) and refuse deletes."""
    from ckanext.qingyang.supervision.assessment.model import TABLES
    from ckanext.qingyang.tests.db import empty_guarded

    empty_guarded(*TABLES)


def fresh_world(*emptied):
    """A reset site with world.py's city, its snapshots emptied; `emptied`: more cleaners of
    tables that outlive the reset."""
    from ckanext.qingyang.supervision.assessment.tests import world as world_module
    from ckanext.qingyang.tests.db import module_site

    return module_site(world_module.build, empty_snapshots, *emptied)


@pytest.fixture(scope="module")
def world():
    """The scoreboard's small city (world.py), built once per module; the snapshots it stores
    are emptied again afterwards."""
    yield fresh_world()
    empty_snapshots()
