"""`ckan qingyang login-unlock`: the unlock action for operators at the console."""
from __future__ import annotations

import click
import ckan.plugins.toolkit as tk


@click.command("login-unlock", short_help="解除登录锁定 (unlock an account or a client address)")
@click.argument("user", required=False)
@click.option("--address", help="the client address to unlock")
def login_unlock(user: str | None, address: str | None):
    """Unlock USER and/or --address after repeated failed logins (recorded as a security event)."""
    if not user and not address:
        raise click.UsageError("give USER or --address (请指定账号或地址)")
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    tk.get_action("qingyang_login_unlock")({"user": site_user}, {"user": user, "address": address})
    click.echo(f"login-unlock: unlocked {' and '.join(x for x in (user and f'user {user}', address and f'address {address}') if x)}")
