"""Merge several runs of one benchmark into one result: medians, with every run's value kept.

Each run of a benchmark script writes the same JSON shape. The merged result has the same shape:

- a number at the same path in every run → the median over the runs that have it (a run missing
  the key is left out of that median);
- a list of numbers of the same length in every run (e.g. a load average) → element-wise median,
  except lists named ``runs_*`` (one value per repeat inside a run), which are joined;
- anything else (strings, flags, lists of per-item rows such as the dialogues or the growth table)
  → taken from the *representative* run: the run whose key figure is the median (``key``), or
  when there is none the run closest to the medians overall, so the rows of one table stay
  consistent with each other;
- ``machine``/``setup`` blocks and load averages of a whole run → from the representative run
  (the load at the start of every run is listed under ``_merge.runs``).

Ratios that compare two things (PostgreSQL vs SQLite, the bot vs Rasa alone) are computed inside
each run first (``RATIOS``) and only then merged, so the reported ratio is the median of ratios
taken in the same run, never a ratio of medians taken at different times.

``_merge`` records how the result was made: the runs merged (when, load average at start, wall
seconds), the runs excluded (failed), the representative run, and ``values``: every run's value
for each number that was not identical in all runs (``None`` where a run lacked it). A number
absent from ``values`` was identical in every run (deterministic figures such as accuracy).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from typing import Any

# top-level keys describing a whole run, copied from the representative run instead of merged
VERBATIM = {
    "machine",
    "setup",
    "date",
    "when",
    "generated_at",
    "load_average_at_start",
    "plots",
}
MERGE_KEY = "_merge"
PER_REPEAT_PREFIX = "runs_"


def is_number(value: Any) -> bool:
    """An int or float that is not a bool and not NaN."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and not (isinstance(value, float) and math.isnan(value))
    )


def median(values: list[float]) -> float | int:
    """The median; an int stays an int when all inputs are ints and the median is whole."""
    med = statistics.median(values)
    if all(isinstance(v, int) for v in values) and float(med).is_integer():
        return int(med)
    return round(med, 6) if isinstance(med, float) else med


def numeric_leaves(data: Any, prefix: str = "") -> dict[str, float]:
    """Every number reachable through dicts only, as {dotted.path: value} (lists not entered)."""
    out: dict[str, float] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if prefix == "" and (key in VERBATIM or key == MERGE_KEY):
                continue
            out.update(numeric_leaves(value, f"{prefix}.{key}" if prefix else str(key)))
    elif is_number(data):
        out[prefix] = data
    return out


