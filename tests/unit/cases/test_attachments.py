"""Photos and locations attached to a resident's case: limits, ownership, staff view, full disk."""

from __future__ import annotations

import errno
import struct
import zlib

import pytest
from fastapi.testclient import TestClient

from cases.attachments import AttachmentStore, StorageFull, sniff_image

TOKEN_HEADERS = {"Authorization": "Bearer test-service-token"}


def tiny_png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def case_no(reporter, db_url: str) -> str:  # noqa: ANN001
    return reporter.report(sender_id="tg:42", location={"building": "5"})["case_no"]


def post(api: TestClient, case_no: str, **kw: object):  # noqa: ANN201
    files = kw.pop("files", None)
    return api.post(
        f"/api/cases/{case_no}/attachments", data=kw, files=files, headers=TOKEN_HEADERS
    )


def test_photo_and_location_are_attached_and_listed(api: TestClient, case_no: str, login) -> None:  # noqa: ANN001
    r = post(
        api,
        case_no,
        kind="photo",
        sender_id="tg:42",
        files={"file": ("a.png", tiny_png(), "image/png")},
    )
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "image/png"
    r = post(api, case_no, kind="location", sender_id="tg:42", latitude="30.5", longitude="114.3")
    assert r.status_code == 201
    listed = api.get(f"/api/cases/{case_no}/attachments", headers=TOKEN_HEADERS).json()
    assert [a["kind"] for a in listed] == ["photo", "location"]
    history = api.get(f"/api/cases/{case_no}/history", headers=TOKEN_HEADERS).json()
    assert any("照片" in h["text"] for h in history)
    admin = login("boss", "admin")
    page = admin.api.get(f"/staff/cases/{case_no}")
    assert "居民补充的照片和位置" in page.text and "30.50000" in page.text
    photo_id = listed[0]["id"]
    img = admin.api.get(f"/staff/cases/{case_no}/attachments/{photo_id}")
    assert img.status_code == 200 and img.content == tiny_png()
    assert api.get(
        f"/staff/cases/{case_no}/attachments/{photo_id}", follow_redirects=False
    ).status_code in (303, 401, 403)


def test_limits_and_ownership(api: TestClient, case_no: str) -> None:
    not_image = post(
        api,
        case_no,
        kind="photo",
        sender_id="tg:42",
        files={"file": ("x.jpg", b"hello world", "image/jpeg")},
    )
    assert not_image.status_code == 415 and "JPG" in not_image.json()["detail"]
    big = b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024)
    too_big = post(
        api, case_no, kind="photo", sender_id="tg:42", files={"file": ("x.jpg", big, "image/jpeg")}
    )
    assert too_big.status_code == 413
    other = post(api, case_no, kind="location", sender_id="tg:99", latitude="1", longitude="2")
    assert other.status_code == 403
    assert (
        post(
            api, "BS-20990101-0001", kind="location", sender_id="tg:42", latitude="1", longitude="2"
        ).status_code
        == 404
    )
    assert api.get(f"/api/cases/{case_no}/attachments", headers=TOKEN_HEADERS).json() == []


def test_full_disk_stores_nothing(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    store = AttachmentStore(tmp_path)
    real_open = open

    def full_open(path, mode="r", *a, **kw):  # noqa: ANN001, ANN202
        if "w" in mode and str(path).endswith(".part"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *a, **kw)

    monkeypatch.setattr("builtins.open", full_open)
    from datetime import UTC, datetime

    with pytest.raises(StorageFull):
        store.add_photo("BS-20261121-0001", tiny_png(), datetime.now(UTC))
    monkeypatch.undo()
    assert store.list("BS-20261121-0001") == []
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_sniffing() -> None:
    assert sniff_image(tiny_png()) == "image/png"
    assert sniff_image(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_image(b"<svg></svg>") is None
