"""The boards' pages as a person meets them, through the test app: the 我要问 form and
everything it refuses (a wrong or missing captcha, a filled honeypot, too many posts from
one address, each bad field), what it keeps of what was typed, and the pages that need no
message yet."""
from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from ckan.plugins.toolkit import config

from ckanext.qingyang.boards import forms
from ckanext.qingyang.boards.tests.web import HUANXIAN, field_error, fill, form_values, soup

pytestmark = pytest.mark.usefixtures("huan")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _post(app, values: dict, files: list[tuple[str, bytes]] = (), status: int | None = None):
    data = dict(values)
    if files:
        data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    res = app.post("/ask", data=data, content_type="multipart/form-data" if files else None)
    if status is not None:
        assert res.status_code == status, res.body[:2000]
    return res


def test_the_form_offers_kinds_departments_and_a_captcha(app):
    app.client.set_cookie("qy_jurisdiction", HUANXIAN, domain=urlsplit(config["ckan.site_url"]).hostname)
    res = app.get("/ask")
    page = soup(res)
    assert [i["value"] for i in page.select("input[name=kind]")] == ["consult", "suggest", "complain", "help"]
    # the visitor's jurisdiction is chosen; its departments are there, 不清楚 first
    assert page.select_one("select[name=jurisdiction] option[selected]")["value"] == HUANXIAN
    options = page.select("select[name=organization] option")
    assert options[0]["value"] == "不清楚"
    huan_group = page.select_one(f'select[name=organization] optgroup[data-place="{HUANXIAN}"]')
    assert [o.get_text() for o in huan_group.select("option")] == ["环县人力资源和社会保障局", "环县政务服务中心"]
    assert page.select_one("textarea[name=content][data-qy-max='2000']") is not None
    assert page.select_one("input[type=file][name=attachments][multiple]") is not None
    # the publication is opt-in
    assert not page.select_one("input[name=publish_consent]").has_attr("checked")
    # the captcha: a token in the form, its image served, the answer nowhere on the page
    token = page.select_one("input[name=captcha_token]")["value"]
    answer = forms.captcha_answer(token)
    assert answer and answer not in res.body
    img = app.get(page.select_one("#qy-captcha-img")["src"])
    assert img.status_code == 200 and img.headers["Content-Type"] == "image/png"
    assert "no-store" in img.headers["Cache-Control"] and "public" not in img.headers["Cache-Control"]
    assert "public" not in res.headers["Cache-Control"]
    assert app.get("/ask/captcha/not-a-token.png").status_code == 404
    # 换一张: a new answer under the same token
    app.get(f"/ask/captcha/{token}.png?new=1")
    assert forms.captcha_answer(token) is not None
    # the honeypot is in the form, out of sight
    assert page.select_one(f".qy-honeypot input[name={forms.HONEYPOT}][tabindex='-1']") is not None


@pytest.mark.parametrize("captcha", ["", "0000", "wrong"])
def test_a_wrong_or_missing_captcha_keeps_what_was_typed(app, captcha):
    values = fill(app, title="路灯不亮<b>好几天</b>", name="李四", phone="13912345678", captcha=captcha)
    page = soup(_post(app, values, status=400))
    assert "验证码" in field_error(page, "captcha")
    assert page.select_one("input[name=title]")["value"] == "路灯不亮<b>好几天</b>"
    assert page.select_one("input[name=name]")["value"] == "李四"
    assert page.select_one("input[name=phone]")["value"] == "13912345678"
    assert page.select_one("textarea[name=content]").get_text() == values["content"]
    assert page.select_one("input[name=kind][value=consult]").has_attr("checked")
    assert page.select_one("select[name=organization] option[selected]")["value"] == "huanxian-hrss"
    # the captcha is not kept: a new one, and the typed answer is gone
    assert page.select_one("input[name=captcha]").get("value") in (None, "")
    assert page.select_one("input[name=captcha_token]")["value"] != values["captcha_token"]
    # the summary at the top links to the field
    assert page.select_one('#qy-errors a[href="#f-captcha"]') is not None


def test_a_missing_token_is_a_wrong_captcha(app):
    values = fill(app)
    del values["captcha_token"]
    assert "验证码" in field_error(soup(_post(app, values, status=400)), "captcha")


def test_a_captcha_answers_once(app):
    values = fill(app)
    token, answer = values["captcha_token"], values["captcha"]
    _post(app, dict(values, title=""), status=400)       # a field error: the captcha is spent anyway
    assert forms.captcha_answer(token) is None
    page = soup(_post(app, dict(values, captcha=answer), status=400))
    assert "验证码" in field_error(page, "captcha")


def test_a_filled_honeypot_is_refused_without_saying_why(app):
    values = fill(app, **{forms.HONEYPOT: "http://spam.example"})
    page = soup(_post(app, values, status=400))
    assert "提交没有成功" in page.select_one("#qy-errors").get_text()
    assert not page.select(".qy-field-error")


