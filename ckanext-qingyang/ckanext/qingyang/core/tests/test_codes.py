"""Tests for codes.py and for catalogs/organizations.yaml."""

import os
import re
from collections import Counter

import pytest
import yaml

from ckanext.qingyang.core import codes
from ckanext.qingyang.core.codes import (
    JURISDICTION_LEVEL_LABELS,
    JURISDICTION_LEVELS,
    city_of,
    county_of,
    is_valid_org_code,
    is_valid_region_code,
    is_valid_uscc,
    make_uscc,
    normalize_uscc,
    org_code_check_char,
    uscc_check_char,
)

ORGS_PATH = os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "..", "..", "catalogs", "organizations.yaml"
)

# A commonly cited valid code, and the first illustrative code of
# organizations.yaml (org check 1 and USCC check B, re-computed with an
# independent few-line version of both formulas).
CITED_VALID = "91350100M000100Y43"


# ---------------------------------------------------------------- USCC

@pytest.mark.parametrize("code", [CITED_VALID, "11621000QY0000011B"])
def test_known_valid_uscc(code):
    assert is_valid_uscc(code)
    assert is_valid_org_code(code[8:17])
    assert uscc_check_char(code[:17]) == code[17]


def test_weights_are_powers_of_three_mod_31():
    assert codes._USCC_WEIGHTS == (
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_make_uscc_round_trip():
    code = make_uscc("1", "1", "621000", "QY000001")
    assert code == "11621000QY0000011B"
    for region in ("621000", "621002", "621027"):
        for body in ("00000000", "12345678", "QY999999", "ABCDEFGH"):
            c = make_uscc("1", "1", region, body)
            assert is_valid_uscc(c), c
            assert is_valid_org_code(c[8:17]), c


def test_check_char_zero_when_remainder_zero():
    # A weighted sum of 0 mod 31 gives check "0", not index 31.
    prefix = "0" * 17
    assert uscc_check_char(prefix) == "0"
    assert is_valid_uscc(prefix + "0")


@pytest.mark.parametrize("i", range(17))
def test_every_wrong_check_char_rejected(i):
    # Changing any one of the first 17 characters invalidates the code.
    chars = list(CITED_VALID)
    old = chars[i]
    for new in "0A":
        if new != old:
            chars[i] = new
            assert not is_valid_uscc("".join(chars))


def test_wrong_check_char():
    for c in codes.USCC_CHARSET:
        if c != CITED_VALID[17]:
            assert not is_valid_uscc(CITED_VALID[:17] + c)


def test_lowercase_is_rejected_but_normalisable():
    lower = CITED_VALID.lower()
    assert not is_valid_uscc(lower)
    assert is_valid_uscc(normalize_uscc("  " + lower + "\n"))


@pytest.mark.parametrize("code", ["", "9135010", CITED_VALID[:17], CITED_VALID + "0", None, 91350100])
def test_wrong_length_or_type(code):
    assert not is_valid_uscc(code)


@pytest.mark.parametrize("letter", "IOZSV")
def test_forbidden_letters(letter):
    # Replace the check char and an organization code char; neither is allowed.
    assert not is_valid_uscc(CITED_VALID[:17] + letter)
    assert not is_valid_uscc(CITED_VALID[:8] + letter + CITED_VALID[9:])
    with pytest.raises(ValueError):
        uscc_check_char(CITED_VALID[:8] + letter + CITED_VALID[9:17])


def test_region_part_must_be_digits():
    first17 = "11" + "62A000" + "QY0000011"
    assert not is_valid_uscc(first17 + uscc_check_char(first17))


def test_uscc_check_char_length():
    with pytest.raises(ValueError):
        uscc_check_char("123")


# ---------------------------------------------------------------- organization code

def test_org_code_check_digits():
    assert org_code_check_char("M000100Y") == "4"
    assert org_code_check_char("QY000001") == "1"
    assert is_valid_org_code("M000100Y4")
    assert not is_valid_org_code("M000100Y5")


def test_org_code_check_x_and_zero():
    # Search small bodies for each special case so both branches are exercised.
    found = {}
    for n in range(200):
        body = "%08d" % n
        found.setdefault(org_code_check_char(body), body)
    assert "X" in found and "0" in found
    assert is_valid_org_code(found["X"] + "X")
    assert not is_valid_org_code(found["X"] + "10")
    assert is_valid_org_code(found["0"] + "0")


@pytest.mark.parametrize("code", ["", "M000100Y", "M000100Y44", "m000100y4", "M000-100Y4", None])
def test_org_code_malformed(code):
    assert not is_valid_org_code(code)


# ---------------------------------------------------------------- region codes

def test_levels():
    assert JURISDICTION_LEVELS == ("city", "county", "township")
    assert [JURISDICTION_LEVEL_LABELS[lv] for lv in JURISDICTION_LEVELS] == ["市级", "县级", "乡级"]


@pytest.mark.parametrize("code,level,ok", [
    ("621000", "city", True),
    ("621002", "county", True),
    ("621027", "county", True),
    ("621002100", "township", True),
    ("621027201", "township", True),
    ("621002", "city", False),
    ("621000", "county", False),
    ("620000", "city", False),        # province, not city
    ("62100", "city", False),
    ("6210000", "city", False),
    ("62100A", "county", False),
    ("621002", "township", False),
    ("621000100", "township", False),  # city code + 3 is not a township
    ("621002000", "township", False),
    ("6210021000", "township", False),
    (621000, "city", False),
])
def test_region_codes(code, level, ok):
    assert is_valid_region_code(code, level) is ok


def test_region_code_unknown_level():
    with pytest.raises(ValueError):
        is_valid_region_code("621000", "province")


def test_county_of_and_city_of():
    assert county_of("621002100") == "621002"
    assert city_of("621002100") == "621000"
    assert city_of("621027") == "621000"
    for bad in ("621002", "621000100", "abc"):
        with pytest.raises(ValueError):
            county_of(bad)
    with pytest.raises(ValueError):
        city_of("621000")


# ---------------------------------------------------------------- organizations.yaml

REQUIRED_KEYS = {
    "name", "title", "title_en", "kind", "jurisdiction_level", "region_code",
    "jurisdiction", "parent", "uscc", "roles", "sample", "sample_note",
}
OPTIONAL_KEYS = {"short_title"}
KINDS = {"government", "department", "office"}
ROLES = {"egov_office", "service_center", "reform_office", "legal_office",
         "finance_bureau", "poverty_office", "platform_admin"}
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")

COUNTIES = {
    "西峰区": "621002", "庆城县": "621021", "环县": "621022", "华池县": "621023",
    "合水县": "621024", "正宁县": "621025", "宁县": "621026", "镇原县": "621027",
}
# The six offices the 2017 regulation names, by its short names, and their roles.
REGULATION_OFFICES = {
    "市电子政务办": {"egov_office", "platform_admin"},
    "市政务服务中心": {"service_center"},
    "市审改办": {"reform_office"},
    "市政府法制办": {"legal_office"},
    "市财政局": {"finance_bureau"},
    "市扶贫办": {"poverty_office"},
}
USCC_SAMPLE_NOTE = "统一社会信用代码为示例"


@pytest.fixture(scope="module")
def orgs():
    with open(ORGS_PATH, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert set(data) == {"organizations"}
    return data["organizations"]


@pytest.fixture(scope="module")
def by_name(orgs):
    return {o["name"]: o for o in orgs}


def test_keys_and_types(orgs):
    for o in orgs:
        keys = set(o)
        assert REQUIRED_KEYS <= keys, (o.get("name"), REQUIRED_KEYS - keys)
        assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, (o["name"], keys - REQUIRED_KEYS - OPTIONAL_KEYS)
        for k in ("title", "title_en", "jurisdiction", "region_code", "uscc", "sample_note"):
            assert isinstance(o[k], str), (o["name"], k)
        assert o["title"] and o["title_en"] and o["jurisdiction"]
        if "short_title" in o:
            assert isinstance(o["short_title"], str) and o["short_title"]
        assert o["kind"] in KINDS, o["name"]
        assert o["jurisdiction_level"] in JURISDICTION_LEVELS, o["name"]
        assert isinstance(o["roles"], list) and set(o["roles"]) <= ROLES, o["name"]
        assert len(o["roles"]) == len(set(o["roles"])), o["name"]
        assert isinstance(o["sample"], bool), o["name"]


def test_names_unique_and_slug_shaped(orgs):
    names = [o["name"] for o in orgs]
    dupes = [n for n, c in Counter(names).items() if c > 1]
    assert not dupes
    for n in names:
        assert isinstance(n, str) and 2 <= len(n) <= 100 and SLUG_RE.match(n), n
        assert "--" not in n, n


def test_titles_unique(orgs):
    dupes = [t for t, c in Counter(o["title"] for o in orgs).items() if c > 1]
    assert not dupes


def test_tree_shape(orgs, by_name):
    roots = [o for o in orgs if o["parent"] is None]
    assert [r["name"] for r in roots] == ["qingyang-gov"]
    root = roots[0]
    assert orgs[0] is root
    assert (root["kind"], root["jurisdiction_level"], root["region_code"], root["title"]) == (
        "government", "city", "621000", "庆阳市人民政府")
    for o in orgs:
        if o is root:
            continue
        assert o["parent"] in by_name, (o["name"], o["parent"])
        assert o["parent"] != o["name"]
    # No cycles: every walk up reaches the root.
    for o in orgs:
        seen, cur = set(), o
        while cur["parent"] is not None:
            assert cur["name"] not in seen, o["name"]
            seen.add(cur["name"])
            cur = by_name[cur["parent"]]
        assert cur is root


def test_parents_listed_before_children(orgs):
    seen = set()
    for o in orgs:
        assert o["parent"] is None or o["parent"] in seen, o["name"]
        seen.add(o["name"])


def test_levels_consistent(orgs, by_name):
    for o in orgs:
        if o["parent"] is None:
            continue
        parent = by_name[o["parent"]]
        # Only governments have children.
        assert parent["kind"] == "government", o["name"]
        if o["kind"] == "government":
            expected = {"county": "city", "township": "county"}
            assert o["jurisdiction_level"] in expected, o["name"]
            assert parent["jurisdiction_level"] == expected[o["jurisdiction_level"]], o["name"]
        else:
            # A department belongs to the same jurisdiction as its government.
            for k in ("jurisdiction_level", "region_code", "jurisdiction"):
                assert o[k] == parent[k], (o["name"], k)


def test_region_codes_valid(orgs, by_name):
    for o in orgs:
        assert is_valid_region_code(o["region_code"], o["jurisdiction_level"]), o["name"]
        if o["jurisdiction_level"] == "township":
            county_gov = by_name[o["parent"]]
            assert county_of(o["region_code"]) == county_gov["region_code"], o["name"]
        if o["jurisdiction_level"] in ("county", "township"):
            assert city_of(o["region_code"]) == "621000", o["name"]
    gov_codes = [o["region_code"] for o in orgs if o["kind"] == "government"]
    assert len(gov_codes) == len(set(gov_codes))


def test_uscc_valid(orgs):
    usccs = [o["uscc"] for o in orgs]
    assert len(usccs) == len(set(usccs))
    for o in orgs:
        code = o["uscc"]
        assert is_valid_uscc(code), o["name"]
        assert is_valid_org_code(code[8:17]), o["name"]
        # Government bodies: registered by 机构编制 (1) as 机关 (1), in their own region.
        assert code[:2] == "11", o["name"]
        assert code[2:8] == o["region_code"][:6], o["name"]


def test_city_regulation_offices(orgs):
    city = [o for o in orgs if o["jurisdiction_level"] == "city" and o["parent"] == "qingyang-gov"]
    assert 20 <= len(city) <= 30
    by_short = {o.get("short_title"): o for o in city}
    for short, roles in REGULATION_OFFICES.items():
        assert short in by_short, short
        assert set(by_short[short]["roles"]) == roles, short
    assert by_short["市审改办"]["title"] == "庆阳市行政审批制度改革工作领导小组办公室"
    # Each role is held by exactly one city office.
    for role in ROLES:
        holders = [o["name"] for o in city if role in o["roles"]]
        assert len(holders) == 1, (role, holders)


def test_platform_admin_only_city_egov(orgs):
    admins = [o["name"] for o in orgs if "platform_admin" in o["roles"]]
    assert admins == ["qingyang-egov-office"]


def test_eight_county_governments(orgs):
    govs = [o for o in orgs if o["kind"] == "government" and o["jurisdiction_level"] == "county"]
    assert {o["jurisdiction"]: o["region_code"] for o in govs} == COUNTIES
    assert len(govs) == 8
    for g in govs:
        assert g["parent"] == "qingyang-gov"
        assert g["title"] == g["jurisdiction"] + "人民政府"


def test_every_county_has_regulation_offices(orgs):
    needed = ROLES - {"platform_admin"}
    govs = [o for o in orgs if o["kind"] == "government" and o["jurisdiction_level"] == "county"]
    for g in govs:
        depts = [o for o in orgs if o["parent"] == g["name"] and o["kind"] != "government"]
        for role in needed:
            holders = [d for d in depts if role in d["roles"]]
            assert len(holders) == 1, (g["name"], role)
        towns = [o for o in orgs if o["parent"] == g["name"] and o["kind"] == "government"]
        assert 2 <= len(towns) <= 5, g["name"]


def test_order_root_city_then_counties(orgs):
    # root, city departments, then per county: government, its departments, its townships
    levels = [o["jurisdiction_level"] for o in orgs]
    first_county = levels.index("county")
    assert all(lv == "city" for lv in levels[:first_county])
    assert "city" not in levels[first_county:]
    current_gov = None
    phase = None
    for o in orgs[first_county:]:
        if o["jurisdiction_level"] == "county" and o["kind"] == "government":
            current_gov, phase = o["name"], "depts"
        elif o["jurisdiction_level"] == "county":
            assert o["parent"] == current_gov and phase == "depts", o["name"]
        else:
            assert o["parent"] == current_gov, o["name"]
            phase = "towns"


def test_sample_marking(orgs):
    for o in orgs:
        # sample and sample_note go together.
        assert o["sample"] == bool(o["sample_note"].strip()), o["name"]
        # Illustrative USCCs carry the "QY" organization-code marker; they must be flagged.
        if o["uscc"][8:10] == "QY":
            assert o["sample"] and USCC_SAMPLE_NOTE in o["sample_note"], o["name"]
