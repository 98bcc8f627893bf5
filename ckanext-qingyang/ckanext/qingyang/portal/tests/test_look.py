"""The site's look on every page, as a citizen meets it: the platform's own header and
footer instead of CKAN's, no English (and no CKAN placeholder text) on a Chinese page, no
Chinese chrome on an English page, search results that say what and whose an item is, the
display modes 大字 / 高对比 and their cookie, and the catalogues behind the language."""
from __future__ import annotations

import gettext
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from ckan.plugins.toolkit import config

from ckanext.qingyang.portal import look
from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.factories import department

I18N = Path(__file__).resolve().parents[2] / "i18n"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

# what a citizen saw before: CKAN's own words, untranslated English, the placeholder
STOCK = ("CKAN", "欢迎來到", "Powered by", "There is no description", "datasets found", "dataset found",
         "organizations found", "Navigate to dataset", "这是一个特殊的区段", "登陆", "Facebook")
NAV = {"首页": "/", "阳光政务": "/theme/sunshine", "行政审批": "/theme/approval", "便民服务": "/theme/service",
       "我要问": "/ask", "我要查": "/track", "我要看": "/answers",
       "政务信息资源目录": "/dataset/?dataset_type=shared_resource"}


def _page(app, url: str, status: int = 200, **kwargs) -> BeautifulSoup:
    res = app.get(url, **kwargs)
    assert res.status_code == status, url
    return BeautifulSoup(res.body, "html.parser")


def _with_display(app, value: str) -> None:
    """The browser holds a qy_display cookie (the test client sends only cookies of its jar)."""
    app.client.set_cookie("qy_display", value, domain=urlsplit(config["ckan.site_url"]).hostname)


def _seen(page: BeautifulSoup) -> str:
    """What the reader sees or hears: the text, the page title and the labels read aloud."""
    for tag in page(["script", "style"]):
        tag.decompose()
    parts = [page.title.get_text() if page.title else "", page.body.get_text(" ", strip=True)]
    for el in page.body.find_all(True):
        parts += [el[a] for a in ("aria-label", "placeholder", "title", "alt") if el.has_attr(a)]
    return " ".join(" ".join(parts).split())


@pytest.fixture()
def huan_service(clean_db, clean_index):
    dept = department(name="huan-service-center", title="环县政务服务中心", jurisdiction="环县",
                      jurisdiction_level="county", region_code="621022")
    return create(dept, "service_item", title="老年人优待证办理")


@pytest.mark.parametrize("url", ["/", "/dataset/", "/dataset/?q=不存在的事项xyz", "/organization/",
                                 "/organization/huan-service-center", "/user/login", "/about"])
def test_chinese_pages_have_no_stock_or_english_text(app, huan_service, url):
    seen = _seen(_page(app, url))
    for stock in STOCK:
        assert stock not in seen, (url, stock)


def test_every_page_has_the_platforms_header_and_footer(app, huan_service):
    page = _page(app, "/dataset/")
    assert page.html["lang"] == "zh-CN"
    brand = page.select_one(".qy-brand")
    assert "庆阳市政务信息资源共享与公开平台" in brand.get_text() and "网上政务超市" in brand.get_text()
    assert page.select_one('img[src*="ckan-logo"]') is None
    assert page.select_one(".qy-switcher") is not None              # the jurisdiction switcher slot
    nav = {a.get_text(strip=True): a["href"] for a in page.select(".qy-nav a")}
    assert nav == NAV
    assert page.select_one(".qy-account a").get_text(strip=True) == "登录"

    footer = page.select_one("footer").get_text("", strip=True)
    for words in ("主办:庆阳市人民政府办公室", "承办:庆阳市电子政务办", "庆政办发〔2017〕136号", "谁发布、谁负责", "非涉密"):
        assert words in footer, words
    assert "Powered by" not in footer and "CKAN" not in footer


def test_the_catalogue_link_is_marked_current_on_the_catalogue(app, huan_service):
    page = _page(app, "/dataset/?dataset_type=shared_resource")
    assert [a.get_text(strip=True) for a in page.select(".qy-nav a[aria-current]")] == ["政务信息资源目录"]


