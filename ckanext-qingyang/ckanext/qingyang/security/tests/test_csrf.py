"""CSRF: every state-changing form of the platform refuses a logged-in POST without the token.

The test ini turns CSRF off for the other tests; here it is on, as in production."""
import re

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.qingyang.boards.blueprint import STEPS

PASSWORD = "Correct-horse-42"

# every POST route of the project's blueprints (rule: a URL to post to)
FORMS = {
    "/ask": ["/ask"],
    "/track/rate": ["/track/rate"],
    "/boards/messages/<id>/<any(" + ", ".join(STEPS) + "):step>": [f"/boards/messages/m1/{s}" for s in STEPS],
    "/qingyang/submit/<org_name>": ["/qingyang/submit/some-dept"],
    "/qingyang/items/<id>/submit": ["/qingyang/items/some-item/submit"],
    "/qingyang/drafts/<org_name>": ["/qingyang/drafts/some-dept"],
    "/qingyang/review/bulk": ["/qingyang/review/bulk"],
    "/qingyang/review/<id>": ["/qingyang/review/some-version"],
    "/qingyang/adjust": ["/qingyang/adjust"],
    "/qingyang/share-requests/new/<package_id>": ["/qingyang/share-requests/new/some-item"],
    "/qingyang/share-requests/<request_id>/<verb>": [f"/qingyang/share-requests/r1/{v}"
                                                     for v in ("approve", "refuse", "revoke")],
    "/qingyang/notices": ["/qingyang/notices"],
    "/qingyang/households/<package_id>": ["/qingyang/households/some-item"],
}
BLUEPRINTS = ("qingyang_portal", "qingyang_boards", "qingyang_catalog", "qingyang_publishing",
              "qingyang_sharing", "qingyang_security")

pytestmark = [pytest.mark.ckan_config("WTF_CSRF_ENABLED", True), pytest.mark.usefixtures("clean_db")]


def _token(app, url):
    m = re.search(r'name="_csrf_token"[^>]*value="([^"]+)"', app.get(url).get_data(as_text=True))
    assert m, f"no CSRF token on {url}"
    return m.group(1)


def _log_in(app, user):
    res = app.post(tk.url_for("user.login"), follow_redirects=False,
                   data={"login": user["name"], "password": PASSWORD, "_csrf_token": _token(app, "/user/login")})
    assert res.status_code == 302, "login with the token works"


def _refused(res):
    return res.status_code == 400 and "CSRF" in res.get_data(as_text=True)


def test_the_list_names_every_post_route(app):
    posted = {r.rule for r in app.flask_app.url_map.iter_rules()
              if "POST" in r.methods and r.endpoint.split(".")[0] in BLUEPRINTS}
    assert posted - FORMS.keys() == set(), "a new POST route: add it to FORMS (and give its form h.csrf_input())"
    assert FORMS.keys() - posted == set(), "a listed route is gone: remove it from FORMS"


@pytest.mark.parametrize("url", [u for urls in FORMS.values() for u in urls])
def test_a_logged_in_post_without_the_token_is_refused(app, url):
    _log_in(app, factories.Sysadmin(password=PASSWORD))
    res = app.post(url, data={"text": "x", "reason": "x", "approve": "1"}, follow_redirects=False)
    assert _refused(res), (res.status_code, res.get_data(as_text=True)[:300])
    res = app.post(url, data={"_csrf_token": "forged-token"}, follow_redirects=False)
    assert _refused(res)


def test_with_the_token_the_form_works(app):
    _log_in(app, factories.User(password=PASSWORD))
    res = app.post("/qingyang/notices", data={"_csrf_token": _token(app, "/qingyang/notices")},
                   follow_redirects=False)
    assert res.status_code == 302 and res.headers["Location"].endswith("/qingyang/notices")


def test_a_token_request_does_not_switch_csrf_off_for_browsers(app):
    """CKAN exempts a view for the whole process once an API token reached it; not here."""
    user = factories.User(password=PASSWORD)
    token = helpers.call_action("api_token_create", {"user": user["name"]}, user=user["name"], name="t")["token"]
    assert app.post("/qingyang/notices", headers={"Authorization": token},
                    follow_redirects=False).status_code == 302   # scripts with a token need no CSRF token
    _log_in(app, user)
    assert _refused(app.post("/qingyang/notices", data={}, follow_redirects=False))
