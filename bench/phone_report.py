"""Report sections of ``phone.json`` and ``steering_kinds.json`` (issue 13 items 4 and 5)."""

from __future__ import annotations

from typing import Any

from bench.report_format import fmt, table

VARIANTS = {
    "digit_path": "digit path (kiosk today)",
    "generic_prompt": "plain recogniser, generic prompt",
    "old_phone_prompt": "plain recogniser, phone-question prompt (before)",
}
SETS = {
    "dev": "dev: S0252, 8-digit strings, tuned here",
    "heldout": "held-out: S0150, 11-digit mobiles, never tuned on",
}


def section_phone(d: dict[str, Any]) -> list[str]:
    """Exact on the first try, digit accuracy, after one group correction; dev vs held-out."""
    rows = []
    for key, label in SETS.items():
        part = d.get(key) or {}
        for name, title in VARIANTS.items():
            v = (part.get("variants") or {}).get(name)
            if v:
                rows.append([label, title, f"{v['exact']}/{v['n']} ({fmt(v['exact_rate'], 3)})",
                             fmt(v["digit_accuracy"], 3), fmt(v["after_one_correction"], 3),
                             fmt(v["mean_s"], 2)])  # fmt: skip
    out = [
        "Real recordings of numbers read aloud digit by digit, two speakers kept apart "
        "(`bench/phone_bench.py`; data: `bench/data/phone/SOURCES.md`). Targets (issue 13): exact "
        "number on the first try ≥ 0.80, ≥ 0.95 after at most one correction turn.",
        "",
        *table(
            [
                "set",
                "recogniser",
                "exact, first try",
                "digit accuracy",
                "after one correction",
                "s / number",
            ],  # fmt: skip
            rows,
        ),
        "**After one correction** counts the numbers whose wrong digits all lie in one reading "
        "group (3-4-4) with the length right: the kiosk reads the number back, the resident "
        "taps 不对 and that group, and says or types it again. No recording of a group said "
        "alone exists here, so the figure assumes the group is then entered right (certain on "
        "the number pad, an upper bound when it is said again).",
        "",
        "The dev recordings are 8-digit strings, not phone numbers (their folder's README says "
        '11): there the digit path is told the shape "8 digits"; on the held-out mobiles it runs '
        "exactly as the kiosk runs it (phone shape: 11 digits 13–19…, or a landline with its area "
        "code). Times are wall time on a shared 2-core machine (load average at the start in the "
        "results file).",
        "",
    ]
    paired = d.get("timing_paired")
    if paired:
        out += [
            f"Cost: {paired['what']}: {paired['plain_p50_s']} s plain vs "
            f"{paired['digit_path_p50_s']} s with the digit path (load {paired['load_avg_1min']}): "
            "one encoder pass is shared; the digit-only decoding adds the rest.",
            "",
        ]
    out += [f"- {line}" for line in d.get("history") or []]
    return out + ([""] if d.get("history") else [])


def section_steering_kinds(d: dict[str, Any]) -> list[str]:
    """Generic vs steered prompt per question kind; which kinds keep their word list."""
    real = d.get("real") or {}
    rows = []
    for kind, label in (("free", "free, description"), ("location", "location (proxy)")):
        v = real.get(kind)
        if v:
            rows.append([label, v["data"], v["n"], fmt(v["cer_generic"]), fmt(v["cer_steered"]),
                         v["winner"]])  # fmt: skip
    for name in ("dev", "heldout"):
        v = real.get(f"phone_{name}")
        if v:
            rows.append([f"phone ({name})", "exact numbers", "", fmt(v["exact_generic"], 3),
                         fmt(v["exact_steered"], 3),
                         f"digit path ({fmt(v['exact_digit_path'], 3)} exact)"])  # fmt: skip
    synth = d.get("synthetic_check") or {}
    srows = [
        [kind, v["n"], fmt(v["cer_generic"]), fmt(v["cer_steered"]),
         f"{v['empty_generic']} / {v['empty_steered']}"]
        for kind, v in synth.items()
    ]  # fmt: skip
    steered = ", ".join(d.get("steered_kinds") or []) or "none"
    return [
        "Each kind recognised with the plain lead-in (`generic`) and with the question and its "
        "expected words (`steered`), on real speech where it exists (`bench/steering_kinds.py`). "
        "CER: lower is better; phone: exact rate, higher is better.",
        "",
        *table(["kind", "real speech", "n", "generic", "steered", "kept"], rows),
        "Kinds with no real recordings here (category, urgency, yes_no, service_type, applicant, "
        "time, command) default to the plain lead-in: nothing shows the word list helps them on "
        "real speech, and on free speech and numbers it hurt. The synthetic clips below (neural "
        "TTS, the kiosk's own test clips) are no evidence of accuracy, but they show what "
        "switching a kind off breaks.",
        "",
        *table(
            ["synthetic check: kind", "n", "CER generic", "CER steered", "empty generic / steered"],
            srows,
        ),  # fmt: skip
        f"Kinds that keep their word list in the prompt (`STEERED_KINDS`): {steered}. "
        "`location` on real speech (place names, a proxy). `yes_no` and `command` on synthetic "
        "evidence only, not shown on real speech: with the plain lead-in a lone 不对 came back "
        "as 普通话 (an echo of the lead-in) and a lone 停 as nothing, and the kiosk's read-back "
        "and barge-in depend on them. `urgency` goes plain (synthetic: the list turned 挺急的 "
        "into 紧急). `phone` has the digit path.",
        "",
    ]
