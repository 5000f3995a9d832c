"""bench/dialogue_bench.py scores a dialogue's stored outcome against ``expected``."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.dialogue_bench import RATING_CODES, compare, mask, summarise

ROOT = Path(__file__).resolve().parents[3]
CASE = {
    "case_no": "BS-20261121-0007",
    "type": "report",
    "category": "leak",
    "service_code": None,
    "location": {"building": "8", "unit": "2", "room": "302", "landmark": None},
    "urgency": "urgent",
    "contact_masked": "159****0000",
    "contact_declined": False,
    "applicant": None,
}
EXPECTED = {
    "outcome": "case",
    "type": "report",
    "category": "leak",
    "location": {"building": "8", "unit": "2", "room": "302"},
    "urgency": "urgent",
    "contact_phone": "15912340000",
}


def score(expected: dict, cases: list[dict], **kw: object) -> list[str]:
    args = {"replies": "", "existing": None, "rating": None, "form_active": False, **kw}
    return compare(expected, cases, **args)


def test_matching_case_passes() -> None:
    assert mask("15912340000") == "159****0000"
    assert score(EXPECTED, [CASE]) == []


def test_each_wrong_field_is_named() -> None:
    wrong = {
        **CASE,
        "category": "roads",
        "urgency": "normal",
        "contact_masked": "159****0001",
        "location": {**CASE["location"], "unit": "1"},
    }
    problems = score(EXPECTED, [wrong])
    assert any(p.startswith("category 'roads'") for p in problems)
    assert any(p.startswith("urgency 'normal'") for p in problems)
    assert any(p.startswith("location.unit '1'") for p in problems)
    assert any(p.startswith("contact '159****0001'") for p in problems)


def test_missing_or_extra_cases() -> None:
    assert score(EXPECTED, []) == ["no case stored (expected report)"]
    assert score({"outcome": "cancelled"}, []) == []
    assert "1 case(s) stored" in score({"outcome": "cancelled"}, [CASE])[0]
    assert score({"outcome": "cancelled"}, [], form_active=True) == [
        "form still active after the cancel"
    ]
    assert score({"outcome": "no_case"}, [], form_active=True) == []


def test_landmark_is_compared_by_containment_and_declined_phone() -> None:
    case = {
        **CASE,
        "location": {"landmark": "停车场入口"},
        "contact_masked": None,
        "contact_declined": True,
    }
    assert (
        score(
            {"outcome": "case", "location": {"landmark": "停车场"}, "contact_declined": True},
            [case],
        )
        == []
    )
    assert score({"outcome": "case", "location": {"landmark": "东门"}}, [case])
    assert score(
        {"outcome": "case", "contact_declined": True}, [{**case, "contact_declined": False}]
    )


def test_status_and_rating_dialogues() -> None:
    existing = {"case_no": "BS-20261121-0007"}
    assert (
        score(
            {"outcome": "no_case", "mentions_case": True},
            [],
            existing=existing,
            replies="您的事项 BS-20261121-0007 正在处理",
        )
        == []
    )
    assert score(
        {"outcome": "no_case", "mentions_case": True}, [], existing=existing, replies="没有找到"
    ) == ["status reply does not mention the case"]
    assert (
        score({"outcome": "no_case", "rating": "solved"}, [], existing=existing, rating="resolved")
        == []
    )
    assert score(
        {"outcome": "no_case", "rating": "partly"}, [], existing=existing, rating=None
    ) == ["rating None, expected 'partial'"]


def test_every_rating_code_in_the_dialogues_is_mapped() -> None:
    dialogues = yaml.safe_load((ROOT / "bench/data/dialogues.yml").read_text(encoding="utf-8"))
    codes = {d["expected"]["rating"] for d in dialogues if "rating" in d["expected"]}
    assert codes and codes <= set(RATING_CODES)
    assert {RATING_CODES[c] for c in codes} <= {"resolved", "partial", "unresolved"}


def test_summary_counts_turns_per_completed_report() -> None:
    results = [
        {
            "kind": "report",
            "passed": True,
            "outcome": "case",
            "turns": 2,
            "stored": {"type": "report"},
            "latencies_ms": [100.0, 300.0],
            "mode": "answers",
        },
        {
            "kind": "service",
            "passed": True,
            "outcome": "case",
            "turns": 4,
            "stored": {"type": "service"},
            "latencies_ms": [200.0],
            "mode": "turns",
        },
        {
            "kind": "emergency",
            "passed": True,
            "outcome": "case",
            "turns": 1,
            "stored": {"type": "emergency"},
            "latencies_ms": [50.0],
            "mode": "turns",
        },
        {
            "kind": "cancel",
            "passed": False,
            "outcome": "cancelled",
            "turns": 3,
            "stored": None,
            "latencies_ms": [],
            "mode": "turns",
        },
    ]
    s = summarise(results)
    assert s["passed"] == 3 and s["success_rate"] == 0.75
    assert s["turns_per_completed_report"] == {"n": 2, "mean": 3.0, "median": 3.0}
    assert s["by_kind"]["cancel"] == {"n": 1, "passed": 0, "rate": 0.0}
    assert s["turn_latency_ms"]["p50"] == 150.0 and s["turn_latency_ms"]["max"] == 300.0
    assert (s["answers_mode"], s["turns_mode"]) == (1, 3)


def test_false_emergencies_are_counted_on_form_answers_only() -> None:
    from bench.dialogue_bench import form_answer_emergencies

    def user(text: str) -> dict:
        return {"event": "user", "text": text}

    events = [
        user("我想帮我爸办高龄补贴"),  # starts the form: not an answer yet
        {"event": "action", "name": "service_form"},
        {"event": "active_loop", "name": "service_form"},
        {"event": "action", "name": "action_listen"},
        user("周三上午我可以带他过去"),  # an answer that sounds urgent
        {"event": "action", "name": "action_emergency"},
        {"event": "active_loop", "name": None},
        user("我家厨房全是煤气味"),  # no form running: not counted
        {"event": "action", "name": "action_emergency"},
        {"event": "active_loop", "name": "emergency_form"},
        user("5号楼2单元"),  # the emergency form's own answer: not guarded
    ]
    assert form_answer_emergencies(events) == (1, 1)
    assert form_answer_emergencies(events[:5]) == (1, 0)
    summary = summarise(
        [
            {"kind": "service", "passed": True, "outcome": "case", "turns": 3, "mode": "turns",
             "latencies_ms": [1.0], "form_answers": 2, "form_answer_emergencies": 0},
            {"kind": "emergency", "passed": True, "outcome": "case", "turns": 2, "mode": "turns",
             "latencies_ms": [1.0], "form_answers": 1, "form_answer_emergencies": 1},
        ]
    )  # fmt: skip
    assert summary["form_answers"] == 2 and summary["form_answer_false_emergencies"] == 0
    assert summary["form_answer_false_emergency_rate"] == 0.0
