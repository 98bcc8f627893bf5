"""A small city for the scoreboard's tests, with a known fact behind every indicator.

LAST is the month before this one, so every deadline in it has passed whatever today is.
- 庆阳市财政局 (fin, finance_bureau, a reviewing office): publishes only a power list of its
  four duties; that list is 逾期; its latest submission failed the GX check; it decided six
  reviews in LAST, two too late; it has not named its 责任人.
- 庆阳市民政局 (good): publishes its three lists, all 及时; its latest submission passed;
  five share requests fell due in LAST, one was never answered; six replies in LAST, one
  late, five rated (four satisfied), one 督办.
- 庆城县人民政府 (county gov) and 庆城县民政局 (county): two replies only (样本不足).
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from ckan import model
from ckan.tests import factories, helpers

from ckanext.qingyang.boards import model as boards_model
from ckanext.qingyang.catalog import submissions, timeliness
from ckanext.qingyang.core import assessment
from ckanext.qingyang.model import review, share_request, version
from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.factories import department

THIS = dt.date.today().strftime("%Y-%m")
LAST, BEFORE = assessment.months_back(THIS, 3)[1], assessment.months_back(THIS, 3)[0]
QINGCHENG = "621021"
NAMED = dict(leader_in_charge="王建国(副局长)", responsible_office="办公室", content_officer="李秀英")


@dataclass
class World:
    orgs: dict[str, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def day(n: int, hour: int = 10) -> dt.datetime:
    """The n-th day of LAST."""
    start, _ = assessment.month_bounds(LAST)
    return dt.datetime.combine(start + dt.timedelta(days=n - 1), dt.time(hour))


def _member(org: dict, key: str, w: World) -> None:
    user = factories.User(name=f"qy-assess-{key}")
    helpers.call_action("organization_member_create", {"ignore_auth": True, "user": "site"},
                        id=org["id"], username=user["name"], role="editor")
    w.users[key] = user
    w.tokens[key] = helpers.call_action("api_token_create", {"user": user["name"], "ignore_auth": True},
                                        user=user["name"], name="t")["token"]


def build() -> World:
    w = World()
    w.orgs["fin"] = department(name="qy-fin", title="庆阳市财政局", roles="finance_bureau")
    w.orgs["good"] = department(name="qy-good", title="庆阳市民政局", **NAMED)
    w.orgs["county_gov"] = department(name="qy-qc-gov", title="庆城县人民政府", kind="government",
                                      jurisdiction_level="county", region_code=QINGCHENG, jurisdiction="庆城县", **NAMED)
    w.orgs["county"] = department(name="qy-qc-civil", title="庆城县民政局", jurisdiction_level="county",
                                  region_code=QINGCHENG, jurisdiction="庆城县", **NAMED)
    admin = factories.Sysadmin(name="qy-assess-admin")
    w.users["admin"] = admin
    w.tokens["admin"] = helpers.call_action("api_token_create", {"user": admin["name"], "ignore_auth": True},
                                            user=admin["name"], name="t")["token"]
    for key in ("good", "county_gov", "fin"):
        _member(w.orgs[key], key, w)

    create(w.orgs["fin"], "power_item", title="财政监督检查", code="JC-621000-0001")
    create(w.orgs["good"], "power_item", title="社会团体登记", code="XK-621000-0002")
    create(w.orgs["good"], "responsibility_item", title="受理责任:依法受理", power_code="XK-621000-0002")
    create(w.orgs["good"], "shared_resource", title="社会组织登记信息")
    create(w.orgs["county"], "power_item", title="低保审批", code="XK-621021-0003")

    ctx = {"user": admin["name"], "ignore_auth": True}
    ratings = [{"organization": "qy-fin", "type_name": "power_item", "items": 1, "last_confirmed": "2025-01-01",
                "cycle_days": 180, "rating": "overdue", "rated_on": THIS + "-01"}]
    ratings += [{"organization": "qy-good", "type_name": t, "items": 1, "last_confirmed": LAST + "-02",
                 "cycle_days": 180, "rating": "fresh", "rated_on": THIS + "-01"}
                for t in ("power_item", "responsibility_item", "shared_resource")]
    timeliness.store(ctx, ratings)
    for org, ok in ((w.orgs["fin"], False), (w.orgs["good"], True)):
        submissions.record(ctx, model.Group.get(org["id"]), {
            "type_name": "power_item", "run_id": f"run-{org['name']}", "sha256": uuid.uuid4().hex, "outcome": "accepted",
            "file_name": "权力清单.xlsx", "quality": {"success": ok, "statistics": {}}})
    model.Session.execute(sa.text("UPDATE task_status SET last_updated = :at WHERE task_type = :t"),
                          {"at": day(3), "t": submissions.TASK_TYPE})

    # six reviews by 财政局 in LAST: four the next day, two submitted a month before
    for i in range(6):
        vid = f"v-{uuid.uuid4().hex[:12]}"
        submitted = day(10) - dt.timedelta(days=40 if i < 2 else 1)
        model.Session.execute(version.insert().values(
            id=vid, package_id=f"pkg-{vid}", package_type="special_fund", owner_org=w.orgs["good"]["id"], number=1,
            change="create", state="published", title=f"专项资金{i}", created=submitted, submitted_at=submitted,
            offices='{"finance_bureau": "%s"}' % w.orgs["fin"]["id"]))
        model.Session.execute(review.insert().values(
            id=f"r-{vid}", version_id=vid, package_id=f"pkg-{vid}", reviewer_id=w.users["fin"]["id"],
            reviewer_name="审核员", office_org=w.orgs["fin"]["id"], role="finance_bureau", decision="approve", at=day(10)))

    # five share requests of 民政局 due in LAST: four answered in time, one never
    for i in range(5):
        model.Session.execute(share_request.insert().values(
            id=f"s-{uuid.uuid4().hex[:12]}", kind="share", package_id="pkg-x", owner_org=w.orgs["good"]["id"],
            requester_id=admin["id"], requester_org=w.orgs["fin"]["id"], purpose=f"低保核对{i}", basis="依据",
            info_items="姓名", period_start=day(1).date(), period_end=day(20).date(),
            status="approved" if i else "pending", created=day(5), due_date=day(12).date(),
            decided_at=day(11) if i else None))

    def message(org: dict, n: int, on_time: bool, rating: str | None) -> str:
        mid = uuid.uuid4().hex
        model.Session.execute(boards_model.message.insert().values(
            id=mid, code=f"Q{mid[:10]}", seq=n, kind="consult", organization_id=org["id"], centre_id=org["id"],
            title=f"咨询{org['name']}{n}", content="内容", phone="13800000000", status="answered", created=day(2),
            updated=day(8), deadline=day(9).date(), reply_text="答复", reply_at=day(8 if on_time else 15),
            reply_org=org["id"], reply_days=4 if on_time else 9, reply_on_time=on_time, first_rating=rating))
        return mid

    late = None
    for n in range(6):
        mid = message(w.orgs["good"], n, on_time=n != 5, rating=(None, "satisfied", "satisfied", "basically",
                                                                  "satisfied", "unsatisfied")[n])
        late = mid if n == 5 else late
    model.Session.execute(boards_model.supervision.insert().values(
        id=uuid.uuid4().hex, message_id=late, organization_id=w.orgs["good"]["id"], centre_id=w.orgs["good"]["id"],
        issued_at=day(12), issued_by=admin["id"], issued_by_name="中心", reply_due=day(14).date(),
        deadline=day(9).date(), days_late=2, note="请尽快答复"))
    for n in range(2):
        message(w.orgs["county"], 100 + n, on_time=True, rating="satisfied")
    model.Session.commit()
    return w
