"""XSS: markup typed into any field a page shows comes back as text, never as live markup.

One small city (the boards' world) where a department's name, an item's title and notes, a
message, its reply and a search query all carry script; every page that shows them is
read for the escaped text and for live elements; and one real browser (Debian's chromium)
opens them and no script runs."""
from __future__ import annotations

from urllib.parse import quote

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import helpers

SCRIPT = "<script>window.qyXss=1;alert('qy1')</script>"
IMG = '"><img src=x onerror="window.qyXss=2;alert(2)">'
SVG = "'><svg onload=\"window.qyXss=3;alert(3)\">"
# notes are Markdown: CKAN's sanitizer drops the tag and keeps the text around it
NOTES = f"办理说明{IMG}"
NOTES_SHOWN = '办理说明">'


@pytest.fixture()
def city(app, clean_db, clean_index):
    from ckan.lib.redis import connect_to_redis

    from ckanext.qingyang.boards.model import TABLES
    from ckanext.qingyang.boards.tests.world import build_world, message, ok
    from ckanext.qingyang.portal.tests.items import create

    redis = connect_to_redis()
    for key in [*redis.scan_iter("LIMITS:*"), *redis.scan_iter("*qingyang-boards*")]:
        redis.delete(key)
    with model.meta.engine.begin() as conn:   # the boards' tables outlive clean_db (test database only)
        for t in TABLES:
            conn.execute(sa.text(f"ALTER TABLE {t} DISABLE TRIGGER USER"))
        conn.execute(sa.text(f"TRUNCATE {', '.join(TABLES)}"))
        for t in TABLES:
            conn.execute(sa.text(f"ALTER TABLE {t} ENABLE TRIGGER USER"))

    world = build_world()
    dept_title = f"市住建局{SVG}"
    helpers.call_action("organization_patch", {"user": world.users["sysadmin"]["name"]}, id="housing",
                        title=dept_title)
    item = create(world.orgs["housing"], title=f"公租房申请{SCRIPT}", notes=NOTES)

    msg = ok(app, world, "hotline", "qingyang_message_create",
             **message(title=f"公租房{SCRIPT}", content=f"申请条件?{IMG}"))
    ok(app, world, "centre", "qingyang_message_accept", id=msg["id"])
    ok(app, world, "housing", "qingyang_message_reply", id=msg["id"], text=f"可以申请。{SCRIPT}")
    ok(app, world, None, "qingyang_message_rate", code=msg["code"], rating="满意")
    ok(app, world, "centre", "qingyang_message_publish", id=msg["id"], approve=True)
    return {"world": world, "item": item, "msg": msg, "dept_title": dept_title}


def _pages(city) -> dict[str, tuple[str, dict, tuple[str, ...]]]:
    """url: (headers, the payloads a user sees on it as text)."""
    item, msg, w = city["item"], city["msg"], city["world"]
    staff = {"Authorization": w.tokens["housing"]}
    return {
        f"/dataset/{item['name']}": ({}, (SCRIPT, SVG)),             # title, department
        "/search?q=" + quote("公租房申请"): ({}, (SCRIPT, SVG)),       # the result's title, department
        "/search?q=" + quote(SCRIPT): ({}, (SCRIPT,)),                  # the query echoed
        "/dataset/?q=" + quote(IMG): ({}, (IMG, SCRIPT, NOTES_SHOWN)),  # CKAN's search echoes it too
        "/organization/housing": ({}, (SVG, SCRIPT, NOTES_SHOWN)),      # department, its item
        f"/qingyang/guide/{item['name']}/print": ({}, (SCRIPT,)),
        "/ask": ({}, (SVG,)),                                           # the department chooser
        f"/track?code={msg['code']}": ({}, (SCRIPT, IMG)),              # message and reply
        "/answers": ({}, (SCRIPT, IMG, SVG)),                           # message, reply, department
        f"/boards/messages/{msg['id']}": (staff, (SCRIPT, IMG, SVG)),   # the handler's page
        "/boards/inbox": (staff, (SVG,)),                               # the department chooser
    }


def _live_markup(page: BeautifulSoup) -> list[str]:
    bad = [s.get_text()[:60] for s in page.find_all("script") if "qyXss" in s.get_text()]
    bad += [str(e)[:80] for e in page.find_all(True) if any(a.startswith("on") and "qyXss" in str(v)
                                                            for a, v in e.attrs.items())]
    return bad


def test_every_page_shows_the_markup_as_text(app, city):
    for url, (headers, shown) in _pages(city).items():
        res = app.get(url, headers=headers)
        assert res.status_code == 200, url
        body = res.get_data(as_text=True)
        page = BeautifulSoup(body, "html.parser")
        assert _live_markup(page) == [], url
        text = page.get_text()
        for payload in shown:
            assert payload in text, (url, payload)          # shown, as the characters typed
        assert "<img src=x onerror" not in body and "<svg onload" not in body, url
        assert "<script>window.qyXss" not in body, url


def test_no_script_runs_in_a_real_browser(browser, live_url, city):
    ctx = browser.new_context()
    page = ctx.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    checked = 0
    for url, (headers, shown) in _pages(city).items():
        if headers:
            continue   # staff pages need a token header; their HTML is checked above
        page.goto(live_url + url, wait_until="load")
        page.wait_for_timeout(150)     # an onerror of a broken image fires after load
        assert page.evaluate("() => window.qyXss === undefined"), url
        text = page.text_content("body")   # hidden parts too (a folded reply)
        assert all(p in text for p in shown), url    # the markup is there, as text
        checked += 1
    assert dialogs == [] and checked >= 9
    ctx.close()
