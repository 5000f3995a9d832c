"""Masking of personal numbers (mobile phones, landlines, ID cards) in free text."""

from __future__ import annotations

import re

# 18-digit resident ID (last char may be X), checked before phones so it is not half-masked.
_ID_CARD = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?\d{4}(\d{3,4})(?!\d)")


def mask_phone(phone: str) -> str:
    """Mask a single phone number, keeping the first 3 and last 4 digits: 138****5678."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_pii(text: str) -> str:
    """Return text with ID-card, mobile and landline numbers masked."""
    if not text:
        return text
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(2)[-1]}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-3:]}", text)
