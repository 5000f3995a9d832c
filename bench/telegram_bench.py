"""Telegram benchmark: text/voice-turn latency through the fake Bot API, and 50 chats at once.

The real bot (python-telegram-bot 22 application, real HTTP) polls a local fake Bot API server;
the dialogue is either the real stack (``--rasa-url``/``--hub-url``/``--actions-url``) or a
scripted stand-in (``--fake-backend``, measuring only the bot's own overhead).

Usage (from the repository root)::

    .venv/bin/python -m bench.telegram_bench --rasa-url http://127.0.0.1:5005 \
        --hub-url http://127.0.0.1:8000 --actions-url http://127.0.0.1:5055
    .venv/bin/python -m bench.telegram_bench --fake-backend

Writes ``bench/results/telegram.json``. A text turn is timed from the update being available to
getUpdates until the bot's first reply reaches sendMessage; a voice turn until the first reply
after "我听到的是：…" (download, ffmpeg decode, Whisper, Rasa).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

from bench.machine import machine_info  # noqa: E402
from harness.fakes.rasa_backend import FakeBackend  # noqa: E402
from harness.fakes.telegram_api import FakeTelegram, SentCall  # noqa: E402

logger = logging.getLogger(__name__)

DEFAULT_OUT = ROOT / "bench/results/telegram.json"
VOICE_WAV = ROOT.parent / "shared/data/speech/synthetic_domain/wav/report_elevator.wav"
"""Synthetic speech (neural TTS): the bot's voice path is timed, not recognition accuracy."""
TEXTS = ["你好", "社区服务中心几点上班", "谢谢", "高龄津贴要带什么材料"]


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (nearest rank) of values, or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(q / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def summary(values: Sequence[float]) -> dict[str, Any]:
    """p50/p95/max in milliseconds."""
    ms = [v * 1000.0 for v in values]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50) or 0, 1) if ms else None,
        "p95_ms": round(percentile(ms, 95) or 0, 1) if ms else None,
        "max_ms": round(max(ms), 1) if ms else None,
    }


def to_ogg(wav: Path) -> bytes:
    """A WAV file as an OGG/Opus voice note (ffmpeg)."""
    cmd = ["ffmpeg", "-loglevel", "error", "-i", str(wav), "-ac", "1", "-c:a", "libopus",
           "-b:a", "24k", "-f", "ogg", "pipe:1"]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, check=True).stdout


def is_reply(call: SentCall, chat_id: int, skip: tuple[str, ...] = ()) -> bool:
    """A text message to the chat that is a dialogue reply (not our own status lines)."""
    return (
        call.method == "sendMessage"
        and call.chat_id == chat_id
        and not any(call.text.startswith(s) for s in skip)
    )


async def text_turn(fake: FakeTelegram, chat_id: int, text: str, timeout: float) -> float:
    """One typed message → seconds until the first reply."""
    mark = fake.mark()
    started = time.perf_counter()
    fake.send_text(chat_id, text)
    await fake.wait_for(lambda c: is_reply(c, chat_id), start=mark, timeout=timeout)
    return time.perf_counter() - started


async def voice_turn(
    fake: FakeTelegram, chat_id: int, ogg: bytes, timeout: float
) -> tuple[float, float, str]:
    """One voice note → (seconds to 我听到的是, seconds to the first dialogue reply, heard)."""
    mark = fake.mark()
    started = time.perf_counter()
    fake.send_voice(chat_id, ogg, duration=3)
    heard = await fake.wait_for(
        lambda c: is_reply(c, chat_id) and ("我听到的是" in c.text or "听清" in c.text),
        start=mark,
        timeout=timeout,
    )
    t_heard = time.perf_counter() - started
    if "我听到的是" not in heard.text:
        return t_heard, float("nan"), heard.text
    await fake.wait_for(
        lambda c: is_reply(c, chat_id, skip=("我听到的是",)), start=mark, timeout=timeout
    )
    return t_heard, time.perf_counter() - started, heard.text


async def direct_rasa(rasa_url: str, chats: int, turns: int, timeout: float) -> dict[str, Any]:
    """The same load straight to Rasa's REST channel (no bot): what the dialogue alone takes."""
    import httpx

    async with httpx.AsyncClient(timeout=timeout) as client:

        async def one_chat(i: int) -> list[float]:
            out = []
            for k in range(turns):
                started = time.perf_counter()
                response = await client.post(
                    f"{rasa_url}/webhooks/rest/webhook",
                    json={"sender": f"bench-direct:{i}", "message": TEXTS[(i + k) % len(TEXTS)]},
                )
                response.raise_for_status()
                out.append(time.perf_counter() - started)
            return out

        started = time.perf_counter()
        results = await asyncio.gather(*(one_chat(i) for i in range(chats)))
        wall = time.perf_counter() - started
    latencies = [t for r in results for t in r]
    return {
        "turns": len(latencies),
        "wall_s": round(wall, 2),
        "turns_per_s": round(len(latencies) / wall, 1),
        "latency": summary(latencies),
    }


