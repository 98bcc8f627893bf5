import threading

import pytest
from werkzeug.serving import make_server


@pytest.fixture(autouse=True)
def _platform_plugins(with_plugins):
    """Every test runs with the platform's plugins (ckan.plugins of test.ini)."""


@pytest.fixture()
def clean_db(with_plugins, reset_db, migrate_db_for):
    # reset_db drops every table; the activity plugin's tables come from its
    # own migrations, so re-run them (as ckanext-activity's conftest does).
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("qingyang")


@pytest.fixture()
def sysadmin():
    from ckan.tests import factories

    return factories.Sysadmin()


# Debian's chromium, driven by Playwright (never `playwright install`: its download cannot run here)
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture()
def live_url(app):
    server = make_server("127.0.0.1", 0, app.app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture()
def browser(live_url):
    port = live_url.rsplit(":", 1)[1]
    from playwright import sync_api

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", f"--explicitly-allowed-ports={port}"])
        yield browser
        browser.close()


