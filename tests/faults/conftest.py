"""This directory's own stack: its processes get killed (the shared ``live_stack`` is not)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.stack import MODEL, Stack, share_models


@pytest.fixture(scope="module")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A private Rasa + action server + hub; waiting submissions are retried every 2 s."""
    if not MODEL.exists():
        pytest.fail(f"No trained Rasa model at {MODEL}: run ./linli train (./linli test does it)")
    data_dir = tmp_path_factory.mktemp("linli-faults")
    share_models(data_dir)
    stack = Stack(
        data_dir=data_dir, extra_env={"LINLI_PENDING_RETRY_S": "2", "KB_EMBEDDER": "hashing"}
    )
    try:
        stack.start_all()
        yield stack
    finally:
        stack.close()
