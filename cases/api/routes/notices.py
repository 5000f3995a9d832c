"""Community notices for the channels (service token): the feed Telegram pushes from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cases import notices
from cases.api.deps import ClockDep, ServiceAuth, SessionDep
from cases.models import Notice
from core.contracts import NoticeFeedItem
from core.localtime import to_local

router = APIRouter(prefix="/api/notices", tags=["notices"], dependencies=[ServiceAuth])


def feed_item(notice: Notice) -> NoticeFeedItem:
    """A notice as the channels receive it (times with the local offset)."""
    published = to_local(notice.published_at)
    assert published is not None
    return NoticeFeedItem(
        id=notice.id,
        title=notice.title,
        body=notice.body,
        scope_kind=notices.ScopeKind(notice.scope_kind).value,
        scope_values=list(notice.scope_values or []),
        published_at=published,
        expires_at=to_local(notice.expires_at),
    )


@router.get("/feed", response_model=list[NoticeFeedItem])
def notices_feed(
    session: SessionDep,
    clock: ClockDep,
    after: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[NoticeFeedItem]:
    """Active notices that have not ended with id > ``after``, oldest first; each names its
    scope (``community``, ``grids`` with grid codes, ``buildings`` with building numbers)."""
    rows = notices.feed(session, after=after, limit=limit, now=clock.now())
    return [feed_item(n) for n in rows]
