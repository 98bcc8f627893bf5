"""`ckan qingyang ...` commands (IClick)."""
from __future__ import annotations

import functools
from pathlib import Path

import click
import ckan.plugins.toolkit as tk

from ckanext.qingyang.core import orgtree


@functools.cache
def _site_user_name() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _site_action(name: str, data: dict):
    return tk.get_action(name)({"user": _site_user_name(), "ignore_auth": True}, data)


def catalogs_dir() -> Path:
    return Path(tk.config.get("ckanext.qingyang.catalogs_dir"))


@click.group(chain=True, short_help="庆阳平台命令 (Qingyang platform commands)")
def qingyang():
    """Commands chain, so `make up` pays CKAN's start-up once."""


@qingyang.command("ensure-sysadmin")
@click.argument("name")
@click.option("--password-file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--email", default="admin@localhost")
def ensure_sysadmin(name: str, password_file: str, email: str):
    """Create the sysadmin NAME (password from a file) unless it exists."""
    try:
        user = _site_action("user_show", {"id": name})
    except tk.ObjectNotFound:
        password = Path(password_file).read_text(encoding="utf-8").strip()
        user = _site_action("user_create", {"name": name, "email": email, "password": password,
                                           "fullname": "平台管理员"})
        click.echo(f"sysadmin {name}: created")
    if not user.get("sysadmin"):
        _site_action("user_patch", {"id": user["id"], "sysadmin": True})


@qingyang.command("load-orgs")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False),
              help="Organization tree (default: catalogs/organizations.yaml).")
def load_orgs(path: str | None):
    """Create or update the organization tree from catalogs/organizations.yaml."""
    entries = orgtree.read_tree(path or catalogs_dir() / "organizations.yaml")
    report = orgtree.load_tree(entries, _site_action, tk.ObjectNotFound)
    click.echo(report.summary())


@qingyang.command("demo")
@click.option("--size", default=2000, show_default=True, type=click.IntRange(min=1),
              help="About how many items in all (every list type, every jurisdiction).")
@click.option("--seed", default=2017, show_default=True, type=int, help="Same seed, same rows.")
@click.option("--orgs", "orgs_path", type=click.Path(exists=True, dir_okay=False),
              help="Organization tree (default: catalogs/organizations.yaml).")
@click.option("--publish/--no-publish", default=True, show_default=True,
              help="Publish the demo's drafts at once, recorded as not reviewed by anyone.")
def demo_load(size: int, seed: int, orgs_path: str | None, publish: bool):
    """Load demo items (示例数据) of every list type through qingyang_list_import.

    Imported items are drafts; a real department submits them for review. The
    demo publishes its own drafts, and their records say nobody reviewed them.

    Rerunning with the same size and seed changes nothing. Each shared resource
    also gets a DataStore table (resource "数据表", resource_role "data").
    """
    from ckanext.qingyang import demo

    entries = orgtree.read_tree(orgs_path or catalogs_dir() / "organizations.yaml")
    generated = demo.generate(entries, size, seed)
    click.echo(f"demo: {sum(map(len, generated.values()))} rows for {len({o for o, _ in generated})} "
               f"departments (size {size}, seed {seed})", err=True)
    report = demo.load(generated, _site_action, tk.ObjectNotFound, progress=lambda m: click.echo(m, err=True))
    for message in report.messages[:20]:
        click.echo(f"  {message}", err=True)
    click.echo(report.summary())
    if publish:
        from ckanext.qingyang.publishing.demo import publish_demo_drafts

        click.echo(f"demo: {publish_demo_drafts(demo.item_names(generated))} drafts published, "
                   f"recorded as 演示数据 (not reviewed by anyone)", err=True)
    if report.errors:
        raise click.ClickException(f"{report.errors} rows were not loaded")


