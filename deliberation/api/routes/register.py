"""The household register (staff): who may vote and the phones on record (masked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from deliberation import households
from deliberation.api.deps import ActorDep, ClockDep, SessionDep
from deliberation.api.errors import ChineseErrorsRoute
from deliberation.errors import Refused
from deliberation.models import Household
from deliberation.schemas import HouseholdIn, HouseholdOut
from deliberation.views import household_out

router = APIRouter(prefix="/api/deliberation", tags=["议事"], route_class=ChineseErrorsRoute)


@router.get("/households", response_model=list[HouseholdOut])
def list_households(
    session: SessionDep,
    actor: ActorDep,
    building: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[HouseholdOut]:
    """Registered households (grid workers: their grids), phones masked."""
    query = select(Household).order_by(Household.id).limit(limit)
    if building:
        query = query.where(Household.building == building)
    if not actor.manages_all:
        query = query.where(Household.grid_code.in_(sorted(actor.grid_codes)))
    return [household_out(h) for h in session.scalars(query)]


@router.post("/households", response_model=HouseholdOut, status_code=status.HTTP_201_CREATED)
def add_household(
    body: HouseholdIn, session: SessionDep, clock: ClockDep, actor: ActorDep
) -> HouseholdOut:
    """Register a household or add phones to it (only last 4 digits and a masked form kept)."""
    if not actor.can_manage([body.grid_code]):
        raise Refused("只能登记您负责网格的住户")
    row = households.add_household(
        session=session,
        building=body.building,
        unit=body.unit,
        room=body.room,
        grid_code=body.grid_code,
        phones=body.phones,
        now=clock.now(),
    )
    return household_out(row)
