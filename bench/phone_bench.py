"""Phone-number benchmark → bench/results/phone.json: numbers read aloud, heard right?

Real recordings only, two speakers kept apart:

- **dev** ``../shared/data/speech/aishell_sample_digits_S0252`` (29 recordings, speaker S0252):
  the digit path was tuned here. These are 8-digit strings (not 11-digit phone numbers, whatever
  the folder's README says), so the digit path is told the shape "8 digits" instead of "a phone".
- **held-out** ``var/speech/aishell_sample_phones_S0150`` (29 recordings of 11-digit mobile
  numbers, speaker S0150; rebuilt by ``bench/data/phone/build_phone_sets.py``, not redistributed):
  measured with the recogniser exactly as the kiosk runs it for the phone question; never tuned on.

Per number: exact on the first try; digit accuracy (1 − edit distance / length); and whether all
wrong digits lie in ONE reading group (3-4-4) with the length right: then one correction turn
that gets that group right (typed on the keypad, or said again and heard right) completes it.
No recording of a single group said alone exists here, so the "after one correction" figure
assumes the corrected group is entered right; it is an upper bound for a spoken correction.

Compared with the plain recogniser (generic prompt, and the phone-question prompt of before).
Run: ``.venv/bin/python -m bench.phone_bench [--sets dev,heldout]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from bench.data.phone.build_phone_sets import DEFAULT_OUT as HELDOUT_DIR
from bench.machine import machine_info
from bench.voice_bench import SPEECH, read_clip
from voice.asr import Expectation
from voice.digits import differing_groups, is_phone, spoken_digits
from voice.metrics import edit_distance

logger = logging.getLogger("phone_bench")
ROOT = Path(__file__).resolve().parents[1]
GENERIC = "以下是普通话的句子。"
OLD_PHONE_PROMPT = (
    "以下是普通话的句子，是居民跟社区说的话。您的手机号是多少？不留，不方便，一三八，一三九，一五，一八，"
    "一，二，三，四，五，六，七，八，九，十，零。"
)
"""The phone question's prompt before the digit path (``build_prompt`` for ``phone``)."""
SETS = {
    "dev": (SPEECH / "aishell_sample_digits_S0252", 8),
    "heldout": (HELDOUT_DIR, 11),
}


def load(folder: Path) -> list[tuple[Path, str]]:
    """(wav, reference digits) of a speech folder."""
    lines = (folder / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [(folder / a, spoken_digits(b)) for a, b in (ln.split("\t", 1) for ln in lines if ln)]


def score(ref: str, hyp: str) -> dict:
    """Exact, digit accuracy, fixable with one group correction."""
    wrong = differing_groups(hyp, ref)
    return {
        "exact": hyp == ref,
        "digit_acc": max(0.0, 1 - edit_distance(ref, hyp) / len(ref)),
        "one_group": hyp == ref or (len(hyp) == len(ref) and len(wrong) == 1),
    }


def summarise(rows: list[dict]) -> dict:
    """Rates over a set."""
    n = len(rows)
    return {
        "n": n,
        "exact": sum(r["exact"] for r in rows),
        "exact_rate": round(sum(r["exact"] for r in rows) / n, 3),
        "digit_accuracy": round(sum(r["digit_acc"] for r in rows) / n, 3),
        "after_one_correction": round(sum(r["one_group"] for r in rows) / n, 3),
        "mean_s": round(sum(r["seconds"] for r in rows) / n, 2),
    }


def run_set(rec, folder: Path, length: int, names: list[str]) -> dict:  # type: ignore[no-untyped-def]
    """The digit path and the plain prompts on one folder."""
    accept: Callable[[str], bool] = is_phone if length == 11 else (lambda d: len(d) == length)
    data = load(folder)
    variants: dict[str, Callable] = {
        "digit_path": lambda clip: rec.transcribe_number(clip, accept=accept, length=length)[0],
        "generic_prompt": lambda clip: _plain(rec, clip, GENERIC),
        "old_phone_prompt": lambda clip: _plain(rec, clip, OLD_PHONE_PROMPT),
    }
    out: dict = {"folder": str(folder), "digits": length, "variants": {}}
    for name in names:
        fn, rows = variants[name], []
        for path, ref in data:
            started = time.perf_counter()
            heard = fn(read_clip(path))
            row = {"file": path.name, "ref": ref, "heard": heard, "digits": spoken_digits(heard)}
            row.update(score(ref, row["digits"]), seconds=time.perf_counter() - started)
            rows.append(row)
        out["variants"][name] = {**summarise(rows), "utterances": rows}
        logger.info("%s %s: %s", folder.name, name, summarise(rows))
    return out


def _plain(rec, clip, prompt: str) -> str:  # type: ignore[no-untyped-def]
    """The recogniser's ordinary decoding with a fixed prompt (no digit path)."""
    import voice.engines.whisper as whisper

    original = whisper.build_prompt
    whisper.build_prompt = lambda _expect, max_chars=180: prompt  # type: ignore[assignment]
    try:
        return rec.transcribe(clip, Expectation()).text
    finally:
        whisper.build_prompt = original


def main() -> None:
    """Run and write bench/results/phone.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="dev,heldout")
    parser.add_argument("--variants", default="digit_path,generic_prompt,old_phone_prompt")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/phone.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from voice.engines.whisper import WhisperRecognizer
    from voice.provision import provision_whisper_base

    rec = WhisperRecognizer(provision_whisper_base(ROOT / "var").path)
    rec.load()
    results: dict = {
        "machine": machine_info(with_rasa=False),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "note": __doc__,
    }
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    for name in args.sets.split(","):
        folder, length = SETS[name]
        if not (folder / "transcripts.tsv").exists():
            raise SystemExit(f"{folder} missing (held-out: bench/data/phone/build_phone_sets.py)")
        results[name] = run_set(rec, folder, length, args.variants.split(","))
    for name in SETS:
        results.setdefault(name, previous.get(name))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    logger.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
