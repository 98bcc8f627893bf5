"""The archive: every received file, unchanged and immutable, content-addressed.

    var/archive/<org>/<type>/<sha256[:2]>/<sha256>/<original name>
    var/archive/manifest.jsonl      one JSON line per receipt

A file is stored once per organization and type however often it is sent;
every receipt still gets its manifest line (who, when, which run, which name).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

MANIFEST = "manifest.jsonl"
INCOMING = ".incoming"  # staging folder inside the archive: same filesystem, so os.replace is atomic
FILE_MODE = 0o444
DIR_MODE = 0o555
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchiveRecord:
    sha256: str
    path: Path  # absolute; the manifest stores it relative to the archive root
    size: int
    org_name: str
    type_name: str
    run_id: str
    received_at: dt.datetime
    original_name: str
    already_archived: bool = False  # the same bytes were stored before (for this org and type)

    def to_json(self, archive_root: Path) -> dict:
        doc = asdict(self)
        doc["path"] = self.path.relative_to(archive_root).as_posix()
        doc["received_at"] = self.received_at.isoformat()
        return doc

    @classmethod
    def from_json(cls, doc: dict, archive_root: Path) -> "ArchiveRecord":
        return cls(**{**doc, "path": Path(archive_root) / doc["path"],
                      "received_at": dt.datetime.fromisoformat(doc["received_at"])})


def _safe_component(value: str, what: str) -> str:
    """One path component: an org or type name must never climb out of the archive."""
    if not value or value in (".", "..") or any(c in value for c in "/\\\0"):
        raise ValueError(f"unsafe {what} for an archive path: {value!r}")
    return value


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_hashing(src: Path, staging: Path) -> tuple[Path, str, int]:
    """Copy src into the staging folder, hashing the very bytes written."""
    staging.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(prefix="recv-", dir=staging)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp), digest.hexdigest(), size


def _stored(folder: Path) -> Path | None:
    # the folder only ever holds the one stored file (staging happens in INCOMING)
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return files[0] if files else None


def _store(tmp: Path, folder: Path, name: str) -> Path:
    """Move the staged copy into its folder atomically, then make both read-only."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, target)
    _fsync_dir(folder)
    os.chmod(folder, DIR_MODE)
    _fsync_dir(folder.parent)
    return target


def archive_file(src: Path, archive_root: Path, org_name: str, type_name: str, run_id: str,
                 received_at: dt.datetime) -> ArchiveRecord:
    """Store src (unless its bytes are already there) and log the receipt in the manifest."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware (the manifest is an audit log)")
    src, archive_root = Path(src), Path(archive_root)
    name = _safe_component(src.name, "file name")
    base = archive_root / _safe_component(org_name, "organization") / _safe_component(type_name, "type")
    tmp, sha, size = _copy_hashing(src, archive_root / INCOMING)
    try:
        folder = base / sha[:2] / sha
        existing = _stored(folder)
        if existing is None:
            try:
                path, already = _store(tmp, folder, name), False
            except PermissionError:
                # another task stored the same bytes a moment ago and sealed the folder
                existing = _stored(folder)
                if existing is None:
                    raise
        if existing is not None:
            if existing.stat().st_size != size:
                raise RuntimeError(f"archive corrupt: {existing} differs in size from sha256 {sha}")
            path, already = existing, True
    finally:
        tmp.unlink(missing_ok=True)
    record = ArchiveRecord(sha, path, size, org_name, type_name, run_id, received_at, name, already)
    append_manifest(archive_root, record)
    return record


def append_manifest(archive_root: Path, record: ArchiveRecord) -> None:
    """One line per receipt, durable before returning.

    A line torn by a crash (no final newline) is cut off first, so the next
    line never glues onto it; the receipt it described is re-logged when
    the interrupted run is retried.
    """
    line = (json.dumps(record.to_json(Path(archive_root)), ensure_ascii=False) + "\n").encode("utf-8")
    path = Path(archive_root) / MANIFEST
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # parallel tasks append to the same manifest
        end = os.lseek(fd, 0, os.SEEK_END)
        if end and os.pread(fd, 1, end - 1) != b"\n":
            os.ftruncate(fd, _last_line_end(fd, end))
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def _last_line_end(fd: int, end: int) -> int:
    """Offset just after the last newline (0 if none)."""
    pos = end
    while pos > 0:
        start = max(0, pos - 65536)
        chunk = os.pread(fd, pos - start, start)
        i = chunk.rfind(b"\n")
        if i >= 0:
            return start + i + 1
        pos = start
    return 0


def read_manifest(archive_root: Path) -> list[ArchiveRecord]:
    """Every receipt, oldest first; a torn last line (no newline) is ignored."""
    path = Path(archive_root) / MANIFEST
    if not path.exists():
        return []
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    records = []
    # split on "\n" only: names may hold U+2028, which str.splitlines() would split on
    for number, line in enumerate(complete.decode("utf-8").split("\n"), 1):
        if not line.strip():
            continue
        try:
            records.append(ArchiveRecord.from_json(json.loads(line), Path(archive_root)))
        except (ValueError, TypeError, KeyError) as e:
            # only the last line can be torn; damage elsewhere must not be hidden
            raise ValueError(f"{path}: line {number} is not a manifest record: {e}") from None
    return records
