"""One submission through the pipeline: archive, parse, check, load, report.

CKAN is reached only through `call(action, data)` (ckanapi's call_action in the
DAG), so this module needs neither Airflow nor CKAN installed.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from ckanext.qingyang.core import listdef, markers, parsing, spreadsheets, suites

from qingyang_pipeline import archive, quality
from qingyang_pipeline.inbox import InboxFile

log = logging.getLogger(__name__)
Call = Callable[[str, dict], Any]

REJECT_SHARE = 0.2      # more refused rows than this: the whole file is refused
CHUNK_ROWS = 500        # rows per import request
PARALLEL_REQUESTS = 2   # import requests in flight at once (CKAN runs two workers)


@dataclass
class Settings:
    var_dir: Path
    reject_share: float = REJECT_SHARE
    chunk_rows: int = CHUNK_ROWS
    parallel_requests: int = PARALLEL_REQUESTS
    full_list: bool = True
    today: dt.date | None = None

    @property
    def archive_root(self) -> Path:
        return self.var_dir / "archive"

    @property
    def reports_root(self) -> Path:
        return self.var_dir / "reports"

    @property
    def docs_root(self) -> Path:
        return self.var_dir / "quality"


@dataclass
class Problem:
    row: int | None
    column: str
    value: str
    message_zh: str
    message_en: str
    blocking: bool = True   # False: reported, the row still loads (timeliness, classification markers)


@dataclass
class SubmissionReport:
    run_id: str
    org_name: str
    type_name: str
    file_name: str
    sha256: str = ""
    archive_path: str = ""
    outcome: str = "pending"          # accepted | rejected
    reason_zh: str = ""
    reason_en: str = ""
    encoding: str | None = None
    rows: int = 0
    loaded_rows: int = 0
    quarantined_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    restored: int = 0
    problems: list[Problem] = field(default_factory=list)
    quality: dict = field(default_factory=dict)
    docs_index: str | None = None

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.cancelled + self.restored

    def line(self) -> str:
        """The one-line summary `make collect` prints."""
        head = f"{self.org_name}/{self.type_name}/{self.file_name}: {self.outcome}"
        if self.outcome == "rejected":
            return f"{head} ({self.reason_en})"
        return (f"{head}, {self.rows} rows: {self.created + self.updated} changed, {self.unchanged} unchanged, "
                f"{self.cancelled} withdrawn, {self.restored} restoration proposed, "
                f"{self.quarantined_rows} quarantined")

    def to_dict(self) -> dict:
        return json.loads(json.dumps(asdict(self), ensure_ascii=False, default=str))


def _rejected(report: SubmissionReport, zh: str, en: str) -> SubmissionReport:
    report.outcome, report.reason_zh, report.reason_en = "rejected", zh, en
    log.warning("rejected %s/%s/%s: %s", report.org_name, report.type_name, report.file_name, en)
    return report


def check_rows(lt: listdef.ListType, table: parsing.Table, params: dict, docs_dir: Path | None
               ) -> tuple[list[dict], list[int], list[Problem], quality.QualityResult | None]:
    """Cell rules (listdef), then the list's GX suite over the rows that passed them, then the
    classification markers (the scan of the publishing gate) in every row's cells."""
    problems = [Problem(c.row_number, c.header, str(c.value or ""), c.message_zh, c.message_en)
                for c in table.cell_errors]
    bad = {p.row for p in problems}
    items, numbers = [], []
    for row, number in zip(table.rows, table.row_numbers):
        item, errors = listdef.row_to_item(lt, row, number)
        for e in errors:
            problems.append(Problem(number, e.label, "" if e.value is None else str(e.value), e.message,
                                    e.english()))
        if errors or number in bad:
            continue
        items.append(item)
        numbers.append(number)
    result = None
    if items:
        result = quality.validate(lt, items, numbers, params, docs_dir=docs_dir)
        for f in result.failures:
            # a stale 最后确认日期 is reported, not refused: the timeliness rating handles it
            problems.append(Problem(f.row_number, f.label, "" if f.value is None else str(f.value),
                                    f.message_zh, f.message_en, blocking=f.dimension != "timeliness"))
    for row, number in zip(table.rows, table.row_numbers):
        problems.extend(marker_problems(lt, row, number))
    return items, numbers, problems, result


