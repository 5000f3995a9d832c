"""Masking of phone and ID numbers for the Rasa process (standard library only).

The Rasa image ships only ``nlu/``, so this is a copy of the rules of ``core/pii.py``;
``tests/unit/privacy/test_masking_tracker_store.py`` proves both mask every text alike.
"""

from __future__ import annotations

import re
from typing import Any

# Keep in step with core/pii.py (same patterns, same replacements, same order).
_ID_CARD = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?\d{4}(\d{3,4})(?!\d)")


def mask_pii(text: str) -> str:
    """Return text with ID-card, mobile and landline numbers masked."""
    if not text:
        return text
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(2)[-1]}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-3:]}", text)


def mask_strings(value: Any) -> Any:
    """A copy of a JSON-like value with every string in it masked."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {k: mask_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_strings(v) for v in value]
    return value


MASKED_FIELDS = {"user": ("text", "parse_data"), "bot": ("text", "data")}
"""What a person typed or was told, per event type. Slot events stay as they are (the running
form needs the values), and so does ``metadata``: channels keep ids there (the Telegram bot's
``message_id`` de-duplicates retried messages) that must come back exactly as sent."""


def mask_event(data: dict[str, Any]) -> dict[str, Any]:
    """A serialised Rasa event as it may be stored: numbers masked in the text of user and bot
    events, in the NLU parse of user messages (its text and entities) and in bot payloads."""
    fields = MASKED_FIELDS.get(data.get("event") or "")
    if not fields:
        return data
    return {k: mask_strings(v) if k in fields else v for k, v in data.items()}
