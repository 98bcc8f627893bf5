"""Everyday words, pinyin and group keys that citizens' searches depend on."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from ckanext.qingyang.core import searchterms
from ckanext.qingyang.core.searchterms import Synonyms, group_key, pinyin_terms

CATALOGS = Path(__file__).resolve().parents[5] / "catalogs"


@pytest.fixture(scope="module")
def synonyms() -> Synonyms:
    return Synonyms.load(CATALOGS / searchterms.SYNONYMS_FILE)


@pytest.fixture(scope="module")
def demo_text() -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted((CATALOGS / "demo").glob("*.yaml")))


@pytest.mark.parametrize("title, word", [
    ("最低生活保障申请受理", "低保"),
    ("社会保障卡申领", "社保卡"),
    ("对未取得机动车驾驶证驾驶机动车的处罚", "驾照"),
    ("个体工商户登记", "个体户"),
    ("个体工商户登记", "个体户执照"),
    ("林木采伐许可申请受理", "砍树"),
    ("户口登记", "上户口"),
    ("结婚登记", "结婚证"),
    ("城乡居民基本医疗保险参保登记", "医保"),
    ("居民身份证换领补领", "补办身份证"),
])
def test_an_items_title_gets_the_everyday_words_citizens_type(synonyms, title, word):
    assert word in synonyms.aliases(title)


def test_aliases_ignore_width_and_spaces(synonyms):
    assert "低保" in synonyms.aliases(" 最低生活 保障申请受理（网上办理）")


def test_an_unrelated_title_gets_no_such_words(synonyms):
    assert "低保" not in synonyms.aliases("建设用地规划许可证核发")
    assert synonyms.aliases("ABC") == []


def test_social_security_card_by_pinyin(synonyms):
    fields = searchterms.index_fields("社会保障卡申领", synonyms)
    assert {"sbk", "shebaoka"} <= set(fields["qy_pinyin"])
    assert "shehuibaozhangkashenling" in fields["qy_pinyin"]   # the title itself
    assert "shbzksl" in fields["qy_pinyin"]


def test_pinyin_is_full_and_initials_per_run():
    assert pinyin_terms("社保卡") == ["shebaoka", "sbk"]
    # a run ends at punctuation or Latin text; tones and ü are typed as plain letters
    assert pinyin_terms("地名命名、更名审批") == ["dimingmingming", "dmmm", "gengmingshenpi", "gmsp"]
    assert pinyin_terms("绿色通道") == ["lvsetongdao", "lstd"]
    assert pinyin_terms("12345 ABC") == []


def test_a_word_later_in_the_title_is_found_by_infix_pinyin():
    infix = searchterms.pinyin_infix_terms("营业执照补领换领")
    assert "bulinghuanling" in infix
    assert "zhizhaobulinghuanling" in infix
    assert "yingyezhizhaobulinghuanling" not in infix   # the title's start is in qy_pinyin


def test_infix_pinyin_is_capped():
    infix = searchterms.pinyin_infix_terms("对生产经营单位未按规定对从业人员进行安全生产教育和培训的处罚",
                                           max_syllables=4)
    assert max(len(t) for t in infix) <= 4 * 6


def test_expand_gives_formal_terms_for_highlighting(synonyms):
    assert synonyms.expand("低保怎么办") == ["最低生活保障"]
    assert synonyms.expand("驾照") == ["机动车驾驶证"]
    # the longer word wins: 医保卡 is the social security card, not 医疗保险
    assert synonyms.expand("医保卡丢了") == ["社会保障卡"]
    assert set(synonyms.expand("医保")) == {"医疗保险", "医疗保障"}
    assert synonyms.expand("营业执照") == []


def test_suggest_by_characters_and_pinyin(synonyms):
    assert "社保卡" in synonyms.suggest("社保")
    assert "社保卡" in synonyms.suggest("sbk")
    assert "驾照" in synonyms.suggest("jiaz")
    assert len(synonyms.suggest("社", limit=3)) == 3
    assert synonyms.suggest("") == []


@pytest.mark.parametrize("a, b", [
    ("代理记账机构执业许可（新办）", "代理记账机构执业许可(新办)"),
    ("不动产登记 一窗受理", "不动产登记一窗受理"),
    ("地名命名、更名审批", "地名命名,更名审批"),
    ("2023年宁县【示例数据】", "2023年宁县[示例数据]"),
])
def test_group_key_unifies_spelling(a, b):
    assert group_key(a) == group_key(b)


def test_group_key_keeps_qualifiers_apart():
    # (新办)/(网上办理) are different items with their own requirements: separate results
    assert group_key("代理记账机构执业许可(新办)") != group_key("代理记账机构执业许可")
    assert group_key("不动产登记一窗受理(网上办理)") != group_key("不动产登记一窗受理")


# -- the synonyms file itself ---------------------------------------------------------

def test_at_least_300_pairs(synonyms):
    assert len(synonyms.pairs()) >= 300


def test_no_duplicate_pairs_or_groups(synonyms):
    pairs = synonyms.pairs()
    assert len(pairs) == len(set(pairs))
    formals = [g.formal for g in synonyms.groups]
    assert len(formals) == len(set(formals))


def test_an_everyday_word_has_one_formal_term_unless_marked_shared(synonyms):
    groups_of = defaultdict(list)
    for g in synonyms.groups:
        for word in g.everyday:
            groups_of[word].append(g)
    wrong = {w: [g.formal for g in gs] for w, gs in groups_of.items()
             if len(gs) > 1 and not all(w in g.shared for g in gs)}
    assert not wrong, f"listed under several formal terms without `shared`: {wrong}"


def test_every_formal_term_is_a_real_item_name_or_common_usage(synonyms, demo_text):
    missing = [g.formal for g in synonyms.groups if not g.common and g.formal not in demo_text]
    assert not missing, f"not in catalogs/demo item names (add `common: true` if intended): {missing}"
    stale = [g.formal for g in synonyms.groups if g.common and g.formal in demo_text]
    assert not stale, f"marked common but found in catalogs/demo: {stale}"


def test_everyday_words_add_something(synonyms):
    # a word inside its formal term matches the title already
    redundant = [(w, f) for w, f in synonyms.pairs() if w in f]
    assert not redundant


def test_load_refuses_an_entry_without_words(tmp_path):
    path = tmp_path / "synonyms.yaml"
    path.write_text("- formal: 最低生活保障\n", encoding="utf-8")
    with pytest.raises(ValueError, match="entry 1"):
        Synonyms.load(path)


def test_rewrite_puts_the_formal_term_in_a_mixed_query(synonyms):
    assert synonyms.rewrite("社保卡申领") == "社会保障卡申领"
    assert synonyms.rewrite("医保卡 办理") == "社会保障卡办理"       # 医保卡 before 医保
    assert synonyms.rewrite("water quality") == "water quality"     # nothing to replace: as typed
