"""Residents' personal data: retention purge of old closed cases, export and deletion on request.

Purging keeps what the anonymous statistics need (type, category, status, building, grid,
department, times, rating, escalations) and clears what identifies a resident: phone, sender id,
applicant name, room/unit, free-text description and location, time preference, extra fields,
outbox messages and attachments (photos, shared locations). Every purge, export and deletion is
audited as an internal case event (``kind="privacy"``) with the acting staff member or ``system``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from cases.alerts import STAFF_CHANNEL
from cases.events import case_events, record_event
from cases.models import Case, OutboxMessage
from cases.statuses import Status
from core.errors import InvalidInput
from core.pii import mask_phone, mask_pii
from core.resident_data import Resident, ResidentDataOwner

logger = logging.getLogger(__name__)

PURGED = "[已清除]"
"""What replaces a purged free-text field."""
PURGED_KEY = "purged_at"
"""Key in ``Case.extra`` marking a purged case (with the ISO time of the purge)."""


def attachments_dir(data_dir: Path) -> Path:
    """Where the case system keeps residents' photos and shared locations in a data directory."""
    return data_dir / "attachments"


def is_purged(case: Case) -> bool:
    """Whether the case's personal data was already cleared."""
    return bool(case.extra) and PURGED_KEY in case.extra


def _clean_phone(phone: str | None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    return digits or None


def redact_sender(sender_id: str) -> str:
    """A sender id fit for audit text and logs: channel prefix plus a short hash."""
    prefix, sep, rest = sender_id.partition(":")
    digest = hashlib.sha256(sender_id.encode()).hexdigest()[:10]
    return f"{prefix}:#{digest}" if sep and rest else f"#{digest}"


def who(phone: str | None, sender_id: str | None) -> str:
    """Masked description of a resident for audit records."""
    parts = []
    if phone:
        parts.append(f"电话 {mask_phone(phone)}")
    if sender_id:
        parts.append(f"会话 {redact_sender(sender_id)}")
    return "、".join(parts)


def anonymise_case(
    session: Session,
    *,
    case: Case,
    now: datetime,
    actor: str,
    reason: str,
    attachments_root: Path | None,
) -> bool:
    """Clear a case's personal data (idempotent); returns False if it was already purged."""
    if is_purged(case):
        return False
    case.contact_phone = None
    case.phone_tail = None
    case.access_hash = None  # the resident's slip no longer opens the case
    case.sender_id = None
    case.applicant = None
    case.unit = None
    case.room = None
    case.latitude = case.longitude = None
    case.time_preference = None
    case.description = PURGED
    if case.location_raw:
        case.location_raw = PURGED
    case.extra = {PURGED_KEY: now.isoformat()}  # updated_at stays: the statistics read it
    session.execute(delete(OutboxMessage).where(OutboxMessage.case_id == case.id))
    for event in case_events(session, case, include_internal=True):
        if event.actor == "resident" and event.text:
            event.text = event.text.split("（", 1)[0] if event.kind == "rating" else PURGED
        elif event.internal and event.text:
            event.text = mask_pii(event.text)
    if attachments_root is not None:
        folder = attachments_root / case.case_no
        if case.case_no.replace("-", "").isalnum() and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
    record_event(session, case=case, kind="privacy", text=f"个人信息已清除（{reason}）", now=now,
                 actor=actor, internal=True)  # fmt: skip
    return True


def purge_expired(
    session: Session, *, now: datetime, retention_days: int, attachments_root: Path | None
) -> list[str]:
    """Purge personal data of cases closed more than ``retention_days`` ago (0 = never).

    Returns:
        The case numbers purged by this call.
    """
    if retention_days <= 0:
        return []
    cutoff = now - timedelta(days=retention_days)
    rows = session.scalars(
        select(Case)
        .where(
            Case.status == Status.CLOSED.value, Case.closed_at.is_not(None), Case.closed_at < cutoff
        )
        .order_by(Case.id)
    )
    purged = [
        case.case_no
        for case in list(rows)
        if anonymise_case(
            session,
            case=case,
            now=now,
            actor="system",
            reason=f"关闭超过{retention_days}天",
            attachments_root=attachments_root,
        )  # fmt: skip
    ]
    if purged:
        logger.info("Retention: purged personal data of %d closed cases", len(purged))
    return purged


def resident_cases(session: Session, *, phone: str | None, sender_id: str | None) -> list[Case]:
    """Every case of a resident, found by phone number and/or sender id.

    Raises:
        InvalidInput: neither a phone nor a sender id was given.
    """
    digits = _clean_phone(phone)
    sender = (sender_id or "").strip() or None
    if digits is None and sender is None:
        raise InvalidInput("请提供居民的电话号码或会话编号（sender id）")
    conditions = []
    if digits is not None:
        conditions.append(Case.contact_phone == digits)
    if sender is not None:
        conditions.append(Case.sender_id == sender)
    return list(
        session.scalars(select(Case).where(or_(*conditions)).order_by(Case.created_at, Case.id))
    )


def resident_of(
    session: Session, *, phone: str | None, sender_id: str | None, operator: str
) -> Resident:
    """The resident for the other parts' owners (``core/resident_data.py``): the sender id asked
    about and those of every case found for the phone or sender id."""
    cases = resident_cases(session, phone=phone, sender_id=sender_id)
    senders = {c.sender_id for c in cases if c.sender_id}
    if sender_id and sender_id.strip():
        senders.add(sender_id.strip())
    return Resident(tuple(sorted(senders)), phone, operator)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def case_record(session: Session, case: Case, attachments_root: Path | None) -> dict[str, Any]:
    """Everything stored about one case that concerns the resident (internal notes excluded)."""
    photos: list[dict[str, Any]] = []
    if attachments_root is not None:
        from cases.attachments import AttachmentStore

        photos = [
            {"id": a.id, "kind": a.kind, "created_at": a.created_at, "latitude": a.latitude,
             "longitude": a.longitude, "content_type": a.content_type, "size": a.size}
            for a in AttachmentStore(attachments_root).list(case.case_no)
        ]  # fmt: skip
    return {
        "case_no": case.case_no,
        "type": case.type,
        "status": case.status,
        "category": case.category,
        "service_code": case.service_code,
        "location": {
            "building": case.building,
            "unit": case.unit,
            "room": case.room,
            "landmark": case.landmark,
            "raw": case.location_raw,
        },  # fmt: skip
        "description": case.description,
        "urgency": case.urgency,
        "contact_phone": case.contact_phone,
        "applicant": case.applicant,
        "time_preference": case.time_preference,
        "channel": case.channel,
        "sender_id": case.sender_id,
        "extra": dict(case.extra or {}),
        "created_at": _iso(case.created_at),
        "resolved_at": _iso(case.resolved_at),
        "closed_at": _iso(case.closed_at),
        "rating": case.rating,
        "history": [
            {"at": _iso(e.at), "kind": e.kind, "text": e.text}
            for e in case_events(session, case, include_internal=False)
        ],
        "messages": [
            {
                "at": _iso(m.created_at),
                "channel": m.channel,
                "text": m.text,
                "delivered_at": _iso(m.delivered_at),
            }
            for m in session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.case_id == case.id, OutboxMessage.channel != STAFF_CHANNEL)
                .order_by(OutboxMessage.id)
            )
        ],  # fmt: skip
        "attachments": photos,
    }


