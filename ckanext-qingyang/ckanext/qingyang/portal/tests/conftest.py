import threading

import pytest
from werkzeug.serving import make_server

from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.factories import department


@pytest.fixture()
def city_dept(clean_db, clean_index):
    return department(name="qingyang-natural-resources", title="庆阳市自然资源局")


@pytest.fixture()
def approval(city_dept):
    return create(city_dept)


@pytest.fixture(scope="module")
def world():
    """The portal's small city (world.py), built once for a module whose tests only read.

    A module fixture runs before the function fixtures, so it loads the plugins and
    resets the database itself (as clean_db does); each test's with_plugins reloads them.
    """
    import ckan.plugins as plugins
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import helpers

    from ckanext.qingyang.portal.tests import world as world_module

    plugins.load_all()
    try:
        helpers.reset_db()
        _run_migrations("activity")
        _run_migrations("qingyang")
        search.clear_all()
        return world_module.build()
    finally:
        plugins.unload_all()


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


