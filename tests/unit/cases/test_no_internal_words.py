"""Nothing a resident or staff member reads contains an internal English identifier (issue 14
item 7): rendered console pages and CSV, the kiosk slip, the dashboard, bot and action replies
are scanned for ``[a-z_]{4,}`` words in their visible text (not URLs or attributes other than
the ones people read or hear)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

AUTH = {"Authorization": "Bearer test-service-token"}
WORD = re.compile(r"[a-z_]{4,}")
ALLOWED = ("Telegram",)
"""Names people know as they are."""
COMMAND = re.compile(r"/[a-z]+")
"""Bot commands residents type (/status, /human)."""
CJK = re.compile(r"[\u4e00-\u9fff]")
SHOWN_ATTRIBUTES = {"placeholder", "alt", "aria-label", "title"}


class _Visible(HTMLParser):
    """Text a person sees or hears: element text and the attributes read out, no scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(v or "" for k, v in attrs if k in SHOWN_ATTRIBUTES)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def internal_words(text: str) -> list[str]:
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    return WORD.findall(COMMAND.sub(" ", text))


def _staff(hub: FastAPI, username: str, role: str, name: str) -> TestClient:
    from cases import auth
    from cases.db import session_scope

    password = f"pw-{username}-long-enough"
    with session_scope(hub.state.cases.sessions) as session:
        auth.create_user(session=session, username=username, password=password,
                         role=auth.Role(role), now=hub.state.cases.clock.now(),
                         display_name=name, grid_codes=[])  # fmt: skip
    client = TestClient(hub)
    r = client.post("/staff/login", data={"username": username, "password": password},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    return client


async def _handoff_description(tmp_path: Path) -> str:
    """What the hand-off action writes into a call-back case."""
    from actions import runtime
    from actions.urgent import Handoff
    from core.config import ActionsSettings
    from harness.fakes.case_client import FakeCaseClient

    runtime.configure(ActionsSettings(data_dir=tmp_path, service_token="t"))
    fake = FakeCaseClient()
    runtime.set_clients(cases=fake)
    tracker = Tracker(
        sender_id="kiosk:k1", slots={"category": "leak", "description": "厨房水管一直滴水"},
        latest_message={"text": "转人工", "intent": {"name": "human_handoff", "confidence": 0.9}},
        events=[{"event": "user", "timestamp": 1700000000.0, "text": "转人工"}], paused=False,
        followup_action=None, active_loop={"name": "report_form"},
        latest_action_name="action_listen",
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    await Handoff().run(dispatcher, tracker, {})
    replies = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert not internal_words(replies), replies
    return fake.created[-1].description


async def test_console_slip_and_dashboard_show_no_internal_words(
    hub: FastAPI, api: TestClient, tmp_path: Path
) -> None:
    from voice.kiosk.app import _print_html

    handoff = await _handoff_description(tmp_path)
    bodies = [
        {"type": "report", "category": "leak", "description": "厨房水管一直滴水",
         "location": {"building": "5", "unit": "2", "room": "301"}, "channel": "kiosk",
         "sender_id": "kiosk:k1", "contact_phone": "13812345678"},
        {"type": "callback", "category": "leak", "description": handoff, "channel": "rest",
         "sender_id": "rest:r1", "contact_declined": True},
        {"type": "emergency", "description": "煤气味：厨房里煤气味很重", "channel": "web",
         "sender_id": "web:w1", "contact_declined": True},
        {"type": "service", "service_code": "elderly_allowance", "channel": "telegram",
         "sender_id": "tg:1", "contact_phone": "13812345678", "applicant": "母亲"},
    ]  # fmt: skip
    created = []
    for body in bodies:
        r = api.post("/api/cases", json=body, headers=AUTH)
        assert r.status_code == 201, r.text
        created.append(r.json())
    admin = _staff(hub, "wangzr", "admin", "王主任")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', admin.get("/staff/").text).group(1)
    first = created[0]["case_no"]
    for url, data in (
        (f"/staff/cases/{first}/status", {"new_status": "in_progress", "note": "师傅已上门"}),
        (f"/staff/cases/{first}/note", {"text": "住户下午才在家"}),
        (f"/staff/cases/{first}/recategorise", {"category": "drain", "reason": "其实是下水道"}),
        (f"/staff/cases/{first}/recategorise", {"category": "drain", "reason": "再确认"}),
    ):
        admin.post(url, data={"csrf_token": csrf, **data}, follow_redirects=True)
    api.post(f"/api/cases/{created[1]['case_no']}/attachments/location", headers=AUTH,
             json={"latitude": 31.2, "longitude": 121.4})  # fmt: skip

    pages = {"queue": admin.get("/staff/", params={"status": ""}).text,
             "notices": admin.get("/staff/notices").text,
             "missing": admin.get("/staff/cases/BS-20991231-9999").text,
             "refused": admin.get(f"/staff/cases/{first}",
                                  params={"err": "未能完成：类别没有变化"}).text}  # fmt: skip
    for case in created:
        pages[f"case {case['type']}"] = admin.get(f"/staff/cases/{case['case_no']}").text
        view = api.get(f"/api/resident/cases/{case['case_no']}",
                       headers={"X-Case-Access": case["access_code"]})  # fmt: skip
        assert view.status_code == 200, view.text
        pages[f"slip {case['type']}"] = _print_html(view.json()["case"], case["access_code"])
    dashboard = Path("voice/kiosk/static/dashboard.html").read_text(encoding="utf-8")
    stats = api.get("/api/public/stats").json()
    pages["dashboard"] = dashboard + "".join(f"<p>{c['name']}</p>" for c in stats["by_category"])
    found = {name: internal_words(visible_text(html)) for name, html in pages.items()}
    csv_text = admin.get("/staff/export.csv", params={"status": ""}).text
    found["csv"] = internal_words(csv_text)
    assert not {k: v for k, v in found.items() if v}, found


def _people_strings(package: str) -> dict[str, str]:
    """Module-level constants with Chinese in them: what the code says to people."""
    pkg = importlib.import_module(package)
    out = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"{package}.{info.name}")
        for name, value in vars(module).items():
            if name.startswith("_"):
                continue
            values = value.values() if isinstance(value, dict) else [value]
            for item in values:
                if isinstance(item, str) and CJK.search(item):
                    out[f"{package}.{info.name}.{name}"] = item
    return out


@pytest.mark.parametrize("package", ["bot", "actions"])
def test_bot_and_action_texts_have_no_internal_words(package: str) -> None:
    texts = _people_strings(package)
    assert texts
    found = {k: internal_words(re.sub(r"\{[a-z_]+\}", "", v)) for k, v in texts.items()}
    assert not {k: v for k, v in found.items() if v}, found


def test_status_reply_has_no_internal_words() -> None:
    from actions.status import describe_case
    from core.contracts import CasePublic, CaseType

    case = CasePublic(case_no="BS-20261203-0007", type=CaseType.REPORT, status="dispatched",
                      status_label="已派单", category_label="漏水", assignee="物业维修一组 赵师傅",
                      created_at=datetime(2026, 12, 3, 12, 34, tzinfo=UTC),
                      due_at=datetime(2026, 12, 4, 0, 30, tzinfo=UTC))  # fmt: skip
    assert not internal_words(describe_case(case))
