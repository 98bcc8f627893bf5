"""The boards' actions: every step of a message's life (qingyang_message_*)."""
from __future__ import annotations

from typing import Any

ACTIONS: dict[str, Any] = {}
