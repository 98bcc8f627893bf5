"""Benchmark: loading department lists through qingyang_list_import vs the plain route.

Runs against the platform from `make up` (needs the organization tree), with the
demo generator's data:

  1. bulk full load     qingyang_list_import, one request per department list
  2. bulk rerun         the same rows again (nothing changes)
  3. bulk 1% changed    1% of rows edited
  4. plain route        `ckanapi load datasets`: one package_create per item over HTTP

The plain route loads the same rows under other names (title suffix), so both
land in one catalog; --cleanup purges everything the run created.

  .venv/ckan/bin/python bench/load_bench.py --size 2000 [--cleanup]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "ckanext-qingyang"))

from ckanapi import RemoteCKAN  # noqa: E402

from ckanext.qingyang import demo, listdef, orgtree  # noqa: E402


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {seconds:8.1f} s", flush=True)
    return seconds, result


def bulk(ckan, generated):
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    for (org, type_name), rows in generated.items():
        r = ckan.call_action("qingyang_list_import", {"organization": org, "type": type_name, "rows": rows})
        for k in totals:
            totals[k] += r[k]
    return totals


def names_of(generated) -> set[str]:
    out = set()
    for (org, type_name), rows in generated.items():
        lt = listdef.load_type(type_name)
        out.update(listdef.natural_name(lt, org, listdef.row_to_item(lt, r)[0]) for r in rows)
    return out


def plain_jsonl(generated, path: Path) -> list[str]:
    """The same items as package dicts for `ckanapi load datasets` (one package_create each)."""
    names = []
    with path.open("w", encoding="utf-8") as f:
        for (org, type_name), rows in generated.items():
            lt = listdef.load_type(type_name)
            for row in rows:
                item, errors = listdef.row_to_item(lt, row)
                item = {k: v for k, v in item.items() if v is not None}
                title_field = "title" if "title" in item else lt.natural_key[-1]
                item[title_field] = f"{item.get(title_field, '')}[plain]"
                if type_name == "shared_resource":
                    item["resource_code"] = item["resource_code"][:-5] + f"{random.randint(0, 99999):05d}"
                item.update(type=type_name, owner_org=org, name=listdef.natural_name(lt, org, item))
                names.append(item["name"])
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
    return names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('CKAN_PORT', '5000')}")
    parser.add_argument("--token-file", default=str(ROOT / "var/secrets/ckan_pipeline_token"))
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--skip-plain", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the plain route's items and the changed demo")
    args = parser.parse_args()

    token = Path(args.token_file).read_text().strip()
    ckan = RemoteCKAN(args.url, apikey=token)
    orgs = orgtree.read_tree(ROOT / "catalogs/organizations.yaml")
    generated = demo.generate(orgs, args.size, args.seed)
    n = sum(map(len, generated.values()))
    print(f"{n} items, {platform.node()}, {os.cpu_count()} cores, python {platform.python_version()}")

    full, r1 = timed("bulk full load", lambda: bulk(ckan, generated))
    rerun, r2 = timed("bulk rerun (no change)", lambda: bulk(ckan, generated))
    rng = random.Random(args.seed)
    changed = {k: [dict(r) for r in rows] for k, rows in generated.items()}
    flat = [r for rows in changed.values() for r in rows]
    for row in rng.sample(flat, max(1, n // 100)):
        row["最后确认日期"] = "2026-11-01"
    one, r3 = timed("bulk 1% changed", lambda: bulk(ckan, changed))
    print(f"  full: {r1}\n  rerun: {r2}\n  1%: {r3}")
    if not args.skip_plain:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "plain.jsonl"
            names = plain_jsonl(generated, path)
            cmd = ["ckanapi", "load", "datasets", "-r", args.url, "-a", token, "-I", str(path), "-p", "1", "-q"]
            # ckanapi starts its workers by name: its venv's bin must be on PATH
            env = dict(os.environ, PATH=f"{ROOT / '.venv/ckan/bin'}:{os.environ.get('PATH', '')}")
            plain, done = timed("plain route (ckanapi load)", lambda: subprocess.run(cmd, env=env))
            if done.returncode:
                sys.exit(f"ckanapi load failed ({done.returncode})")
            print(f"bulk full load is {plain / full:.1f}x faster than the plain route")
            if not args.keep:
                for name in names:
                    ckan.call_action("dataset_purge", {"id": name})
    if not args.keep:
        # the bench's seed rewrote demo items and added others: put the demo back as make up loads it
        demo_rows = demo.generate(orgs, 2000, 2017)
        for name in sorted(names_of(generated) - names_of(demo_rows)):
            ckan.call_action("dataset_purge", {"id": name})
        timed("restore the demo catalog", lambda: bulk(ckan, demo_rows))


if __name__ == "__main__":
    main()
