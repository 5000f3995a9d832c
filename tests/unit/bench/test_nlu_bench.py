"""The NLU benchmark runner: eval loading, slot scoring, Rasa client, the JSON/PNG report."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from bench import nlu_bench
from bench.nlu_bench import (
    EvalItem,
    Prediction,
    RasaParser,
    SlotExtractor,
    classifier_result,
    load_eval,
    load_extractor,
    run,
    run_classifier,
    score_slots,
    training_texts,
)
from core.contracts import Location

EVAL_YAML = """
- text: 5号楼2单元楼道灯坏了
  intent: report
  category: corridor_light
  location: {building: 5, unit: '2'}
- {text: 东门那里, intent: inform, location: {landmark: 东门}}
- {text: 电话13812345678, intent: inform, phone: 13812345678}
- {text: 帮我妈申请高龄津贴, intent: service, service_type: elderly_allowance}
- {text: 转人工, intent: handoff_human}
- {text: 谢谢, intent: thank}
"""

TRAIN_YAML = """
version: "3.1"
nlu:
- intent: thank
  examples: |
    - 谢 谢
    - 多谢
"""


@pytest.fixture()
def eval_file(tmp_path: Path) -> Path:
    path = tmp_path / "eval.yml"
    path.write_text(EVAL_YAML, encoding="utf-8")
    return path


def test_load_eval_flattens_slots_as_strings(eval_file: Path) -> None:
    items = load_eval(eval_file)
    assert len(items) == 6
    first = items[0]
    assert first.intent == "report"
    assert first.slots["category"] == "corridor_light"
    assert first.slots["location.building"] == "5"  # int in YAML → str
    assert first.slots["location.unit"] == "2"
    assert first.slots["location.room"] is None
    assert items[2].slots["phone"] == "13812345678"


@pytest.mark.parametrize(
    "bad", ["- {intent: report}", "- {text: x, intent: report, colour: red}", "- just text"]
)
def test_load_eval_rejects_bad_items(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ValueError):
        load_eval(path)


def test_training_texts_strip_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(TRAIN_YAML, encoding="utf-8")
    assert training_texts(path) == {"谢谢", "多谢"}
    assert training_texts(tmp_path / "missing.yml") == set()


def _fake_extractor() -> SlotExtractor:
    """Always answers building 5 / category corridor_light, nothing else."""
    return SlotExtractor(
        parse_category=lambda text: "corridor_light",
        parse_location=lambda text: Location(building="5"),
        parse_phone=lambda text: None,
        parse_service=lambda text: None,
    )


def test_score_slots_counts_only_in_scope_intents(eval_file: Path) -> None:
    items = load_eval(eval_file)
    slots = score_slots(items, _fake_extractor())
    # category scored on report + inform (3 items): 1 tp, 2 fp (the two inform items have no gold)
    assert (slots["category"]["tp"], slots["category"]["fp"], slots["category"]["fn"]) == (1, 2, 0)
    # building on report + inform: tp 1, fp 2
    assert (slots["location.building"]["tp"], slots["location.building"]["fp"]) == (1, 2)
    # unit gold '2' missed, landmark 东门 missed, phone missed, service missed
    assert slots["location.unit"]["fn"] == 1
    assert slots["location.landmark"]["fn"] == 1
    assert slots["phone"]["fn"] == 1 and slots["phone"]["tp"] == 0
    assert slots["service_type"]["fn"] == 1
    micro = slots["location (all parts, micro)"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (1, 2, 2)


def test_load_extractor_missing_module_gives_note() -> None:
    extractor, note = load_extractor("no_such_module_for_linli")
    assert extractor is None
    assert note and "skipped" in note


def test_load_extractor_real_parsers_score_the_example(eval_file: Path) -> None:
    """Real counterpart of the fake extractor: the action server's parsers."""
    extractor, note = load_extractor("actions.parsing")
    if extractor is None:
        pytest.skip(note or "actions.parsing not importable")
    values = extractor.extract("5号楼2单元楼道灯坏了，电话13812345678")
    assert values["category"] == "corridor_light"
    assert values["location.building"] == "5"
    assert values["location.unit"] == "2"
    assert values["phone"] == "13812345678"
    slots = score_slots(load_eval(eval_file), extractor)
    assert slots["phone"]["f1"] == 1.0
    assert slots["service_type"]["tp"] == 1


