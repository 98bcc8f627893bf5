import pytest


@pytest.fixture(autouse=True)
def _fresh_limits():
    """The rate limits live in Redis across runs: each test starts with none used."""
    from ckan.lib.redis import connect_to_redis

    redis = connect_to_redis()
    for key in redis.scan_iter("*qingyang-boards*"):
        redis.delete(key)
    yield


@pytest.fixture()
def clean_boards(clean_db):
    """CKAN's reset leaves the plugin's tables alone (they are not in CKAN's metadata): empty
    the boards' ones, their append-only guards lifted for the moment (the test database only)."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.qingyang.boards.model import TABLES

    with model.meta.engine.begin() as conn:
        for t in TABLES:
            conn.execute(sa.text(f"ALTER TABLE {t} DISABLE TRIGGER USER"))
        conn.execute(sa.text(f"TRUNCATE {', '.join(TABLES)}"))
        for t in TABLES:
            conn.execute(sa.text(f"ALTER TABLE {t} ENABLE TRIGGER USER"))


@pytest.fixture()
def world(clean_boards):
    from ckanext.qingyang.boards.tests.world import build_world

    return build_world()
