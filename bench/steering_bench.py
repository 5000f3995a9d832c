"""Steering benchmark → bench/results/steering.json: does prompting Whisper help on real speech?

Real recordings nobody primed for (AISHELL-1/-3 and Common Voice sentences, and the real phone
numbers read aloud of ``aishell_sample_digits_S0252``) are recognised with:

- ``generic``: only "以下是普通话的句子。" (the Simplified-Chinese lead-in Whisper needs);
- ``base``: the recogniser's own lead-in (``build_prompt(None)``);
- ``steered``: the prompt the kiosk uses for the question (``free`` for sentences, ``phone`` for
  the numbers);
- ``old_primed``: the prompt of before issue 18, whose lead-in held the test clips' sentences
  ("五号楼二单元的电梯坏了" …), kept here only as the comparison.

The synthetic clips (neural TTS) are recognised with today's per-question prompts, for comparison
with the earlier, primed figure. Run: ``python bench/steering_bench.py``.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from bench.machine import machine_info
from bench.voice_bench import REAL_SETS, SPEECH, STEER, read_clip, rows
from voice.asr import Expectation, expectation_for
from voice.metrics import cer

logger = logging.getLogger("steering_bench")
ROOT = Path(__file__).resolve().parents[1]
PHONE_SET = "aishell_sample_digits_S0252"
GENERIC = "以下是普通话的句子。"
OLD_BASE = "我要报事，楼道灯坏了。五号楼二单元的电梯坏了。我想咨询一下。我要办居住证明、高龄津贴。"
OLD_FREE = (
    f"{OLD_BASE}请问您要办什么？报事，我要报事，咨询，办事，社区，物业，楼道灯，电梯，漏水，垃圾，"
    "路灯，高龄津贴，居住证明，老年卡。"
)
OLD_PHONE = (
    f"{OLD_BASE}电话号码是多少？电话就不留了，不留电话，不方便，一三八，一三九，一五，一八，一，二，"
    "三，四，五，六，七，八，九，十，零。"
)
PREVIOUS = {
    "cer_real_free_primed": 0.1546,
    "cer_synthetic_steered_primed": 0.0807,
    "cer_synthetic_generic_prompt": 0.1076,
    "phone_exact_generic": "13/29",
    "phone_exact_phone_prompt": "10/29",
    "source": "bench/results/voice.json of 2026-11-21 (prompts of before issue 18) and "
    "../shared/data/speech/aishell_sample_digits_S0252/SOURCES.md",
}
"""Figures measured before the prompts lost the test sentences, as published then."""
_DIGIT = {"幺": "1", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6",
          "七": "7", "八": "8", "九": "9", "零": "0", "〇": "0", "洞": "0"}  # fmt: skip


def digits(text: str) -> str:
    """The digits of a spoken number, Chinese or Arabic (幺 = 1)."""
    return "".join(_DIGIT.get(ch, ch) for ch in text if ch in _DIGIT or ch.isdigit())


class _Prompted:
    """Recognise with a fixed prompt (bypassing ``build_prompt``)."""

    def __init__(self, rec, prompt: str) -> None:  # type: ignore[no-untyped-def]
        self.rec = rec
        self.prompt = prompt

    def text(self, path: Path) -> str:
        """The transcript of one clip with this prompt."""
        import voice.engines.whisper as whisper

        original = whisper.build_prompt
        whisper.build_prompt = lambda _expect, max_chars=180: self.prompt  # type: ignore[assignment]
        try:
            return self.rec.transcribe(read_clip(path), Expectation()).text
        finally:
            whisper.build_prompt = original


def run(model_dir: Path) -> dict:
    """All variants on the real sets, the phone numbers and the synthetic clips."""
    from voice.engines.whisper import BASE_PROMPT, WhisperRecognizer, steered_prompt

    rec = WhisperRecognizer(model_dir)
    rec.load()
    variants = {
        "generic": GENERIC,
        "base": BASE_PROMPT,
        "steered": steered_prompt(expectation_for("free")),
        "old_primed": OLD_FREE,
    }
    real = [(p, r) for folder in REAL_SETS for p, r in rows(folder)]
    out: dict = {"real_utterances": len(real), "prompts": variants}
    per: list[dict] = []
    for name, prompt in variants.items():
        hyps = [_Prompted(rec, prompt).text(p) for p, _ in real]
        out[f"cer_real_{name}"] = round(cer([r for _, r in real], hyps), 4)
        per.extend({"set": "real", "prompt": name, "file": p.name, "ref": r, "hyp": h}
                   for (p, r), h in zip(real, hyps, strict=True))  # fmt: skip
        logger.info("real, %s: CER %s", name, out[f"cer_real_{name}"])
    phones = rows(PHONE_SET)
    phone_variants = {
        "generic": GENERIC,
        "base": BASE_PROMPT,
        "steered": steered_prompt(expectation_for("phone")),
        "old_primed": OLD_PHONE,
    }
    for name, prompt in phone_variants.items():
        hyps = [_Prompted(rec, prompt).text(p) for p, _ in phones]
        exact = sum(digits(h) == digits(r) for (_, r), h in zip(phones, hyps, strict=True))
        out[f"phone_exact_{name}"] = exact
        out[f"phone_exact_rate_{name}"] = round(exact / len(phones), 3)
        per.extend({"set": "phone", "prompt": name, "file": p.name, "ref": r, "hyp": h}
                   for (p, r), h in zip(phones, hyps, strict=True))  # fmt: skip
        logger.info("phone numbers, %s: %d/%d exact", name, exact, len(phones))
    out["phone_numbers"] = len(phones)
    synthetic = rows("synthetic_domain")
    refs, hyps = [], []
    for path, ref in synthetic:
        refs.append(ref)
        hyps.append(
            rec.transcribe(read_clip(path), expectation_for(STEER.get(path.stem, "free"))).text
        )
    out["cer_synthetic_steered"] = round(cer(refs, hyps), 4)
    out["synthetic_utterances"] = len(synthetic)
    out["previous"] = PREVIOUS
    out["utterances"] = per
    return out


def main() -> None:
    """Run and write bench/results/steering.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/steering.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from voice.provision import provision_whisper_base

    if not SPEECH.is_dir():
        raise SystemExit(f"speech data missing: {SPEECH} (../shared beside the repository)")
    results = {
        "machine": machine_info(with_rasa=False),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        **run(provision_whisper_base(ROOT / "var").path),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    logger.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
