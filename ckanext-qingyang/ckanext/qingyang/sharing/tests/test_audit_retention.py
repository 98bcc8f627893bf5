"""Access log retention: one row per search page view, monthly archive files whose
hashes and chain qingyang_audit_verify checks, the list across online and archived
months, and the append-only guard that still refuses every other rewrite; against
the real PostgreSQL of test.ini."""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import stat

import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers

from ckanext.qingyang.sharing.tests.test_sharing import build_world, call, get, ok



def _months_ago(n: int) -> str:
    today = dt.date.today()
    m = today.year * 12 + today.month - 1 - n
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


# three months well before a six-month online window
OLD_MONTHS = (_months_ago(11), _months_ago(10), _months_ago(9))
JAN, FEB, MAR = OLD_MONTHS


@pytest.fixture()
def world(app, clean_db, clean_index):
    return build_world(app)


def _count(**where) -> int:
    import ckan.model as model

    cond = " AND ".join(f"{k} = :{k}" for k in where) or "TRUE"
    return model.Session.execute(sa.text(f"SELECT count(*) FROM qingyang_access_log WHERE {cond}"), where).scalar()


# ---------------------------------------------------------------- aggregated search rows
def test_a_search_page_view_is_one_row_listing_the_hidden_items_it_showed(app, world):
    gov = world.users["government"]["name"]
    before = _count(user_name=gov, access="search")
    found = ok(app, world, "government", "package_search", fq="dataset_type:shared_resource", rows=100)
    hidden = {world.items[c]["id"] for c in ("govu", "govc")}
    assert hidden <= {r["id"] for r in found["results"]}
    assert _count(user_name=gov, access="search") == before + 1
    row = ok(app, world, "owner_admin", "qingyang_audit_list", organization="owner-dept", user=gov)[0]
    assert row["access"] == "search" and row["access_label"] == "检索命中"
    assert {i["id"] for i in row["items"]} == hidden
    assert "共享测试资源govu" in row["package_title"] and "共享测试资源govc" in row["package_title"]
    # the same page again is a new page view: one more row, not one per item
    ok(app, world, "government", "package_search", fq="dataset_type:shared_resource", rows=100)
    assert _count(user_name=gov, access="search") == before + 2
    # the HTML search page: one row too
    page = get(app, world, "government", "/shared_resource/?q=qytokengovu")
    assert page.status_code == 200
    assert _count(user_name=gov, access="search") == before + 3
    # found by the item it lists, shown in the audit page's CSV
    by_item = ok(app, world, "owner_admin", "qingyang_audit_list", organization="owner-dept",
                 package_id=world.items["govc"]["id"], user=gov)
    assert {r["access"] for r in by_item} == {"search"} and len(by_item) == 2
    csv_text = get(app, world, "owner_admin", "/qingyang/audit?organization=owner-dept&format=csv").get_data().decode("utf-8-sig")
    assert "共享测试资源govc" in csv_text
    # another department's log does not list the owner's items
    assert ok(app, world, "grantee", "qingyang_audit_list", organization="grantee-dept", user=gov) == []
    assert ok(app, world, "platform_admin", "qingyang_audit_verify")["intact"]


# ---------------------------------------------------------------- archiving
def _insert(conn, at: str, user: str = "reader", org: str = "org-a", pkg: str = "pkg-1"):
    conn.execute(sa.text("INSERT INTO qingyang_access_log (at, user_name, user_orgs, access, package_id, owner_org, "
                         "client_addr) VALUES (:at, :u, 'other', 'show', :p, :o, '127.0.0.1')"),
                 {"at": at, "u": user, "p": pkg, "o": org})


@pytest.fixture()
def old_log(fresh_access_log, ckan_config, monkeypatch, tmp_path):
    """Two rows in each of three old months, then one of now, in a log of their own
    (the chain starts with them); the log is emptied again afterwards, so no manifest
    entry outlives its temporary files (fresh_access_log)."""
    import ckan.model as model

    monkeypatch.setitem(ckan_config, "ckanext.qingyang.audit_archive_dir", str(tmp_path / "audit"))
    with model.meta.engine.begin() as conn:
        for i, month in enumerate(OLD_MONTHS):
            _insert(conn, f"{month}-03T08:00:00+00", user=f"reader{i}")
            _insert(conn, f"{month}-27T23:59:59.5+00", user=f"reader{i}", org="org-b", pkg="pkg-2")
        _insert(conn, dt.datetime.now(dt.timezone.utc).isoformat(), user="recent")
    yield tmp_path / "audit"


