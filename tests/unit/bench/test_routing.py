"""First-turn routing: reading the flow from a tracker, the baseline's flow, the scores, the
HTTP client against a fake Rasa, and the report section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bench import routing_bench
from bench.routing import (
    EXPECTED_FLOW,
    RULE_FLOW,
    Item,
    Outcome,
    baseline_flow,
    expected_flows,
    flow_from_tracker,
    inform_flow,
    intent_right,
    load_authored,
    report_vs_consult,
    score,
)
from bench.routing_report import section_routing

ROOT = Path(__file__).resolve().parents[3]


def _user(intent: str, confidence: float = 0.9, text: str = "…") -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}},
    }


def _action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


START = [_action("action_session_start"), {"event": "session_started"}, _action("action_listen")]


def _tracker(*events: dict[str, Any], active_loop: str | None = None) -> dict[str, Any]:
    return {
        "sender_id": "s",
        "events": [*START, *events],
        "active_loop": {"name": active_loop} if active_loop else {},
    }


# ---------------------------------------------------------------- tracker → flow


def test_a_report_form_that_became_active_is_a_report() -> None:
    tracker = _tracker(
        _user("report"),
        _action("report_form"),
        {"event": "active_loop", "name": "report_form"},
        {"event": "slot", "name": "requested_slot", "value": "urgency"},
        {"event": "bot", "text": "这个问题急不急？"},
        _action("action_listen"),
        active_loop="report_form",
    )
    outcome = flow_from_tracker(tracker)
    assert (outcome.intent, outcome.flow, outcome.confidence) == ("report", "report", 0.9)
    assert outcome.actions == ["report_form"]


def test_inform_followed_into_the_service_form_is_a_service() -> None:
    tracker = _tracker(
        _user("inform"),
        _action("action_handle_inform"),
        {"event": "followup", "name": "service_form"},
        _action("service_form"),
        {"event": "active_loop", "name": "service_form"},
        active_loop="service_form",
    )
    assert flow_from_tracker(tracker).flow == "service"


@pytest.mark.parametrize(
    ("events", "flow"),
    [
        ([_user("consult"), _action("action_answer_question")], "consult"),
        ([_user("ask_status"), _action("action_case_status")], "status"),
        ([_user("rate"), _action("action_rate")], "rate"),
        ([_user("nlu_fallback", 0.35), _action("utter_default")], "fallback"),
        ([_user("out_of_scope"), _action("utter_out_of_scope")], "out_of_scope"),
        ([_user("greet"), _action("utter_greet")], "chitchat"),
        ([_user("handoff_human"), _action("action_handoff"), {"event": "active_loop"}], "handoff"),
        ([_user("affirm"), _action("utter_ask_what")], "clarify"),
        ([_user("consult"), _action("action_clarify_intent")], "clarify"),
        ([_user("report")], "none"),
    ],
)
def test_actions_map_to_flows(events: list[dict[str, Any]], flow: str) -> None:
    assert flow_from_tracker(_tracker(*events)).flow == flow


def test_a_clarifying_response_sent_by_a_custom_action_counts() -> None:
    tracker = _tracker(
        _user("inform"),
        _action("action_handle_inform"),
        {"event": "bot", "text": "请问您是要…", "metadata": {"utter_action": "utter_ask_what"}},
    )
    assert flow_from_tracker(tracker).flow == "clarify"


def test_an_emergency_wins_over_everything_else_in_the_turn() -> None:
    tracker = _tracker(
        _user("emergency"),
        _action("action_emergency"),
        {"event": "active_loop", "name": None},
        {"event": "followup", "name": "report_form"},
        _action("report_form"),
        {"event": "active_loop", "name": "report_form"},
        active_loop="report_form",
    )
    assert flow_from_tracker(tracker).flow == "emergency"


def test_only_the_last_turn_counts() -> None:
    tracker = _tracker(
        _user("report"),
        _action("report_form"),
        {"event": "active_loop", "name": "report_form"},
        _action("action_cancel"),
        {"event": "active_loop", "name": None},
        _action("action_listen"),
        _user("consult", 0.8),
        _action("action_answer_question"),
        _action("action_listen"),
    )
    outcome = flow_from_tracker(tracker)
    assert (outcome.intent, outcome.flow) == ("consult", "consult")


# ---------------------------------------------------------------- the baseline's flow


def test_every_domain_intent_has_a_baseline_flow_and_an_expectation() -> None:
    domain = yaml.safe_load((ROOT / "nlu/domain.yml").read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    assert intents - {"inform"} <= set(RULE_FLOW), intents - set(RULE_FLOW)
    assert intents <= set(EXPECTED_FLOW), intents - set(EXPECTED_FLOW)


def test_baseline_flow_follows_the_rules_and_handle_inform() -> None:
    parsers = (
        lambda t: "elderly_allowance" if "津贴" in t else None,
        lambda t: "elevator" if "电梯" in t else None,
        lambda t: "5栋" if "栋" in t else None,
    )
    assert baseline_flow("report", "x", parsers) == "report"
    assert baseline_flow("emergency", "x", parsers) == "emergency"
    assert baseline_flow("out_of_scope", "x", parsers) == "out_of_scope"
    assert baseline_flow("inform", "高龄津贴", parsers) == "service"
    assert baseline_flow("inform", "5栋", parsers) == "report"
    assert baseline_flow("inform", "随便", parsers) == "clarify"
    assert inform_flow("5栋", None) == "clarify"
    assert baseline_flow("made_up", "x", parsers) == "none"


# ---------------------------------------------------------------- scores


def _real(gold: str, alt: str | None = None, n: int = 0) -> Item:
    return Item("real_dev", f"r:{gold}:{n}", "…", gold, alt)


def test_expected_flows_and_intent_right() -> None:
    assert expected_flows(Item("authored", "a", "…", "ask_status")) == {"status"}
    assert expected_flows(Item("authored", "a", "…", "inform")) is None
    assert expected_flows(_real("consult", "report")) == {"consult"}
    assert expected_flows(_real("consult", "report"), lenient=True) == {"consult", "report"}
    assert "clarify" in expected_flows(_real("other"))
    assert intent_right(_real("other"), "out_of_scope")
    assert not intent_right(_real("report"), "inform")
    assert intent_right(_real("consult", "report"), "report", lenient=True)
    assert not intent_right(_real("consult", "report"), "report")
    assert intent_right(Item("authored", "a", "…", "inform"), "inform")


def test_report_vs_consult_is_the_mean_of_the_two_recalls() -> None:
    items = [_real("report", n=k) for k in range(4)] + [_real("consult", n=k) for k in range(2)]
    items.append(_real("service"))
    predicted = ["report", "report", "report", "consult", "consult", "report", "report"]
    result = report_vs_consult(items, predicted)
    assert result == {
        "bacc": pytest.approx((0.75 + 0.5) / 2),
        "recall_report": 0.75,
        "recall_consult": 0.5,
    }
    always_report = report_vs_consult(items, ["report"] * len(items))
    assert always_report["bacc"] == pytest.approx(0.5)
    assert report_vs_consult(items[:4], ["report"] * 4)["bacc"] is None


def test_score_counts_routing_false_emergencies_and_lenient_answers() -> None:
    items = [
        _real("report", n=1),
        _real("report", n=2),
        _real("consult", "report", n=3),
        _real("consult", n=4),
        _real("other", n=5),
    ]
    outcomes = [
        Outcome("report", "report", latency_ms=10),
        Outcome("emergency", "emergency", latency_ms=30),
        Outcome("report", "report", latency_ms=20),
        Outcome("inform", "clarify", latency_ms=40),
        Outcome("out_of_scope", "out_of_scope", latency_ms=50),
    ]
    s = score(items, outcomes)
    assert s["n"] == 5
    assert s["intent_accuracy"] == pytest.approx(2 / 5)
    assert s["intent_accuracy_lenient"] == pytest.approx(3 / 5)
    assert s["routing_accuracy"] == pytest.approx(2 / 5)
    assert s["routing_accuracy_lenient"] == pytest.approx(3 / 5)
    assert s["false_emergencies"] == 1
    assert s["false_emergency_rate"] == pytest.approx(1 / 5)
    assert s["clarify_rate"] == pytest.approx(1 / 5)
    assert s["routing_report_vs_consult"]["bacc"] == pytest.approx((0.5 + 0.0) / 2)
    assert s["routes_by_gold"]["report"] == {"report": 1, "emergency": 1}
    assert s["routing_recall"]["other"] == 1.0
    assert s["turn_p50_ms"] == 30


def test_score_on_the_authored_set_skips_context_answers_for_routing() -> None:
    items = [
        Item("authored", "a:1", "…", "emergency"),
        Item("authored", "a:2", "…", "inform"),
        Item("authored", "a:3", "…", "consult"),
    ]
    outcomes = [
        Outcome("emergency", "emergency"),
        Outcome("emergency", "emergency"),
        Outcome("consult", "consult"),
    ]
    s = score(items, outcomes)
    assert s["routing_scored"] == 2
    assert s["routing_recall"] == {"consult": 1.0, "emergency": 1.0}
    assert s["routing_accuracy"] == 1.0
    assert s["intent_accuracy"] == pytest.approx(2 / 3)
    assert (s["false_emergencies"], s["non_emergency_items"]) == (1, 2)
    assert "routing_accuracy_lenient" not in s
    with pytest.raises(ValueError):
        score(items, outcomes[:2])


def test_the_authored_set_loads() -> None:
    items = load_authored()
    assert len(items) >= 400
    assert {i.gold for i in items} <= set(EXPECTED_FLOW)


# ---------------------------------------------------------------- the client and the run


class FakeRasa:
    """The REST webhook and the tracker API of a Rasa that routes by keyword."""

    def __init__(self) -> None:
        self.trackers: dict[str, dict[str, Any]] = {}
        self.tokens: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            body = json.loads(request.content)
            text, sender = body["message"], body["sender"]
            if "坏" in text:
                events = [
                    _user("report"),
                    _action("report_form"),
                    {"event": "active_loop", "name": "report_form"},
                ]
            else:
                events = [_user("consult"), _action("action_answer_question")]
            self.trackers[sender] = _tracker(*events)
            return httpx.Response(200, json=[{"text": "…"}])
        if request.url.path.endswith("/tracker"):
            self.tokens.append(request.url.params.get("token"))
            sender = request.url.path.split("/")[2]
            if sender not in self.trackers:
                return httpx.Response(404)
            return httpx.Response(200, json={**self.trackers[sender], "sender_id": sender})
        return httpx.Response(200, json={"version": "3.6.21"})


def test_rasa_turns_uses_a_fresh_sender_and_the_token() -> None:
    fake = FakeRasa()
    turns = routing_bench.RasaTurns(
        "http://rasa", "secret", "run1", transport=httpx.MockTransport(fake)
    )
    first = turns.first_turn("电梯坏了")
    second = turns.first_turn("老年卡去哪办")
    turns.close()
    assert (first.flow, second.flow) == ("report", "consult")
    assert first.latency_ms is not None
    assert len(fake.trackers) == 2
    assert fake.tokens == ["secret", "secret"]


def test_rasa_turns_records_an_error_instead_of_failing() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500)

    turns = routing_bench.RasaTurns("http://rasa", None, "r", transport=httpx.MockTransport(broken))
    assert turns.first_turn("电梯坏了").flow == "error"


def test_run_without_the_real_set_scores_the_authored_set_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeRasa()
    real_client = routing_bench.RasaTurns

    def fake_turns(url: str, token: str | None, run_id: str) -> routing_bench.RasaTurns:
        return real_client(url, token, run_id, transport=httpx.MockTransport(fake))

    monkeypatch.setattr(routing_bench, "RasaTurns", fake_turns)
    out = tmp_path / "routing.json"
    report = routing_bench.run(
        sets=["authored", "real_dev", "real_test"],
        out_path=out,
        rasa_url="http://rasa",
        rasa_token="t",
        data_dir=tmp_path / "no-data",
        build_real=False,
        limit=12,
    )
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["real_data"]["status"] == "absent"
    assert written["sets"]["real_dev"] == {"skipped": "real set absent (see real_data)"}
    authored = written["sets"]["authored"]
    assert authored["n"] == 12
    assert set(authored) >= {"rasa", "baseline_rules"}
    assert 0.0 <= authored["rasa"]["routing_accuracy"] <= 1.0
    assert all("text" in row for row in written["items"]["authored"])
    lines = "\n".join(routing_bench.summary_lines(report))
    assert "real_dev: skipped" in lines


def test_real_items_are_listed_without_their_text() -> None:
    items = [_real("consult", n=1)]
    rows = routing_bench.item_rows(items, [Outcome("report", "report")], [Outcome("x", "none")])
    assert rows == [
        {
            "id": "r:consult:1",
            "gold": "consult",
            "rasa_intent": "report",
            "rasa_flow": "report",
            "rasa_confidence": None,
            "baseline_intent": "x",
            "baseline_flow": "none",
        }
    ]


# ---------------------------------------------------------------- report section


def test_report_section_shows_scores_and_absence() -> None:
    scores = score(
        [_real("report"), _real("consult")],
        [Outcome("report", "report"), Outcome("report", "report")],
    )
    data = {
        "real_data": {"status": "absent", "why": "no file", "how": "build it"},
        "sets": {
            "real_dev": {"n": 2, "rasa": scores, "baseline_rules": scores},
            "real_test": {"skipped": "real set absent (see real_data)"},
        },
    }
    authored = [Item("authored", "a:1", "…", "report"), Item("authored", "a:2", "…", "report")]
    data["sets"]["authored"] = {
        "n": 2,
        "rasa": score(authored, [Outcome("report", "report"), Outcome("report", "clarify")]),
        "baseline_rules": score(authored, [Outcome("report", "report")] * 2),
    }
    text = "\n".join(section_routing(data))
    assert "| report | 0.500 | 1.000 |" in text
    assert "Real set absent" in text and "build it" in text
    assert "| real message board, dev (n=2) | rasa | 0.500 | 0.500 |" in text
    assert "skipped: real set absent" in text
