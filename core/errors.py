"""Tiny error hierarchy for Linli (hassil style)."""


class LinliError(Exception):
    """Base class of every error Linli raises on purpose."""


class ServiceUnavailable(LinliError):
    """Another Linli process (hub, Rasa, action server) did not answer."""


class InvalidInput(LinliError):
    """Input from a resident or staff member that cannot be used as it is."""
