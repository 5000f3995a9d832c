"""Residents' access codes: the secret that opens a resident's own view of a case.

Case numbers run in sequence, so a number alone must reveal nothing. Each case gets a random
code when it is created; the resident receives it (on the printed slip's address, in the chat
reply) and only its SHA-256 is stored. The code is 16 characters of an alphabet without the
easily confused 0/O and 1/I (80 random bits), shown in groups of four: ``7KQ2-9XMD-B4TN-HW3R``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Protocol

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""32 symbols (5 bits each) without 0, 1, I and O."""
CODE_LENGTH = 16
_DUMMY_HASH = hashlib.sha256(b"no case").hexdigest()


def new_access_code() -> str:
    """A fresh random access code, grouped for reading: ``XXXX-XXXX-XXXX-XXXX``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(code: str | None) -> str:
    """What a resident typed, without separators and in upper case ('' when unusable)."""
    compact = re.sub(r"[\s\-_—－]+", "", (code or "").strip().upper())
    return compact if len(compact) <= 64 else ""


def hash_code(code: str) -> str:
    """The stored form of a code (SHA-256 hex of its normalised form)."""
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def code_matches(stored_hash: str | None, code: str | None) -> bool:
    """Whether ``code`` opens a case whose stored hash is ``stored_hash``.

    Compares in constant time, and does the same work when there is no case or no code, so
    the answer time does not tell which numbers exist.
    """
    candidate = hash_code(code or "")
    expected = stored_hash or _DUMMY_HASH
    same = hmac.compare_digest(candidate.encode(), expected.encode())
    return same and stored_hash is not None and bool(normalize_code(code))


class _HasAccessHash(Protocol):
    access_hash: str | None


def issue_code(case: _HasAccessHash) -> str:
    """Give a case a fresh access code: store its hash, return the code (to hand over once).

    A code issued earlier stops working, so call it only when the resident is about to get
    the new one (case created, or a repeated submission whose first answer was lost).
    """
    code = new_access_code()
    case.access_hash = hash_code(code)
    return code
