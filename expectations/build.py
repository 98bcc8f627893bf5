"""Rewrite expectations/<type>.json, the Great Expectations suites of the 8 list types.

The suites are generated from the list definitions (the core's schemas +
presets.json, read through ckanext.qingyang.core.listdef) by
ckanext.qingyang.core.suites; never edit the JSON by hand. Run after any
schema change, from the repo root:

    .venv/airflow/bin/python expectations/build.py           # rewrite all 8
    .venv/airflow/bin/python expectations/build.py --check   # exit 1 if stale

Deterministic: sorted keys, UTF-8 Chinese as is, trailing newline.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ckanext.qingyang.core import suites

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
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
