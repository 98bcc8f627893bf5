"""How the public copy of household rows hides personal data (张*明, 6210**********1234, 138****5678).

Pure functions, no CKAN import: the masked copy is written once, when the rows
are loaded, so every public path (download, datastore, views) serves only it.
"""
from __future__ import annotations

import re
from typing import Any, Iterable


def mask_name(name: str) -> str:
    """Keep the first and (for three or more characters) the last character."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(code: str) -> str:
    """Keep the first four (province and city) and last four characters."""
    code = (code or "").strip()
    if len(code) <= 8:
        return "*" * len(code)
    return code[:4] + "*" * (len(code) - 8) + code[-4:]


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


MASKS = {"name": mask_name, "id_number": mask_id_number, "phone": mask_phone}


def mask_row(row: dict[str, Any], masks: dict[str, str]) -> dict[str, Any]:
    """A copy of one row with every masked field (field -> mask kind) hidden."""
    out = dict(row)
    for field_name, kind in masks.items():
        if out.get(field_name) not in (None, ""):
            out[field_name] = MASKS[kind](str(out[field_name]))
    return out


def mask_rows(rows: Iterable[dict[str, Any]], masks: dict[str, str]) -> list[dict[str, Any]]:
    return [mask_row(r, masks) for r in rows]
