"""The one definition of every list type, read from the scheming schemas.

Pure Python (no CKAN import): the CKAN validators, the import templates, the
exports, the Great Expectations suites and the Airflow pipelines all read the
types through this module, so they cannot disagree.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from ckanext.qingyang.core.codes import (QINGYANG_COUNTIES, is_valid_id_number, is_valid_mobile, is_valid_uscc,
                                    normalize_uscc)

SCHEMA_DIR = Path(__file__).parent / "schemas"
PRESETS_FILE = Path(__file__).parent / "presets.json"
TOPICS_FILE = Path(__file__).parent / "topics.yaml"   # 主题分类 and 服务对象 (choices_from)
TYPE_NAMES = ("power_item", "responsibility_item", "special_fund", "poverty_fund_plan",
              "poverty_project", "approval_item", "service_item", "shared_resource")
CHOICE_KINDS = ("qy_select", "qy_county", "qy_list_status")   # cells that name one of `choices`
MULTI_CHOICE_KINDS = ("qy_multi_select",)   # cells that name several of `choices`, separated by ;
URL_KINDS = ("qy_resource_link", "qy_url")
LIST_SEPARATORS = re.compile(r"[;;\n]+")
ITEM_SEPARATOR = ";"
URL_PATTERN = r"^https?://\S+$"   # qy_resource_link; the GX suites check the same


class CellError(ValueError):
    """A value that breaks its field's rule; the message is Chinese, for people."""


# ---------------------------------------------------------------- normalising
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}          # ０-９
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})   # Ａ-Ｚ
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})   # ａ-ｚ
_FULLWIDTH.update({0x3000: 0x20, 0xFF0D: 0x2D, 0xFF0F: 0x2F, 0xFF0E: 0x2E})  # space - / .
_QUOTES = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’"})


def normalise(value: Any) -> Any:
    """Full-width digits and letters to half-width, quotes unified, spaces trimmed.

    Chinese punctuation such as ,and ; is kept: it is part of the text.
    """
    if not isinstance(value, str):
        return value
    text = value.translate(_FULLWIDTH).translate(_QUOTES)
    # straight double quotes around Chinese text become “ ”, pairwise
    text = re.sub(r'"([^"]*)"', r"“\1”", text)
    return text.strip()


# ---------------------------------------------------------------- definitions
@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    label_en: str
    days: int | None = None


@dataclass
class Column:
    field_name: str
    label: str
    label_en: str
    kind: str
    required: bool = False
    required_when: dict[str, list[str]] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    pattern: str | None = None
    pattern_hint: str = ""
    item_pattern: str | None = None
    places: int = 4
    maximum: int | None = None    # `max` of a qy_count
    unit: str = ""
    example: str = ""
    not_above: str | None = None
    subfields: tuple[dict, ...] = ()
    resource_role: str | None = None
    in_template: bool = True
    optional: bool = False        # a file may leave the column out; blank then means `default`
    default: str | None = None
    mask: str | None = None
    cites_law: bool = False       # 依据 fields: found and re-based when a law changes
    # other field -> its value -> the values this field may take alongside it
    allowed_with: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def choice_for(self, raw: str) -> Choice | None:
        for c in self.choices:
            if raw in (c.value, c.label, c.label_en):
                return c
        return None

    def label_of(self, value: str) -> str:
        c = self.choice_for(value)
        return c.label if c else value


@dataclass
class ListType:
    name: str
    about: str
    list_label: str
    list_label_en: str
    name_prefix: str
    natural_key: tuple[str, ...]
    year_field: str | None
    update_cycle_days: int
    title_format: str | None
    fields: list[Column]
    household_columns: list[Column] = field(default_factory=list)

    @property
    def columns(self) -> list[Column]:
        """Template and export columns, in the regulation's order."""
        return [c for c in self.fields if c.in_template]

    @property
    def headers(self) -> list[str]:
        return [c.label for c in self.columns]

    @property
    def required_headers(self) -> list[str]:
        """Headers a file must have (optional columns may be left out)."""
        return [c.label for c in self.columns if not c.optional]

    def column(self, field_name: str) -> Column:
        return next(c for c in self.fields if c.field_name == field_name)

    @property
    def basis_fields(self) -> list[Column]:
        return [c for c in self.fields if c.cites_law]

    def by_header(self) -> dict[str, Column]:
        return {c.label: c for c in self.columns}


