"""The staff console's page templates: the Jinja environment with the filters and names every
console page uses (staff.py, staff_notices.py, the error page in cases/api/staff_errors.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from cases import auth
from cases.labels import actor_label, channel_label, department_label
from cases.queue import TYPE_LABELS, URGENCY_LABELS, place, subject
from cases.statuses import LEVEL_LABELS, RATING_LABELS, STATUS_LABELS, status_label
from core.localtime import format_local
from core.pii import mask_pii

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parents[2] / "templates"))


def local_time(when: datetime | str | None) -> str:
    """A stored (UTC) time as staff read it: local, ``12-03 20:34``."""
    return format_local(when, "%m-%d %H:%M")


def _pii(text: str | None, staff: object) -> str:
    """Free text as this staff member may see it: phone/ID numbers masked unless their role
    calls residents back (admin, grid worker)."""
    if not text:
        return text or ""
    return text if getattr(staff, "sees_phones", False) else mask_pii(text)


def _short(text: str | None, limit: int = 40) -> str:
    """The start of a description for the queue."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit] + "…"


templates.env.filters["local"] = local_time
templates.env.filters["short"] = _short
templates.env.filters["pii"] = _pii
templates.env.globals.update(
    status_label=status_label,
    subject=subject,
    place=place,
    STATUS_LABELS=STATUS_LABELS,
    LEVEL_LABELS=LEVEL_LABELS,
    RATING_LABELS=RATING_LABELS,
    ROLE_LABELS=auth.ROLE_LABELS,
    URGENCY_LABELS=URGENCY_LABELS,
    TYPE_LABELS=TYPE_LABELS,
    channel_label=channel_label,
    actor_label=actor_label,
    department_label=department_label,
)


def render(request: Request, name: str, context: dict[str, Any], code: int = 200) -> Response:
    """A console page from its template."""
    return templates.TemplateResponse(request, name, context, status_code=code)
