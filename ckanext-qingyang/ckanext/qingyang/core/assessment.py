"""督查考核 (第二十三条、第二十四条): how a month's facts become indicator scores, a total and a rank.

Pure: the rules come from catalogs/assessment.yaml (read by `load_rules`), the facts from
the CKAN side (supervision/assessment/facts.py). Each indicator's facts are a `Fact`: the
numbers it was computed from and the evidence behind every deduction, so that every point
on the scoreboard can be traced.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = "assessment.yaml"   # in the catalogs folder
INDICATORS = ("completeness", "timeliness", "quality", "review", "sharing", "messages",
              "efficiency", "security", "accountability")
RATE_INDICATORS = frozenset({"quality", "review", "sharing", "messages", "efficiency"})
STATUS_LABELS = {"counted": "计分", "small_sample": "样本不足", "no_data": "无数据", "not_applicable": "不适用"}


class RulesError(ValueError):
    """assessment.yaml is wrong; the message names the version and the key (Chinese, then English)."""


@dataclass(frozen=True)
class Rules:
    since: str                       # YYYY-MM
    min_sample: int
    indicators: dict[str, dict[str, Any]]
    duties: tuple[dict[str, Any], ...]

    def label(self, key: str) -> str:
        return self.indicators[key]["label"]


def _month(value: Any, where: str) -> str:
    text = str(value or "")
    try:
        dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise RulesError(f"{where}: from 应为年月(YYYY-MM),实为 {text!r} / from must be YYYY-MM, got {text!r}") from None
    return text


def parse_rules(doc: dict[str, Any]) -> list[Rules]:
    """Every version, oldest first, checked."""
    duties = tuple(doc.get("duties") or ())
    for i, d in enumerate(duties, 1):
        unknown = set(d.get("when") or {}) - {"kind", "level", "role", "organization"}
        if unknown or not d.get("lists"):
            raise RulesError(f"duties 第 {i} 条: when 只能用 kind/level/role/organization 且须有 lists "
                             f"/ duties #{i}: when takes kind/level/role/organization and lists is required")
    out = []
    for i, v in enumerate(doc.get("versions") or (), 1):
        where = f"versions 第 {i} 个 / versions #{i}"
        since = _month(v.get("from"), where)
        inds = v.get("indicators") or {}
        missing = [k for k in INDICATORS if k not in inds]
        extra = [k for k in inds if k not in INDICATORS]
        if missing or extra:
            raise RulesError(f"{where}: 指标须恰为 {', '.join(INDICATORS)}(缺 {missing},多 {extra}) "
                             f"/ indicators must be exactly those (missing {missing}, unknown {extra})")
        for k, ind in inds.items():
            w = ind.get("weight")
            if not isinstance(w, (int, float)) or w < 0 or not ind.get("label"):
                raise RulesError(f"{where} {k}: 须有 label 和非负 weight / {k} needs a label and a weight >= 0")
        if not sum(ind["weight"] for ind in inds.values()):
            raise RulesError(f"{where}: 权重之和为 0 / the weights add up to 0")
        out.append(Rules(since, int(v.get("min_sample", 5)), inds, duties))
    if not out:
        raise RulesError("assessment.yaml 没有 versions / assessment.yaml has no versions")
    out.sort(key=lambda r: r.since)
    if len({r.since for r in out}) != len(out):
        raise RulesError("两个版本的 from 相同 / two versions share one from month")
    return out


def load_rules(catalogs_dir: str | Path) -> list[Rules]:
    return parse_rules(yaml.safe_load((Path(catalogs_dir) / RULES_FILE).read_text("utf-8")) or {})


def rules_for(versions: list[Rules], month: str) -> Rules:
    """The rule a month is assessed with: the newest version from that month or before."""
    applying = [r for r in versions if r.since <= month]
    if not applying:
        raise RulesError(f"{month} 之前没有生效的考核规则 / no rule applies as early as {month}")
    return applying[-1]


def duties_for(org: dict[str, Any], rules: Rules) -> list[str]:
    """The list types an organization must publish: {name, kind, level, roles}."""
    out: list[str] = []
    for d in rules.duties:
        when = d.get("when") or {}
        if when.get("kind") not in (None, org.get("kind")) or when.get("level") not in (None, org.get("level")):
            continue
        if when.get("organization") not in (None, org.get("name")):
            continue
        if when.get("role") is not None and when["role"] not in set(org.get("roles") or ()):
            continue
        out += [t for t in d["lists"] if t not in out]
    return out


@dataclass
class Fact:
    """One indicator's facts for one organization and month.

    n is the sample (lists, submissions, reviews, requests, replies, cases); good the part of
    it that met the rule; extra holds the indicator's other numbers (red cards, 督办, ...);
    evidence one entry per deduction: {label, title, url}.
    """
    n: int = 0
    good: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    applies: bool = True


@dataclass
class Score:
    key: str
    label: str
    weight: float
    status: str            # counted | small_sample | no_data | not_applicable
    score: float | None    # 0-100, None when there is nothing to score
    rate: float | None     # good / n, shown even when not counted
    n: int
    good: int
    extra: dict[str, Any]
    evidence: list[dict[str, Any]]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _clamp(x: float) -> float:
    return round(max(0.0, min(100.0, x)), 1)


def score_indicator(key: str, fact: Fact, rules: Rules) -> Score:
    ind = rules.indicators[key]
    rate = fact.good / fact.n if fact.n else None
    status, score = "counted", None
    if not fact.applies:
        status = "not_applicable"
    elif key == "timeliness":
        ratings = fact.extra.get("ratings") or {}
        total = sum(ratings.values())
        if not total:
            status = "no_data"
        else:
            table = ind.get("scores") or {}
            score = _clamp(sum(table.get(r, 0) * c for r, c in ratings.items()) / total)
    elif key == "security":
        score = _clamp(100 - ind.get("per_finding", 20) * fact.n)
        rate = None
    elif key == "completeness" or key == "accountability":
        if not fact.n:
            status = "not_applicable"
        else:
            score = _clamp(100 * fact.good / fact.n)
    elif not fact.n:
        status = "no_data"
    elif fact.n < rules.min_sample:
        status = "small_sample"
    elif key == "messages":
        rated = fact.extra.get("rated", 0)
        share = ind.get("on_time_share", 0.7)
        satisfied = fact.extra.get("satisfied", 0) / rated if rated else rate
        score = _clamp(100 * (share * rate + (1 - share) * satisfied)
                       - ind.get("per_supervision", 5) * fact.extra.get("supervised", 0))
    elif key == "efficiency":
        score = _clamp(100 * rate - ind.get("per_red_card", 2) * fact.extra.get("red_cards", 0))
    else:
        score = _clamp(100 * rate)
    if status != "counted":
        score = None
    return Score(key, ind["label"], ind["weight"], status, score,
                 round(rate, 4) if rate is not None else None, fact.n, fact.good, fact.extra, fact.evidence)


def total(scores: list[Score]) -> float | None:
    counted = [s for s in scores if s.status == "counted" and s.weight]
    weight = sum(s.weight for s in counted)
    if not weight:
        return None
    return round(sum(s.weight * s.score for s in counted) / weight, 1)


# an organization with nothing to assess but these (no lists due, no cases, no requests...) is
# shown but not ranked, so an empty one cannot top the board
NOT_ENOUGH_TO_RANK = frozenset({"security", "accountability"})


def assess(facts: dict[str, Fact], rules: Rules) -> dict[str, Any]:
    """One organization's month: every indicator's score, the total, and whether it is ranked."""
    scores = [score_indicator(k, facts.get(k, Fact(applies=False)), rules) for k in INDICATORS]
    ranked = any(s.status == "counted" and s.key not in NOT_ENOUGH_TO_RANK for s in scores)
    return {"total": total(scores), "ranked": ranked,
            "indicators": [dict(asdict(s), status_label=s.status_label) for s in scores]}


def rank(rows: list[dict[str, Any]], key: str = "total") -> list[dict[str, Any]]:
    """Sorted best first with competition ranks (1, 2, 2, 4); rows without a total, or marked
    ranked: False, come last, unranked."""
    def rankable(r):
        return r.get(key) is not None and r.get("ranked", True)

    scored = sorted((r for r in rows if rankable(r)), key=lambda r: (-r[key], r.get("title") or ""))
    out, last, place = [], None, 0
    for i, r in enumerate(scored, 1):
        if r[key] != last:
            place, last = i, r[key]
        out.append(dict(r, rank=place))
    return out + [dict(r, rank=None) for r in rows if not rankable(r)]


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """[first day, first day of the next month)."""
    start = dt.date.fromisoformat(month + "-01")
    nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, nxt


def months_back(month: str, n: int) -> list[str]:
    """The n months ending with month, oldest first."""
    y, m = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def bulletin_rules(catalogs_dir: str | Path) -> dict[str, Any]:
    """Who a month's 通报 names (assessment.yaml `bulletin`)."""
    doc = yaml.safe_load((Path(catalogs_dir) / RULES_FILE).read_text("utf-8")) or {}
    rules = doc.get("bulletin") or {}
    unknown = [k for k in rules.get("name_for") or () if k not in INDICATORS]
    if unknown:
        raise RulesError(f"bulletin.name_for 含未知指标 {unknown} / bulletin.name_for names unknown indicators {unknown}")
    return {"name_for": list(rules.get("name_for") or INDICATORS), "county_below": float(rules.get("county_below", 80))}


