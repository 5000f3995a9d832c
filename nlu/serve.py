"""Start the Rasa server with its HTTP API locked behind ``LINLI_RASA_TOKEN``.

Usage (the arguments are those of ``rasa run``)::

    LINLI_RASA_TOKEN=… python nlu/serve.py --enable-api -i 127.0.0.1 -p 5005 --model …

Rasa's HTTP API (``/conversations/…``, ``/model/…``, ``/status``) then answers only requests
that carry ``?token=<LINLI_RASA_TOKEN>``; the REST channel (``/webhooks/rest/webhook``) is for
the hub, the kiosk and the bot, never for residents directly. The token is read from the
environment here, so it never appears on a command line (``ps`` shows every process's
arguments). There is no default: without a token the server refuses to start.
"""

from __future__ import annotations

import os
import sys

MIN_TOKEN_CHARS = 16


def rasa_argv(args: list[str], token: str) -> list[str]:
    """The ``rasa run`` command line for ``args`` with the API token added.

    Raises:
        SystemExit: The token is missing or too short, or ``args`` already names one.
    """
    if len(token.strip()) < MIN_TOKEN_CHARS:
        raise SystemExit(
            "LINLI_RASA_TOKEN is not set (or shorter than 16 characters): Rasa's HTTP API would be "
            "open to anyone. ./linli run generates one in var/secrets.env."
        )
    if any(a.split("=", 1)[0] in ("--auth-token", "-t", "--jwt-secret") for a in args):
        raise SystemExit("Pass the token through LINLI_RASA_TOKEN, not on the command line.")
    # one argument: a token starting with "-" (1 in 64 of the generated ones) would otherwise
    # be read by Rasa's argument parser as an option, and Rasa would not start
    return ["rasa", "run", *args, f"--auth-token={token.strip()}"]


def main() -> None:
    """Run ``rasa run`` in this process with the token from the environment."""
    sys.argv = rasa_argv(sys.argv[1:], os.environ.get("LINLI_RASA_TOKEN", ""))
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
