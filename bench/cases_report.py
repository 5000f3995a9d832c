"""The REPORT.md section of ``bench/results/cases.json`` (bench/cases_bench.py)."""

from __future__ import annotations

from typing import Any

from bench.report_format import table


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
