"""The text sets the hygiene tests compare: training examples, test and bench utterances, speech
transcripts, all normalised the same way (NFKC, Traditional → Simplified, no spaces or
punctuation)."""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import yaml

from core.textnorm import to_simplified
from tests import heldout
from tests.paths import ROOT, SPEECH, speech_dir

NLU_DATA = ROOT / "nlu" / "data"
ROUTER_DATA = ROOT / "nlu" / "router"
"""Long messages the meaning router (only) is trained on: ``route: [messages]``."""
BENCH_DATA = ROOT / "bench" / "data"
_CLAUSE_SPLIT = re.compile(r"[\s，,。．.！!？?；;：:、…~～“”\"'（）()《》\-—]+")
_NOT_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def normalise(text: str) -> str:
    """Compare form: NFKC, Simplified characters, without whitespace or punctuation."""
    return _NOT_WORD.sub("", to_simplified(unicodedata.normalize("NFKC", text)))


def clauses(text: str) -> list[str]:
    """The normalised clauses of a sentence (split at punctuation and spaces)."""
    text = to_simplified(unicodedata.normalize("NFKC", text))
    return [c for c in (normalise(p) for p in _CLAUSE_SPLIT.split(text)) if c]


def training_examples() -> set[str]:
    """Every example of ``nlu/data/*.yml`` (intents, synonyms, lookup tables; not regexes) and
    every long message of ``nlu/router/*.yml``."""
    found: set[str] = set()
    for path in sorted(ROUTER_DATA.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found.update(normalise(str(t)) for texts in data.values() for t in texts or [])
    for path in sorted(NLU_DATA.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "regex" in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.add(normalise(line[2:]))
    found.discard("")
    return found


def clip_transcripts() -> list[str]:
    """The reference transcript of every speech clip under ``../shared/data/speech``."""
    speech_dir("")  # fails clearly when the shared data is missing
    found: list[str] = []
    for tsv in sorted(SPEECH.glob("*/transcripts.tsv")):
        for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
            if "\t" in line:
                found.append(line.split("\t", 1)[1].strip())
    return found


def bench_utterances() -> list[str]:
    """What the benchmarks say: the held-out NLU sets and the scripted dialogues."""
    found: list[str] = []
    for name in ("nlu_eval.yml", "nlu_dev.yml"):
        items = yaml.safe_load((BENCH_DATA / name).read_text(encoding="utf-8")) or []
        found.extend(str(item["text"]) for item in items)
    dialogues = yaml.safe_load((BENCH_DATA / "dialogues.yml").read_text(encoding="utf-8")) or []
    for dialogue in dialogues:
        found.extend(str(t) for t in dialogue.get("turns") or [])
        found.extend(str(a) for a in (dialogue.get("answers") or {}).values())
    return found


def heldout_utterances() -> list[str]:
    """The held-out utterances the integration, load and dialogue tests say."""
    return heldout.all_utterances()


SAY_CALLS = frozenset({"say", "post_raw", "send_text", "turn_text"})
"""Functions through which tests send a resident's words to the stack."""


def literal_said(paths: Iterable[Path]) -> list[tuple[str, int, str]]:
    """(file, line, text) of every Chinese string literal passed straight to a ``SAY_CALLS``
    function in these files: such words belong in ``tests/heldout.py``."""
    found: list[tuple[str, int, str]] = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in SAY_CALLS:
                continue
            for arg in node.args:
                for sub in ast.walk(arg):
                    if (
                        isinstance(sub, ast.Constant)
                        and isinstance(sub.value, str)
                        and _CJK.search(sub.value)
                    ):
                        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                        found.append((str(name), sub.lineno, sub.value))
    return found
