"""Timeliness facts, stored ratings, department pages and the 督查 page."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.qingyang.tests.factories import department, example_row, published


@pytest.fixture()
def orgs(clean_db, clean_index):
    egov = department(name="qingyang-egov-office", title="庆阳市电子政务办", roles="platform_admin")
    dept = department(name="qingyang-civil-affairs", title="庆阳市民政局")
    site = helpers.call_action("get_site_user")
    report = helpers.call_action(
        "qingyang_list_import", {"user": site["name"]}, organization=dept["name"], type="service_item",
        rows=[example_row("service_item", **{"最后确认日期": "2025-01-05"}),
              example_row("service_item", **{"事项名称": "婚姻登记", "最后确认日期": "2025-03-01"}),
              example_row("service_item", **{"事项名称": "未提交的草稿", "最后确认日期": "2026-11-01"})])
    published(*({"name": n} for n in report["names"][:2]))     # the third stays a draft: it does not count
    return egov, dept, site


def test_facts_give_count_and_newest_confirmation_per_list(orgs):
    _, dept, site = orgs
    facts = helpers.call_action("qingyang_timeliness_facts", {"user": site["name"]})
    assert facts == [{"organization": dept["name"], "type_name": "service_item", "items": 2,
                      "last_confirmed": "2025-03-01"}]


def test_ratings_show_on_the_department_page_and_late_lists_for_the_platform_admin(app, orgs):
    egov, dept, site = orgs
    rating = {"organization": dept["name"], "type_name": "service_item", "items": 2,
              "last_confirmed": "2025-03-01", "cycle_days": 180, "rating": "delinquent", "rated_on": "2026-11-28"}
    helpers.call_action("qingyang_timeliness_store", {"user": site["name"]}, ratings=[rating])
    page = app.get(f"/organization/{dept['name']}").body
    assert "严重逾期" in page and "2025-03-01" in page

    admin = factories.User()
    helpers.call_action("organization_member_create", {"ignore_auth": True}, id=egov["id"],
                        username=admin["name"], role="member")
    headers = {"Authorization": factories.APIToken(user=admin["name"])["token"]}
    board = app.get("/qingyang/supervision", headers=headers)
    assert board.status_code == 200 and "庆阳市民政局" in board.body and "严重逾期" in board.body

    other = factories.User()
    helpers.call_action("organization_member_create", {"ignore_auth": True}, id=dept["id"],
                        username=other["name"], role="admin")
    other_headers = {"Authorization": factories.APIToken(user=other["name"])["token"]}
    assert app.get("/qingyang/supervision", headers=other_headers).status_code == 403
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("qingyang_timeliness_store", {"user": other["name"], "ignore_auth": False},
                            ratings=[rating])
