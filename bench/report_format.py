"""Markdown cells and tables for ``bench/REPORT.md``, the runs and spread of a merged results file
(bench/merge.py), and the two renderers every benchmark can get: its scalar values (a benchmark
without a section of its own) and the ratios taken inside each run.

``bench/report.py`` and every ``bench/<name>_report.py`` import these; this module imports no
section, so there is no import cycle.
"""

from __future__ import annotations

from typing import Any

from bench.merge import lookup


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


def pct(x: Any) -> str:
    """A share as a percentage with one decimal (a dash when it is not a number)."""
    return f"{x * 100:.1f} %" if isinstance(x, (int, float)) else "—"


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


def section_generic(d: dict[str, Any]) -> list[str]:
    """Any other benchmark: its scalar values."""
    flat = {
        k: v
        for k, v in flatten({k: v for k, v in d.items() if k not in ("machine", "_merge")}).items()
        if not isinstance(v, str) or len(v) < 80
    }
    return table(["metric", "value"], [[k, v] for k, v in list(flat.items())[:80]])