@qingyang.command("pipeline-token")
@click.option("--file", "token_file", required=True, type=click.Path(dir_okay=False))
@click.option("--renew", is_flag=True, help="Issue a new token even if the file has one.")
def pipeline_token(token_file: str, renew: bool):
    """Ensure the pipeline's CKAN user and write an API token for it (mode 600).

    The collection DAGs load every department's lists, so the user is a sysadmin;
    its token is the only credential Airflow holds.
    """
    name = "qingyang-pipeline"
    path = Path(token_file)
    try:
        user = _site_action("user_show", {"id": name})
    except tk.ObjectNotFound:
        import secrets

        user = _site_action("user_create", {"name": name, "email": "pipeline@localhost",
                                           "password": secrets.token_urlsafe(24), "fullname": "数据采集流水线"})
        renew = True
    if not user.get("sysadmin"):
        _site_action("user_patch", {"id": user["id"], "sysadmin": True})
    if path.exists() and path.read_text().strip() and not renew:
        click.echo(f"pipeline token: kept ({path.name})")
        return
    token = _site_action("api_token_create", {"user": name, "name": "airflow-pipeline"})["token"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(token + "\n")
    click.echo(f"pipeline token: issued ({path.name})")


@qingyang.command("reindex")
@click.option("--type", "type_name", default="shared_resource", show_default=True,
              help="Dataset type whose items are reindexed.")
def reindex(type_name: str):
    """Reindex one dataset type's items (after the access rules change, their labels do)."""
    import ckan.model as model
    from ckan.lib import search

    ids = [i for (i,) in model.Session.query(model.Package.id).filter(
        model.Package.type == type_name, model.Package.state == "active")]
    if ids:
        search.rebuild(package_ids=ids, force=True, quiet=True)
    for pkg_id in ids:
        from ckanext.qingyang.sharing import access
        access.refresh_activity_labels(pkg_id)
    model.Session.commit()
    click.echo(f"reindex: {len(ids)} {type_name} items")


def _secret_file(path: Path, value_factory) -> str:
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    value = value_factory()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(value + "\n")
    return value


DEMO_AGENCY = ("agency-demo", "qingyang-market-regulation", "市市场监管局数据专员(示例)")
DEMO_CITIZEN = ("citizen-demo", None, "公众用户(示例)")


@qingyang.command("demo-access")
@click.option("--secrets", "secrets_dir", required=True, type=click.Path(file_okay=False))
def demo_access(secrets_dir: str):
    """Demo users for the sharing rules: an agency user holding one share grant, and a
    registered citizen; their API tokens go to <secrets>/demo_*_token (mode 600)."""
    import datetime as dt
    import json
    import secrets

    import ckan.model as model
    import sqlalchemy as sa

    from ckanext.qingyang.model import share_request

    out = Path(secrets_dir)
    for name, org, fullname in (DEMO_AGENCY, DEMO_CITIZEN):
        password = _secret_file(out / f"demo_{name.split('-')[0]}_password", lambda: secrets.token_urlsafe(12))
        try:
            _site_action("user_show", {"id": name})
        except tk.ObjectNotFound:
            _site_action("user_create", {"name": name, "email": f"{name}@localhost", "password": password,
                                               "fullname": fullname})
        if org:
            _site_action("organization_member_create", {"id": org, "username": name, "role": "editor"})
        _secret_file(out / f"demo_{name.split('-')[0]}_token",
                     lambda: _site_action("api_token_create", {"user": name, "name": "demo"})["token"])
    agency = model.User.get(DEMO_AGENCY[0])
    agency_org = model.Group.get(DEMO_AGENCY[1])
    t = share_request.c
    held = model.Session.execute(sa.select(t.id).where(t.requester_org == agency_org.id, t.status == "approved")).first()
    if held is None:
        pkg = model.Session.query(model.Package).filter(
            model.Package.type == "shared_resource", model.Package.state == "active",
            model.Package.owner_org != agency_org.id, model.Package.extras["share_type"].astext == "conditional",
            model.Package.extras["open_type"].astext == "closed").order_by(model.Package.name).first()
        if pkg is None:
            raise click.ClickException("no 有条件共享 resource to grant; load the demo catalog first")
        items = [i["item_name"] for i in json.loads(pkg.extras.get("info_items") or "[]")][:2]
        req = tk.get_action("qingyang_share_request_create")({"user": agency.name, "auth_user_obj": agency}, {
            "id": pkg.id, "organization": agency_org.name, "purpose": "事中事后监管比对(示例申请)",
            "basis": "《优化营商环境条例》第五十四条(示例)", "info_items": items,
            "period_end": (dt.date.today() + dt.timedelta(days=365)).isoformat()})
        _site_action("qingyang_share_request_decide", {"id": req["id"], "decision": "approve",
                                                       "reason": "用途与依据相符,同意共享(示例)"})
        click.echo(f"demo-access: {DEMO_AGENCY[0]} holds a grant for {pkg.name}")
    else:
        click.echo("demo-access: users and grant present")


def get_commands(packages=()):
    """The `qingyang` group with the commands of the packages that have some."""
    for package in packages:
        for command in getattr(package, "get_commands", list)():
            qingyang.add_command(command)
    return [qingyang]


@qingyang.command("demo-messages")
@click.option("--size", default=300, show_default=True, type=click.IntRange(min=1),
              help="How many 我要问 messages in all (every state of their life).")
@click.option("--seed", default=15, show_default=True, type=int, help="Same seed, same messages.")
def demo_messages(size: int, seed: int):
    """Load demo 我要问 messages (示例) from catalogs/demo/messages.yaml into every state.

    Needs the organization tree (load-orgs): each jurisdiction's 政务服务中心 and departments.
    Rerunning with the same size and seed adds only what is missing.
    """
    from ckanext.qingyang.boards import demo

    report = demo.load(size, seed)
    click.echo(f"demo messages: {report['created']} created, {report['kept']} already there")
