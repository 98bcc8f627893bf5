"""Fixtures shared by the sharing tests."""
from __future__ import annotations

import pytest
import sqlalchemy as sa


def empty_access_log() -> None:
    """CKAN's reset leaves the append-only tables alone: empty them as their owner
    (the test database only)."""
    import ckan.model as model

    with model.meta.engine.begin() as conn:
        for table in ("qingyang_access_log", "qingyang_access_log_archive"):
            conn.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_rewrite"))
            conn.execute(sa.text(f"DELETE FROM {table}"))
            conn.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_rewrite"))


@pytest.fixture()
def fresh_access_log(clean_db):
    """An empty access log before the test and again after it, so that a log a test
    tampered with (or archive entries pointing at its temporary files) never reaches
    a later test, nor the backup drill that verifies the test site's chain."""
    import ckan.model as model

    empty_access_log()
    yield
    model.Session.rollback()
    empty_access_log()
