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
from cases.client import ConfirmResult, OutboxItem
from core.config import CommonSettings
from core.contracts import CasePublic, CaseType
from core.errors import ServiceUnavailable
from tests.fakes.rasa_backend import FakeBackend
from tests.fakes.telegram_api import FakeTelegram
from voice.engines.fake import FakeRecognizer
from voice.tts import FakeSynthesizer


@dataclass
class FakeCases:
    """In-memory stand-in for ``HubCaseGateway`` (real counterpart: tests/e2e/telegram)."""

    cases: dict[str, CasePublic] = field(default_factory=dict)
    outbox: list[OutboxItem] = field(default_factory=list)
    acked: list[int] = field(default_factory=list)
    confirmations: list[tuple[str, str, str]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    attachments_down: bool = False

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
    recognizer: FakeRecognizer,
    synthesizer: FakeSynthesizer,
    tmp_path: Path,
):
    """Build (not start) the real PTB application against the fakes."""

    def factory(**overrides: Any):
        settings = make_settings(fake_tg, backend.url, **overrides)
        common = CommonSettings(
            data_dir=tmp_path, rasa_url=backend.url, hub_url=backend.url, service_token="t"
        )
        speech = SpeechIO(recognizer, synthesizer, max_seconds=30.0, tts_rate=110)
        store = BotStore(tmp_path / "bot.db")
        return build_application(settings, common, cases=fake_cases, speech=speech, store=store)

    return factory


@pytest.fixture
async def live_bot(bot_factory) -> AsyncIterator[Any]:
    """The real bot, polling the fake Bot API."""
    application = bot_factory()
    async with running(application):
        yield application
