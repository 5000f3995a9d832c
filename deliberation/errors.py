"""Errors of the deliberation part; each carries a short Chinese message for people."""

from __future__ import annotations

from core.errors import InvalidInput, LinliError

__all__ = ["DeliberationError", "InvalidInput", "NotFound", "Refused", "TooManyTries"]


class DeliberationError(LinliError):
    """Base of the part's refusals; ``str(error)`` is the Chinese message."""


class NotFound(DeliberationError):
    """No such proposal, poll, decision or household (or not visible to this caller)."""


class Refused(DeliberationError):
    """Not possible now: poll closed or not yet open, proposal already moderated."""


class TooManyTries(DeliberationError):
    """Too many wrong phone digits for a household: staff at the centre can help."""
