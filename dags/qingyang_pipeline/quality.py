"""Data quality of a collected list file, with Great Expectations 1.x.

Pure (no Airflow, no CKAN). Two halves:

* ``build_suite(lt)`` derives one Expectation Suite per list type from
  ``ckanext.qingyang.listdef`` alone (the schemas + presets). The suites are
  committed as ``expectations/<type>.json`` by ``expectations/build.py``
  (:data:`BUILD_COMMAND`); ``load_suite`` reads them, and a test keeps the
  committed files equal to what ``build_suite`` gives now.
* ``validate(lt, items, row_numbers, params)`` runs a suite over the checked
  items of one file (``listdef.row_to_item`` output) and maps every failure
  back to the file's row number and the field's Chinese label.

GX and pandas are imported lazily, inside ``validate``: importing this module
(e.g. while Airflow parses a DAG file) stays cheap.

Frame layout (``build_frame``): one row per item, field names as columns, plus
``_row`` (the file row number). Text, codes and choices are Python strings;
lists are joined with ``;``; decimals, days, counts and years are float64;
dates stay ISO strings (so the format rule can check them) and the confirmed
date gets a typed companion column ``confirmed_date__date`` (datetime64) for
the timeliness range, because GX 1.24 cannot compare ISO strings with
``expect_column_values_to_be_between``: it coerces string bounds to dates and
then refuses to compare them with string values.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import time
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from ckanext.qingyang import listdef
from ckanext.qingyang.codes import USCC_CHARSET

REPO_ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS_DIR = Path(os.environ.get("QINGYANG_EXPECTATIONS_DIR") or REPO_ROOT / "expectations")
BUILD_COMMAND = ".venv/airflow/bin/python expectations/build.py"
SUITE_PREFIX = "qingyang_"
ROW_COLUMN = "_row"
DOCS_SITE = "qingyang"  # the Data Docs site name inside the ephemeral context
DATE_COMPANION_SUFFIX = "__date"

PARAM_KNOWN_POWER_CODES = "known_power_codes"
PARAM_CONFIRMED_MIN = "confirmed_min"
PARAM_CONFIRMED_MAX = "confirmed_max"

NUMERIC_KINDS = ("qy_decimal", "qy_days", "qy_count", "qy_year")
DATE_KINDS = ("qy_date", "qy_confirmed_date")
LIST_KINDS = ("qy_list", "qy_info_items")
ISO_DATE_REGEX = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
URL_REGEX = r"^https?://\S+$"
_USCC_CLASS = f"[{USCC_CHARSET}]"
USCC_REGEX = rf"^{_USCC_CLASS}{{2}}[0-9]{{6}}{_USCC_CLASS}{{10}}$"
YEAR_MIN, YEAR_MAX = 2000, 2100
MAX_DUPLICATE_ROWS_NAMED = 5  # a duplicate's message names at most this many other rows


# ================================================================ suites
def _type(lt: listdef.ListType | str) -> listdef.ListType:
    return listdef.load_type(lt) if isinstance(lt, str) else lt


def suite_name(type_name: str) -> str:
    return f"{SUITE_PREFIX}{type_name}"


def _exp(etype: str, kwargs: dict, *, field_name: str, label: str, dimension: str, check: str,
         zh: str, en: str, columns: Sequence[str] | None = None) -> dict:
    """One expectation as GX 1.x JSON; ``zh`` is the rule without the label."""
    meta = {
        "field_name": field_name,
        "label": label,
        "dimension": dimension,
        "check": check,
        "rule_zh": zh,
        "description_zh": f"{label}:{zh}",
        "description_en": en,
    }
    if columns:
        meta["columns"] = list(columns)
    # `notes` is shown next to the expectation in Data Docs
    return {"type": etype, "kwargs": kwargs, "meta": meta, "notes": meta["description_zh"]}


def _condition(required_when: dict[str, list[str]]) -> dict:
    """required_when as a GX 1.x row_condition (Condition objects, JSON form)."""
    parts = [{"type": "comparison", "column": {"name": other}, "operator": "IN",
              "parameter": [str(v) for v in values]}
             for other, values in required_when.items()]
    return parts[0] if len(parts) == 1 else {"type": "or", "conditions": parts}


def _list_regex(item_pattern: str) -> str:
    """A regex for items joined by ';', from a regex for one item."""
    inner = item_pattern.removeprefix("^").removesuffix("$")
    return rf"^(?:{inner})(?:{listdef.ITEM_SEPARATOR}(?:{inner}))*$"


def _column_expectations(lt: listdef.ListType, col: listdef.Column) -> list[dict]:
    f, label, kind = col.field_name, col.label, col.kind
    common = {"field_name": f, "label": label}
    # an optional column may be left out of the file: the checked rows carry its default then
    exists = f"可省略此列(省略或空白即“{col.label_of(col.default)}”)" if col.optional else "文件中必须有此列"
    out = [_exp("expect_column_to_exist", {"column": f}, dimension="completeness", check="exists",
                zh=exists, en=f"column {f} is present", **common)]
    if col.required:
        out.append(_exp("expect_column_values_to_not_be_null", {"column": f},
                        dimension="completeness", check="required",
                        zh="必填,不能为空", en=f"{f} is required", **common))
    elif col.required_when:
        when = ";".join(
            f"{lt.column(o).label}为“{'、'.join(lt.column(o).label_of(v) for v in vals)}”时必填"
            for o, vals in col.required_when.items())
        when_en = " or ".join(f"{o} in {vals}" for o, vals in col.required_when.items())
        out.append(_exp("expect_column_values_to_not_be_null",
                        {"column": f, "row_condition": _condition(col.required_when)},
                        dimension="completeness", check="required_when",
                        zh=when, en=f"{f} is required when {when_en}", **common))

    if kind in listdef.CHOICE_KINDS:
        allowed = "、".join(c.label for c in col.choices)
        out.append(_exp("expect_column_values_to_be_in_set",
                        {"column": f, "value_set": [c.value for c in col.choices]},
                        dimension="validity", check="choice", zh=f"不是允许的取值,应为 {allowed} 之一",
                        en=f"{f} is one of {[c.value for c in col.choices]}", **common))
    for other, rules in col.allowed_with.items():
        other_col = lt.column(other)
        for other_value, allowed in rules.items():
            zh = (f"与{other_col.label}“{other_col.label_of(other_value)}”不相符,"
                  f"应为 {'、'.join(col.label_of(v) for v in allowed)}")
            out.append(_exp("expect_column_values_to_be_in_set",
                            {"column": f, "value_set": list(allowed),
                             "row_condition": _condition({other: [other_value]})},
                            dimension="consistency", check="allowed_with", zh=zh,
                            en=f"{f} is one of {list(allowed)} when {other} is {other_value}", **common))
            out[-1]["meta"]["type_name"] = lt.name
    if kind == "qy_power_ref":
        out.append(_exp("expect_column_values_to_be_in_set",
                        {"column": f, "value_set": {"$PARAMETER": PARAM_KNOWN_POWER_CODES}},
                        dimension="reference", check="reference",
                        zh="不是已发布的行政权力事项编码(请先发布对应的行政权力事项)",
                        en=f"{f} is a published power item code", **common))
    if col.pattern:
        hint = col.pattern_hint or col.pattern
        out.append(_exp("expect_column_values_to_match_regex", {"column": f, "regex": col.pattern},
                        dimension="validity", check="pattern", zh=f"格式不正确,应为 {hint}",
                        en=f"{f} matches {col.pattern}", **common))
    if kind == "qy_uscc":
        out.append(_exp("expect_column_values_to_match_regex", {"column": f, "regex": USCC_REGEX},
                        dimension="validity", check="pattern",
                        zh="不是有效的统一社会信用代码(18 位,GB 32100 字符集)",
                        en=f"{f} is an 18-character USCC", **common))
    if kind == "qy_resource_link":
        out.append(_exp("expect_column_values_to_match_regex", {"column": f, "regex": URL_REGEX},
                        dimension="validity", check="pattern",
                        zh="不是有效的网址(应以 http:// 或 https:// 开头)",
                        en=f"{f} is an http(s) URL", **common))
    if kind == "qy_list" and col.item_pattern:
        out.append(_exp("expect_column_values_to_match_regex",
                        {"column": f, "regex": _list_regex(col.item_pattern)},
                        dimension="validity", check="pattern",
                        zh=f"格式不正确,每项应为 {col.pattern_hint or col.item_pattern},多项用分号分隔",
                        en=f"every item of {f} matches {col.item_pattern}", **common))
    if kind == "qy_decimal":
        unit = f"(单位{col.unit})" if col.unit else ""
        out.append(_exp("expect_column_values_to_be_between", {"column": f, "min_value": 0},
                        dimension="validity", check="min", zh=f"应为不小于 0 的数{unit}",
                        en=f"{f} >= 0", **common))
    if kind == "qy_count":
        out.append(_exp("expect_column_values_to_be_between", {"column": f, "min_value": 0},
                        dimension="validity", check="min", zh="不能为负数",
                        en=f"{f} >= 0", **common))
    if kind == "qy_days":
        out.append(_exp("expect_column_values_to_be_between", {"column": f, "min_value": 1},
                        dimension="validity", check="min", zh="应为正整数(工作日)",
                        en=f"{f} >= 1 working day", **common))
    if kind == "qy_year":
        out.append(_exp("expect_column_values_to_be_between",
                        {"column": f, "min_value": YEAR_MIN, "max_value": YEAR_MAX},
                        dimension="validity", check="range", zh=f"不是有效年度({YEAR_MIN}-{YEAR_MAX})",
                        en=f"{YEAR_MIN} <= {f} <= {YEAR_MAX}", **common))
    if kind in DATE_KINDS:
        out.append(_exp("expect_column_values_to_match_regex", {"column": f, "regex": ISO_DATE_REGEX},
                        dimension="validity", check="date_format", zh="不是有效日期(应为 YYYY-MM-DD)",
                        en=f"{f} is an ISO date YYYY-MM-DD", **common))
    if col.not_above:
        other = lt.column(col.not_above)
        out.append(_exp("expect_column_pair_values_a_to_be_greater_than_b",
                        {"column_A": other.field_name, "column_B": f, "or_equal": True,
                         "ignore_row_if": "either_value_is_missing"},
                        dimension="validity", check="not_above", zh=f"不能超过{other.label}",
                        en=f"{f} <= {other.field_name}", columns=[f, other.field_name], **common))
    return out


def _uniqueness(lt: listdef.ListType) -> list[dict]:
    key = [k for k in lt.natural_key if k != "owner_org"]
    if not key:
        return []
    labels = [lt.column(k).label for k in key]
    joined = "+".join(labels)
    common = {"field_name": key[-1], "label": lt.column(key[-1]).label, "dimension": "uniqueness",
              "check": "unique", "columns": key}
    if len(key) == 1:
        return [_exp("expect_column_values_to_be_unique", {"column": key[0]},
                     zh="在同一文件中重复", en=f"{key[0]} is unique within the file", **common)]
    return [_exp("expect_compound_columns_to_be_unique", {"column_list": key},
                 zh=f"“{joined}”组合在同一文件中重复",
                 en=f"({', '.join(key)}) is unique within the file", **common)]


def _timeliness(lt: listdef.ListType) -> list[dict]:
    out = []
    for col in lt.columns:
        if col.kind != "qy_confirmed_date":
            continue
        out.append(_exp(
            "expect_column_values_to_be_between",
            {"column": col.field_name + DATE_COMPANION_SUFFIX,
             "min_value": {"$PARAMETER": PARAM_CONFIRMED_MIN},
             "max_value": {"$PARAMETER": PARAM_CONFIRMED_MAX}},
            field_name=col.field_name, label=col.label, dimension="timeliness", check="timeliness",
            zh=f"不能晚于检查当日,也不能早于更新周期({lt.update_cycle_days} 天)之前",
            en=f"{col.field_name} is not in the future and at most "
               f"{lt.update_cycle_days} days old"))
        out[-1]["meta"]["update_cycle_days"] = lt.update_cycle_days
    return out


def build_suite(lt: listdef.ListType | str) -> dict:
    """The GX 1.x Expectation Suite of a list type, as a JSON-able dict."""
    lt = _type(lt)
    expectations: list[dict] = []
    for col in lt.columns:
        expectations.extend(_column_expectations(lt, col))
    expectations.extend(_uniqueness(lt))
    expectations.extend(_timeliness(lt))
    params = {
        PARAM_CONFIRMED_MIN: f"检查当日减去更新周期 {lt.update_cycle_days} 天(ISO 日期时间,如 2025-01-01T00:00:00)",
        PARAM_CONFIRMED_MAX: "检查当日(ISO 日期时间)",
    }
    if any(c.kind == "qy_power_ref" for c in lt.columns):
        params[PARAM_KNOWN_POWER_CODES] = "已发布的行政权力事项编码列表"
    return {
        "name": suite_name(lt.name),
        "id": None,
        "notes": None,
        "meta": {
            "generated": True,
            "do_not_edit": f"由清单定义自动生成,请勿手工修改。修改 schemas/*.yaml 或 presets.json 后运行:{BUILD_COMMAND}",
            "generated_by": "dags/qingyang_pipeline/quality.py build_suite()",
            "generated_from": [
                f"ckanext-qingyang/ckanext/qingyang/schemas/{lt.name}.yaml",
                "ckanext-qingyang/ckanext/qingyang/presets.json",
            ],
            "list_type": lt.name,
            "list_label": lt.list_label,
            "update_cycle_days": lt.update_cycle_days,
            "natural_key": list(lt.natural_key),
            "parameters": params,
        },
        "expectations": expectations,
    }


def suite_path(type_name: str, directory: Path | None = None) -> Path:
    return (directory or EXPECTATIONS_DIR) / f"{type_name}.json"


def suite_json(suite: dict) -> str:
    """The committed form: sorted keys, Chinese as is, trailing newline."""
    return json.dumps(suite, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def write_suites(directory: Path | None = None) -> list[Path]:
    """(Re)write expectations/<type>.json for all list types."""
    written = []
    for t in listdef.TYPE_NAMES:
        path = suite_path(t, directory)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(suite_json(build_suite(t)), encoding="utf-8")
        written.append(path)
    return written


def stale_suites(directory: Path | None = None) -> list[str]:
    """Types whose committed suite differs from what build_suite gives now."""
    stale = []
    for t in listdef.TYPE_NAMES:
        path = suite_path(t, directory)
        if not path.exists() or path.read_text(encoding="utf-8") != suite_json(build_suite(t)):
            stale.append(t)
    return stale


def load_suite(type_name: str, directory: Path | None = None) -> dict:
    """The committed suite of a list type (expectations/<type>.json)."""
    return json.loads(suite_path(type_name, directory).read_text(encoding="utf-8"))


# ================================================================ parameters
def _param_datetime(value: Any) -> str:
    """A date bound as GX 1.24 wants it against a datetime64 column.

    A plain 'YYYY-MM-DD' string is coerced by GX to a `date`, which pandas
    cannot compare with datetime64; 'YYYY-MM-DDT00:00:00' becomes a datetime.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat() + "T00:00:00"
    text = str(value)
    return text + "T00:00:00" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else text


