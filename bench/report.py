"""Build bench/REPORT.md from every bench/results/*.json: goals with gaps and reasons, one section
per benchmark with its own tables, matplotlib figures (bench/plots.py) and the machine of each run.

Rendering only reads the results; a benchmark without a dedicated section falls back to a table of
its scalar values, so a new benchmark shows up without touching this file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import plots
from bench.merge import lookup
from bench.routing_report import section_routing

logger = logging.getLogger(__name__)

ORDER = [
    "nlu", "routing", "dialogue", "knowledge", "cases", "voice", "steering", "steering_kinds",
    "phone", "telegram", "system", "tts", "soak",
]  # fmt: skip


@dataclass(frozen=True)
class Goal:
    """One goal of issue 8, read from a results file by dotted path."""

    bench: str
    key: str
    op: str  # ">=" or "<="
    target: float
    label: str
    unit: str = ""


GOALS = [
    Goal("nlu", "rasa.accuracy", ">=", 0.95, "intent accuracy (held-out set)"),
    Goal("nlu", "rasa.macro_f1", ">=", 0.93, "intent macro-F1 (held-out set)"),
    Goal(
        "routing",
        "sets.real_dev.rasa.routing_report_vs_consult.bacc",
        ">=",
        0.85,
        "real dev: report-vs-consult balanced accuracy of the flow started (issue 12)",
    ),
    Goal("knowledge", "quality_heldout_test.hybrid.top1", ">=", 0.90, "knowledge top-1 (hybrid)"),
    Goal("knowledge", "quality_heldout_test.hybrid.top3", ">=", 0.97, "knowledge top-3 (hybrid)"),
    Goal(
        "knowledge",
        "quality_real.lcqmc_gov.hybrid.dev.top1",
        ">=",
        0.75,
        "real FAQ queries (LCQMC government subset), dev: top-1 (issue 12)",
    ),
    Goal(
        "knowledge",
        "quality_real.lcqmc_gov.hybrid.dev.confident_but_wrong_rate",
        "<=",
        0.10,
        "real FAQ queries, dev: share answered confidently but wrongly (issue 12)",
    ),
    Goal("system", "rest.c1.p50_ms", "<=", 100, "text turn p50, REST, 1 resident", " ms"),
    Goal(
        "voice", "voice_turn.p50_s", "<=", 1.5, "voice turn p50 (end of speech → reply audio)", " s"
    ),
    Goal("system", "memory.stack_rss_mb", "<=", 3584, "whole default stack resident memory", " MB"),
]


# ---------------------------------------------------------------- helpers


def flatten(data: Any, prefix: str = "", depth: int = 0, max_depth: int = 4) -> dict[str, Any]:
    """Scalar leaves of nested dicts as {dotted.path: value} (lists are skipped)."""
    out: dict[str, Any] = {}
    if isinstance(data, dict) and depth < max_depth:
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k), depth + 1, max_depth))
    elif isinstance(data, (int, float, str, bool)) or data is None:
        out[prefix] = data
    return out


def fmt(value: Any, digits: int = 4) -> str:
    """A table cell: floats to ``digits`` significant digits, None as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 10**digits else f"{value:.{digits}g}"
    if isinstance(value, list):
        return ", ".join(fmt(v, digits) for v in value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    """A Markdown table (empty list when there are no rows)."""
    if not rows:
        return []
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return lines + [""]


def machine_line(data: dict[str, Any]) -> str:
    """Machine, versions, date and load of one run, whatever shape the benchmark wrote them in."""
    machine = data.get("machine")
    parts: list[str] = []
    if isinstance(machine, str):
        parts.append(machine)
    elif isinstance(machine, dict):
        cores = machine.get("cpus") or machine.get("cores") or machine.get("cpu_count")
        if cores:
            parts.append(f"{cores} cores")
        if machine.get("cpu_model"):
            parts.append(str(machine["cpu_model"]))
        mem = machine.get("mem_gb") or machine.get("memory_gb")
        if mem:
            parts.append(f"{mem} GB RAM")
        if machine.get("python"):
            parts.append(f"Python {machine['python']}")
        versions = machine.get("versions") or {}
        if versions:
            parts.append(", ".join(f"{k} {v}" for k, v in versions.items()))
        if machine.get("note"):
            parts.append(str(machine["note"]))
    setup = data.get("setup") if isinstance(data.get("setup"), dict) else {}
    if isinstance(setup.get("machine"), str):
        parts.append(setup["machine"])
    date = (
        lookup(data, "machine.date")
        or data.get("date")
        or data.get("when")
        or data.get("generated_at")
        or setup.get("when")
    )
    if date:
        parts.append(f"run {date}")
    load = (
        lookup(data, "machine.load_avg_start")
        or data.get("load_average_at_start")
        or data.get("load_avg_start")
        or setup.get("load_avg_1min")
    )
    if load is not None:
        if isinstance(load, dict):
            load = f"{load.get('start')} → {load.get('end')}"
        elif isinstance(load, list):
            load = " / ".join(f"{x:.2f}" for x in load)
        end = lookup(data, "machine.load_avg_end")
        parts.append(
            f"load average {load}"
            + (f" (end: {' / '.join(f'{x:.2f}' for x in end)})" if end else "")
        )
    return "Run on: " + "; ".join(parts) if parts else "Run on: (not recorded)"


def _pct(x: Any) -> str:
    return f"{x * 100:.1f} %" if isinstance(x, (int, float)) else "—"


# ---------------------------------------------------------------- runs and spread (bench/merge.py)


def n_runs(data: Any) -> int:
    """How many runs a results file is the median of (1 for a file written by one run)."""
    merge = data.get("_merge") if isinstance(data, dict) else None
    return int(merge.get("n") or 1) if isinstance(merge, dict) else 1


def run_values(data: Any, dotted: str) -> list[Any] | None:
    """Every run's value of a figure when the runs differed (None: identical or one run)."""
    merge = data.get("_merge") if isinstance(data, dict) else None
    values = (merge.get("values") or {}).get(dotted) if isinstance(merge, dict) else None
    return values if isinstance(values, list) else None


def spread_text(data: Any, dotted: str, unit: str = "") -> str:
    """The spread of a figure over the runs: min–max, “identical” or “—” for a single run."""
    n = n_runs(data)
    values = run_values(data, dotted)
    if values is None:
        if n > 1 and lookup(data, dotted) is not None:
            return f"identical in all {n} runs"
        return "—"
    present = [v for v in values if isinstance(v, (int, float))]
    if not present:
        return "—"
    text = f"{fmt(float(min(present)))}–{fmt(float(max(present)))}{unit}"
    if len(present) < n:
        text += f" (in {len(present)} of {n} runs)"
    return text


def runs_cell(data: Any, dotted: str) -> str:
    """The number of runs a figure is the median of (fewer when some runs lacked it)."""
    n = n_runs(data)
    values = run_values(data, dotted)
    if values is not None:
        present = sum(1 for v in values if isinstance(v, (int, float)))
        if present < n:
            return f"{present} of {n}"
    return str(n)


def runs_line(data: Any) -> str:
    """How a merged result was measured: runs, load average at the start of each, exclusions."""
    merge = data.get("_merge") if isinstance(data, dict) else None
    if not isinstance(merge, dict):
        return ""
    runs = [r for r in merge.get("runs") or [] if isinstance(r, dict)]
    loads = [r.get("load_avg_start") for r in runs]
    n = merge.get("n") or len(runs)
    text = f"Median of {n} run(s)." if n > 1 else "One run."
    if any(isinstance(x, (int, float)) for x in loads):
        text = (
            text[:-1] + "; 1-min load average at the start of each run: "
            f"{' / '.join(fmt(x, 3) for x in loads)}."
        )
    if n > 1:
        by = merge.get("representative_by")
        text += f" Tables of single items come from run {merge.get('representative_run')}" + (
            f" (the run with the median `{by}`)."
            if by and by != "closest"
            else " (the run closest to the medians)."
        )
    excluded = merge.get("excluded") or []
    if excluded:
        text += (
            " Left out: "
            + ", ".join(
                f"run {e.get('run')} ({e.get('why')})" for e in excluded if isinstance(e, dict)
            )
            + "."
        )
    return text


# ---------------------------------------------------------------- goals


def gap_text(goal: Goal, value: float) -> str:
    """How far a measured value is from its target (empty when the goal is met)."""
    if goal.op == ">=":
        if value >= goal.target:
            return ""
        short = goal.target - value
        return f"short by {short:.3g} ({short / goal.target * 100:.1f} % of the target)"
    if value <= goal.target:
        return ""
    return f"over by {value - goal.target:.4g}{goal.unit} ({value / goal.target:.2g}× the target)"


def _why_nlu(results: dict[str, Any], goal: Goal) -> str:
    nlu = results.get("nlu", {})
    rasa = (nlu.get("classifiers") or {}).get("rasa") or {}
    labels, matrix = rasa.get("labels") or [], rasa.get("confusion") or []
    pairs = sorted(
        (
            (matrix[i][j], labels[i], labels[j])
            for i in range(len(matrix))
            for j in range(len(matrix[i]))
            if i != j and matrix[i][j]
        ),
        reverse=True,
    )[:3]
    text = ""
    if pairs:
        text = (
            "Most frequent confusions (gold → predicted): "
            + ", ".join(f"{g} → {p} ({n})" for n, g, p in pairs)
            + "."
        )
    per_intent = rasa.get("per_intent") or {}
    if per_intent:
        name, worst = min(per_intent.items(), key=lambda kv: kv[1].get("f1", 1.0))
        text += (
            f" Weakest intent: {name} (F1 {worst.get('f1', 0):.2f}, "
            f"recall {worst.get('recall', 0):.2f})."
        )
    fb = lookup(nlu, "rasa.fallback_rate")
    if fb:
        text += f" {_pct(fb)} of the held-out utterances fell below the fallback threshold."
    return text or "See the NLU section for the per-intent scores."


def _why_text_turn(results: dict[str, Any], goal: Goal) -> str:
    system = results.get("system", {})
    c1 = lookup(system, "rest.c1.p50_ms")
    parse = lookup(results.get("nlu", {}), "rasa.p50_ms")
    load = (
        lookup(system, "rest.c1.load_avg_1min")
        or (lookup(system, "machine.load_avg_start") or [None])[0]
    )
    parts = [
        "A REST turn is Rasa's NLU pipeline plus the dialogue policies plus, for most turns, a "
        "round-trip to the action server (and from there to the hub)."
    ]
    if parse and c1:
        parts.append(
            f"NLU parsing alone takes p50 {parse:.0f} ms "
            f"({parse / c1 * 100:.0f} % of the {c1:.0f} ms turn)."
        )
    by_message = lookup(system, "rest.c1.by_message_p50_ms") or {}
    if len(by_message) > 1:
        fast, slow = (
            min(by_message.items(), key=lambda kv: kv[1]),
            max(by_message.items(), key=lambda kv: kv[1]),
        )
        parts.append(
            f"By message: fastest “{fast[0]}” p50 {fast[1]:.0f} ms, slowest “{slow[0]}” "
            f"p50 {slow[1]:.0f} ms."
        )
    if load:
        parts.append(
            f"The 2-core machine was shared (1-min load average {load:.1f} during the run), so "
            "every process waited for CPU; an idle machine would be faster."
        )
    return " ".join(parts)


def _why_voice(results: dict[str, Any], goal: Goal) -> str:
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


def _why_memory(results: dict[str, Any], goal: Goal) -> str:
    memory = lookup(results.get("system", {}), "memory") or {}
    procs = {k: v for k, v in memory.items() if k != "stack_rss_mb" and isinstance(v, (int, float))}
    if not procs:
        return ""
    name, mb = max(procs.items(), key=lambda kv: kv[1])
    return f"The largest process is {name.removesuffix('_rss_mb')} at {mb:.0f} MB."


def _why_knowledge(results: dict[str, Any], goal: Goal) -> str:
    q = lookup(results.get("knowledge", {}), "quality_heldout_test") or {}
    return f"Held-out questions: {q.get('n_test')} ({q.get('n_in_scope')} in scope)."


# Written after reading the numbers (2026-11-21); appended to the computed reason of a missed goal.
NOTES: dict[str, str] = {
    "rasa.accuracy": "The held-out set includes hard styles (elderly fillers, dialect, ASR "
    "noise, Traditional) and bare slot answers (“3栋”, “挺急的”) whose intent is ambiguous out "
    "of context; inside a form the answer is read through requested_slot, so such confusions "
    "cost less in a conversation than in this score.",
    "rasa.macro_f1": "Out-of-scope recall pulls macro-F1 down most: unrelated questions are "
    "classified as consult, where the knowledge base then has to decline them.",
    "rest.c1.p50_ms": "Turns that call the action server (form validation, hub look-ups) cost "
    "several times a plain greeting, which Rasa answers alone. Reaching 100 ms needs an idle "
    "machine and fewer action round-trips per turn.",
    "quality_real.lcqmc_gov.hybrid.dev.confident_but_wrong_rate": "Almost every wrong answer is "
    "a near miss: a real query labelled as meaning something else than a bank question it shares "
    "most words with (“身份证掉了，挂失要本人去吗” vs “身份证掉了要挂失吗”); the right FAQ is "
    "first for 0.99 of in-scope queries. Tried (2026-12-04): a fused-score cost sweep (a wrong "
    "answer costing 3–4 right ones moves the threshold to 0.48 and the rate only to 0.21; costing "
    "6 moves it to 0.98: 0.01 wrong but 0.03 of the authored questions answered); a pair verifier "
    "on lexical differences (unmatched content words weighted by IDF, numbers, negation, question "
    "type) trained on 65k pairs disjoint from these sets (LCQMC outside the sets, AFQMC train, "
    "OPPO-xiaobu dev): 0.72 held-out pair accuracy against 0.63 always-same, 0.75 on LCQMC's "
    "government dev pairs against 0.67; a logistic head on the frozen e5 vectors (|u−v|, u·v): "
    "0.738 against 0.727 for the cosine alone. Neither separates near misses from paraphrases "
    "well enough to add as a calibration feature. That needs a cross-encoder (query and FAQ read "
    "together); none exists offline here, and fine-tuning one from e5 on 2 CPU cores and shipping "
    "it are beyond this machine. Declining costs the resident one tap: the right FAQ is among the "
    "three offered for every in-scope real query.",
    "voice_turn.p50_s": "Whisper base (int8, beam 5) on 2 shared cores dominates the turn; a "
    "smaller model or beam 1 would cut recognition time at some CER cost (not measured here), "
    "and more cores would help directly.",
}

WHY: dict[str, Callable[[dict[str, Any], Goal], str]] = {
    "rasa.accuracy": _why_nlu,
    "rasa.macro_f1": _why_nlu,
    "rest.c1.p50_ms": _why_text_turn,
    "voice_turn.p50_s": _why_voice,
    "memory.stack_rss_mb": _why_memory,
    "quality_heldout_test.hybrid.top1": _why_knowledge,
    "quality_heldout_test.hybrid.top3": _why_knowledge,
}


GOAL_HEADERS = ["goal", "target", "measured (median)", "runs", "spread", "met", "gap", "why"]


def goal_rows(results: dict[str, Any]) -> list[list[Any]]:
    """One row per goal: label, target, median, runs, spread over the runs, met, gap, why."""
    rows = []
    for goal in GOALS:
        data = results.get(goal.bench, {})
        value = lookup(data, goal.key)
        target = f"{goal.op} {goal.target:g}{goal.unit}"
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            why = (
                "no results yet"
                if goal.bench not in results
                else f"`{goal.key}` missing in {goal.bench}.json"
            )
            rows.append([goal.label, target, "not measured", "—", "—", "—", "—", why])
            continue
        gap = gap_text(goal, float(value))
        why = ""
        if gap and goal.key in WHY:
            try:
                why = WHY[goal.key](results, goal)
            except Exception:  # noqa: BLE001 - an explanation must not break the report
                logger.exception("Explaining %s failed", goal.key)
        if gap and goal.key in NOTES:
            why = f"{why} {NOTES[goal.key]}".strip()
        rows.append(
            [
                goal.label,
                target,
                f"{fmt(float(value))}{goal.unit}",
                runs_cell(data, goal.key),
                spread_text(data, goal.key, goal.unit),
                "yes" if not gap else "**no**",
                gap or "—",
                why or "—",
            ]
        )
    return rows


def how_measured(results: dict[str, Any]) -> list[str]:
    """Runs, load average at the start of each run and machine of every results file."""
    rows = []
    machine, machine_keys = "", 0  # from the results file that recorded the most about it
    for name in sorted(results, key=rank):
        data = results[name]
        if not isinstance(data, dict):
            continue
        merge = data.get("_merge") if isinstance(data.get("_merge"), dict) else {}
        runs = [r for r in merge.get("runs") or [] if isinstance(r, dict)]
        loads = " / ".join(fmt(r.get("load_avg_start"), 3) for r in runs)
        dates = sorted(str(r.get("when")) for r in runs if r.get("when"))
        when = (
            f"{dates[0]} → {dates[-1]}" if len(dates) > 1 else (dates[0] if dates else "")
        ) or str(
            lookup(data, "machine.date")
            or data.get("date")
            or data.get("when")
            or data.get("generated_at")
            or lookup(data, "setup.when")
            or "—"
        )
        excluded = len(merge.get("excluded") or [])
        rows.append(
            [
                name,
                n_runs(data) if merge else "1 (single-run file)",
                loads or "—",
                when,
                excluded or "",
            ]
        )
        if isinstance(data.get("machine"), dict) and len(data["machine"]) > machine_keys:
            machine_keys = len(data["machine"])
            machine = machine_line(
                {
                    "machine": {
                        k: v
                        for k, v in data["machine"].items()
                        if k in ("cpus", "cores", "cpu_count", "cpu_model", "mem_gb", "memory_gb")
                    }
                }
            ).removeprefix("Run on: ")
    out = [
        "How measured: each figure is the median over the runs of its benchmark (`_merge` in "
        "the results file keeps every run's value); a ratio is taken inside each run, then the "
        "median ratio is reported. " + (f"Machine: {machine}." if machine else ""),
        "",
    ]
    return out + table(
        [
            "benchmark",
            "runs",
            "1-min load average at the start of each run",
            "when",
            "runs left out",
        ],
        rows,
    )


def rank(name: str) -> tuple[int, str]:
    """Sort key of a results file: the fixed section order, then by name."""
    base = next((k for k in ORDER if name == k or name.startswith(k + "_")), None)
    return (ORDER.index(base) if base else len(ORDER), name)


# ---------------------------------------------------------------- sections


def section_nlu(d: dict[str, Any]) -> list[str]:
    """Intent accuracy/F1 of Rasa vs the keyword baseline, slot F1, parse latency."""
    out = [f"Held-out evaluation set: {lookup(d, 'eval.n')} utterances.", ""]
    rows = []
    for name in ("rasa", "baseline_rules"):
        s = d.get(name) or {}
        if s.get("skipped"):
            rows.append([name, "skipped: " + s["skipped"], "", "", "", ""])
            continue
        rows.append(
            [
                name,
                s.get("accuracy"),
                s.get("macro_f1"),
                s.get("p50_ms"),
                s.get("p95_ms"),
                s.get("fallback_rate"),
            ]
        )
    out += table(
        ["classifier", "accuracy", "macro-F1", "parse p50 ms", "parse p95 ms", "fallback rate"],
        rows,
    )
    comp = d.get("comparison") or {}
    if comp:
        out += [
            f"Rasa vs baseline in the same run: accuracy {comp.get('accuracy_delta', 0):+.3f}, "
            f"macro-F1 {comp.get('macro_f1_delta', 0):+.3f}, "
            f"parse latency ratio {fmt(comp.get('latency_p50_ratio'))}×"
            + (
                f" (spread over {n_runs(d)} runs: "
                f"{spread_text(d, 'comparison.latency_p50_ratio', '×')})."
                if n_runs(d) > 1
                else "."
            ),
            "",
        ]
    slots = d.get("slot_f1") or {}
    if isinstance(slots, dict) and "note" not in slots:
        details = d.get("slot_details") or {}
        out += ["Slot extraction (actions/parsing.py on the gold-intent utterances):", ""]
        out += table(
            ["slot", "precision", "recall", "F1"],
            [
                [
                    s,
                    (details.get(s) or {}).get("precision"),
                    (details.get(s) or {}).get("recall"),
                    f1,
                ]
                for s, f1 in slots.items()
            ],
        )
    per_intent = lookup(d, "classifiers.rasa.per_intent") or {}
    if per_intent:
        worst = sorted(per_intent.items(), key=lambda kv: kv[1].get("f1", 0))[:8]
        out += ["Weakest intents (Rasa):", ""]
        out += table(
            ["intent", "precision", "recall", "F1", "support"],
            [
                [i, v.get("precision"), v.get("recall"), v.get("f1"), v.get("support")]
                for i, v in worst
            ],
        )
    return out


def section_dialogue(d: dict[str, Any]) -> list[str]:
    """Success rate, turns per report, latency, per-kind and per-dialogue results."""
    s = d.get("summary") or {}
    intro = [f"Played: {d['play']}.", ""] if d.get("play") else []
    tpr = s.get("turns_per_completed_report") or {}
    lat = s.get("turn_latency_ms") or {}
    out = intro + table(
        [
            "dialogues",
            "passed",
            "success rate",
            "turns per completed report (mean / median)",
            "turn latency p50 / p95 ms",
            "played via answers / turns",
            "false emergencies / form answers",
        ],
        [
            [
                s.get("dialogues"),
                s.get("passed"),
                _pct(s.get("success_rate")),
                f"{fmt(tpr.get('mean'))} / {fmt(tpr.get('median'))} (n={tpr.get('n')})",
                f"{fmt(lat.get('p50'))} / {fmt(lat.get('p95'))}",
                f"{s.get('answers_mode')} / {s.get('turns_mode')}",
                f"{s.get('form_answer_false_emergencies', '—')} / {s.get('form_answers', '—')}",
            ]
        ],
    )
    out += [
        "False emergencies: answers said inside a report or service form (emergency dialogues "
        "left out) after which action_emergency ran; target 0 (issue 12).",
        "",
    ]
    out += _dialogue_before(d)
    kinds = s.get("by_kind") or {}
    prev_kinds = (d.get("previous") or {}).get("by_kind_rate") or {}
    out += table(
        ["kind", "dialogues", "passed", "rate"] + (["rate before"] if prev_kinds else []),
        [
            [k, v.get("n"), v.get("passed"), _pct(v.get("rate"))]
            + ([_pct(prev_kinds.get(k))] if prev_kinds else [])
            for k, v in kinds.items()
        ],
    )
    out += table(
        ["dialogue", "kind", "mode", "result", "turns", "why it failed / why it fell back"],
        [
            [
                r.get("id"),
                r.get("kind"),
                str(r.get("mode")) + (" (fallback)" if r.get("fallback_reason") else ""),
                "pass" if r.get("passed") else "**FAIL**",
                r.get("turns"),
                "; ".join(
                    x
                    for x in (
                        r.get("reason"),
                        f"answers run: {r['fallback_reason']}" if r.get("fallback_reason") else "",
                    )
                    if x
                ),
            ]
            for r in d.get("dialogues") or []
        ],
    )
    return out


def _dialogue_before(d: dict[str, Any]) -> list[str]:
    """The published figures of before issue 18 (training sentences) beside today's."""
    prev = d.get("previous") or {}
    if not prev:
        return []
    s = d.get("summary") or {}
    rows = [
        [
            "success rate",
            f"{_pct(prev.get('success_rate'))} ({prev.get('passed')}/{prev.get('dialogues')})",
            f"{_pct(s.get('success_rate'))} ({s.get('passed')}/{s.get('dialogues')})",
        ],
        [
            "turns per completed report (mean)",
            fmt(prev.get("turns_per_completed_report_mean")),
            fmt((s.get("turns_per_completed_report") or {}).get("mean")),
        ],
        [
            "turn latency p50 ms",
            fmt(prev.get("turn_latency_p50_ms")),
            fmt((s.get("turn_latency_ms") or {}).get("p50")),
        ],
    ]
    old = prev.get("old_dialogues_today") or {}
    if old:
        rows.append(
            [
                "the old (training) sentences on today's model",
                "—",
                f"{_pct(old.get('success_rate'))} ({old.get('passed')}/{old.get('dialogues')})",
            ]
        )
    out = table(["", "before: training sentences", "now: held-out sentences"], rows)
    out += [f"Before: {prev.get('source')}.", ""]
    if old.get("note"):
        out += [str(old["note"]), ""]
    return out


def _knowledge_real(real: dict[str, Any]) -> list[str]:
    """Real FAQ sets (bench/real_faq.py): hybrid vs the character TF-IDF baseline, dev and test."""
    out: list[str] = []
    for name, entry in real.items():
        if "skipped" in entry:
            out += [f"Real set `{name}`: skipped ({entry['skipped']}).", ""]
            continue
        sizes = entry.get("sizes") or {}
        out += [
            f"Real set `{name}` — {entry.get('source')}: {sizes.get('faqs')} FAQs; "
            f"dev {lookup(sizes, 'dev.queries')} queries ({lookup(sizes, 'dev.out_of_scope')} "
            f"out of scope), test {lookup(sizes, 'test.queries')} "
            f"({lookup(sizes, 'test.out_of_scope')} out of scope). Confident-but-wrong is a "
            "share of all queries; thresholds fitted on dev only.",
            "",
        ]
        rows = []
        for method in ("tfidf_baseline", "dense", "bm25", "hybrid"):
            for part in ("dev", "test"):
                x = lookup(entry, f"{method}.{part}") or {}
                rows.append(
                    [
                        method,
                        part,
                        x.get("top1"),
                        x.get("top3"),
                        x.get("confident_but_wrong_rate"),
                        x.get("right_answer_rate"),
                        x.get("threshold"),
                    ]
                )
        out += table(
            ["method", "part", "top-1", "top-3", "confident but wrong", "answered right", "thr."],
            rows,
        )
    return out


def section_knowledge(d: dict[str, Any]) -> list[str]:
    """Retrieval quality per method, growth to 100k entries, model cost."""
    q = d.get("quality_heldout_test") or {}
    out = [f"Held-out questions: {q.get('n_test')} ({q.get('n_in_scope')} in scope).", ""]
    out += table(
        ["method", "top-1", "top-3", "MRR"],
        [
            [
                m,
                (q.get(m) or {}).get("top1"),
                (q.get(m) or {}).get("top3"),
                (q.get(m) or {}).get("mrr"),
            ]
            for m in ("lexical", "dense", "hybrid")
            if m in q
        ],
    )
    dec = q.get("hybrid_decision") or {}
    if dec:
        out += [
            f"Answer/decline decision at threshold {fmt(dec.get('threshold'))}: "
            f"{dec.get('right')} right, "
            f"{dec.get('wrong')} wrong, {dec.get('declined_in_scope')} in-scope declined, "
            f"{dec.get('declined_out_of_scope')} out-of-scope declined.",
            "",
        ]
    out += _knowledge_real(d.get("quality_real") or {})
    rows = []
    for g in d.get("growth") or []:
        for index in ("flat", "hnsw"):
            x = g.get(index)
            if not isinstance(x, dict):
                continue
            rows.append(
                [
                    g.get("rows"),
                    x.get("index", index),
                    x.get("build_s"),
                    lookup(x, "search_hybrid_without_embedding.p50_ms"),
                    lookup(x, "search_hybrid_without_embedding.p95_ms"),
                    lookup(x, "search_with_query_embedding.p50_ms"),
                    (x.get("dense_index_mb") or 0) + (x.get("lexical_index_mb") or 0),
                    x.get("rss_delta_mb"),
                ]
            )
    out += table(
        [
            "entries",
            "index",
            "build s",
            "search p50 ms",
            "search p95 ms",
            "incl. query embedding p50 ms",
            "index MB",
            "RSS growth MB",
        ],
        rows,
    )
    model = d.get("model") or {}
    if model:
        out += [
            f"Embedding model `{model.get('path')}`: load {fmt(model.get('load_s'))} s, "
            f"+{fmt(model.get('rss_delta_mb_after_load'))} MB resident, single query embedding p50 "
            f"{fmt(lookup(model, 'single_query_embedding.p50_ms'))} ms.",
            "",
        ]
    return out


def section_cases(d: dict[str, Any]) -> list[str]:
    """Case creates per second on SQLite and PostgreSQL."""
    out = [str(d.get("benchmark", "")), ""] if d.get("benchmark") else []
    rows = []
    for db, levels in (d.get("results") or {}).items():
        if not isinstance(levels, dict):
            continue
        for _, r in levels.items():
            if isinstance(r, dict):
                rows.append(
                    [
                        db,
                        r.get("concurrency"),
                        r.get("n"),
                        r.get("creates_per_s"),
                        r.get("p50_ms"),
                        r.get("p95_ms"),
                        r.get("errors"),
                    ]
                )
    return out + table(
        ["database", "concurrency", "creates", "creates/s", "p50 ms", "p95 ms", "errors"], rows
    )


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


def _level_rows(section: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for key, r in sorted(
        ((k, v) for k, v in section.items() if k[1:].isdigit()), key=lambda kv: int(kv[0][1:])
    ):
        if isinstance(r, dict):
            rows.append(
                [
                    r.get("residents", key[1:]),
                    r.get("turns"),
                    r.get("errors"),
                    r.get("turns_per_s"),
                    r.get("p50_ms"),
                    r.get("p95_ms"),
                    r.get("max_ms"),
                    r.get("load_avg_1min"),
                    r.get("runs_p50_ms") or "",
                ]
            )
    return rows


LEVEL_HEADERS = [
    "residents",
    "turns",
    "errors",
    "turns/s",
    "p50 ms",
    "p95 ms",
    "max ms",
    "load avg",
    "p50 of each repeat",
]


def section_telegram(d: dict[str, Any]) -> list[str]:
    """The Telegram fake: sequential text/voice turns and many chats at once."""
    rows = []
    for label, key in (
        ("text turn, sequential", "text_turn"),
        ("50 chats at once", "concurrent.latency"),
        ("same load straight to Rasa", "concurrent_direct_to_rasa.latency"),
        ("voice turn to transcript", "voice_turn.to_transcript"),
        ("voice turn to first reply", "voice_turn.to_first_reply"),
    ):
        s = lookup(d, key)
        if isinstance(s, dict):
            rows.append([label, s.get("n"), s.get("p50_ms"), s.get("p95_ms"), s.get("max_ms")])
    out = table(["measurement", "n", "p50 ms", "p95 ms", "max ms"], rows)
    conc = d.get("concurrent") or {}
    if conc:
        out += [
            f"{conc.get('chats')} chats × {conc.get('turns_per_chat')} turns: "
            f"{conc.get('answered')}/{conc.get('turns')} "
            f"answered, {fmt(conc.get('turns_per_s'))} turns/s, "
            f"failed chats {conc.get('failed_chats')}.",
            "",
        ]
    if lookup(d, "setup.backend"):
        out += [f"Backend: {lookup(d, 'setup.backend')}. Bot: {lookup(d, 'setup.bot')}.", ""]
    return out


def section_system(d: dict[str, Any]) -> list[str]:
    """Cold start, REST and Telegram load levels, memory."""
    out = []
    cold = d.get("cold_start") or {}
    if cold:
        out += ["Cold start (process start → healthy), seconds:", ""]
        out += table(list(cold), [list(cold.values())])
    if d.get("rest"):
        out += [
            "Text turns through Rasa's REST channel "
            "(each resident sends its turns one after another):",
            "",
        ]
        out += table(LEVEL_HEADERS, _level_rows(d["rest"]))
    by_message = lookup(d, "rest.c1.by_message_p50_ms") or {}
    if by_message:
        out += ["One resident, p50 by message (REST):", ""]
        out += table(["message", "p50 ms"], [[t, v] for t, v in by_message.items()])
    if d.get("telegram"):
        out += [
            "Text turns through the Telegram fake (real bot process, fake Bot API, same stack):",
            "",
        ]
        out += table(LEVEL_HEADERS, _level_rows(d["telegram"]))
        out += [
            "The Telegram runs use bench/telegram_bench.py's message mix (greeting, two FAQ "
            "questions, thanks) while the REST runs include a report form with read-back and "
            "cancel, so compare the two by their shape, not turn by turn.",
            "",
        ]
    memory = d.get("memory") or {}
    if memory:
        out += ["Resident memory after the load test (process and its children), MB:", ""]
        out += table([k.removesuffix("_rss_mb") for k in memory], [list(memory.values())])
    return out


RATIO_NOTES = {
    "postgresql_vs_sqlite": "PostgreSQL ÷ SQLite (creates/s above 1: PostgreSQL faster; "
    "p50 above 1: PostgreSQL slower)",
    "bot_vs_direct_rasa": "Telegram bot ÷ the same load straight to Rasa (p50 above 1: the bot's "
    "overhead; turns/s below 1: the bot's throughput cost)",
}


def section_ratios(d: dict[str, Any]) -> list[str]:
    """Ratios taken inside each run (bench/merge.py), their median and spread over the runs."""
    ratios = d.get("ratios")
    if not isinstance(ratios, dict) or not ratios:
        return []
    out = ["Ratios taken inside each run, median over the runs:", ""]
    for group in ratios:
        if RATIO_NOTES.get(group):
            out += [f"- `{group}`: {RATIO_NOTES[group]}"]
    out += [""]
    return out + table(
        ["ratio", "median", "spread over the runs"],
        [
            [f"{k}", v, spread_text(d, f"ratios.{k}")]
            for k, v in flatten(ratios, max_depth=5).items()
            if isinstance(v, (int, float))
        ],
    )


SOAK_ALARMS = (
    "error",
    "lost",
    "doubl",
    "duplicate",
    "fail",
    "restart",
    "stuck",
    "empty",
    "problem",
)


def section_soak(d: dict[str, Any]) -> list[str]:
    """The long run: errors and lost or doubled cases, resident memory over time, per minute."""
    out = []
    flat = flatten({k: v for k, v in d.items() if k not in ("machine", "_merge")}, max_depth=3)
    alarms = {
        k: v
        for k, v in flat.items()
        if any(w in k.lower() for w in SOAK_ALARMS)
        and isinstance(v, (int, float))
        and not isinstance(v, bool)
    }
    if alarms:
        out += ["Errors, stuck conversations, lost or doubled cases:", ""]
        out += table(["what", "count"], [[k, v] for k, v in alarms.items()])
    examples = [
        (key, x) for key in ("error_examples", "stuck_examples") for x in (d.get(key) or [])[:3]
    ] + [("field_problems", x) for x in (lookup(d, "cases.field_problems") or [])[:3]]
    if examples:
        out += [f"- {key}: {fmt(x)[:200]}" for key, x in examples] + [""]
    growth = d.get("rss") if isinstance(d.get("rss"), dict) else {}
    rows = [
        [name, v.get("after_warmup_mb"), v.get("end_mb"), v.get("peak_mb"), v.get("growth_mb")]
        for name, v in growth.items()
        if isinstance(v, dict)
    ]
    if rows:
        out += ["Resident memory per process (MB; growth from the first sample after warm-up):", ""]
        out += table(["process", "after warm-up", "end", "peak", "growth"], rows)
    else:
        found = plots.soak_series(d)
        if found:
            key, tkey, samples = found
            body = []
            for f in plots.memory_fields(samples):
                series = [r.get(f) for r in samples if isinstance(r.get(f), (int, float))]
                if series:
                    body.append([f, series[0], series[-1], max(series), series[-1] - series[0]])
            out += [f"Resident memory over the run (`{key}`, by `{tkey}`), MB:", ""]
            out += table(["process", "first", "last", "max", "growth"], body)
    minutes = [m for m in d.get("per_minute") or [] if isinstance(m, dict)]
    if minutes:
        out += ["Per minute:", ""]
        out += table(
            ["minute", "turns", "errors", "p50 s", "p95 s", "max s"],
            [
                [
                    m.get("minute"),
                    m.get("turns"),
                    m.get("errors"),
                    m.get("p50_s"),
                    m.get("p95_s"),
                    m.get("max_s"),
                ]
                for m in minutes
            ],
        )
    rest = {
        k: v
        for k, v in flat.items()
        if k not in alarms and not k.startswith("rss.") and (not isinstance(v, str) or len(v) < 80)
    }
    if rest:
        out += table(["metric", "value"], [[k, v] for k, v in list(rest.items())[:40]])
    return out


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


def section_phone(d: dict[str, Any]) -> list[str]:
    """Phone numbers read aloud, dev vs held-out (bench/phone_report.py)."""
    from bench.phone_report import section_phone as render

    return render(d)


def section_steering_kinds(d: dict[str, Any]) -> list[str]:
    """Generic vs steered prompt per question kind (bench/phone_report.py)."""
    from bench.phone_report import section_steering_kinds as render

    return render(d)


def section_tts(d: dict[str, Any]) -> list[str]:
    """TTS intelligibility per engine (bench/tts_report.py)."""
    from bench.tts_report import section_tts as render

    return render(d)


def section_deliberation(d: dict[str, Any]) -> list[str]:
    """议事 poll counting under concurrent votes (bench/deliberation_report.py)."""
    from bench.deliberation_report import section_deliberation as render

    return render(d)


def section_generic(d: dict[str, Any]) -> list[str]:
    """Any other benchmark: its scalar values."""
    flat = {
        k: v
        for k, v in flatten({k: v for k, v in d.items() if k not in ("machine", "_merge")}).items()
        if not isinstance(v, str) or len(v) < 80
    }
    return table(["metric", "value"], [[k, v] for k, v in list(flat.items())[:80]])


SECTIONS: dict[str, tuple[str, Callable[[dict[str, Any]], list[str]]]] = {
    "nlu": ("NLU: intents and slots", section_nlu),
    "routing": ("Routing: the flow the first message starts", section_routing),
    "dialogue": ("Dialogue: scripted conversations on the live stack", section_dialogue),
    "knowledge": ("Knowledge base retrieval", section_knowledge),
    "cases": ("Case creation throughput", section_cases),
    "voice": ("Speech", section_voice),
    "steering": ("Speech: prompts on real speech, no test sentence in them", section_steering),
    "steering_kinds": ("Speech: steering per question kind", section_steering_kinds),
    "phone": ("Speech: phone numbers read aloud", section_phone),
    "telegram": ("Telegram channel (fake Bot API)", section_telegram),
    "system": ("System: latency, throughput, memory, cold start", section_system),
    "soak": ("Soak: the default stack over a long run", section_soak),
    "tts": ("Speech synthesis: can elders understand the kiosk's voice?", section_tts),
    "deliberation": (
        "议事: a 200-household poll, votes from three channels at once",
        section_deliberation,
    ),
}


def section_for(name: str) -> tuple[str, Callable[[dict[str, Any]], list[str]]]:
    """Title and renderer of a results file: exact name, else by prefix (telegram_fake_backend)."""
    if name in SECTIONS:
        return SECTIONS[name]
    for key, (title, fn) in SECTIONS.items():
        if name.startswith(key + "_"):
            return f"{title} — {name}", fn
    return name, section_generic


# ---------------------------------------------------------------- report


def load_results(results_dir: Path) -> dict[str, Any]:
    """Every results file by name (files starting with ``_`` are runner metadata)."""
    results: dict[str, Any] = {}
    for path in sorted(results_dir.glob("*.json")):
        if path.stem.startswith("_"):
            continue
        try:
            results[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            logger.warning("Skipping unreadable results file %s", path)
    return results


def render(
    results: dict[str, Any],
    runs: dict[str, Any],
    figures: dict[str, list[str]],
    pngs: dict[str, list[str]],
) -> str:
    """The Markdown text of the report."""
    lines = [
        "# Linli benchmark report",
        "",
        "Generated by `./linli bench` (`python -m bench`) from `bench/results/*.json`; "
        "see `bench/README.md`.",
        "Each benchmark runs several times and every figure is the median over its runs (the",
        "goals table gives the number of runs and the spread); latency figures within a run are",
        "medians/percentiles over all its turns. Comparisons (Rasa vs baseline, PostgreSQL vs",
        "SQLite, the bot vs Rasa alone) are ratios taken inside each run, then the median ratio.",
        "The machine has 2 cores and may have been shared with other work, so the load average",
        "at the start of every run is recorded: absolute timings are pessimistic.",
        "",
    ]
    lines += ["## Goals", ""]
    lines += table(GOAL_HEADERS, goal_rows(results))
    lines += how_measured(results)
    if runs:
        lines += ["## Last runs", ""]
        lines += table(
            [
                "benchmark",
                "ran",
                "runs ok",
                "exit code",
                "seconds",
                "seconds per run",
                "when",
                "note",
            ],
            [
                [
                    n,
                    r.get("ran"),
                    f"{r.get('runs_ok')}/{r.get('runs')}" if r.get("runs") else "",
                    r.get("exit_code"),
                    r.get("seconds"),
                    ", ".join(
                        fmt(x.get("seconds")) for x in r.get("per_run") or [] if isinstance(x, dict)
                    ),
                    r.get("when"),
                    r.get("why", ""),
                ]
                for n, r in runs.items()
                if isinstance(r, dict)
            ],
        )

    names = sorted(results, key=rank)
    for name in names:
        data = results[name]
        title, fn = section_for(name)
        lines += [
            f"## {title}",
            "",
            f"`bench/results/{name}.json`. " + machine_line(data if isinstance(data, dict) else {}),
            "",
        ]
        how = runs_line(data)
        if how:
            lines += [how, ""]
        try:
            lines += fn(data) if isinstance(data, dict) else []
        except Exception:  # noqa: BLE001 - one odd results file must not cost the whole report
            logger.exception("Section %s failed; falling back to the generic table", name)
            lines += section_generic(data)
        if isinstance(data, dict) and fn is not section_generic:
            lines += section_ratios(data)
        notes = data.get("notes") if isinstance(data, dict) else None
        for note in [notes] if isinstance(notes, str) else notes or []:
            lines += [f"Note: {note}", ""]
        for png in figures.get(name, []) + pngs.get(name, []):
            lines += [f"![{Path(png).stem}](results/{png})", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_report(results_dir: Path, report_path: Path, draw: bool = True) -> None:
    """Render every results file (and its figures) into one Markdown report."""
    results = load_results(results_dir)
    runs_path = results_dir / "_runs.json"
    runs = json.loads(runs_path.read_text()) if runs_path.exists() else {}
    figures = {
        name: plots.draw(name, data, results_dir)
        for name, data in results.items()
        if draw and isinstance(data, dict)
    }
    drawn = {p for names in figures.values() for p in names}
    # PNGs a benchmark drew itself (e.g. nlu_confusion_rasa.png), matched by prefix
    pngs: dict[str, list[str]] = {}
    for png in sorted(results_dir.glob("*.png")):
        if png.name in drawn:
            continue
        owner = next(
            (n for n in sorted(results, key=len, reverse=True) if png.name.startswith(n)), None
        )
        if owner:
            pngs.setdefault(owner, []).append(png.name)
    report_path.write_text(render(results, runs, figures, pngs), encoding="utf-8")
