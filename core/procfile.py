"""The process table: how each long-lived process of the stack is started, in one place.

The ``Procfile`` at the project root is that table. ``./linli run`` hands it to honcho; anything
else that starts the processes (the tests' ``Stack``, the benchmarks' Rasa) reads it here, so a
process's command line is written once. Lines are ``name: command``; ``$VAR`` / ``${VAR}`` are
taken from the environment given; a command may run under the supervisor
(``python -m core.supervise -- …``, restarts after a crash) and may start with ``env K=V``.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

PROCFILE = Path(__file__).resolve().parents[1] / "Procfile"
SUPERVISOR_MODULE = "core.supervise"


class ProcfileError(ValueError):
    """The Procfile has no such process, or a line cannot be read."""


@dataclass(frozen=True)
class Process:
    """One process: its argv (relative paths are from the project root) and the variables its
    line sets with ``env K=V``."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


def read(path: Path = PROCFILE) -> dict[str, str]:
    """``name → command`` for every line of the Procfile (comments and blank lines skipped)."""
    table: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.strip() or not command.strip():
            raise ProcfileError(f"{path.name} line {number}: expected 'name: command'")
        table[name.strip()] = command.strip()
    return table


def process(
    name: str,
    env: Mapping[str, str],
    *,
    supervised: bool = True,
    path: Path = PROCFILE,
) -> Process:
    """The process ``name`` with ``env``'s variables filled in.

    Args:
        name: A process of the Procfile (``rasa``, ``actions``, ``hub`` …).
        env: Where ``$VAR`` comes from; a variable it lacks is an error, not an empty string.
        supervised: False drops the supervisor wrapper (a caller that stops and restarts the
            process itself, as the fault tests do, must see it exit).
        path: The Procfile.
    """
    table = read(path)
    if name not in table:
        raise ProcfileError(f"no process {name!r} in {path.name} (has: {', '.join(table)})")
    try:
        words = [Template(word).substitute(env) for word in shlex.split(table[name])]
    except KeyError as exc:
        raise ProcfileError(f"{path.name} {name}: variable {exc.args[0]} is not set") from exc
    if not supervised and SUPERVISOR_MODULE in words:
        words = words[words.index("--", words.index(SUPERVISOR_MODULE)) + 1 :]
    extra: dict[str, str] = {}
    if words and words[0] == "env":
        words = words[1:]
        while words and "=" in words[0] and not words[0].startswith("-"):
            key, _, value = words.pop(0).partition("=")
            extra[key] = value
    if not words:
        raise ProcfileError(f"{path.name} {name}: no command")
    return Process(name, words, extra)
