"""``nlu/serve.py`` puts Rasa's API token on the command line so that Rasa's parser reads it as
the token whatever its characters (a generated token starts with "-" about 1 time in 64)."""

from __future__ import annotations

import argparse

import pytest

from nlu.serve import rasa_argv


def rasa_parser() -> argparse.ArgumentParser:
    """The part of ``rasa run``'s argument parser that reads the token (rasa/cli/arguments)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int)
    parser.add_argument("-t", "--auth-token", type=str)
    return parser


@pytest.mark.parametrize(
    "token", ["-Lx3k9vQm2bP7sT0wYz", "--double-dash-token-x", "plainTokenAbc12345"]
)
def test_any_token_is_read_as_the_token(token: str) -> None:
    argv = rasa_argv(["--port", "5005"], token)
    assert argv[:2] == ["rasa", "run"]
    parsed = rasa_parser().parse_args(argv[2:])
    assert parsed.auth_token == token and parsed.port == 5005


@pytest.mark.parametrize(
    "args", [["--auth-token", "x" * 20], ["--auth-token=" + "x" * 20], ["-t", "y" * 20]]
)
def test_a_token_on_the_command_line_is_refused(args: list[str]) -> None:
    with pytest.raises(SystemExit):
        rasa_argv(args, "z" * 20)


def test_a_short_token_is_refused() -> None:
    with pytest.raises(SystemExit):
        rasa_argv([], "short")
