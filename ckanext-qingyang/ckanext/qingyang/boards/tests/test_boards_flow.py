"""One message's whole life through the pages (the test app, no browser): a citizen asks
with script and HTML in the text and a PDF, gets a 查询码 once, tracks it; the centre
accepts and dispatches it; the department replies; the citizen rates it; the centre
publishes it; it shows in 我要看 and its feed. Whatever the citizen typed comes back
escaped on every page and in the feed."""
from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET

import pytest

from ckanext.qingyang.boards.tests.web import code_in, fill, soup
from ckanext.qingyang.boards.tests.world import PDF

SCRIPT = "<script>alert('qy')</script>"
IMG = '<img src=x onerror="alert(1)">'
ATOM = "{http://www.w3.org/2005/Atom}"



def _as(world, role: str) -> dict:
    return {"Authorization": world.tokens[role]}


def _ok(res, status=200):
    assert res.status_code == status, res.body[:3000]
    return soup(res)


def _no_raw_markup(body: str) -> None:
    assert SCRIPT not in body and IMG not in body
    assert "<script>alert" not in body and "onerror=\"alert" not in body


def test_a_message_from_question_to_published_answer(app, world):
    # the boards' tables outlive clean_db: this test's message is told apart by a word
    word = uuid.uuid4().hex[:8]
    title = f"公租房{word}{SCRIPT}"
    # 我要问: the citizen asks, with markup in every text field and a PDF
    values = fill(app, jurisdiction="621000", organization="housing", title=title,
                  content=f"申请条件是什么?{IMG}", name="张三明", phone="13812345678", publish_consent="1")
    values["attachments"] = [(io.BytesIO(PDF), "材料.pdf")]
    res = app.post("/ask", data=values, content_type="multipart/form-data", follow_redirects=False)
    assert res.status_code == 303, res.body[:3000]
    done = _ok(app.get(res.headers["Location"]))
    code = done.select_one("#qy-code").get_text(strip=True)
    assert code_in(code) == code
    assert done.select_one("[data-qy-copy=qy-code]") is not None
    assert "怎么使用查询码" in done.get_text()
    # shown once: a reload does not show it again (nor send the message again)
    assert code not in app.get("/ask/done").body

    # 我要查: the code shows the message, escaped, waiting for the centre
    res = app.get(f"/track?code={code.lower()}")
    page = _ok(res)
    _no_raw_markup(res.body)
    assert page.select_one("#qy-message-title").get_text() == title
    assert page.select_one(".qy-status").get_text(strip=True) == "待受理"
    assert "13812345678" not in res.body
    pdf = page.select_one(".qy-message a[href*='/track/attachments/']")
    got = app.get(pdf["href"])
    assert got.status_code == 200 and got.data == PDF and got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert app.get(pdf["href"].split("?")[0]).status_code == 404        # without the code

    # 受理: the centre sees it, accepts it and sends it to the department the asker chose
    centre = _ok(app.get("/boards/centre", headers=_as(world, "centre")))
    link = centre.select_one(".qy-staff-table a")
    assert link.get_text() == title
    msg_url = link["href"]
    page = _ok(app.get(msg_url, headers=_as(world, "centre")))
    assert page.select_one("#f-accept-org option[selected]")["value"] == "housing"
    assert page.select_one("#h-reply") is None                  # the centre does not reply for them
    res = app.post(msg_url + "/accept", data={"organization": "housing"}, headers=_as(world, "centre"),
                   follow_redirects=False)
    assert res.status_code == 303
    assert "已受理" in _ok(app.get(msg_url, headers=_as(world, "centre"))).select_one(".qy-notice").get_text()

    # 留言办理: the department's inbox, the deadline and the days left; it replies
    inbox = _ok(app.get("/boards/inbox", headers=_as(world, "housing")))
    row = inbox.select_one(".qy-staff-table tbody tr")
    assert title in row.get_text() and "剩" in row.get_text()
    res = app.get(msg_url, headers=_as(world, "housing"))
    page = _ok(res)
    _no_raw_markup(res.body)
    assert "13812345678" in page.select_one(".qy-facts").get_text()      # the handler sees the phone
    assert page.select_one("#h-reply") is not None and page.select_one("#h-extend") is not None
    # a refused reply keeps the text typed and names the field
    page = _ok(app.post(msg_url + "/reply", data={"text": ""}, headers=_as(world, "housing")), 400)
    assert "答复" in page.select_one(".qy-error").get_text()
    reply = f"符合条件的可到市住建局窗口申请。{SCRIPT}"
    res = app.post(msg_url + "/reply", data={"text": reply}, headers=_as(world, "housing"), follow_redirects=False)
    assert res.status_code == 303, res.body[:2000]
    # another department sees nothing of it
    assert app.get(msg_url, headers=_as(world, "other")).status_code in (403, 404)

    # the citizen reads the reply and rates it
    res = app.get(f"/track?code={code}")
    page = _ok(res)
    _no_raw_markup(res.body)
    assert page.select_one(".qy-reply .qy-text").get_text() == reply
    assert [i["value"] for i in page.select("input[name=rating]")] == ["满意", "基本满意", "不满意"]
    res = app.post("/track/rate", data={"code": code, "rating": "满意"}, follow_redirects=False)
    assert res.status_code == 303
    page = _ok(app.get(res.headers["Location"]))
    assert page.select_one(".qy-status").get_text(strip=True) == "已办结"
    assert "满意" in page.select_one("#qy-rating").get_text()
    assert page.select_one("input[name=rating]") is None

    # 公开审核: the centre publishes it
    moderation = _ok(app.get("/boards/moderation", headers=_as(world, "centre")))
    assert moderation.select_one(f'a[href="{msg_url}"]') is not None
    res = app.post(msg_url + "/publish", data={"approve": "1"}, headers=_as(world, "centre"), follow_redirects=False)
    assert res.status_code == 303

    # 我要看: the answer is there, searchable and filtered, the asker masked, all escaped
    res = app.get("/answers")
    page = _ok(res)
    _no_raw_markup(res.body)
    answer = next(a for a in page.select(".qy-answer") if word in a.get_text())
    assert answer.select_one("h3").get_text() == title
    assert "张*明" in answer.get_text() and "张三明" not in res.body and "13812345678" not in res.body
    assert len(_ok(app.get(f"/answers?q={word}")).select(".qy-answer")) == 1
    assert len(_ok(app.get(f"/answers?q={word}+高铁")).select(".qy-answer")) == 0
    assert len(_ok(app.get(f"/answers?q={word}&kind=consult&organization=housing")).select(".qy-answer")) == 1
    assert len(_ok(app.get(f"/answers?q={word}&kind=complain")).select(".qy-answer")) == 0
    figures = {r.select_one("th").get_text(): [td.get_text() for td in r.select("td")]
               for r in page.select(".qy-figures tbody tr")}
    assert figures["市住建局"][0] == "1" and figures["市住建局"][3] == "100%"

    # the feed: real XML, the texts escaped by the serializer, nothing personal
    res = app.get("/answers.atom")
    assert res.status_code == 200 and res.headers["Content-Type"].startswith("application/atom+xml")
    assert "<script" not in res.body and "<img" not in res.body     # "&lt;" in text: markup is never live
    feed = ET.fromstring(res.data)
    entries = [e for e in feed.findall(f"{ATOM}entry") if word in e.find(f"{ATOM}title").text]
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}title").text == f"[咨询] {title}"
    content = entries[0].find(f"{ATOM}content")
    assert content.get("type") == "text" and IMG in content.text and reply in content.text
    assert "13812345678" not in res.body and "张三明" not in res.body


def test_a_rejected_message_says_why_on_track(app, world):
    values = fill(app, jurisdiction="621000", organization="不清楚")
    res = app.post("/ask", data=values, follow_redirects=False)
    assert res.status_code == 303, res.body[:2000]
    code = soup(app.get(res.headers["Location"])).select_one("#qy-code").get_text(strip=True)
    msg_url = soup(app.get("/boards/centre", headers=_as(world, "centre"))).select_one(".qy-staff-table a")["href"]
    res = app.post(msg_url + "/reject", data={"reason": "out_of_scope", "note": "请向法院咨询"},
                   headers=_as(world, "centre"), follow_redirects=False)
    assert res.status_code == 303, res.body[:2000]
    page = _ok(app.get(f"/track?code={code}"))
    assert page.select_one(".qy-status").get_text(strip=True) == "不予受理"
    assert "不属于受理范围" in page.get_text() and "请向法院咨询" in page.get_text()
