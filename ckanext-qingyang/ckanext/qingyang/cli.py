"""`ckan qingyang ...` commands (IClick)."""
from __future__ import annotations

from pathlib import Path

import click
import ckan.plugins.toolkit as tk

from ckanext.qingyang import orgtree


def _site_action(name: str, data: dict):
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    return tk.get_action(name)(context, data)


def catalogs_dir() -> Path:
    return Path(tk.config.get("ckanext.qingyang.catalogs_dir"))


@click.group(chain=True, short_help="庆阳平台命令 (Qingyang platform commands)")
def qingyang():
    """Commands chain, so `make up` pays CKAN's start-up once."""


@qingyang.command("ensure-sysadmin")
@click.argument("name")
@click.option("--password-file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--email", default="admin@localhost")
def ensure_sysadmin(name: str, password_file: str, email: str):
    """Create the sysadmin NAME (password from a file) unless it exists."""
    try:
        user = _site_action("user_show", {"id": name})
    except tk.ObjectNotFound:
        password = Path(password_file).read_text(encoding="utf-8").strip()
        user = _site_action("user_create", {"name": name, "email": email, "password": password,
                                           "fullname": "平台管理员"})
        click.echo(f"sysadmin {name}: created")
    if not user.get("sysadmin"):
        _site_action("user_patch", {"id": user["id"], "sysadmin": True})


@qingyang.command("load-orgs")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
def load_orgs(path: str | None):
    """Create or update the organization tree from catalogs/organizations.yaml."""
    entries = orgtree.read_tree(path or catalogs_dir() / "organizations.yaml")
    report = orgtree.load_tree(entries, _site_action, tk.ObjectNotFound)
    click.echo(report.summary())


def get_commands():
    return [qingyang]
