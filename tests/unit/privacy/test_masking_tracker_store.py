"""The Rasa-side masking (nlu/addons/pii_mask.py, used by the masking tracker store) agrees with
core/pii.py, masks user and bot events only, and the action server's queue forgets a resident.

The addon is loaded from its file: the Rasa image ships only ``nlu/``, so it cannot import core.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st

from actions.pending import PendingSubmissions, forget_resident, queue_path, resident_submissions
from core.contracts import CaseCreate
from core.pii import mask_pii

ROOT = Path(__file__).resolve().parents[3]


def _addon() -> ModuleType:
    spec = importlib.util.spec_from_file_location("linli_pii_mask", ROOT / "nlu/addons/pii_mask.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ADDON = _addon()

# text built from the pieces the patterns look at: digits, separators, X, Chinese, spaces
PIECES = st.sampled_from(
    ["1", "3", "8", "0", "9", "5", "X", "x", "-", " ", "电话", "身份证", "号", "，", "010", "138",
     "13812345678", "110101199001011234", "11010119900101123X", "0755-12345678", "+86"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=12).map("".join))
def test_addon_masks_exactly_like_core(text: str) -> None:
    assert ADDON.mask_pii(text) == mask_pii(text)


def test_addon_patterns_are_the_core_patterns() -> None:
    import core.pii

    for name in ("_ID_CARD", "_MOBILE", "_LANDLINE"):
        assert getattr(ADDON, name).pattern == getattr(core.pii, name).pattern, name


def test_user_and_bot_events_are_masked_slots_are_not() -> None:
    user = {
        "event": "user", "timestamp": 1.5, "text": "电话13812345678",
        "parse_data": {"text": "电话13812345678", "intent": {"name": "inform"},
                       "entities": [{"entity": "phone", "value": "13812345678"}]},
        "metadata": {"message_id": "tg:13812345678:77"}, "input_channel": "rest",
    }  # fmt: skip
    masked = ADDON.mask_event(user)
    assert masked["text"] == masked["parse_data"]["text"] == "电话138****5678"
    assert masked["parse_data"]["entities"][0]["value"] == "138****5678"
    assert masked["metadata"] == {"message_id": "tg:13812345678:77"}  # channel ids stay exact
    assert masked["timestamp"] == 1.5 and masked["parse_data"]["intent"] == {"name": "inform"}
    assert user["text"] == "电话13812345678"  # the running turn's copy is not touched
    bot = {"event": "bot", "text": "您的电话 13812345678", "data": {"custom": {"p": "13812345678"}}}
    assert ADDON.mask_event(bot)["data"] == {"custom": {"p": "138****5678"}}
    slot = {"event": "slot", "name": "contact", "value": "13812345678"}
    assert ADDON.mask_event(slot) == slot


def _case(key: str, phone: str | None, sender: str | None) -> CaseCreate:
    return CaseCreate(
        type="report", category="elevator", description="电梯坏了", idempotency_key=key,
        contact_phone=phone, sender_id=sender, channel="web",
    )  # fmt: skip


async def test_pending_queue_forgets_one_resident(tmp_path: Path) -> None:
    path = queue_path(tmp_path)
    assert forget_resident(path, phone="13812345678", sender_ids=set()) is None  # no queue yet
    queue = PendingSubmissions(path)
    await queue.add(_case("a", "13812345678", "web:a"))
    await queue.add(_case("b", None, "web:b"))
    await queue.add(_case("c", "13900001111", "web:c"))
    await queue.add(_case("d", "13812345678", "web:d"))
    mine = resident_submissions(path, phone="138-1234-5678", sender_ids={"web:b"})
    assert [c.idempotency_key for c in mine or []] == ["a", "b", "d"]
    assert forget_resident(path, phone="138 1234 5678", sender_ids={"web:b"}) == 3
    assert [c.idempotency_key for c in await queue.all()] == ["c"]
    assert forget_resident(path, phone=None, sender_ids={"web:x"}) == 0
