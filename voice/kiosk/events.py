"""What the kiosk page sends on its WebSocket, as typed events (``{"type": ..., ...}`` JSON).

One model per ``type``, read as leniently as the page has always been read: a field of the
wrong kind becomes what the old ``event.get(...)`` reading made of it (``str(...)`` for text,
``None`` for an optional word, JSON ``false`` only for ``mic.ok``). A ``type`` the kiosk does not
know parses as :class:`UnknownEvent` (ignored, or answered 请稍等 before ``hello``); text that is
not JSON parses as ``None`` (ignored). What could not be read before still cannot: a message
that is not a JSON object, or an ``audio_start`` rate that is no number, raises
``pydantic.ValidationError`` (it ends the connection, as the ``AttributeError`` /
``ValueError`` did).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Tag,
    TypeAdapter,
    model_validator,
)

DEFAULT_RATE = 16000
"""Sample rate (Hz) of an utterance when the page names none, or one out of range."""


def _as_text(value: Any) -> str:
    return str(value)


def _word_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _truthy(value: Any) -> bool:
    return bool(value)


def _rate(value: Any) -> int:
    rate = int(value or DEFAULT_RATE)
    return rate if 8000 <= rate <= 48000 else DEFAULT_RATE


def _digits(value: Any) -> str:
    return str(value)[:40]


Text = Annotated[str, BeforeValidator(_as_text)]
Word = Annotated[str | None, BeforeValidator(_word_or_none)]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)


class HelloEvent(_Event):
    """The page (re)connected: resume ``session`` if it is still alive, else start one."""

    type: Literal["hello"]
    session: Word = None
    mic: Word = None
    """``"none"``: the page has no microphone (touch only)."""

    @property
    def touch_only(self) -> bool:
        return self.mic == "none"


class AudioStartEvent(_Event):
    """An utterance begins: binary PCM frames (16-bit mono at ``rate``) follow."""

    type: Literal["audio_start"]
    rate: Annotated[int, BeforeValidator(_rate)] = DEFAULT_RATE


class AudioEndEvent(_Event):
    """The utterance ended; ``barge_in``: it was said while the kiosk spoke."""

    type: Literal["audio_end"]
    barge_in: Annotated[bool, BeforeValidator(_truthy)] = False


class AudioCancelEvent(_Event):
    """The utterance is dropped (too short, or the page stopped listening)."""

    type: Literal["audio_cancel"]


class TextEvent(_Event):
    """Typed text."""

    type: Literal["text"]
    text: Text = ""


class ButtonEvent(_Event):
    """A reply button: ``title`` is what it showed, ``payload`` what it sends to the dialogue
    (each stands in for the other when missing)."""

    type: Literal["button"]
    title: str = ""
    payload: str = ""

    @model_validator(mode="before")
    @classmethod
    def _fill(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        title = str(data.get("title") or data.get("payload") or "")
        return data | {"title": title, "payload": str(data.get("payload") or title)}


class DigitsEvent(_Event):
    """The on-screen number pad (at most 40 characters are read)."""

    type: Literal["digits"]
    value: Annotated[str, BeforeValidator(_digits)] = ""


class CommandEvent(_Event):
    """A fixed button (``repeat``, ``louder``, ``human``, ``reset`` …)."""

    type: Literal["command"]
    name: Text = ""
    reason: Word = None
    """With ``reset``: ``"idle"`` when the page's own idle timer sent it."""

    @property
    def reset_reason(self) -> str:
        return "idle" if self.reason == "idle" else "reset"


class MicEvent(_Event):
    """The page found (``ok`` true) or lost (``ok`` false) its microphone."""

    type: Literal["mic"]
    ok: Annotated[bool | None, BeforeValidator(_bool_or_none)] = None


class PingEvent(_Event):
    """Someone is still there (answered ``pong``)."""

    type: Literal["ping"]


class UnknownEvent(_Event):
    """A ``type`` the kiosk does not know (or none): nothing is done with it."""

    model_config = ConfigDict(frozen=True, extra="allow")
    type: Any = None


KNOWN_KINDS = frozenset(
    {
        "hello",
        "audio_start",
        "audio_end",
        "audio_cancel",
        "text",
        "button",
        "digits",
        "command",
        "mic",
        "ping",
    }
)


def _kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("type")
        return kind if isinstance(kind, str) and kind in KNOWN_KINDS else "unknown"
    if isinstance(value, _Event):  # an event built in code
        kind = getattr(value, "type", None)
        known = isinstance(kind, str) and kind in KNOWN_KINDS
        return kind if known and not isinstance(value, UnknownEvent) else "unknown"
    return None  # not an object: pydantic says it cannot be read


KioskEvent = Annotated[
    Annotated[HelloEvent, Tag("hello")]
    | Annotated[AudioStartEvent, Tag("audio_start")]
    | Annotated[AudioEndEvent, Tag("audio_end")]
    | Annotated[AudioCancelEvent, Tag("audio_cancel")]
    | Annotated[TextEvent, Tag("text")]
    | Annotated[ButtonEvent, Tag("button")]
    | Annotated[DigitsEvent, Tag("digits")]
    | Annotated[CommandEvent, Tag("command")]
    | Annotated[MicEvent, Tag("mic")]
    | Annotated[PingEvent, Tag("ping")]
    | Annotated[UnknownEvent, Tag("unknown")],
    Discriminator(_kind),
]
"""Any event the page sends, told apart by its ``type``."""

EVENTS: TypeAdapter[KioskEvent] = TypeAdapter(KioskEvent)


def parse_event(text: str | None) -> KioskEvent | None:
    """The event in one text frame; ``None`` when the text is not JSON (the kiosk ignores it).

    Raises:
        pydantic.ValidationError: JSON that is not an object, or a field that cannot be read.
    """
    try:
        raw = json.loads(text or "{}")
    except json.JSONDecodeError:
        return None
    return EVENTS.validate_python(raw)
