"""Who sees what of a message, as a table like the sharing one: every actor x every path,
each call with the actor's own token (or none). A probe with an empty reply or a missing
date tells "may act" (409: the input is wrong) from "may not" (403) without changing anything."""
from __future__ import annotations

from ckanext.qingyang.boards.tests.world import call, message, ok

# actor -> (reads it by id, sees the unmasked phone and name, may reply / extend / transfer,
#           may take the centre's steps, finds it in the inbox, finds it in the centre's list)
MATRIX = {
    "anonymous":       (False, False, False, False, False, False),
    "registered":      (False, False, False, False, False, False),
    "other":           (False, False, False, False, False, False),   # another department
    "county_centre":   (False, False, False, False, False, False),   # another jurisdiction's centre
    "housing_member":  (True,  True,  False, False, True,  False),   # handling department, member
    "housing":         (True,  True,  True,  False, True,  False),   # handling department, editor
    "housing_admin":   (True,  True,  True,  False, True,  False),
    "centre":          (True,  False, False, True,  False, True),
    "platform_admin":  (True,  False, False, False, False, True),
    "sysadmin":        (True,  False, True,  True,  False, True),    # CKAN lets sysadmins pass auth
}


def test_who_sees_what(app, world):
    created = ok(app, world, "hotline", "qingyang_message_create", **message(name="李四海"))
    ok(app, world, "centre", "qingyang_message_accept", id=created["id"])
    problems = []

    # the asker holds the code: everything public about it, masked, with the code
    by_code = ok(app, world, None, "qingyang_message_show", code=created["code"])
    if by_code["phone"] != "138****5678" or "name" in by_code or by_code["display_name"] != "李*海":
        problems.append(("asker", "masking", by_code["phone"], by_code["display_name"]))
    if by_code["supervisions"] or any(t["step"] == "supervise" for t in by_code["timeline"]):
        problems.append(("asker", "internal steps"))

    for actor, (reads, unmasked, replies, centre_steps, inbox, centre_list) in MATRIX.items():
        status, shown = call(app, world, actor, "qingyang_message_show", id=created["id"])
        if (status == 200) != reads:
            problems.append((actor, "show", status))
        if reads and status == 200:
            if (shown["phone"] == "13812345678") != unmasked or (shown.get("name") == "李四海") != unmasked:
                problems.append((actor, "phone/name", shown["phone"], shown.get("name")))
            if "code" in shown:
                problems.append((actor, "code leaked to staff"))
        status, _ = call(app, world, actor, "qingyang_message_reply", id=created["id"], text="")
        if (status == 409) != replies:
            problems.append((actor, "reply", status))
        status, _ = call(app, world, actor, "qingyang_message_supervise", id=created["id"])
        if (status == 409) != centre_steps:
            problems.append((actor, "supervise", status))
        for scope, expected in (("inbox", inbox), ("centre", centre_list)):
            status, listed = call(app, world, actor, "qingyang_message_list", scope=scope)
            found = status == 200 and created["id"] in {m["id"] for m in listed["results"]}
            if found != expected:
                problems.append((actor, scope, status))
        status, public = call(app, world, actor, "qingyang_message_list", scope="public")
        if status != 200 or public["count"] != 0:
            problems.append((actor, "public list before publication", status))
    assert problems == []

    # answered and published: anyone reads it by id, still masked, without the code
    ok(app, world, "housing", "qingyang_message_reply", id=created["id"], text="可以申请")
    ok(app, world, "centre", "qingyang_message_publish", id=created["id"], approve=True)
    for actor in ("anonymous", "other", "county_centre"):
        shown = ok(app, world, actor, "qingyang_message_show", id=created["id"])
        assert shown["phone"] == "138****5678" and "code" not in shown and "name" not in shown
        assert all(t["actor"] in ("留言人", "市政务服务中心", "市住建局") for t in shown["timeline"]), shown["timeline"]
        assert ok(app, world, actor, "qingyang_message_list", scope="public")["count"] == 1
