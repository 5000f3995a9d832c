"""Where the tests find the repository and the shared data (``../shared`` beside the repository).

Every test that needs shared data goes through :func:`shared_path` / :func:`speech_dir`, so a
checkout without ``../shared`` fails with one clear message instead of skipping silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
"""The repository root."""
SHARED = ROOT.parent / "shared"
"""The shared data, always relative to the repository (``../shared``)."""
SPEECH = SHARED / "data" / "speech"
"""Speech recordings with reference transcripts (one folder per source)."""
SYNTHETIC = SPEECH / "synthetic_domain" / "wav"
"""Neural-TTS clips of community sentences: SYNTHETIC speech, for flow tests only."""
REAL_SETS = ("aishell1_devtest_misc", "aishell3_demo_gt", "commonvoice_zhCN_flyai")
"""Folders of real human recordings (quote recognition accuracy only on these)."""
PHONE_SET = "aishell_sample_digits_S0252"
"""Real recordings of digit strings read aloud, one speaker (8 digits each, not 11 as the
folder's README says): the phone bench's dev set."""


def shared_path(*parts: str) -> Path:
    """A path under ``../shared``; fails the test (never skips) when it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(
            f"shared data missing: {path} (the tests expect the shared data folder at "
            f"{SHARED}, i.e. ../shared beside the repository)",
            pytrace=False,
        )
    return path


def speech_dir(folder: str) -> Path:
    """A speech folder under ``../shared/data/speech``; fails clearly when it is missing."""
    return shared_path("data", "speech", folder)


def synthetic_clip(name: str) -> Path:
    """A SYNTHETIC (neural TTS) clip of ``synthetic_domain``; fails clearly when missing."""
    return shared_path("data", "speech", "synthetic_domain", "wav", name)


def transcripts(folder: str) -> list[tuple[Path, str]]:
    """(wav path, reference) rows of a speech folder's ``transcripts.tsv``."""
    base = speech_dir(folder)
    rows: list[tuple[Path, str]] = []
    for line in (base / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            name, text = line.split("\t", 1)
            rows.append((base / name, text.strip()))
    return rows
