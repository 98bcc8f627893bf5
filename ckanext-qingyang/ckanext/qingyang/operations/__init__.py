"""Operations: backups that restore (第十七条: 存储、管理、维护、查询和归档).

`make backup` / `make restore` are scripts/backup.sh and scripts/restore.sh (pg_dump -Fc,
an encrypted private part, a SHA-256 manifest); continuous WAL archiving is configured by
scripts/setup-postgres.sh with scripts/backup-lib.sh's wal_archive_conf. The retention rule
of the nightly backups is pure, in core/backups.py. This package holds their tests beside
the CKAN site they back up, and the commands restore.sh runs (`cli.py`: backup-sample,
restore-verify); it adds no action, auth function or page.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    return {}


def get_auth_functions() -> dict[str, Any]:
    return {}


def get_blueprints() -> list[Any]:
    return []


def get_commands() -> list[Any]:
    from ckanext.qingyang.operations import cli

    return cli.get_commands()
