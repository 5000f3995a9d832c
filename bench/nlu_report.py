"""The REPORT.md section of ``bench/results/nlu.json`` (bench/nlu_bench.py): intent accuracy and
macro-F1 of Rasa vs the keyword baseline, slots, parse latency; and why an NLU goal was missed."""

from __future__ import annotations

from typing import Any

from bench.merge import lookup
from bench.report_format import fmt, n_runs, pct, spread_text, table


def why_nlu(results: dict[str, Any]) -> str:
    """Why an intent goal was missed: the most frequent confusions, the weakest intent."""
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
        text += f" {pct(fb)} of the held-out utterances fell below the fallback threshold."
    return text or "See the NLU section for the per-intent scores."


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


GOAL_NOTES: dict[str, str] = {
    "rasa.accuracy": "The held-out set includes hard styles (elderly fillers, dialect, ASR "
    "noise, Traditional) and bare slot answers (“3栋”, “挺急的”) whose intent is ambiguous out "
    "of context; inside a form the answer is read through requested_slot, so such confusions "
    "cost less in a conversation than in this score.",
    "rasa.macro_f1": "Out-of-scope recall pulls macro-F1 down most: unrelated questions are "
    "classified as consult, where the knowledge base then has to decline them.",
}
"""Goal key → what reading the numbers taught (appended to the reason of a missed goal)."""
