"""Backup and restore of a data directory: real hub data in, a fresh hub on the restored copy."""

from __future__ import annotations

import io
import json
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import core.hub
from core.backup import BackupError, create_backup, main, restore_backup
from core.config import HubSettings

TOKEN = "backup-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
FAQ = {"question": "社区图书室几点开门", "answer": "三楼图书室每天 9:00–17:00 开放。"}


@pytest.fixture(autouse=True)
def _parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core.hub, "PARTS", ("cases.api", "knowledge.api"))
    monkeypatch.setenv("KB_EMBEDDER", "hashing")


def _app(data_dir: Path) -> FastAPI:
    app = core.hub.create_app(HubSettings(data_dir=data_dir, service_token=TOKEN))
    app.state.cases.settings.sweep_interval_s = 0
    return app


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[tuple[Path, TestClient, dict]]:
    """A running hub with a case (and photo), a new FAQ and an index cache file."""
    data = tmp_path / "data"
    with TestClient(_app(data)) as api:
        case = api.post("/api/cases", headers=AUTH, json={
            "type": "report", "category": "leak", "description": "厨房漏水",
            "location": {"building": "3"}, "contact_phone": "13812345678", "sender_id": "tg:1",
        }).json()  # fmt: skip
        photo = api.post(f"/api/cases/{case['case_no']}/attachments", headers=AUTH,
                         data={"kind": "photo", "sender_id": "tg:1"},
                         files={"file": ("a.png", PNG, "image/png")})  # fmt: skip
        assert photo.status_code == 201
        faq = api.post("/api/kb/faqs", json=FAQ, headers=AUTH).json()
        cache = data / "models" / "kb-cache" / "passages-test.npz"
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(b"vectors")
        (data / "extra.db").write_text("not sqlite, skipped")
        yield data, api, {"case": case, "faq": faq}


def test_backup_while_running_and_restore_into_an_empty_dir(
    filled: tuple[Path, TestClient, dict], tmp_path: Path
) -> None:
    data, live_api, made = filled
    archive = create_backup(data, tmp_path / "out")  # the hub is still running
    assert archive.name.startswith("linli-backup-") and archive.name.endswith(".tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    files = {f["path"]: f for f in manifest["files"]}
    assert {"cases.db", "knowledge.db", "models/kb-cache/passages-test.npz"} <= set(files)
    assert "extra.db" not in files
    assert any(p.startswith(f"attachments/{made['case']['case_no']}/") for p in files)
    assert all(len(f["sha256"]) == 64 for f in files.values())

    live_api.post("/api/cases", headers=AUTH, json={"type": "report", "description": "备份之后的"})

    target = tmp_path / "restored"
    restore_backup(archive, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert stat.S_IMODE((target / "cases.db").stat().st_mode) == 0o600
    with TestClient(_app(target)) as api:
        case_no = made["case"]["case_no"]
        got = api.get(f"/api/cases/{case_no}", headers=AUTH)
        assert got.status_code == 200 and got.json()["description"] == "厨房漏水"
        assert [c["case_no"] for c in api.get("/api/cases", params={"sender_id": "tg:1"},
                                              headers=AUTH).json()] == [case_no]  # fmt: skip
        faq = api.get(f"/api/kb/faqs/{made['faq']['id']}", headers=AUTH).json()
        assert faq["question"] == FAQ["question"]
        hits = api.get("/api/kb/search", params={"q": "图书室几点开门"}).json()["hits"]
        assert hits[0]["faq_id"] == made["faq"]["id"]
        queue = api.get(
            "/api/cases", params={"sender_id": "tg:1", "limit": 50}, headers=AUTH
        ).json()
        assert len(queue) == 1  # the case made after the backup is not there
    photo = next((target / "attachments" / made["case"]["case_no"]).glob("*.png"))
    assert photo.read_bytes() == PNG
    assert (target / "models/kb-cache/passages-test.npz").read_bytes() == b"vectors"


def test_restore_refuses_a_tampered_archive_and_writes_nothing(
    filled: tuple[Path, TestClient, dict], tmp_path: Path
) -> None:
    data, _, _ = filled
    archive = create_backup(data, tmp_path / "out")
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            body = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "knowledge.db":
                body = body[:-1] + bytes([body[-1] ^ 1])
            dst.addfile(member, io.BytesIO(body))
    target = tmp_path / "restored"
    with pytest.raises(BackupError, match="校验失败"):
        restore_backup(tampered, target)
    assert [p.name for p in target.iterdir()] == []


def test_restore_refuses_unsafe_paths_and_overwrites(filled: tuple[Path, TestClient, dict],
                                                     tmp_path: Path) -> None:  # fmt: skip
    data, _, _ = filled
    evil = tmp_path / "evil.tar.gz"
    manifest = json.dumps(
        {
            "format": "linli-backup/1",
            "files": [{"path": "../escape.db", "kind": "sqlite", "sha256": "0" * 64, "size": 1}],
        }
    ).encode()
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
    with pytest.raises(BackupError, match="不安全"):
        restore_backup(evil, tmp_path / "t")
    archive = create_backup(data, tmp_path / "out")
    with pytest.raises(BackupError, match="--force"):
        restore_backup(archive, data)
    assert restore_backup(archive, tmp_path / "again")  # an empty target is fine


def test_cli(filled: tuple[Path, TestClient, dict], tmp_path: Path,
             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    data, _, _ = filled
    assert main(["create", "--data-dir", str(data), "--out", str(tmp_path / "b")]) == 0
    archive = Path(capsys.readouterr().out.strip())
    assert main(["restore", str(archive), "--data-dir", str(tmp_path / "r")]) == 0
    assert "校验全部通过" in capsys.readouterr().out
    assert (
        main(["restore", str(tmp_path / "missing.tar.gz"), "--data-dir", str(tmp_path / "x")]) == 2
    )
    (data / "cases.db").chmod(0o644)
    assert main(["harden", "--data-dir", str(data)]) == 0
    assert stat.S_IMODE((data / "cases.db").stat().st_mode) == 0o600
