"""Classification markers: a marking is found, a cited title or a named kind of secret is not."""
from __future__ import annotations

import pytest

from ckanext.qingyang.core import markers


@pytest.mark.parametrize("text, marker", [
    ("秘密★1年 关于征地补偿的请示", "秘密"), ("本文件为机密级", "机密"), ("绝密", "绝密"),
    ("内部资料 注意保存", "内部资料"), ("国家秘密与秘密★十年", "秘密"),
])
def test_a_marking_is_found(text, marker):
    assert markers.find(text)[0] == marker


@pytest.mark.parametrize("text", [
    "依据《中华人民共和国保守国家秘密法》第九条", "泄露国家秘密、商业秘密或者个人隐私的", "不得泄露工作秘密和商业机密",
    "社会团体登记", "",
])
def test_a_citation_or_a_named_kind_of_secret_is_not(text):
    assert markers.find(text) is None
