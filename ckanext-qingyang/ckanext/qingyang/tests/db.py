"""The test database's housekeeping for the plugin's tables that CKAN's reset leaves alone."""
from __future__ import annotations


def empty_guarded(*tables: str) -> None:
    """Empty tables whose triggers refuse deletes, as their owner (the test database only)."""
    import sqlalchemy as sa
    from ckan import model

    with model.meta.engine.begin() as conn:
        for t in tables:
            conn.execute(sa.text(f"ALTER TABLE {t} DISABLE TRIGGER USER"))
            conn.execute(sa.text(f"DELETE FROM {t}"))
            conn.execute(sa.text(f"ALTER TABLE {t} ENABLE TRIGGER USER"))


def truncate(*tables: str) -> None:
    """Empty tables that CKAN's reset leaves alone, their guards lifted for the moment."""
    import sqlalchemy as sa
    from ckan import model

    with model.meta.engine.begin() as conn:
        for t in tables:
            conn.execute(sa.text(f"ALTER TABLE {t} DISABLE TRIGGER USER"))
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)}"))
        for t in tables:
            conn.execute(sa.text(f"ALTER TABLE {t} ENABLE TRIGGER USER"))


def module_site(build, *cleaners):
    """A reset test site with `build()`'s world, for a module fixture: CKAN's clean_db is per
    test, and a world of organizations and users is the slow part of most tests. A module
    fixture runs before the function fixtures, so it loads the plugins itself (as clean_db's
    with_plugins does); `cleaners` empty the plugin's tables that outlive the reset."""
    import ckan.plugins as plugins
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import helpers

    plugins.load_all()
    try:
        helpers.reset_db()
        _run_migrations("activity")
        _run_migrations("qingyang")
        search.clear_all()
        for clean in cleaners:
            clean()
        return build()
    finally:
        plugins.unload_all()
