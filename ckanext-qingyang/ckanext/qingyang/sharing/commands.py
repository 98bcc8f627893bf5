"""`ckan qingyang audit-archive` (monthly, from cron) and `ckan qingyang audit-verify`."""
from __future__ import annotations

import sys

import click
import ckan.plugins.toolkit as tk


def _context() -> dict:
    return {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}


@click.command("audit-archive", short_help="归档访问审计日志的旧月份 (archive old months of the access log)")
@click.option("--online-months", type=int, help="keep this many months online (default: ckanext.qingyang.audit_online_months)")
def audit_archive(online_months: int | None):
    """Move whole months older than the online retention into gzip'd monthly files."""
    try:
        result = tk.get_action("qingyang_audit_archive")(_context(), {"online_months": online_months})
    except tk.ValidationError as e:
        raise click.UsageError(str(e.error_dict))
    for m in result["archived"]:
        click.echo(f"audit-archive: {m['month']}: {m['rows']} rows -> {m['file']} (sha256 {m['sha256']})")
    click.echo(f"audit-archive: {len(result['archived'])} month(s) archived; rows before {result['cutoff']} are archived")


@click.command("audit-verify", short_help="校验访问审计日志 (verify the access log's chain and archive files)")
def audit_verify():
    """Check every archive file's SHA-256 and the hash chain through files and online rows."""
    result = tk.get_action("qingyang_audit_verify")(_context(), {})
    for p in result["problems"]:
        click.echo(f"audit-verify: FAILED: {p['message']} / {p['error']}", err=True)
    if not result["intact"]:
        sys.exit(1)
    click.echo(f"audit-verify: intact: {result['rows']} rows, {result['months']} archived month(s)")
