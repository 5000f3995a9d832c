"""FastAPI dependencies of the knowledge-base API: internal service token and staff access.

Both come from ``core/staff_auth.py``, as for every hub part: the staff console's login session
(roles and CSRF as in the console; a grid worker may only read) or, for internal tools, the
service token (``Authorization: Bearer <LINLI_SERVICE_TOKEN>``) with the actor named by the
optional ``X-Staff-Name`` header (percent-encoded UTF-8).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from core.staff_auth import RequireStaff, Role, ServiceDep, StaffPrincipal

__all__ = ["EDITOR_ROLES", "ServiceDep", "StaffDep", "require_staff"]

EDITOR_ROLES = frozenset({Role.ADMIN.value, Role.STAFF.value})
"""Roles that may curate the FAQs; grid workers (and every other logged-in role) may only read."""

require_staff = RequireStaff(
    service_name="service-token",
    changes_by=EDITOR_ROLES,
    refused="网格员账号只能查看知识库，不能修改",
)
"""Staff curation access: the console's login session (admin and staff may change, others only
read; changes need the session's CSRF token) or the service token (full access; the actor is
``staff:<X-Staff-Name>`` or ``service-token``); neither: 401."""

StaffDep = Annotated[StaffPrincipal, Depends(require_staff)]
