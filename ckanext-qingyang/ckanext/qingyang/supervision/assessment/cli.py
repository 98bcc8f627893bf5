"""`ckan qingyang assessment-snapshot` (the month's end, also run by dags/qingyang_assessment.py
through the API) and `demo-accountability` (示例 责任人 for the demo organizations)."""
from __future__ import annotations

import random

import click
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang.core import assessment
from ckanext.qingyang.supervision.assessment.facts import ACCOUNTABLE


def _site_context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": False}


@click.command("assessment-snapshot", short_help="Store a finished month of the 督查考核 board (once)")
@click.option("--month", help="YYYY-MM; default: last month")
@click.option("--backfill", default=0, type=click.IntRange(min=0),
              help="Also every missing month among the N months before this one.")
def assessment_snapshot(month: str | None, backfill: int):
    from ckanext.qingyang.supervision.assessment.actions import this_month

    months = [month or assessment.months_back(this_month(), 2)[0]]
    if backfill:
        months = assessment.months_back(this_month(), backfill + 1)[:-1]
    for m in months:
        try:
            done = tk.get_action("qingyang_assessment_snapshot")(_site_context(), {"month": m})
            click.echo(f"assessment {m}: stored, {done['organizations']} organizations, {done['ranked']} ranked")
        except tk.ValidationError as e:
            msg = "; ".join(str(x) for xs in e.error_dict.values() for x in xs)
            if backfill and "已存档" in msg:
                click.echo(f"assessment {m}: already stored")
                continue
            raise click.ClickException(f"{m}: {msg}")


@click.command("demo-accountability", short_help="示例 分管领导/主管科室/专人 for most demo organizations")
@click.option("--seed", default=10, show_default=True, type=int)
@click.option("--share", default=0.85, show_default=True, type=click.FloatRange(0, 1),
              help="The share of organizations that have named theirs (the rest stay blank).")
def demo_accountability(seed: int, share: float):
    """Fills only blank fields of organizations marked sample, so a department's own entries stay."""
    from ckanext.qingyang.demo import _text

    surnames = _text("names")["surnames"]
    given = _text("names")["given_name_characters"]
    filled = kept = 0
    for org in model.Session.query(model.Group).filter(model.Group.is_organization.is_(True),
                                                       model.Group.state == "active").order_by(model.Group.name):
        rng = random.Random(f"{seed}:{org.name}")
        extras = org.extras or {}
        if str(extras.get("sample")) != "true" or rng.random() > share:
            continue
        if any(str(extras.get(k) or "").strip() for k, _ in ACCOUNTABLE):
            kept += 1
            continue
        person = lambda: rng.choice(surnames) + rng.choice(given) + rng.choice(given)   # noqa: E731
        values = {"leader_in_charge": f"{person()}(副局长,示例)", "responsible_office": "办公室(示例)",
                  "content_officer": f"{person()}(示例)", "content_officer_phone": f"0934-{rng.randint(8200000, 8699999)}"}
        tk.get_action("organization_patch")(dict(_site_context(), ignore_auth=True), {"id": org.id, **values})
        filled += 1
    click.echo(f"demo-accountability: {filled} organizations named their 责任人 (示例), {kept} already had")


def get_commands() -> list[click.Command]:
    return [assessment_snapshot, demo_accountability]
