"""The process manager restarts a crashed process (real child processes, no stack needed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import os, sys, time
with open(sys.argv[1], "a") as f:
    f.write(f"{os.getpid()}\\n")
time.sleep(600)
"""


def pids(path: Path) -> list[int]:
    """The pids the child wrote, one per start."""
    if not path.exists():
        return []
    return [int(x) for x in path.read_text().split()]


def wait_for(cond, timeout_s: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Poll until cond() is true (fails the test after the timeout)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.1)
    pytest.fail("condition not met in time")


def alive(pid: int) -> bool:
    """True while the process exists (and is not a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def supervise(
    tmp_path: Path, *args: str, child: str = CHILD, new_session: bool = False
) -> tuple[subprocess.Popen, Path]:
    """Start the supervisor around a child that records its pid and sleeps."""
    script = tmp_path / "child.py"
    script.write_text(child)
    out = tmp_path / "pids.txt"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core.supervise",
            *args,
            "--",
            sys.executable,
            str(script),
            str(out),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=new_session,
    )
    return proc, out


def test_killed_child_is_restarted_and_sigterm_stops_both(tmp_path: Path) -> None:
    proc, out = supervise(tmp_path, "--backoff", "0.2")
    try:
        wait_for(lambda: len(pids(out)) == 1)
        first = pids(out)[0]
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: len(pids(out)) == 2)
        second = pids(out)[1]
        assert second != first and alive(second)
        assert proc.poll() is None

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        wait_for(lambda: not alive(second))
        assert len(pids(out)) == 2  # not restarted after the stop
    finally:
        if proc.poll() is None:
            proc.kill()
    log = proc.stdout.read() if proc.stdout else ""
    assert "signal SIGKILL" in log and "restart 1" in log


def test_sigint_is_forwarded_too(tmp_path: Path) -> None:
    proc, out = supervise(tmp_path)
    try:
        wait_for(lambda: len(pids(out)) == 1)
        child = pids(out)[0]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        wait_for(lambda: not alive(child))
    finally:
        if proc.poll() is None:
            proc.kill()


def test_ctrl_c_to_the_whole_process_group_is_a_stop_not_a_crash(tmp_path: Path) -> None:
    proc, out = supervise(tmp_path, "--backoff", "0.05", new_session=True)
    try:
        wait_for(lambda: len(pids(out)) == 1)
        child = pids(out)[0]
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        assert proc.wait(timeout=20) == 0
        wait_for(lambda: not alive(child))
        time.sleep(0.5)
        assert len(pids(out)) == 1
    finally:
        if proc.poll() is None:
            proc.kill()


def test_gives_up_after_max_restarts(tmp_path: Path) -> None:
    crashing = "import os, sys\nopen(sys.argv[1], 'a').write(f'{os.getpid()}\\n')\nsys.exit(3)\n"
    proc, out = supervise(tmp_path, "--max-restarts", "2", "--backoff", "0.05", child=crashing)
    assert proc.wait(timeout=30) == 3
    assert len(pids(out)) == 3  # the first run and two restarts


def test_clean_exit_is_not_restarted(tmp_path: Path) -> None:
    clean = "import os, sys\nopen(sys.argv[1], 'a').write(f'{os.getpid()}\\n')\n"
    proc, out = supervise(tmp_path, "--backoff", "0.05", child=clean)
    assert proc.wait(timeout=30) == 0
    assert len(pids(out)) == 1


def test_procfile_runs_the_long_lived_processes_under_the_supervisor() -> None:
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
    for name in ("rasa", "actions", "hub", "bot"):
        assert lines[name].strip().startswith(".venv/bin/python -m core.supervise -- "), name
    assert "env PYTHONPATH=nlu .venv-rasa/bin/python nlu/serve.py --enable-api" in lines["rasa"]
