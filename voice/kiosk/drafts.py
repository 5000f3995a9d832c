"""Drafts of unfinished kiosk conversations, kept for staff (JSONL in the data directory)."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass
class Draft:
    """What a resident said and heard before walking away."""

    session: str
    """The kiosk session id (sender ``kiosk:<session>`` in the dialogue)."""
    reason: str
    """Why it was saved: ``idle``, ``disconnect``, ``reset`` or ``shutdown``."""
    started_at: str
    saved_at: str
    turns: list[dict] = field(default_factory=list)
    """``{"who": "resident"|"kiosk", "text": …, "at": …}`` in order."""
    last_expect: str = "free"
    """What the dialogue was waiting for when the resident left."""


class DraftStore:
    """Append-only JSONL file of drafts, readable by staff; one lock serialises writers."""

    def __init__(self, path: Path) -> None:
        """Use ``path`` (created on first save)."""
        self.path = path
        self._lock = threading.Lock()

    def save(self, draft: Draft) -> None:
        """Append one draft (blocking; call via ``asyncio.to_thread`` from async code)."""
        line = json.dumps(asdict(draft), ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        logger.info(
            "Saved kiosk draft for session %s (%s, %d turns)",
            draft.session[:6],
            draft.reason,
            len(draft.turns),
        )

    def list(self, limit: int = 100) -> list[dict]:
        """The latest drafts, newest first."""
        if not self.path.exists():
            return []
        with self._lock:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        out = []
        for line in reversed(lines):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
            if len(out) >= limit:
                break
        return out


def now_iso() -> str:
    """UTC now as ISO text."""
    return datetime.now(UTC).isoformat(timespec="seconds")
