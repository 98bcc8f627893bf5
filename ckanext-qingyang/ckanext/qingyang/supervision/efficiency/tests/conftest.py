import pytest


@pytest.fixture(scope="module")
def world():
    """Two departments with published approval and service items, their editors, the platform
    admin and the pipeline; built once per module (as the portal's world), the case tables emptied."""
    import ckan.plugins as plugins
    import sqlalchemy as sa
    from ckan import model
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import helpers

    from ckanext.qingyang.supervision.efficiency.model import TABLES
    from ckanext.qingyang.supervision.efficiency.tests.world import build

    plugins.load_all()
    try:
        helpers.reset_db()
        _run_migrations("activity")
        _run_migrations("qingyang")
        search.clear_all()
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {', '.join(TABLES)}, qingyang_notice"))
        return build()
    finally:
        plugins.unload_all()
