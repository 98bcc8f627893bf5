"""The boards' pages: /ask, /track, /answers and the staff pages."""
from __future__ import annotations

from typing import Any

BLUEPRINTS: list[Any] = []
