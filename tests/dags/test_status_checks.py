"""The pure functions behind the CKAN status DAG (no CKAN, no Airflow DB needed)."""

import pytest
from qingyang_pipeline.connection import ckan_base_url
from qingyang_pipeline.status import status_problems, summarize

GOOD = {
    "site_title": "Qingyang",
    "site_url": "http://127.0.0.1:5000",
    "ckan_version": "2.12.0",
    "extensions": ["activity", "qingyang", "scheming_datasets"],
}


@pytest.mark.parametrize(
    ("conn_type", "host", "port", "schema", "url"),
    [
        ("http", "127.0.0.1", 5000, "", "http://127.0.0.1:5000"),
        ("https", "ckan.example.org", None, None, "https://ckan.example.org"),
        ("generic", "ckan.local", 8443, "https", "https://ckan.local:8443"),
        ("http", "http://127.0.0.1:5050/", None, None, "http://127.0.0.1:5050"),
    ],
)
def test_ckan_base_url(conn_type, host, port, schema, url):
    assert ckan_base_url(conn_type, host, port, schema) == url


def test_ckan_base_url_needs_host():
    with pytest.raises(ValueError, match="no host"):
        ckan_base_url("http", "", 5000, None)


def test_good_status_passes():
    assert status_problems(GOOD) == []
    assert summarize(GOOD)["ckan_version"] == "2.12.0"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ckan_version": "2.11.3"}, "expected 2.12.x"),
        ({"ckan_version": "2.120"}, "expected 2.12.x"),
        ({"ckan_version": None}, "expected 2.12.x"),
        ({"extensions": ["activity"]}, "'qingyang' not enabled"),
        ({"extensions": "qingyang"}, "not a list"),
    ],
)
def test_bad_status_fails_loudly(change, message):
    with pytest.raises(ValueError, match=message):
        summarize({**GOOD, **change})
