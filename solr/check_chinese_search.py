#!/usr/bin/env python3
"""Measure the portal search as citizens use it: each query of solr/search_queries.yaml
(direct titles, parts of titles, everyday words, pinyin) is sent to the running CKAN over
HTTP, and recall@10 and MRR are printed per kind of query and overall.

    python3 solr/check_chinese_search.py [--base URL] [--package-search] [-v]

Default: the portal action qingyang_portal_search (q, rows=10; its result is
{count, groups: [{title, ...}]}, one group per item title). --package-search uses plain
package_search instead (rows=100, results de-duplicated by title here, first 10 kept), so
the measurement runs before the portal action exists.

Read-only (GET requests, anonymous). Exit status 1 if direct MRR < 0.9 or colloquial or
pinyin recall@10 < 0.85. Stdlib only; the Analysis check of the Solr core alone is
solr/check_analysis.py. See solr/ANALYSIS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "search_queries.yaml"
KINDS = ("direct", "partial", "colloquial", "pinyin")
TOP = 10
# (kind, metric, minimum): the bar a release must pass
THRESHOLDS = (("direct", "mrr", 0.9), ("colloquial", "recall", 0.85), ("pinyin", "recall", 0.85))

_LINE = re.compile(r'^- \{q: (".*?"), kind: (\w+), expect: (\[.*\])\}$')


def load_queries(path: Path) -> list[dict]:
    """The queries file: one `- {q: "...", kind: k, expect: ["...", ...]}` per line (the
    strings JSON-quoted), so no YAML library is needed."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        m = _LINE.match(line.strip())
        if not m or m.group(2) not in KINDS:
            raise SystemExit(f"{path}:{n}: not a query line: {line}")
        out.append({"q": json.loads(m.group(1)), "kind": m.group(2), "expect": json.loads(m.group(3))})
    return out


def default_base() -> str:
    env = {}
    ports = HERE.parent / "ports.env"
    if ports.exists():
        for line in ports.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, _, value = line.partition("=")
                env[key.strip()] = value.strip()
    host = os.environ.get("BIND_HOST", env.get("BIND_HOST", "127.0.0.1"))
    port = os.environ.get("CKAN_PORT", env.get("CKAN_PORT", "5000"))
    return f"http://{host}:{port}"


def action(base: str, name: str, params: dict) -> dict:
    url = f"{base}/api/3/action/{name}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=60) as resp:
        body = json.loads(resp.read())
    if not body.get("success"):
        raise RuntimeError(f"{name}: {body.get('error')}")
    return body["result"]


def ranked_titles(base: str, q: str, package_search: bool) -> list[str]:
    """The titles of the first page, best first, one per item title."""
    if package_search:
        result = action(base, "package_search", {"q": q, "rows": 100, "fl": "title"})
        titles = [d.get("title") for d in result["results"]]
    else:
        result = action(base, "qingyang_portal_search", {"q": q, "rows": TOP})
        titles = [g.get("title") for g in result["groups"]]
    return list(dict.fromkeys(t for t in titles if t))[:TOP]


def score(expect: list[str], got: list[str]) -> tuple[float, float]:
    """(recall@10, reciprocal rank of the first expected title)."""
    found = [got.index(t) for t in expect if t in got]
    recall = len(found) / len(expect)
    return recall, (1 / (min(found) + 1) if found else 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default=default_base(), help="CKAN site URL (default from ports.env)")
    ap.add_argument("--package-search", action="store_true",
                    help="use package_search (rows=100, de-duplicated by title) instead of the portal action")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every query that misses")
    args = ap.parse_args(argv)

    queries = load_queries(args.queries)
    by_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for item in queries:
        got = ranked_titles(args.base.rstrip("/"), item["q"], args.package_search)
        recall, rr = score(item["expect"], got)
        by_kind[item["kind"]].append((recall, rr))
        if args.verbose and recall < 1:
            print(f"MISS [{item['kind']}] {item['q']!r}: want {item['expect']}, got {got[:3]}")

    mode = "package_search" if args.package_search else "qingyang_portal_search"
    print(f"{mode} at {args.base}: {len(queries)} queries, top {TOP}")
    print(f"{'kind':<11} {'n':>4} {'recall@10':>10} {'MRR':>6}")
    metrics = {}
    for kind in (*KINDS, "overall"):
        rows = [r for k in KINDS for r in by_kind[k]] if kind == "overall" else by_kind[kind]
        if not rows:
            continue
        recall = sum(r for r, _ in rows) / len(rows)
        mrr = sum(rr for _, rr in rows) / len(rows)
        metrics[kind] = {"recall": recall, "mrr": mrr}
        print(f"{kind:<11} {len(rows):>4} {recall:>10.3f} {mrr:>6.3f}")

    failed = [f"{kind} {metric} {metrics[kind][metric]:.3f} < {bar}"
              for kind, metric, bar in THRESHOLDS
              if kind in metrics and metrics[kind][metric] < bar]
    print("FAIL: " + "; ".join(failed) if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