def _label(value: Any) -> tuple[str, str]:
    if isinstance(value, dict):
        return value.get("zh_Hans_CN", ""), value.get("en", value.get("zh_Hans_CN", ""))
    return str(value or ""), str(value or "")


def _choices(raw: Iterable[dict] | None) -> tuple[Choice, ...]:
    out = []
    for c in raw or ():
        zh, en = _label(c["label"])
        out.append(Choice(str(c["value"]), zh, en, c.get("days")))
    return tuple(out)


@lru_cache(maxsize=1)
def _topics_data() -> dict[str, Any]:
    return yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))


def _topic_choices(section: str) -> tuple[Choice, ...]:
    return tuple(Choice(t["code"], t["label"], t["label_en"]) for t in _topics_data()[section])


def topic_audiences() -> dict[str, tuple[str, ...]]:
    """主题分类 code -> the 服务对象 (audience codes) it serves."""
    return {t["code"]: tuple(t["audiences"]) for t in _topics_data()["topics"]}


# `choices_from: <name>` in a schema or preset: choices kept as data outside the schema
CHOICE_SOURCES = {
    "counties": lambda: tuple(Choice(code, name, name) for code, name in QINGYANG_COUNTIES.items()),
    "topics": lambda: _topic_choices("topics"),
    "audiences": lambda: _topic_choices("audiences"),
}


@lru_cache(maxsize=None)
def choices_from(source: str) -> tuple[Choice, ...]:
    return CHOICE_SOURCES[source]()


@lru_cache(maxsize=1)
def presets() -> dict[str, dict]:
    data = json.loads(PRESETS_FILE.read_text(encoding="utf-8"))
    return {p["preset_name"]: p["values"] for p in data["presets"]}


def expand_field(raw: dict) -> dict:
    """A schema field with its preset's values filled in (the field's own keys win)."""
    return {**presets().get(raw.get("preset", ""), {}), **raw}


def column_from_field(raw: dict) -> Column:
    f = expand_field(raw)
    zh, en = _label(f.get("label"))
    choices = choices_from(f["choices_from"]) if f.get("choices_from") else _choices(f.get("choices"))
    return Column(
        field_name=f["field_name"], label=zh, label_en=en, kind=f.get("preset", "qy_text"),
        required=bool(f.get("required")), required_when=f.get("required_when") or {},
        choices=choices, pattern=f.get("pattern"), pattern_hint=f.get("pattern_hint", ""),
        item_pattern=f.get("item_pattern"), places=int(f.get("places", 4)), unit=f.get("unit", ""),
        maximum=f.get("max"),
        example=str(f.get("example", "")), not_above=f.get("not_above"),
        subfields=tuple(f.get("subfields") or ()), resource_role=f.get("resource_role"),
        in_template=f.get("column", True) is not False, optional=f.get("column") == "optional",
        default=f.get("default"), mask=f.get("mask"),
        allowed_with=f.get("allowed_with") or {}, cites_law=bool(f.get("cites_law")),
    )


def schema_path(type_name: str) -> Path:
    return SCHEMA_DIR / f"{type_name}.yaml"


@lru_cache(maxsize=None)
def load_type(type_name: str) -> ListType:
    if type_name not in TYPE_NAMES:
        raise KeyError(f"unknown list type {type_name!r}")
    raw = yaml.safe_load(schema_path(type_name).read_text(encoding="utf-8"))
    meta = raw.get("qingyang", {})
    return ListType(
        name=raw["dataset_type"], about=raw.get("about", ""), list_label=meta["list_label"],
        list_label_en=meta.get("list_label_en", ""), name_prefix=meta["name_prefix"],
        natural_key=tuple(meta["natural_key"]), year_field=meta.get("year_field"),
        update_cycle_days=int(meta.get("update_cycle", 365)), title_format=meta.get("title_format"),
        fields=[column_from_field(f) for f in raw["dataset_fields"]],
        household_columns=[column_from_field(f) for f in meta.get("household_fields") or ()],
    )


