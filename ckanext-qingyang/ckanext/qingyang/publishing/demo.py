"""Publishing the demo catalog's drafts (and test fixtures') without review."""
from __future__ import annotations

import json
import logging
import uuid

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang.catalog import bulk
from ckanext.qingyang.core import listdef
from ckanext.qingyang.model import review, version
from ckanext.qingyang.publishing import workflow
from ckanext.qingyang.sharing import access

log = logging.getLogger(__name__)
DEMO_REVIEWER = "示例数据(未经人工审核)"


def publish_demo_drafts(names: list[str]) -> int:
    """Demo catalog (and test fixtures) only: publish these drafts with a record
    saying nobody reviewed them. No action exposes this.

    Written in bulk (one transaction, then one index pass): the demo has
    thousands of items and no reviewers. Real items go through qingyang_item_submit.
    """
    P = model.Package
    pkgs = model.Session.query(P).filter(
        P.type.in_(listdef.TYPE_NAMES), P.state == "active", P.private.is_(True),
        P.extras["publish_state"].astext == "draft", P.name.in_(names)).all() if names else []
    if not pkgs:
        return 0
    now = workflow.now()
    routes: dict[tuple[str, str], dict[str, model.Group]] = {}
    versions_rows, review_rows = [], []
    for pkg in pkgs:
        key = (pkg.type, pkg.owner_org)
        if key not in routes:
            try:
                routes[key] = workflow.offices_for(pkg.type, pkg.owner_org)
            except tk.ValidationError:   # a jurisdiction without the office: no review rows
                routes[key] = {}
        vid = str(uuid.uuid4())
        versions_rows.append(dict(
            id=vid, package_id=pkg.id, package_type=pkg.type, owner_org=pkg.owner_org,
            number=workflow.next_number(pkg.id), change="create", state="published", title=pkg.title,
            created=now, submitter_name="示例数据加载程序", submitter_org=pkg.owner_org,
            declaration=workflow.DECLARATION, submitted_at=now, published_at=now, closed_at=now,
            offices=json.dumps({r: o.id for r, o in routes[key].items()})))
        review_rows.extend(dict(id=str(uuid.uuid4()), version_id=vid, package_id=pkg.id, reviewer_id="",
                                reviewer_name=DEMO_REVIEWER, office_org=o.id, role=r, decision="approve",
                                reason="演示数据,未经人工审核", at=now) for r, o in routes[key].items())
        pkg.private = False
        pkg.extras = dict(pkg.extras or {}, publish_state="published")
        pkg.metadata_modified = now
    model.Session.execute(version.insert(), versions_rows)
    if review_rows:          # an empty list would insert one row of defaults
        model.Session.execute(review.insert(), review_rows)
    for pkg in pkgs:       # as after any publication: shared resources' history takes their labels
        access.refresh_activity_labels(pkg.id)
    model.repo.commit()
    by_list: dict[tuple[str, str], list[str]] = {}
    for pkg in pkgs:
        by_list.setdefault((pkg.type, pkg.owner_org), []).append(pkg.name)
    for (type_name, org_id), touched in by_list.items():
        bulk.reindex_stale(listdef.load_type(type_name), model.Group.get(org_id), touched, names=touched)
    log.info("demo: %d drafts published without review", len(pkgs))
    return len(pkgs)
