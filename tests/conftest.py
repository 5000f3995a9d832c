"""Shared fixtures: the real stack (Rasa + action server + hub) for integration and e2e tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from harness.stack import MODEL, Stack, share_models
from tests.skips import pytest_runtest_makereport, pytest_terminal_summary  # noqa: F401 (hooks)

# Property tests check behaviour, not speed: no per-example deadline (a busy 2-core machine
# made the 200 ms default flaky). Speed is measured in bench/.
settings.register_profile("linli", deadline=None)
settings.load_profile("linli")


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real Linli stack on free loopback ports with a fresh data directory.

    Needs the trained model (``./linli test`` trains it first when the NLU data changed).
    """
    if not MODEL.exists():
        pytest.fail(f"No trained Rasa model at {MODEL}: run ./linli train (./linli test does it)")
    data_dir = tmp_path_factory.mktemp("linli-data")
    share_models(data_dir)
    stack = Stack(data_dir=data_dir)
    try:
        stack.start_all()
        yield stack
    finally:
        stack.close()