def all_types() -> dict[str, ListType]:
    return {t: load_type(t) for t in TYPE_NAMES}


# ---------------------------------------------------------------- value rules
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def parse_value(col: Column, raw: Any) -> Any:
    """Check one value against its column's rule; return the stored form.

    Raises CellError with a Chinese message that names the field's label.
    Blank values return None (required-ness is checked separately).
    """
    value = normalise(raw)
    if is_blank(value):
        return None
    kind, label = col.kind, col.label
    if kind in ("qy_text", "qy_textarea", "qy_derived_title"):
        return str(value)
    if kind in CHOICE_KINDS:
        choice = col.choice_for(str(value))
        if not choice:
            allowed = "、".join(c.label for c in col.choices)
            raise CellError(f"{label}:“{value}”不是允许的取值,应为 {allowed} 之一")
        return choice.value
    if kind in MULTI_CHOICE_KINDS:
        return _choice_list(col, value)
    if kind in ("qy_code", "qy_power_ref", "qy_office_phone"):
        text = str(value).upper() if col.pattern and "[A-Z]" in col.pattern else str(value)
        if col.pattern and not re.fullmatch(col.pattern, text):
            raise CellError(f"{label}:“{value}”格式不正确,应为 {col.pattern_hint or col.pattern}")
        return text
    if kind == "qy_uscc":
        code = normalize_uscc(str(value))
        if not is_valid_uscc(code):
            raise CellError(f"{label}:“{value}”不是有效的统一社会信用代码(18 位,校验位按 GB 32100)")
        return code
    if kind == "qy_id_number":
        code = str(value).upper()
        if not is_valid_id_number(code):
            raise CellError(f"{label}:“{value}”不是有效的居民身份证号码(18 位,校验位按 GB 11643)")
        return code
    if kind == "qy_phone":
        phone = re.sub(r"[\s()()]", "", str(value))
        if not is_valid_mobile(phone):
            raise CellError(f"{label}:“{value}”不是有效的电话号码(手机 11 位或带区号的固定电话)")
        return phone
    if kind == "qy_decimal":
        return _decimal(col, value)
    if kind in ("qy_days", "qy_count", "qy_year"):
        return _integer(col, value)
    if kind in ("qy_date", "qy_confirmed_date"):
        return _date(col, value)
    if kind == "qy_list":
        items = value if isinstance(value, list) else LIST_SEPARATORS.split(str(value))
        items = [normalise(str(i)) for i in items if not is_blank(i)]
        if col.item_pattern:
            bad = [i for i in items if not re.fullmatch(col.item_pattern, i)]
            if bad:
                raise CellError(f"{label}:“{bad[0]}”格式不正确")
        return items or None
    if kind == "qy_info_items":
        return _info_items(col, value)
    if kind in URL_KINDS:
        if not re.match(URL_PATTERN, str(value)):
            raise CellError(f"{label}:“{value}”不是有效的网址(应以 http:// 或 https:// 开头)")
        return str(value)
    return value


def _choice_list(col: Column, value: Any) -> list[str] | None:
    """Several choices, by value or label; stored as values in the choices' order."""
    items = value if isinstance(value, list) else LIST_SEPARATORS.split(str(value))
    chosen = set()
    for item in (normalise(str(i)) for i in items if not is_blank(i)):
        choice = col.choice_for(item)
        if not choice:
            allowed = "、".join(c.label for c in col.choices)
            raise CellError(f"{col.label}:“{item}”不是允许的取值,应为 {allowed} 中的一项或多项(用分号分隔)")
        chosen.add(choice.value)
    return [c.value for c in col.choices if c.value in chosen] or None


def _decimal(col: Column, value: Any) -> str:
    text = str(value).replace(",", "").replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"{col.label}:“{value}”不是数字(单位{col.unit or '无'})") from None
    if not number.is_finite() or number < 0:
        raise CellError(f"{col.label}:“{value}”应为不小于 0 的数")
    if -number.as_tuple().exponent > col.places:
        raise CellError(f"{col.label}:“{value}”最多保留 {col.places} 位小数")
    return format(number, "f")


