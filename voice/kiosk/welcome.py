"""What the welcome screen shows besides the start buttons: the community's current notices
(shown in large type, read out once after the kiosk was idle) and whether a poll is open (the
投票 start button).

Both come from this hub's public endpoints, called in process through ASGI like any channel
would: ``GET /api/public/notices`` (the case system) and ``GET /api/deliberation/polls?open=true``
(议事, through ``deliberation.client.DeliberationClient``). A part that is missing or failing
means no notices and no 投票 button, never a broken welcome screen.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from fastapi import FastAPI

from core.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

MAX_NOTICES = 3
"""At most the 3 newest notices on the welcome screen."""
SPOKEN_BODY_CHARS = 90
"""A notice's body is read up to the sentence end after about this many characters."""
ORDINALS = ("第一条", "第二条", "第三条")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_SYMBOLS = re.compile(r"[*_#>`~•●◆■□【】\[\]]")


@dataclass
class Notice:
    """A notice as the kiosk shows it."""

    title: str
    body: str
    date: str
    """Local date for reading (``12月4日``), or empty."""
    scope: str = ""
    """Whom it is for when not the whole community (``3号楼、5号楼``, ``第一网格``), else empty."""

    def to_dict(self) -> dict[str, str]:
        """For the page."""
        return {"title": self.title, "body": self.body, "date": self.date, "scope": self.scope}


def scope_of(raw: dict) -> str:
    """The notice's audience in words, empty for the whole community (or an older hub)."""
    label = str(raw.get("scope_label") or "").strip()
    return "" if raw.get("scope_kind", "community") == "community" or label == "全社区" else label


def local_date(published_at: str | None) -> str:
    """``2026-12-04T08:06+08:00`` (already local) → ``12月4日``; empty when unreadable."""
    if not published_at:
        return ""
    try:
        when = datetime.fromisoformat(published_at)
    except ValueError:
        return ""
    return f"{when.month}月{when.day}日"


def short_body(body: str, limit: int = SPOKEN_BODY_CHARS) -> str:
    """The body to read aloud: whole when short, else up to a sentence end near ``limit``."""
    text = _SYMBOLS.sub("", " ".join(body.split()))
    if len(text) <= limit:
        return text
    end = _SENTENCE_END.search(text, limit // 2)
    if end is not None and end.end() <= limit + 30:
        return text[: end.end()]
    cut = max(text.rfind("，", 0, limit), text.rfind(",", 0, limit))
    return (text[:cut] if cut > limit // 2 else text[:limit]) + "。"


def notices_speech(notices: list[Notice]) -> str:
    """What the kiosk says: 社区公告，第一条：…。The screen shows the whole text."""
    if not notices:
        return ""
    parts = []
    for ordinal, notice in zip(ORDINALS, notices, strict=False):
        title = _SYMBOLS.sub("", notice.title).rstrip("。.！!？? ")
        body = short_body(notice.body).rstrip("。. ")
        whom = f"{notice.scope}：" if notice.scope else ""
        parts.append(f"{ordinal}，{whom}{title}。" + (f"{body}。" if body else ""))
    count = ("一条", "两条", "三条")[min(len(parts), 3) - 1]
    tail = "详细内容请看屏幕。" if any(short_body(n.body) != n.body for n in notices) else ""
    return f"社区公告，共{count}。" + "".join(parts) + tail


@dataclass
class WelcomeBoard:
    """Notices and open polls for the welcome screen, cached briefly (every greeting asks)."""

    app: FastAPI
    token: str
    cache_s: float = 30.0
    timeout_s: float = 5.0
    _notices: tuple[float, list[Notice]] | None = field(default=None, repr=False)
    _poll_open: tuple[float, bool] | None = field(default=None, repr=False)

    def _transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.app)

    def _fresh(self, cached: tuple[float, object] | None) -> bool:
        return cached is not None and time.monotonic() - cached[0] < self.cache_s

    async def notices(self) -> list[Notice]:
        """The newest current notices (at most 3); [] when there are none or they are away."""
        if self._notices is not None and self._fresh(self._notices):
            return list(self._notices[1])
        found: list[Notice] = []
        try:
            async with httpx.AsyncClient(
                transport=self._transport(), base_url="http://hub", timeout=self.timeout_s
            ) as client:
                resp = await client.get("/api/public/notices", params={"limit": MAX_NOTICES})
            if resp.status_code == 200:
                found = [
                    Notice(
                        title=str(n.get("title") or "").strip(),
                        body=str(n.get("body") or "").strip(),
                        date=local_date(n.get("published_at")),
                        scope=scope_of(n),
                    )
                    for n in resp.json()[:MAX_NOTICES]
                    if isinstance(n, dict) and (n.get("title") or n.get("body"))
                ]
            else:
                logger.info("Notices not available for the kiosk: %s", resp.status_code)
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("Notices not available for the kiosk: %s", type(exc).__name__)
        self._notices = (time.monotonic(), found)
        return list(found)

    async def poll_open(self) -> bool:
        """True when residents can vote in a poll now (the 投票 start button is shown)."""
        if self._poll_open is not None and self._fresh(self._poll_open):
            return self._poll_open[1]
        try:
            from deliberation.client import DeliberationClient, DeliberationClientError
        except ImportError:  # a hub without 议事
            self._poll_open = (time.monotonic(), False)
            return False
        is_open = False
        try:
            async with DeliberationClient(
                "http://hub", self.token, self.timeout_s, transport=self._transport()
            ) as client:
                is_open = bool(await client.open_polls())
        except DeliberationClientError as exc:  # 404: 议事 is not part of this hub
            logger.info("Open polls not available for the kiosk: %s", exc.status_code)
        except (ServiceUnavailable, ValueError) as exc:
            logger.warning("Open polls not available for the kiosk: %s", exc)
        self._poll_open = (time.monotonic(), is_open)
        return is_open