def start_bot_process(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``python -m bot`` as its own process (as in production)."""
    full = {**os.environ, **env}
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=ROOT, env=full, stdout=out, stderr=subprocess.STDOUT
        )


async def wait_ready(fake: FakeTelegram, proc: subprocess.Popen[bytes], timeout: float) -> None:
    """Wait until the bot process long-polls getUpdates."""
    deadline = time.monotonic() + timeout
    while fake.get_updates_calls == 0:
        if proc.poll() is not None:
            raise RuntimeError(f"bot process exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError("bot process did not start polling")
        await asyncio.sleep(0.1)


def inbox_counts(db: Path) -> dict[str, int]:
    """Inbox rows per state in the bot's SQLite store."""
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT state, COUNT(*) FROM inbox GROUP BY state").fetchall())


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start the fakes and the bot process, run the three measurements, return the report."""
    fake = FakeTelegram().start()
    backend: FakeBackend | None = None
    if args.fake_backend:
        backend = FakeBackend().start()
        backend.delay_s = args.fake_delay_ms / 1000.0
        rasa_url = hub_url = actions_url = backend.url
    else:
        rasa_url, hub_url, actions_url = args.rasa_url, args.hub_url, args.actions_url
    work = Path(tempfile.mkdtemp(prefix="linli-tg-bench-"))
    env = {
        "BOT_TOKEN": fake.token,
        "BOT_API_BASE_URL": fake.base_url,
        "BOT_FILE_BASE_URL": fake.file_base_url,
        "BOT_ACTIONS_URL": actions_url,
        "BOT_POLL_TIMEOUT_S": "2",
        "BOT_PUSH_INTERVAL_S": "60",
        "LINLI_DATA_DIR": str(work),
        "LINLI_RASA_URL": rasa_url,
        "LINLI_HUB_URL": hub_url,
        "LINLI_LOG_LEVEL": "WARNING",
    }
    if args.service_token:
        env["LINLI_SERVICE_TOKEN"] = args.service_token
    if args.voice_turns:
        model = args.whisper_model
        if model is None:
            from voice.provision import provision_whisper_base

            model = str(provision_whisper_base(work).path)
        env["VOICE_WHISPER_MODEL"] = str(model)
    load_at_start = os.getloadavg()[0]
    proc = start_bot_process(env, work / "bot.log")
    report: dict[str, Any] = {}
    try:
        await wait_ready(fake, proc, timeout=60)
        # 1. sequential text turns
        latencies = []
        for i in range(args.text_turns):
            latencies.append(
                await text_turn(fake, 100 + i % 5, TEXTS[i % len(TEXTS)], args.timeout)
            )
        report["text_turn"] = summary(latencies)
        # 2. sequential voice turns (the first one includes loading Whisper)
        if args.voice_turns:
            ogg = to_ogg(VOICE_WAV)
            heard_t, reply_t, heard = [], [], []
            for i in range(args.voice_turns + 1):
                t_heard, t_reply, text = await voice_turn(fake, 200 + i, ogg, args.timeout)
                if i == 0:
                    report["voice_first_turn_incl_model_load_ms"] = round(t_heard * 1000, 1)
                    continue
                heard_t.append(t_heard)
                if t_reply == t_reply:  # not NaN
                    reply_t.append(t_reply)
                heard.append(text)
            report["voice_turn"] = {
                "to_transcript": summary(heard_t),
                "to_first_reply": summary(reply_t),
                "heard": sorted(set(heard)),
                "clip": VOICE_WAV.name,
            }
        # 3. many chats at once
        chats = [10_000 + i for i in range(args.concurrency)]
        before = len(backend.received) if backend else 0
        started = time.perf_counter()

        async def one_chat(chat_id: int) -> list[float]:
            return [
                await text_turn(fake, chat_id, TEXTS[(chat_id + k) % len(TEXTS)], args.timeout)
                for k in range(args.turns_per_chat)
            ]

        results = await asyncio.gather(*(one_chat(c) for c in chats), return_exceptions=True)
        wall = time.perf_counter() - started
        ok = [t for r in results if isinstance(r, list) for t in r]
        failures = [repr(r)[:200] for r in results if not isinstance(r, list)]
        sent = args.concurrency * args.turns_per_chat
        await asyncio.sleep(1.0)
        report["concurrent"] = {
            "chats": args.concurrency,
            "turns_per_chat": args.turns_per_chat,
            "turns": sent,
            "answered": len(ok),
            "failed_chats": len(failures),
            "failures": failures[:5],
            "wall_s": round(wall, 2),
            "turns_per_s": round(len(ok) / wall, 1) if wall else None,
            "latency": summary(ok),
            "bot_inbox": inbox_counts(work / "bot.db"),
        }
        if backend is None:
            report["concurrent_direct_to_rasa"] = await direct_rasa(
                rasa_url, args.concurrency, args.turns_per_chat, args.timeout
            )
        if backend is not None:
            received = len(backend.received) - before
            report["concurrent"]["rasa_received"] = received
            report["concurrent"]["doubled_or_lost"] = received - sent
        report["get_updates_calls"] = fake.get_updates_calls
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        fake.stop()
        if backend is not None:
            backend.stop()
    report["machine"] = machine_info(with_rasa=not args.fake_backend)
    report["setup"] = {
        "backend": f"fake (scripted Rasa, {args.fake_delay_ms:.0f} ms delay)"
        if args.fake_backend
        else "real Rasa + action server + hub",
        "bot": "python -m bot (PTB 22) in its own process, fake Bot API on loopback",
        "load_avg_1min": {"start": round(load_at_start, 2), "end": round(os.getloadavg()[0], 2)},
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, run, write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url", default="http://127.0.0.1:5005")
    parser.add_argument("--hub-url", default="http://127.0.0.1:8000")
    parser.add_argument("--actions-url", default="http://127.0.0.1:5055")
    parser.add_argument("--service-token", default=None)
    parser.add_argument("--fake-backend", action="store_true", help="scripted Rasa stand-in")
    parser.add_argument("--fake-delay-ms", type=float, default=0.0)
    parser.add_argument("--text-turns", type=int, default=40)
    parser.add_argument("--voice-turns", type=int, default=5, help="0 to skip (needs Whisper)")
    parser.add_argument(
        "--whisper-model", default=None, help="CTranslate2 folder (default: provision)"
    )
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--turns-per-chat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    report = asyncio.run(run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
