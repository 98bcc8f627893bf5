"""The inbox scan and the immutable, content-addressed archive, on real folders."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from qingyang_pipeline import archive
from qingyang_pipeline.archive import archive_file, read_manifest
from qingyang_pipeline.inbox import InboxFile, done, file_sha256, scan_inbox

TYPES = ("special_fund", "power_item")
RECEIVED = dt.datetime(2025, 7, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def put(root: Path, rel: str, data: bytes = b"x") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def later(*paths: Path, by: float = 10.0) -> float:
    """A `now` by which all these files have settled."""
    return max(max(p.stat().st_ctime, p.stat().st_mtime) for p in paths) + by


# ---------------------------------------------------------------- inbox scan
def test_scan_finds_files_in_the_layout_sorted(tmp_path):
    b = put(tmp_path, "qysczj/special_fund/b.xlsx", b"bb")
    a = put(tmp_path, "qysczj/special_fund/a.csv")
    c = put(tmp_path, "qysczj/power_item/z.json")
    d = put(tmp_path, "aaa-org/special_fund/x.xlsx")
    scan = scan_inbox(tmp_path, TYPES, now=later(a, b, c, d))
    assert [(f.org_name, f.type_name, f.path.name) for f in scan] == [
        ("aaa-org", "special_fund", "x.xlsx"), ("qysczj", "power_item", "z.json"),
        ("qysczj", "special_fund", "a.csv"), ("qysczj", "special_fund", "b.xlsx")]
    assert scan[-1] == InboxFile("qysczj", "special_fund", b, 2, b.stat().st_mtime)
    assert scan.problems == []
    assert isinstance(scan, list)


@pytest.mark.parametrize("name", [".hidden.xlsx", "~$清单.xlsx", "清单.xlsx.part", "upload.tmp", "Thumbs.db",
                                  "desktop.ini", "x.crdownload"])
def test_scan_ignores_hidden_and_temporary_files(tmp_path, name):
    ok = put(tmp_path, "org/special_fund/清单.xlsx")
    junk = put(tmp_path, f"org/special_fund/{name}")
    scan = scan_inbox(tmp_path, TYPES, now=later(ok, junk))
    assert [f.path for f in scan] == [ok]
    assert scan.problems == []


def test_scan_waits_for_files_still_being_written(tmp_path):
    path = put(tmp_path, "org/special_fund/清单.xlsx")
    changed = path.stat().st_ctime
    assert scan_inbox(tmp_path, TYPES, now=changed + 0.5) == []
    assert scan_inbox(tmp_path, TYPES, settle_seconds=0.2, now=changed + 0.5) != []
    assert [f.path for f in scan_inbox(tmp_path, TYPES, now=changed + 2.5)] == [path]


def test_scan_uses_ctime_when_a_copy_restored_an_old_mtime(tmp_path):
    path = put(tmp_path, "org/special_fund/清单.xlsx")
    os.utime(path, (0, 0))  # like cp -p / Explorer: mtime from 1970, but written just now
    assert scan_inbox(tmp_path, TYPES, now=path.stat().st_ctime + 1) == []


def test_scan_is_not_blocked_by_an_mtime_in_the_future(tmp_path):
    path = put(tmp_path, "org/special_fund/清单.xlsx")
    future = path.stat().st_ctime + 3600
    os.utime(path, (future, future))
    assert [f.path for f in scan_inbox(tmp_path, TYPES, now=path.stat().st_ctime + 5)] == [path]


def test_scan_reports_what_is_in_the_wrong_place(tmp_path):
    files = [
        put(tmp_path, "org/special_fund/good.xlsx"),
        put(tmp_path, "org/special_funds/typo.xlsx"),
        put(tmp_path, "loose.xlsx"),
        put(tmp_path, "org/in-org-folder.xlsx"),
        put(tmp_path, "org/special_fund/sub/deep.xlsx"),
    ]
    (tmp_path / "org/special_fund/link.xlsx").symlink_to(files[0])
    scan = scan_inbox(tmp_path, TYPES, now=later(*files))
    assert [f.path.name for f in scan] == ["good.xlsx"]
    problems = {p.relative_to(tmp_path).as_posix(): msg for p, msg in scan.problems}
    assert set(problems) == {"org/special_funds", "loose.xlsx", "org/in-org-folder.xlsx",
                             "org/special_fund/sub", "org/special_fund/link.xlsx"}
    assert "未知的清单类型文件夹“special_funds”" in problems["org/special_funds"]
    assert "special_fund" in problems["org/special_funds"]


def test_scan_of_a_missing_inbox(tmp_path):
    scan = scan_inbox(tmp_path / "nope", TYPES)
    assert scan == [] and len(scan.problems) == 1


# ---------------------------------------------------------------- hashing, done
def test_file_sha256_streams_large_files(tmp_path):
    data = os.urandom(3 << 20) + b"tail"
    path = put(tmp_path, "big.bin", data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_done_removes_the_file(tmp_path):
    path = put(tmp_path, "org/special_fund/清单.xlsx", b"v1")
    assert done(path, hashlib.sha256(b"v1").hexdigest()) is True
    assert not path.exists()
    assert path.parent.is_dir()  # the layout folders stay
    assert done(path) is False  # a retry does not fail


def test_done_keeps_a_file_replaced_meanwhile(tmp_path):
    path = put(tmp_path, "org/special_fund/清单.xlsx", b"v1")
    sha_v1 = file_sha256(path)
    path.write_bytes(b"v2, corrected by the department")
    assert done(path, sha_v1) is False
    assert path.read_bytes() == b"v2, corrected by the department"


# ---------------------------------------------------------------- archive
def test_archive_stores_an_immutable_copy(tmp_path):
    data = "预算年度,项目名称\r\n".encode("gbk")
    src = put(tmp_path, "inbox/qysczj/special_fund/2025年专项资金.csv", data)
    root = tmp_path / "archive"
    rec = archive_file(src, root, "qysczj", "special_fund", "manual__2025-07-01", RECEIVED)
    sha = hashlib.sha256(data).hexdigest()
    assert rec.sha256 == sha and rec.size == len(data) and not rec.already_archived
    assert rec.path == root / "qysczj" / "special_fund" / sha[:2] / sha / "2025年专项资金.csv"
    assert rec.path.read_bytes() == data
    assert stat.S_IMODE(rec.path.stat().st_mode) == 0o444
    assert stat.S_IMODE(rec.path.parent.stat().st_mode) == 0o555
    assert src.exists()  # archiving never touches the inbox
    assert list((root / archive.INCOMING).iterdir()) == []  # no staging leftovers

    [line] = (root / archive.MANIFEST).read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == {
        "sha256": sha, "path": f"qysczj/special_fund/{sha[:2]}/{sha}/2025年专项资金.csv", "size": len(data),
        "org_name": "qysczj", "type_name": "special_fund", "run_id": "manual__2025-07-01",
        "received_at": "2025-07-01T09:30:00+08:00", "original_name": "2025年专项资金.csv",
        "already_archived": False}
    assert read_manifest(root) == [rec]


def test_same_bytes_again_are_not_rewritten_but_logged(tmp_path):
    root = tmp_path / "archive"
    first = archive_file(put(tmp_path, "a/清单.xlsx", b"same"), root, "org", "special_fund", "run1", RECEIVED)
    before = first.path.stat()
    second = archive_file(put(tmp_path, "b/改名了.xlsx", b"same"), root, "org", "special_fund", "run2",
                          RECEIVED + dt.timedelta(days=1))
    assert second.path == first.path and second.already_archived
    after = first.path.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_ctime_ns) == (before.st_ino, before.st_mtime_ns, before.st_ctime_ns)
    assert os.listdir(first.path.parent) == ["清单.xlsx"]
    receipts = read_manifest(root)
    assert [(r.run_id, r.original_name, r.already_archived) for r in receipts] == [
        ("run1", "清单.xlsx", False), ("run2", "改名了.xlsx", True)]


def test_same_bytes_for_another_org_get_their_own_copy(tmp_path):
    root = tmp_path / "archive"
    src = put(tmp_path, "清单.xlsx", b"same")
    a = archive_file(src, root, "org-a", "special_fund", "r", RECEIVED)
    b = archive_file(src, root, "org-b", "special_fund", "r", RECEIVED)
    assert a.path != b.path and not b.already_archived and b.path.read_bytes() == b"same"


def test_torn_last_manifest_line_is_ignored_then_cut(tmp_path):
    root = tmp_path / "archive"
    archive_file(put(tmp_path, "1.csv", b"one"), root, "org", "special_fund", "r1", RECEIVED)
    manifest = root / archive.MANIFEST
    with open(manifest, "ab") as f:
        f.write(b'{"sha256": "abc", "path": "org/spe')  # killed mid-write
    assert [r.run_id for r in read_manifest(root)] == ["r1"]
    archive_file(put(tmp_path, "2.csv", b"two"), root, "org", "special_fund", "r2", RECEIVED)
    assert [r.run_id for r in read_manifest(root)] == ["r1", "r2"]
    assert all(json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines())


def test_damage_inside_the_manifest_is_not_hidden(tmp_path):
    root = tmp_path / "archive"
    archive_file(put(tmp_path, "1.csv", b"one"), root, "org", "special_fund", "r1", RECEIVED)
    manifest = root / archive.MANIFEST
    manifest.write_bytes(b"garbage\n" + manifest.read_bytes())
    with pytest.raises(ValueError, match="line 1"):
        read_manifest(root)


def test_read_manifest_of_a_new_archive(tmp_path):
    assert read_manifest(tmp_path) == []


@pytest.mark.parametrize(("org", "type_name"), [("..", "special_fund"), ("a/b", "special_fund"), ("org", "")])
def test_unsafe_names_never_reach_the_filesystem(tmp_path, org, type_name):
    src = put(tmp_path, "清单.xlsx")
    with pytest.raises(ValueError, match="unsafe"):
        archive_file(src, tmp_path / "archive", org, type_name, "r", RECEIVED)


def test_naive_received_at_is_refused(tmp_path):
    with pytest.raises(ValueError, match="timezone"):
        archive_file(put(tmp_path, "清单.xlsx"), tmp_path / "archive", "org", "special_fund", "r",
                     dt.datetime(2025, 7, 1, 9, 30))
