"""CKAN's action API as a test's actor calls it: over HTTP with the actor's API token (a world
object's `tokens`; an actor without one calls anonymously)."""
from __future__ import annotations

from typing import Any


def call(app, world: Any, actor: str | None, action: str, **params) -> tuple[int, Any]:
    """(status, result or error)."""
    headers = {"Authorization": world.tokens[actor]} if actor in world.tokens else {}
    res = app.post(f"/api/3/action/{action}", json=params, headers=headers)
    body = res.get_json(silent=True) or {}
    return res.status_code, body.get("result", body.get("error"))


def ok(app, world: Any, actor: str | None, action: str, **params) -> Any:
    status, result = call(app, world, actor, action, **params)
    assert status == 200, (actor, action, result)
    return result


def token_user(world: Any, role: str, **fields) -> dict:
    """A user (factories.User with `fields`) with an API token, kept in world.users and world.tokens."""
    from ckan.tests import factories, helpers

    world.users[role] = user = factories.User(**fields)
    world.tokens[role] = helpers.call_action("api_token_create", {"ignore_auth": True, "user": user["name"]},
                                             user=user["name"], name="test")["token"]
    return user
