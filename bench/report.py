"""Build bench/REPORT.md from every bench/results/*.json: goals with gaps and reasons, the runs, one
section per benchmark, matplotlib figures (bench/plots.py) and the machine of each run.

Each benchmark renders its own section in ``bench/<name>_report.py`` (results dict → Markdown
lines, beside the reasons of its missed goals); this module keeps the goals table, the runs tables,
the registry of sections (``SECTIONS``) and the writing; ``bench/report_format.py`` has the cells
and tables they share. A benchmark without a registered section falls back to a table of its
scalar values, so a new benchmark shows up without touching this file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import (
    cases_report,
    deliberation_report,
    dialogue_report,
    kb_report,
    nlu_report,
    phone_report,
    plots,
    routing_report,
    soak_report,
    steering_report,
    system_report,
    telegram_report,
    tts_report,
    voice_report,
)
from bench.merge import lookup
from bench.report_format import (
    fmt,
    machine_line,
    n_runs,
    runs_cell,
    runs_line,
    section_generic,
    section_ratios,
    spread_text,
    table,
)

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


NOTES: dict[str, str] = {
    **nlu_report.GOAL_NOTES,
    **system_report.GOAL_NOTES,
    **kb_report.GOAL_NOTES,
    **voice_report.GOAL_NOTES,
    **routing_report.GOAL_NOTES,
}
"""Goal key → a note written after reading the numbers, appended to the reason of a miss."""


WHY: dict[str, Callable[[dict[str, Any]], str]] = {
    "rasa.accuracy": nlu_report.why_nlu,
    "rasa.macro_f1": nlu_report.why_nlu,
    "rest.c1.p50_ms": system_report.why_text_turn,
    "voice_turn.p50_s": voice_report.why_voice,
    "memory.stack_rss_mb": system_report.why_memory,
    "quality_heldout_test.hybrid.top1": kb_report.why_knowledge,
    "quality_heldout_test.hybrid.top3": kb_report.why_knowledge,
}
"""Goal key → the reason of a miss, computed from all the results (by the benchmark's section)."""


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
                why = WHY[goal.key](results)
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


HARDWARE_KEYS = ("cpus", "cores", "cpu_count", "cpu_model", "mem_gb", "memory_gb")
"""The keys of a results file's ``machine`` that describe the hardware (shown once, above)."""


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
        n = n_runs(data) if merge else "1 (single-run file)"
        rows.append([name, n, loads or "—", when, excluded or ""])
        if isinstance(data.get("machine"), dict) and len(data["machine"]) > machine_keys:
            machine_keys = len(data["machine"])
            hardware = {k: v for k, v in data["machine"].items() if k in HARDWARE_KEYS}
            machine = machine_line({"machine": hardware}).removeprefix("Run on: ")
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


RUN_HEADERS = "benchmark, ran, runs ok, exit code, seconds, seconds per run, when, note".split(", ")


def last_runs(runs: dict[str, Any]) -> list[str]:
    """The runner's last invocation of each benchmark (``bench/results/_runs.json``)."""
    if not runs:
        return []
    rows = []
    for n, r in runs.items():
        if not isinstance(r, dict):
            continue
        ok = f"{r.get('runs_ok')}/{r.get('runs')}" if r.get("runs") else ""
        per_run = [fmt(x.get("seconds")) for x in r.get("per_run") or [] if isinstance(x, dict)]
        row = [n, r.get("ran"), ok, r.get("exit_code"), r.get("seconds"), ", ".join(per_run)]
        rows.append([*row, r.get("when"), r.get("why", "")])
    return ["## Last runs", ""] + table(RUN_HEADERS, rows)


def rank(name: str) -> tuple[int, str]:
    """Sort key of a results file: the fixed section order, then by name."""
    base = next((k for k in ORDER if name == k or name.startswith(k + "_")), None)
    return (ORDER.index(base) if base else len(ORDER), name)


# ---------------------------------------------------------------- sections


SECTIONS: dict[str, tuple[str, Callable[[dict[str, Any]], list[str]]]] = {
    "nlu": ("NLU: intents and slots", nlu_report.section_nlu),
    "routing": ("Routing: the flow the first message starts", routing_report.section_routing),
    "dialogue": (
        "Dialogue: scripted conversations on the live stack",
        dialogue_report.section_dialogue,
    ),
    "knowledge": ("Knowledge base retrieval", kb_report.section_knowledge),
    "cases": ("Case creation throughput", cases_report.section_cases),
    "voice": ("Speech", voice_report.section_voice),
    "steering": (
        "Speech: prompts on real speech, no test sentence in them",
        steering_report.section_steering,
    ),
    "steering_kinds": ("Speech: steering per question kind", phone_report.section_steering_kinds),
    "phone": ("Speech: phone numbers read aloud", phone_report.section_phone),
    "telegram": ("Telegram channel (fake Bot API)", telegram_report.section_telegram),
    "system": ("System: latency, throughput, memory, cold start", system_report.section_system),
    "soak": ("Soak: the default stack over a long run", soak_report.section_soak),
    "tts": ("Speech synthesis: can elders understand the kiosk's voice?", tts_report.section_tts),
    "deliberation": (deliberation_report.TITLE, deliberation_report.section_deliberation),
}
"""Results file name → (section title, renderer); the renderer gets the file's dict and returns
the section's Markdown lines (the title, the machine line and the runs line are added here)."""


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
    lines += last_runs(runs)
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
