"""The router-only long messages (``nlu/router/*.yml``): well formed, long, not duplicated, and
not copied from the NLU examples DIET is trained on or from the held-out test utterances."""

from __future__ import annotations

import re

import yaml

from tests.textsets import NLU_DATA, ROUTER_DATA, heldout_utterances, normalise

ROUTES = {"report", "consult", "service"}
MIN_HAN = 30
"""The router only decides messages of at least this many Chinese characters
(``min_chars`` in nlu/addons/meaning_router.py)."""
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _messages() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(ROUTER_DATA.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for route, texts in data.items():
            found.extend((path.name, route, str(t)) for t in texts or [])
    return found


def test_every_route_has_long_examples() -> None:
    messages = _messages()
    assert {route for _, route, _ in messages} == ROUTES
    assert len(messages) >= 100


def test_routes_are_known_and_messages_long_enough_to_be_routed() -> None:
    bad = [(f, r, t) for f, r, t in _messages() if r not in ROUTES]
    short = [t for _, _, t in _messages() if len(_HAN.findall(t)) < MIN_HAN]
    assert not bad, bad
    assert not short, f"shorter than the router's {MIN_HAN} characters: {short}"


def test_no_message_twice_or_under_two_routes() -> None:
    seen: dict[str, str] = {}
    twice = []
    for _, route, text in _messages():
        key = normalise(text)
        if key in seen:
            twice.append((text, seen[key], route))
        seen[key] = route
    assert not twice, twice


def test_not_copied_from_the_nlu_examples_or_the_held_out_utterances() -> None:
    nlu: set[str] = set()
    for path in sorted(NLU_DATA.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    nlu.add(normalise(line.strip()[2:]))
    held = {normalise(u) for u in heldout_utterances()}
    copied = [t for _, _, t in _messages() if normalise(t) in nlu | held]
    assert not copied, copied
