"""The REPORT.md section of ``bench/results/steering.json`` (bench/steering_bench.py)."""

from __future__ import annotations

from typing import Any

from bench.report_format import fmt, table


def section_steering(d: dict[str, Any]) -> list[str]:
    """Whisper prompts on real speech nobody primed for: generic vs steered vs the old prompt."""
    prev = d.get("previous") or {}
    n, phones = d.get("real_utterances"), d.get("phone_numbers")
    out = [
        f"Real recordings ({n} AISHELL-1/-3 and Common Voice sentences, {phones} real phone "
        "numbers read aloud), recognised with each prompt. `old_primed` is the prompt of before "
        "issue 18, whose lead-in held the synthetic test clips' sentences; it is measured here "
        "only for comparison. Lower CER is better; phone numbers count exact digit strings.",
        "",
    ]
    rows = [
        [name, d.get(f"cer_real_{name}"), f"{d.get(f'phone_exact_{name}')}/{phones}"]
        for name in ("generic", "base", "steered", "old_primed")
        if f"cer_real_{name}" in d
    ]
    out += table(["prompt", "CER, real sentences", "exact, real phone numbers"], rows)
    generic, steered = d.get("cer_real_generic"), d.get("cer_real_steered")
    if generic is not None and steered is not None:
        wins = "wins" if steered < generic else "does not win"
        pg, ps = d.get("phone_exact_generic"), d.get("phone_exact_steered")
        out += [
            f"Steering by the question {wins} on real sentences (CER {fmt(steered)} steered vs "
            f"{fmt(generic)} generic); on real phone numbers it gets {ps}/{phones} exact vs "
            f"{pg}/{phones} generic. The synthetic clips are no evidence for steering: they are "
            "neural TTS, and their sentences were in the old prompt (hence the lower CER then).",
            "",
        ]
    out += table(
        ["synthetic clips (neural TTS), per-question prompts", "now", "before (primed)"],
        [["CER", d.get("cer_synthetic_steered"), prev.get("cer_synthetic_steered_primed")]],
    )
    if prev:
        out += [
            f"Published before: real CER {fmt(prev.get('cer_real_free_primed'))} with the primed "
            f"free prompt; phone numbers {prev.get('phone_exact_generic')} generic, "
            f"{prev.get('phone_exact_phone_prompt')} with the phone prompt ({prev.get('source')}).",
            "",
        ]
    return out
