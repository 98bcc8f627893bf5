import pytest


@pytest.fixture()
def clean_db(reset_db, migrate_db_for):
    # reset_db drops every table; the activity plugin's tables come from its
    # own migrations, so re-run them (as ckanext-activity's conftest does).
    reset_db()
    migrate_db_for("activity")


@pytest.fixture()
def sysadmin_context():
    from ckan.tests import factories

    user = factories.Sysadmin()
    return {"user": user["name"], "ignore_auth": False}
