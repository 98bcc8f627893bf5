"""A full list withdraws only what it no longer names: through the pipeline, on the real test CKAN.

A department's published items must survive the ordinary mistakes of a file: a row
refused for a bad cell still names its item, its own export loads back as it is, and a
cancelled item named again comes back only through review (恢复).
"""
from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from ckanext.qingyang.core import listdef, spreadsheets

ROUTES = yaml.safe_load((Path(__file__).resolve().parents[2] / "catalogs" / "review_routes.yaml").read_text("utf-8"))
PLACE = {"jurisdiction_level": "city", "jurisdiction": "庆阳市", "region_code": "621000"}
BAD_DATE = "2026-11-01\n第二行"      # what a department typed: a date with a second line in its cell


@dataclass
class World:
    """A government with every reviewing office, one reviewer per office and one department editor."""
    gov: str
    editor: object
    editor_name: str
    reviewers: dict          # role -> RemoteCKAN of that office's reviewer


@pytest.fixture(scope="module")
def world(ckan, test_ckan) -> World:
    from ckanapi import RemoteCKAN

    tag = uuid.uuid4().hex[:8]
    gov = f"fl-gov-{tag}"
    ckan("organization_create", dict(PLACE, name=gov, title="全量清单测试市政府", kind="government"))

    def user(name: str) -> RemoteCKAN:
        ckan("user_create", {"name": name, "email": f"{name}@example.cn", "password": f"Pw-{uuid.uuid4().hex}"})
        return RemoteCKAN(test_ckan.url, apikey=ckan("api_token_create", {"user": name, "name": "t"})["token"])

    reviewers = {}
    for role, label in ROUTES["roles"].items():
        office = f"fl-{role.replace('_', '-')}-{tag}"
        ckan("organization_create", dict(PLACE, name=office, title=f"测试{label}", kind="office", roles=role,
                                         groups=[{"name": gov, "capacity": "parent"}]))
        reviewers[role] = user(f"fl-rv-{role.replace('_', '-')}-{tag}")
        ckan("organization_member_create", {"id": office, "username": f"fl-rv-{role.replace('_', '-')}-{tag}",
                                            "role": "editor"})
    editor_name = f"fl-editor-{tag}"
    return World(gov, user(editor_name), editor_name, reviewers)


@pytest.fixture()
def dept(ckan, world) -> str:
    name = f"fl-dept-{uuid.uuid4().hex[:8]}"
    ckan("organization_create", dict(PLACE, name=name, title="全量清单测试局", kind="department",
                                     groups=[{"name": world.gov, "capacity": "parent"}]))
    ckan("organization_member_create", {"id": name, "username": world.editor_name, "role": "editor"})
    return name


@pytest.fixture()
def settings(tmp_path):
    from qingyang_pipeline import collect

    return collect.Settings(tmp_path / "var")


def publish(world: World, type_name: str, names: list[str]) -> None:
    """The department submits with its declaration; every office on the type's route approves."""
    world.editor.call_action("qingyang_item_submit", {"ids": names, "declaration": True})
    for role in ROUTES["routes"][type_name]["offices"]:
        for name in names:
            world.reviewers[role].call_action("qingyang_item_review", {"id": name, "decision": "approve"})


def key_rows(type_name: str, n: int) -> list[dict]:
    """n valid rows of a type that name n different items (their natural keys differ)."""
    lt = listdef.load_type(type_name)
    key = next(k for k in reversed(lt.natural_key) if k != "owner_org")
    label = lt.column(key).label
    series = uuid.uuid4().int % 90000 + 10000
    out = []
    for i in range(1, n + 1):
        row = spreadsheets.example_row(lt)
        row["最后确认日期"] = "2026-11-20"
        if key == "code":
            row[label] = f"XK-621000-{i:04d}"
        elif key == "resource_code":
            row[label] = f"621000-{series:05d}/{i:05d}"
        else:
            row[label] = f"{row[label]}{i:02d}"
        out.append(row)
    return out


