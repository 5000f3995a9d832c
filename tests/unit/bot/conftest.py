"""Fixtures for bot unit tests: fake Telegram Bot API, scripted Rasa, in-memory case system."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application, running
from bot.config import BotSettings
from bot.speech import SpeechIO
from bot.store import BotStore
from cases.client import Building, ConfirmResult, OutboxItem
from core.config import CommonSettings
from core.contracts import CasePublic, CaseType, NoticeFeedItem
from core.errors import ServiceUnavailable
from deliberation.schemas import OutboxOut
from harness.fakes.rasa_backend import FakeBackend
from harness.fakes.telegram_api import FakeTelegram
from voice.engines.fake import FakeRecognizer
from voice.tts import FakeSynthesizer

GRID_OF = {str(n): f"G{(n - 1) // 5 + 1}" for n in range(1, 21)}
"""The demo community: 20 buildings, 5 a grid (as ``cases.seed``)."""


@dataclass
class FakeCases:
    """In-memory stand-in for ``cases.client.CaseClient`` (real counterpart: tests/e2e/telegram)."""

    cases: dict[str, CasePublic] = field(default_factory=dict)
    outbox: list[OutboxItem] = field(default_factory=list)
    acked: list[int] = field(default_factory=list)
    confirmations: list[tuple[str, str, str]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    attachments_down: bool = False
    notices: list[NoticeFeedItem] = field(default_factory=list)
    notices_down: bool = False
    feed_calls: list[int] = field(default_factory=list)
    """``after`` of every feed read."""

    def add_case(self, case_no: str, sender: str, status: str = "accepted") -> CasePublic:
        case = CasePublic(
            case_no=case_no,
            type=CaseType.REPORT,
            status=status,
            status_label={"accepted": "已受理", "resolved": "已办结"}.get(status, status),
            category="elevator",
            category_label="电梯故障",
            created_at=datetime.now(UTC),
            description="电梯坏了",
        )
        self.cases[case_no] = case
        self._senders = getattr(self, "_senders", {})
        self._senders[case_no] = sender
        return case

    def push(self, outbox_id: int, case_no: str, chat_id: int, text: str) -> None:
        self.outbox.append(
            OutboxItem(
                id=outbox_id,
                case_no=case_no,
                channel="telegram",
                recipient=str(chat_id),
                text=text,
                created_at=datetime.now(UTC).isoformat(),
            )
        )

    async def list_cases_for_sender(self, sender_id: str, limit: int = 5) -> list[CasePublic]:
        senders = getattr(self, "_senders", {})
        return [c for n, c in self.cases.items() if senders.get(n) == sender_id][:limit]

    async def get_case(self, case_no: str) -> CasePublic | None:
        return self.cases.get(case_no)

    async def confirm(
        self, case_no: str, sender_id: str, rating: str, comment: str | None = None
    ) -> ConfirmResult:
        self.confirmations.append((case_no, sender_id, rating))
        case = self.cases[case_no]
        case.status = "reopened" if rating == "unresolved" else "closed"
        return ConfirmResult(case=case, message="")

    async def fetch_outbox(
        self, channel: str, after: int = 0, limit: int = 100
    ) -> list[OutboxItem]:
        return [o for o in self.outbox if o.id > after and o.id not in self.acked][:limit]

    async def ack_outbox(self, ids: list[int], channel: str | None = None) -> int:
        new = [i for i in ids if i not in self.acked]
        self.acked.extend(new)
        return len(new)

    async def add_attachment(self, case_no: str, sender_id: str, **fields: Any) -> None:
        if self.attachments_down:
            raise ServiceUnavailable("down")
        self.attachments.append({"case_no": case_no, "sender_id": sender_id, **fields})

    def publish(self, title: str, kind: str = "community", values: list[str] | None = None,
                **extra: Any) -> NoticeFeedItem:  # fmt: skip
        notice = NoticeFeedItem(
            id=len(self.notices) + 1, title=title, body=extra.pop("body", "请提前储水。"),
            scope_kind=kind, scope_values=values or [],
            published_at=extra.pop("published_at", datetime.now(UTC)), **extra,
        )  # fmt: skip
        self.notices.append(notice)
        return notice

    async def notices_feed(self, after: int = 0, limit: int = 50) -> list[NoticeFeedItem]:
        if self.notices_down:
            raise ServiceUnavailable("down")
        self.feed_calls.append(after)
        now = datetime.now(UTC)
        live = [n for n in self.notices if n.expires_at is None or n.expires_at > now]
        return [n for n in live if n.id > after][:limit]

    async def buildings(self) -> list[Building]:
        if self.notices_down:
            raise ServiceUnavailable("down")
        return [Building(code=c, name=f"{c}号楼") for c in GRID_OF]

    async def notices_for_building(self, building: str) -> set[int]:
        if self.notices_down:
            raise ServiceUnavailable("down")
        grid = GRID_OF.get(building)
        return {
            n.id
            for n in self.notices
            if n.scope_kind == "community"
            or (n.scope_kind == "buildings" and building in n.scope_values)
            or (n.scope_kind == "grids" and grid in n.scope_values)
        }


@dataclass
class FakeDeliberation:
    """In-memory stand-in for the 议事 outbox of ``DeliberationClient`` (real counterpart:
    tests/e2e/telegram/test_yishi_live.py against the real hub)."""

    outbox: list[OutboxOut] = field(default_factory=list)
    acked: list[int] = field(default_factory=list)
    down: bool = False
    ack_down: bool = False

    def push(self, outbox_id: int, chat_id: int, text: str, ref: str = "proposal:1") -> None:
        self.outbox.append(
            OutboxOut(id=outbox_id, ref=ref, channel="telegram", recipient=str(chat_id),
                      text=text, created_at=datetime.now(UTC).isoformat())
        )  # fmt: skip

    async def fetch_outbox(self, channel: str, after: int = 0, limit: int = 100) -> list[OutboxOut]:
        if self.down:
            raise ServiceUnavailable("down")
        return [o for o in self.outbox if o.id > after and o.id not in self.acked][:limit]

    async def ack_outbox(self, ids: list[int], channel: str | None = None) -> int:
        if self.down or self.ack_down:
            raise ServiceUnavailable("down")
        new = [i for i in ids if i not in self.acked]
        self.acked.extend(new)
        return len(new)


@pytest.fixture
def fake_tg() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    server = FakeBackend().start()
    yield server
    server.stop()


@pytest.fixture
def fake_cases() -> FakeCases:
    return FakeCases()


@pytest.fixture
def fake_yishi() -> FakeDeliberation:
    return FakeDeliberation()


@pytest.fixture
def recognizer() -> FakeRecognizer:
    return FakeRecognizer(default="")


@pytest.fixture
def synthesizer() -> FakeSynthesizer:
    return FakeSynthesizer()


def make_settings(fake_tg: FakeTelegram, backend_url: str, **overrides: Any) -> BotSettings:
    values: dict[str, Any] = {
        "token": fake_tg.token,
        "api_base_url": fake_tg.base_url,
        "file_base_url": fake_tg.file_base_url,
        "actions_url": backend_url,
        "retry_interval_s": 0.2,
        "push_interval_s": 0.2,
        "notices_interval_s": 0.2,
        "notice_send_gap_s": 0.0,
        "poll_timeout_s": 1,
        "voice_engine": "fake",
    }
    values.update(overrides)
    return BotSettings(**values)


@pytest.fixture
def bot_factory(
    fake_tg: FakeTelegram,
    backend: FakeBackend,
    fake_cases: FakeCases,
    fake_yishi: FakeDeliberation,
    recognizer: FakeRecognizer,
    synthesizer: FakeSynthesizer,
    tmp_path: Path,
):
    """Build (not start) the real PTB application against the fakes."""

    def factory(store: BotStore | None = None, **overrides: Any):
        settings = make_settings(fake_tg, backend.url, **overrides)
        common = CommonSettings(
            data_dir=tmp_path, rasa_url=backend.url, hub_url=backend.url, service_token="t"
        )
        speech = SpeechIO(recognizer, synthesizer, max_seconds=30.0, tts_rate=110)
        store = BotStore(tmp_path / "bot.db") if store is None else store
        return build_application(
            settings, common, cases=fake_cases, deliberation=fake_yishi, speech=speech, store=store
        )

    return factory


@pytest.fixture
async def live_bot(bot_factory) -> AsyncIterator[Any]:
    """The real bot, polling the fake Bot API."""
    application = bot_factory()
    async with running(application):
        yield application
