"""Steering per question kind → bench/results/steering_kinds.json: does the word list help?

For each kind the recogniser is run twice on the same recordings: ``generic`` (the plain
Simplified lead-in, ``BASE_PROMPT``) and ``steered`` (lead-in + the question + the kind's expected
words, ``steered_prompt``). Real recordings decide; the kinds with none get the plain lead-in
(``voice.engines.whisper.STEERED_KINDS``).

- ``free`` / ``description``: real Mandarin sentences (AISHELL-1, AISHELL-3, Common Voice: 29).
- ``location``: real place names said alone (60, two AISHELL speakers; a proxy: shops, parks and
  gates, not a community's buildings; ``bench/data/phone/build_phone_sets.py``).
- ``phone``: real numbers read aloud, from ``bench/results/phone.json`` (the digit path there).
- every kind: the synthetic (neural TTS) clips of ``synthetic_domain`` as a check only — they
  are not real speech and decide nothing, but show what switching a kind off would break.

Run: ``.venv/bin/python -m bench.steering_kinds``.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from bench.data.phone.build_phone_sets import PLACES_OUT
from bench.machine import machine_info
from bench.voice_bench import REAL_SETS, STEER, read_clip, rows
from voice.asr import Expectation, expectation_for
from voice.metrics import cer

logger = logging.getLogger("steering_kinds")
ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC_KIND = {**STEER, "stop": "command", "human": "command", "repeat": "command"}


def _load(folder: Path) -> list[tuple[Path, str]]:
    lines = (folder / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [(folder / a, b) for a, b in (ln.split("\t", 1) for ln in lines if ln)]


def _texts(rec, data: list[tuple[Path, str]], prompt: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Transcripts with a fixed prompt (the ordinary decoding, not the digit path)."""
    import voice.engines.whisper as whisper

    original = whisper.build_prompt
    whisper.build_prompt = lambda _expect, max_chars=180: prompt  # type: ignore[assignment]
    try:
        return [rec.transcribe(read_clip(p), Expectation()).text for p, _ in data]
    finally:
        whisper.build_prompt = original


def compare(rec, kind: str, data: list[tuple[Path, str]]) -> dict:  # type: ignore[no-untyped-def]
    """CER generic vs steered for one kind on one set."""
    from voice.engines.whisper import BASE_PROMPT, steered_prompt

    refs = [r for _, r in data]
    out: dict = {"n": len(data)}
    for name, prompt in (
        ("generic", BASE_PROMPT),
        ("steered", steered_prompt(expectation_for(kind))),
    ):
        hyps = _texts(rec, data, prompt)
        out[f"cer_{name}"] = round(cer(refs, hyps), 4)
        out[f"empty_{name}"] = sum(not h for h in hyps)
        out[f"hyps_{name}"] = [{"file": p.name, "ref": r, "hyp": h}
                               for (p, r), h in zip(data, hyps, strict=True)]  # fmt: skip
    out["winner"] = "steered" if out["cer_steered"] < out["cer_generic"] else "generic"
    logger.info("%s: %s", kind, {k: v for k, v in out.items() if not k.startswith("hyps")})
    return out


def run(rec) -> dict:  # type: ignore[no-untyped-def]
    """The real comparisons and the synthetic check."""
    real_sentences = [(p, r) for folder in REAL_SETS for p, r in rows(folder)]
    real: dict = {
        "free": {
            "data": "AISHELL-1/-3 + Common Voice sentences",
            **compare(rec, "free", real_sentences),
        },
        "location": {
            "data": "AISHELL place names said alone (proxy)",
            **compare(rec, "location", _load(PLACES_OUT)),
        },  # fmt: skip
    }
    phone = json.loads((ROOT / "bench/results/phone.json").read_text())
    for name in ("dev", "heldout"):
        v = phone[name]["variants"]
        real[f"phone_{name}"] = {
            "data": phone[name]["folder"],
            "exact_generic": v["generic_prompt"]["exact_rate"],
            "exact_steered": v["old_phone_prompt"]["exact_rate"],
            "exact_digit_path": v["digit_path"]["exact_rate"],
            "winner": "digit path",
        }
    synthetic: dict = {}
    for kind in sorted(set(SYNTHETIC_KIND.values())):
        data = [(p, r) for p, r in rows("synthetic_domain") if SYNTHETIC_KIND.get(p.stem) == kind]
        synthetic[kind] = compare(rec, kind, data)
    return {"real": real, "synthetic_check": synthetic}


def main() -> None:
    """Run and write bench/results/steering_kinds.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/steering_kinds.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from voice.engines.whisper import STEERED_KINDS, WhisperRecognizer
    from voice.provision import provision_whisper_base

    rec = WhisperRecognizer(provision_whisper_base(ROOT / "var").path)
    rec.load()
    results = {
        "machine": machine_info(with_rasa=False),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "steered_kinds": sorted(STEERED_KINDS),
        **run(rec),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    logger.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
