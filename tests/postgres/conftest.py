"""A real PostgreSQL server for this directory's tests (skipped only without the binaries)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.pgserver import PgServer, find_bindir, start_server


@pytest.fixture(scope="module")
def pg() -> Iterator[PgServer]:
    """A throwaway server for the module."""
    if find_bindir() is None:
        pytest.skip("PostgreSQL binaries not installed (apt-get install -y postgresql)")
    server = start_server()
    yield server
    server.stop()
