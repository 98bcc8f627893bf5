"""Security events: what the supervising office reads after logins, lockouts and admin changes."""
import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

from ckanext.qingyang.security.tests.login import PASSWORD
from ckanext.qingyang.security.tests.login import login as _login
from ckanext.qingyang.tests.factories import department


def _events(**filters):
    admin = model.User.get("qy-events-reader") or model.User.get(factories.Sysadmin(name="qy-events-reader")["id"])
    return helpers.call_action("qingyang_security_event_list", {"user": admin.name, "ignore_auth": False},
                               **filters)


@pytest.mark.usefixtures("clean_db", "locks")
@pytest.mark.ckan_config("ckanext.qingyang.security.lockout_account_failures", 3)
def test_logins_failures_lockout_and_unlock_are_recorded(app):
    user = factories.User(password=PASSWORD)
    assert _login(app, user["name"], PASSWORD).status_code == 302
    app.get("/user/_logout")
    for _ in range(3):
        _login(app, user["name"], "wrong-Password-1")
    assert _login(app, user["name"], PASSWORD).status_code == 403
    admin = factories.Sysadmin()
    helpers.call_action("qingyang_login_unlock", {"user": admin["name"]}, user=user["name"])

    rows = _events(user=user["name"])
    kinds = [r["kind"] for r in reversed(rows)]   # oldest first
    assert kinds == ["user_create", "login", "logout", "login_failed", "login_failed", "login_failed",
                     "lockout", "login_refused", "unlock"], kinds
    lock = next(r for r in rows if r["kind"] == "lockout")
    assert lock["kind_label"] == "登录锁定" and lock["detail"]["failures"] == 3
    assert lock["client_addr"] == "127.0.0.1"
    assert next(r for r in rows if r["kind"] == "unlock")["actor"] == admin["name"]
    assert _events(kind="login_failed", user=user["name"])[0]["subject"] == user["name"]
    assert len(_events(kind="login_failed,lockout", user=user["name"])) == 4


@pytest.mark.usefixtures("clean_db")
def test_account_and_membership_changes_are_recorded_with_who_did_them():
    admin = factories.Sysadmin()
    ctx = {"user": admin["name"]}
    org = department(user=admin)
    user = helpers.call_action("user_create", dict(ctx), name="new-clerk", email="clerk@localhost",
                               password=PASSWORD)
    helpers.call_action("user_update", dict(ctx), id=user["id"], email="clerk2@localhost",
                        fullname="新办事员", password="Another-pass-77")
    helpers.call_action("organization_member_create", dict(ctx), id=org["id"], username="new-clerk",
                        role="editor")
    helpers.call_action("organization_member_delete", dict(ctx), id=org["id"], username="new-clerk")
    helpers.call_action("user_delete", dict(ctx), id="new-clerk")

    rows = list(reversed(_events(user="new-clerk")))
    assert [r["kind"] for r in rows] == ["user_create", "user_update", "member_add", "member_remove",
                                         "user_delete"]
    assert all(r["actor"] == admin["name"] for r in rows)
    assert rows[1]["detail"] == {"fields": ["email", "fullname"], "password_changed": True}
    assert "Another-pass-77" not in str(rows)
    assert rows[2]["target"] == org["name"] and rows[2]["detail"]["capacity"] == "editor"
    assert rows[3]["target"] == org["name"]


@pytest.mark.usefixtures("clean_db")
def test_sysadmin_grant_and_revoke_from_the_command_line_are_recorded(cli):
    user = factories.User()
    assert cli.invoke(ckan, ["sysadmin", "add", user["name"]]).exit_code == 0
    assert cli.invoke(ckan, ["sysadmin", "remove", user["name"]]).exit_code == 0
    rows = list(reversed(_events(user=user["name"], kind="sysadmin_grant sysadmin_revoke")))
    assert [r["kind"] for r in rows] == ["sysadmin_grant", "sysadmin_revoke"]
    assert rows[0]["client_addr"] == "(命令行/后台任务)"


@pytest.mark.usefixtures("clean_db", "locks")
@pytest.mark.ckan_config("ckanext.qingyang.security.lockout_account_failures", 2)
def test_cli_login_unlock(app, cli):
    user = factories.User(password=PASSWORD)
    for _ in range(2):
        _login(app, user["name"], "wrong-Password-1")
    assert _login(app, user["name"], PASSWORD).status_code == 403
    result = cli.invoke(ckan, ["qingyang", "login-unlock", user["name"]])
    assert result.exit_code == 0, result.output
    assert f"unlocked user {user['name']}" in result.output
    assert _login(app, user["name"], PASSWORD).status_code == 302
    assert _events(kind="unlock", user=user["name"])
    assert cli.invoke(ckan, ["qingyang", "login-unlock"]).exit_code != 0   # neither user nor address


@pytest.mark.usefixtures("clean_db")
def test_events_are_append_only():
    factories.User()
    with model.meta.engine.connect() as conn:
        for sql in ("UPDATE qingyang_security_event SET actor = 'someone-else'",
                    "DELETE FROM qingyang_security_event", "TRUNCATE qingyang_security_event"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                with conn.begin():
                    conn.execute(sa.text(sql))
        assert conn.execute(sa.text("SELECT count(*) FROM qingyang_security_event")).scalar() >= 1


@pytest.mark.usefixtures("clean_db")
def test_only_admins_read_events_and_bad_filters_name_the_field():
    user = factories.User()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("qingyang_security_event_list", {"user": user["name"], "ignore_auth": False})
    with pytest.raises(tk.ValidationError) as e:
        _events(kind="login,teleport")
    assert "事件类型(kind)未知: teleport" in e.value.error_dict["kind"][0]
    with pytest.raises(tk.ValidationError) as e:
        _events(since="yesterday")
    assert "起始时间(since)" in e.value.error_dict["since"][0]
    assert _events(user=user["name"])
    assert _events(user=user["name"], since="2999-01-01") == []


@pytest.mark.usefixtures("clean_db", "locks")
@pytest.mark.ckan_config("ckanext.qingyang.security.proxy_hops", 1)
def test_behind_one_proxy_the_client_address_is_the_forwarded_one(app):
    user = factories.User(password=PASSWORD)
    app.post(tk.url_for("user.login"), data={"login": user["name"], "password": "wrong-Password-1"},
             headers={"X-Forwarded-For": "203.0.113.9"}, follow_redirects=False)
    assert _events(kind="login_failed", user=user["name"])[0]["client_addr"] == "203.0.113.9"


@pytest.mark.usefixtures("clean_db", "locks")
def test_without_a_trusted_proxy_a_forwarded_header_is_not_believed(app):
    user = factories.User(password=PASSWORD)
    app.post(tk.url_for("user.login"), data={"login": user["name"], "password": "wrong-Password-1"},
             headers={"X-Forwarded-For": "203.0.113.9"}, follow_redirects=False)
    assert _events(kind="login_failed", user=user["name"])[0]["client_addr"] == "127.0.0.1"
