"""The risk scan's rules (core/risk.py) on real values and real files."""
import pytest

from ckanext.qingyang.core import risk
from ckanext.qingyang.core.markers import Unreadable
from . import risk_files as rf   # not packaged in the core-only install


def rules(found):
    return sorted((f.rule, f.masked) for f in found if f.rule != "marker")


def test_valid_numbers_are_found_masked():
    text = f"户主身份证{rf.VALID_ID},另一人 {rf.VALID_ID_X.lower()},电话 138-1234-5678,卡号 6222 0210 0112 3456 789"
    found = risk.text_findings("字段“备注”", text)
    assert rules(found) == [("bank_card", "6222***********6789"), ("id_number", "1101**********002X"),
                            ("id_number", "6210**********1234"), ("mobile", "138****5678")]
    for f in found:
        assert rf.VALID_ID not in f.message_zh() and rf.VALID_CARD not in f.message_zh()
    assert found[0].where == "字段“备注”" and found[0].rule_label == "身份证号码"


def test_near_misses_are_not_findings():
    text = f"{rf.BAD_ID} {rf.NOT_MOBILE} {rf.BAD_CARD} 订单号 20260101123456789012 座机 0934-8621234"
    assert risk.text_findings("字段“备注”", text) == []


def test_id_inside_longer_code_and_mobile_inside_id_are_not_findings():
    assert risk.text_findings("x", f"A{rf.VALID_ID}B") == []
    assert rules(risk.text_findings("x", rf.VALID_ID)) == [("id_number", "6210**********1234")]


def test_markers_use_the_gate_rule():
    (f,) = risk.text_findings("字段“说明”", "本文件属机密,不得外传")
    assert f.rule == "marker" and f.rule_label == "密级标志" and "机密" in f.masked
    assert risk.text_findings("字段“依据”", "依据《中华人民共和国保守国家秘密法》") == []


def test_same_finding_same_key_and_fields_read_through_lists():
    a = risk.field_findings([("联系人", [{"name": "王", "phone": rf.MOBILE}]), ("年度", 2026)])
    b = risk.field_findings([("联系人", [{"phone": rf.MOBILE}])])
    assert [f.key for f in a] == [f.key for f in b] and a[0].where == "字段“联系人”"
    assert risk.field_findings([("联系人", "138****5678")]) == []


ROWS = [["村", "户主姓名", "身份证号码", "联系电话", "备注"],
        ["西沟村", "张*明", rf.VALID_ID, rf.MOBILE, f"代领人 {rf.VALID_ID_X}"],
        ["东沟村", "李*", rf.BAD_ID, rf.NOT_MOBILE, f"卡 {rf.VALID_CARD},秘密"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "docx"])
def test_tables_name_row_and_column_and_skip_masked_columns(fmt):
    found = risk.file_findings(rf.BUILDERS[fmt](ROWS), f"名单.{fmt}", fmt)
    got = sorted((f.where.split("》", 1)[1], f.rule) for f in found)
    assert [(w.replace("工作表“名单”", "").replace("表格 1 ", ""), r) for w, r in got] == [
        ("第 2 行“备注”列", "id_number"), ("第 3 行“备注”列", "bank_card"), ("第 3 行“备注”列", "marker")]


@pytest.mark.parametrize("fmt", ["txt", "pdf"])
def test_text_files_name_the_line_or_page(fmt):
    found = risk.file_findings(rf.BUILDERS[fmt](ROWS), f"说明.{fmt}", fmt)
    assert {f.rule for f in found} == {"id_number", "mobile", "bank_card", "marker"}
    assert rf.BAD_ID[:4] + "**********1235" not in [f.masked for f in found]
    place = "第 2 行" if fmt == "txt" else "第 1 页"
    assert any(f.where == f"附件《说明.{fmt}》{place}" and f.rule == "id_number" for f in found)


def test_docx_paragraphs_are_read():
    found = risk.file_findings(rf.docx_file([["a"], ["b"]], paragraph=f"联系 {rf.MOBILE}"), "通知.docx", "docx")
    assert [(f.where, f.rule) for f in found] == [("附件《通知.docx》第 1 段", "mobile")]


def test_broken_file_is_unreadable_in_chinese():
    with pytest.raises(Unreadable, match="无法读取附件《坏.xlsx》"):
        risk.file_findings(b"not a zip", "坏.xlsx", "xlsx")
    assert risk.file_format("a.DOCX") == "docx" and risk.file_format("a.bin", "PDF") == "pdf"
    assert risk.file_format("a.zip") is None


def test_datastore_records():
    found = risk.datastore_findings(["_id", "户主姓名", "联系电话", "说明"],
                                    [(1, {"_id": 1, "户主姓名": "张*", "联系电话": rf.MOBILE, "说明": rf.MOBILE})], "受益户")
    assert [(f.where, f.rule) for f in found] == [("数据表《受益户》第 1 行“说明”列", "mobile")]


def test_fingerprint_changes_with_the_file():
    res = {"id": "r1", "hash": "", "size": 10, "last_modified": "2026-12-01T00:00:00"}
    assert risk.file_fingerprint(res) == risk.file_fingerprint(dict(res))
    assert risk.file_fingerprint(res) != risk.file_fingerprint({**res, "size": 11})
