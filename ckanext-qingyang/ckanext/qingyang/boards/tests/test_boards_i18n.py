"""English for the boards: every Chinese string of the boards' templates and pages, and
the labels of the rules (states, steps, kinds, ratings, reasons) that the pages show
through _(), has an English translation in i18n/en (compiled: portal/tests/test_look.py
checks the .mo against the .po)."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from babel.messages.pofile import read_po

from ckanext.qingyang.core import boards as rules

HERE = Path(__file__).resolve().parents[1]
PO = HERE.parent / "i18n" / "en" / "LC_MESSAGES" / "ckanext-qingyang.po"
CATALOGS = HERE.parents[3] / "catalogs"
CALL = re.compile(r"""_\(\s*(['"])(.*?)\1\s*[,)]""")


def _english() -> dict[str, str]:
    with open(PO, "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def _chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def test_every_chinese_string_of_the_boards_pages_has_english():
    used = set()
    for path in [*(HERE / "templates").rglob("*.html"), HERE / "blueprint.py", HERE / "forms.py"]:
        used |= {m.group(2) for m in CALL.finditer(path.read_text(encoding="utf-8")) if _chinese(m.group(2))}
    english = _english()
    assert used and not used - english.keys(), sorted(used - english.keys())


def test_the_labels_the_pages_translate_have_english():
    board = yaml.safe_load((CATALOGS / "boards.yaml").read_text(encoding="utf-8"))
    labels = {*rules.STATUS_LABELS.values(), *rules.STEP_LABELS.values(), *rules.RATINGS.values(),
              *(k["label"] for k in board["kinds"].values()), *board["reject_reasons"].values()}
    missing = labels - _english().keys()
    assert not missing, sorted(missing)
