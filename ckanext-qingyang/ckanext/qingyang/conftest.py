import pytest


@pytest.fixture(autouse=True)
def _platform_plugins(with_plugins):
    """Every test runs with the platform's plugins (ckan.plugins of test.ini)."""


@pytest.fixture()
def clean_db(with_plugins, reset_db, migrate_db_for):
    # reset_db drops every table; the activity plugin's tables come from its
    # own migrations, so re-run them (as ckanext-activity's conftest does).
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("qingyang")


@pytest.fixture()
def sysadmin():
    from ckan.tests import factories

    return factories.Sysadmin()
