"""Keep one process running: restart it with backoff when it crashes.

``python -m core.supervise [--max-restarts N] [--backoff S] -- CMD ARGS…``

honcho (the Procfile runner) does not restart children, so each long-running Linli process runs
under this small supervisor. An abnormal exit of the child (non-zero status or a signal such as
SIGKILL) starts it again after a backoff that doubles up to ``--max-backoff`` and is reset once
the child stayed up for ``--stable-after`` seconds. A clean exit (status 0) ends the supervisor.
SIGTERM/SIGINT/SIGHUP to the supervisor are forwarded to the child, which is then awaited (and
killed after ``--grace`` seconds); the supervisor exits without restarting.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

from core.logging import setup_logging

logger = logging.getLogger(__name__)

FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Supervisor:
    """Runs a command and restarts it when it exits abnormally."""

    def __init__(
        self,
        cmd: Sequence[str],
        *,
        max_restarts: int = 10,
        backoff_s: float = 1.0,
        max_backoff_s: float = 30.0,
        stable_after_s: float = 60.0,
        grace_s: float = 20.0,
    ) -> None:
        """Configure the supervisor.

        Args:
            cmd: The command and its arguments.
            max_restarts: Give up after this many restarts in a row without a stable run
                (negative: never give up).
            backoff_s: First delay before a restart; doubled after each quick crash.
            max_backoff_s: Upper bound of the delay.
            stable_after_s: A child running this long resets the backoff and the restart count.
            grace_s: How long a stopping child may take after the forwarded signal.
        """
        self.cmd = list(cmd)
        self.max_restarts = max_restarts
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.stable_after_s = stable_after_s
        self.grace_s = grace_s
        self.child: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.stop_signal: int | None = None

    def _on_signal(self, signum: int, _frame: object) -> None:
        """Forward a stop signal to the child and remember to exit."""
        self.stop_signal = signum
        self.stopping.set()
        child = self.child
        if child is not None and child.poll() is None:
            logger.info("Supervisor got %s: stopping %s", signal.Signals(signum).name, self.cmd[0])
            try:
                child.send_signal(signum)
            except ProcessLookupError:
                pass

    def _wait_child(self, child: subprocess.Popen[bytes]) -> int:
        """Wait for the child; after a stop signal, kill it when the grace period is over."""
        while True:
            try:
                return child.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
            if self.stopping.is_set():
                try:
                    return child.wait(timeout=self.grace_s)
                except subprocess.TimeoutExpired:
                    logger.warning(
                        "%s ignored the stop signal for %.0f s: killing it",
                        self.cmd[0],
                        self.grace_s,
                    )
                    child.kill()
                    return child.wait()

    def run(self) -> int:
        """Run until a clean exit, a stop signal or too many crashes; return the exit status."""
        for sig in FORWARDED:
            signal.signal(sig, self._on_signal)
        restarts = 0
        delay = self.backoff_s
        while True:
            started = time.monotonic()
            try:
                self.child = subprocess.Popen(self.cmd)
            except OSError as exc:
                logger.error("Cannot start %s: %s", self.cmd[0], exc)
                return 127
            logger.info("Started %s (pid %d)", " ".join(self.cmd), self.child.pid)
            if self.stopping.is_set():  # a signal arrived while we were starting it
                self._on_signal(self.stop_signal or signal.SIGTERM, None)
            code = self._wait_child(self.child)
            if code in (-signal.SIGINT, -signal.SIGTERM):
                # Ctrl-C in a terminal reaches the whole process group: give our own handler a
                # moment to run so a shutdown is not mistaken for a crash.
                self.stopping.wait(0.5)
            if self.stopping.is_set():
                logger.info("%s stopped (status %d)", self.cmd[0], code)
                return 0
            if code == 0:
                logger.info("%s exited cleanly", self.cmd[0])
                return 0
            if time.monotonic() - started >= self.stable_after_s:
                restarts, delay = 0, self.backoff_s
            if 0 <= self.max_restarts <= restarts:
                logger.error("%s crashed %d times in a row: giving up", self.cmd[0], restarts + 1)
                return code if code > 0 else 128 - code
            restarts += 1
            logger.warning(
                "%s exited abnormally (%s); restart %d in %.1f s",
                self.cmd[0],
                describe(code),
                restarts,
                delay,
            )
            if self.stopping.wait(delay):
                return 0
            delay = min(delay * 2, self.max_backoff_s)


def describe(code: int) -> str:
    """A readable exit status ("status 1", "signal SIGKILL")."""
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"status {code}"


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments and supervise the command."""
    parser = argparse.ArgumentParser(
        prog="python -m core.supervise", description="Restart a crashed process with backoff."
    )
    parser.add_argument(
        "--max-restarts", type=int, default=10, help="give up after N quick crashes (-1: never)"
    )
    parser.add_argument("--backoff", type=float, default=1.0, help="first restart delay in seconds")
    parser.add_argument("--max-backoff", type=float, default=30.0)
    parser.add_argument("--stable-after", type=float, default=60.0)
    parser.add_argument("--grace", type=float, default=20.0)
    parser.add_argument("cmd", nargs=argparse.REMAINDER, help="-- CMD ARGS…")
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        parser.error("no command given (python -m core.supervise -- CMD ARGS…)")
    setup_logging(os.environ.get("LINLI_LOG_LEVEL", "INFO"))
    sup = Supervisor(
        cmd,
        max_restarts=args.max_restarts,
        backoff_s=args.backoff,
        max_backoff_s=args.max_backoff,
        stable_after_s=args.stable_after,
        grace_s=args.grace,
    )
    sys.exit(sup.run())


if __name__ == "__main__":
    main()
