"""Search terms added to an item's Solr document at index time: everyday words (synonyms),
pinyin, and the key that groups the same item across jurisdictions.

Why index time: the Chinese bigram analysis (solr/ANALYSIS.md) sees single Han characters
before it builds bigrams, so Solr's SynonymGraphFilter cannot apply Chinese synonyms, and
Solr has no pinyin analysis without an extra jar. Python adds the words instead; a change
of catalogs/synonyms.yaml needs `ckan search-index rebuild`.

Pure: no CKAN import (the Airflow venv may use it too). Solr fields filled, see
`index_fields`: qy_aliases, qy_pinyin, qy_pinyin_infix, qy_group_key.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

SYNONYMS_FILE = "synonyms.yaml"   # in the catalogs folder

# Han characters (CJK Unified Ideographs and Extension A); anything else ends a run.
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_SPACE = re.compile(r"\s+")
# Brackets and punctuation that writers use interchangeably; NFKC already maps the
# full-width ASCII forms (（）：，) to half-width ones.
_PUNCT = str.maketrans({
    "【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")",
    "﹙": "(", "﹚": ")", "“": '"', "”": '"', "‘": "'", "’": "'", "、": ",", "，": ",",
    "。": "", "；": ";", "—": "-", "－": "-", "～": "~",
})


@dataclass(frozen=True)
class Group:
    formal: str
    everyday: tuple[str, ...]
    common: bool = False          # formal term from common usage, not from our item names
    shared: tuple[str, ...] = ()  # everyday words meant to reach other formal terms too


class Synonyms:
    """The curated everyday word -> formal term table (catalogs/synonyms.yaml)."""

    def __init__(self, groups: list[Group]):
        self.groups = groups
        self._formal_of: dict[str, list[str]] = {}
        for g in groups:
            for word in g.everyday:
                self._formal_of.setdefault(_norm(word), []).append(g.formal)
        # longest first, so 医保卡 is taken before 医保 (see expand)
        self._words = sorted(self._formal_of, key=lambda w: (-len(w), w))
        self._pinyin: dict[str, list[str]] | None = None

    @classmethod
    def load(cls, path: str | Path) -> "Synonyms":
        path = Path(path)
        if path.is_dir():
            path = path / SYNONYMS_FILE
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        groups = []
        for i, e in enumerate(entries):
            if not isinstance(e, dict) or not e.get("formal") or not e.get("everyday"):
                raise ValueError(f"{path}: entry {i + 1} needs `formal` and `everyday`")
            groups.append(Group(str(e["formal"]), tuple(str(w) for w in e["everyday"]),
                                bool(e.get("common", False)),
                                tuple(str(w) for w in e.get("shared") or ())))
        return cls(groups)

    def pairs(self) -> list[tuple[str, str]]:
        """(everyday, formal) for every word of every group."""
        return [(w, g.formal) for g in self.groups for w in g.everyday]

    def aliases(self, text: str) -> list[str]:
        """The everyday words of every formal term that occurs in text (an item title)."""
        text = _norm(text)
        out: dict[str, None] = {}
        for g in self.groups:
            if _norm(g.formal) in text:
                out.update(dict.fromkeys(g.everyday))
        return list(out)

    def expand(self, query: str) -> list[str]:
        """Formal terms for the everyday words in a query, longest word first; a word inside
        a longer matched one does not count (医保卡 gives 社会保障卡, not also 医疗保险)."""
        rest = _norm(query)
        out: dict[str, None] = {}
        for word in self._words:
            if word in rest:
                out.update(dict.fromkeys(self._formal_of[word]))
                rest = rest.replace(word, "\0")
        return list(out)

    def rewrite(self, query: str) -> str:
        """The query with each everyday word replaced by its first formal term, longest word
        first: 社保卡申领 -> 社会保障卡申领. For a query that mixes an everyday word with a
        title's own words, which the index's aliases cannot match as one run."""
        text, found = _norm(query), []
        for word in self._words:
            if word in text:
                # a placeholder, so a shorter word is not found inside the formal term
                text = text.replace(word, f"\0{len(found)}\0")
                found.append(self._formal_of[word][0])
        if not found:
            return query
        return re.sub(r"\0(\d+)\0", lambda m: found[int(m.group(1))], text)

    def suggest(self, prefix: str, limit: int = 10) -> list[str]:
        """Everyday words and formal terms starting with prefix, shortest first. A Latin
        prefix also matches their pinyin (full or initials): `sbk` suggests 社保卡."""
        prefix = _norm(prefix).lower()
        if not prefix or limit <= 0:
            return []
        latin = prefix.isascii() and prefix.isalpha()
        if latin and self._pinyin is None:
            self._pinyin = {t: pinyin_terms(t) for t in self._terms()}
        hits = [t for t in self._terms()
                if _norm(t).lower().startswith(prefix)
                or (latin and any(p.startswith(prefix) for p in self._pinyin[t]))]
        hits.sort(key=lambda t: (len(t), t))
        return hits[:limit]

    def _terms(self) -> list[str]:
        terms: dict[str, None] = {}
        for g in self.groups:
            terms[g.formal] = None
            terms.update(dict.fromkeys(g.everyday))
        return list(terms)


def _norm(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).translate(_PUNCT)


def _runs(text: str) -> list[str]:
    return _HAN_RUN.findall(unicodedata.normalize("NFKC", text or ""))


def _syllables(run: str) -> tuple[list[str], list[str]]:
    from pypinyin import Style, lazy_pinyin   # imported late: ~0.3 s, only when used
    return lazy_pinyin(run, style=Style.NORMAL), lazy_pinyin(run, style=Style.FIRST_LETTER)


def pinyin_terms(text: str) -> list[str]:
    """Full pinyin without tones and the initials, each concatenated per run of Chinese
    characters: 社保卡 -> [shebaoka, sbk]. Heteronyms: pypinyin's default reading (its
    phrase dictionary picks 银行 -> yinhang). ü is written v (lvxing), as people type it."""
    out: dict[str, None] = {}
    for run in _runs(text):
        full, initials = _syllables(run)
        out["".join(full)] = None
        out["".join(initials)] = None
    return list(out)


def pinyin_infix_terms(text: str, max_syllables: int = 8) -> list[str]:
    """Pinyin starting at every later syllable of each run (full and initials), at most
    max_syllables long, so a word inside a title matches by prefix: 营业执照补领换领 ->
    zhizhaobulinghuanling, bulinghuanling, ... Solr edge-n-grams them (qy_pinyin_infix)."""
    out: dict[str, None] = {}
    for run in _runs(text):
        full, initials = _syllables(run)
        for i in range(1, len(full)):
            out["".join(full[i:i + max_syllables])] = None
            out["".join(initials[i:i + max_syllables])] = None
    return list(out)


def group_key(title: str) -> str:
    """One key for the same item in every jurisdiction (the portal shows one result per key).

    NFKC (full-width -> half-width), no whitespace, 【】〔〕[] -> (), Chinese comma/quotes
    unified, Latin lowercased. Qualifiers such as (新办) or (网上办理) are KEPT: they are
    different items with their own requirements, so they stay separate results.
    """
    return _norm(title).lower()


def index_fields(title: str, synonyms: Synonyms) -> dict[str, object]:
    """The Solr fields of one item (for before_dataset_index): the everyday words of its
    title, the pinyin of the title and of those words, the infix pinyin of the title, and
    its group key."""
    aliases = synonyms.aliases(title)
    pinyin: dict[str, None] = dict.fromkeys(pinyin_terms(title))
    for word in aliases:
        pinyin.update(dict.fromkeys(pinyin_terms(word)))
    return {
        "qy_aliases": aliases,
        "qy_pinyin": list(pinyin),
        "qy_pinyin_infix": pinyin_infix_terms(title),
        "qy_group_key": group_key(title),
    }
