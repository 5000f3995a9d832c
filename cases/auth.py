"""Staff accounts (argon2 password hashes), staff login sessions and Open311 API keys."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from cases.models import ApiKey, Grid, StaffSession, StaffUser
from core.errors import InvalidInput
from core.staff_auth import Role  # the staff roles every hub part reads

logger = logging.getLogger(__name__)

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password-only-for-timing")

MIN_PASSWORD_LENGTH = 10
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{2,60}$")


ROLE_LABELS = {Role.ADMIN: "管理员", Role.STAFF: "工作人员", Role.GRID_WORKER: "网格员"}
ROLES_SEEING_PHONES = frozenset({Role.ADMIN, Role.GRID_WORKER})
"""Roles that call residents back and so see full phone numbers (others see them masked)."""
ROLES_MANAGING = frozenset({Role.ADMIN, Role.STAFF})
"""Roles that may assign, re-route, re-categorise and edit notices."""


def sha256(text: str) -> str:
    """Hex SHA-256 of a random token (tokens have enough entropy; passwords use argon2)."""
    return hashlib.sha256(text.encode()).hexdigest()


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role,
    now: datetime,
    grid_codes: list[str] | None = None,
    display_name: str = "",
) -> StaffUser:
    """Create a staff account.

    Raises:
        InvalidInput: bad username, short password, unknown grid, duplicate user.
    """
    if not USERNAME_RE.match(username):
        raise InvalidInput("用户名只能用字母、数字、点、横线和下划线，2到60个字符")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少{MIN_PASSWORD_LENGTH}个字符")
    if session.scalar(select(StaffUser).where(StaffUser.username == username)) is not None:
        raise InvalidInput(f"用户 {username} 已存在")
    grids: list[Grid] = []
    for code in grid_codes or []:
        grid = session.scalar(select(Grid).where(Grid.code == code))
        if grid is None:
            raise InvalidInput(f"没有这个网格：{code}")
        grids.append(grid)
    if role is Role.GRID_WORKER and not grids:
        raise InvalidInput("网格员账号需要指定负责的网格（--grids）")
    user = StaffUser(
        username=username,
        password_hash=hash_password(password),
        role=role.value,
        display_name=display_name or username,
        created_at=now,
        grids=grids,
    )
    session.add(user)
    session.flush()
    logger.info("Created staff user %s with role %s", username, role.value)
    return user


def set_password(*, session: Session, username: str, password: str) -> None:
    """Change a staff member's password (and end their sessions)."""
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        raise InvalidInput(f"没有用户 {username}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少{MIN_PASSWORD_LENGTH}个字符")
    user.password_hash = hash_password(password)
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def authenticate(*, session: Session, username: str, password: str) -> StaffUser | None:
    """The active user with these credentials, or None (constant work either way)."""
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    try:
        if user is None or not user.active:
            _hasher.verify(_DUMMY_HASH, password + "x")
            return None
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


class LoginThrottle:
    """Refuses logins for a username after repeated failures (in memory, per hub process).

    Args:
        max_failures: Failures allowed inside the window.
        window: How long failures count, and how long the lock lasts.
    """

    def __init__(self, max_failures: int = 5, window: timedelta = timedelta(minutes=15)) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, list[datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, username: str, now: datetime) -> list[datetime]:
        recent = [t for t in self._failures.get(username, []) if now - t < self.window]
        self._failures[username] = recent
        return recent

    def blocked(self, username: str, now: datetime) -> bool:
        """Whether this username is locked out right now."""
        with self._lock:
            return len(self._recent(username.lower(), now)) >= self.max_failures

    def failed(self, username: str, now: datetime) -> None:
        """Record a failed attempt."""
        with self._lock:
            self._recent(username.lower(), now).append(now)

    def succeeded(self, username: str) -> None:
        """Forget failures after a good login."""
        with self._lock:
            self._failures.pop(username.lower(), None)


@dataclass
class NewSession:
    """A fresh login: the cookie value and the CSRF token for forms."""

    token: str
    csrf_token: str


def open_session(*, session: Session, user: StaffUser, now: datetime, hours: int) -> NewSession:
    """Start a staff login session; only the token's hash is stored."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    session.add(
        StaffSession(
            token_hash=sha256(token),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return NewSession(token=token, csrf_token=csrf)


def session_user(*, session: Session, token: str, now: datetime) -> StaffSession | None:
    """The live staff session for a cookie token, or None."""
    row = session.scalar(
        select(StaffSession)
        .options(selectinload(StaffSession.user).selectinload(StaffUser.grids))
        .where(StaffSession.token_hash == sha256(token))
    )
    if row is None or row.expires_at < now or not row.user.active:
        return None
    return row


def close_session(*, session: Session, token: str) -> None:
    """Log out."""
    session.execute(delete(StaffSession).where(StaffSession.token_hash == sha256(token)))


def create_api_key(*, session: Session, name: str, now: datetime) -> str:
    """Create an Open311 API key; returns the key (shown once, stored hashed)."""
    if not name.strip():
        raise InvalidInput("请给 API key 起个名字（例如对接的系统名）")
    key = secrets.token_urlsafe(32)
    session.add(ApiKey(name=name.strip(), key_hash=sha256(key), created_at=now))
    session.flush()
    logger.info("Created Open311 API key %s", name)
    return key


def check_api_key(*, session: Session, key: str) -> ApiKey | None:
    """The active API key matching ``key``, or None."""
    if not key:
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == sha256(key)))
    return row if row is not None and row.active else None


def revoke_api_key(*, session: Session, name: str) -> int:
    """Deactivate every key with this name; returns how many."""
    rows = list(session.scalars(select(ApiKey).where(ApiKey.name == name, ApiKey.active)))
    for row in rows:
        row.active = False
    return len(rows)
