"""Bad input is refused with a Chinese error naming the field, and nothing is stored; the
rate limits per phone and per address; anonymous callers need the web form's captcha."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.qingyang.boards import files
from ckanext.qingyang.boards.model import attachment, message, message_history
from ckanext.qingyang.boards.tests.world import JPEG, PDF, b64, call, message as good, ok


def _stored() -> tuple[int, int, int, int]:
    count = lambda t: model.Session.execute(sa.select(sa.func.count()).select_from(t)).scalar()
    folder = files.storage_dir()
    on_disk = sum(1 for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
    return count(message), count(message_history), count(attachment), on_disk


BIG = b"%PDF-1.7\n" + b"\0" * (5 * 1024 * 1024)

BAD = {
    "no kind": (dict(kind=""), "kind", "留言类型"),
    "unknown kind": (dict(kind="表扬"), "kind", "留言类型"),
    "no title": (dict(title="   "), "title", "标题:不能为空"),
    "title too long": (dict(title="长" * 101), "title", "标题:不能超过 100"),
    "no content": (dict(content=""), "content", "内容:不能为空"),
    "content too long": (dict(content="字" * 2001), "content", "内容:不能超过 2000"),
    "no phone": (dict(phone=""), "phone", "联系电话:不能为空"),
    "short phone": (dict(phone="1381234567"), "phone", "联系电话"),
    "not a phone": (dict(phone="12345678901"), "phone", "联系电话"),
    "no name": (dict(name=""), "name", "姓名"),
    "unknown department": (dict(organization="no-such-dept"), "organization", "办理部门"),
    "mislabelled file": (dict(attachments=[{"filename": "photo.jpg", "data": b64(PDF)}]), "attachments", "文件名与内容不符"),
    "not an image": (dict(attachments=[{"filename": "a.pdf", "data": b64(b"MZ\x90\0exe")}]), "attachments", "只能上传图片"),
    "too big": (dict(attachments=[{"filename": "big.pdf", "data": b64(BIG)}]), "attachments", "超过 5 MB"),
    "four files": (dict(attachments=[{"filename": "a.jpg", "data": b64(JPEG)}] * 4), "attachments", "最多 3 个"),
    "bad base64": (dict(attachments=[{"filename": "a.jpg", "data": "%%%"}]), "attachments", "base64"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_the_field_and_stores_nothing(app, world, case):
    overrides, field, words = BAD[case]
    # one good attachment with the bad input: it must not stay on disk either
    data = good(**{"attachments": [{"filename": "ok.jpg", "data": b64(JPEG)}], **overrides})
    before = _stored()
    status, error = call(app, world, "hotline", "qingyang_message_create", **data)
    assert status == 409, error
    assert field in error and any(words in e for e in error[field]), error
    assert _stored() == before


def test_several_errors_come_back_at_once(app, world):
    status, error = call(app, world, "hotline", "qingyang_message_create", kind="", title="", content="", phone="1")
    assert status == 409 and {"kind", "title", "content", "phone", "name"} <= set(error)


def test_good_attachments_are_kept_and_served_by_content(app, world):
    created = ok(app, world, "hotline", "qingyang_message_create",
                 **good(attachments=[{"filename": "现场.jpg", "data": b64(JPEG)}, {"filename": "材料.pdf", "data": b64(PDF)}]))
    assert [(a["filename"], a["mimetype"]) for a in created["attachments"]] == [
        ("材料.pdf", "application/pdf"), ("现场.jpg", "image/jpeg")] or \
        {(a["filename"], a["mimetype"]) for a in created["attachments"]} == {("材料.pdf", "application/pdf"),
                                                                             ("现场.jpg", "image/jpeg")}
    att = next(a for a in created["attachments"] if a["mimetype"] == "image/jpeg")
    fh, name, mime = files.open_attachment(created["id"], att["id"], code=created["code"])
    with fh:
        assert fh.read() == JPEG and name == "现场.jpg" and mime == "image/jpeg"
    import ckan.plugins.toolkit as tk
    from ckan.model import User
    with pytest.raises(tk.ObjectNotFound):   # another department may not read it
        files.open_attachment(created["id"], att["id"], user=User.get(world.users["other"]["name"]))
    fh, _, _ = files.open_attachment(created["id"], att["id"], user=User.get(world.users["centre"]["name"]))
    fh.close()


def test_multipart_uploads_from_a_form_are_accepted(app, world):
    import io

    res = app.post("/api/3/action/qingyang_message_create", headers={"Authorization": world.tokens["hotline"]},
                   data={**{k: str(v) for k, v in good().items()},
                         "attachments": (io.BytesIO(PDF), "证明.pdf")})
    assert res.status_code == 200, res.get_json()
    assert [a["mimetype"] for a in res.get_json()["result"]["attachments"]] == ["application/pdf"]


def test_anonymous_callers_need_the_web_forms_captcha(app, world):
    before = _stored()
    status, error = call(app, world, None, "qingyang_message_create", **good())
    assert status == 403 and "验证码" in error["message"]
    assert _stored() == before
    # the web form vouches for its captcha through the context
    from ckan.tests import helpers
    created = helpers.call_action("qingyang_message_create", {"qingyang_captcha_passed": True, "user": ""},
                                  **good(name="", anonymous=True, phone="13900000009"))
    assert created["display_name"] == "匿名" and created["code"]


def test_new_messages_are_limited_per_phone(app, world, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.qingyang.boards.phone_limit", "2 per hour")
    for _ in range(2):
        ok(app, world, "hotline", "qingyang_message_create", **good(phone="139 0000 0011"))
    before = _stored()
    status, error = call(app, world, "hotline", "qingyang_message_create", **good(phone="13900000011"))
    assert status == 409 and "过于频繁" in error["phone"][0] and "最多 2 次" in error["phone"][0]
    assert _stored() == before
    ok(app, world, "hotline", "qingyang_message_create", **good(phone="13900000012"))   # another phone


def test_code_lookups_are_limited_per_address(app, world, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.qingyang.boards.lookup_limit", "3 per minute")
    created = ok(app, world, "hotline", "qingyang_message_create", **good())
    here, there = {"REMOTE_ADDR": "10.0.0.7"}, {"REMOTE_ADDR": "10.0.0.8"}
    answers = [call(app, world, None, "qingyang_message_show", code=c, environ=here)[0]
               for c in (created["code"], "QY2026-000001-AAAAAAAA", "nonsense")]
    assert answers == [200, 404, 404]          # unknown and malformed codes answer alike
    status, error = call(app, world, None, "qingyang_message_show", code=created["code"], environ=here)
    assert status == 409 and "查询过于频繁" in error["code"][0]
    assert call(app, world, None, "qingyang_message_show", code=created["code"], environ=there)[0] == 200


def test_an_unknown_code_answers_like_a_wrong_one(app, world):
    created = ok(app, world, "hotline", "qingyang_message_create", **good())
    wrong = created["code"][:-1] + ("A" if created["code"][-1] != "A" else "B")
    a = call(app, world, None, "qingyang_message_show", code=wrong)
    b = call(app, world, None, "qingyang_message_show", code="QY1999-999999-ZZZZZZZZ")
    c = call(app, world, None, "qingyang_message_show", code="x")
    assert a == b == c and a[0] == 404
