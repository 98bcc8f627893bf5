"""订阅 through CKAN's API and the mail it sends (delivered to a real SMTP server, aiosmtpd):
a citizen follows a department and a list type, gets one mail of what changed since the last
one (never a private draft, nothing when nothing changed, again after a failed delivery), and
unsubscribes by the mail's link; the Atom feeds; who may do what."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.qingyang.tests.api import call, ok

pytestmark = pytest.mark.usefixtures("with_plugins")
ATOM = "{http://www.w3.org/2005/Atom}"


def _touch(world, item: dict, **change) -> None:
    """Change an item as the workflow writes an approved revision (with its flag)."""
    from ckanext.qingyang.publishing.item import FLAG

    helpers.call_action("package_patch", {"user": world.users["pipeline"]["name"], FLAG: True},
                        id=item["id"], **change)


def test_subscribe_list_and_unsubscribe(app, world):
    made = ok(app, world, "citizen", "qingyang_subscription_create", kind="organization", target="land")
    assert (made["label"], made["name"], made["target"]) == ("市自然资源局", "land", world.orgs["land"]["id"])
    again = ok(app, world, "citizen", "qingyang_subscription_create", kind="organization",
               target=world.orgs["land"]["id"])
    assert again["id"] == made["id"]
    ok(app, world, "citizen", "qingyang_subscription_create", kind="list_type", target="service_item")
    mine = ok(app, world, "citizen", "qingyang_subscription_list")
    assert [(s["kind"], s["label"]) for s in mine] == [("organization", "市自然资源局"), ("list_type", "便民服务事项目录")]
    assert ok(app, world, "other", "qingyang_subscription_list") == []

    status, err = call(app, world, "citizen", "qingyang_subscription_create", kind="tag", target="land")
    assert status == 409 and "kind" in err
    status, err = call(app, world, "citizen", "qingyang_subscription_create", kind="organization", target="nowhere")
    assert status == 409 and "没有这个部门" in str(err["target"])
    assert call(app, world, None, "qingyang_subscription_create", kind="organization", target="land")[0] == 403
    # another user can neither see nor remove it
    assert call(app, world, "other", "qingyang_subscription_delete", id=made["id"])[0] == 404
    ok(app, world, "citizen", "qingyang_subscription_delete", id=made["id"])
    assert [s["kind"] for s in ok(app, world, "citizen", "qingyang_subscription_list")] == ["list_type"]


def test_the_daily_mail_has_what_changed_since_the_last_one(app, world, smtp_server):
    from ckanext.qingyang.portal.tests.items import create

    ok(app, world, "citizen", "qingyang_subscription_create", kind="organization", target="land")
    ok(app, world, "citizen", "qingyang_subscription_create", kind="list_type", target="service_item")
    ok(app, world, "other", "qingyang_subscription_create", kind="list_type", target="power_item")
    fresh = create(world.orgs["land"], "approval_item", title="临时占用城市道路审批")
    _touch(world, world.items["permit"], notes="办理地点变更为市民中心三楼")
    _touch(world, world.items["draft"], notes="草稿的修改不公开")

    preview = ok(app, world, "pipeline", "qingyang_subscriptions_send", dry_run=True)
    assert smtp_server.messages == [] and [p["user"] for p in preview["previews"]] == [world.users["citizen"]["name"]]
    sent = ok(app, world, "pipeline", "qingyang_subscriptions_send")
    assert (sent["mails"], sent["failed"]) == (1, 0)
    [mail] = smtp_server.messages
    assert mail["to"] == ["citizen@example.cn"] and "市自然资源局" in mail["subject"] and "2 项" in mail["subject"]
    body = mail["body"]
    assert "新发布 临时占用城市道路审批" in body and f"/approval_item/{fresh['name']}" in body
    assert "已更新 建设用地规划许可证核发" in body
    assert "尚未发布的许可" not in body and "社会保障卡补领" not in body      # a draft; nothing changed there
    assert re.search(r"退订:\S+/subscriptions/unsubscribe/\S+", body)

    # nothing changed since: no mail
    assert ok(app, world, "pipeline", "qingyang_subscriptions_send")["mails"] == 0 and len(smtp_server.messages) == 1
    _touch(world, world.items["card"], notes="可在社保服务网点当场办理")
    ok(app, world, "pipeline", "qingyang_subscriptions_send")
    assert len(smtp_server.messages) == 2
    second = smtp_server.messages[1]
    assert "社会保障卡补领(市人社局)" in second["body"] and "建设用地规划许可证核发" not in second["body"]


def test_a_failed_delivery_is_sent_again_next_time(app, world, smtp_server, ckan_config, monkeypatch):
    ok(app, world, "citizen", "qingyang_subscription_create", kind="list_type", target="service_item")
    _touch(world, world.items["card"], notes="网上也可申请")
    real = ckan_config["smtp.server"]
    monkeypatch.setitem(ckan_config, "smtp.server", "127.0.0.1:9")          # nothing listens there
    failed = ok(app, world, "pipeline", "qingyang_subscriptions_send")
    assert (failed["mails"], failed["failed"]) == (0, 1)
    monkeypatch.setitem(ckan_config, "smtp.server", real)
    assert ok(app, world, "pipeline", "qingyang_subscriptions_send")["mails"] == 1
    assert "社会保障卡补领" in smtp_server.messages[0]["body"]


def test_the_mails_link_unsubscribes_after_one_click_not_on_opening(app, world):
    made = ok(app, world, "citizen", "qingyang_subscription_create", kind="organization", target="hr")
    token = model.Session.execute(sa.text("SELECT token FROM qingyang_subscription WHERE id = :i"),
                                  {"i": made["id"]}).scalar()
    page = app.get(f"/subscriptions/unsubscribe/{token}")
    assert "确认退订" in page.body
    assert len(ok(app, world, "citizen", "qingyang_subscription_list")) == 1       # opening it changes nothing
    from bs4 import BeautifulSoup

    csrf = BeautifulSoup(page.body, "html.parser").select_one("input[name=_csrf_token]")["value"]
    done = app.post(f"/subscriptions/unsubscribe/{token}", data={"_csrf_token": csrf})
    assert "已退订“市人社局”" in done.body
    assert ok(app, world, "citizen", "qingyang_subscription_list") == []
    assert app.post(f"/subscriptions/unsubscribe/{token}", data={"_csrf_token": csrf}, status=404)
    assert call(app, world, None, "qingyang_subscription_delete", token="not-a-token")[0] == 404


def test_only_the_platform_admin_or_pipeline_sends(app, world):
    assert call(app, world, "citizen", "qingyang_subscriptions_send")[0] == 403
    assert call(app, world, None, "qingyang_subscriptions_send")[0] == 403


def _entries(body: bytes) -> list[dict]:
    root = ET.fromstring(body)
    return [{"title": e.findtext(f"{ATOM}title"), "link": e.find(f"{ATOM}link").get("href")}
            for e in root.findall(f"{ATOM}entry")]


def test_the_atom_feeds_carry_the_public_items_with_their_pages(app, world):
    res = app.get("/subscriptions/feeds/organization/land.atom")
    assert res.headers["Content-Type"].startswith("application/atom+xml")
    entries = _entries(res.data)
    titles = [e["title"] for e in entries]
    assert any("建设用地规划许可证核发" in t for t in titles) and not any("尚未发布" in t for t in titles)
    permit = next(e for e in entries if "建设用地规划许可证核发" in e["title"])
    assert permit["title"].startswith("[已发布]") and permit["link"].endswith(
        f"/approval_item/{world.items['permit']['name']}")
    service = _entries(app.get("/subscriptions/feeds/list/service_item.atom").data)
    assert [e["title"] for e in service if "社会保障卡补领" in e["title"]]
    assert not [e for e in service if "许可" in e["title"]]
    app.get("/subscriptions/feeds/organization/nowhere.atom", status=404)
    app.get("/subscriptions/feeds/list/not_a_list.atom", status=404)