def suite_params(lt: listdef.ListType | str, today: dt.date | None = None,
                 known_power_codes: Sequence[str] | None = None) -> dict:
    """Suite parameters for a validation run on `today`."""
    lt = _type(lt)
    today = today or dt.date.today()
    params: dict[str, Any] = {
        PARAM_CONFIRMED_MIN: _param_datetime(today - dt.timedelta(days=lt.update_cycle_days)),
        PARAM_CONFIRMED_MAX: _param_datetime(today),
    }
    if known_power_codes is not None:
        params[PARAM_KNOWN_POWER_CODES] = sorted({str(c) for c in known_power_codes})
    return params


def _suite_param_names(suite: dict) -> set[str]:
    names = set()
    for e in suite["expectations"]:
        for v in e["kwargs"].values():
            if isinstance(v, dict) and "$PARAMETER" in v:
                names.add(v["$PARAMETER"])
    return names


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


# ================================================================ the frame
def _cell(col: listdef.Column, value: Any) -> Any:
    if listdef.is_blank(value):
        return None
    if col.kind in LIST_KINDS:
        return listdef.format_cell(col, value)
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
    today's window (see :func:`suite_params`); ``known_power_codes`` must be
    given for a suite that references power items. ``docs_dir``: build Data
    Docs there (the caller gives one folder per run). ``suite`` defaults to the
    committed ``expectations/<type>.json``.
    """
    started = time.perf_counter()
    lt = _type(lt)
    suite = suite if suite is not None else load_suite(lt.name)
    params = {**suite_params(lt), **(params or {})}
    for k in (PARAM_CONFIRMED_MIN, PARAM_CONFIRMED_MAX):
        params[k] = _param_datetime(params[k])
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
