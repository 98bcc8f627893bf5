"""Who may import whom, read from the source (AST), so a wrong import fails here and not
in the venv that lacks the module:

- the core (ckanext.qingyang.core, its tests too) imports nothing of ours outside the core,
  neither CKAN nor any CKAN extension, nor Airflow, nor the DAGs;
- what runs in the Airflow venv (dags/, tests/dags/, expectations/) imports only the core
  of the extension, never CKAN nor another CKAN extension;
- nothing in the extension imports Airflow or the DAGs.

Imports inside functions count, and so do importlib.import_module("...") and
__import__("...") with a written-out name.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[5]
EXTENSION = ROOT / "ckanext-qingyang"
CORE = EXTENSION / "ckanext" / "qingyang" / "core"
DAGS = ROOT / "dags"
AIRFLOW_SIDE = (DAGS, ROOT / "tests" / "dags", ROOT / "expectations")
DAG_MODULES = tuple(sorted({p.stem for p in DAGS.glob("*.py")} | {"qingyang_pipeline"}))


def _under(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def core_forbids(name: str) -> str | None:
    if _under(name, "ckanext.qingyang.core"):
        return None
    if _under(name, "ckanext.qingyang"):
        return "the core imports nothing of the extension outside the core"
    if _under(name, "ckan", "ckanext"):
        return "the core imports neither CKAN nor a CKAN extension"
    if _under(name, "airflow"):
        return "the core does not import Airflow"
    if _under(name, *DAG_MODULES):
        return "the core does not import the DAGs"
    return None


def airflow_side_forbids(name: str) -> str | None:
    if _under(name, "ckanext.qingyang.core"):
        return None
    if _under(name, "ckan", "ckanext"):
        return "the Airflow side imports only ckanext.qingyang.core of the extension, never CKAN"
    return None


def extension_forbids(name: str) -> str | None:
    if _under(name, "airflow"):
        return "the extension does not import Airflow"
    if _under(name, *DAG_MODULES):
        return "the extension does not import the DAGs"
    return None


@dataclass(frozen=True)
class Rule:
    what: str
    folders: tuple[Path, ...]
    forbids: Callable[[str], str | None]


RULES = (
    Rule("core", (CORE,), core_forbids),
    Rule("airflow side", AIRFLOW_SIDE, airflow_side_forbids),
    Rule("extension", (EXTENSION,), extension_forbids),
)


def _package(path: Path) -> list[str]:
    """The dotted package a file belongs to, for relative imports."""
    base = EXTENSION if EXTENSION in path.parents else DAGS if DAGS in path.parents else path.parent
    parts = list(path.relative_to(base).with_suffix("").parts)
    return parts if path.name == "__init__.py" else parts[:-1]


def imported_names(source: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import in a file; `from a import b` gives a.b."""
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package(path)
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                yield node.lineno, base if alias.name == "*" else f"{base}.{alias.name}".lstrip(".")
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Name) and node.func.id == "__import__")
                   or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module"))):
            yield node.lineno, node.args[0].value


def violations(rule: Rule, files: dict[Path, str]) -> list[str]:
    out = []
    for path, source in sorted(files.items()):
        for line, name in imported_names(source, path):
            why = rule.forbids(name)
            if why:
                out.append(f"{path.relative_to(ROOT)}:{line} imports {name}: {why}")
    return out


def sources(rule: Rule) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for folder in rule.folders for p in folder.rglob("*.py")
            if "__pycache__" not in p.parts}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.what)
def test_imports_follow_the_rule(rule):
    files = sources(rule)
    assert len(files) >= 5, f"{rule.what}: only {sorted(files)} under {rule.folders}"
    found = violations(rule, files)
    assert not found, "\n".join(found)


def test_the_scan_sees_the_imports_it_judges():
    """A scan that reads nothing passes everything: it must see known imports."""
    dag_imports = {n for p, s in sources(RULES[1]).items() for _, n in imported_names(s, p)}
    assert {"ckanext.qingyang.core.listdef.TYPE_NAMES", "airflow.sdk.dag"} <= dag_imports
    ext_imports = {n for p, s in sources(RULES[2]).items() for _, n in imported_names(s, p)}
    assert {"ckan.plugins.toolkit", "ckanext.qingyang.core.listdef"} <= ext_imports


@pytest.mark.parametrize("rule, where, source, named", [
    (RULES[0], CORE / "x.py", "from ckanext.qingyang import plugin", "ckanext.qingyang.plugin"),
    (RULES[0], CORE / "x.py", "def f():\n    import ckan.model", "ckan.model"),
    (RULES[0], CORE / "x.py", "from .. import workflow", "ckanext.qingyang.workflow"),
    (RULES[0], CORE / "x.py", "import importlib\nimportlib.import_module('airflow.sdk')", "airflow.sdk"),
    (RULES[0], CORE / "x.py", "from qingyang_pipeline import collect", "qingyang_pipeline.collect"),
    (RULES[1], DAGS / "x.py", "from ckanext.qingyang.logic import bulk", "ckanext.qingyang.logic.bulk"),
    (RULES[1], DAGS / "x.py", "import ckanext.scheming", "ckanext.scheming"),
    (RULES[2], CORE / "x.py", "from airflow.sdk import dag", "airflow.sdk.dag"),
])
def test_a_wrong_import_is_named_with_its_file_and_line(rule, where, source, named):
    (found,) = violations(rule, {where: source})
    assert found.startswith(f"{where.relative_to(ROOT)}:") and f" imports {named}: " in found, found


@pytest.mark.parametrize("rule, where, source", [
    (RULES[0], CORE / "x.py", "from ckanext.qingyang.core import listdef\nfrom . import codes\nimport yaml"),
    (RULES[1], DAGS / "x.py", "from ckanext.qingyang.core.listdef import TYPE_NAMES\nimport airflow"),
])
def test_allowed_imports_pass(rule, where, source):
    assert violations(rule, {where: source}) == []
