"""Data quality of a collected list file: its list's Great Expectations suite, run with GX 1.x.

The suites are built from the list definitions by ckanext.qingyang.core.suites and
committed as ``expectations/<type>.json``; ``load_suite`` reads them from there.
``validate(lt, items, row_numbers, params)`` runs a suite over the checked items of
one file (``listdef.row_to_item`` output) and maps every failure back to the file's
row number and the field's Chinese label.

GX and pandas are imported lazily, inside ``validate``: importing this module
(e.g. while Airflow parses a DAG file) stays cheap.

Frame layout (``build_frame``): one row per item, field names as columns, plus
``_row`` (the file row number). Text, codes and choices are Python strings;
lists are joined with ``;`` (several choices: their stored values); decimals, days, counts and years are float64;
dates stay ISO strings (so the format rule can check them) and the confirmed
date gets a typed companion column ``confirmed_date__date`` (datetime64) for
the timeliness range (see core.suites).
"""
from __future__ import annotations

import json
import logging
import os
import time
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from ckanext.qingyang.core import listdef, suites
from ckanext.qingyang.core.suites import DATE_COMPANION_SUFFIX, PARAM_CONFIRMED_MAX, PARAM_CONFIRMED_MIN

REPO_ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS_DIR = Path(os.environ.get("QINGYANG_EXPECTATIONS_DIR") or REPO_ROOT / "expectations")
ROW_COLUMN = "_row"
DOCS_SITE = "qingyang"  # the Data Docs site name inside the ephemeral context

NUMERIC_KINDS = ("qy_decimal", "qy_days", "qy_count", "qy_year")
LIST_KINDS = ("qy_list", "qy_info_items")
MAX_DUPLICATE_ROWS_NAMED = 5  # a duplicate's message names at most this many other rows


def load_suite(type_name: str, directory: Path | None = None) -> dict:
    """The committed suite of a list type (expectations/<type>.json)."""
    return suites.load_suite(type_name, directory or EXPECTATIONS_DIR)


# ================================================================ results
@dataclass
class RowFailure:
    row_number: int | None
    field_name: str
    label: str
    value: Any
    message_zh: str
    message_en: str
    expectation_type: str
    dimension: str = ""  # completeness, validity, consistency, reference, uniqueness or timeliness


@dataclass
class ExpectationSummary:
    expectation_type: str
    column: str
    label: str
    dimension: str
    success: bool
    unexpected_count: int
    unexpected_percent: float
    description_zh: str
    exception: str | None = None


@dataclass
class QualityResult:
    list_type: str
    suite_name: str
    success: bool
    statistics: dict
    failures: list[RowFailure]
    summary: list[ExpectationSummary]
    params: dict
    docs_index: Path | None = None
    seconds: float = 0.0
    row_count: int = 0

    def failures_for(self, row_number: int | None) -> list[RowFailure]:
        return [f for f in self.failures if f.row_number == row_number]

    def to_dict(self) -> dict:
        """JSON-able (for XCom and reports)."""
        d = asdict(self)
        d["docs_index"] = str(self.docs_index) if self.docs_index else None
        return json.loads(json.dumps(d, ensure_ascii=False, default=str))


# ================================================================ parameters
def _suite_param_names(suite: dict) -> set[str]:
    names = set()
    for e in suite["expectations"]:
        for v in e["kwargs"].values():
            if isinstance(v, dict) and "$PARAMETER" in v:
                names.add(v["$PARAMETER"])
    return names


# ================================================================ the frame
def _cell(col: listdef.Column, value: Any) -> Any:
    if listdef.is_blank(value):
        return None
    if col.kind in LIST_KINDS:
        return listdef.format_cell(col, value)
    if col.kind in listdef.MULTI_CHOICE_KINDS:
        return listdef.ITEM_SEPARATOR.join(value)   # values, as the suite's regex expects
    return str(value)