@dataclass
class ResidentRequest:
    """Who the request is about and who handles it."""

    phone: str | None
    sender_id: str | None
    actor: str
    attachments_root: Path | None = None
    conversations: ResidentDataOwner | None = None
    """The owner of the conversations in Rasa's tracker store (``core.resident_data``
    ``CONVERSATIONS``, which the hub registers); None: not looked at."""
    pending: ResidentDataOwner | None = None
    """The owner of the action server's queue (``core.resident_data.PENDING_SUBMISSIONS``, which
    the hub registers); None: not looked at."""


@dataclass
class DeletionResult:
    """What a deletion on request did."""

    cases: list[str] = field(default_factory=list)
    tracker_events_deleted: int | None = None
    pending_deleted: int | None = None
    """Waiting submissions (not yet delivered to the hub) deleted; None: no queue."""


def _queued(req: ResidentRequest, senders: set[str]) -> Resident:
    """The resident as the other owners find them: by phone or any sender id."""
    return Resident(tuple(sorted(senders)), req.phone, req.actor)


def _pending_of(req: ResidentRequest, senders: set[str]) -> list[dict[str, Any]]:
    if req.pending is None:
        return []
    return list(req.pending.export(_queued(req, senders)).get("submissions", []))


def _conversations_of(req: ResidentRequest, senders: set[str]) -> dict[str, Any]:
    if req.conversations is None:
        return {}
    return dict(req.conversations.export(_queued(req, senders)).get("conversations", {}))


def export_resident(session: Session, *, req: ResidentRequest, now: datetime) -> dict[str, Any]:
    """A JSON-ready export of one resident's data (audited on every case found)."""
    cases = resident_cases(session, phone=req.phone, sender_id=req.sender_id)
    senders = {c.sender_id for c in cases if c.sender_id}
    if req.sender_id:
        senders.add(req.sender_id.strip())
    data = {
        "exported_at": now.isoformat(),
        "query": {"phone": _clean_phone(req.phone), "sender_id": req.sender_id},
        "cases": [case_record(session, c, req.attachments_root) for c in cases],
        "conversations": _conversations_of(req, senders),
        "pending_submissions": _pending_of(req, senders),
    }
    for case in cases:
        record_event(session, case=case, kind="privacy", now=now, actor=req.actor, internal=True,
                     text="应居民要求导出了个人信息")  # fmt: skip
    logger.info(
        "Resident export by %s: %s, %d cases", req.actor, who(req.phone, req.sender_id), len(cases)
    )
    return data


def delete_resident(session: Session, *, req: ResidentRequest, now: datetime) -> DeletionResult:
    """Anonymise every case of a resident, delete their Rasa conversation and their submissions
    still waiting in the action server's queue (audited)."""
    cases = resident_cases(session, phone=req.phone, sender_id=req.sender_id)
    senders = {c.sender_id for c in cases if c.sender_id}
    if req.sender_id:
        senders.add(req.sender_id.strip())
    result = DeletionResult()
    for case in cases:
        if anonymise_case(session, case=case, now=now, actor=req.actor, reason="应居民要求删除",
                          attachments_root=req.attachments_root):  # fmt: skip
            result.cases.append(case.case_no)
    if req.conversations is not None:
        counts = req.conversations.delete(_queued(req, senders), now)
        result.tracker_events_deleted = counts.get("events_deleted")
    if req.pending is not None:
        counts = req.pending.delete(_queued(req, senders), now)
        result.pending_deleted = counts.get("submissions_deleted")
    logger.info(
        "Resident deletion by %s: %s, %d cases anonymised, tracker events deleted: %s, "
        "waiting submissions deleted: %s",
        req.actor, who(req.phone, req.sender_id), len(result.cases), result.tracker_events_deleted,
        result.pending_deleted,
    )  # fmt: skip
    return result
