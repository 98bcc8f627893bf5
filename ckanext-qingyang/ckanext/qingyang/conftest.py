import threading

import pytest


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
def no_limits_yet():
    """The rate limits live in the test site's Redis across tests and runs: Flask-Limiter's
    (LIMITS:*) and the boards' per-phone and per-address counts (qingyang-boards). Start with none."""
    from ckan.lib.redis import connect_to_redis

    redis = connect_to_redis()
    for pattern in ("LIMITS:*", "*qingyang-boards*"):
        for key in redis.scan_iter(pattern):
            redis.delete(key)


@pytest.fixture()
def sysadmin():
    from ckan.tests import factories

    return factories.Sysadmin()


# Debian's chromium, driven by Playwright (never `playwright install`: its download cannot run here)
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture()
def live_url(app):
    from werkzeug.serving import make_server   # here: the Airflow venv (core tests) has no werkzeug

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




# A real SMTP server for mail tests (aiosmtpd, as the issue asks): CKAN's mailer delivers
# to it through smtp.server; the test reads what arrived.
@pytest.fixture()
def smtp_server(ckan_config, monkeypatch):
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "subject": str(msg["subject"]), "body": msg.get_body(("plain", "html")).get_content(),
                                  "attachments": {a.get_filename(): a.get_content() for a in msg.iter_attachments()}})
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
    monkeypatch.setitem(ckan_config, "smtp.starttls", False)
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "noreply@qingyang.example.gov.cn")
    try:
        yield inbox
    finally:
        controller.stop()