def lookup(data: Any, dotted: str) -> Any:
    """The value at a dotted path or None (keys may not contain dots)."""
    cur = data
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def representative(runs: list[dict[str, Any]], key: str | None = None) -> int:
    """Index of the run to take non-numeric parts from.

    With ``key``: the run whose value at ``key`` is the (lower) median. Otherwise, or when a run
    lacks it: the run whose numbers are closest to the medians (sum of relative distances).
    """
    if len(runs) == 1:
        return 0
    if key:
        values = [lookup(r, key) for r in runs]
        if all(is_number(v) for v in values):
            order = sorted(range(len(runs)), key=lambda i: values[i])
            return order[(len(order) - 1) // 2]
    leaves = [numeric_leaves(r) for r in runs]
    shared = set.intersection(*(set(x) for x in leaves))
    meds = {p: statistics.median([x[p] for x in leaves]) for p in shared}

    def distance(i: int) -> float:
        return sum(abs(leaves[i][p] - m) / (abs(m) or 1.0) for p, m in meds.items())

    return min(range(len(runs)), key=distance)


def merge_values(values: list[Any], rep: Any, name: str = "") -> Any:
    """Merge one node present in some runs; ``rep`` is the representative run's node (or None).

    ``name`` is the node's key: a number list named ``runs_*`` holds one value per repeat inside
    a run (system_bench's ``runs_p50_ms``), so the runs' lists are joined instead.
    """
    present = [v for v in values if v is not None]
    if not present:
        return rep
    if all(is_number(v) for v in present):
        return median(present)
    if all(isinstance(v, dict) for v in present):
        keys: list[str] = []
        for v in present:
            keys += [k for k in v if k not in keys]
        rep_dict = rep if isinstance(rep, dict) else {}
        return {k: merge_values([v.get(k) for v in present], rep_dict.get(k), k) for k in keys}
    numbers = all(isinstance(v, list) and all(is_number(x) for x in v) for v in present)
    if numbers and name.startswith(PER_REPEAT_PREFIX):
        return [x for v in present for x in v]
    if (
        all(isinstance(v, list) for v in present)
        and len({len(v) for v in present}) == 1
        and all(is_number(x) for v in present for x in v)
    ):
        return [median([v[i] for v in present]) for i in range(len(present[0]))]
    return rep if rep is not None else present[0]


def merge_runs(
    runs: list[dict[str, Any]],
    key: str | None = None,
    meta: list[dict[str, Any]] | None = None,
    excluded: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One result from several successful runs of the same benchmark (see the module text).

    Args:
        runs: the results JSON of each successful run, in run order.
        key: dotted path of the figure whose median run is the representative run.
        meta: per run (same order): when, load average at start, seconds, run number.
        excluded: the runs left out (failed, or no results file), for the record.
    """
    if not runs:
        raise ValueError("nothing to merge")
    rep = representative(runs, key)
    merged: dict[str, Any] = {}
    keys: list[str] = []
    for run in runs:
        keys += [k for k in run if k not in keys and k != MERGE_KEY]
    for k in keys:
        if k in VERBATIM:
            if k in runs[rep]:
                merged[k] = runs[rep][k]
            else:
                merged[k] = next(r[k] for r in runs if k in r)
            continue
        merged[k] = merge_values([r.get(k) for r in runs], runs[rep].get(k), k)
    leaves = [numeric_leaves(r) for r in runs]
    paths: list[str] = []
    for x in leaves:
        paths += [p for p in x if p not in paths]
    values = {}
    for path in paths:
        column = [x.get(path) for x in leaves]
        if any(v is None for v in column) or len(set(column)) > 1:
            values[path] = column
    merged[MERGE_KEY] = {
        "n": len(runs),
        "how": "median per figure over the runs; per-item rows and text from the "
        "representative run",
        "representative_run": (meta[rep].get("run") if meta else None) or rep + 1,
        "representative_by": key if key and lookup(runs[rep], key) is not None else "closest",
        "runs": meta or [{"run": i + 1} for i in range(len(runs))],
        "excluded": excluded or [],
        "values": values,
    }
    return merged


# ---------------------------------------------------------------- ratios within one run


def _ratio(a: Any, b: Any) -> float | None:
    if is_number(a) and is_number(b) and b:
        return round(a / b, 4)
    return None


def _prune(tree: dict[str, Any]) -> dict[str, Any]:
    """Drop None leaves and emptied dicts."""
    out = {}
    for k, v in tree.items():
        if isinstance(v, dict):
            v = _prune(v)
            if v:
                out[k] = v
        elif v is not None:
            out[k] = v
    return out


def ratios_cases(d: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL ÷ SQLite at each concurrency: creates per second and p50 latency."""
    res = d.get("results") or {}
    pg, lite = res.get("postgresql") or {}, res.get("sqlite") or {}
    if not isinstance(pg, dict) or not isinstance(lite, dict):
        return {}
    return {
        "postgresql_vs_sqlite": {
            level: {
                "creates_per_s": _ratio(
                    lookup(pg, f"{level}.creates_per_s"), lite[level].get("creates_per_s")
                ),
                "p50_ms": _ratio(lookup(pg, f"{level}.p50_ms"), lite[level].get("p50_ms")),
            }
            for level in lite
            if isinstance(lite[level], dict) and isinstance(pg.get(level), dict)
        }
    }


def ratios_telegram(d: dict[str, Any]) -> dict[str, Any]:
    """The bot ÷ Rasa alone under the same load (only when the real stack was behind the bot)."""
    return {
        "bot_vs_direct_rasa": {
            "p50_ms": _ratio(
                lookup(d, "concurrent.latency.p50_ms"),
                lookup(d, "concurrent_direct_to_rasa.latency.p50_ms"),
            ),
            "turns_per_s": _ratio(
                lookup(d, "concurrent.turns_per_s"),
                lookup(d, "concurrent_direct_to_rasa.turns_per_s"),
            ),
        }
    }


def ratios_system(d: dict[str, Any]) -> dict[str, Any]:
    """Per level: the Telegram bot ÷ Rasa alone under the same load, when both were measured."""
    tg = d.get("telegram") or {}
    out: dict[str, Any] = {"bot_vs_direct_rasa": {}}
    for level, row in tg.items() if isinstance(tg, dict) else []:
        if isinstance(row, dict):
            out["bot_vs_direct_rasa"][level] = {
                "p50_ms": _ratio(row.get("p50_ms"), row.get("direct_rasa_p50_ms")),
                "turns_per_s": _ratio(row.get("turns_per_s"), row.get("direct_rasa_turns_per_s")),
            }
    return out


RATIOS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "cases": ratios_cases,
    "telegram": ratios_telegram,
    "system": ratios_system,
}


def with_ratios(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """The run's results plus ``ratios`` computed inside this run (unchanged when none apply)."""
    base = next((k for k in RATIOS if name == k or name.startswith(k + "_")), None)
    if base is None:
        return data
    try:
        found = _prune(RATIOS[base](data))
    except (AttributeError, TypeError, KeyError):
        return data
    return {**data, "ratios": found} if found else data
