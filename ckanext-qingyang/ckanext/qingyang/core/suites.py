"""The Great Expectations suite of each list type, built from the list definitions alone.

Pure: imports neither great_expectations nor pandas (nor CKAN or Airflow).
``build_suite(lt)`` derives one Expectation Suite, as GX 1.x JSON, per list type from
listdef (the schemas + presets). expectations/build.py commits them as
``expectations/<type>.json`` (:data:`BUILD_COMMAND`) and a test keeps the committed
files equal to what ``build_suite`` gives now. ``suite_params`` gives a run's
parameters. Running a suite over a file is dags/qingyang_pipeline/quality.py's part.

The timeliness range checks ``confirmed_date__date``: a typed companion column the
runner's frame adds next to the ISO date string, because GX 1.24 cannot compare ISO
strings with ``expect_column_values_to_be_between`` (it coerces string bounds to dates
and then refuses to compare them with string values).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Sequence

from ckanext.qingyang.core import listdef
from ckanext.qingyang.core.codes import USCC_CHARSET

BUILD_COMMAND = ".venv/airflow/bin/python expectations/build.py"
SUITE_PREFIX = "qingyang_"
DATE_COMPANION_SUFFIX = "__date"

PARAM_KNOWN_POWER_CODES = "known_power_codes"
PARAM_CONFIRMED_MIN = "confirmed_min"
PARAM_CONFIRMED_MAX = "confirmed_max"

DATE_KINDS = ("qy_date", "qy_confirmed_date")
ISO_DATE_REGEX = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_USCC_CLASS = f"[{USCC_CHARSET}]"
USCC_REGEX = rf"^{_USCC_CLASS}{{2}}[0-9]{{6}}{_USCC_CLASS}{{10}}$"
YEAR_MIN, YEAR_MAX = 2000, 2100


# ================================================================ suites
def list_type(lt: listdef.ListType | str) -> listdef.ListType:
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
    exists = ("文件中必须有此列" if not col.optional else "可省略此列" if col.default is None
              else f"可省略此列(省略或空白即“{col.label_of(col.default)}”)")
    out = [_exp("expect_column_to_exist", {"column": f}, dimension="completeness", check="exists",
                zh=exists, en=f"column {f} is present", **common)]
    if col.required:
        out.append(_exp("expect_column_values_to_not_be_null", {"column": f},
                        dimension="completeness", check="required",
                        zh="必填,不能为空", en=f"{f} is required", **common))
    elif col.required_when:
        when = listdef.required_when_text(lt, col)
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
    if kind in listdef.MULTI_CHOICE_KINDS:
        # the frame holds the stored values joined by ';' (dags/qingyang_pipeline/quality.py)
        one = "|".join(re.escape(c.value) for c in col.choices)
        allowed = "、".join(c.label for c in col.choices)
        out.append(_exp("expect_column_values_to_match_regex",
                        {"column": f, "regex": _list_regex(f"^({one})$")},
                        dimension="validity", check="choice",
                        zh=f"不是允许的取值,应为 {allowed} 中的一项或多项,用分号分隔",
                        en=f"every item of {f} is one of {[c.value for c in col.choices]}", **common))
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
    if kind in listdef.URL_KINDS:
        out.append(_exp("expect_column_values_to_match_regex", {"column": f, "regex": listdef.URL_PATTERN},
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
    if kind == "qy_count" and col.maximum is not None:
        out.append(_exp("expect_column_values_to_be_between",
                        {"column": f, "min_value": 0, "max_value": col.maximum},
                        dimension="validity", check="range", zh=f"应为 0 到 {col.maximum} 的整数",
                        en=f"0 <= {f} <= {col.maximum}", **common))
    elif kind == "qy_count":
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
    lt = list_type(lt)
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
            "generated_by": "ckanext-qingyang/ckanext/qingyang/core/suites.py build_suite()",
            "generated_from": [
                f"ckanext-qingyang/ckanext/qingyang/core/schemas/{lt.name}.yaml",
                "ckanext-qingyang/ckanext/qingyang/core/presets.json",
            ],
            "list_type": lt.name,
            "list_label": lt.list_label,
            "update_cycle_days": lt.update_cycle_days,
            "natural_key": list(lt.natural_key),
            "parameters": params,
        },
        "expectations": expectations,
    }


def suite_path(type_name: str, directory: Path) -> Path:
    return directory / f"{type_name}.json"


def suite_json(suite: dict) -> str:
    """The committed form: sorted keys, Chinese as is, trailing newline."""
    return json.dumps(suite, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def write_suites(directory: Path) -> list[Path]:
    """(Re)write expectations/<type>.json for all list types."""
    written = []
    for t in listdef.TYPE_NAMES:
        path = suite_path(t, directory)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(suite_json(build_suite(t)), encoding="utf-8")
        written.append(path)
    return written


def stale_suites(directory: Path) -> list[str]:
    """Types whose committed suite differs from what build_suite gives now."""
    stale = []
    for t in listdef.TYPE_NAMES:
        path = suite_path(t, directory)
        if not path.exists() or path.read_text(encoding="utf-8") != suite_json(build_suite(t)):
            stale.append(t)
    return stale


def load_suite(type_name: str, directory: Path) -> dict:
    """The committed suite of a list type (expectations/<type>.json)."""
    return json.loads(suite_path(type_name, directory).read_text(encoding="utf-8"))


# ================================================================ parameters
def param_datetime(value: Any) -> str:
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
    lt = list_type(lt)
    today = today or dt.date.today()
    params: dict[str, Any] = {
        PARAM_CONFIRMED_MIN: param_datetime(today - dt.timedelta(days=lt.update_cycle_days)),
        PARAM_CONFIRMED_MAX: param_datetime(today),
    }
    if known_power_codes is not None:
        params[PARAM_KNOWN_POWER_CODES] = sorted({str(c) for c in known_power_codes})
    return params
