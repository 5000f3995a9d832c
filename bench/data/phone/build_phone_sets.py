"""Rebuild the held-out phone-number recordings (another speaker) into ``var/speech/``.

Also ``var/speech/aishell_sample_places/``: the same speakers saying place names alone (60
recordings), the real-speech proxy for the location question in the per-kind steering bench.

The 29 real recordings of speaker S0150 reading 11-digit mobile numbers (AISHELL sample prompts
W0082–W0110) are read from a snapshot of the public repository ``QianZ423/kaldi-asr-aishell-sample``
pinned by commit, checked by SHA-256 and written as ``var/speech/aishell_sample_phones_S0150/``
(``wav/``, ``transcripts.tsv``, ``metadata.tsv``) in the layout of ``../shared/data/speech``.
The audio is not redistributed by the project (see ``SOURCES.md`` beside this script).

Run: ``.venv/bin/python -m bench.data.phone.build_phone_sets [--source DIR] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import subprocess
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[3]
REPO = "QianZ423/kaldi-asr-aishell-sample"
COMMIT = "4e69bf1a29621515d4a21ef6c2458335e6f86e24"
DEFAULT_SOURCES = (Path("/work/.mirror/QianZ423+kaldi-asr-aishell-sample/repo"),)
"""Where a snapshot of the repository may already be (a workplace mirror; a git directory)."""
NAME = "aishell_sample_phones_S0150"
DEFAULT_OUT = ROOT / "var" / "speech" / NAME
SPEAKER = "S0150"
UTTERANCES = range(82, 111)
"""W0082–W0110: the speaker's 11-digit mobile numbers read digit by digit."""
PLACES = "aishell_sample_places"
PLACES_OUT = ROOT / "var" / "speech" / PLACES
PLACE_UTTERANCES = {"S0150": range(6, 36), "S0252": range(6, 36)}
"""W0006–W0035 of both speakers: place names said alone (shops, parks, gates: "世纪公园(三号门)"),
the nearest real speech to an answer to "在哪里？" (issue 13 item 5, a proxy: no community's
buildings among them)."""


def find_source(explicit: str | None = None) -> Path | None:
    """The git directory of the snapshot: argument, ``LINLI_PHONE_SOURCE`` or a known mirror."""
    for candidate in (explicit, os.environ.get("LINLI_PHONE_SOURCE"), *DEFAULT_SOURCES):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def _blob(source: Path, path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(source), "show", f"{COMMIT}:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def _wav_seconds(data: bytes) -> float:
    """Duration of a 16 kHz mono 16-bit PCM WAV (44-byte header, as these files are)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a WAV file")
    return (len(data) - 44) / (16000 * 2)


def build(source: Path, out: Path = DEFAULT_OUT) -> int:
    """Write the set; returns the number of recordings."""
    if (source / ".git").is_dir():
        source = source / ".git"
    (out / "wav").mkdir(parents=True, exist_ok=True)
    rows, meta = ["file\ttext"], ["file\tduration_s\tspeaker\tsha256\tsource"]
    for n in UTTERANCES:
        stem = f"BAC009{SPEAKER}W{n:04d}"
        text = _blob(source, f"AISHELL_Sample_data/{stem}.txt").decode("utf-8-sig").strip()
        if len(text) != 11 or not text.startswith("一"):
            raise ValueError(f"{stem}: not an 11-digit mobile number: {text!r}")
        audio = _blob(source, f"AISHELL_Sample_data/{stem}.wav")
        (out / "wav" / f"{stem}.wav").write_bytes(audio)
        rel = f"wav/{stem}.wav"
        rows.append(f"{rel}\t{text}")
        meta.append(
            f"{rel}\t{_wav_seconds(audio):.3f}\t{SPEAKER}\t{hashlib.sha256(audio).hexdigest()}\t"
            f"{REPO}@{COMMIT[:12]}:AISHELL_Sample_data/{stem}.wav"
        )
    (out / "transcripts.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (out / "metadata.tsv").write_text("\n".join(meta) + "\n", encoding="utf-8")
    logger.info("wrote %d recordings to %s", len(rows) - 1, out)
    return len(rows) - 1


def build_places(source: Path, out: Path = PLACES_OUT) -> int:
    """Write the place-name set (both speakers); returns the number of recordings."""
    if (source / ".git").is_dir():
        source = source / ".git"
    (out / "wav").mkdir(parents=True, exist_ok=True)
    rows, meta = ["file\ttext"], ["file\tduration_s\tspeaker\tsha256\tsource"]
    for speaker, numbers in PLACE_UTTERANCES.items():
        for n in numbers:
            stem = f"BAC009{speaker}W{n:04d}"
            text = _blob(source, f"AISHELL_Sample_data/{stem}.txt").decode("utf-8-sig").strip()
            audio = _blob(source, f"AISHELL_Sample_data/{stem}.wav")
            (out / "wav" / f"{stem}.wav").write_bytes(audio)
            rel = f"wav/{stem}.wav"
            rows.append(f"{rel}\t{text}")
            meta.append(
                f"{rel}\t{_wav_seconds(audio):.3f}\t{speaker}\t{hashlib.sha256(audio).hexdigest()}"
                f"\t{REPO}@{COMMIT[:12]}:AISHELL_Sample_data/{stem}.wav"
            )
    (out / "transcripts.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (out / "metadata.tsv").write_text("\n".join(meta) + "\n", encoding="utf-8")
    logger.info("wrote %d recordings to %s", len(rows) - 1, out)
    return len(rows) - 1


def main() -> None:
    """Build from a snapshot (``--source``) into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help=f"git directory of a snapshot of {REPO}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    source = find_source(args.source)
    if source is None:
        raise SystemExit(
            f"no snapshot of {REPO} found: clone it (git clone https://github.com/{REPO}) and "
            "pass --source DIR (see bench/data/phone/SOURCES.md)"
        )
    build(source, args.out)
    build_places(source)


if __name__ == "__main__":
    main()
