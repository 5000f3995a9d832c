"""Deadlines (SLA) by category and urgency, from ``core/data/categories.yml``."""

from __future__ import annotations

from datetime import datetime, timedelta

from cases.config import CasesSettings
from cases.workhours import next_working_time
from core.contracts import CaseType, Urgency
from core.taxonomy import category_by_code

DEFAULT_SLA_HOURS = (72, 24)


def sla_hours(
    settings: CasesSettings, *, case_type: CaseType, category: str | None, urgency: Urgency
) -> int:
    """Hours allowed to handle a case.

    Emergencies get the shortest deadline; reports use the category's ``sla_hours``
    ``[normal, urgent]``; services and call-backs have their own settings.
    """
    if case_type is CaseType.EMERGENCY or urgency is Urgency.EMERGENCY:
        return settings.emergency_sla_hours
    if case_type is CaseType.SERVICE:
        hours = settings.service_sla_hours
        return min(hours, DEFAULT_SLA_HOURS[1]) if urgency is Urgency.URGENT else hours
    if case_type is CaseType.CALLBACK:
        return settings.callback_sla_hours
    cat = category_by_code(category) if category else None
    normal, urgent = cat.sla_hours if cat else DEFAULT_SLA_HOURS
    return urgent if urgency is Urgency.URGENT else normal


def urgent_hours(category: str | None) -> int:
    """The urgent SLA of a category (used as the new deadline after a reopen)."""
    cat = category_by_code(category) if category else None
    return (cat.sla_hours if cat else DEFAULT_SLA_HOURS)[1]


def due_at(
    settings: CasesSettings,
    *,
    now: datetime,
    case_type: CaseType,
    category: str | None,
    urgency: Urgency,
) -> datetime:
    """The deadline of a case created at ``now``.

    Urgent work and emergencies keep a round-the-clock deadline; any other deadline (normal
    reports, services, call-backs) moves into working hours (``cases/workhours.py``), so it
    never falls at 04:33 at night.
    """
    hours = sla_hours(settings, case_type=case_type, category=category, urgency=urgency)
    deadline = now + timedelta(hours=hours)
    if is_round_the_clock(case_type=case_type, urgency=urgency):
        return deadline
    return next_working_time(deadline)


def is_round_the_clock(*, case_type: CaseType, urgency: Urgency) -> bool:
    """Urgent and emergency work runs on a 24-hour clock; the rest on working hours."""
    return case_type is CaseType.EMERGENCY or urgency in (Urgency.URGENT, Urgency.EMERGENCY)
