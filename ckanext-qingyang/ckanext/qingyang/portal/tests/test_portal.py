"""The portal as a citizen and an app meet it: one result per item, the jurisdiction
choice, everyday words and pinyin, suggestions, and the three themes."""
from __future__ import annotations

import urllib.parse

import pytest
from bs4 import BeautifulSoup
from ckan.tests import helpers

from ckanext.qingyang.portal.tests.world import HUANCHENG, HUANXIAN, XIFENG

pytestmark = pytest.mark.usefixtures("world")


def portal_search(**params):
    return helpers.call_action("qingyang_portal_search", {"ignore_auth": False, "user": ""}, **params)


def _soup(app, url: str, status: int = 200, **kw) -> BeautifulSoup:
    res = app.get(url, **kw)
    assert res.status_code == status, (url, res.status_code)
    return BeautifulSoup(res.body, "html.parser")


def _text(node) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def test_one_result_per_item_with_its_jurisdictions_as_chips():
    found = portal_search(q="营业执照")
    assert found["count"] == 1
    group = found["groups"][0]
    assert group["title"] == "营业执照补领换领" and group["type"] == "service_item"
    assert group["type_label"] == "便民服务事项"
    assert [i["jurisdiction"] for i in group["items"]] == ["市本级", "西峰区", "环县"]
    assert {i["department"] for i in group["items"]} == {
        "庆阳市市场监督管理局", "西峰区市场监督管理局", "环县市场监督管理局"}
    assert "<mark>营业执照</mark>" in group["highlight"]


def test_a_county_sees_its_own_and_its_townships_items():
    found = portal_search(q="营业执照", jurisdiction=HUANXIAN)
    assert [i["jurisdiction"] for g in found["groups"] for i in g["items"]] == ["环县"]
    titles = {g["title"] for g in portal_search(jurisdiction=HUANXIAN, type="service")["groups"]}
    assert titles == {"营业执照补领换领", "最低生活保障申请受理", "社会保障卡申领"}


def test_a_township_sees_its_countys_items_too():
    found = portal_search(jurisdiction=HUANCHENG, type="service")
    places = {g["title"]: [i["jurisdiction"] for i in g["items"]] for g in found["groups"]}
    assert places == {"营业执照补领换领": ["环县"], "最低生活保障申请受理": ["环县环城镇"],
                      "社会保障卡申领": ["环县"]}


def test_everyday_words_find_the_formal_name():
    assert [g["title"] for g in portal_search(q="低保")["groups"]] == ["最低生活保障申请受理"]
    assert [g["title"] for g in portal_search(q="社保卡")["groups"]] == ["社会保障卡申领"]
    # run together with the title's own words
    assert [g["title"] for g in portal_search(q="社保卡申领")["groups"]] == ["社会保障卡申领"]


@pytest.mark.parametrize("typed", ["sbk", "shebaoka", "SBK", "shehuibaozhangka"])
def test_pinyin_and_initials_find_the_chinese_title(typed):
    assert [g["title"] for g in portal_search(q=typed)["groups"]] == ["社会保障卡申领"]


def test_package_search_answers_agencies_with_the_same_words():
    """Synonyms and pinyin are index fields, so the plain API gets them too."""
    for q, titles in (("低保", ["最低生活保障申请受理"]), ("sbk", ["社会保障卡申领"] * 2)):
        found = helpers.call_action("package_search", q=q)
        assert [r["title"] for r in found["results"]] == titles, q


def test_bad_parameters_name_the_field():
    from ckan.plugins.toolkit import ValidationError

    for params, field in (({"jurisdiction": "999999"}, "jurisdiction"), ({"rows": 500}, "rows"),
                          ({"type": "nonsense"}, "type"), ({"q": "办" * 201}, "q")):
        with pytest.raises(ValidationError) as err:
            portal_search(**params)
        assert field in err.value.error_dict


def test_suggestions_offer_the_formal_name_and_item_names():
    suggested = helpers.call_action("qingyang_portal_suggest", q="低保")
    assert {"text": "最低生活保障", "everyday": "低保", "kind": "synonym"} in suggested
    assert "社会保障卡申领" in [s["text"] for s in helpers.call_action("qingyang_portal_suggest", q="sbk")]
    assert helpers.call_action("qingyang_portal_suggest", q="") == []


def test_search_page_shows_one_card_per_item(app):
    page = _soup(app, "/search?q=营业执照")
    cards = page.select(".qy-result")
    assert len(cards) == 1
    assert [_text(c) for c in cards[0].select(".qy-chip")] == ["市本级", "西峰区", "环县"]
    assert cards[0].select_one("mark").get_text() == "营业执照"
    assert "datasets found" not in page.get_text() and "There is no description" not in page.get_text()


def test_search_page_says_what_it_found_nothing_for(app):
    page = _soup(app, "/search?q=火星护照")
    assert "没有找到与“火星护照”有关的事项" in _text(page)


def test_jurisdiction_choice_persists_and_filters(app):
    res = app.get(f"/jurisdiction?code={HUANXIAN}&next=/search%3Fq%3D营业执照", follow_redirects=False)
    assert res.status_code == 302
    assert urllib.parse.unquote(res.headers["Location"]).endswith("/search?q=营业执照")
    assert f"qy_jurisdiction={HUANXIAN}" in res.headers["Set-Cookie"]
    page = _soup(app, "/search?q=营业执照")          # the client keeps the cookie, as a browser does
    assert [_text(c) for c in page.select(".qy-result .qy-result-where")] == ["环县 · 环县市场监督管理局"]
    assert "环县" in _text(page.select_one(".qy-switcher"))


