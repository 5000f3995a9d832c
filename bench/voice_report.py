"""The REPORT.md section of ``bench/results/voice.json`` (bench/voice_bench.py): ASR, TTS, the voice
turn and barge-in, beside the figures of before; and why the voice-turn goal was missed."""

from __future__ import annotations

from typing import Any

from bench.merge import lookup
from bench.report_format import flatten, fmt, table


def why_voice(results: dict[str, Any]) -> str:
    """Why the voice-turn p50 was missed: recognition and synthesis time, Whisper's RTF."""
    voice = results.get("voice", {})
    rec = lookup(voice, "asr.recognition_real.p50_s")
    turn = lookup(voice, "voice_turn.p50_s")
    tts = lookup(voice, "tts")
    parts = []
    if rec and turn:
        parts.append(
            f"Whisper recognition alone takes p50 {rec:.2f} s "
            f"({rec / turn * 100:.0f} % of the turn) on 2 CPU cores."
        )
    if isinstance(tts, dict):
        tts_p50 = next((v for k, v in flatten(tts).items() if k.endswith("p50_s")), None)
        if tts_p50:
            parts.append(f"TTS adds p50 {tts_p50:.2f} s per sentence.")
    rtf = lookup(voice, "asr.rtf_real")
    if rtf:
        parts.append(
            f"Whisper's real-time factor is {rtf:.2f} (compute seconds per second of speech)."
        )
    setup = lookup(voice, "voice_turn.setup")
    if setup:
        parts.append(f"Measured with: {setup}.")
    return " ".join(parts) or "See the voice section."


def section_voice(d: dict[str, Any]) -> list[str]:
    """ASR CER and time, TTS time, voice turn latency."""
    out = []
    asr = d.get("asr") or {}
    if asr:
        out += [f"ASR engine: {asr.get('engine', '—')} (load {fmt(asr.get('load_s'))} s).", ""]
        out += table(
            ["metric", "value"],
            [
                [k, v]
                for k, v in flatten(asr, max_depth=2).items()
                if k.startswith(("cer", "rtf", "recognition", "real_"))
            ],
        )
    vosk = d.get("asr_vosk") or {}
    if vosk.get("measured"):
        out += [
            f"vosk ({vosk.get('model')}): CER {fmt(vosk.get('cer_real'))} on the real recordings, "
            f"p50 {fmt(lookup(vosk, 'recognition_real.p50_s'))} s per utterance.",
            "",
        ]
    elif vosk:
        out += [f"vosk: not measured — {vosk.get('why', '')}.", ""]
    tts = d.get("tts") or {}
    if tts:
        out += ["TTS:", ""] + table(
            ["metric", "value"],
            [
                [k, v]
                for k, v in flatten(tts, max_depth=3).items()
                if not isinstance(v, str) or len(v) < 80
            ],
        )
    turn = d.get("voice_turn") or {}
    if turn:
        out += [
            f"Voice turn ({turn.get('measured', '')}; {turn.get('setup', '')}): "
            f"p50 {fmt(turn.get('p50_s'))} s, "
            f"p95 {fmt(turn.get('p95_s'))} s over {turn.get('n')} turns.",
            "",
        ]
    stop = turn.get("barge_in_stop") or {}
    if stop.get("n"):
        out += [
            f"Barge-in ({stop.get('measured', '')}): p50 {fmt(stop.get('p50_s'))} s, "
            f"p95 {fmt(stop.get('p95_s'))} s over {stop.get('n')} times.",
            "",
        ]
    return out + _voice_before(d)


VOICE_BEFORE = (
    ("CER, real recordings (free prompt)", "cer_real", "asr.cer_real"),
    ("CER, synthetic clips, generic prompt", "cer_synthetic_generic_prompt",
     "asr.cer_synthetic_generic_prompt"),
    ("CER, synthetic clips, steered by the question", "cer_synthetic_steered",
     "asr.cer_synthetic_steered"),
    ("CER, synthetic slot answers, generic", "cer_synthetic_slot_answers_generic",
     "asr.cer_synthetic_slot_answers_generic"),
    ("CER, synthetic slot answers, steered", "cer_synthetic_slot_answers_steered",
     "asr.cer_synthetic_slot_answers_steered"),
    ("recognition p50 s, real recordings", "recognition_real_p50_s",
     "asr.recognition_real.p50_s"),
    ("voice turn p50 s", "voice_turn_p50_s", "voice_turn.p50_s"),
    ("voice turn p95 s", "voice_turn_p95_s", "voice_turn.p95_s"),
    ("voice turns that ended in a case", "voice_turn_cases_created", "voice_turn.cases_created"),
)  # fmt: skip
"""(label, key in ``previous``, dotted path of today's figure) of the before/now table."""


def _voice_before(d: dict[str, Any]) -> list[str]:
    """The published figures of before issue 18 (primed prompts) beside today's."""
    prev = d.get("previous") or {}
    if not prev:
        return []
    rows = [
        [label, prev.get(key), lookup(d, path)]
        for label, key, path in VOICE_BEFORE
        if key in prev or lookup(d, path) is not None
    ]
    return table(["", "before: primed prompts", "now: no test sentence in any prompt"], rows) + [
        f"Before: {prev.get('source')}.",
        "",
    ]


GOAL_NOTES: dict[str, str] = {
    "voice_turn.p50_s": "Whisper base (int8, beam 5) on 2 shared cores dominates the turn; a "
    "smaller model or beam 1 would cut recognition time at some CER cost (not measured here), "
    "and more cores would help directly.",
}
"""Goal key → what reading the numbers taught (appended to the reason of a missed goal)."""
