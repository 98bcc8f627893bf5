"""`ckan qingyang cases-demo`: the demo's year of 办件 (示例) into the inbox, for the DAG to load."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import click


@click.command("cases-demo", short_help="Write demo 办件 (示例) into the inbox for qingyang_cases")
@click.option("--size", default=50_000, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=2017, show_default=True, type=int, help="Same seed and day, same cases.")
@click.option("--inbox", type=click.Path(file_okay=False), help="Inbox root (default: ckanext.qingyang.inbox_dir).")
@click.option("--end", help="Last day + 1 of the year of cases (YYYY-MM-DD, default today).")
@click.option("--load", "load_now", is_flag=True, help="Also load them now through qingyang_cases_load.")
def cases_demo(size: int, seed: int, inbox: str | None, end: str | None, load_now: bool):
    """Generate --size cases over the 12 months before --end for every published approval and
    service item (core/cases_demo.py), one file per department: <inbox>/<org>/cases/demo-<seed>.jsonl.
    The qingyang_cases DAG loads them like any dropped file and marks them 示例 (file name demo-*).
    Rerunning writes the same records; loading them again changes nothing."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    from ckanext.qingyang.core import cases, cases_demo as gen
    from ckanext.qingyang.supervision.efficiency.actions import IN_FORCE, KINDS

    P = model.Package
    items = []
    for pkg in model.Session.query(P).filter(P.type.in_(KINDS), P.state == "active", P.private.is_(False)):
        if (pkg.extras or {}).get("publish_state", "published") not in IN_FORCE or not pkg.owner_org:
            continue
        promised, statutory = cases.item_limits(pkg.type, pkg.extras or {})
        org = model.Group.get(pkg.owner_org)
        items.append((org.name, pkg.title, promised, statutory))
    items.sort()
    if not items:
        raise click.ClickException("no published approval or service items: load the demo catalog first")
    end_day = dt.date.fromisoformat(end) if end else dt.date.today()
    root = Path(inbox or tk.config.get("ckanext.qingyang.inbox_dir"))
    by_org: dict[str, list[dict]] = {}
    for rec in gen.generate(items, size, end_day, seed):
        by_org.setdefault(rec["部门"], []).append(rec)
    for org_name, recs in sorted(by_org.items()):
        folder = root / org_name / "cases"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"demo-{seed}.jsonl"
        part = target.with_name(target.name + ".part")
        part.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
        os.replace(part, target)
        if load_now:
            site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
            for i in range(0, len(recs), 5000):
                tk.get_action("qingyang_cases_load")({"user": site, "ignore_auth": True},
                                                     {"records": recs[i:i + 5000], "demo": True})
            target.unlink()
    click.echo(f"cases-demo: {size} cases (示例) for {len(items)} items of {len(by_org)} departments"
               f"{' loaded' if load_now else ' in ' + str(root)}")
