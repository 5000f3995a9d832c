"""Tables of the case system (SQLAlchemy 2 typed ORM). Only ``cases`` code touches them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core.dbtypes import UTCDateTime  # re-exported: the migrations name it here


class Base(DeclarativeBase):
    """Declarative base of the case tables."""

    type_annotation_map = {datetime: UTCDateTime}


# --- grid hierarchy: 街道 → 社区 → 网格 → 楼栋 ---------------------------------------------


class Street(Base):
    """街道 (sub-district)."""

    __tablename__ = "streets"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class Community(Base):
    """社区 (residents' community)."""

    __tablename__ = "communities"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id"))
    street: Mapped[Street] = relationship()


class Grid(Base):
    """网格: a cell of a few hundred households with its grid worker."""

    __tablename__ = "grids"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    community: Mapped[Community] = relationship()


class Building(Base):
    """楼栋 (micro-grid); ``code`` is what residents say: '5' for 5号楼."""

    __tablename__ = "buildings"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"))
    grid: Mapped[Grid] = relationship()


class Department(Base):
    """A handling department: 物业, 市政, 环卫, 民政, 安全, 社区."""

    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class Worker(Base):
    """Someone cases are dispatched to: a grid worker, a department handler or a supervisor.

    ``level``: 0 handles cases, 1 supervises at community level, 2 at street level.
    """

    __tablename__ = "workers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100), default="")
    level: Mapped[int] = mapped_column(Integer, default=0)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), default=None)
    department_code: Mapped[str | None] = mapped_column(String(40), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    grid: Mapped[Grid | None] = relationship()

    def label(self) -> str:
        """Plain-Chinese label: 第2网格网格员 王芳."""
        return f"{self.title}{self.name}" if self.title else self.name


class RoutingRule(Base):
    """Routing table: which department handles a category, and whether the grid worker does."""

    __tablename__ = "routing_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    category_code: Mapped[str] = mapped_column(String(40), unique=True)
    department_code: Mapped[str] = mapped_column(String(40))
    handler: Mapped[str] = mapped_column(String(20), default="department")
    """'department' (a handler of the department, the building's grid first) or 'grid'."""


# --- cases ------------------------------------------------------------------------------


class Case(Base):
    """One resident request: a report, a service application, an emergency or a call-back."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    category: Mapped[str | None] = mapped_column(String(40), default=None, index=True)
    service_code: Mapped[str | None] = mapped_column(String(40), default=None)
    building: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    unit: Mapped[str | None] = mapped_column(String(20), default=None)
    room: Mapped[str | None] = mapped_column(String(20), default=None)
    landmark: Mapped[str | None] = mapped_column(String(100), default=None)
    location_raw: Mapped[str | None] = mapped_column(String(500), default=None)
    latitude: Mapped[float | None] = mapped_column(Float, default=None)
    """WGS-84 coordinates of the problem: the location the resident last shared on their case,
    or the ``lat``/``long`` of an Open311 request (Open311 reads give them at building level)."""
    longitude: Mapped[float | None] = mapped_column(Float, default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(String(20), default="normal")
    contact_phone: Mapped[str | None] = mapped_column(String(20), default=None)
    phone_tail: Mapped[str | None] = mapped_column(String(4), default=None, index=True)
    contact_declined: Mapped[bool] = mapped_column(Boolean, default=False)
    applicant: Mapped[str | None] = mapped_column(String(40), default=None)
    time_preference: Mapped[str | None] = mapped_column(String(100), default=None)
    channel: Mapped[str] = mapped_column(String(20), default="rest")
    sender_id: Mapped[str | None] = mapped_column(String(200), default=None, index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None, unique=True)
    open311_token: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    access_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    """SHA-256 of the resident's access code (``cases/access.py``); the code itself is never
    stored. Opens the resident's own view of the case (the printed slip's page)."""
    extra: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    due_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    department_code: Mapped[str | None] = mapped_column(String(40), default=None)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), default=None, index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), default=None)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    overdue_escalations: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[str | None] = mapped_column(String(20), default=None)
    linked_to_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)

    grid: Mapped[Grid | None] = relationship()
    assignee: Mapped[Worker | None] = relationship()
    linked_to: Mapped[Case | None] = relationship(remote_side=[id])


class CaseEvent(Base):
    """Something that happened to a case; ``text`` is plain Chinese a resident can read."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20), default=None)
    to_status: Mapped[str | None] = mapped_column(String(20), default=None)
    actor: Mapped[str] = mapped_column(String(100), default="system")
    text: Mapped[str] = mapped_column(Text, default="")
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    """Internal notes are for staff only; they never reach the resident."""


class OutboxMessage(Base):
    """A message for a resident's channel, delivered by that channel (bot, kiosk, web)."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"), default=None)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None] = mapped_column(default=None, index=True)


class CaseCounter(Base):
    """Per-day sequence for case numbers (shared across case types)."""

    __tablename__ = "case_counters"
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


# --- staff, API keys, notices -------------------------------------------------------------


class StaffUser(Base):
    """A staff member of the console (roles: admin, staff, grid_worker)."""

    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id"), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    grids: Mapped[list[Grid]] = relationship(secondary="staff_user_grids")


class StaffUserGrid(Base):
    """Which grids a grid worker's login may see."""

    __tablename__ = "staff_user_grids"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    grid_id: Mapped[int] = mapped_column(ForeignKey("grids.id"), primary_key=True)


class StaffSession(Base):
    """A staff login (the cookie holds the token; only its hash is stored)."""

    __tablename__ = "staff_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    user: Mapped[StaffUser] = relationship()


class ApiKey(Base):
    """An Open311 API key for POST requests (only its SHA-256 is stored)."""

    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("key_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Notice(Base):
    """A community notice (停水, 议事会 …): on the kiosk's wall and welcome screen, pushed to
    the residents of its scope on Telegram (``cases/notices.py``)."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    scope_kind: Mapped[str] = mapped_column(
        String(20), default="community", server_default="community"
    )
    """community, grids or buildings."""
    scope_values: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    """Grid codes (``G1``) or building numbers (``5``); empty for the whole community."""
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the notice stops being shown and sent (None: until withdrawn)."""