def marker_problems(lt: listdef.ListType, row: dict, number: int) -> list[Problem]:
    """Classification markers in a row's cells: reported early, not refused here. The row loads as
    a draft like any other, and publishing refuses it until the marker is gone."""
    by_header = lt.by_header()
    out = []
    for finding in markers.scan_values(row.items()):
        en = (f"row {number}: field {by_header[finding.where].field_name}: classification marker "
              f"{finding.marker!r}; loaded as a draft, publishing will refuse it")
        log.warning(en)
        out.append(Problem(number, finding.where, str(row[finding.where]),
                           f"第 {number} 行{finding.message_zh()};该行仍作为草稿加载,提交审核时将被拒绝,"
                           "请删除密级标志或涉密内容后重新提交", en, blocking=False))
    return out


def known_power_codes(call: Call, org_name: str) -> list[str]:
    # drafts too: a responsibility item may cite a power item still in review
    exported = call("qingyang_list_export", {"organization": org_name, "type": "power_item", "drafts": True})
    return [r["编码"] for r in exported["rows"] if r.get("编码")]


def process(file: InboxFile, call: Call, settings: Settings, run_id: str,
            received_at: dt.datetime | None = None) -> SubmissionReport:
    """Archive, parse, check and load one inbox file; never half-applies a refused file.

    Raises on CKAN/Solr trouble (the task retries); bad input is an outcome, not an error.
    """
    received_at = received_at or dt.datetime.now(dt.timezone.utc)
    report = SubmissionReport(run_id, file.org_name, file.type_name, file.path.name)
    record = archive.archive_file(file.path, settings.archive_root, file.org_name, file.type_name,
                                  run_id, received_at)
    report.sha256, report.archive_path = record.sha256, str(record.path)
    lt = listdef.load_type(file.type_name)
    try:
        table = parsing.read_table(record.path.read_bytes(), file.path.name, lt)
    except parsing.StructuralError as e:
        return _finish(call, settings, _rejected(report, e.message_zh, e.message_en))
    report.encoding, report.rows = table.encoding, len(table.rows)

    params = suites.suite_params(lt, today=settings.today)
    if any(c.kind == "qy_power_ref" for c in lt.columns):
        params[suites.PARAM_KNOWN_POWER_CODES] = known_power_codes(call, file.org_name)
    docs_dir = settings.docs_root / run_id / file.org_name / file.type_name
    items, numbers, problems, result = check_rows(lt, table, params, docs_dir)
    report.problems = problems
    if result is not None:
        report.quality = {"success": result.success, "statistics": result.statistics}
        if result.docs_index:
            # relative to the quality folder, which CKAN serves at /qingyang/quality/
            report.docs_index = Path(result.docs_index).relative_to(settings.docs_root).as_posix()

    blocked = {p.row for p in problems if p.blocking}
    report.quarantined_rows = len(blocked)
    if report.rows and len(blocked) / report.rows > settings.reject_share:
        share = f"{len(blocked)}/{report.rows}"
        return _finish(call, settings, _rejected(
            report, f"有错误的行过多({share},超过 {settings.reject_share:.0%}),整个文件未采用",
            f"too many rows with errors ({share} > {settings.reject_share:.0%}); nothing applied"))

    keep = [(row, n) for row, n in zip(table.rows, table.row_numbers) if n not in blocked]
    source = f"{received_at:%Y-%m-%d} 提交的清单({file.path.name},SHA-256 {record.sha256[:12]})"
    # a refused row still names its item: a full list withdraws only what no row names
    named: list[str] = []
    unidentified: list[int] = []
    for row, n in zip(table.rows, table.row_numbers):
        if n in blocked:
            name = listdef.row_natural_name(lt, file.org_name, row)
            if name:
                named.append(name)
            else:
                unidentified.append(n)

    def load(chunk: list[tuple[dict, int]]) -> dict:
        return call("qingyang_list_import", {
            "organization": file.org_name, "type": file.type_name, "source": source,
            "rows": [_jsonable(r) for r, _ in chunk], "row_numbers": [n for _, n in chunk]})

    # chunks hold different items (the file's duplicates were refused above), so they may load side by side
    chunks = [keep[i:i + settings.chunk_rows] for i in range(0, len(keep), settings.chunk_rows)]
    def take(result_: dict) -> None:
        _count(report, result_)
        named.extend(result_["named"])
        unidentified.extend(result_.get("unidentified", []))

    # at most parallel_requests in flight; after a failure nothing more is sent (the retry starts over)
    width = max(1, settings.parallel_requests)
    in_flight: deque = deque()
    with ThreadPoolExecutor(width) as pool:
        for chunk in chunks:
            if len(in_flight) >= width:
                take(in_flight.popleft().result())
            in_flight.append(pool.submit(load, chunk))
        while in_flight:
            take(in_flight.popleft().result())
    if settings.full_list:
        reason = f"{received_at:%Y-%m-%d} 提交的完整清单({file.path.name},SHA-256 {record.sha256[:12]})中没有该事项"
        _count(report, call("qingyang_list_withdraw", {
            "organization": file.org_name, "type": file.type_name, "keep_names": named, "reason": reason,
            "unidentified_rows": sorted(set(unidentified))}))
        if unidentified:
            report.reason_zh = next(p.message_zh for p in report.problems if p.row is None)
            report.reason_en = "nothing withdrawn: some refused rows name no readable item"
    report.loaded_rows = report.created + report.updated + report.unchanged + report.restored
    report.quarantined_rows = len({p.row for p in report.problems if p.blocking})
    report.outcome = "accepted"
    if report.changed:
        # loading is not publishing: the department submits the drafts for review (publishing/submit.py)
        report.reason_zh = (report.reason_zh + ";" if report.reason_zh else "") + \
            "新增和变更的事项已加载为草稿或待提交的修订,须由本部门在平台上确认声明并提交审核,审核通过后发布"
        report.reason_en = (report.reason_en + "; " if report.reason_en else "") + \
            "new and changed items are loaded as drafts or revisions; the department submits them for review"
    return _finish(call, settings, report)


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in row.items()}


