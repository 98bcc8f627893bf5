"""`ckan qingyang backup-sample` / `restore-verify`: what restore.sh checks through CKAN itself.

backup.sh records a sample of `package_show` answers beside the dumps; restore.sh asks the
restored site for the same items and compares them field by field, verifies the audit
chain, and (after the Solr rebuild) that search answers for every item in the database.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa


def _context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    # use_cache off: package_show answers from the database, not from the search index
    return {"user": site_user["name"], "ignore_auth": True, "use_cache": False}


def _fail(message_zh: str, message_en: str) -> None:
    click.echo(f"ERROR {message_en} / {message_zh}", err=True)
    sys.exit(1)


def differing_fields(before: dict, after: dict, prefix: str = "") -> list[str]:
    """The dotted paths where two package_show answers differ."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key in sorted(set(before) | set(after)):
            out += differing_fields(before.get(key), after.get(key), f"{prefix}{key}.")
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [p for i, (b, a) in enumerate(zip(before, after)) for p in differing_fields(b, a, f"{prefix}{i}.")]
    return [] if before == after else [prefix.rstrip(".")]


@click.command("backup-sample", short_help="Record package_show of a sample of items (for restore-verify)")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--size", default=50, show_default=True, type=click.IntRange(min=1))
@click.option("--stable-since", type=click.Path(exists=True, dir_okay=False),
              help="A sample taken before the dump: keep only its items that are still the same now.")
def backup_sample(out: str, size: int, stable_since: str | None):
    """Run once before pg_dump and once after it with --stable-since: an item the same on both
    sides is what the dump holds, whatever path changed the others (those are only named)."""
    show = tk.get_action("package_show")
    if stable_since:
        before = json.loads(Path(stable_since).read_text())["items"]
        items, changed = [], []
        for item in before:
            try:
                now = show(_context(), {"id": item["id"]})
            except tk.ObjectNotFound:
                now = None
            if now == item:
                items.append(item)
            else:
                changed.append(item["name"])
    else:
        # md5(id) orders the items the same way on every run, spread over types and departments
        ids = [r[0] for r in model.Session.execute(sa.text(
            "select id from package where state in ('active', 'draft') order by md5(id) limit :n"), {"n": size})]
        items, changed = [show(_context(), {"id": i}) for i in ids], []
    Path(out).write_text(json.dumps({"items": items, "changed": changed}, ensure_ascii=False, sort_keys=True))
    click.echo(f"backup-sample: {len(items)} items recorded in {out}" + (f", {len(changed)} changed" if changed else ""))


@click.command("restore-verify", short_help="Compare the restored site with the backup's sample")
@click.argument("sample", type=click.Path(exists=True, dir_okay=False))
@click.option("--search/--no-search", default=True, help="Check that search answers for every item.")
def restore_verify(sample: str, search: bool):
    recorded = json.loads(Path(sample).read_text())
    items, changed = recorded["items"], list(recorded["changed"])
    show = tk.get_action("package_show")
    compared = 0
    for before in items:
        try:
            after = show(_context(), {"id": before["id"]})
        except tk.ObjectNotFound:
            _fail(f"备份中的信息资源 {before['name']} 在恢复后的站点中不存在",
                  f"item {before['name']} of the backup's sample is missing after the restore")
        fields = differing_fields(before, after)
        if fields:
            _fail(f"信息资源 {before['name']} 恢复后与备份不一致,字段: {', '.join(fields[:10])}",
                  f"item {before['name']} differs after the restore in fields: {', '.join(fields[:10])}")
        compared += 1
    note = f" ({len(changed)} changed during the backup, not compared: {', '.join(changed[:5])})" if changed else ""
    click.echo(f"ok  package_show of {compared} sampled items equals the backup's, field by field{note}")

    audit = tk.get_action("qingyang_audit_verify")(_context(), {})
    if not audit["intact"]:
        first = (audit.get("problems") or [{}])[0]
        _fail(first.get("message") or f"访问审计日志的哈希链在第 {audit['first_broken_seq']} 条处断开",
              first.get("error") or f"the access log's hash chain breaks at seq {audit['first_broken_seq']}")
    months = f", {audit['months']} archived months" if audit.get("months") else ""
    click.echo(f"ok  qingyang_audit_verify: the access log's hash chain is intact ({audit['rows']} rows{months})")

    if search:
        in_db = {r[0] for r in model.Session.execute(sa.text("select id from package where state = 'active'"))}
        found: set[str] = set()
        search_action = tk.get_action("package_search")
        start = 0
        while True:
            page = search_action(_context(), {"q": "*:*", "fl": "id", "rows": 1000, "start": start,
                                              "include_private": True, "sort": "id asc"})
            found |= {r["id"] for r in page["results"]}
            start += 1000
            if start >= page["count"]:
                break
        missing = in_db - found
        if missing:
            _fail(f"{len(missing)} 个信息资源检索不到,例如 {sorted(missing)[:5]}",
                  f"{len(missing)} items are not found by search, e.g. {sorted(missing)[:5]}")
        click.echo(f"ok  search answers for every one of the {len(in_db)} active items")


def get_commands() -> list[click.Command]:
    return [backup_sample, restore_verify]