def xlsx(headers: list[str], data_rows: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in data_rows:
        ws.append([r.get(h, "") for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(ckan, settings, org: str, type_name: str, file_name: str, data: bytes):
    from qingyang_pipeline import collect
    from qingyang_pipeline.inbox import InboxFile

    folder = settings.var_dir / "inbox" / org / type_name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    path.write_bytes(data)
    st = path.stat()
    return collect.process(InboxFile(org, type_name, path, st.st_size, st.st_mtime), ckan, settings,
                           run_id=f"test-{uuid.uuid4().hex[:6]}")


def load_published(ckan, world, settings, org: str, type_name: str, data_rows: list[dict]) -> list[str]:
    """Load rows through the pipeline and publish them through review; their item names."""
    lt = listdef.load_type(type_name)
    if type_name == "responsibility_item":      # its 权力事项编码 must name a power item of the department
        power = spreadsheets.example_row(listdef.load_type("power_item"))
        assert run(ckan, settings, org, "power_item", "power.xlsx",
                   xlsx(listdef.load_type("power_item").headers, [power])).outcome == "accepted"
    report = run(ckan, settings, org, type_name, "v1.xlsx", xlsx(lt.headers, data_rows))
    assert (report.outcome, report.created, report.quarantined_rows) == ("accepted", len(data_rows), 0), report.line()
    names = [listdef.row_natural_name(lt, org, r) for r in data_rows]
    publish(world, type_name, names)
    return names


def show(ckan, name: str) -> dict:
    return ckan("package_show", {"id": name})


@pytest.mark.parametrize("type_name", listdef.TYPE_NAMES)
def test_a_refused_row_keeps_its_published_item_and_the_corrected_file_loads(ckan, world, dept, settings,
                                                                              type_name):
    lt = listdef.load_type(type_name)
    good = key_rows(type_name, 6)     # one bad row in six stays under the refusal share (20%)
    names = load_published(ckan, world, settings, dept, type_name, good)

    bad = [dict(r) for r in good]
    bad[2]["最后确认日期"] = BAD_DATE
    report = run(ckan, settings, dept, type_name, "v2.xlsx", xlsx(lt.headers, bad))
    assert (report.outcome, report.unchanged, report.cancelled, report.quarantined_rows) == ("accepted", 5, 0, 1), \
        report.line()
    refused = [p for p in report.problems if p.blocking]
    assert [(p.row, p.column) for p in refused] == [(4, "最后确认日期")]
    item = show(ckan, names[2])
    # the refused row's item keeps its published version: not cancelled, no withdrawal waiting for review
    assert item["list_status"] == "current" and item["publication"]["state"] == "published"
    assert "open_version" not in item["publication"]

    again = run(ckan, settings, dept, type_name, "v3.xlsx", xlsx(lt.headers, good))
    assert (again.outcome, again.unchanged, again.cancelled, again.quarantined_rows) == ("accepted", 6, 0, 0), \
        again.line()
    assert not again.problems


def submissions_page(test_ckan, world, org: str) -> str:
    """The department's 提交记录 page, as its editor sees it."""
    import urllib.request

    request = urllib.request.Request(f"{test_ckan.url}/qingyang/submissions/{org}",
                                     headers={"Authorization": world.editor.apikey})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode("utf-8")


def test_a_full_list_that_omits_a_row_withdraws_it_and_naming_it_again_proposes_restoration(
        ckan, world, dept, settings, test_ckan):
    type_name = "approval_item"
    lt = listdef.load_type(type_name)
    rows = key_rows(type_name, 3)
    names = load_published(ckan, world, settings, dept, type_name, rows)

    omitted = run(ckan, settings, dept, type_name, "v2.xlsx", xlsx(lt.headers, rows[:2]))
    assert (omitted.unchanged, omitted.cancelled, omitted.quarantined_rows) == (2, 1, 0), omitted.line()
    # withdrawing a published item is a revision: the public keeps it until the office approves
    assert show(ckan, names[2])["publication"]["open_version"]["state"] == "draft"
    publish(world, type_name, [names[2]])
    cancelled = show(ckan, names[2])
    assert (cancelled["publication"]["state"], cancelled["list_status"]) == ("cancelled", "withdrawn")
    assert "v2.xlsx" in cancelled["list_status_reason"]

    # the next full list names it again: a 恢复 is proposed, with its reason, and nothing else changes
    back = run(ckan, settings, dept, type_name, "v3.xlsx", xlsx(lt.headers, rows))
    assert (back.unchanged, back.restored, back.cancelled, back.created) == (2, 1, 0, 0), back.line()
    assert not [p for p in back.problems if p.blocking]
    records = submissions_page(test_ckan, world, dept)
    assert "v3.xlsx" in records and "0/0/2/0/1" in records             # 新增/更新/未变/取消/申请恢复
    pending = show(ckan, names[2])
    assert pending["publication"]["state"] == "cancelled"            # still cancelled until reviewed
    assert pending["publication"]["open_version"]["change"] == "restore"
    history = world.editor.call_action("qingyang_item_history", {"id": names[2]})
    restore = history["versions"][-1]
    assert restore["change_label"] == "恢复" and "v3.xlsx" in restore["reason"]

    publish(world, type_name, [names[2]])
    restored = show(ckan, names[2])
    assert (restored["publication"]["state"], restored["list_status"]) == ("published", "current")

    # and the same file once more changes nothing
    rerun = run(ckan, settings, dept, type_name, "v4.xlsx", xlsx(lt.headers, rows))
    assert (rerun.unchanged, rerun.restored, rerun.cancelled) == (3, 0, 0), rerun.line()


def test_the_departments_own_export_loads_back_unchanged_with_cancelled_and_adjusted_items(
        ckan, world, dept, settings):
    type_name = "approval_item"
    lt = listdef.load_type(type_name)
    rows = key_rows(type_name, 4)
    names = load_published(ckan, world, settings, dept, type_name, rows)
    # one item cancelled through the department's list and review, one adjusted by its office
    run(ckan, settings, dept, type_name, "v2.xlsx", xlsx(lt.headers, rows[:3]))
    publish(world, type_name, [names[3]])
    reviewer = world.reviewers[ROUTES["routes"][type_name]["offices"][0]]
    reviewer.call_action("qingyang_adjust", {"ids": [names[2]], "action": "amend", "changes": {"promised_days": "5"},
                                             "reason": "压缩承诺时限", "basis": "市政府常务会议决定"})
    states = {n: show(ckan, n)["publication"]["state"] for n in names}
    assert list(states.values()) == ["published", "published", "adjusted", "cancelled"]

    exported = ckan("qingyang_list_export", {"organization": dept, "type": type_name})
    assert exported["count"] == 4 and "清单状态" in exported["headers"]
    assert sorted(r["清单状态"] for r in exported["rows"]) == ["已取消", "有效", "有效", "有效"]
    report = run(ckan, settings, dept, type_name, "export.xlsx", xlsx(exported["headers"], exported["rows"]))
    assert (report.outcome, report.unchanged, report.created, report.updated, report.cancelled, report.restored) == \
        ("accepted", 4, 0, 0, 0, 0), report.line()
    assert not report.problems
    assert {n: show(ckan, n)["publication"]["state"] for n in names} == states


def test_a_refused_row_whose_item_cannot_be_told_withdraws_nothing(ckan, world, dept, settings, test_ckan):
    type_name = "service_item"
    lt = listdef.load_type(type_name)
    rows = key_rows(type_name, 6)
    names = load_published(ckan, world, settings, dept, type_name, rows)
    unnamed = [dict(r) for r in rows]
    unnamed[1]["事项名称"] = ""          # the key cell itself is empty: this row may be any item
    report = run(ckan, settings, dept, type_name, "v2.xlsx", xlsx(lt.headers, unnamed))
    assert (report.outcome, report.unchanged, report.cancelled) == ("accepted", 5, 0), report.line()
    note = [p for p in report.problems if p.row is None]
    assert len(note) == 1 and "第 3 行" in note[0].message_zh and "没有取消任何事项" in note[0].message_zh
    assert not note[0].blocking and report.quarantined_rows == 1
    assert "没有取消任何事项" in submissions_page(test_ckan, world, dept)
    assert all(show(ckan, n)["publication"]["state"] == "published" and "open_version" not in
               show(ckan, n)["publication"] for n in names)


def test_an_older_template_without_the_status_column_still_loads(ckan, world, dept, settings):
    type_name = "service_item"
    lt = listdef.load_type(type_name)
    headers = [h for h in lt.headers if h != "清单状态"]
    report = run(ckan, settings, dept, type_name, "old.xlsx", xlsx(headers, key_rows(type_name, 2)))
    assert (report.outcome, report.created) == ("accepted", 2), report.line()
    bad = key_rows(type_name, 1)
    bad[0]["清单状态"] = "作废"
    refused = run(ckan, settings, dept, type_name, "bad-status.xlsx", xlsx(lt.headers, bad))
    assert refused.outcome == "rejected"        # its one row is bad: too many bad rows to apply anything
    assert [(p.row, p.column) for p in refused.problems if p.blocking] == [(2, "清单状态")]
    assert "有效、已取消" in refused.problems[0].message_zh
