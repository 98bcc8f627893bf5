"""Anonymous visitors' pages come from Redis until the catalog changes (portal/cache.py)."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories, helpers

from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.factories import department


@pytest.fixture()
def service(clean_db, clean_index):
    return create(department(name="qingyang-civil-affairs", title="庆阳市民政局"), "service_item",
                  title="高龄补贴申领")


def _get(app, url, **kw):
    res = app.get(url, **kw)
    assert res.status_code == 200
    return res


def test_a_page_is_rendered_once_and_again_after_a_change(app, service):
    assert _get(app, "/search?q=高龄").headers["X-Qingyang-Cache"] == "miss"
    kept = _get(app, "/search?q=高龄")
    assert kept.headers["X-Qingyang-Cache"] == "hit" and "补贴申领" in kept.body

    create(department(name="xifeng-civil-affairs", title="西峰区民政局", jurisdiction_level="county",
                      region_code="621002", jurisdiction="西峰区"), "service_item", title="高龄津贴申领")
    fresh = _get(app, "/search?q=高龄")
    assert fresh.headers["X-Qingyang-Cache"] == "miss" and "津贴申领" in fresh.body


def test_jurisdiction_language_and_display_each_have_their_page(app, service):
    _get(app, "/theme/service")
    assert _get(app, "/theme/service").headers["X-Qingyang-Cache"] == "hit"
    assert _get(app, "/en/theme/service").headers["X-Qingyang-Cache"] == "miss"
    # the visitor's choices, set as a visitor sets them (the client keeps the cookies)
    for choose in ("/jurisdiction?code=621022&next=/", "/display?mode=large&next=/"):
        app.get(choose, follow_redirects=False)
        assert _get(app, "/theme/service").headers["X-Qingyang-Cache"] == "miss", choose
        assert _get(app, "/theme/service").headers["X-Qingyang-Cache"] == "hit", choose


def test_signed_in_users_always_get_a_fresh_page(app, service):
    user = factories.Sysadmin()
    token = factories.APIToken(user=user["name"])["token"]
    _get(app, "/theme/service")
    res = _get(app, "/theme/service", headers={"Authorization": token})
    assert "X-Qingyang-Cache" not in res.headers


@pytest.mark.ckan_config("ckanext.qingyang.settle_assets", True)
def test_settled_assets_still_serve_every_stylesheet(app):
    from ckan.lib import webassets_tools

    assert webassets_tools.env.auto_build is False
    page = _get(app, "/theme/service").body
    sheets = [part.split('"')[0] for part in page.split('href="')[1:] if ".css" in part.split('"')[0]]
    assert any("portal.css" in s for s in sheets) and any("site.css" in s for s in sheets)
    for sheet in sheets:
        assert app.get(sheet).status_code == 200, sheet


def test_a_years_fund_table_is_read_once_and_again_after_a_change(app, service):
    city = department(name="qingyang-finance", title="庆阳市财政局")
    create(city, "special_fund", title="养老服务专项资金", budget_year="2025",
           competent_department="庆阳市民政局", budget_amount="100")

    def total(url):
        return BeautifulSoup(_get(app, url).body, "html.parser").select_one(".qy-total").get_text()

    assert "100.00" in total("/theme/sunshine?list=fund&year=2025")
    # another page of the same table (English) shares the year's items
    assert "100.00" in total("/en/theme/sunshine?list=fund&year=2025")
    create(city, "special_fund", title="就业创业专项资金", budget_year="2025",
           competent_department="庆阳市人社局", budget_amount="50")
    # a page never rendered before, so only the data could be stale
    assert "150.00" in total("/theme/sunshine?year=2025&list=fund")
