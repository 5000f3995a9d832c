"""First-turn routing: which flow a resident's first message starts, and how to score it.

Pure logic for ``bench/routing_bench.py`` (no HTTP): the evaluation sets (the authored held-out
set and the real message-board set rebuilt by ``bench/data/real/build_real_nlu.py``), the
reading of a Rasa tracker into the flow that actually ran, the keyword baseline's flow (its
intent put through the same rules as ``nlu/data/rules.yml``) and the scores.

Over 400 lines on purpose: the sets, the tracker reading and the scores are pure functions used
together by one benchmark and tested together (tests/unit/bench/test_routing.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.data.real import build_real_nlu as real_data

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
AUTHORED = ROOT / "bench/data/nlu_eval.yml"
FORMS = {
    "report_form": "report",
    "service_form": "service",
    "proposal_form": "propose",
    "vote_form": "vote",
}

# The flow each gold intent of the authored set should start on a first message (outside any
# form). Intents that only mean something as an answer inside a form (a bare detail, yes, no)
# are not scored for routing (None); they still count for the false-emergency rate.
EXPECTED_FLOW: dict[str, str | None] = {
    "report": "report",
    "consult": "consult",
    "service": "service",
    "ask_status": "status",
    "rate": "rate",
    "emergency": "emergency",
    "handoff_human": "handoff",
    "cancel": "cancel",
    "greet": "chitchat",
    "goodbye": "chitchat",
    "thank": "chitchat",
    "out_of_scope": "out_of_scope",
    "propose": "propose",
    "vote": "vote",
    "ask_results": "results",
    "inform": None,
    "affirm": None,
    "deny": None,
}

# The flows that are right for each label of the real set. A message that is neither a problem,
# a question nor a service request (an opinion, thanks) is handled well by anything that does
# not start a wrong flow.
REAL_FLOWS: dict[str, frozenset[str]] = {
    "report": frozenset({"report"}),
    "consult": frozenset({"consult"}),
    "service": frozenset({"service"}),
    "other": frozenset({"out_of_scope", "fallback", "clarify", "handoff", "chitchat"}),
}

# Coarse routes for the tables: report / consult / service / status / emergency / clarify / other.
ROUTE: dict[str, str] = {
    "report": "report",
    "consult": "consult",
    "service": "service",
    "status": "status",
    "emergency": "emergency",
    "clarify": "clarify",
}

# The NLU intent as one of the real set's labels (anything else is simply wrong there).
FAMILY: dict[str, str] = {
    "report": "report",
    "consult": "consult",
    "service": "service",
    "out_of_scope": "other",
    "nlu_fallback": "other",
    "greet": "other",
    "goodbye": "other",
    "thank": "other",
}

# The rules of nlu/data/rules.yml outside a form: intent → the flow it starts. ``inform`` goes
# through action_handle_inform (``inform_flow``).
RULE_FLOW: dict[str, str] = {
    "report": "report",
    "service": "service",
    "consult": "consult",
    "ask_status": "status",
    "rate": "rate",
    "emergency": "emergency",
    "handoff_human": "handoff",
    "cancel": "cancel",
    "greet": "chitchat",
    "goodbye": "chitchat",
    "thank": "chitchat",
    "out_of_scope": "out_of_scope",
    "nlu_fallback": "fallback",
    "affirm": "clarify",
    "deny": "clarify",
    "propose": "propose",
    "vote": "vote",
    "ask_results": "results",
}

ACTION_FLOW: dict[str, str] = {
    "action_emergency": "emergency",
    "action_handoff": "handoff",
    "action_answer_question": "consult",
    "utter_ask_consult": "consult",
    "action_case_status": "status",
    "action_rate": "rate",
    "action_cancel": "cancel",
    "utter_nothing_to_cancel": "cancel",
    "utter_ask_what": "clarify",
    "utter_default": "fallback",
    "utter_out_of_scope": "out_of_scope",
    "utter_greet": "chitchat",
    "utter_goodbye": "chitchat",
    "utter_thank": "chitchat",
    "action_start_vote": "vote",
    "action_poll_results": "results",
}
# When several of these ran in one turn, the first in this order is the flow.
PRIORITY = (
    "emergency",
    "handoff",
    "report",
    "service",
    "propose",
    "vote",
    "consult",
    "status",
    "results",
    "rate",
    "cancel",
    "clarify",
    "fallback",
    "out_of_scope",
    "chitchat",
)


@dataclass(frozen=True)
class Item:
    """One first message with its gold answer."""

    set: str
    id: str
    text: str
    gold: str  # authored: the intent; real: report / consult / service / other
    alt: str | None = None  # real: a second acceptable label

    @property
    def real(self) -> bool:
        """True for the message-board sets."""
        return self.set.startswith("real")


@dataclass
class Outcome:
    """What one system did with one first message."""

    intent: str
    flow: str
    confidence: float | None = None
    latency_ms: float | None = None
    actions: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- sets


def load_authored(path: Path = AUTHORED) -> list[Item]:
    """The authored held-out set (``bench/data/nlu_eval.yml``)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        Item("authored", f"authored:{n}", str(e["text"]), str(e["intent"]))
        for n, e in enumerate(raw)
    ]


