"""Valid items of every list type, for tests (built from each field's example)."""
from __future__ import annotations

from ckanext.qingyang.core import listdef, spreadsheets


def example_row(type_name: str, **overrides: str) -> dict[str, str]:
    """A template row that validates: the schema's own examples, with overrides by header."""
    lt = listdef.load_type(type_name)
    row = spreadsheets.example_row(lt)
    row.update(overrides)
    return row


def example_item(type_name: str, **overrides) -> dict:
    """An action-API dict (field names) for package_create."""
    lt = listdef.load_type(type_name)
    item, errors = listdef.row_to_item(lt, example_row(type_name))
    assert not errors, errors
    item = {k: v for k, v in item.items() if v is not None}
    item.update(type=type_name, **overrides)
    return item


def department(**overrides) -> dict:
    """A city department organization with the fields the organization schema requires."""
    from ckan.tests import factories

    fields = dict(kind="department", jurisdiction_level="city", jurisdiction="庆阳市",
                  region_code="621000")
    fields.update(overrides)
    return factories.Organization(**fields)


def published(*pkgs: dict) -> None:
    """Seed items as published, for tests of other features (the workflow's own
    tests go through submit and review). Their record says nobody reviewed them."""
    from ckanext.qingyang.publishing.demo import publish_demo_drafts

    publish_demo_drafts([p["name"] for p in pkgs])
