"""Demonstration rows (示例数据) for every list type, and their loader.

Pure Python (no CKAN import), so the Airflow venv can generate the same rows:

* ``generate(orgs, size, seed)`` -> ``{(org_name, type_name): [row, ...]}``, rows
  keyed by the Chinese template headers of listdef, about ``size`` rows in all,
  deterministic for a given (orgs, size, seed, reference_date);
* ``datastore_table(row)`` -> ``(fields, records)``: a small data table for a
  shared_resource row, whose columns are its 信息项;
* ``load(generated, action, not_found)``: writes the rows through the
  ``qingyang_list_import`` action and gives every shared resource a DataStore
  table (resource_role "data"); ``action(name, data_dict)`` is injected, as in
  orgtree.load_tree, so this module never imports CKAN.

Every row says 示例数据 in a visible text field, so nobody mistakes it for real
data. Item names, legal bases and codes are plausible but invented.

The reference text (department profiles, funds, poverty projects, names, the
values of data tables) is data in catalogs/demo/*.yaml, found next to the
extension without configuration; this module is the generator and the loader.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from ckanext.qingyang.core import listdef
from ckanext.qingyang.core.codes import QINGYANG_COUNTIES, USCC_CHARSET, is_valid_uscc, make_uscc

MARK = "示例数据"
REFERENCE_DATE = dt.date(2026, 10, 31)
FIRST_DATE = dt.date(2024, 1, 1)
YEARS = (2023, 2024, 2025)
CITY_CODE = "621000"
CITY_NAME = "庆阳市"

# Load order within one department: powers before the responsibilities that name them.
TYPE_ORDER = ("power_item", "responsibility_item", "approval_item", "service_item", "special_fund",
              "poverty_fund_plan", "poverty_project", "shared_resource")
# Share of `size` per independently sized type. Responsibilities follow the powers
# (1-3 each, about 0.40 of size) and approvals follow the licences (about 0.05).
SHARES = {"power_item": 0.19, "service_item": 0.09, "special_fund": 0.07, "poverty_fund_plan": 0.04,
          "poverty_project": 0.08, "shared_resource": 0.07}
LEVEL_FACTOR = {"city": 1.4, "county": 1.0}

# power_type choice value -> code letters
POWER_PREFIX = {"license": "XK", "penalty": "CF", "coercion": "QZ", "levy": "ZS", "payment": "JF",
                "inspection": "JC", "confirmation": "QR", "reward": "JL", "adjudication": "CJ",
                "other": "QT"}
PREFIX_TYPE = {v: k for k, v in POWER_PREFIX.items()}
TYPE_WEIGHT = {"CF": 5.0, "XK": 2.5, "JC": 1.2, "JF": 0.8, "QR": 0.8, "QZ": 0.6, "QT": 0.5,
               "ZS": 0.4, "JL": 0.4, "CJ": 0.3}
# 办结时限 of a power whose profile line gives none
DEFAULT_DAYS = {"XK": 20, "CF": 90, "QZ": 30, "ZS": 15, "JF": 20, "JC": 15, "QR": 20, "JL": 30,
                "CJ": 60, "QT": 20}


# ---------------------------------------------------------------- reference text
# Next to the extension, as plugin.default_catalogs_dir() finds catalogs/ (plugin.py
# imports CKAN, this module must not), so no configuration is needed.
DEMO_DIR = Path(__file__).resolve().parents[3] / "catalogs" / "demo"


@lru_cache(maxsize=None)
def _text(name: str) -> dict[str, Any]:
    """catalogs/demo/<name>.yaml, read once."""
    with open(DEMO_DIR / f"{name}.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def _table(lines: list[str]) -> list[list[str]]:
    """The fields of |-separated lines (their meaning is in the comments of each file)."""
    return [[part.strip() for part in line.split("|")] for line in lines]


@dataclass(frozen=True)
class PowerT:
    prefix: str
    name: str
    basis: tuple[str, ...]
    days: int
    requirements: tuple[str, ...]


@dataclass(frozen=True)
class ServiceT:
    name: str
    content: str
    days: int


@dataclass(frozen=True)
class ResourceT:
    title: str
    category: str
    items: tuple[tuple[str, str], ...]
    sensitivity: int
    abstract: str


@dataclass(frozen=True)
class Profile:
    key: str
    match: tuple[str, ...]
    offices: tuple[str, ...]
    users: str
    powers: tuple[PowerT, ...]
    services: tuple[ServiceT, ...]
    resources: tuple[ResourceT, ...]


def _profile(key: str, raw: dict[str, Any]) -> Profile:
    powers = tuple(PowerT(p[0], p[1], tuple(p[2].split(";")),
                          int(p[3]) if len(p) > 3 and p[3] else DEFAULT_DAYS[p[0]],
                          tuple(p[4].split(";")) if len(p) > 4 else ())
                   for p in _table(raw.get("powers", [])))
    services = tuple(ServiceT(s[0], s[1], int(s[2])) for s in _table(raw.get("services", [])))
    resources = tuple(ResourceT(r[0], r[1], tuple(tuple(i.split(":")) for i in r[2].split(";")), int(r[3]), r[4])
                      for r in _table(raw.get("resources", [])))
    return Profile(key, tuple(raw["match"]), tuple(raw["offices"]), raw["users"], powers, services, resources)


@lru_cache(maxsize=1)
def _profiles() -> dict[str, Profile]:
    return {key: _profile(key, raw) for key, raw in _text("profiles")["profiles"].items()}


def profile_for(title: str, kind: str) -> Profile | None:
    """The profile of a department by its title; governments have none."""
    profiles = _profiles()
    for p in profiles.values():
        if any(m in title for m in p.match):
            return p
    if kind == "government":
        return None
    return profiles["generic"]


# ---------------------------------------------------------------- organizations
@dataclass
class Org:
    name: str
    title: str
    kind: str
    level: str
    region: str
    uscc: str
    roles: tuple[str, ...]
    profile: Profile | None

    @property
    def county_code(self) -> str:
        code = self.region[:6]
        return code if code in QINGYANG_COUNTIES else ""

    @property
    def jurisdiction(self) -> str:
        return QINGYANG_COUNTIES.get(self.county_code, CITY_NAME)

    @property
    def level_word(self) -> str:
        if self.level == "city":
            return "市级"
        return "区级" if self.jurisdiction.endswith("区") else "县级"

    @property
    def short(self) -> str:
        """How supervision texts name the jurisdiction: 市 or the county's name."""
        return "市" if self.level == "city" else self.jurisdiction


