import pytest


@pytest.fixture()
def locks():
    """The lockout counts live in Redis, outside CKAN's database reset: cleared after each test."""
    yield
    import ckan.plugins.toolkit as tk
    from ckan.lib.redis import connect_to_redis

    r = connect_to_redis()
    for k in r.scan_iter(f"{tk.config.get('ckan.site_id')}:qingyang:login_fail:*"):
        r.delete(k)
