"""One staff dependency for every hub part (``core/staff_auth.py``): the service token, or the
console login the case system registers as the hub's staff source (the real source is exercised
through the knowledge base's and 议事's staff APIs: tests/unit/privacy, tests/unit/deliberation)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

from core.staff_auth import (
    SERVICE,
    RequireStaff,
    ServiceDep,
    StaffDep,
    StaffPrincipal,
    StaffSession,
    register_staff_source,
)

TOKEN = "staff-auth-token"
WANG = StaffPrincipal(name="staff:wang", role="grid_worker", username="wang", display="王",
                      grid_codes=frozenset({"G2"}))  # fmt: skip
EditorDep = Annotated[StaffPrincipal, Depends(RequireStaff(changes_by=frozenset({"admin"})))]


def _app(logged_in: StaffSession | None, *, source: bool = True) -> TestClient:
    app = FastAPI()
    app.state.settings = SimpleNamespace(service_token=TOKEN)
    if source:
        register_staff_source(app.state, lambda request: logged_in)

    @app.api_route("/who", methods=["GET", "POST"])
    def who(caller: StaffDep) -> dict:
        return {"name": caller.name, "role": caller.role, "grids": sorted(caller.grid_codes)}

    @app.post("/edit")
    def edit(caller: EditorDep) -> dict:
        return {"name": caller.name}

    @app.get("/internal")
    def internal(caller: ServiceDep, request: Request) -> dict:
        return {"name": caller.name}

    return TestClient(app)


def test_the_service_token_names_the_actor() -> None:
    client = _app(None)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/who", headers=auth).json() == {
        "name": SERVICE,
        "role": SERVICE,
        "grids": [],
    }
    named = client.post("/who", headers={**auth, "X-Staff-Name": "%E7%8E%8B"}).json()
    assert named["name"] == "staff:王" and named["role"] == SERVICE
    assert client.get("/who", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/internal", headers=auth).json() == {"name": SERVICE}
    assert client.get("/internal").status_code == 401


def test_a_console_login_reads_freely_and_changes_with_its_csrf_token() -> None:
    client = _app(StaffSession(WANG, "csrf-1"))
    assert client.get("/who").json() == {
        "name": "staff:wang",
        "role": "grid_worker",
        "grids": ["G2"],
    }
    assert client.post("/who").status_code == 403
    assert client.post("/who", headers={"X-CSRF-Token": "csrf-2"}).status_code == 403
    assert client.post("/who", headers={"X-CSRF-Token": "csrf-1"}).status_code == 200
    refused = client.post("/edit", headers={"X-CSRF-Token": "csrf-1"})  # not an editor role
    assert refused.status_code == 403
    assert client.get("/internal").status_code == 401  # a login is not the service token


def test_nobody_is_logged_in_without_a_login_or_a_staff_source() -> None:
    assert _app(None).get("/who").status_code == 401
    assert _app(StaffSession(WANG, "x"), source=False).get("/who").status_code == 401
