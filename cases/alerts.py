"""Alerts for staff: urgent news about a case (a new emergency, the address of one, a resident's
"only partly fixed") pushed at once.

An alert is a message of the outbox's ``staff`` channel, so it reaches staff the same two ways
residents' messages reach residents: a notifier (SMS gateway, duty phone, staff chat) polls
``GET /api/outbox?channel=staff`` with the service token and acknowledges what it delivered,
and the staff console shows every alert not yet seen at the top of the queue (opening the case
marks its alerts seen). The recipient names who should act: ``worker:<id>`` of the assignee,
or ``duty`` (the community duty desk) when nobody is assigned yet.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cases.models import Case, OutboxMessage

logger = logging.getLogger(__name__)

STAFF_CHANNEL = "staff"
DUTY = "duty"


def recipient_of(case: Case) -> str:
    """Who should act on an alert about this case."""
    return f"worker:{case.assignee_id}" if case.assignee_id is not None else DUTY


def alert_staff(session: Session, *, case: Case, text: str, now: datetime) -> OutboxMessage:
    """Queue an alert about a case for staff (the caller commits)."""
    message = OutboxMessage(
        case_id=case.id,
        channel=STAFF_CHANNEL,
        recipient=recipient_of(case),
        text=text,
        created_at=now,
    )
    session.add(message)
    session.flush()
    logger.info("Staff alert %d for case %s to %s", message.id, case.case_no, message.recipient)
    return message


def unseen_alerts(
    session: Session, *, grid_ids: Iterable[int] | None, limit: int = 20
) -> list[tuple[OutboxMessage, Case]]:
    """Alerts not yet seen, newest first, about cases inside these grids (None = every grid)."""
    query = (
        select(OutboxMessage, Case)
        .join(Case, OutboxMessage.case_id == Case.id)
        .where(OutboxMessage.channel == STAFF_CHANNEL, OutboxMessage.delivered_at.is_(None))
    )
    if grid_ids is not None:
        query = query.where(Case.grid_id.in_(list(grid_ids)))
    query = query.order_by(OutboxMessage.id.desc()).limit(limit)
    return [(row[0], row[1]) for row in session.execute(query)]


def mark_case_alerts_seen(session: Session, *, case: Case, now: datetime) -> int:
    """Mark the alerts about one case seen (a staff member opened it); how many were new."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.channel == STAFF_CHANNEL,
            OutboxMessage.delivered_at.is_(None),
        )
        .values(delivered_at=now)
    )
    return int(result.rowcount or 0)
