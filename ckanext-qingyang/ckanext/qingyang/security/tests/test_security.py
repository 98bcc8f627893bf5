"""Hardening: headers, password policy, login lockout and its unlock, as a user meets them."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.qingyang.security import lockout

from ckanext.qingyang.security.tests.login import PASSWORD
from ckanext.qingyang.security.tests.login import login as _login


@pytest.mark.usefixtures("clean_db")
def test_every_response_carries_the_security_headers(app):
    for url in ("/", "/api/3/action/status_show", "/user/login", "/no-such-page"):
        h = app.get(url).headers
        assert h["X-Content-Type-Options"] == "nosniff", url
        assert h["X-Frame-Options"] == "SAMEORIGIN", url
        assert h["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert "frame-ancestors 'self'" in h["Content-Security-Policy"], url
        assert "Strict-Transport-Security" not in h, url


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.qingyang.security.hsts", "true")
def test_hsts_in_production(app):
    assert "max-age=31536000" in app.get("/").headers["Strict-Transport-Security"]


@pytest.mark.usefixtures("clean_db")
@pytest.mark.parametrize("password", ["short1A", "alllowercaseletters"])
def test_weak_password_refused_with_the_field_named(password):
    with pytest.raises(tk.ValidationError) as e:
        helpers.call_action("user_create", name="weak-user", email="w@localhost", password=password)
    assert any("密码(password)" in m for m in e.value.error_dict["password"])


@pytest.mark.usefixtures("clean_db")
@pytest.mark.ckan_config("ckanext.qingyang.security.password_min_classes", 3)
def test_password_change_passes_the_policy_too():
    user = factories.User(password=PASSWORD)
    with pytest.raises(tk.ValidationError) as e:
        helpers.call_action("user_update", id=user["id"], email=user["email"], password="onlylower123")
    assert "至少 3 类" in e.value.error_dict["password"][0]
    helpers.call_action("user_update", id=user["id"], email=user["email"], password="Mixed-case-99")


@pytest.mark.usefixtures("clean_db")
def test_factory_and_generated_passwords_satisfy_the_policy():
    import secrets
    from ckanext.qingyang.security import passwords
    factories.User()   # CKAN's factories' default password
    for _ in range(200):   # how scripts/lib.sh and cli.py make the admin, demo and pipeline passwords
        assert passwords.problems(secrets.token_urlsafe(12)) == []


@pytest.mark.usefixtures("clean_db", "locks")
@pytest.mark.ckan_config("ckanext.qingyang.security.lockout_account_failures", 3)
def test_account_locks_after_failures_even_for_the_right_password_until_unlocked(app):
    user = factories.User(password=PASSWORD)
    assert _login(app, user["name"], PASSWORD).status_code == 302   # works before
    app.get("/user/_logout")
    for _ in range(3):
        assert _login(app, user["name"], "wrong-Password-1").status_code == 200
    resp = _login(app, user["name"], PASSWORD)
    assert resp.status_code == 403
    assert "已被锁定" in resp.get_data(as_text=True)

    admin = factories.Sysadmin()
    helpers.call_action("qingyang_login_unlock", {"user": admin["name"]}, user=user["name"])
    assert _login(app, user["name"], PASSWORD).status_code == 302


@pytest.mark.usefixtures("clean_db", "locks")
@pytest.mark.ckan_config("ckanext.qingyang.security.lockout_address_failures", 4)
@pytest.mark.ckan_config("ckanext.qingyang.security.lockout_account_failures", 100)
def test_address_locks_after_failures_across_accounts(app):
    user = factories.User(password=PASSWORD)
    for i in range(4):
        _login(app, f"nobody{i}", "wrong-Password-1")
    resp = _login(app, user["name"], PASSWORD)
    assert resp.status_code == 403
    assert "本地址" in resp.get_data(as_text=True)
    lockout.clear(addr="127.0.0.1")
    assert _login(app, user["name"], PASSWORD).status_code == 302


@pytest.mark.usefixtures("clean_db")
def test_only_admins_unlock():
    user = factories.User()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("qingyang_login_unlock", {"user": user["name"], "ignore_auth": False},
                            user=user["name"])
    with pytest.raises(tk.ValidationError):
        helpers.call_action("qingyang_login_unlock", {"user": factories.Sysadmin()["name"]})


@pytest.mark.usefixtures("clean_db", "locks")
@pytest.mark.ckan_config("ckanext.qingyang.security.session_idle_seconds", 2)
def test_idle_session_is_logged_out(app):
    import time
    user = factories.User(password=PASSWORD)
    assert _login(app, user["name"], PASSWORD).status_code == 302
    assert user["name"] in app.get("/dashboard/datasets").get_data(as_text=True)   # logged in
    time.sleep(3)
    resp = app.get("/dashboard/datasets", follow_redirects=False)
    assert resp.status_code == 302 and "/user/login" in resp.headers["Location"]
    assert app.get("/dashboard/datasets", follow_redirects=False).status_code in (302, 403)