@pytest.mark.ckan_config("ckanext.qingyang.boards.ask_limit", "2 per minute")
def test_too_many_posts_from_one_address_get_a_chinese_429(app):
    for _i in range(2):
        _post(app, fill(app, captcha="0"), status=400)
    res = _post(app, fill(app), status=429)
    page = soup(res)
    assert page.select_one("h1").get_text(strip=True) == "操作太频繁"
    assert "提交太频繁了" in page.get_text()
    assert "Too Many Requests" not in res.body and "per 1 minute" not in res.body
    assert res.headers.get("Retry-After")
    # reading and other addresses are not limited
    assert app.get("/ask").status_code == 200
    other = app.post("/ask", data=fill(app, captcha="0"), environ_overrides={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 400


@pytest.mark.ckan_config("ckanext.qingyang.boards.track_limit", "3 per minute")
def test_lookups_by_code_are_limited_per_address(app):
    for i in range(3):
        assert app.get(f"/track?code=QY2026-00000{i}-ABCDEFGH").status_code == 404
    res = app.get("/track?code=QY2026-000009-ABCDEFGH")
    assert res.status_code == 429 and "查询太频繁了" in res.body
    assert app.get("/track").status_code == 200          # the empty form is free


LONG = "字" * 2001
BAD_FIELDS = [
    ("kind", {"kind": None}, "留言类型"),
    ("kind", {"kind": "闲聊"}, "留言类型"),
    ("title", {"title": ""}, "标题"),
    ("title", {"title": "题" * 101}, "标题"),
    ("content", {"content": "  "}, "内容"),
    ("content", {"content": LONG}, "2000"),
    ("name", {"name": ""}, "姓名"),
    ("name", {"name": "名" * 31}, "姓名"),
    ("phone", {"phone": ""}, "电话"),
    ("phone", {"phone": "12345"}, "电话"),
    ("phone", {"phone": "1381234567a"}, "电话"),
    ("organization", {"organization": "不清楚", "jurisdiction": ""}, "部门"),
]


@pytest.mark.parametrize("field,change,words", BAD_FIELDS, ids=[f"{f}-{i}" for i, (f, *_r) in enumerate(BAD_FIELDS)])
def test_each_bad_field_is_named_beside_it(app, field, change, words):
    values = fill(app, **change)
    page = soup(_post(app, values, status=400))
    assert words in field_error(page, field), page.select_one("#qy-errors")
    # only that field is wrong; what was typed stays
    assert [e["id"] for e in page.select(".qy-field-error")] == [f"err-{field}"]
    if field != "content":
        assert page.select_one("textarea[name=content]").get_text() == values["content"]
    # the captcha was right, but a new one is asked for (it is spent)
    assert "captcha" not in [e["id"][4:] for e in page.select(".qy-field-error")]


@pytest.mark.parametrize("files,words", [
    ([("a.pdf", PDF)] * 4, "最多"),
    ([("photo.jpg", b"MZ\x90\x00 this is a program")], "附件"),
    ([("notes.pdf", b"just some text, not a pdf")], "附件"),
    ([("picture.png", PDF)], "附件"),                       # a PDF named .png: mislabelled
    ([("big.pdf", PDF + b"0" * (5 * 1024 * 1024))], "5"),
], ids=["four-files", "a-program", "text-as-pdf", "pdf-as-png", "over-5mb"])
def test_bad_attachments_are_refused_by_content(app, files, words):
    page = soup(_post(app, fill(app), files, status=400))
    assert words in field_error(page, "attachments"), page.select_one("#qy-errors")


def test_an_anonymous_asker_needs_no_name(app):
    page = soup(_post(app, fill(app, name="", anonymous="1", captcha="0"), status=400))
    assert field_error(page, "name") == ""
    assert page.select_one("input[name=anonymous]").has_attr("checked")


def test_script_typed_into_the_form_comes_back_as_text(app):
    script, img = "<script>alert('x')</script>", '<img src=x onerror="alert(1)">'
    res = _post(app, fill(app, title=script, content=img, name=img, captcha="0"), status=400)
    assert script not in res.body and img not in res.body
    assert "&lt;script&gt;" in res.body and "&lt;img src=x onerror=" in res.body
    page = soup(res)
    assert page.select_one("input[name=title]")["value"] == script
    assert page.select_one("textarea[name=content]").get_text() == img


def test_track_says_the_same_for_an_unknown_and_a_malformed_code(app):
    unknown = app.get("/track?code=QY2026-000001-ABCDEFGH")
    malformed = app.get("/track?code=hello")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.headers["Referrer-Policy"] == "same-origin"
    assert soup(unknown).select_one(".qy-error").get_text() == soup(malformed).select_one(".qy-error").get_text()
    page = soup(app.get("/track"))
    assert page.select_one('form[action="/search"] input[name=q]') is not None      # 查事项
    cases = page.select_one("#qy-cases").find_parent("section")                          # 查办件
    assert cases.select_one("input[name=case_no]") and cases.select_one("input[name=case_code]")


def test_staff_pages_need_a_login(app):
    for url in ("/boards/inbox", "/boards/centre", "/boards/supervise", "/boards/moderation"):
        assert app.get(url).status_code == 403, url


def test_the_home_page_and_the_header_lead_to_the_boards(app):
    page = soup(app.get("/"))
    boards = {a.select_one(".qy-theme-name").get_text(): a["href"] for a in page.select(".qy-boards a")}
    assert boards["我要问"] == "/ask" and boards["我要查"] == "/track" and boards["我要看"] == "/answers"
    nav = {a.get_text(strip=True): a["href"] for a in page.select(".qy-nav a")}
    assert nav["我要看"] == "/answers"
    assert app.get("/read").status_code == 404               # the slot is gone
