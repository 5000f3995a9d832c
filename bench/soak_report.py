"""The REPORT.md section of ``bench/results/soak.json`` (bench/soak_bench.py)."""

from __future__ import annotations

from typing import Any

from bench import plots
from bench.merge import lookup
from bench.report_format import flatten, fmt, table

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