def test_skip_link_goes_to_the_content(app, huan_service):
    page = _page(app, "/dataset/")
    first = page.body.find("a")
    assert first["href"] == "#content" and first.get_text(strip=True) == "跳到主要内容"
    assert page.select_one("#content") is not None


def test_language_switch_links_this_page_in_both_languages(app, huan_service):
    links = {a.get_text(strip=True): a for a in _page(app, "/organization/").select(".qy-lang a")}
    assert links["English"]["href"].endswith("/en/organization/") and links["English"]["lang"] == "en"
    assert links["中文"].has_attr("aria-current")
    en = {a.get_text(strip=True): a for a in _page(app, "/en/organization/").select(".qy-lang a")}
    assert en["English"].has_attr("aria-current") and not en["中文"]["href"].startswith("/en/")


def test_search_result_says_what_whose_and_where(app, huan_service):
    page = _page(app, "/dataset/?organization=huan-service-center")
    assert "共 1 条结果" in page.get_text(" ", strip=True)
    card = page.select_one("li.qy-result")
    assert card.select_one(".dataset-heading a").get_text(strip=True) == "老年人优待证办理"
    assert card.select_one(".qy-badge").get_text(strip=True) == "便民服务事项"
    chips = [c.get_text(strip=True) for c in card.select(".qy-chip")]
    assert chips == ["环县", "县级"]
    assert "环县政务服务中心" in card.get_text()
    assert "description" not in card.get_text() and "暂无" not in card.get_text()


def test_english_pages_stay_english(app, huan_service):
    page = _page(app, "/en/dataset/?organization=huan-service-center")
    assert page.html["lang"] == "en"
    seen = _seen(page)
    for words in ("Qingyang Government Information Sharing and Disclosure Platform", "Log in",
                  "Large text", "High contrast", "Sponsor", "1 dataset found"):
        assert words in seen, words
    for chinese in ("登录", "网上政务超市", "大字", "高对比", "主办", "谁发布、谁负责", "共 1 条结果"):
        assert chinese not in seen, chinese
    card = page.select_one("li.qy-result")
    assert card.select_one(".qy-badge").get_text(strip=True) == "Convenience services"
    assert [c.get_text(strip=True) for c in card.select(".qy-chip")] == ["Huan County", "County level"]


def test_not_found_page_is_chinese(app, huan_service):
    page = _page(app, "/no-such-page", 404)
    text = page.select_one("#error-content").get_text(" ", strip=True)
    assert "页面不存在" in text and "Not Found" not in text and "requested URL" not in text
    assert page.select_one("#error-content a")["href"] == "/"


def test_server_error_page_is_chinese(app):
    # CKAN renders an unexpected exception's page with code [500]; the page must not fail too
    import ckan.plugins.toolkit as tk

    # as CKAN's language middleware leaves a request (it runs outside Flask)
    environ = {"CKAN_LANG": "zh_Hans_CN", "CKAN_LANG_IS_DEFAULT": True, "CKAN_CURRENT_URL": "/"}
    with app.flask_app.test_request_context("/", environ_base=environ):
        app.flask_app.preprocess_request()
        html = tk.render("error_document_template.html", {"code": [500], "content": "Internal server error"})
    text = BeautifulSoup(html, "html.parser").select_one("#error-content").get_text(" ", strip=True)
    assert "出错了" in text and "服务器暂时出错" in text and "Internal server error" not in text