def bulletin_content(rows: list[dict[str, Any]], counties: list[dict[str, Any]], rules: dict[str, Any]) -> dict[str, Any]:
    """The organizations and county governments a month's 通报 names, from the month's board rows
    (with their indicators, evidence and 责任人) and the counties' ranking."""
    named = []
    for r in rows:
        # evidence marked late: False (a 不满意 rating) is a deduction but not a matter for a 通报
        items = [dict(e, indicator=i["label"]) for i in r["indicators"] if i["key"] in rules["name_for"]
                 for e in i.get("evidence") or () if e.get("late", True)]
        if items:
            named.append({k: r.get(k) for k in ("organization_id", "organization", "title", "county", "county_code",
                                                 "rank", "total", "responsible")} | {"items": items})
    named.sort(key=lambda n: (-len(n["items"]), n["total"] if n.get("total") is not None else 101, n["title"]))
    by_gov = {n["organization"] for n in named}
    county_rows = []
    for c in counties:
        below = c["total"] is not None and c["total"] < rules["county_below"]
        if below or c.get("organization") in by_gov:
            county_rows.append(dict(c, below=below, named=sum(1 for n in named if n.get("county_code") == c["county_code"])))
    return {"organizations": named, "counties": county_rows,
            "summary": {"organizations": len(named), "counties": len(county_rows),
                        "items": sum(len(n["items"]) for n in named)}}