def _count(report: SubmissionReport, result: dict) -> None:
    for key in ("created", "updated", "unchanged", "cancelled", "restored"):
        setattr(report, key, getattr(report, key) + int(result.get(key, 0)))
    for e in result.get("errors", []):
        report.problems.append(Problem(e.get("row"), e.get("column", ""), e.get("value", ""), e["message"],
                                       e.get("message_en") or f"refused by CKAN: row {e.get('row')}, field {e.get('field')}",
                                       blocking=e.get("blocking", True)))


def _finish(call: Call, settings: Settings, report: SubmissionReport) -> SubmissionReport:
    """Keep the report on disk and on the department's 提交记录 page in CKAN."""
    _write(settings, report)
    call("qingyang_submission_record", {"organization": report.org_name, "report": report.to_dict()})
    return report


def _write(settings: Settings, report: SubmissionReport) -> SubmissionReport:
    """Keep the report (JSON) and the error list (XLSX) per run."""
    folder = settings.reports_root / report.run_id / report.org_name / report.type_name
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{report.sha256[:12] or 'unarchived'}"
    (folder / f"{stem}.json").write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    (folder / f"{stem}-errors.xlsx").write_bytes(error_workbook(report))
    return report


def error_workbook(report: SubmissionReport) -> bytes:
    title = f"{report.org_name} {listdef.load_type(report.type_name).list_label} {report.file_name}"
    outcome = f"结果:{'已采用' if report.outcome == 'accepted' else '未采用'}  {report.reason_zh}"
    return spreadsheets.error_workbook(title, outcome, report.to_dict()["problems"])
