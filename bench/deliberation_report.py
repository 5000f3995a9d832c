"""The poll benchmark's section of ``bench/REPORT.md`` (from ``bench/results/deliberation.json``).

``section_deliberation(results)`` renders the section; ``python -m bench.deliberation_report``
writes it into REPORT.md between its markers (replacing the previous one, or appending it),
leaving every other section untouched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- deliberation:start -->"
END = "<!-- deliberation:end -->"


def _row(name: str, backend: dict[str, Any]) -> str:
    if "skipped" in backend:
        return f"| {name} | skipped: {backend['skipped']} | | | | | |"
    m = backend["median"]
    runs = backend["runs"]
    counted = sorted({r["counted_households"] for r in runs})
    spread = f"{min(r['votes_per_s'] for r in runs)}–{max(r['votes_per_s'] for r in runs)}"
    once = "yes, every run" if backend["exactly_once_all_runs"] else "**NO**"
    return (
        f"| {name} | {len(runs)} | {once} ({'/'.join(map(str, counted))} of 200) | "
        f"{backend['errors_all_runs']} | {m['votes_per_s']} ({spread}) | {m['p50_ms']} | "
        f"{m['p95_ms']} |"
    )


def section_deliberation(results: dict[str, Any]) -> str:
    """Markdown of the poll benchmark."""
    setup = results["setup"]
    machine = results.get("machine", {})
    sent = next(
        (b["runs"][0]["votes_sent"] for b in results["backends"].values() if "runs" in b), "?"
    )
    lines = [
        "## 议事: a 200-household poll, votes from three channels at once",
        "",
        f"`bench/deliberation_bench.py`: the hub under uvicorn (case system + deliberation), a "
        f"fresh database per run, a poll over buildings 1–10 (200 households of the demo "
        f"register). {sent} votes per run arrive over HTTP from Telegram, kiosk and web chat "
        f"clients at once ({setup['concurrency_per_channel']} in flight per channel): every "
        f"household once, {setup['double_votes']} of them also from a second channel at the "
        f"same moment, then {setup['changed_votes']} change their vote. *Exactly once* = the "
        f"poll counts 200 households and its tally equals their final choices. Medians of "
        f"{setup['runs']} runs (spread min–max).",
        "",
        "| database | runs | exactly once | errors | votes/s | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, backend in results["backends"].items():
        lines.append(_row("SQLite" if name == "sqlite" else "PostgreSQL", backend))
    load = machine.get("load_avg_start")
    lines += [
        "",
        f"Machine: {machine.get('cpus', '?')} cores, load average (1/5/15 min) at the start "
        f"{load}, other engineers' jobs running beside it. "
        "The latency is queueing: 24 requests in flight against one hub process (SQLite takes "
        "one writer at a time); one household's duplicate votes land on one row through the "
        "unique key (poll, household) and `INSERT … ON CONFLICT DO UPDATE`.",
    ]
    return "\n".join(lines)


def write(results_path: Path, report_path: Path) -> None:
    """Put the section into the report between its markers."""
    results = json.loads(results_path.read_text(encoding="utf-8"))
    block = f"{START}\n{section_deliberation(results)}\n{END}"
    text = report_path.read_text(encoding="utf-8") if report_path.exists() else ""
    if START in text and END in text:
        before, _, rest = text.partition(START)
        _, _, after = rest.partition(END)
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    report_path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write(ROOT / "bench" / "results" / "deliberation.json", ROOT / "bench" / "REPORT.md")