def test_chooser_lists_counties_with_townships_and_refuses_other_sites(app):
    page = _soup(app, "/jurisdiction")
    counties = [_text(h) for h in page.select(".qy-county h2")]
    assert len(counties) == 8 and counties[0] == "西峰区"
    assert "环城镇" in _text(page)
    res = app.get("/jurisdiction?code=&next=//evil.example/x", follow_redirects=False)
    assert res.headers["Location"].endswith("/") and "evil" not in res.headers["Location"]
    assert app.get("/jurisdiction?code=123").status_code == 400


def test_home_page_is_the_portal(app):
    page = _soup(app, "/")
    text = _text(page)
    assert "网上政务超市" in text and "CKAN" not in text and "欢迎" not in text
    themes = [_text(t.select_one(".qy-theme-name")) for t in page.select(".qy-theme")]
    assert themes == ["阳光政务", "行政审批", "便民服务"]
    counts = {_text(t.select_one(".qy-theme-name")): _text(t.select_one(".qy-theme-count"))
              for t in page.select(".qy-theme")}
    assert counts == {"阳光政务": "6 项", "行政审批": "1 项", "便民服务": "6 项"}
    hot = [_text(a) for a in page.select(".qy-hot li > a")]
    assert hot == ["社会保障卡申领", "最低生活保障申请受理", "营业执照补领换领", "食品经营许可"]
    boards = {_text(a.select_one(".qy-theme-name")): a["href"] for a in page.select(".qy-boards a")}
    assert {k: boards[k] for k in ("我要问", "我要查", "我要看")} == {
        "我要问": "/ask", "我要查": "/track", "我要看": "/answers"}
    assert page.select_one("form.qy-searchbox input[list]") is not None


def test_service_theme_browses_by_topic_and_department(app):
    page = _soup(app, "/theme/service")
    topics = {_text(a.contents[0] if a.contents else a): a for a in page.select(".qy-topic")}
    assert any("社会保障" in t for t in topics)
    cards = [_text(c.select_one(".qy-result-title")) for c in page.select(".qy-result")]
    assert cards == ["最低生活保障申请受理", "社会保障卡申领", "营业执照补领换领"]
    legal = _soup(app, "/theme/approval?audience=legal_person&topic=operating_permits")
    assert [_text(c.select_one(".qy-result-title")) for c in legal.select(".qy-result")] == ["食品经营许可"]


def test_department_choice_narrows_a_theme(app):
    page = _soup(app, "/theme/service")
    options = {_text(o): o["value"] for o in page.select("select[name=org] option")}
    assert options["西峰区市场监督管理局(2)"] == "xifeng-market"
    narrowed = _soup(app, "/theme/service?org=xifeng-market")
    assert [_text(c.select_one(".qy-result-title")) for c in narrowed.select(".qy-result")] == [
        "社会保障卡申领", "营业执照补领换领"]
    assert narrowed.select_one("select[name=org] option[selected]")["value"] == "xifeng-market"


def test_sunshine_powers_list_their_responsibility_items(app):
    page = _soup(app, "/theme/sunshine?list=power&org=huanxian-market")
    power = page.select_one(".qy-power")
    assert "食品经营许可证核发" in _text(power)
    assert [_text(li) for li in power.select(".qy-duties li")] == [
        "受理责任:依法受理或不予受理", "决定责任:作出准予或不予许可的决定"]


def test_sunshine_funds_total_by_year_with_a_chart(app):
    page = _soup(app, "/theme/sunshine?list=fund&year=2025")
    assert "200.50" in _text(page.select_one(".qy-total"))
    assert page.select_one("[data-qy-chart]") is not None
    rows = [[_text(td) for td in tr.select("td")] for tr in page.select(".qy-table")[0].select("tbody tr")]
    assert rows == [["环县市场监督管理局", "120.50"], ["西峰区市场监督管理局", "80.00"]]


def test_sunshine_fund_table_pages_but_the_total_counts_every_item(app, monkeypatch):
    from ckanext.qingyang.portal import themes

    monkeypatch.setattr(themes, "TABLE_ROWS", 1)
    # addresses no other test asks for: the page cache must not answer with 50-row pages
    first = _soup(app, "/theme/sunshine?year=2025&list=fund&page=1")
    second = _soup(app, "/theme/sunshine?year=2025&list=fund&page=2")
    for page in (first, second):
        assert "200.50" in _text(page.select_one(".qy-total"))
    titles = [_text(tr.select_one("td")) for page in (first, second)
              for tr in page.select(".qy-table")[1].select("tbody tr")]
    assert sorted(titles) == ["市场主体培育专项资金", "食品安全监管专项资金"]
    assert "page=2" in first.select_one(".qy-pager a[rel=next]")["href"]


def test_sunshine_poverty_goes_county_township_village(app):
    page = _soup(app, "/theme/sunshine?list=poverty")
    tree = page.select_one(".qy-tree")
    assert "环县" in _text(tree.summary) and "环城镇" in _text(tree.h3)
    assert "西沟村" in _text(tree) and "肉羊养殖扶贫项目" in _text(tree)


def test_english_pages_speak_english(app):
    page = _soup(app, "/en/theme/service")
    text = _text(page)
    assert _text(page.select_one("h1")) == "Public services"
    assert "Social security" in text and "Change place" in text
