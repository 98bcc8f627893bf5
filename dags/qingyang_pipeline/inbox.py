"""The inbox folder where departments drop their list files.

The layout is an interface, documented for the departments:

    var/inbox/<organization name>/<dataset type>/<file>

e.g. var/inbox/qysczj/special_fund/2025年专项资金.xlsx. A file stays in the
inbox until its submission is fully processed; the archive keeps a copy.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

SETTLE_SECONDS = 2.0
# editors' lock files and partial downloads/copies: never a submission
TEMP_PATTERNS = ("~$*", "*.part", "*.tmp", "*.crdownload", "*.partial", "*.swp")
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini"})

Problem = tuple[Path, str]


@dataclass(frozen=True)
class InboxFile:
    org_name: str
    type_name: str
    path: Path
    size: int
    mtime: float


class InboxScan(list):
    """The files ready to process (a plain list of InboxFile), plus `.problems`.

    `problems` lists (path, Chinese message) for things in the wrong place,
    so that a misnamed folder is reported instead of silently never read.
    """

    def __init__(self, files: Iterable[InboxFile] = (), problems: Iterable[Problem] = ()):
        super().__init__(files)
        self.problems: list[Problem] = list(problems)


def is_ignored(name: str) -> bool:
    """Hidden, temporary and OS files are not submissions."""
    lowered = name.lower()
    return (name.startswith(".") or lowered in SYSTEM_FILES
            or any(fnmatch(lowered, p) for p in TEMP_PATTERNS))


def is_settled(st: os.stat_result, now: float, settle_seconds: float) -> bool:
    """Has nothing written to the file for `settle_seconds`?

    ctime counts too: a copy that restores the original mtime (Explorer,
    cp -p, rsync -t) still moves ctime, while it is being written.
    An mtime in the future (a clock elsewhere) must not block a file forever.
    """
    changed = max(st.st_ctime, st.st_mtime if st.st_mtime <= now else 0.0)
    return now - changed >= settle_seconds


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not is_ignored(p.name))


# folders another DAG reads: <organization>/cases/ is qingyang_cases' (办件 records)
OWNED_ELSEWHERE = frozenset({"cases"})


def scan_inbox(root: Path, type_names: Iterable[str], settle_seconds: float = SETTLE_SECONDS,
               now: float | None = None) -> InboxScan:
    """Files ready for processing, sorted by (organization, type, file name)."""
    root = Path(root)
    types = frozenset(type_names)
    now = time.time() if now is None else now
    files: list[InboxFile] = []
    problems: list[Problem] = []
    if not root.is_dir():
        return InboxScan([], [(root, "收件箱文件夹不存在")])
    expected = "、".join(sorted(types))
    for org_dir in _visible(root):
        if org_dir.is_symlink() or not org_dir.is_dir():
            problems.append((org_dir, "文件应放在“机构名/清单类型/”文件夹中,不能直接放在收件箱根目录"))
            continue
        for type_dir in _visible(org_dir):
            if type_dir.is_symlink() or not type_dir.is_dir():
                problems.append((type_dir, f"文件应放在清单类型文件夹中({expected}),不能直接放在机构文件夹中"))
                continue
            if type_dir.name in OWNED_ELSEWHERE:
                continue
            if type_dir.name not in types:
                problems.append((type_dir, f"未知的清单类型文件夹“{type_dir.name}”,应为:{expected}"))
                continue
            for path in _visible(type_dir):
                if path.is_symlink():
                    # a link could point anywhere on the server: never read through it
                    problems.append((path, "不接受符号链接,请放入文件本身"))
                elif path.is_dir():
                    problems.append((path, "清单类型文件夹中不能再有子文件夹,请把文件直接放在其中"))
                elif path.is_file():
                    st = path.stat()
                    if not is_settled(st, now, settle_seconds):
                        log.info("inbox: %s is still being written, next scan", path)
                        continue
                    files.append(InboxFile(org_dir.name, type_dir.name, path, st.st_size, st.st_mtime))
    files.sort(key=lambda f: (f.org_name, f.type_name, f.path.name))
    return InboxScan(files, problems)


def file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def done(path: Path, expected_sha256: str | None = None) -> bool:
    """Remove a processed file from the inbox; True if it was removed.

    With `expected_sha256`, a file replaced meanwhile (the department saved
    a corrected version under the same name) is kept for the next run.
    A file already gone is fine: retries must not fail.
    """
    path = Path(path)
    try:
        if expected_sha256 and file_sha256(path) != expected_sha256:
            log.warning("inbox: %s changed since it was archived; kept for the next run", path)
            return False
        path.unlink()
    except FileNotFoundError:
        return False
    return True