def load_real(data_dir: Path, build: bool = True) -> tuple[dict[str, list[Item]], dict[str, Any]]:
    """The real dev and test sets from ``<data_dir>/real_nlu``, building them when possible.

    Building uses only the local cache and repository snapshots (never the network).

    Returns:
        ``{"real_dev": [...], "real_test": [...]}`` (empty when unavailable) and a status dict:
        ``status`` ``ok`` or ``absent`` with ``why`` and ``how`` (the command that builds it).
    """
    out_dir = data_dir / "real_nlu"
    path = out_dir / "real_nlu.jsonl"
    labels_sha1 = hashlib.sha1(real_data.LABELS.read_bytes()).hexdigest()
    manifest_path = out_dir / "manifest.json"
    stale = (
        path.exists()
        and manifest_path.exists()
        and json.loads(manifest_path.read_text(encoding="utf-8")).get("labels_sha1") != labels_sha1
    )
    how = (
        ".venv/bin/python bench/data/real/build_real_nlu.py "
        "[--mirrors DIR | --files DIR | --download]  (see bench/data/real/SOURCES.md)"
    )
    if build and (not path.exists() or stale):
        mirrors = [m for m in real_data.DEFAULT_MIRRORS if m.is_dir()]
        try:
            real_data.build(out_dir, mirrors=mirrors)
        except (real_data.RealDataError, OSError) as exc:
            if not path.exists():
                return {}, {"status": "absent", "why": str(exc), "how": how}
            logger.warning("real set not rebuilt (%s); using the existing one", exc)
    if not path.exists():
        return {}, {"status": "absent", "why": f"{path} does not exist", "how": how}
    sets: dict[str, list[Item]] = {"real_dev": [], "real_test": []}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        name = f"real_{row['split']}"
        sets[name].append(Item(name, row["id"], row["text"], row["label"], row.get("alt")))
    status: dict[str, Any] = {"status": "ok", "path": str(path)}
    if manifest_path.exists():
        status["manifest"] = json.loads(manifest_path.read_text(encoding="utf-8"))
    return sets, status


# ---------------------------------------------------------------- flows


