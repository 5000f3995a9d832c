"""Cross-process contracts (pydantic): what actions, the bot and the kiosk send to the hub and
get back."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CaseType(StrEnum):
    """What kind of case a resident opened."""

    REPORT = "report"  # 报事
    SERVICE = "service"  # 办事
    EMERGENCY = "emergency"  # 紧急
    CALLBACK = "callback"  # 转人工回电


class Urgency(StrEnum):
    """How fast the case must be handled."""

    NORMAL = "normal"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class Channel(StrEnum):
    """Where the request came from."""

    REST = "rest"
    TELEGRAM = "telegram"
    KIOSK = "kiosk"
    WEB = "web"
    OPEN311 = "open311"
    STAFF = "staff"


class Location(BaseModel):
    """A place in the community, parsed from words (楼栋/单元/房号 or a landmark)."""

    model_config = ConfigDict(extra="forbid")

    building: str | None = Field(default=None, max_length=20, description="楼栋号, e.g. '5'")
    unit: str | None = Field(default=None, max_length=20, description="单元号, e.g. '2'")
    room: str | None = Field(default=None, max_length=20, description="房号, e.g. '301'")
    landmark: str | None = Field(default=None, max_length=100, description="东门, 菜市场旁边 …")
    raw: str | None = Field(default=None, max_length=500, description="the resident's own words")

    def describe(self) -> str:
        """Plain-Chinese description: 5号楼2单元301室 / 东门."""
        parts = []
        if self.building:
            parts.append(f"{self.building}号楼")
        if self.unit:
            parts.append(f"{self.unit}单元")
        if self.room:
            parts.append(f"{self.room}室")
        text = "".join(parts)
        if self.landmark:
            text = f"{text}{'，' if text else ''}{self.landmark}"
        return text or (self.raw or "")


class CaseCreate(BaseModel):
    """A new case as the channels submit it to ``POST /api/cases``."""

    model_config = ConfigDict(extra="forbid")

    type: CaseType
    category: str | None = Field(default=None, max_length=40, description="canonical category code")
    service_code: str | None = Field(default=None, max_length=40)
    location: Location | None = None
    description: str = Field(default="", max_length=2000)
    urgency: Urgency = Urgency.NORMAL
    contact_phone: str | None = Field(default=None, max_length=20)
    contact_declined: bool = False
    applicant: str | None = Field(
        default=None, max_length=40, description="本人 or a relation: 母亲 …"
    )
    time_preference: str | None = Field(default=None, max_length=100)
    channel: Channel = Channel.REST
    sender_id: str | None = Field(default=None, max_length=200)
    idempotency_key: str | None = Field(default=None, max_length=200)
    extra: dict[str, str] = Field(default_factory=dict)


class CasePublic(BaseModel):
    """A case as the hub returns it to channels (contact masked)."""

    case_no: str
    type: CaseType
    status: str
    status_label: str
    category: str | None = None
    category_label: str | None = None
    service_code: str | None = None
    service_label: str | None = None
    location: Location | None = None
    description: str = ""
    urgency: Urgency = Urgency.NORMAL
    contact_masked: str | None = None
    contact_declined: bool = False
    applicant: str | None = None
    time_preference: str | None = None
    channel: Channel = Channel.REST
    created_at: datetime
    due_at: datetime | None = None
    assignee: str | None = None
    linked_to: str | None = None
    access_code: str | None = None
    """The resident's access code (``XXXX-XXXX-XXXX-XXXX``): only in the answer that created the
    case, for the channel to hand to the resident (slip address, chat reply); never stored."""


class CaseDetails(BaseModel):
    """Details a resident adds to their own case after it was created (``POST
    /api/cases/{case_no}/details``): where it is and a phone, e.g. after an emergency."""

    model_config = ConfigDict(extra="forbid")

    sender_id: str = Field(max_length=200, description="must be the sender who reported the case")
    location: Location | None = None
    contact_phone: str | None = Field(default=None, max_length=20)


class ServiceInfo(BaseModel):
    """One entry of the service catalogue (办事指南)."""

    code: str
    name: str
    materials: list[str]
    where: str = ""
    notes: str = ""


class CategoryInfo(BaseModel):
    """One report category of the short canonical list."""

    code: str
    name: str
    department: str


class NoticeFeedItem(BaseModel):
    """A community notice for the channels (``GET /api/notices/feed``): active and not ended.

    Telegram pushes it to the residents inside the scope; times carry the local offset.
    """

    id: int
    title: str
    body: str = ""
    scope_kind: Literal["community", "grids", "buildings"] = "community"
    scope_values: list[str] = Field(default_factory=list)
    """Grid codes (``G1``) for ``grids``, building numbers (``5``) for ``buildings``; empty for
    the whole community."""
    published_at: datetime
    expires_at: datetime | None = None


class FaqHit(BaseModel):
    """One knowledge-base search hit (``GET /api/kb/search``)."""

    faq_id: int
    question: str
    answer: str
    score: float


class OutboxItem(BaseModel):
    """A message of the case system waiting for delivery to one resident on a channel."""

    id: int
    case_no: str
    channel: str
    recipient: str
    """Chat id / kiosk session / web id (the sender id without its prefix)."""
    text: str
    created_at: str


class ConfirmResult(BaseModel):
    """What the case system did with a resident's 解决了 / 部分解决 / 没解决."""

    case: CasePublic
    message: str
    """Plain Chinese line to tell the resident."""
