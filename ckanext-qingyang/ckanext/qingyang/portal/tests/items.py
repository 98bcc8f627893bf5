"""Items for the portal's tests, built from the schemas' examples (they fill every
办事指南 field)."""
from __future__ import annotations

from ckan.tests import factories, helpers

from ckanext.qingyang.tests.factories import example_item, published


def create(owner: dict, type_name: str = "approval_item", publish: bool = True, **overrides) -> dict:
    user = factories.Sysadmin()
    item = helpers.call_action("package_create", {"user": user["name"]},
                               **example_item(type_name, owner_org=owner["id"], **overrides))
    if publish:
        published(item)
    return item
