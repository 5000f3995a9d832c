"""Maintenance endpoints for operators and schedulers (service token)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from cases import lifecycle
from cases.api.deps import ClockDep, ServiceAuth, SessionDep, SettingsDep

router = APIRouter(prefix="/api/cases-admin", tags=["maintenance"], dependencies=[ServiceAuth])


class SweepOut(BaseModel):
    """Case numbers escalated and auto-closed by the sweep."""

    escalated: list[str]
    closed: list[str]


@router.post("/sweep", response_model=SweepOut)
def run_sweep(session: SessionDep, settings: SettingsDep, clock: ClockDep) -> SweepOut:
    """Escalate overdue cases and auto-close silent resolved cases now."""
    result = lifecycle.sweep(session=session, now=clock.now(), settings=settings)
    return SweepOut(escalated=result.escalated, closed=result.closed)
