"""The Rasa-side danger net (nlu/addons/danger_override.py): acute dangers become emergencies
whatever the classifier said; questions about the same words do not. Loaded from its file (the
Rasa venv has the rest of the component); the live-stack counterpart is
tests/integration/test_understanding.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _patterns() -> dict:
    source = (ROOT / "nlu/addons/danger_override.py").read_text(encoding="utf-8")
    namespace: dict = {"re": re}
    start = source.index("ACUTE = re.compile(")
    end = source.index("def is_acute_danger")
    exec(source[start:end], namespace)  # noqa: S102 - our own file, patterns only
    return namespace


NS = _patterns()


def acute(text: str) -> bool:
    if len(text) > NS["MAX_CHARS"] or not NS["ACUTE"].search(text):
        return False
    if NS["_HYPOTHETICAL"].search(text) and not NS["_CALL_FOR_HELP"].search(text):
        return False
    return bool(NS["_CALL_FOR_HELP"].search(text)) or not NS["QUESTION"].search(text)


@pytest.mark.parametrize(
    "text",
    [
        "6号楼起火了",
        "有人闯进我家了",
        "楼里到处是烟 看不清路",
        "我爸倒在地上起不来了",
        "电梯里困了人出不来，被困半小时了",
        "救命啊，有人拿刀",
        "厨房一股煤气味",
        "老伴在厕所滑了一跤，爬不起来了",
    ],
)
def test_acute_dangers_are_emergencies(text: str) -> None:
    assert acute(text)


@pytest.mark.parametrize(
    "text",
    [
        "天然气费用可以在社区交吗",
        "燃气灶坏了找谁修",
        "小区消防通道被堵了",
        "楼道里的灯坏了",
        "周三上午我可以带她过去",
        "去年着火的那栋楼修好了吗",
        "万一着火了后果不堪设想",
        "家里困难，急需救命钱",
        "电梯多次被困，物业不管",
    ],
)
def test_no_danger_or_a_question_is_not(text: str) -> None:
    assert not acute(text)


def test_the_component_in_the_rasa_venv_agrees() -> None:
    """The real component (Rasa's venv) decides the same on every case above."""
    import json
    import subprocess

    cases = [
        "6号楼起火了",
        "有人闯进我家了",
        "天然气费用可以在社区交吗",
        "楼道里的灯坏了",
        "救命",
        "万一着火了后果不堪设想",
        "急需救命钱",
    ]
    code = (
        "import json, sys; from addons.danger_override import is_acute_danger; "
        "print(json.dumps([is_acute_danger(t) for t in json.loads(sys.argv[1])]))"
    )
    out = subprocess.run(
        [str(ROOT / ".venv-rasa/bin/python"), "-c", code, json.dumps(cases)],
        cwd=ROOT / "nlu", capture_output=True, text=True, timeout=120, check=True,
        env={"PYTHONPATH": str(ROOT / "nlu"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [acute(t) for t in cases]
