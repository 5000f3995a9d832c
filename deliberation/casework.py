"""Spawning a case from an adopted decision, through the case system's HTTP API.

The deliberation part never writes the case tables: it posts a ``CaseCreate`` with the case
client (idempotent per decision) and keeps the case number as the link.
"""

from __future__ import annotations

import logging

from cases.client import CaseClientProtocol
from core.contracts import CaseCreate, CaseType, Channel, Location
from deliberation.models import Decision

logger = logging.getLogger(__name__)


def case_for(decision: Decision, building: str | None) -> CaseCreate:
    """The case to open for a decision (category 其他, routed by building when there is one)."""
    return CaseCreate(
        type=CaseType.REPORT,
        category="other",
        location=Location(building=building) if building else None,
        description=f"社区议事第{decision.id}号决定：{decision.title}"[:2000],
        channel=Channel.STAFF,
        idempotency_key=f"deliberation-decision-{decision.id}",
        extra={"deliberation_decision": str(decision.id)},
    )


async def spawn_case(client: CaseClientProtocol, decision: Decision, building: str | None) -> str:
    """Create the case and return its number (the same number when called again)."""
    case = await client.create_case(case_for(decision, building))
    logger.info("Decision %d spawned case %s", decision.id, case.case_no)
    return case.case_no
