"""The REPORT.md section of ``bench/results/telegram*.json`` (bench/telegram_bench.py)."""

from __future__ import annotations

from typing import Any

from bench.merge import lookup
from bench.report_format import fmt, table


def section_telegram(d: dict[str, Any]) -> list[str]:
    """The Telegram fake: sequential text/voice turns and many chats at once."""
    rows = []
    for label, key in (
        ("text turn, sequential", "text_turn"),
        ("50 chats at once", "concurrent.latency"),
        ("same load straight to Rasa", "concurrent_direct_to_rasa.latency"),
        ("voice turn to transcript", "voice_turn.to_transcript"),
        ("voice turn to first reply", "voice_turn.to_first_reply"),
    ):
        s = lookup(d, key)
        if isinstance(s, dict):
            rows.append([label, s.get("n"), s.get("p50_ms"), s.get("p95_ms"), s.get("max_ms")])
    out = table(["measurement", "n", "p50 ms", "p95 ms", "max ms"], rows)
    conc = d.get("concurrent") or {}
    if conc:
        out += [
            f"{conc.get('chats')} chats × {conc.get('turns_per_chat')} turns: "
            f"{conc.get('answered')}/{conc.get('turns')} "
            f"answered, {fmt(conc.get('turns_per_s'))} turns/s, "
            f"failed chats {conc.get('failed_chats')}.",
            "",
        ]
    if lookup(d, "setup.backend"):
        out += [f"Backend: {lookup(d, 'setup.backend')}. Bot: {lookup(d, 'setup.bot')}.", ""]
    return out
