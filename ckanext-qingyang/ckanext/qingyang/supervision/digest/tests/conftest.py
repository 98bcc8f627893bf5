import pytest


@pytest.fixture(scope="module")
def world():
    """The scoreboard's small city (assessment/tests/world.py): its late list, unanswered share
    request and the rest are the open duties the digest reports."""
    from ckanext.qingyang.supervision.assessment.tests.conftest import fresh_world

    return fresh_world()
