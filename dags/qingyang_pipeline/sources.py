"""Department systems registered in catalogs/sources.yaml, pulled when due.

A pulled response is written into the inbox like an uploaded file, so it takes
the same path through checks, loading, archive and 提交记录.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

from ckanext.qingyang.core.listdef import TYPE_NAMES

FORMATS = ("xlsx", "csv", "json")


@dataclass(frozen=True)
class Source:
    id: str
    organization: str
    type: str
    url: str
    format: str
    every_hours: float

    def problems(self) -> list[str]:
        out = []
        if self.type not in TYPE_NAMES:
            out.append(f"数据源 {self.id}:清单类型“{self.type}”不存在")
        if self.format not in FORMATS:
            out.append(f"数据源 {self.id}:格式应为 {'、'.join(FORMATS)} 之一")
        if not self.url.startswith(("http://", "https://")):
            out.append(f"数据源 {self.id}:网址应以 http:// 或 https:// 开头")
        return out


def load_sources(path: Path) -> list[Source]:
    if not path.exists():
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [Source(s["id"], s["organization"], s["type"], s["url"], s.get("format", "csv"),
                   float(s.get("every_hours", 24))) for s in doc.get("sources") or []
            if s.get("enabled", True)]


def _state(state_file: Path) -> dict[str, str]:
    return json.loads(state_file.read_text()) if state_file.exists() else {}


def due(sources: list[Source], state_file: Path, now: dt.datetime) -> list[Source]:
    last = _state(state_file)
    out = []
    for s in sources:
        seen = last.get(s.id)
        if seen is None or now - dt.datetime.fromisoformat(seen) >= dt.timedelta(hours=s.every_hours):
            out.append(s)
    return out


def pull(source: Source, inbox_root: Path, state_file: Path, now: dt.datetime, timeout: int = 60) -> Path:
    """Fetch one source into the inbox; remember when, only after the file is complete."""
    request = urllib.request.Request(source.url, headers={"User-Agent": "qingyang-airflow/collect"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data = response.read()
    folder = inbox_root / source.organization / source.type
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{source.id}-{now:%Y%m%d-%H%M%S}.{source.format}"
    partial = target.with_name(target.name + ".part")   # the inbox scan ignores .part files
    partial.write_bytes(data)
    os.replace(partial, target)
    state = _state(state_file)
    state[source.id] = now.isoformat()
    state_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    os.replace(tmp, state_file)
    return target
