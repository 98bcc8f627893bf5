"""CKAN validators named in the scheming schemas (IValidators).

Each one applies the rule that listdef.py defines for the field's kind, so the
web form, the API, the templates and the pipelines check the same thing.
Messages are Chinese and start with the field's label.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckanext.scheming.validation import scheming_validator

from ckanext.qingyang.core import codes, listdef
from ckanext.qingyang.publishing import workflow


def _column(field: dict, schema: dict) -> listdef.Column:
    if schema.get("dataset_type") in listdef.TYPE_NAMES and field in schema.get("dataset_fields", ()):
        return listdef.load_type(schema["dataset_type"]).column(field["field_name"])
    return listdef.column_from_field(field)


def _value(data: dict, name: str) -> Any:
    value = data.get((name,), missing)
    return None if value is missing else value


def _item_values(schema: dict, data: dict) -> dict:
    """The dataset's top-level values, normalised, for cross-field rules."""
    lt = listdef.load_type(schema["dataset_type"])
    out = {}
    for col in lt.fields:
        raw = _value(data, col.field_name)
        try:
            out[col.field_name] = listdef.parse_value(col, raw)
        except listdef.CellError:
            out[col.field_name] = raw
    return out


def _owner_name(data: dict) -> str:
    owner = _value(data, "owner_org") or ""
    group = model.Group.get(owner) if owner else None
    return group.name if group else str(owner)


@scheming_validator
def qingyang_required(field, schema):
    col = _column(field, schema)
    lt = listdef.load_type(schema["dataset_type"]) if schema.get("dataset_type") in listdef.TYPE_NAMES else None

    def validator(key, data, errors, context):
        value = data.get(key, missing)
        if value is not missing and not listdef.is_blank(value):
            return
        # the other fields are parsed only when a conditional requirement needs them
        item = _item_values(schema, data) if col.required_when else {}
        if col.required or listdef.missing_required(col, item):
            msg = listdef.required_message(lt, col, item) if lt else f"{col.label}:必填,不能为空"
            errors[key].append(msg)
        data[key] = missing if value is missing else ""
        raise StopOnError
    return validator


def _cell_validator(field, schema, store=lambda v: v):
    col = _column(field, schema)

    def validator(key, data, errors, context):
        value = data.get(key, missing)
        if value is missing or listdef.is_blank(value):
            return
        try:
            parsed = listdef.parse_value(col, value if not isinstance(value, str) or not value.startswith("[")
                                         else json.loads(value))
        except (listdef.CellError, ValueError) as e:
            errors[key].append(str(e))
            raise StopOnError
        data[key] = store(parsed)
    return validator


def _json(value):
    return json.dumps(value, ensure_ascii=False)


def _rule(store=lambda v: v):
    """A validator that applies the field's listdef rule (named in presets.json)."""
    @scheming_validator
    def validator(field, schema):
        return _cell_validator(field, schema, store)
    return validator


# One rule per kind of value; lists and repeating items are stored as JSON.
CELL_RULES = {name: _rule() for name in (
    "qingyang_text", "qingyang_choice", "qingyang_code", "qingyang_uscc_field", "qingyang_decimal",
    "qingyang_count", "qingyang_year", "qingyang_date", "qingyang_url")}
CELL_RULES.update({name: _rule(store=_json) for name in ("qingyang_list", "qingyang_choices", "qingyang_info_items")})


@scheming_validator
def qingyang_positive_int(field, schema):
    check = _cell_validator(field, schema)
    col = _column(field, schema)

    def validator(key, data, errors, context):
        check(key, data, errors, context)
        if col.not_above and data.get(key) not in (None, missing, ""):
            other = _item_values(schema, data).get(col.not_above)
            if other and str(other).isdigit() and int(data[key]) > int(other):
                lt = listdef.load_type(schema["dataset_type"])
                errors[key].append(f"{col.label}:不能超过{lt.column(col.not_above).label}")
    return validator


@scheming_validator
def qingyang_allowed_with(field, schema):
    """The value must fit the other fields named in the field's `allowed_with`."""
    lt = listdef.load_type(schema["dataset_type"])
    col = lt.column(field["field_name"])

    def validator(key, data, errors, context):
        if errors.get(key) or data.get(key) in (None, missing, ""):
            return
        message = listdef.disallowed_message(lt, col, _item_values(schema, data))
        if message:
            errors[key].append(message)
    return validator


@scheming_validator
def qingyang_power_ref(field, schema):
    check = _cell_validator(field, schema)
    col = _column(field, schema)

    def validator(key, data, errors, context):
        check(key, data, errors, context)
        code = data.get(key)
        if code in (None, missing, ""):
            return
        owner = model.Group.get(_value(data, "owner_org") or "")
        q = model.Session.query(model.Package.id).filter(
            model.Package.type == "power_item", model.Package.state == "active",
            model.Package.extras["code"].astext == code)
        if owner is not None:
            q = q.filter(model.Package.owner_org == owner.id)
        if q.first() is None:
            errors[key].append(f"{col.label}:本部门没有编码为“{code}”的行政权力事项")
    return validator


@scheming_validator
def qingyang_natural_name(field, schema):
    """The name is always derived from the natural key, so a reload updates."""
    lt = listdef.load_type(schema["dataset_type"])

    def validator(key, data, errors, context):
        data[key] = listdef.natural_name(lt, _owner_name(data), _item_values(schema, data))
    return validator


@scheming_validator
def qingyang_derived_title(field, schema):
    lt = listdef.load_type(schema["dataset_type"])

    def validator(key, data, errors, context):
        try:
            data[key] = listdef.derived_title(lt, _item_values(schema, data))
        except (KeyError, ValueError):
            data[key] = ""
    return validator


def qingyang_uscc(value: Any, context: Any) -> Any:
    if not value:
        return value
    code = codes.normalize_uscc(str(value))
    if not codes.is_valid_uscc(code):
        raise tk.Invalid("统一社会信用代码无效:应为 18 位且校验位正确 (GB 32100)")
    return code


def qingyang_region_code(value: Any, context: Any) -> Any:
    code = str(value).strip()
    if not (code.isdigit() and len(code) in (6, 9)):
        raise tk.Invalid("行政区划代码无效:市、县级为 6 位数字,乡级为 9 位数字 (GB/T 2260)")
    return code


def qingyang_publish_state(key, data, errors, context):
    """Only the workflow moves an item between states; forms and the API keep the stored one."""
    value = data.get(key, missing)
    if context.get("qingyang_workflow") and value in workflow.state_labels():
        return
    pkg = context.get("package")
    data[key] = workflow.item_state(pkg) if pkg is not None else "draft"


def get_validators() -> dict[str, Any]:
    named = {n: f for n, f in globals().items() if n.startswith("qingyang_") and callable(f)}
    return {**named, **CELL_RULES}
