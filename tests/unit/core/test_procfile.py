"""The process table (``core/procfile.py``): the Procfile read the same way honcho reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.procfile import ProcfileError, process, read

ENV = {"LINLI_RASA_PORT": "5005", "LINLI_ACTIONS_PORT": "5055"}


def test_the_real_procfile_names_every_process() -> None:
    assert {"rasa", "actions", "hub", "bot", "ready"} <= set(read())


def test_unsupervised_rasa_is_the_serve_script_with_its_pythonpath() -> None:
    rasa = process("rasa", ENV, supervised=False)
    assert rasa.argv[:2] == [".venv-rasa/bin/python", "nlu/serve.py"]
    assert rasa.argv[rasa.argv.index("-p") + 1] == "5005"
    assert rasa.env == {"PYTHONPATH": "nlu"}


def test_supervised_keeps_the_supervisor() -> None:
    actions = process("actions", ENV)
    assert actions.argv[:4] == [".venv/bin/python", "-m", "core.supervise", "--"]
    assert actions.argv[-2:] == ["--port", "5055"]


def test_a_missing_variable_or_process_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProcfileError, match="LINLI_RASA_PORT"):
        process("rasa", {})
    with pytest.raises(ProcfileError, match="no process"):
        process("nope", ENV)
    bad = tmp_path / "Procfile"
    bad.write_text("# a comment\n\nweb python -m x\n")
    with pytest.raises(ProcfileError, match="line 3"):
        read(bad)
