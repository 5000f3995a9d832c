"""The poll benchmark's section of ``bench/REPORT.md`` (``bench/results/deliberation.json``).

``section_deliberation`` has the shape of ``bench/report.py``'s section renderers;
``python -m bench.deliberation_report`` writes the section between its markers in REPORT.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TITLE = "议事: a 200-household poll, votes from three channels at once"


def _row(name: str, backend: dict[str, Any]) -> str:
    if "skipped" in backend:
        return f"| {name} | skipped: {backend['skipped']} | | | | | |"
    m = backend["median"]
    runs = backend["runs"]
    counted = "/".join(str(c) for c in sorted({r["counted_households"] for r in runs}))
    spread = f"{min(r['votes_per_s'] for r in runs)}–{max(r['votes_per_s'] for r in runs)}"
    once = "yes, every run" if backend["exactly_once_all_runs"] else "**NO**"
    return (
        f"| {name} | {len(runs)} | {once} ({counted} of 200) | {backend['errors_all_runs']} | "
        f"{m['votes_per_s']} ({spread}) | {m['p50_ms']} | {m['p95_ms']} |"
    )


def section_deliberation(d: dict[str, Any]) -> list[str]:
    """The section's lines (the report adds the title and the machine line)."""
    setup = d["setup"]
    sent = next((b["runs"][0]["votes_sent"] for b in d["backends"].values() if "runs" in b), "?")
    lines = [
        f"`bench/deliberation_bench.py`: the hub under uvicorn (case system + deliberation), a "
        f"fresh database per run, a poll over buildings 1–10 (200 households of the demo "
        f"register). {sent} votes per run arrive over HTTP from Telegram, kiosk and web chat "
        f"clients at once ({setup['concurrency_per_channel']} in flight per channel): every "
        f"household once, {setup['double_votes']} of them also from a second channel at the "
        f"same moment, then {setup['changed_votes']} change their vote. *Exactly once* = the "
        f"poll counts 200 households and its tally equals their final choices. Medians of "
        f"{setup['runs']} runs inside one invocation (spread min–max).",
        "",
        "| database | runs | exactly once | errors | votes/s | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, backend in d["backends"].items():
        lines.append(_row("SQLite" if name == "sqlite" else "PostgreSQL", backend))
    lines += [
        "",
        "The latency is queueing: 24 requests in flight against one hub process (SQLite takes "
        "one writer at a time). A household's duplicate votes land on one row through the "
        "unique key (poll, household) and `INSERT … ON CONFLICT DO UPDATE`.",
        "",
    ]
    return lines


START = "<!-- deliberation:start -->"
END = "<!-- deliberation:end -->"


def write(results_path: Path, report_path: Path) -> None:
    """Put the section into REPORT.md between its markers (replacing the previous one, or
    appending it), leaving every other section untouched. Until ``bench/report.py`` lists
    ``deliberation`` in ``SECTIONS`` (with :func:`section_deliberation`), a full report rebuild
    shows this benchmark as the generic table; run this module afterwards to put it back."""
    results = json.loads(results_path.read_text(encoding="utf-8"))
    body = "\n".join(section_deliberation(results)).rstrip()
    load = (results.get("machine") or {}).get("load_avg_start")
    block = f"{START}\n## {TITLE}\n\n{body}\n\nLoad average at the start: {load}.\n{END}"
    text = report_path.read_text(encoding="utf-8") if report_path.exists() else ""
    if START in text and END in text:
        before, _, rest = text.partition(START)
        _, _, after = rest.partition(END)
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    report_path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    write(root / "bench" / "results" / "deliberation.json", root / "bench" / "REPORT.md")
