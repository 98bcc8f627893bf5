"""Code checks for Qingyang reference data.

Pure functions, no CKAN import, so catalogs can be validated anywhere:

* 统一社会信用代码 (unified social credit code, USCC), GB 32100-2015;
* 组织机构代码 (organization code), GB 11714-1997, embedded in a USCC
  at positions 9-17;
* 行政区划代码 (region codes), GB/T 2260 six digits for city and county
  level, nine digits (county code + 3) for township level.
"""

import re

# GB 32100-2015 character set: digits and capitals without I, O, Z, S, V.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY_RE = re.compile(r"^[0-9A-Z]{8}$")

JURISDICTION_LEVELS = ("city", "county", "township")
JURISDICTION_LEVEL_LABELS = {
    "city": "市级",
    "county": "县级",
    "township": "乡级",
}


def normalize_uscc(code: str) -> str:
    """Strip surrounding whitespace and upper-case a USCC typed by a person.

    The validators themselves are strict (upper case only); call this on
    user input first, and store the normalised form.
    """
    return code.strip().upper()


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters."""
    if len(first17) != 17:
        raise ValueError("need exactly 17 characters, got %d" % len(first17))
    try:
        total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS))
    except KeyError as exc:
        raise ValueError("character %s not allowed in a USCC" % exc) from None
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True if code is 18 allowed characters, digits at the region code
    positions (3-8), and the last character is the right check character.

    The embedded organization code is checked separately by
    is_valid_org_code(code[8:17]).
    """
    if not isinstance(code, str) or len(code) != 18:
        return False
    if any(c not in _USCC_VALUE for c in code):
        return False
    if not code[2:8].isdigit():
        return False
    return uscc_check_char(code[:17]) == code[17]


def org_code_check_char(first8: str) -> str:
    """Return the GB 11714 check character for an 8-character body."""
    if not _ORG_BODY_RE.match(first8 or ""):
        raise ValueError("organization code body must be 8 of [0-9A-Z]")
    # Letters count as 10..35 (A=10), digits as themselves.
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS))
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def is_valid_org_code(code: str) -> bool:
    """True for a 9-character organization code (no hyphen) whose last
    character is its GB 11714 check character."""
    if not isinstance(code, str) or len(code) != 9:
        return False
    if not _ORG_BODY_RE.match(code[:8]):
        return False
    return org_code_check_char(code[:8]) == code[8]


def make_uscc(authority: str, category: str, region_code: str, org_body: str) -> str:
    """Build a well-formed USCC from its parts, computing both check characters.

    authority: registration authority (1 = 机构编制); category: kind of
    organization (1 = 机关); region_code: 6-digit GB/T 2260 code; org_body:
    8-character organization code body.
    """
    if len(authority) != 1 or len(category) != 1:
        raise ValueError("authority and category are one character each")
    if not (len(region_code) == 6 and region_code.isdigit()):
        raise ValueError("region_code must be 6 digits")
    org = org_body + org_code_check_char(org_body)
    first17 = authority + category + region_code + org
    return first17 + uscc_check_char(first17)


def is_valid_region_code(code: str, level: str) -> bool:
    """True if code is shaped right for a jurisdiction level.

    city: 6 digits ending in 00 (e.g. 621000); county: 6 digits not ending
    in 00 (e.g. 621002); township: 9 digits, a county code plus 3 digits
    other than 000.
    """
    if level not in JURISDICTION_LEVELS:
        raise ValueError("unknown level %r" % (level,))
    if not isinstance(code, str) or not code.isdigit():
        return False
    if level == "city":
        return len(code) == 6 and code[4:] == "00" and code[2:4] != "00"
    if level == "county":
        return len(code) == 6 and code[4:] != "00" and code[2:4] != "00"
    return (
        len(code) == 9
        and is_valid_region_code(code[:6], "county")
        and code[6:] != "000"
    )


def county_of(region_code: str) -> str:
    """Return the 6-digit county-level code a 9-digit township code starts with."""
    if not is_valid_region_code(region_code, "township"):
        raise ValueError("not a township code: %r" % (region_code,))
    return region_code[:6]


def city_of(region_code: str) -> str:
    """Return the 6-digit city-level code (XXXX00) of a county or township code."""
    if not (
        is_valid_region_code(region_code, "county")
        or is_valid_region_code(region_code, "township")
    ):
        raise ValueError("not a county or township code: %r" % (region_code,))
    return region_code[:4] + "00"


# GB/T 2260 county-level divisions of 庆阳市 (621000).
QINGYANG_COUNTIES = {
    "621002": "西峰区",
    "621021": "庆城县",
    "621022": "环县",
    "621023": "华池县",
    "621024": "合水县",
    "621025": "正宁县",
    "621026": "宁县",
    "621027": "镇原县",
}


# 居民身份证号码, GB 11643-1999: 17 digits and a check character (0-9 or X).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def is_valid_id_number(code: str) -> bool:
    return bool(re.fullmatch(r"\d{17}[\dX]", code)) and id_number_check_char(code[:17]) == code[17]


def is_valid_mobile(phone: str) -> bool:
    """A mainland mobile (1 + 10 digits) or a fixed line with area code (0931-1234567)."""
    return bool(re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", phone))