def _org(entry: dict[str, Any]) -> Org:
    roles = entry.get("roles") or ()
    if isinstance(roles, str):
        roles = roles.split()
    title = str(entry.get("title") or entry["name"])
    kind = str(entry.get("kind") or "department")
    return Org(name=str(entry["name"]), title=title, kind=kind,
               level=str(entry.get("jurisdiction_level") or ""), region=str(entry.get("region_code") or CITY_CODE),
               uscc=str(entry.get("uscc") or ""), roles=tuple(roles), profile=profile_for(title, kind))


def _provider_code(org: Org) -> str:
    if is_valid_uscc(org.uscc):
        return org.uscc
    digits = int(hashlib.sha1(org.name.encode()).hexdigest(), 16) % 10**6
    return make_uscc("1", "1", org.region[:6], f"QY{digits:06d}")


# ---------------------------------------------------------------- helpers
def apportion(total: int, weights: list[tuple[str, float]]) -> dict[str, int]:
    """Split total over keys in proportion to weights (largest remainder, ties by order)."""
    weights = [(k, w) for k, w in weights if w > 0]
    out = {k: 0 for k, _ in weights}
    wsum = sum(w for _, w in weights)
    if total <= 0 or not wsum:
        return out
    exact = [(k, total * w / wsum) for k, w in weights]
    for k, x in exact:
        out[k] = int(x)
    left = total - sum(out.values())
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i][1] - int(exact[i][1])), i))
    for i in order[:left]:
        out[exact[i][0]] += 1
    return out