def _integer(col: Column, value: Any) -> str:
    text = str(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not re.fullmatch(r"-?\d+", text):
        raise CellError(f"{col.label}:“{value}”应为整数")
    if text.startswith("-"):
        raise CellError(f"{col.label}:“{value}”不能为负数" + ("(应为正整数工作日)" if col.kind == "qy_days" else ""))
    number = int(text)
    if col.kind == "qy_days" and number <= 0:
        raise CellError(f"{col.label}:“{value}”应为正整数(工作日)")
    if col.maximum is not None and number > col.maximum:
        raise CellError(f"{col.label}:“{value}”不能大于 {col.maximum}")
    if col.kind == "qy_year" and not 2000 <= number <= 2100:
        raise CellError(f"{col.label}:“{value}”不是有效年度(2000-2100)")
    return str(number)


def _date(col: Column, value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]00:00(:00)?", text):
        text = text[:10]
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(*map(int, m.groups())).isoformat()
            except ValueError:
                break
    raise CellError(f"{col.label}:“{value}”不是有效日期(应为 YYYY-MM-DD)")


def _info_items(col: Column, value: Any) -> list[dict] | None:
    types = _choices(next((s.get("choices") for s in col.subfields if s["field_name"] == "data_type"), ()))
    by_label = {k: c.value for c in types for k in (c.value, c.label, c.label_en)}
    if isinstance(value, list):
        pairs = [(normalise(i.get("item_name", "")), normalise(i.get("data_type", ""))) for i in value]
    else:
        pairs = []
        for part in LIST_SEPARATORS.split(str(value)):
            if part.strip():
                name, _, dtype = part.replace("\uff1a", ":").partition(":")
                pairs.append((name.strip(), dtype.strip()))
    out = []
    for name, dtype in pairs:
        if not name:
            raise CellError(f"{col.label}:信息项名称不能为空")
        if dtype not in by_label:
            allowed = "、".join(c.label for c in types)
            raise CellError(f"{col.label}:“{name}”的数据类型“{dtype}”无效,应为 {allowed} 之一"
                            "(写法:名称:类型;名称:类型)")
        out.append({"item_name": name, "data_type": by_label[dtype]})
    return out or None


def missing_required(col: Column, item: dict) -> bool:
    if not is_blank(item.get(col.field_name)):
        return False
    if col.required:
        return True
    return any(item.get(other) in values for other, values in col.required_when.items())


def disallowed_message(lt: ListType, col: Column, item: dict) -> str | None:
    """Why this field's value cannot go with another field's value, or None."""
    value = item.get(col.field_name)
    for other, rules in col.allowed_with.items():
        allowed = rules.get(str(item.get(other)))
        if value and allowed is not None and value not in allowed:
            other_col = lt.column(other)
            return (f"{col.label}:“{col.label_of(value)}”与{other_col.label}“{other_col.label_of(item[other])}”"
                    f"不相符,应为 {'、'.join(col.label_of(v) for v in allowed)}")
    return None


def required_when_text(lt: ListType, col: Column) -> str:
    """When a conditionally required field is required, in Chinese."""
    return ";".join(
        f"{lt.column(o).label}为“{'、'.join(lt.column(o).label_of(v) for v in vals)}”时必填"
        for o, vals in col.required_when.items())


def required_message(lt: ListType, col: Column, item: dict) -> str:
    if col.required:
        return f"{col.label}:必填,不能为空"
    other, _values = next(iter(col.required_when.items()))
    other_col = lt.column(other)
    return f"{col.label}:{other_col.label}为“{other_col.label_of(str(item.get(other)))}”时必填"


# ---------------------------------------------------------------- rows
@dataclass
class RowError:
    row: int | None
    field_name: str
    label: str
    value: Any
    message: str

    def english(self) -> str:
        return f"row {self.row}: field {self.field_name}: invalid value {self.value!r}"


def check_item(lt: ListType, item: dict, row: int | None = None) -> tuple[dict, list[RowError]]:
    """Normalise and check every field of one item (dict keyed by field_name)."""
    out: dict[str, Any] = {}
    errors: list[RowError] = []
    for col in lt.fields:
        if not col.in_template or (col.field_name not in item and not col.optional):
            continue
        try:
            out[col.field_name] = parse_value(col, item.get(col.field_name))
        except CellError as e:
            errors.append(RowError(row, col.field_name, col.label, item[col.field_name], str(e)))
            continue
        if col.optional and out[col.field_name] is None:
            out[col.field_name] = col.default
    for col in lt.columns:
        if missing_required(col, out) and not any(e.field_name == col.field_name for e in errors):
            errors.append(RowError(row, col.field_name, col.label, "", required_message(lt, col, out)))
    for col in lt.columns:
        message = disallowed_message(lt, col, out) if col.allowed_with else None
        if message and not any(e.field_name == col.field_name for e in errors):
            errors.append(RowError(row, col.field_name, col.label, out[col.field_name], message))
    for col in lt.columns:
        if col.not_above and out.get(col.field_name) and out.get(col.not_above):
            if int(out[col.field_name]) > int(out[col.not_above]):
                other = lt.column(col.not_above).label
                errors.append(RowError(row, col.field_name, col.label, out[col.field_name],
                                       f"{col.label}:不能超过{other}"))
    return out, errors


def row_to_item(lt: ListType, row: dict[str, Any], row_number: int | None = None
                ) -> tuple[dict, list[RowError]]:
    """A spreadsheet row (keyed by Chinese header) to a checked item."""
    by_header = lt.by_header()
    item = {by_header[h].field_name: v for h, v in row.items() if h in by_header}
    return check_item(lt, item, row_number)


def format_cell(col: Column, value: Any) -> str:
    """A stored value as it appears in a template cell or export."""
    if is_blank(value):
        return ""
    if col.kind in CHOICE_KINDS:
        return col.label_of(str(value))
    if col.kind in MULTI_CHOICE_KINDS:
        values = json.loads(value) if isinstance(value, str) and value.startswith("[") else value
        return ITEM_SEPARATOR.join(col.label_of(str(v)) for v in (values if isinstance(values, list) else [values]))
    if col.kind == "qy_list":
        items = json.loads(value) if isinstance(value, str) and value.startswith("[") else value
        return ITEM_SEPARATOR.join(items) if isinstance(items, list) else str(items)
    if col.kind == "qy_info_items":
        items = json.loads(value) if isinstance(value, str) else value
        types = {c["value"]: c["label"]["zh_Hans_CN"] for s in col.subfields if s["field_name"] == "data_type"
                 for c in s["choices"]}
        return ITEM_SEPARATOR.join(f"{i['item_name']}:{types.get(i['data_type'], i['data_type'])}" for i in items)
    return str(value)


def item_to_row(lt: ListType, item: dict) -> dict[str, str]:
    return {col.label: format_cell(col, item.get(col.field_name)) for col in lt.columns}


# ---------------------------------------------------------------- identity
def natural_key(lt: ListType, owner_name: str, item: dict) -> tuple[str, ...]:
    return tuple(owner_name if k == "owner_org" else str(item.get(k) or "") for k in lt.natural_key)


def natural_name(lt: ListType, owner_name: str, item: dict) -> str:
    """The CKAN `name` an item always gets: a hash of its natural key."""
    key = "\x1f".join((lt.name,) + natural_key(lt, owner_name, item))
    return f"{lt.name_prefix}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:20]}"


def row_natural_name(lt: ListType, owner_name: str, row: dict[str, Any]) -> str | None:
    """The item a spreadsheet row names, read from its key cells alone, so that a row
    refused for another cell still names its item; None when a key cell is blank or bad."""
    key: dict[str, Any] = {}
    for field_name in lt.natural_key:
        if field_name == "owner_org":
            continue
        col = lt.column(field_name)
        try:
            value = parse_value(col, row.get(col.label))
        except CellError:
            return None
        if is_blank(value):
            return None
        key[field_name] = value
    return natural_name(lt, owner_name, key)


def derived_title(lt: ListType, item: dict) -> str | None:
    if not lt.title_format:
        return None
    values = {c.field_name: format_cell(c, item.get(c.field_name)) for c in lt.columns}
    return lt.title_format.format(**values)


def content_hash(lt: ListType, item: dict) -> str:
    """Hash of an item's checked content, to write only items that changed."""
    canonical = {c.field_name: item.get(c.field_name) for c in lt.columns}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