def _turn_events(tracker: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The events after the last user message."""
    events = list(tracker.get("events") or [])
    last = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    return events[last + 1 :]


def flow_from_tracker(tracker: Mapping[str, Any]) -> Outcome:
    """The intent of the last user message and the flow its turn started.

    A form counts when it became the active loop (``active_loop`` event or the tracker's
    ``active_loop``); other flows are read from the actions that ran and from the responses a
    custom action sent (``metadata.utter_action``), e.g. ``utter_ask_what`` from
    action_handle_inform. Any action or response with ``clarif`` in its name is a clarifying
    question. The first flow in ``PRIORITY`` wins; ``none`` when nothing ran.
    """
    events = list(tracker.get("events") or [])
    user = next((e for e in reversed(events) if e.get("event") == "user"), {}) or {}
    intent = ((user.get("parse_data") or {}).get("intent") or {}) if user else {}
    seen: list[str] = []
    flows: set[str] = set()
    for event in _turn_events(tracker):
        kind = event.get("event")
        name = ""
        if kind == "action":
            name = str(event.get("name") or "")
            if name and name != "action_listen":
                seen.append(name)
        elif kind == "active_loop":
            name = str(event.get("name") or "")
        elif kind == "bot":
            name = str((event.get("metadata") or {}).get("utter_action") or "")
        if not name:
            continue
        if name in FORMS and kind == "active_loop":
            flows.add(FORMS[name])
        elif name in ACTION_FLOW:
            flows.add(ACTION_FLOW[name])
        elif "clarif" in name:
            flows.add("clarify")
    loop = (tracker.get("active_loop") or {}).get("name")
    if loop in FORMS:
        flows.add(FORMS[loop])
    flow = next((f for f in PRIORITY if f in flows), "none")
    return Outcome(
        intent=str(intent.get("name") or "none"),
        flow=flow,
        confidence=intent.get("confidence"),
        actions=seen,
    )


Parser = Callable[[str], Any]


def load_inform_parsers() -> tuple[Parser, Parser, Parser] | None:
    """``actions.parsing``'s service, category and location parsers (None if unavailable)."""
    try:
        from actions.parsing import parse_category, parse_location, parse_service
    except ImportError as exc:
        logger.warning("actions.parsing not importable (%s): baseline inform → clarify", exc)
        return None
    return parse_service, parse_category, parse_location


def inform_flow(text: str, parsers: tuple[Parser, Parser, Parser] | None) -> str:
    """What action_handle_inform does with a bare detail outside a form."""
    if parsers is None:
        return "clarify"
    parse_service, parse_category, parse_location = parsers
    if parse_service(text):
        return "service"
    if parse_category(text) or parse_location(text):
        return "report"
    return "clarify"


def baseline_flow(
    intent: str, text: str, parsers: tuple[Parser, Parser, Parser] | None = None
) -> str:
    """The flow the rules start for this intent on a first message."""
    if intent == "inform":
        return inform_flow(text, parsers)
    return RULE_FLOW.get(intent, "none")


# ---------------------------------------------------------------- scores


def expected_flows(item: Item, lenient: bool = False) -> frozenset[str] | None:
    """The flows that are right for this item (None: not scored for routing)."""
    if not item.real:
        flow = EXPECTED_FLOW.get(item.gold)
        return frozenset({flow}) if flow else None
    flows = REAL_FLOWS[item.gold]
    if lenient and item.alt:
        flows = flows | REAL_FLOWS[item.alt]
    return flows


def intent_right(item: Item, intent: str, lenient: bool = False) -> bool:
    """Whether the NLU intent is right for this item."""
    if not item.real:
        return intent == item.gold
    family = FAMILY.get(intent, intent)
    return family == item.gold or (lenient and item.alt is not None and family == item.alt)


def _share(hits: int, n: int) -> float | None:
    return hits / n if n else None


def report_vs_consult(items: Sequence[Item], predicted: Sequence[str]) -> dict[str, float | None]:
    """Balanced accuracy of report vs consult: the mean of the two recalls.

    ``predicted`` is the report/consult/… answer for each item (an intent family or a flow);
    only items whose gold is report or consult count.
    """
    recall = {}
    for label in ("report", "consult"):
        pairs = [(i, p) for i, p in zip(items, predicted, strict=True) if i.gold == label]
        recall[label] = _share(sum(1 for _, p in pairs if p == label), len(pairs))
    values = [v for v in recall.values() if v is not None]
    return {
        "bacc": sum(values) / len(values) if len(values) == 2 else None,
        "recall_report": recall["report"],
        "recall_consult": recall["consult"],
    }


def score(items: Sequence[Item], outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Intent accuracy, routing accuracy, report-vs-consult balanced accuracy (intent and
    flow), false-emergency rate, clarify and fallback rates, flow and route distributions."""
    if len(items) != len(outcomes):
        raise ValueError("one outcome per item")
    n = len(items)
    routed = [(i, o, expected_flows(i)) for i, o in zip(items, outcomes, strict=True)]
    scored = [(i, o, e) for i, o, e in routed if e is not None]
    families = [
        FAMILY.get(o.intent, o.intent) if i.real else o.intent
        for i, o in zip(items, outcomes, strict=True)
    ]
    routes = [ROUTE.get(o.flow, "other") for o in outcomes]
    not_emergency = [o for i, o in zip(items, outcomes, strict=True) if i.gold != "emergency"]
    result: dict[str, Any] = {
        "n": n,
        "intent_accuracy": _share(
            sum(intent_right(i, o.intent) for i, o in zip(items, outcomes, strict=True)), n
        ),
        "routing_accuracy": _share(sum(o.flow in e for _, o, e in scored), len(scored)),
        "routing_scored": len(scored),
        "report_vs_consult": report_vs_consult(items, families),
        "routing_report_vs_consult": report_vs_consult(items, routes),
        "false_emergency_rate": _share(
            sum(o.flow == "emergency" for o in not_emergency), len(not_emergency)
        ),
        "false_emergencies": sum(o.flow == "emergency" for o in not_emergency),
        "non_emergency_items": len(not_emergency),
        "clarify_rate": _share(sum(o.flow == "clarify" for o in outcomes), n),
        "fallback_rate": _share(sum(o.intent == "nlu_fallback" for o in outcomes), n),
        "errors": sum(o.flow == "error" for o in outcomes),
        "flows": dict(Counter(o.flow for o in outcomes).most_common()),
        "intents": dict(Counter(o.intent for o in outcomes).most_common()),
        "routes_by_gold": _by_gold(items, routes),
    }
    if any(i.real for i in items):
        result["intent_accuracy_lenient"] = _share(
            sum(intent_right(i, o.intent, True) for i, o in zip(items, outcomes, strict=True)), n
        )
        lenient = [(i, o, expected_flows(i, True)) for i, o, _ in scored]
        result["routing_accuracy_lenient"] = _share(
            sum(o.flow in e for _, o, e in lenient if e is not None), len(lenient)
        )
    golds = sorted({i.gold for i, _, _ in scored})
    result["routing_recall"] = {
        gold: _share(
            sum(o.flow in e for i, o, e in scored if i.gold == gold),
            sum(1 for i, _, _ in scored if i.gold == gold),
        )
        for gold in golds
    }
    latencies = sorted(o.latency_ms for o in outcomes if o.latency_ms is not None)
    if latencies:
        result["turn_p50_ms"] = latencies[len(latencies) // 2]
        result["turn_p95_ms"] = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    return result


def _by_gold(items: Iterable[Item], routes: Iterable[str]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = {}
    for item, route in zip(items, routes, strict=True):
        table.setdefault(item.gold, Counter())[route] += 1
    return {gold: dict(c.most_common()) for gold, c in sorted(table.items())}
