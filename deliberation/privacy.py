"""A resident's data in this part: export and deletion by sender id (the protocol each owner
implements). Votes stay counted (they are the household's); only the link to the resident goes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cases.events import channel_of
from core.localtime import format_local
from deliberation.labels import ProposalStatus
from deliberation.models import ModerationEntry, OutboxMessage, Poll, Proposal, Vote

logger = logging.getLogger(__name__)

CLEARED = "[已清除]"


def _outbox_filter(sender_id: str) -> Any:
    target = channel_of(sender_id)
    if target is None:
        return None
    channel, recipient = target
    return (OutboxMessage.channel == channel) & (OutboxMessage.recipient == recipient)


def export_resident(session: Session, sender_id: str) -> dict[str, Any]:
    """Everything this part holds about a sender id, as plain data."""
    proposals = session.scalars(select(Proposal).where(Proposal.resident_key == sender_id))
    votes = session.execute(
        select(Vote, Poll).join(Poll, Poll.id == Vote.poll_id).where(Vote.resident_key == sender_id)
    ).all()
    where = _outbox_filter(sender_id)
    messages = session.scalars(select(OutboxMessage).where(where)) if where is not None else []
    return {
        "proposals": [
            {
                "number": p.id,
                "what": p.what,
                "why": p.why,
                "status": p.status,
                "decline_reason": p.decline_reason,
                "created_at": format_local(p.created_at),
            }
            for p in proposals
        ],
        "votes": [
            {
                "poll": poll.id,
                "question": poll.question,
                "option": poll.options[v.option_index],
                "relation": v.relation,
                "channel": v.channel,
                "at": format_local(v.updated_at),
            }
            for v, poll in votes
        ],
        "messages": [{"text": m.text, "at": format_local(m.created_at)} for m in messages],
    }


@dataclass(frozen=True)
class Deleted:
    """What a deletion did."""

    proposals_cleared: int
    proposals_unlinked: int
    votes_unlinked: int
    messages_deleted: int


def delete_resident(session: Session, sender_id: str, *, operator: str, now: datetime) -> Deleted:
    """Remove a resident's data: unlink their proposals and votes, clear the text of proposals
    that never became a community matter (pending, declined), delete their messages. Audited on
    each proposal."""
    cleared = unlinked = 0
    for p in session.scalars(select(Proposal).where(Proposal.resident_key == sender_id)):
        p.resident_key = None
        if p.status in (ProposalStatus.PENDING, ProposalStatus.DECLINED):
            p.what, p.why = CLEARED, CLEARED
            cleared += 1
        else:
            unlinked += 1
        session.add(
            ModerationEntry(
                proposal_id=p.id,
                at=now,
                actor=f"privacy:{operator}",
                action="privacy",
                from_status=p.status,
                to_status=p.status,
                reason="居民要求删除个人信息",
            )
        )
    votes = session.execute(
        update(Vote).where(Vote.resident_key == sender_id).values(resident_key=None)
    ).rowcount
    where = _outbox_filter(sender_id)
    messages = (
        session.execute(delete(OutboxMessage).where(where)).rowcount if where is not None else 0
    )
    logger.info(
        "Deleted a resident's deliberation data: %d proposals, %d votes unlinked",
        cleared + unlinked,
        votes or 0,
    )
    return Deleted(cleared, unlinked, int(votes or 0), int(messages or 0))


class DeliberationResidentData:
    """This part's :class:`core.resident_data.ResidentDataOwner`: proposals, votes, messages."""

    name = "deliberation"
    label = "议事"

    def __init__(self, sessions: Any, sqlite_lock: Any = None) -> None:
        """``sessions``: this part's session factory; ``sqlite_lock`` serialises SQLite writes."""
        self._sessions = sessions
        self._lock = sqlite_lock

    def export(self, resident: Any) -> dict[str, Any]:
        """The resident's proposals, votes and messages under every sender id of theirs."""
        from core.dbsession import session_scope

        merged: dict[str, list] = {"proposals": [], "votes": [], "messages": []}
        with session_scope(self._sessions) as session:
            for sender_id in resident.sender_ids:
                for key, rows in export_resident(session, sender_id).items():
                    merged[key].extend(rows)
        return merged

    def delete(self, resident: Any, now: datetime) -> dict[str, int]:
        """Unlink and clear as :func:`delete_resident` does, for every sender id of theirs."""
        from core.dbsession import session_scope

        totals = {f: 0 for f in Deleted.__dataclass_fields__}
        if self._lock is not None:
            self._lock.acquire()
        try:
            with session_scope(self._sessions) as session:
                for sender_id in resident.sender_ids:
                    done = delete_resident(session, sender_id, operator=resident.operator, now=now)
                    for f in totals:
                        totals[f] += getattr(done, f)
        finally:
            if self._lock is not None:
                self._lock.release()
        return totals

    def describe(self, counts: dict[str, int]) -> str:
        """The deletion report in words."""
        return (
            f"清除建议内容 {counts.get('proposals_cleared', 0)} 条，"
            f"解除建议关联 {counts.get('proposals_unlinked', 0)} 条，"
            f"解除投票关联 {counts.get('votes_unlinked', 0)} 票（票数照常计入），"
            f"删除通知 {counts.get('messages_deleted', 0)} 条"
        )
