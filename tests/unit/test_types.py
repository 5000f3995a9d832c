"""The type check (``[tool.mypy]`` in pyproject.toml: core/ and the contracts between the parts,
checked strictly) passes: run as part of the test suite, so CI fails on a type error. Run it
yourself with ``.venv/bin/mypy`` from the project root (no arguments: the files to check are in
the configuration)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MYPY = Path(sys.executable).with_name("mypy")


def test_mypy_passes() -> None:
    assert MYPY.exists(), f"{MYPY} is missing: install the dev dependencies (./linli install)"
    result = subprocess.run(
        [str(MYPY), "--no-color-output"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