def _rasa_handler(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    if body["text"] == "low":
        return httpx.Response(
            200,
            json={
                "text": "low",
                "intent": {"name": "nlu_fallback", "confidence": 0.35},
                "intent_ranking": [
                    {"name": "nlu_fallback", "confidence": 0.35},
                    {"name": "consult", "confidence": 0.3},
                ],
            },
        )
    return httpx.Response(
        200, json={"text": body["text"], "intent": {"name": "greet", "confidence": 0.99}}
    )


def test_rasa_parser_reads_intent_and_pre_fallback_intent() -> None:
    parser = RasaParser("http://rasa.test", transport=httpx.MockTransport(_rasa_handler))
    try:
        low = parser.parse("low")
        assert low.intent == "nlu_fallback"
        assert low.top_non_fallback == "consult"
        high = parser.parse("你好")
        assert (high.intent, high.confidence, high.top_non_fallback) == ("greet", 0.99, "greet")
        assert high.latency_ms >= 0
    finally:
        parser.close()


def test_rasa_parser_raises_on_server_error() -> None:
    parser = RasaParser(
        "http://rasa.test", transport=httpx.MockTransport(lambda r: httpx.Response(500))
    )
    with pytest.raises(httpx.HTTPStatusError):
        parser.parse("你好")


def test_run_classifier_and_result_with_fallback() -> None:
    items = [EvalItem("a", "greet"), EvalItem("b", "thank")]
    answers = {
        "a": Prediction("greet", 0.9, 1.0, "greet"),
        "b": Prediction("nlu_fallback", 0.2, 3.0, "thank"),
    }
    predictions, latency = run_classifier(lambda t: answers[t], items, runs=2, warmup=1)
    assert [p.intent for p in predictions] == ["greet", "nlu_fallback"]
    assert latency["runs"] == 2
    assert latency["p50_ms"] == pytest.approx(2.0)
    result = classifier_result(items, predictions, latency)
    assert result["accuracy"] == 0.5
    assert result["without_fallback"]["accuracy"] == 1.0
    assert result["fallback_rate"] == 0.5
    assert result["errors"] == [
        {"text": "b", "gold": "thank", "pred": "nlu_fallback", "confidence": 0.2}
    ]


def test_run_baseline_only_writes_json_and_plots(eval_file: Path, tmp_path: Path) -> None:
    train = tmp_path / "nlu.yml"
    train.write_text(TRAIN_YAML, encoding="utf-8")
    out = tmp_path / "results" / "nlu.json"
    report = run(eval_path=eval_file, out_path=out, rasa_url=None, runs=1, train_path=train)
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["eval"]["n"] == 6
    assert saved["eval"]["overlap_with_training"] == ["谢谢"]
    assert set(saved["classifiers"]) == {"baseline_rules"}
    assert 0.0 <= saved["classifiers"]["baseline_rules"]["accuracy"] <= 1.0
    for png in saved["plots"].values():
        assert (out.parent / png).stat().st_size > 1000
    assert report["machine"]["cpus"] >= 1 and report["machine"]["mem_gb"]
    assert nlu_bench.summary_lines(report)[0] == "eval items: 6"


def test_main_without_a_rasa_server_runs_the_baseline(eval_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "nlu.json"
    code = nlu_bench.main(
        [
            "--rasa-url",
            "http://127.0.0.1:9",
            "--eval",
            str(eval_file),
            "--out",
            str(out),
            "--runs",
            "1",
        ]
        + ["--no-plots"]
    )
    assert code == 0
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert "skipped" in saved["rasa"]
    assert "rasa" not in saved["classifiers"]
    assert 0.0 <= saved["baseline_rules"]["accuracy"] <= 1.0
    assert "comparison" not in saved


def test_report_headline_keys_for_bench_report(
    eval_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bench/report.py reads ``rasa.accuracy`` and ``rasa.macro_f1`` from nlu.json."""

    class MockedRasa(RasaParser):
        def __init__(self, base_url: str, timeout: float = 30.0, token: str | None = None) -> None:
            super().__init__(base_url, timeout, token, transport=httpx.MockTransport(_rasa_handler))

    monkeypatch.setattr(nlu_bench, "RasaParser", MockedRasa)
    out = tmp_path / "nlu.json"
    report = run(
        eval_path=eval_file, out_path=out, rasa_url="http://rasa.test", runs=1, plots=False
    )
    assert set(report["rasa"]) >= {"accuracy", "macro_f1", "p50_ms", "p95_ms", "url"}
    assert report["rasa"]["accuracy"] == pytest.approx(0.0)  # the fake always says greet
    assert report["comparison"]["accuracy_delta"] == pytest.approx(
        -report["baseline_rules"]["accuracy"]
    )
    keys = list(report)
    assert keys.index("rasa") < keys.index("classifiers")


@pytest.mark.integration
def test_real_rasa_parse(live_stack, eval_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Real counterpart of the mocked Rasa client: the trained model behind /model/parse."""
    parser = RasaParser(live_stack.rasa_url, token=live_stack.rasa_token)
    try:
        assert parser.parse("转人工").intent == "handoff_human"
    finally:
        parser.close()
    out = tmp_path / "nlu.json"
    report = run(
        eval_path=eval_file,
        out_path=out,
        rasa_url=live_stack.rasa_url,
        rasa_token=live_stack.rasa_token,
        runs=1,
        plots=False,
    )
    assert report["classifiers"]["rasa"]["n"] == 6
    assert "comparison" in report