def _admin():
    return factories.Sysadmin()["name"]


def _archive(**params):
    return helpers.call_action("qingyang_audit_archive", {"user": _admin()}, **{"online_months": 6, **params})


def _verify():
    return helpers.call_action("qingyang_audit_verify", {"user": _admin()})


def test_old_months_move_into_hashed_files_and_the_chain_holds_across(old_log):
    import ckan.model as model

    result = _archive()
    assert [m["month"] for m in result["archived"]] == list(OLD_MONTHS)
    assert _count() == 1   # only this month's row is online
    manifest = model.Session.execute(sa.text("SELECT month, file_name, sha256, rows FROM qingyang_access_log_archive "
                                             "ORDER BY month")).all()
    assert [(m, n) for m, _f, _h, n in manifest] == [(m, 2) for m in OLD_MONTHS]
    for month, name, digest, _n in manifest:
        path = old_log / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)   # read-only
        rows = [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]
        assert {r["at"][:7] for r in rows} == {month}
    v = _verify()
    assert v["intact"] and v["rows"] == 7 and v["months"] == 3 and v["problems"] == []
    # archiving again moves nothing; new rows continue the chain
    assert _archive()["archived"] == []
    with model.meta.engine.begin() as conn:
        _insert(conn, dt.datetime.now(dt.timezone.utc).isoformat(), user="later")
    assert _verify()["intact"] and _verify()["rows"] == 8
    # fewer than six months online is refused, with the field named
    with pytest.raises(helpers.logic.ValidationError, match="online_months"):
        _archive(online_months=3)


def test_the_list_reads_online_and_archived_months(old_log, app, monkeypatch):
    # a request reads the web app's own copy of the configuration
    monkeypatch.setitem(app.flask_app.config, "ckanext.qingyang.audit_archive_dir", str(old_log))
    _archive()
    everything = helpers.call_action("qingyang_audit_list", {"user": _admin()})
    assert [r["user_name"] for r in everything] == ["recent", "reader2", "reader2", "reader1", "reader1",
                                                   "reader0", "reader0"]
    assert [r["archived"] for r in everything] == [False] + [True] * 6
    seqs = [r["seq"] for r in everything]
    assert seqs == sorted(seqs, reverse=True)
    feb = helpers.call_action("qingyang_audit_list", {"user": _admin()}, since=f"{FEB}-01", until=f"{MAR}-01")
    assert {r["user_name"] for r in feb} == {"reader1"} and len(feb) == 2
    by_pkg = helpers.call_action("qingyang_audit_list", {"user": _admin()}, package_id="pkg-2")
    assert [r["at"][:7] for r in by_pkg] == [MAR, FEB, JAN]
    page = helpers.call_action("qingyang_audit_list", {"user": _admin()}, limit=2, offset=2)
    assert [r["seq"] for r in page] == seqs[2:4]
    # the admin's audit page shows archived rows too
    admin = _admin()
    token = helpers.call_action("api_token_create", {"ignore_auth": True, "user": admin}, user=admin, name="t")["token"]
    res = app.get(f"/qingyang/audit?format=csv&since={JAN}-01&until={FEB}-01", headers={"Authorization": token})
    assert res.status_code == 200 and res.get_data(as_text=True).count("reader0") == 2


def test_the_guard_still_refuses_every_other_update_and_delete(old_log):
    import ckan.model as model

    _archive()
    statements = ("UPDATE qingyang_access_log SET user_name = 'x'", "DELETE FROM qingyang_access_log",
                  "TRUNCATE qingyang_access_log",
                  # the release flag alone opens nothing: these rows are in no archive file
                  "SELECT set_config('qingyang.audit_release', 'on', true); DELETE FROM qingyang_access_log",
                  # a month with no archive file recorded
                  f"SELECT qingyang_access_log_release('{_months_ago(0)}')",
                  "UPDATE qingyang_access_log_archive SET sha256 = 'x'", "DELETE FROM qingyang_access_log_archive",
                  # a forged manifest entry for the current month is refused
                  "INSERT INTO qingyang_access_log_archive (month, period_start, period_end, file_name, sha256, rows,"
                  " first_seq, last_seq, first_prev_hash, last_row_hash) SELECT 'now', date_trunc('month', now()),"
                  " date_trunc('month', now()) + interval '1 month', 'f', 'h', 1, seq, seq, prev_hash, row_hash"
                  " FROM qingyang_access_log")
    for statement in statements:
        with pytest.raises(sa.exc.DBAPIError, match="append-only|no archive file|not over|does not continue"):
            with model.meta.engine.begin() as conn:
                for part in statement.split("; "):
                    conn.execute(sa.text(part))
    assert _count() == 1 and _verify()["intact"]


