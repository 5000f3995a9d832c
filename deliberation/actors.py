"""Who is acting (staff member or internal service) and which grids they may manage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MANAGING_ROLES = frozenset({"admin", "staff", "service"})
"""Roles that manage every grid and the whole community; grid workers manage their grids."""


@dataclass(frozen=True)
class Actor:
    """The caller of a staff endpoint."""

    name: str
    """Recorded in the audit trail: ``staff:<username>`` or ``service``."""
    role: str
    """admin, staff, grid_worker (console logins) or service (the service token)."""
    grid_codes: frozenset[str] = frozenset()
    """A grid worker's grids."""
    display: str = ""
    """The name people read in the audit trail (the staff member's display name)."""

    @property
    def manages_all(self) -> bool:
        """Whether the actor manages every grid and the whole community."""
        return self.role in MANAGING_ROLES

    @property
    def sees_phones(self) -> bool:
        """Whether masked phones of the register may be shown at all (not grid-limited)."""
        return self.role in ("admin", "grid_worker", "service")

    def can_manage(self, grids: Iterable[str] | None) -> bool:
        """Whether the actor may act on something touching these grids (None/empty = the whole
        community, which only managing roles may act on)."""
        if self.manages_all:
            return True
        wanted = set(grids or ())
        return bool(wanted) and wanted <= self.grid_codes
