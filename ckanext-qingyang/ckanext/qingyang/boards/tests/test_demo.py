"""The demo messages: every state, marked 示例, loaded twice without change."""
from __future__ import annotations

from click.testing import CliRunner

from ckanext.qingyang.boards.tests.world import ok
from ckanext.qingyang.core import boards as rules


def test_demo_messages_cover_every_state_and_load_once(app, world, cli):
    from ckan.cli.cli import ckan as ckan_cli  # noqa: F401  (the plugin's commands hang under it)

    result = cli.invoke(ckan_cli, ["qingyang", "demo-messages", "--size", "120"])
    assert result.exit_code == 0, result.output
    assert "120 created" in result.output
    again = cli.invoke(ckan_cli, ["qingyang", "demo-messages", "--size", "120"])
    assert "0 created, 120 already there" in again.output

    listed = ok(app, world, "platform_admin", "qingyang_message_list", scope="centre", rows=100)
    assert listed["count"] == 120
    statuses, everything = set(), []
    for start in (0, 100):
        page = ok(app, world, "platform_admin", "qingyang_message_list", scope="centre", rows=100, start=start)
        everything += page["results"]
    statuses = {m["status"] for m in everything}
    assert statuses == set(rules.STATUS_LABELS), statuses
    assert all(m["demo"] and m["title"].startswith("【示例】") for m in everything)
    assert any(m["overdue"] for m in everything)
    public = ok(app, world, None, "qingyang_message_list", scope="public")
    assert public["count"] > 0
    assert ok(app, world, "centre", "qingyang_message_list", scope="supervise")["count"] > 0
    figures = ok(app, world, None, "qingyang_board_figures")
    assert figures and all(f["received"] > 0 for f in figures)
    # the ladder finds the demo consistent: a run adds no second copy of a step already taken
    ok(app, world, "sysadmin", "qingyang_boards_escalate")
    taken = ok(app, world, "sysadmin", "qingyang_boards_escalate")["taken"]
    assert taken == {}