def _rewrite(path, change):
    rows = [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]
    change(rows)
    path.chmod(0o644)
    path.write_bytes(gzip.compress("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()))


def test_a_changed_or_missing_file_is_reported(old_log):
    import ckan.model as model

    _archive()
    feb = old_log / f"access-log-{FEB}.jsonl.gz"
    original = feb.read_bytes()
    _rewrite(feb, lambda rows: rows[0].update(user_name="someone-else"))
    v = _verify()
    assert not v["intact"] and v["problems"][0]["month"] == FEB
    assert "已被改动" in v["problems"][0]["message"] and "was changed" in v["problems"][0]["error"]
    # whoever also rewrote the recorded hash (as table owner) is caught by the chain inside the file
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE qingyang_access_log_archive DISABLE TRIGGER qingyang_access_log_archive_no_rewrite"))
        conn.execute(sa.text("UPDATE qingyang_access_log_archive SET sha256 = :h WHERE month = :m"),
                     {"h": hashlib.sha256(feb.read_bytes()).hexdigest(), "m": FEB})
        conn.execute(sa.text("ALTER TABLE qingyang_access_log_archive ENABLE TRIGGER qingyang_access_log_archive_no_rewrite"))
        first = conn.execute(sa.text("SELECT first_seq FROM qingyang_access_log_archive WHERE month = :m"), {"m": FEB}).scalar()
    v = _verify()
    assert not v["intact"] and v["first_broken_seq"] == first and "与哈希链不符" in v["problems"][0]["message"]
    feb.unlink()
    v = _verify()
    assert not v["intact"] and "缺失" in v["problems"][0]["message"] and "missing" in v["problems"][0]["error"]
    feb.write_bytes(original)


def test_a_break_at_the_boundary_between_files_and_online_rows_is_reported(old_log):
    import ckan.model as model

    _archive()
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE qingyang_access_log DISABLE TRIGGER qingyang_access_log_no_rewrite"))
        seq = conn.execute(sa.text("SELECT min(seq) FROM qingyang_access_log")).scalar()
        conn.execute(sa.text("UPDATE qingyang_access_log SET prev_hash = 'forged' WHERE seq = :s"), {"s": seq})
        conn.execute(sa.text("ALTER TABLE qingyang_access_log ENABLE TRIGGER qingyang_access_log_no_rewrite"))
    v = _verify()
    assert not v["intact"] and v["first_broken_seq"] == seq and "衔接处断开" in v["problems"][0]["message"]


def test_a_file_whose_chain_does_not_continue_the_month_before_is_reported(old_log):
    _archive()
    # a whole month's file replaced by one whose rows hash correctly among themselves but start elsewhere
    mar = old_log / f"access-log-{MAR}.jsonl.gz"
    _rewrite(mar, lambda rows: rows[0].update(prev_hash="0" * 64))
    import ckan.model as model
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE qingyang_access_log_archive DISABLE TRIGGER qingyang_access_log_archive_no_rewrite"))
        conn.execute(sa.text("UPDATE qingyang_access_log_archive SET sha256 = :h WHERE month = :m"),
                     {"h": hashlib.sha256(mar.read_bytes()).hexdigest(), "m": MAR})
        conn.execute(sa.text("ALTER TABLE qingyang_access_log_archive ENABLE TRIGGER qingyang_access_log_archive_no_rewrite"))
    v = _verify()
    assert not v["intact"] and v["problems"][0]["month"] == MAR and "衔接不上" in v["problems"][0]["message"]


def test_the_cli_archives_and_verifies(cli, old_log):
    from ckan.cli.cli import ckan

    done = cli.invoke(ckan, ["qingyang", "audit-archive", "--online-months", "6"])
    assert done.exit_code == 0, done.output
    assert f"{JAN}: 2 rows" in done.output and "3 month(s) archived" in done.output
    checked = cli.invoke(ckan, ["qingyang", "audit-verify"])
    assert checked.exit_code == 0 and "intact: 7 rows, 3 archived month(s)" in checked.output
    (old_log / f"access-log-{JAN}.jsonl.gz").unlink()
    broken = cli.invoke(ckan, ["qingyang", "audit-verify"])
    assert broken.exit_code == 1 and JAN in broken.output
