"""The case-system calls only the bot makes (``CaseClient``): attachments, buildings, notices per
building, and which hub answers mean "keep it for later" and which mean "refused for good"."""

from __future__ import annotations

import httpx
import pytest

from cases.client import Building, CaseClient
from core.errors import InvalidInput, ServiceUnavailable


def client_for(handler) -> CaseClient:  # type: ignore[no-untyped-def]
    return CaseClient("http://hub", "tok", transport=httpx.MockTransport(handler))


async def test_attachment_is_posted_as_multipart_with_the_service_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": 1})

    async with client_for(handler) as client:
        await client.add_attachment(
            "BS-20261121-0042", "tg:7", kind="photo", data=b"\xff\xd8\xff", filename="a.jpg"
        )
        await client.add_attachment(
            "BS-20261121-0042", "tg:7", kind="location", latitude=31.2, longitude=121.5
        )
    photo, place = seen
    assert photo.url.path == "/api/cases/BS-20261121-0042/attachments"
    assert photo.headers["authorization"] == "Bearer tok"
    body = photo.content
    assert b'name="kind"' in body and b"photo" in body and b'filename="a.jpg"' in body
    assert b"image/jpeg" in body and b"tg:7" in body
    assert b"31.200000" in place.content and b"121.500000" in place.content


@pytest.mark.parametrize(
    ("status", "text", "error"),
    [
        (404, "Not Found", ServiceUnavailable),  # an older hub without the route: keep it
        (405, "Method Not Allowed", ServiceUnavailable),
        (503, "down", ServiceUnavailable),
        (413, "too big", InvalidInput),
        (403, "只能给自己的事项补充照片或位置", InvalidInput),
        (422, '{"detail": "attachments: bad type"}', InvalidInput),
    ],
)
async def test_attachment_answers(status: int, text: str, error: type[Exception]) -> None:
    async with client_for(lambda request: httpx.Response(status, text=text)) as client:
        with pytest.raises(error):
            await client.add_attachment("BS-20261121-0042", "tg:7", kind="photo", data=b"x")


async def test_attachment_hub_unreachable_is_kept() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with client_for(handler) as client:
        with pytest.raises(ServiceUnavailable):
            await client.add_attachment("BS-20261121-0042", "tg:7", kind="photo", data=b"x")


async def test_buildings_and_notices_for_a_building() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/resident/buildings":
            return httpx.Response(200, json=[{"code": 5, "name": "5号楼"}])
        assert request.url.path == "/api/public/notices"
        assert request.url.params["building"] == "5" and request.url.params["limit"] == "50"
        return httpx.Response(200, json=[{"id": 3}, {"id": "4"}])

    async with client_for(handler) as client:
        assert await client.buildings() == [Building(code="5", name="5号楼")]
        assert await client.notices_for_building("5") == {3, 4}


async def test_buildings_not_200_is_unavailable() -> None:
    async with client_for(lambda request: httpx.Response(404, json={})) as client:
        with pytest.raises(ServiceUnavailable):
            await client.buildings()
        with pytest.raises(ServiceUnavailable):
            await client.notices_for_building("5")
