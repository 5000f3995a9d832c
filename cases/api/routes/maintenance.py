"""Maintenance endpoints for operators and schedulers (service token)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from cases import lifecycle, privacy
from cases.api.deps import ClockDep, ServiceAuth, SessionDep, SettingsDep, StateDep
from core.resident_data import conversation_store

router = APIRouter(prefix="/api/cases-admin", tags=["maintenance"], dependencies=[ServiceAuth])


class SweepOut(BaseModel):
    """Case numbers escalated and auto-closed by the sweep."""

    escalated: list[str]
    closed: list[str]


class PurgeOut(BaseModel):
    """Closed cases whose personal data the retention setting purged."""

    purged: list[str]
    conversation_events_deleted: int | None = None
    """Rows of conversations idle longer than ``CASES_CONVERSATION_RETENTION_HOURS`` deleted from
    Rasa's tracker store (None: no store, or kept forever)."""


@router.post("/sweep", response_model=SweepOut)
def run_sweep(session: SessionDep, settings: SettingsDep, clock: ClockDep) -> SweepOut:
    """Escalate overdue cases and auto-close silent resolved cases now."""
    result = lifecycle.sweep(session=session, now=clock.now(), settings=settings)
    return SweepOut(escalated=result.escalated, closed=result.closed)


@router.post("/purge", response_model=PurgeOut)
def run_purge(
    session: SessionDep, settings: SettingsDep, clock: ClockDep, state: StateDep
) -> PurgeOut:
    """Purge personal data of cases closed more than ``CASES_RETENTION_DAYS`` ago and
    conversations idle longer than ``CASES_CONVERSATION_RETENTION_HOURS`` now (the periodic
    sweep does it too)."""
    purged = privacy.purge_expired(
        session, now=clock.now(), retention_days=settings.retention_days,
        attachments_root=privacy.attachments_dir(state.hub.data_dir),
    )  # fmt: skip
    conversations = conversation_store(state.resident_data())
    events = (
        None
        if conversations is None
        else conversations.purge_idle(clock.now(), settings.conversation_retention_hours)
    )
    return PurgeOut(purged=purged, conversation_events_deleted=events)
