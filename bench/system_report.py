"""The REPORT.md section of ``bench/results/system.json`` (bench/system_bench.py): cold start, REST
and Telegram load levels, memory; and why the text-turn and memory goals were missed."""

from __future__ import annotations

from typing import Any

from bench.merge import lookup
from bench.report_format import table


def why_text_turn(results: dict[str, Any]) -> str:
    """Why the text-turn p50 was missed: NLU parsing, the slowest message, the machine's load."""
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


def why_memory(results: dict[str, Any]) -> str:
    """Why the stack's memory was over: its largest process."""
    memory = lookup(results.get("system", {}), "memory") or {}
    procs = {k: v for k, v in memory.items() if k != "stack_rss_mb" and isinstance(v, (int, float))}
    if not procs:
        return ""
    name, mb = max(procs.items(), key=lambda kv: kv[1])
    return f"The largest process is {name.removesuffix('_rss_mb')} at {mb:.0f} MB."


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


GOAL_NOTES: dict[str, str] = {
    "rest.c1.p50_ms": "Turns that call the action server (form validation, hub look-ups) cost "
    "several times a plain greeting, which Rasa answers alone. Reaching 100 ms needs an idle "
    "machine and fewer action round-trips per turn.",
}
"""Goal key → what reading the numbers taught (appended to the reason of a missed goal)."""
