"""Browser fixtures for the kiosk: headless Chromium with a fake microphone fed from speech clips.

The flow tests feed SYNTHETIC speech (neural TTS clips of ``synthetic_domain``: the sentences a
resident would say); one test feeds a real recording (AISHELL-1) to check the kiosk hears a real
person. ``write_answer`` takes a clip path from ``tests.paths`` (``synthetic_clip`` /
``speech_dir``), so a missing ``../shared`` fails clearly.

Chromium's fake capture device plays ``--use-file-for-fake-audio-capture`` in a loop and reads
the file afresh each time a capture stream opens. The kiosk closes the microphone after every
utterance (half duplex) and opens it again when it is ready to listen, so a test swaps the next
answer into the same file while the page is thinking. Each answer is padded with 1 s of silence
before (the page needs a quiet moment before speech starts) and 30 s after (the loop never
replays the answer within a turn).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from harness.hub_only import HubOnly, start_hub_only, stop_hub_only
from tests.paths import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts" / "voice"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip browser tests clearly when Chromium or Playwright is missing."""
    reason = None
    if not CHROMIUM.exists():
        reason = "needs Debian chromium (apt-get install chromium fonts-wqy-microhei)"
    elif importlib.util.find_spec("playwright") is None:
        reason = "needs the playwright Python package"
    if reason:
        for item in items:
            if "browser" in item.keywords and str(item.fspath).startswith(
                str(Path(__file__).parent)
            ):
                item.add_marker(pytest.mark.skip(reason=reason))


def write_answer(target: Path, clip: Path, *, before_s: float = 1.0, after_s: float = 30.0) -> None:
    """Put a speech clip (16 kHz mono WAV), padded with silence, where the fake mic reads it."""
    with wave.open(str(clip)) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1
        speech = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    pad = np.zeros(int(16000 * before_s), dtype=np.int16)
    tail = np.zeros(int(16000 * after_s), dtype=np.int16)
    tmp = target.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(np.concatenate([pad, speech, tail]).tobytes())
    os.replace(tmp, target)  # atomic: Chromium never reads a half-written file


def write_silence(target: Path, seconds: float = 30.0) -> None:
    """A silent microphone."""
    tmp = target.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(np.zeros(int(16000 * seconds), dtype=np.int16).tobytes())
    os.replace(tmp, target)


@dataclass
class Browser:
    """A running headless Chromium whose microphone reads ``mic``."""

    mic: Path
    playwright: object
    browser: object
    pages: list = field(default_factory=list)

    def new_page(self, width: int = 1920, height: int = 1080):  # type: ignore[no-untyped-def]
        """A page with a large-screen viewport."""
        page = self.browser.new_page(viewport={"width": width, "height": height})
        self.pages.append(page)
        return page


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright, with a file-backed fake microphone."""
    from playwright.sync_api import sync_playwright

    mic = tmp_path / "mic.wav"
    write_silence(mic)
    pw = sync_playwright().start()
    browser = pw.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={mic}"],
    )
    try:
        yield Browser(mic=mic, playwright=pw, browser=browser)
    finally:
        browser.close()
        pw.stop()


NO_MIC_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
"""A kiosk with NO microphone: no fake capture device, no auto-granted media permission."""


@pytest.fixture
def chromium_nomic(tmp_path: Path) -> Iterator[Browser]:
    """Headless Debian Chromium without any microphone (touch only)."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(NO_MIC_ARGS))
    try:
        yield Browser(mic=tmp_path / "no-mic", playwright=pw, browser=browser)
    finally:
        browser.close()
        pw.stop()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save a screenshot under tests/artifacts/voice/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def run_axe(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Inject axe-core (from node_modules) and return the serious/critical violations."""
    if not AXE.exists():
        pytest.fail(f"axe-core missing: run `npm install --prefix {AXE.parents[2]}`")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


# ----- a hub with a scripted dialogue (no Rasa): pages, accessibility, idle reset ----------------
HUB_IDLE_TIMEOUT_S = 20
"""Idle reset of the shared test hub: short enough for the idle test, long for the others."""


@pytest.fixture(scope="session")
def hub_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubOnly]:
    """Hub (cases + kiosk) with the real recogniser and synthesiser, dialogue scripted."""
    hub, server = start_hub_only(
        tmp_path_factory.mktemp("voice-hub"), {"VOICE_IDLE_TIMEOUT_S": str(HUB_IDLE_TIMEOUT_S)}
    )
    try:
        yield hub
    finally:
        stop_hub_only(hub, server)


def wait_events(page, kind: str, count: int, timeout_s: float = 90) -> list[dict]:  # type: ignore[no-untyped-def]
    """Wait until the page has logged ``count`` events of ``kind``; return the log."""
    page.wait_for_function(
        "([k, n]) => window.__kiosk && window.__kiosk.log.filter(e => e.type === k).length >= n",
        arg=[kind, count],
        timeout=timeout_s * 1000,
    )
    return page.evaluate("window.__kiosk.log")


def have_binary(name: str) -> bool:
    """True when a command is on PATH."""
    return shutil.which(name) is not None