def build_frame(lt: listdef.ListType, items: Sequence[dict], row_numbers: Sequence[int]):
    """The DataFrame a suite runs on (see the module docstring)."""
    import pandas as pd

    if len(items) != len(row_numbers):
        raise ValueError(f"{len(items)} items but {len(row_numbers)} row numbers")
    present = {k for item in items for k in item}
    cols = [c for c in lt.columns if c.field_name in present] if items else list(lt.columns)
    data: dict[str, Any] = {ROW_COLUMN: pd.Series(list(row_numbers), dtype="int64")}
    for col in cols:
        f = col.field_name
        if col.kind in NUMERIC_KINDS:
            data[f] = pd.to_numeric(pd.Series([None if listdef.is_blank(i.get(f)) else i.get(f)
                                               for i in items], dtype=object),
                                    errors="coerce").astype("float64")
        else:
            # object, not pandas 3's default `str` dtype: the GX pandas metrics expect it
            data[f] = pd.Series([_cell(col, i.get(f)) for i in items], dtype=object)
        if col.kind == "qy_confirmed_date":
            data[f + DATE_COMPANION_SUFFIX] = pd.to_datetime(
                data[f], format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    return pd.DataFrame(data)


# ================================================================ validation
@contextmanager
def _quiet() -> Iterator[None]:
    """No GX INFO logging or warnings (deprecations) while validating."""
    loggers = [logging.getLogger(n) for n in ("great_expectations", "py.warnings")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _context(docs_dir: Path | None):
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir is not None:
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites=sites,
    )
    return gx.get_context(project_config=config, mode="ephemeral")



def _gx_suite(suite: dict):
    import great_expectations as gx

    gx_suite = gx.ExpectationSuite(**suite)
    # GX drops an invalid expectation with only a log line: refuse instead
    if len(gx_suite.expectations) != len(suite["expectations"]):
        raise ValueError(
            f"suite {suite['name']}: GX accepted {len(gx_suite.expectations)} of "
            f"{len(suite['expectations'])} expectations (the GX error log names the rejected ones)")
    return gx_suite


def _raised(exception_info: Any) -> str | None:
    """The exception message of a result, if its metrics raised."""
    if not isinstance(exception_info, dict):
        return None
    if "raised_exception" in exception_info:
        return exception_info.get("exception_message") if exception_info["raised_exception"] else None
    for info in exception_info.values():
        if isinstance(info, dict) and info.get("raised_exception"):
            return info.get("exception_message") or "exception"
    return None


def _involved_columns(kwargs: dict) -> set[str]:
    cols = {kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs}
    cols.update(kwargs.get("column_list") or ())

    def walk(cond: Any) -> None:
        if isinstance(cond, dict):
            if "column" in cond and isinstance(cond["column"], dict):
                cols.add(cond["column"]["name"])
            for c in cond.get("conditions") or ():
                walk(c)
    walk(kwargs.get("row_condition"))
    return cols


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return listdef.ITEM_SEPARATOR.join(
            v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in value)
    return "" if value is None else str(value)


def _messages(meta: dict, etype: str, row: int | None, value: Any, params: dict,
              dupes: list[int]) -> tuple[str, str]:
    label, check, field_name = meta["label"], meta["check"], meta["field_name"]
    where_en = f"row {row}" if row is not None else "file"
    en = f"{where_en}: field {field_name}: {meta['description_en']} ({etype}); value {value!r}"
    if check in ("required", "required_when", "exists"):
        return meta["description_zh"], en
    if check == "unique":
        others = [r for r in dupes[:MAX_DUPLICATE_ROWS_NAMED + 1] if r != row][:MAX_DUPLICATE_ROWS_NAMED]
        more = len(dupes) - 1 - len(others)
        again = (f",与第 {'、'.join(map(str, others))} 行" + (f"等 {len(dupes) - 1} 行" if more > 0 else "")
                 + "相同") if others else ""
        key_values = " / ".join(_fmt(v) for v in value) if isinstance(value, tuple) else _fmt(value)
        return f"{label}:“{key_values}”{meta['rule_zh']}{again}", en
    if check == "timeliness":
        lo = str(params.get(PARAM_CONFIRMED_MIN, ""))[:10]
        hi = str(params.get(PARAM_CONFIRMED_MAX, ""))[:10]
        text = _fmt(value)
        if hi and text > hi:
            return f"{label}:“{text}”晚于检查当日 {hi},不能填写未来日期", en
        return (f"{label}:“{text}”早于 {lo},已超过更新周期({meta.get('update_cycle_days')} 天)"
                "未确认,请核实后更新最后确认日期"), en
    if check == "allowed_with":
        col = listdef.load_type(meta["type_name"]).column(field_name)
        return f"{label}:“{col.label_of(_fmt(value))}”{meta['rule_zh']}", en
    return f"{label}:“{_fmt(value)}”{meta['rule_zh']}", en


def validate(lt: listdef.ListType | str, items: Sequence[dict], row_numbers: Sequence[int],
             params: dict | None = None, docs_dir: Path | None = None, *,
             suite: dict | None = None, run_name: str | None = None) -> QualityResult:
    """Validate the checked items of one file with the list type's suite.

    ``params``: suite parameters; ``confirmed_min``/``confirmed_max`` default to
    today's window (see ``suites.suite_params``); ``known_power_codes`` must be
    given for a suite that references power items. ``docs_dir``: build Data
    Docs there (the caller gives one folder per run). ``suite`` defaults to the
    committed ``expectations/<type>.json``.
    """
    started = time.perf_counter()
    lt = suites.list_type(lt)
    suite = suite if suite is not None else load_suite(lt.name)
    params = {**suites.suite_params(lt), **(params or {})}
    for k in (PARAM_CONFIRMED_MIN, PARAM_CONFIRMED_MAX):
        params[k] = suites.param_datetime(params[k])
    missing = _suite_param_names(suite) - set(params)
    if missing:
        raise ValueError(f"suite {suite['name']} needs parameters {sorted(missing)}")

    frame = build_frame(lt, items, row_numbers)
    row_index = {int(r): i for i, r in enumerate(row_numbers)}
    frame_columns = set(frame.columns)

    with _quiet():
        import great_expectations as gx

        context = _context(Path(docs_dir) if docs_dir is not None else None)
        batch_definition = (context.data_sources.add_pandas("qingyang")
                            .add_dataframe_asset(lt.name)
                            .add_batch_definition_whole_dataframe("file"))
        gx_suite = context.suites.add(_gx_suite(suite))
        result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": [ROW_COLUMN],
                         "return_unexpected_index_query": False}
        docs_index = None
        if docs_dir is None:
            batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
            vr = batch.validate(gx_suite, result_format=result_format, expectation_parameters=params)
        else:
            from great_expectations.checkpoint import UpdateDataDocsAction

            vd = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{lt.name}_file", data=batch_definition, suite=gx_suite))
            checkpoint = context.checkpoints.add(gx.Checkpoint(
                name=f"{lt.name}_checkpoint", validation_definitions=[vd], result_format=result_format,
                actions=[UpdateDataDocsAction(name="data_docs", site_names=[DOCS_SITE])]))
            cp_result = checkpoint.run(
                batch_parameters={"dataframe": frame}, expectation_parameters=params,
                run_id=gx.RunIdentifier(run_name=run_name or lt.name))
            vr = next(iter(cp_result.run_results.values()))
            docs_index = Path(docs_dir) / "index.html"
            if not docs_index.is_file():
                raise RuntimeError(f"Data Docs were not written to {docs_dir}")

    # results come back grouped by domain, not in suite order: map them back by id
    position_of = {e.id: n for n, e in enumerate(gx_suite.expectations)}
    if None in position_of or len(position_of) != len(suite["expectations"]):
        raise RuntimeError("GX did not give every expectation an id")
    metas = [e["meta"] for e in suite["expectations"]]

    failures: list[tuple[int, RowFailure]] = []
    summary: list[tuple[int, ExpectationSummary]] = []
    numeric = {c.field_name for c in lt.columns if c.kind in NUMERIC_KINDS}
    missing_columns = {e["kwargs"]["column"] for e in suite["expectations"]
                       if e["type"] == "expect_column_to_exist"} - frame_columns
    for r in vr.results:
        n = position_of[r.expectation_config.id]
        e = suite["expectations"][n]
        meta, etype = metas[n], e["type"]
        res = r.result or {}
        error = _raised(r.exception_info)
        summary.append((n, ExpectationSummary(
            expectation_type=etype, column=",".join(meta.get("columns") or [meta["field_name"]]),
            label=meta["label"], dimension=meta["dimension"], success=bool(r.success),
            unexpected_count=int(res.get("unexpected_count") or 0),
            unexpected_percent=float(res.get("unexpected_percent") or 0.0),
            description_zh=meta["description_zh"], exception=error)))
        if r.success:
            continue
        f, label = meta["field_name"], meta["label"]
        if error is not None or etype == "expect_column_to_exist":
            if error is not None and _involved_columns(e["kwargs"]) & missing_columns:
                continue  # the missing column is reported once, by expect_column_to_exist
            zh, en = _messages(meta, etype, None, None, params, [])
            if error is not None:
                zh = f"{meta['description_zh']}:检查无法执行({error})"
                en = f"file: field {f}: {etype} could not run: {error}"
            failures.append((n, RowFailure(None, f, label, None, zh, en, etype, meta["dimension"])))
            continue
        rows = [int(u[ROW_COLUMN]) for u in res.get("unexpected_index_list") or ()]
        if not rows:  # a whole-file failure without row indices
            zh, en = _messages(meta, etype, None, None, params, [])
            failures.append((n, RowFailure(None, f, label, None, zh, en, etype, meta["dimension"])))
            continue
        key = meta.get("columns") if meta["check"] == "unique" else None
        groups: dict[tuple, list[int]] = {}
        if key:
            for row in rows:
                item = items[row_index[row]]
                groups.setdefault(tuple(_fmt(item.get(k)) for k in key), []).append(row)
        for row in rows:
            item = items[row_index[row]] if row in row_index else {}
            if key:
                value = tuple(item.get(k) for k in key) if len(key) > 1 else item.get(key[0])
                dupes = groups[tuple(_fmt(item.get(k)) for k in key)]
            else:
                value, dupes = item.get(f), []
            zh, en = _messages(meta, etype, row, value, params, dupes)
            if meta["check"] in ("required", "required_when") and not listdef.is_blank(value):
                # present in the item but not convertible for the frame (e.g. "abc" as a number)
                zh = f"{label}:“{_fmt(value)}”不是有效的{'数值' if f in numeric else '值'}"
            failures.append((n, RowFailure(row, f, label, value if not isinstance(value, tuple)
                                           else list(value), zh, en, etype, meta["dimension"])))

    failures.sort(key=lambda p: (p[1].row_number is not None, p[1].row_number or 0, p[0]))
    summary.sort(key=lambda p: p[0])
    stats = dict(vr.statistics)
    return QualityResult(
        list_type=lt.name, suite_name=suite["name"], success=bool(vr.success),
        statistics={k: (float(v) if k == "success_percent" and v is not None else v)
                    for k, v in stats.items()},
        failures=[f for _, f in failures], summary=[s for _, s in summary],
        params=params, docs_index=docs_index, seconds=time.perf_counter() - started,
        row_count=len(items))
