"""Security (等保 2.0 level 2): login lockout, password policy, security headers.

lockout.py counts failed logins per account and per client address in CKAN's Redis;
passwords.py is the password policy every account creation and change passes;
headers.py adds the security headers to every response; events.py writes the
append-only security events (logins, failures, lockouts, unlocks, admin changes).
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.security import events, lockout

    return {"qingyang_login_unlock": lockout.qingyang_login_unlock,
            "qingyang_security_event_list": events.qingyang_security_event_list,
            **events.CHAINED}


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang import auth_checks

    return {"qingyang_login_unlock": auth_checks.platform_admin,
            "qingyang_security_event_list": auth_checks.platform_admin}


def get_blueprints() -> list[Any]:
    return []


def get_commands() -> list[Any]:
    from ckanext.qingyang.security import commands

    return [commands.login_unlock]
