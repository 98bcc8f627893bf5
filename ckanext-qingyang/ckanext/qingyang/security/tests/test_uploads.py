"""Uploads: content checked against the declared format, downloads never rendered inline."""
import io

import pytest

from ckan.tests import factories, helpers

from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.factories import department

CSV = "姓名,年龄\n张三,30\n李四,40\n".encode()
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\0" * 8 + b"\x03\x00\x3e\x00\x01\x00\x00\x00" + b"\0" * 200


@pytest.fixture()
def item(clean_db):
    admin = factories.Sysadmin()
    token = helpers.call_action("api_token_create", {"user": admin["name"]}, user=admin["name"], name="t")["token"]
    pkg = create(department(name="upload-dept", title="市统计局"), publish=False)
    return {"pkg": pkg, "headers": {"Authorization": token}}


def _upload(app, item, content, filename, action="resource_create", **fields):
    data = {"name": "上传文件", "upload": (io.BytesIO(content), filename), **fields}
    if action == "resource_create":
        data["package_id"] = item["pkg"]["id"]
    return app.post(f"/api/3/action/{action}", headers=item["headers"], data=data)


def _resources(item):
    return helpers.call_action("package_show", id=item["pkg"]["id"])["resources"]


@pytest.mark.parametrize("content, filename, fmt, message", [
    (HTML, "data.csv", "CSV", "文件(upload)的内容是 HTML,与声明的格式 CSV 不符"),
    (HTML, "data.csv", None, "文件(upload)的内容是 HTML,与文件扩展名 .csv 不符"),
    (ELF, "report.pdf", None, "文件(upload)的内容是 可执行程序,与文件扩展名 .pdf 不符"),
    (CSV, "table.xlsx", "XLSX", "文件(upload)的内容是 CSV,与声明的格式 XLSX 不符"),
    (ELF, "tool", "工具", "文件(upload)的内容是 可执行程序,与声明的格式 工具 不符"),
    (HTML, "page", None, "文件(upload)的内容是 HTML,请声明格式(format)"),
])
def test_content_that_disagrees_with_the_declared_type_is_refused(app, item, content, filename, fmt, message):
    res = _upload(app, item, content, filename, **({"format": fmt} if fmt else {}))
    assert res.status_code == 409
    assert res.get_json()["error"]["upload"] == [message]
    assert _resources(item) == []


def test_a_replacement_upload_is_checked_too(app, item):
    res = _upload(app, item, CSV, "data.csv", format="CSV")
    assert res.status_code == 200
    rid = res.get_json()["result"]["id"]
    res = _upload(app, item, HTML, "data.csv", action="resource_update", id=rid, format="CSV")
    assert res.status_code == 409 and "HTML" in res.get_json()["error"]["upload"][0]
    assert app.get(_download_url(item, rid, "data.csv"), headers=item["headers"]).data == CSV   # the first file stays


def _download_url(item, rid, filename):
    return f"/dataset/{item['pkg']['id']}/resource/{rid}/download/{filename}"


def test_a_good_csv_downloads_as_an_attachment(app, item):
    res = _upload(app, item, CSV, "data.csv", format="CSV")
    assert res.status_code == 200, res.get_json()
    got = app.get(_download_url(item, res.get_json()["result"]["id"], "data.csv"), headers=item["headers"])
    assert got.status_code == 200 and got.data == CSV
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.ckan_config("ckan.files.inline_content_types", "text/html text/plain image")
def test_html_is_never_served_as_a_page(app, item):
    # declared as HTML it may be stored, but it comes back as text, as a download
    res = _upload(app, item, HTML, "page.html", format="HTML")
    assert res.status_code == 200, res.get_json()
    got = app.get(_download_url(item, res.get_json()["result"]["id"], "page.html"), headers=item["headers"])
    assert got.status_code == 200 and got.data == HTML
    assert got.headers["Content-Type"].startswith("text/plain")
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    # a CSV whose resource claims to be a page
    res = _upload(app, item, CSV, "data.csv", format="CSV", mimetype="text/html")
    got = app.get(_download_url(item, res.get_json()["result"]["id"], "data.csv"), headers=item["headers"])
    assert got.headers["Content-Type"].startswith("text/plain")
    assert got.headers["Content-Disposition"].startswith("attachment")
