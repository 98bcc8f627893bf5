"""Who may take each step of a message's life."""
from __future__ import annotations

from typing import Any

AUTH: dict[str, Any] = {}
