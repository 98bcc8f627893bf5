import pytest


def empty_cases() -> None:
    from ckanext.qingyang.supervision.efficiency.model import TABLES
    from ckanext.qingyang.tests.db import truncate

    truncate(*TABLES, "qingyang_notice")


@pytest.fixture(scope="module")
def world():
    """Two departments with published approval and service items, their editors, the platform
    admin and the pipeline; built once per module (as the portal's world), the case tables emptied."""
    from ckanext.qingyang.supervision.efficiency.tests.world import build
    from ckanext.qingyang.tests.db import module_site

    return module_site(build, empty_cases)
