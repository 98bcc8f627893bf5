"""What the boards' page tests share: 环县's code, the form as a person fills it, and the
captcha's answer read from the server side store (as the site's operator could; the web never serves it)."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup

from ckanext.qingyang.boards import forms

HUANXIAN = "621022"


def soup(res) -> BeautifulSoup:
    return BeautifulSoup(res.body if hasattr(res, "body") else res.get_data(as_text=True), "html.parser")


def captcha_token(page: BeautifulSoup) -> str:
    return page.select_one("input[name=captcha_token]")["value"]


def form_values(**overrides) -> dict:
    values = {"kind": "consult", "jurisdiction": HUANXIAN, "organization": "huanxian-hrss",
              "title": "养老保险缴费年限怎么查", "content": "我在环县交了十年养老保险,想知道在哪里能查到缴费年限。",
              "name": "王建国", "phone": "13812345678", "publish_consent": "1"}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def fill(app, **overrides) -> dict:
    """The form after a GET of /ask: the values plus this page's captcha, answered right."""
    page = soup(app.get("/ask"))
    token = captcha_token(page)
    values = form_values(**overrides)
    values.setdefault("captcha_token", token)
    values.setdefault("captcha", forms.captcha_answer(token))
    return values


def field_error(page: BeautifulSoup, field: str) -> str:
    el = page.select_one(f"#err-{field}")
    return el.get_text(" ", strip=True) if el else ""


def code_in(text: str) -> str | None:
    found = re.search(r"QY\d{4}-\d{6,}-[0-9A-Z]{4,}", text)
    return found.group(0) if found else None
