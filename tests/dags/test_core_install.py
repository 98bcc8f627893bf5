"""The Airflow venv holds the pure core and nothing else of the extension.

scripts/setup-airflow.sh installs ckanext-qingyang-core (setup.py, QINGYANG_DIST=core).
Each check runs in a fresh interpreter of this venv outside the repository, so nothing
pytest put on sys.path can stand in for what is installed.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

EXTENSION = Path(__file__).resolve().parents[2] / "ckanext-qingyang" / "ckanext" / "qingyang"
CORE = EXTENSION / "core"


def venv_python(code: str):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tempfile.gettempdir())
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_every_core_module_imports():
    modules = sorted(f"ckanext.qingyang.core.{p.stem}" for p in CORE.glob("*.py") if p.stem != "__init__")
    assert "ckanext.qingyang.core.listdef" in modules, CORE
    loaded = venv_python(
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('ckan', 'airflow'))))")
    assert loaded == [], f"importing the core loaded {loaded}"


def test_ckan_is_not_importable():
    assert venv_python("import importlib.util, json; print(json.dumps(importlib.util.find_spec('ckan') is None))")


def test_nothing_of_the_extension_but_the_core_is_importable():
    others = sorted(f"ckanext.qingyang.{p.stem}" for p in EXTENSION.iterdir()
                    if (p.suffix == ".py" or p.is_dir()) and p.name not in ("core", "__init__.py", "__pycache__"))
    assert "ckanext.qingyang.plugin" in others, EXTENSION
    found = venv_python(
        "import importlib.util, json\n"
        "import ckanext.qingyang\n"
        f"found = [n for n in {others!r} if importlib.util.find_spec(n) is not None]\n"
        # the extension's own __init__.py is not installed: ckanext.qingyang is a namespace
        "if getattr(ckanext.qingyang, '__file__', None):\n"
        "    found.append(ckanext.qingyang.__file__)\n"
        "print(json.dumps(found))")
    assert found == [], f"importable in the Airflow venv: {found}"


def test_the_installed_core_is_the_repositorys():
    installed = Path(venv_python(
        "import json, ckanext.qingyang.core as c; print(json.dumps(list(c.__path__)[0]))"))
    stale = []
    for source in sorted(CORE.rglob("*")):
        name = source.relative_to(CORE)
        if source.suffix not in (".py", ".yaml", ".json") or "tests" in name.parts:
            continue
        copy = installed / name
        if not copy.is_file() or copy.read_bytes() != source.read_bytes():
            stale.append(str(name))
    assert stale == [], f"{installed} differs from {CORE} in {stale}: run scripts/setup-airflow.sh --venv-only"
