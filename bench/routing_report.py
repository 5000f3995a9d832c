"""The REPORT.md section of ``bench/results/routing.json`` (first-turn routing)."""

from __future__ import annotations

from typing import Any

SET_TITLES = {
    "authored": "authored held-out (`bench/data/nlu_eval.yml`)",
    "real_dev": "real message board, dev",
    "real_test": "real message board, test (acceptance only: never tune on it)",
}
COLUMNS = (
    ("intent_accuracy", "intent acc."),
    ("routing_accuracy", "first-turn routing"),
    ("report_vs_consult.bacc", "report/consult bal. acc. (intent)"),
    ("routing_report_vs_consult.bacc", "report/consult bal. acc. (flow)"),
    ("false_emergency_rate", "false emergency"),
    ("clarify_rate", "clarify"),
    ("fallback_rate", "NLU fallback"),
)
ROUTES = ("report", "consult", "service", "status", "emergency", "clarify", "other")


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    if not rows:
        return []
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows] + [""]


def section_routing(d: dict[str, Any]) -> list[str]:
    """Scores per set and system, routes per gold label, and what the real set is."""
    out = [
        "The flow each first message actually started (fresh sender, Rasa's REST channel, read "
        "back from the tracker), Rasa vs the keyword baseline put through the same rules; intent "
        "accuracy on the real sets counts report / consult / service / other (out_of_scope, "
        "fallback, chit-chat) against the hand label. Balanced accuracy is the mean of report "
        "recall and consult recall. False emergency: share of non-emergency messages whose first "
        "turn ran action_emergency.",
        "",
        "How the pipeline got here, on these same sets (Rasa, flow started; real dev / real test "
        "report-vs-consult balanced accuracy; authored held-out intent accuracy): DIET alone "
        "0.52 / 0.62 / 0.898; + the long-message router (nlu/addons/meaning_router.py) "
        "0.77 / 0.80 / 0.907; router trained on the routes and long messages 0.852 / 0.840 / "
        "0.907; + the meaning blend of DIET with an e5 vote over every intent "
        "(nlu/addons/meaning_blend.py; weight and C chosen on the NLU dev set, status questions "
        "and emergencies kept when both readings agree) 0.872 / 0.862 / 0.952 (on the 537 "
        "authored messages of then); + the 议事 intents propose / vote / ask_results (36 more "
        "authored messages, 573 in all), training examples of status questions that say where "
        "the case was reported, long messages' emergencies rerouted unless they hold danger "
        "words — the figures below.",
        "",
    ]
    real = d.get("real_data") or {}
    if real.get("status") == "absent":
        out += [
            f"**Real set absent on this machine, skipped**: {real.get('why')}. "
            f"Build it with `{real.get('how')}`.",
            "",
        ]
    elif isinstance(real.get("manifest"), dict):
        per = real["manifest"].get("per_split") or {}
        out += [
            "Real set: citizens' messages to a city message board (2020 泰迪杯 problem C data), "
            "title + body cut to 500 characters, labelled by hand; texts rebuilt locally, not "
            "committed (`bench/data/real/SOURCES.md`). "
            + "; ".join(
                f"{split}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                for split, counts in per.items()
            )
            + ".",
            "",
        ]
    rows = []
    for name, data in (d.get("sets") or {}).items():
        if not isinstance(data, dict):
            continue
        if data.get("skipped"):
            rows.append([SET_TITLES.get(name, name), "skipped: " + str(data["skipped"])])
            continue
        for system in ("rasa", "baseline_rules"):
            scores = data.get(system)
            if isinstance(scores, dict):
                rows.append(
                    [SET_TITLES.get(name, name) + f" (n={data.get('n')})", system]
                    + [_get(scores, key) for key, _ in COLUMNS]
                )
    out += _table(["set", "system", *(label for _, label in COLUMNS)], rows)
    lenient = [
        [
            name,
            system,
            _get(data, f"{system}.intent_accuracy_lenient"),
            _get(data, f"{system}.routing_accuracy_lenient"),
        ]
        for name, data in (d.get("sets") or {}).items()
        if name.startswith("real") and isinstance(data, dict) and not data.get("skipped")
        for system in ("rasa", "baseline_rules")
        if isinstance(data.get(system), dict)
    ]
    if lenient:
        out += [
            "Counting the second label of ambiguous real messages as right too (`alt`):",
            "",
        ]
        out += _table(["set", "system", "intent acc. (lenient)", "routing (lenient)"], lenient)
    by_gold = _get(d, "sets.real_dev.rasa.routes_by_gold")
    if isinstance(by_gold, dict) and by_gold:
        out += [f"Where Rasa routed the first message, {SET_TITLES['real_dev']}:", ""]
        out += _table(
            ["gold", *ROUTES],
            [[gold, *(counts.get(r, 0) for r in ROUTES)] for gold, counts in by_gold.items()],
        )
    rasa = _get(d, "sets.authored.rasa.routing_recall")
    base = _get(d, "sets.authored.baseline_rules.routing_recall")
    if isinstance(rasa, dict) and rasa:
        out += [
            "First-turn routing per gold intent, authored set (share of its messages that "
            "started the expected flow; bare details, yes and no are answers inside a form and "
            "not scored here):",
            "",
        ]
        out += _table(
            ["gold intent", "rasa", "baseline_rules"],
            [[g, v, (base or {}).get(g)] for g, v in rasa.items()],
        )
    return out


# Written after reading the numbers (2026-12-04); appended to the reason of a missed goal.
GOAL_NOTES: dict[str, str] = {
    "sets.real_dev.rasa.routing_report_vs_consult.bacc": "One or two messages short on the dev "
    "set (report recall 110/135, consult 70/80); the test set, kept apart, is at 0.857. Most "
    "remaining misses are complaints about public offices phrased as questions (a property "
    "certificate or a school place that is years late, asked as “什么时候能办下来？”), which "
    "people also label either way (routing accuracy counting a second label: 0.825). "
    "Tried (2026-12-04): 58 more long router messages "
    "about public services (28 complaints, 30 questions, written here) lifted report recall to "
    "0.86 but cost consult recall: dev 0.813–0.817, so they were left out. The clarify question "
    "catches 6 dev complaints instead of guessing (honest, scored as wrong here).",
}
