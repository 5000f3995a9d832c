"""One service-token check for every hub part (core/service_token.py): the same refusal
everywhere, never open when no token is configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

import core.hub
from core.config import HubSettings
from core.service_token import NOT_CONFIGURED, REFUSED, bearer_token, check_service_token

TOKEN = "a-long-enough-test-service-token"


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer ", "Basic " + TOKEN, "Bearer wrong", TOKEN]
)
def test_a_missing_or_wrong_token_is_refused(header: str | None) -> None:
    with pytest.raises(HTTPException) as refused:
        check_service_token(TOKEN, header)
    assert refused.value.status_code == 401 and refused.value.detail == REFUSED


def test_no_configured_token_refuses_everything() -> None:
    for expected in (None, ""):
        with pytest.raises(HTTPException) as refused:
            check_service_token(expected, "Bearer anything")
        assert refused.value.status_code == 503 and refused.value.detail == NOT_CONFIGURED


def test_the_right_token_passes() -> None:
    check_service_token(TOKEN, f"Bearer {TOKEN}")
    check_service_token(TOKEN, f"bearer  {TOKEN} ")
    assert bearer_token(f"Bearer {TOKEN}") == TOKEN


INTERNAL = [
    ("GET", "/api/cases"),
    ("POST", "/api/kb/ask"),
    ("POST", "/api/deliberation/proposals"),
    ("GET", "/kiosk/drafts"),
]


@pytest.mark.parametrize(("method", "path"), INTERNAL)
def test_every_hub_part_refuses_the_same_way(tmp_path: Path, method: str, path: str) -> None:
    app = core.hub.create_app(HubSettings(data_dir=tmp_path, service_token=TOKEN))
    app.state.kiosk_hub_settings = app.state.settings  # set by the kiosk at registration
    client = TestClient(app)  # no lifespan: the refusal comes before any database work
    r = client.request(method, path, json={}, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401, r.text
    assert r.json()["detail"] == REFUSED