def _variants(bases: list, qualifiers: tuple[str, ...], rng: random.Random) -> Iterator[tuple[Any, str]]:
    """(base, suffix) pairs, all distinct: the bases shuffled, then each with each qualifier, then numbered.

    A profile's first item is its best-known one (e.g. 建设用地规划许可证核发): it stays first,
    so every demo catalog holds the items people search for.
    """
    order = list(bases[1:])
    rng.shuffle(order)
    order = list(bases[:1]) + order
    yield from ((b, "") for b in order)
    for q in qualifiers:
        yield from ((b, q) for b in order)
    n = 2
    while True:
        yield from ((b, f"(子项{n})") for b in order)
        n += 1


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return end
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _amount(rng: random.Random, low: float, high: float) -> str:
    """万元 with 2 decimals (or 4, to the yuan), log-uniform between low and high."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    return f"{value:.4f}" if rng.random() < 0.3 else f"{value:.2f}"


def _phone(rng: random.Random) -> str:
    return f"0934-{rng.choice('3458')}{rng.randint(0, 999999):06d}"


def _cn(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def _rng(seed: int, *parts: str) -> random.Random:
    return random.Random(":".join((str(seed),) + parts))


# ---------------------------------------------------------------- the generator
class _Generator:
    def __init__(self, orgs: list[dict], size: int, seed: int, reference_date: dt.date):
        self.orgs = [_org(o) for o in orgs]
        self.size = size
        self.seed = seed
        self.ref = reference_date
        self.first = min(FIRST_DATE, reference_date)
        self.types = listdef.all_types()
        self.headers = {t: lt.headers for t, lt in self.types.items()}
        self.labels = {t: {c.field_name: c.label for c in lt.columns} for t, lt in self.types.items()}
        self.rows: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.serials: dict[tuple[str, str], int] = {}
        self.power_label = {c.value: c.label for c in self.types["power_item"].column("power_type").choices}
        self.region_ordinal: dict[str, int] = {}
        seen: dict[str, int] = {}
        for o in self.orgs:
            seen[o.region] = seen.get(o.region, 0) + 1
            self.region_ordinal[o.name] = seen[o.region]
        self.townships: dict[str, list[str]] = {}
        for o in self.orgs:
            if o.level == "township" and o.county_code:
                self.townships.setdefault(o.county_code, []).append(o.title.removesuffix("人民政府"))
        self.items = _text("items")
        self.stages = {k: _table(v) for k, v in self.items["responsibility_item"]["stages"].items()}

    # -- rows
    def add(self, org: Org, type_name: str, values: dict[str, Any]) -> dict[str, str]:
        labels = self.labels[type_name]
        row = {h: "" for h in self.headers[type_name]}
        for f, v in values.items():
            row[labels[f]] = "" if v is None else str(v)
        self.rows.setdefault((org.name, type_name), []).append(row)
        return row

    def confirmed(self, rng: random.Random, after: dt.date | None = None) -> str:
        return _date(rng, max(self.first, after or self.first), self.ref).isoformat()

    def code(self, prefix: str, region: str) -> str:
        key = (prefix, region)
        n = self.serials.get(key, 0) + 1
        if n > 9999:
            raise ValueError(f"more than 9999 {prefix} items in region {region}: size too large")
        self.serials[key] = n
        return f"{prefix}-{region}-{n:04d}"

    # -- planning
    def eligible(self) -> dict[str, list[tuple[Org, float]]]:
        out: dict[str, list[tuple[Org, float]]] = {t: [] for t in SHARES}
        for o in self.orgs:
            lf = LEVEL_FACTOR.get(o.level, 0.0)
            p = o.profile
            dept = o.kind in ("department", "office") and lf > 0
            if dept and p and p.powers:
                out["power_item"].append((o, len(p.powers) * lf))
            center = "service_center" in o.roles or (p is not None and p.key == "service-center")
            if lf and p and p.services and (o.kind == "department" or center):
                out["service_item"].append((o, len(p.services) * lf * (3 if center else 1)))
            if lf and "finance_bureau" in o.roles:
                out["special_fund"].append((o, 2.0 if o.level == "city" else 1.0))
            if lf and "poverty_office" in o.roles:
                out["poverty_fund_plan"].append((o, 2.0 if o.level == "city" else 1.0))
                if o.level == "county" and o.county_code:
                    out["poverty_project"].append((o, 1.0))
            if dept and p and p.resources:
                out["shared_resource"].append((o, len(p.resources) * lf))
        return out

    def plan(self) -> dict[str, dict[str, int]]:
        eligible = self.eligible()
        plan = {}
        for t, share in SHARES.items():
            orgs = eligible[t]
            total = round(self.size * share)
            if orgs:
                total = max(total, 1)
            if t == "shared_resource" and orgs:
                total = max(total, 9)
            if t == "poverty_project":
                total = max(total, len(orgs))
            plan[t] = apportion(total, [(o.name, w) for o, w in orgs])
        return plan

    def run(self) -> dict[tuple[str, str], list[dict[str, str]]]:
        plan = self.plan()
        by_name = {o.name: o for o in self.orgs}
        for name, n in plan["power_item"].items():
            if n:
                self.powers(by_name[name], n)
        for name, n in plan["service_item"].items():
            if n:
                self.services(by_name[name], n)
        for name, n in plan["special_fund"].items():
            if n:
                self.funds(by_name[name], n)
        for name, n in plan["poverty_fund_plan"].items():
            if n:
                self.fund_plans(by_name[name], n)
        for name, n in plan["poverty_project"].items():
            if n:
                self.projects(by_name[name], n)
        shared = []
        for name, n in plan["shared_resource"].items():
            if n:
                shared.extend(self.resources(by_name[name], n))
        self.share_combinations(shared)
        out = {}
        for o in self.orgs:
            for t in TYPE_ORDER:
                if (o.name, t) in self.rows:
                    out[(o.name, t)] = self.rows[(o.name, t)]
        return out

    # -- 权责清单 and 行政审批
    def powers(self, org: Org, n: int) -> None:
        rng = _rng(self.seed, "power", org.name)
        prof = org.profile
        by_prefix: dict[str, list[PowerT]] = {}
        for p in prof.powers:
            by_prefix.setdefault(p.prefix, []).append(p)
        prefixes = list(by_prefix)
        gens = {k: _variants(v, self.items["power_item"]["qualifiers"][k], rng) for k, v in by_prefix.items()}
        picks = ["XK"] if "XK" in by_prefix else []
        picks += rng.choices(prefixes, [TYPE_WEIGHT[k] for k in prefixes], k=n - len(picks))
        picks.sort(key=lambda k: list(POWER_PREFIX.values()).index(k))
        for k in picks:
            template, suffix = next(gens[k])
            self.power(org, template, template.name + suffix, rng)

    def power(self, org: Org, t: PowerT, title: str, rng: random.Random) -> None:
        code = self.code(t.prefix, org.region)
        roll = rng.random()
        status = "cancelled" if roll < 0.02 else "adjusted" if roll < 0.07 else "in_force"
        reason = basis = None
        if status == "adjusted":
            reason = rng.choice(self.items["power_item"]["adjustment_reasons"])
            basis = f"《{CITY_NAME}人民政府关于调整部分行政权力事项的通知》({MARK})"
        elif status == "cancelled":
            reason = rng.choice(self.items["power_item"]["cancellation_reasons"])
            basis = f"《{CITY_NAME}人民政府关于取消部分行政权力事项的决定》({MARK})"
        confirmed = self.confirmed(rng)
        self.add(org, "power_item", dict(
            title=title, code=code, power_type=self.power_label[PREFIX_TYPE[t.prefix]],
            legal_basis=";".join(t.basis), exercising_body=org.title, time_limit_days=t.days,
            supervision=f"{org.short}审改办、{org.short}政府法制办监督;投诉电话 12345;{MARK}",
            status=self.types["power_item"].column("status").label_of(status),
            adjustment_reason=reason, adjustment_basis=basis, confirmed_date=confirmed))
        self.responsibilities(org, t, code, rng)
        if t.prefix == "XK" and status != "cancelled":
            self.approval(org, t, title, rng)

    def responsibilities(self, org: Org, t: PowerT, code: str, rng: random.Random) -> None:
        stages = self.stages[t.prefix]
        k = rng.choice((1, 2, 2, 3))
        bases = self.items["responsibility_item"]["accountability_basis"]
        basis = ";".join(bases.get(t.prefix, bases["default"]))
        for stage, duty, cases in sorted(rng.sample(stages, min(k, len(stages))), key=stages.index):
            self.add(org, "responsibility_item", dict(
                power_code=code, title=f"{stage}:{duty}",
                responsible_body=org.title + rng.choice(org.profile.offices),
                accountability_cases=f"{cases}。({MARK})",
                accountability_basis=basis, confirmed_date=self.confirmed(rng)))

    def approval(self, org: Org, t: PowerT, title: str, rng: random.Random) -> None:
        statutory = t.days
        promised = max(1, min(statutory, round(statutory * rng.uniform(0.3, 0.75))))
        steps = "申请→受理→审查→现场核查→决定→送达" if rng.random() < 0.4 else "申请→受理→审查→决定→送达"
        requirements = t.requirements or (f"{t.name}申请表", "申请人身份证明或营业执照", "相关证明材料")
        self.add(org, "approval_item", dict(
            title=title, legal_basis=";".join(t.basis), requirements=";".join(requirements),
            procedure=f"{steps}({MARK})", statutory_days=statutory, promised_days=promised,
            handling_office=rng.choice(org.profile.offices), implementing_body=org.title,
            fee_standard="不收费" if rng.random() < 0.85 else "按国家和省规定标准收取",
            phone=_phone(rng), confirmed_date=self.confirmed(rng), **self.guide(org, "approval_item", title)))

    def guide(self, org: Org, type_name: str, title: str) -> dict[str, Any]:
        """The 办事指南 fields of an approval or service item, as template cells."""
        # its own random stream: the item's other values stay what they were before these fields
        rng = _rng(self.seed, "guide", type_name, org.name, title)
        text = self.items["guide"]
        lt = self.types[type_name]
        topics = next((codes.split(";") for keyword, codes in _table(text["topic_keywords"]) if keyword in title),
                      text["profile_topics"][org.profile.key])
        audiences = {a for t in topics for a in listdef.topic_audiences()[t]}
        if org.level == "city":
            location = text["location_city"].format(floor=_cn(rng.randint(1, 3)), window=rng.randint(1, 40))
        else:
            location = text["location_county"].format(county=org.jurisdiction, window=rng.randint(1, 20))
        online = rng.random() < text["online_share"][type_name]
        key = hashlib.sha1(title.encode("utf-8")).hexdigest()[:10]
        values = dict(
            audience=listdef.format_cell(lt.column("audience"),
                                         [c.value for c in lt.column("audience").choices if c.value in audiences]),
            topics=listdef.format_cell(lt.column("topics"), topics),
            acceptance_conditions=f"{rng.choice(text['acceptance_conditions'][type_name])}。({MARK})",
            service_location=location, service_hours=text["hours"],
            visits_required=rng.choice((0, 1)) if online else rng.choice((1, 1, 2)),
            online=lt.column("online").label_of("yes" if online else "no"),
            online_url=text["online_url"].format(org=org.name, key=key) if online else None,
            complaint_phone=text["complaint_phone"])
        if type_name == "service_item":
            values["phone"] = _phone(rng)
        return values

    # -- 便民服务
    def services(self, org: Org, n: int) -> None:
        rng = _rng(self.seed, "service", org.name)
        gen = _variants(list(org.profile.services), self.items["service_item"]["qualifiers"], rng)
        for _ in range(n):
            s, suffix = next(gen)
            process = ("窗口或网上申请→信息核验→即时办结" if s.days == 1
                       else "网上或窗口申请→受理→审核→办结→结果送达(可邮寄)")
            self.add(org, "service_item", dict(
                title=s.name + suffix, responsible_unit=org.title, service_content=s.content,
                service_process=process, time_limit_days=s.days,
                management_requirements=f"{rng.choice(self.items['service_item']['management_requirements'])};{MARK}",
                confirmed_date=self.confirmed(rng), **self.guide(org, "service_item", s.name + suffix)))

    # -- 财政专项资金
    def funds(self, org: Org, n: int) -> None:
        rng = _rng(self.seed, "fund", org.name)
        funds = _text("funds")
        gen = _variants(_table(funds["funds"]), funds["qualifiers"], rng)
        low, high = (200.0, 6000.0) if org.level == "city" else (30.0, 2000.0)
        made = 0
        while made < n:
            (title, dept, measures), suffix = next(gen)
            years = YEARS if rng.random() < 0.6 else sorted(rng.sample(YEARS, rng.randint(1, 2)))
            for year in years[: n - made]:
                roll = rng.random()
                status = "cancelled" if roll < 0.03 else "adjusted" if roll < 0.1 else "retained"
                reason = None
                if status == "adjusted":
                    reason = "根据年度工作重点和项目进度调整预算规模"
                elif status == "cancelled":
                    reason = "项目已完成既定目标,按程序予以取消"
                performance = (f"{year}年度绩效自评得分 {rng.randint(82, 98)} 分" if year < 2025
                               else "绩效目标已批复,年度执行中")
                allocation = ("按因素法分配到各县(区)" if org.level == "city"
                              else "按项目法分配到乡镇和项目实施单位")
                self.add(org, "special_fund", dict(
                    budget_year=year, competent_department=org.jurisdiction + dept,
                    title=title.format(lv=org.level_word) + suffix, budget_amount=_amount(rng, low, high),
                    management_measures=f"《{org.jurisdiction}{measures}》", allocation=f"{allocation};{MARK}",
                    performance_evaluation=performance,
                    status=self.types["special_fund"].column("status").label_of(status), status_reason=reason,
                    confirmed_date=self.confirmed(rng, dt.date(year, 1, 1))))
                made += 1

    # -- 扶贫清单
    def fund_plans(self, org: Org, n: int) -> None:
        rng = _rng(self.seed, "pfund", org.name)
        counties = list(QINGYANG_COUNTIES.values()) if org.level == "city" else [org.jurisdiction]
        sources = ("中央", "省", "市") if org.level == "city" else ("中央", "省", "市", "县")
        ranges = {"中央": (200.0, 3000.0), "省": (80.0, 1200.0), "市": (20.0, 400.0), "县": (10.0, 300.0)}
        purposes = _text("poverty")["fund_purposes"]
        batch = 1
        combos = [(y, c, s, p) for y in YEARS for c in counties for s in sources for p in purposes]
        while len(combos) < n:
            batch += 1
            combos += [(y, c, s, f"{p}(第{_cn(batch)}批)")
                       for y in YEARS for c in counties for s in sources for p in purposes]
        for year, county, source, purpose in sorted(rng.sample(combos, n)):
            low, high = ranges[source]
            self.add(org, "poverty_fund_plan", dict(
                year=year, county=county, fund_source=source, amount=_amount(rng, low, high),
                purpose=f"{purpose}【{MARK}】", confirmed_date=self.confirmed(rng, dt.date(year, 1, 1))))

    def villages(self, township: str) -> list[str]:
        rng = _rng(self.seed, "village", township)
        parts = _text("names")["villages"]
        names: list[str] = []
        target = rng.randint(12, 24)
        while len(names) < target:
            form = rng.random()
            if form < 0.45:
                name = rng.choice(parts["heads"]) + rng.choice(parts["landforms"]) + "村"
            elif form < 0.75:
                name = rng.choice(parts["directions"]) + rng.choice(parts["landforms"]) + "村"
            else:
                name = rng.choice(parts["heads"]) + "家" + rng.choice(parts["landforms"]) + "村"
            if name not in names:
                names.append(name)
        return names

    def projects(self, org: Org, n: int) -> None:
        rng = _rng(self.seed, "pproj", org.name)
        townships = (self.townships.get(org.county_code)
                     or _text("names")["townships"].get(org.county_code, ["城关镇"]))
        places = [(t, v) for t in townships for v in self.villages(t)]
        projects = _table(_text("poverty")["projects"])
        combos = [(y, place, p) for y in YEARS for place in places for p in projects]
        phase = 1
        keys = set()
        picked = []
        while len(picked) < n:
            for year, (town, village), p in rng.sample(combos, min(len(combos), n - len(picked))):
                title = f"{town}{village}{p[0]}{p[1]}项目" + ("" if phase == 1 else f"({_cn(phase)}期)")
                if (year, village, title) in keys:
                    continue
                keys.add((year, village, title))
                picked.append((year, town, village, p, title))
            phase += 1
        progress_weights = {2023: ("已验收", 70, "已完工", 20, "已变更", 10),
                            2024: ("已验收", 40, "已完工", 35, "在建", 20, "已变更", 5),
                            2025: ("在建", 50, "未开工", 20, "已完工", 25, "已变更", 5)}
        for year, town, village, p, title in sorted(picked, key=lambda x: (x[0], x[1], x[2], x[4])):
            industry, kind, content, implementer = p
            a, b = rng.randint(2, 30), rng.randint(50, 2000)
            total = float(_amount(rng, 20.0, 600.0))
            central = round(total * rng.uniform(0.5, 0.8), 2)
            province = round(total * rng.uniform(0.1, 0.3), 2)
            city = round(total * rng.uniform(0, 0.1), 2) if rng.random() < 0.5 else 0
            county = round(max(total - central - province - city, 0), 2)
            households = rng.randint(15, 300)
            w = progress_weights[year]
            progress = rng.choices(w[::2], w[1::2])[0]
            self.add(org, "poverty_project", dict(
                title=title, year=year, county=org.jurisdiction, township=town, village=village,
                implementer=(f"{town}人民政府" if implementer == "乡镇" else org.jurisdiction + implementer),
                fund_central=f"{central:.2f}", fund_province=f"{province:.2f}",
                fund_city=f"{city:.2f}" if city else "", fund_county=f"{county:.2f}" if county else "",
                households=households, beneficiaries=int(households * rng.uniform(2.6, 4.3)),
                construction=content.format(a=a, b=b) + f"({MARK})",
                progress=progress, income_target=f"受益户年人均增收 {rng.randrange(600, 3000, 50)} 元",
                poverty_exit_target=f"带动 {households} 户稳定增收、巩固脱贫成果",
                confirmed_date=self.confirmed(rng, dt.date(year, 1, 1))))

    # -- 监管信息共享目录
    def resources(self, org: Org, n: int) -> list[dict[str, str]]:
        rng = _rng(self.seed, "resource", org.name)
        gen = _variants(list(org.profile.resources), self.items["shared_resource"]["qualifiers"], rng)
        lt = self.types["shared_resource"]
        label = {f: {c.value: c.label for c in lt.column(f).choices}
                 for f in ("category", "share_type", "open_type", "share_method", "update_cycle")}
        category = self.region_ordinal[org.name]
        codes: list[str] = []
        rows = []
        for seq in range(1, n + 1):
            r, suffix = next(gen)
            code = f"{org.region}-{category:05d}/{seq:05d}"
            if r.sensitivity == 2:
                share = rng.choices(("conditional", "none"), (60, 40))[0]
                open_ = "closed"
            elif r.sensitivity == 1:
                share = rng.choices(("unconditional", "conditional", "none"), (20, 70, 10))[0]
                open_ = rng.choices(("conditional", "closed"), (40, 60))[0]
            else:
                share = rng.choices(("unconditional", "conditional", "none"), (60, 35, 5))[0]
                open_ = rng.choices(("open", "conditional", "closed"), (50, 35, 15))[0]
            # never more open to the public than shared among agencies (open_type allowed_with)
            open_ = {"none": "closed", "conditional": "conditional" if open_ == "open" else open_}.get(share, open_)
            method = rng.choices(("api", "file", "table"), (45, 25, 30))[0]
            fmt = {"api": "接口/JSON", "file": rng.choice(("电子表格/XLSX", "文件/CSV")), "table": "数据库/库表"}[method]
            cycle = rng.choices(("realtime", "daily", "weekly", "monthly", "quarterly", "yearly"),
                                (10, 25, 10, 30, 15, 10))[0]
            release = _date(rng, self.first, self.ref)
            related = rng.choice(codes) if codes and rng.random() < 0.3 else ""
            row = self.add(org, "shared_resource", dict(
                title=r.title + suffix, resource_code=code, provider=org.title, provider_code=_provider_code(org),
                notes=f"{org.jurisdiction}{r.abstract}({MARK},非真实信息资源)", resource_format=fmt,
                info_items=";".join(f"{name}:{dtype}" for name, dtype in r.items),
                category=label["category"][r.category], share_type=label["share_type"][share],
                share_method=label["share_method"][method], open_type=label["open_type"][open_],
                update_cycle=label["update_cycle"][cycle], release_date=release.isoformat(),
                related_codes=related, confirmed_date=self.confirmed(rng, release)))
            row["_users"] = org.profile.users  # taken out in share_combinations
            codes.append(code)
            rows.append(row)
        return rows

    def share_combinations(self, rows: list[dict[str, str]]) -> None:
        """Every allowed 共享类型 x 开放属性 at least once, then the fields each share type needs."""
        lt = self.types["shared_resource"]
        labels = self.labels["shared_resource"]
        pairs = share_open_pairs()
        rng = _rng(self.seed, "share-combinations")
        for row, (share, open_) in zip(rng.sample(rows, min(len(pairs), len(rows))), pairs):
            row[labels["share_type"]], row[labels["open_type"]] = share, open_
        conditional = lt.column("share_type").label_of("conditional")
        none = lt.column("share_type").label_of("none")
        for row in rows:
            users = row.pop("_users")
            share = row[labels["share_type"]]
            r = _rng(self.seed, "share", row[labels["resource_code"]])
            row[labels["share_condition"]] = (f"仅限{users}履行法定职责使用,经提供方审核同意后共享,不得转作他用"
                                              if share == conditional else "")
            row[labels["no_share_basis"]] = (r.choice(self.items["shared_resource"]["no_share_basis"])
                                             if share == none else "")


def share_open_pairs() -> list[tuple[str, str]]:
    """The (共享类型, 开放属性) label pairs the schema allows together."""
    lt = listdef.load_type("shared_resource")
    share, open_ = lt.column("share_type"), lt.column("open_type")
    return [(s.label, o.label) for s in share.choices for o in open_.choices
            if not listdef.disallowed_message(lt, open_, {"share_type": s.value, "open_type": o.value})]


def generate(orgs: list[dict], size: int, seed: int = 2017,
             reference_date: dt.date = REFERENCE_DATE) -> dict[tuple[str, str], list[dict[str, str]]]:
    """About `size` demo rows over every list type, keyed by (organization name, type name).

    orgs are organization entries as in catalogs/organizations.yaml (name, title,
    kind, jurisdiction_level, region_code, uscc, roles). Rows are dicts keyed by
    the Chinese template headers; the same (orgs, size, seed, reference_date)
    always gives the same rows. No date is after reference_date.
    """
    if size < 0:
        raise ValueError("size must not be negative")
    return _Generator(orgs, size, seed, reference_date).run()


# ---------------------------------------------------------------- DataStore tables
DATASTORE_TYPES = {"字符型": "text", "数值型": "numeric", "日期型": "date", "日期时间型": "timestamp",
                   "布尔型": "bool", "二进制": "text"}


def _info_items(row: dict[str, str]) -> list[tuple[str, str]]:
    label = listdef.load_type("shared_resource").column("info_items").label
    pairs = []
    for part in listdef.LIST_SEPARATORS.split(row.get(label, "")):
        if part.strip():
            name, _, dtype = part.replace("\uff1a", ":").partition(":")
            pairs.append((name.strip(), dtype.strip()))
    return pairs


def _person(rng: random.Random) -> str:
    return rng.choice(_text("names")["surnames"]) + "**"


def _company(rng: random.Random) -> str:
    names = _text("names")
    return f"庆阳{rng.choice(names['shop_words'])}{rng.choice(names['shop_trades'])}有限公司"


def _company_uscc(rng: random.Random, region: str) -> str:
    body = "MA" + "".join(rng.choice(USCC_CHARSET) for _ in range(6))
    return make_uscc("9", "1", region, body)


def _named(name: str, rng: random.Random, ctx: dict[str, Any]) -> str | None:
    """Names of things (学校名称, 项目名称, ...)."""
    county, town, village = ctx["county"], rng.choice(ctx["townships"]), rng.choice(ctx["villages"])
    names, parts = _text("names"), _text("data_values")["name_parts"]
    word = rng.choice(names["shop_words"])
    makers = {
        "学校名称": lambda: rng.choice((f"{county}第{rng.randint(1, 6)}中学", f"{town}中心小学", f"{town}{village}小学")),
        "项目名称": lambda: f"{county}{word}{rng.choice(parts['项目名称'])}项目",
        "工程名称": lambda: f"{town}{village}集中供水工程",
        "小区名称": lambda: f"{word}{rng.choice(parts['小区名称'])}",
        "矿山名称": lambda: f"{county}{word}建筑用砂矿",
        "加油站名称": lambda: f"{word}加油站",
        "调解组织名称": lambda: f"{town}人民调解委员会",
        "场所名称": lambda: f"{county}{rng.choice(parts['场所名称'])}应急避难场所",
        "农场名称": lambda: f"{county}{rng.choice(names['surnames'])}氏家庭农场",
        "旅行社名称": lambda: f"庆阳{word}国际旅行社有限公司",
        "组织名称": lambda: f"{county}{rng.choice(parts['组织名称'])}",
        "文件名称": lambda: f"关于{rng.choice(parts['文件名称'])}的通知",
        "申请内容": lambda: f"申请公开{county}{rng.choice(parts['申请内容'])}",
        "抽查计划": lambda: f"{rng.choice(YEARS)}年度第{rng.randint(1, 4)}批双随机抽查",
    }
    if name in makers:
        return makers[name]()
    if "机构名称" in name and "医疗" in ctx["title"]:
        return f"{county}{word}{rng.choice(parts['医疗机构'])}"
    if "机构名称" in name and "养老" in ctx["title"]:
        return f"{county}{word}养老院"
    return None


def _value(name: str, dtype: str, rng: random.Random, ctx: dict[str, Any]) -> Any:
    """A plausible value for one information item, by its name and type."""
    county, region, start, end = ctx["county"], ctx["region"], ctx["start"], ctx["end"]
    if dtype == "布尔型":
        return rng.random() < 0.6
    if dtype == "日期型":
        if "出生" in name:
            return _date(rng, dt.date(1950, 1, 1), dt.date(2020, 12, 31)).isoformat()
        if any(k in name for k in ("成立", "建成", "公布", "评定", "开通")):
            return _date(rng, dt.date(1995, 1, 1), end).isoformat()
        if "有效期" in name or "到期" in name or "下次" in name:
            return _date(rng, end, end + dt.timedelta(days=1800)).isoformat()
        if "月份" in name or "统计期" in name:
            return _date(rng, start, end).replace(day=1).isoformat()
        return _date(rng, start, end).isoformat()
    if dtype == "日期时间型":
        day = _date(rng, start, end)
        return f"{day.isoformat()}T{rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    if dtype in ("数值型",):
        if any(k in name for k in ("金额", "资金", "投资", "资本", "收入", "销售额", "价格", "合同", "支付", "负担", "损失")):
            return round(math.exp(rng.uniform(math.log(0.5), math.log(3000))), 2)
        if any(k in name for k in ("面积", "范围", "蓄积", "规模", "容量", "水量", "能力", "载质量", "数值")):
            return round(rng.uniform(10, 5000), 2)
        if "浓度" in name:
            return round(rng.uniform(8, 150), 1)
        if name == "AQI":
            return rng.randint(25, 180)
        if "年度" in name:
            return rng.randint(2014, 2020)
        if "树龄" in name:
            return rng.randrange(100, 1200, 10)
        if "时限" in name:
            return rng.choice((1, 3, 5, 10, 15, 20))
        return rng.randint(1, 500)
    # 字符型, 二进制
    values = _text("data_values")
    for word, choices in values["value_choices_by_title"].items():
        if name in choices and word in ctx["title"]:
            return rng.choice(choices[name])
    if name in values["value_choices"]:
        return rng.choice(values["value_choices"][name])
    named = _named(name, rng, ctx)
    if named:
        return named
    if "统一社会信用代码" in name:
        return _company_uscc(rng, region)
    if "身份证" in name or "身份号码" in name or name == "证件号码":
        return f"{region}********{rng.randint(0, 9999):04d}"
    if "电话" in name:
        return _phone(rng)
    if name == "号牌号码":
        return f"甘M{rng.choice('ABCDEFGHJK')}{rng.randint(0, 9999):04d}"
    if name == "县区":
        return county
    if name == "乡镇":
        return rng.choice(ctx["townships"])
    if name == "村":
        return rng.choice(ctx["villages"])
    if any(k in name for k in values["agency_words"]):
        return county + rng.choice(_text("names")["departments"])
    if any(k in name for k in values["person_words"]) and "名称" not in name:
        return _person(rng)
    if any(k in name for k in values["company_words"]):
        return _company(rng)
    if any(k in name for k in values["place_words"]):
        return f"{county}{rng.choice(ctx['townships'])}{rng.choice(ctx['villages'])}{rng.randint(1, 200)}号"
    if any(k in name for k in ("编号", "证号", "编码", "代码", "文号", "号码", "标识码", "单元号", "登记号")):
        return f"QY{rng.randint(2023, 2026)}{rng.randint(0, 999999):06d}"
    return f"{name}{rng.randint(1, 99)}"


def datastore_table(row: dict[str, str]) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """(fields, records) of a small demo data table (5-20 records) for a shared_resource row.

    The columns are the row's 信息项 with DataStore types; the values are
    invented (names masked like 王**), deterministic for the resource code.
    """
    lt = listdef.load_type("shared_resource")
    code = row.get(lt.column("resource_code").label, "")
    rng = random.Random(f"datastore:{code}")
    region = code[:6] if code[:6] in QINGYANG_COUNTIES else rng.choice(sorted(QINGYANG_COUNTIES))
    names = _text("names")
    villages = names["villages"]
    ctx = {"county": QINGYANG_COUNTIES[region], "region": region, "townships": names["townships"][region],
           "villages": [rng.choice(villages["directions"]) + rng.choice(villages["landforms"]) + "村"
                        for _ in range(6)],
           "start": dt.date(2023, 1, 1), "end": REFERENCE_DATE, "title": row.get(lt.column("title").label, "")}
    items = _info_items(row)
    fields = [{"id": name, "type": DATASTORE_TYPES.get(dtype, "text")} for name, dtype in items]
    records = [{name: _value(name, dtype, rng, ctx) for name, dtype in items}
               for _ in range(rng.randint(5, 20))]
    return fields, records


# ---------------------------------------------------------------- loading
COUNT_KEYS = ("created", "updated", "unchanged", "errors")


@dataclass
class LoadReport:
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {t: dict.fromkeys(COUNT_KEYS, 0) for t in TYPE_ORDER})
    tables_created: int = 0
    tables_present: int = 0
    households_loaded: int = 0
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(c["errors"] for c in self.counts.values())

    @property
    def changed(self) -> int:
        return (sum(c["created"] + c["updated"] for c in self.counts.values()) + self.tables_created
                + self.households_loaded)

    def summary(self) -> str:
        parts = [f"{t} {c['created']}/{c['updated']}/{c['unchanged']}/{c['errors']}"
                 for t, c in self.counts.items() if any(c.values())]
        return (f"demo (created/updated/unchanged/errors): {'; '.join(parts)}; "
                f"数据表 {self.tables_created} created, {self.tables_present} present; "
                f"受益户明细 {self.households_loaded} loaded; {self.seconds:.0f} s")


def load(generated: dict[tuple[str, str], list[dict[str, str]]], action: Callable[[str, dict], Any],
         not_found: type[Exception], progress: Callable[[str], None] | None = None) -> LoadReport:
    """Write generated rows department by department through qingyang_list_import.

    Each shared resource also gets (once) a DataStore table: a resource named
    数据表 with resource_role "data". A second run with the same rows changes nothing.
    """
    report = LoadReport()
    started = time.monotonic()
    orgs = list(dict.fromkeys(org for org, _ in generated))
    resource_lt = listdef.load_type("shared_resource")
    for i, org in enumerate(orgs, 1):
        for type_name in TYPE_ORDER:
            rows = generated.get((org, type_name))
            if not rows:
                continue
            counts = report.counts[type_name]
            try:
                result = action("qingyang_list_import", {"organization": org, "type": type_name, "rows": rows})
            except not_found as e:
                counts["errors"] += len(rows)
                report.messages.append(f"{org} {type_name}: {e}")
                continue
            for k in ("created", "updated", "unchanged"):
                counts[k] += int(result.get(k, 0))
            bad_rows = {e.get("row") for e in result.get("errors", [])}
            counts["errors"] += len(bad_rows)
            report.messages.extend(f"{org} {type_name} 第{e.get('row')}行: {e.get('message')}"
                                   for e in result.get("errors", [])[:3])
            if type_name == "poverty_project":
                project_lt = listdef.load_type(type_name)
                for number, row in enumerate(rows[:HOUSEHOLD_PROJECTS_PER_ORG], 2):
                    if number not in bad_rows:
                        item, _ = listdef.row_to_item(project_lt, row)
                        _ensure_households(report, action, listdef.natural_name(project_lt, org, item), row)
            if type_name == "shared_resource":
                for number, row in enumerate(rows, 2):
                    if number not in bad_rows:
                        item, _ = listdef.row_to_item(resource_lt, row)
                        _ensure_table(report, action, listdef.natural_name(resource_lt, org, item), row)
        if progress and (i % 20 == 0 or i == len(orgs)):
            progress(f"demo: {i}/{len(orgs)} departments, {time.monotonic() - started:.0f} s")
    report.seconds = time.monotonic() - started
    return report


def item_names(generated: dict[tuple[str, str], list[dict[str, str]]]) -> list[str]:
    """The item names (CKAN package names) the generated rows load into."""
    names = []
    for (org, type_name), rows in generated.items():
        lt = listdef.load_type(type_name)
        for row in rows:
            item, errors = listdef.row_to_item(lt, row)
            if not errors:
                names.append(listdef.natural_name(lt, org, item))
    return names


HOUSEHOLD_PROJECTS_PER_ORG = 2


def household_rows(row: dict[str, str], n: int | None = None) -> list[dict[str, str]]:
    """Invented 受益户明细 rows (示例) for one poverty project row: names, valid-checksum
    ID numbers of the project's county, mobile numbers."""
    from ckanext.qingyang.core.codes import id_number_check_char

    lt = listdef.load_type("poverty_project")
    labels = {c.field_name: c.label for c in lt.household_columns}
    title = row[lt.column("title").label]
    rng = random.Random(f"households:{title}")
    county = next((code for code, name in QINGYANG_COUNTIES.items() if name == row[lt.column("county").label]),
                  "621000")
    names = _text("names")
    out = []
    for i in range(n or rng.randint(3, 8)):
        name = (rng.choice(names["household_surnames"])
                + "".join(rng.choice(names["given_name_characters"]) for _ in range(rng.choice((1, 2)))))
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 50))
        first17 = f"{county}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
        out.append({labels["village"]: row[lt.column("village").label], labels["head_name"]: name,
                    labels["id_number"]: first17 + id_number_check_char(first17),
                    labels["phone"]: f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
                    labels["members"]: str(rng.randint(1, 7)), labels["measure"]: f"{MARK}:产业帮扶",
                    labels["amount"]: str(rng.randint(10, 80) * 100)})
    return out


def _ensure_households(report: LoadReport, action: Callable[[str, dict], Any], name: str,
                       row: dict[str, str]) -> None:
    pkg = action("package_show", {"id": name})
    if any(r.get("resource_role") == "households" for r in pkg.get("resources") or []):
        return
    action("qingyang_households_upload", {"id": pkg["id"], "rows": household_rows(row)})
    report.households_loaded += 1


def _ensure_table(report: LoadReport, action: Callable[[str, dict], Any], name: str, row: dict[str, str]) -> None:
    pkg = action("package_show", {"id": name})
    data = [r for r in pkg.get("resources") or [] if r.get("resource_role") == "data"]
    if any(r.get("datastore_active") for r in data):
        report.tables_present += 1
        return
    fields, records = datastore_table(row)
    target: dict[str, Any] = ({"resource_id": data[0]["id"]} if data else
                              {"resource": {"package_id": pkg["id"], "name": "数据表", "resource_role": "data",
                                            "description": f"{MARK}:随机生成的演示数据表,非真实数据"}})
    action("datastore_create", dict(target, force=True, fields=fields, records=records))
    report.tables_created += 1
