"""待办周报 through CKAN's API, delivered to a real SMTP server (aiosmtpd): each department's
editors get one mail listing its open duties with their links; a department with nothing open
gets none."""
from __future__ import annotations

import uuid

from ckanext.qingyang.supervision.assessment.tests.world import day


def act(app, world, who: str, action: str, status: int = 200, **params):
    res = app.post(f"/api/3/action/{action}", json=params, headers={"Authorization": world.tokens[who]}, status=status)
    return res.json["result"] if status == 200 else res.json["error"]


def test_each_department_gets_its_open_duties_once(app, world, smtp_server):
    import ckan.model as model

    from ckanext.qingyang.model import version

    # an item waiting for 财政局's review
    model.Session.execute(version.insert().values(
        id=f"v-{uuid.uuid4().hex[:8]}", package_id="pkg-w", package_type="special_fund", owner_org=world.orgs["good"]["id"],
        number=1, change="create", state="pending", title="待审的专项资金", created=day(20), submitted_at=day(20),
        offices='{"finance_bureau": "%s"}' % world.orgs["fin"]["id"]))
    model.Session.commit()
    assert "平台管理员" in act(app, world, "fin", "qingyang_digest_send", status=403)["message"]

    preview = act(app, world, "admin", "qingyang_digest_send", dry_run=True)
    assert preview["mails"] == 0 and smtp_server.messages == []
    by_org = {d["organization"]: d for d in preview["digests"]}
    assert "qy-qc-gov" not in by_org          # nothing open, no mail
    assert by_org["qy-fin"]["sections"]["late_lists"] == 1 and by_org["qy-fin"]["sections"]["reviews"] == 1

    sent = act(app, world, "admin", "qingyang_digest_send")
    mails = {m["to"][0]: m for m in smtp_server.messages}
    assert sent["mails"] == len(smtp_server.messages) == 2
    fin = mails[world.users["fin"]["email"]]
    assert fin["subject"] == "待办周报:庆阳市财政局 有 2 项待办"
    assert "【逾期未更新的清单】1 项" in fin["body"] and "行政权力清单(逾期" in fin["body"]
    assert "/power_item/?organization=qy-fin" in fin["body"]
    assert "【待审核的事项】1 项" in fin["body"] and "待审的专项资金" in fin["body"]
    good = mails[world.users["good"]["email"]]
    assert "【待答复的共享申请】1 项" in good["body"] and "低保核对0" in good["body"] and "已逾期" in good["body"]
    notes = act(app, world, "good", "qingyang_notice_list")
    assert any(n["subject"].startswith("待办周报:庆阳市民政局") for n in notes)
