"""Continuous archiving and point-in-time recovery, on a scratch PostgreSQL 15 cluster the
test makes itself (the shared cluster is never restarted), configured by the same
scripts/backup-lib.sh functions that scripts/setup-postgres.sh applies to the platform's."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[5]
BIN = Path("/usr/lib/postgresql/15/bin")


def _as_pg(*cmd, check=True):
    return subprocess.run(["runuser", "-u", "postgres", "--", *map(str, cmd)], check=check,
                          capture_output=True, text=True)


def _lib(function, *args) -> str:
    out = subprocess.run(["bash", "-c", f'source "{ROOT}/scripts/backup-lib.sh"; {function} "$@"', "_", *args],
                         check=True, capture_output=True, text=True)
    return out.stdout


def _within_30s(condition) -> bool:
    """Archiving and recovery finish in the background: poll for up to 30 s."""
    for _ in range(60):
        if condition():
            return True
        time.sleep(0.5)
    return False


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, data: Path, sock: Path):
        self.data, self.sock, self.port = data, sock, _port()

    def conf(self, text: str):
        with open(self.data / "postgresql.conf", "a") as f:
            f.write(f"\nport = {self.port}\nlisten_addresses = ''\nunix_socket_directories = '{self.sock}'\n{text}")

    def start(self):
        _as_pg(BIN / "pg_ctl", "-D", self.data, "-w", "-t", "60", "-l", self.data / "log.txt", "start")

    def stop(self, mode="fast"):
        _as_pg(BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def sql(self, q: str) -> str:
        return _as_pg("psql", "-h", self.sock, "-p", self.port, "-d", "postgres", "-qAt",
                      "-v", "ON_ERROR_STOP=1", "-c", q).stdout.strip()


@pytest.fixture()
def workdir():
    d = Path(subprocess.run(["mktemp", "-d", "/tmp/qy-pitr-XXXX"], check=True, capture_output=True,
                            text=True).stdout.strip())
    shutil.chown(d, "postgres", "postgres")
    started = []
    yield d, started
    for c in started:
        c.stop("immediate")
    shutil.rmtree(d, ignore_errors=True)


def _archiving_primary(d: Path, archive: Path, started: list) -> Cluster:
    """A new cluster archiving its WAL with the platform's own settings (backup-lib.sh)."""
    primary = Cluster(d / "primary", d)
    _as_pg(BIN / "initdb", "-D", primary.data, "-A", "trust", "-E", "UTF8")
    primary.conf(_lib("wal_archive_conf", str(archive)))
    primary.start()
    started.append(primary)
    return primary


def test_point_in_time_recovery_keeps_rows_before_the_target_and_not_after(workdir):
    d, started = workdir
    archive = d / "wal-archive"
    _as_pg("mkdir", archive)
    primary = _archiving_primary(d, archive, started)
    assert primary.sql("show archive_timeout") == "5min"   # RPO: a segment is archived at least every 5 minutes

    primary.sql("create table ledger (note text)")
    primary.sql("insert into ledger values ('before the base backup')")
    _as_pg(BIN / "pg_basebackup", "-h", d, "-p", primary.port, "-D", d / "base", "-X", "none", "-c", "fast")
    primary.sql("insert into ledger values ('before the target')")
    time.sleep(1.1)
    target = primary.sql("select now()")
    time.sleep(1.1)
    primary.sql("insert into ledger values ('after the target')")
    last = primary.sql("select pg_walfile_name(pg_switch_wal())")
    assert _within_30s(lambda: (archive / f"{last}.gz").exists()), "the WAL segment was not archived"
    primary.stop("immediate")   # the crash
    started.remove(primary)

    restored = Cluster(d / "base", d)
    restored.conf(_lib("wal_recovery_conf", str(archive), target))
    _as_pg("touch", restored.data / "recovery.signal")
    restored.start()
    started.append(restored)
    assert _within_30s(lambda: restored.sql("select pg_is_in_recovery()") == "f"), "recovery did not promote"
    assert restored.sql("select note from ledger order by note").splitlines() == [
        "before the base backup", "before the target"]


def test_pitr_sh_takes_bases_prunes_the_archive_and_recovers_to_a_time(workdir):
    d, started = workdir
    archive, bases = d / "wal-archive", d / "bases"
    _as_pg("mkdir", archive)
    primary = _archiving_primary(d, archive, started)
    env = {"PGHOST": str(d), "PGPORT": str(primary.port), "WAL_ARCHIVE": str(archive), "PITR_DIR": str(bases),
           "PITR_KEEP": "1"}

    def pitr(*args):
        done = subprocess.run(["bash", str(ROOT / "scripts" / "pitr.sh"), *args], env={**os.environ, **env},
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    primary.sql("create table ledger (note text)")
    pitr("base")
    def segments():   # whole WAL segments, not the .backup/.history files beside them
        return sorted(p.name[:24] for p in archive.iterdir() if len(p.name) == 27 and p.name.endswith(".gz"))

    first = segments()
    assert first, "the base backup's WAL was not archived"
    time.sleep(1.1)   # base folders are named by the second
    primary.sql("insert into ledger values ('before the target')")
    pitr("base")
    kept = list(bases.iterdir())
    assert len(kept) == 1   # PITR_KEEP=1: the older base is gone, and the WAL only it needed
    start = (kept[0] / "start_wal").read_text().strip()
    assert first[0] < start and all(seg >= start for seg in segments())
    time.sleep(1.1)
    target = primary.sql("select now()")
    time.sleep(1.1)
    primary.sql("insert into ledger values ('after the target')")
    last = primary.sql("select pg_walfile_name(pg_switch_wal())")
    assert _within_30s(lambda: (archive / f"{last}.gz").exists()), "the WAL segment was not archived"
    primary.stop("immediate")
    started.remove(primary)

    pitr("recover", str(d / "recovered"), target)
    restored = Cluster(d / "recovered", d)
    restored.conf("")
    restored.start()
    started.append(restored)
    assert _within_30s(lambda: restored.sql("select pg_is_in_recovery()") == "f"), "recovery did not promote"
    assert restored.sql("select note from ledger").splitlines() == ["before the target"]

    # recovery never unpacks over a folder that holds something
    again = subprocess.run(["bash", str(ROOT / "scripts" / "pitr.sh"), "recover", str(d / "recovered"), target],
                           env={**os.environ, **env}, capture_output=True, text=True)
    assert again.returncode != 0 and "not empty" in again.stderr
