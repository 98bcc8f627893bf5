"""Password policy for every account creation and password change.

Replaces CKAN's user_password_validator (IValidators under the same name), which the
user schemas of the API and the web forms all use.
"""
from __future__ import annotations

import string
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Missing

CLASSES = (("小写字母", str.islower), ("大写字母", str.isupper), ("数字", str.isdigit),
           ("符号", lambda c: c in string.punctuation or not c.isalnum()))


def problems(password: str) -> list[str]:
    """Chinese reasons the password breaks the policy; empty when it passes."""
    min_len = tk.config.get("ckanext.qingyang.security.password_min_length")
    min_classes = tk.config.get("ckanext.qingyang.security.password_min_classes")
    out = []
    if len(password) < min_len:
        out.append(f"密码(password)至少 {min_len} 个字符")
    used = sum(1 for _, test in CLASSES if any(test(c) for c in password))
    if used < min_classes:
        out.append(f"密码(password)须包含小写字母、大写字母、数字、符号中至少 {min_classes} 类")
    return out


def user_password_validator(key: Any, data: dict, errors: dict, context: Any) -> Any:
    value = data[key]
    if isinstance(value, Missing) or value == "":
        return
    if not isinstance(value, str):
        errors[("password",)].append("密码(password)必须是文本")
        return
    errors[("password",)].extend(problems(value))
