"""Rewrite expectations/<type>.json, the Great Expectations suites of the 8 list types.

The suites are generated from the list definitions (the core's schemas +
presets.json, read through ckanext.qingyang.core.listdef) by
ckanext.qingyang.core.suites; never edit the JSON by hand. Run after any
schema change, from the repo root:

    .venv/airflow/bin/python expectations/build.py           # rewrite all 8
    .venv/airflow/bin/python expectations/build.py --check   # exit 1 if stale

Deterministic: sorted keys, UTF-8 Chinese as is, trailing newline. The Airflow venv
holds a copy of the core: when it is older than the repository's, this script says so
and stops (scripts/setup-airflow.sh --venv-only reinstalls it).
"""
from __future__ import annotations

import sys
from pathlib import Path

from ckanext.qingyang.core import suites

HERE = Path(__file__).resolve().parent
CORE_SOURCE = HERE.parent / "ckanext-qingyang" / "ckanext" / "qingyang" / "core"


def stale_core() -> list[str]:
    """Core files whose imported copy differs from the repository's.

    The Airflow venv holds a copy of the core (scripts/setup-airflow.sh installs it);
    suites built from an older copy would not follow a schema just edited.
    """
    installed = Path(suites.__file__).resolve().parent
    stale = []
    for source in sorted(CORE_SOURCE.rglob("*")):
        name = source.relative_to(CORE_SOURCE)
        if source.suffix not in (".py", ".yaml", ".json") or "tests" in name.parts:
            continue
        copy = installed / name
        if not copy.is_file() or copy.read_bytes() != source.read_bytes():
            stale.append(str(name))
    return stale


def main(argv: list[str]) -> int:
    stale = stale_core()
    if stale:
        print(f"{Path(suites.__file__).parent} is older than {CORE_SOURCE} ({', '.join(stale)}); "
              "run scripts/setup-airflow.sh --venv-only first", file=sys.stderr)
        return 1
    if "--check" in argv:
        stale = suites.stale_suites(HERE)
        if stale:
            print(f"stale suites: {', '.join(stale)}; run: {suites.BUILD_COMMAND}", file=sys.stderr)
            return 1
        print("all suites up to date")
        return 0
    for path in suites.write_suites(HERE):
        print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
