"""The REPORT.md section of ``bench/results/dialogue.json`` (bench/dialogue_bench.py): scripted
conversations on the live stack, per kind and per dialogue, beside the figures of before."""

from __future__ import annotations

from typing import Any

from bench.report_format import fmt, pct, table


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
                pct(s.get("success_rate")),
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
            [k, v.get("n"), v.get("passed"), pct(v.get("rate"))]
            + ([pct(prev_kinds.get(k))] if prev_kinds else [])
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
            f"{pct(prev.get('success_rate'))} ({prev.get('passed')}/{prev.get('dialogues')})",
            f"{pct(s.get('success_rate'))} ({s.get('passed')}/{s.get('dialogues')})",
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
                f"{pct(old.get('success_rate'))} ({old.get('passed')}/{old.get('dialogues')})",
            ]
        )
    out = table(["", "before: training sentences", "now: held-out sentences"], rows)
    out += [f"Before: {prev.get('source')}.", ""]
    if old.get("note"):
        out += [str(old["note"]), ""]
    return out
