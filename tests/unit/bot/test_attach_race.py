"""The reply that announces a case and the retry loop attach a kept photo once, not twice."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.attachments import attach_pending
from bot.store import BotStore
from tests.unit.bot.helpers import tiny_jpeg


class SlowCases:
    """A hub that takes a moment to store each attachment (as a real one does)."""

    def __init__(self) -> None:
        self.stored: list[tuple[str, str]] = []

    async def add_attachment(self, case_no: str, sender_id: str, **fields: Any) -> None:
        await asyncio.sleep(0.05)
        self.stored.append((case_no, fields["kind"]))


async def test_concurrent_attach_sends_each_photo_once() -> None:
    store = BotStore(":memory:")
    store.add_attachment(7, "photo", data=tiny_jpeg(), content_type="image/jpeg")
    cases = SlowCases()
    first, second = await asyncio.gather(
        attach_pending(store, cases, 7, "BS-20261121-0042"),  # type: ignore[arg-type]
        attach_pending(store, cases, 7, "BS-20261121-0042"),  # type: ignore[arg-type]
    )
    assert cases.stored == [("BS-20261121-0042", "photo")]
    assert sorted([first, second]) == [[], ["photo"]]
    assert store.attachments_to_retry() == []
