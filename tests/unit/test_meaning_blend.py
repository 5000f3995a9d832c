"""The meaning blend (nlu/addons/meaning_blend.py): DIET's ranking averaged with the e5 vote;
an emergency needs both readings (or the danger net after it), never one alone. Runs the
component's own code in the Rasa venv; the trained model's behaviour is checked on the live
stack in tests/integration/test_understanding.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CASES = [
    # DIET is sure of a slot answer; the meaning says report: the meaning wins at weight 0.3
    ({"inform": 1.0}, {"report": 0.8, "inform": 0.15, "consult": 0.05}, 0.3),
    # both agree: the agreed intent stays first
    ({"consult": 0.9, "report": 0.1}, {"consult": 0.7, "report": 0.3}, 0.3),
    # DIET says emergency and the meaning shares it a little: DIET's ranking stands
    ({"emergency": 0.6, "report": 0.4}, {"report": 0.88, "emergency": 0.12}, 0.3),
    # DIET says emergency, the meaning not at all: no emergency from DIET alone
    ({"emergency": 0.99, "report": 0.01}, {"report": 0.97, "emergency": 0.03}, 0.3),
    # a status question names its problem: DIET's ask_status stands if the meaning shares it
    ({"ask_status": 0.9, "report": 0.1}, {"report": 0.7, "ask_status": 0.25}, 0.3),
    # the meaning alone never raises an emergency
    ({"report": 0.55, "emergency": 0.45}, {"emergency": 0.95, "report": 0.05}, 0.3),
    # weight 1: DIET alone
    ({"inform": 1.0}, {"report": 1.0}, 1.0),
]


def _run(cases: list) -> list:
    code = (
        "import json, sys; from addons.meaning_blend import blend_ranking; "
        "print(json.dumps([blend_ranking(d, m, w) for d, m, w in json.loads(sys.argv[1])]))"
    )
    out = subprocess.run(
        [str(ROOT / ".venv-rasa/bin/python"), "-c", code, json.dumps(cases)],
        cwd=ROOT / "nlu",
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
        env={"PYTHONPATH": str(ROOT / "nlu"), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_blend_rankings() -> None:
    meaning_wins, agreed, emergency_kept, diet_alone, status_kept, never_raised, diet_only = _run(
        CASES
    )

    assert meaning_wins[0]["name"] == "report"
    assert abs(meaning_wins[0]["confidence"] - 0.7 * 0.8) < 1e-6
    assert [e["name"] for e in agreed][:2] == ["consult", "report"]
    assert emergency_kept[0] == {"name": "emergency", "confidence": 0.6}
    assert diet_alone[0]["name"] == "report"
    assert status_kept[0] == {"name": "ask_status", "confidence": 0.9}
    assert never_raised[0]["name"] == "report"
    assert next(e for e in never_raised if e["name"] == "emergency")["confidence"] < 0.2
    assert diet_only[0]["name"] == "inform"
    for ranking in (
        meaning_wins,
        agreed,
        emergency_kept,
        diet_alone,
        status_kept,
        never_raised,
        diet_only,
    ):
        scores = [e["confidence"] for e in ranking]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores)


def test_the_pipeline_runs_the_blend_between_diet_and_the_router() -> None:
    """Order matters: after DIET (it blends DIET's ranking), before the long-message router
    (long messages are decided by the router) and the danger net."""
    import yaml

    config = yaml.safe_load((ROOT / "nlu/config.yml").read_text(encoding="utf-8"))
    names = [c["name"] for c in config["pipeline"]]
    blend = names.index("addons.meaning_blend.MeaningBlend")
    assert (
        names.index("DIETClassifier")
        < blend
        < names.index("addons.meaning_router.MeaningRouter")
        < names.index("addons.danger_override.DangerOverride")
    )