def test_display_modes_come_from_the_cookie(app, huan_service):
    plain = _page(app, "/dataset/")
    assert "qy-large" not in plain.body["class"] and "qy-contrast" not in plain.body["class"]
    assert [t["aria-pressed"] for t in plain.select(".qy-toggle")] == ["false", "false"]

    _with_display(app, "large-contrast")
    both = _page(app, "/dataset/")
    assert {"qy-large", "qy-contrast"} <= set(both.body["class"])
    assert {"qy-large", "qy-contrast"} <= set(both.html["class"])
    toggles = {t["data-qy-mode"]: t for t in both.select(".qy-toggle")}
    assert toggles["large"]["aria-pressed"] == "true" and toggles["contrast"]["aria-pressed"] == "true"
    # the no-JS link of each toggle names the set it switches to
    assert "mode=contrast" in toggles["large"]["href"] and "mode=large" in toggles["contrast"]["href"]

    _with_display(app, "large")
    large = _page(app, "/organization/")
    assert "qy-large" in large.body["class"] and "qy-contrast" not in large.body["class"]


def test_display_link_sets_the_cookie_and_goes_back(app, huan_service):
    res = app.get("/display?mode=large&next=/dataset/?q=x", follow_redirects=False)
    assert res.status_code == 303 and res.headers["Location"].endswith("/dataset/?q=x")
    cookie = res.headers["Set-Cookie"]
    assert cookie.startswith("qy_display=large;") and "Path=/" in cookie and "Max-Age=" in cookie

    # the next page arrives in large type (the client keeps the cookie it was given)
    page = _page(app, "/dataset/")
    assert "qy-large" in page.body["class"] and "qy-contrast" not in page.body["class"]

    cleared = app.get("/display?mode=normal&next=/", follow_redirects=False)
    assert re.match(r"qy_display=;|qy_display=\"\";", cleared.headers["Set-Cookie"])
    assert "qy-large" not in _page(app, "/dataset/").body["class"]

    for elsewhere in ("https://example.com/", "//example.com/", "/\\example.com"):
        res = app.get("/display", query_string={"mode": "contrast", "next": elsewhere}, follow_redirects=False)
        assert res.headers["Location"] in ("/", "http://test.ckan.net/"), elsewhere


# -- the modes themselves, without a request

@pytest.mark.parametrize("value, modes", [
    ("large", ["large"]), ("contrast-large", ["large", "contrast"]), ("large,contrast", ["large", "contrast"]),
    ("normal", []), ("", []), (None, []), ("huge", []),
])
def test_cookie_values(value, modes):
    assert look.parse_modes(value) == modes


# -- the catalogues

def _po(lang: str):
    with open(I18N / lang / "LC_MESSAGES" / "ckanext-qingyang.po", "rb") as f:
        return read_po(f)


def _mo(lang: str) -> dict:
    with open(I18N / lang / "LC_MESSAGES" / "ckanext-qingyang.mo", "rb") as f:
        return gettext.GNUTranslations(f)._catalog


@pytest.mark.parametrize("lang", ["zh_Hans_CN", "en"])
def test_every_message_is_translated_and_compiled(lang):
    po = _po(lang)
    mo = _mo(lang)
    for message in po:
        if not message.id:
            continue
        if message.pluralizable:
            assert all(message.string), message.id
            for i, text in enumerate(message.string):
                assert mo[(message.id[0], i)] == text, message.id       # .mo compiled from this .po
        else:
            assert message.string, message.id
            assert mo[message.id] == message.string, message.id
    in_po = {m.id[0] if m.pluralizable else m.id for m in po if m.id}
    in_mo = {k[0] if isinstance(k, tuple) else k for k in mo if k}
    assert in_mo == in_po                                     # nothing stale, nothing left out


def test_chinese_catalogue_has_one_plural_form():
    """Without it the merged catalogue counts plurals the English way and CKAN's
    "{number} datasets found" stays English."""
    assert _po("zh_Hans_CN").plural_forms.replace(" ", "") == "nplurals=1;plural=0;"


def test_every_chinese_string_of_the_portals_templates_has_english():
    english = {m.id for m in _po("en") if m.id}
    used = set()
    for template in TEMPLATES.rglob("*.html"):
        for match in re.finditer(r"""_\(\s*(['"])(.*?)\1\s*[,)]""", template.read_text(encoding="utf-8")):
            if re.search(r"[\u4e00-\u9fff]", match.group(2)):
                used.add(match.group(2))
    assert used and not used - english, sorted(used - english)
