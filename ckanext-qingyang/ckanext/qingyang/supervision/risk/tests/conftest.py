import pytest


@pytest.fixture()
def clean_risk(clean_db):
    """CKAN's reset leaves the plugin's tables alone (they are not in CKAN's metadata)."""
    import sqlalchemy as sa
    from ckan import model

    from ckanext.qingyang.supervision.risk.model import TABLES

    with model.meta.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {', '.join(TABLES)}"))


@pytest.fixture()
def world(clean_risk):
    """Two departments, the 电子政务办, the pipeline (sysadmin) and one published item each."""
    from ckan.tests import helpers

    from ckanext.qingyang.boards.tests.world import World, _member, _user
    from ckanext.qingyang.tests.factories import department, example_item, published

    w = World()
    city = department(kind="government", name="city-gov", title="庆阳市人民政府")
    parent = [{"name": city["name"], "capacity": "parent"}]
    w.orgs["egov"] = department(name="egov-office", title="市电子政务办", kind="office",
                                roles="egov_office platform_admin", groups=parent)
    w.orgs["housing"] = department(name="housing", title="市住建局", groups=parent)
    w.orgs["transport"] = department(name="transport", title="市交通局", groups=parent)
    _member(w, "admin", "egov", "editor")
    _member(w, "housing", "housing", "editor")
    _member(w, "transport", "transport", "editor")
    _user(w, "pipeline", sysadmin=True)
    items = {}
    for org in ("housing", "transport"):
        items[org] = helpers.call_action("package_create", {"ignore_auth": True, "user": w.users["pipeline"]["name"]},
                                         **example_item("service_item", owner_org=w.orgs[org]["id"],
                                                        title=f"{w.orgs[org]['title']}示例事项"))
    published(*items.values())
    w.items = items
    return w
