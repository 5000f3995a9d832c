"""The action server's dependencies: one typed ActionDeps, installed by the composition root."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from actions import runtime
from actions.executor import ResumingExecutor
from actions.pending import PendingSubmissions
from core.config import ActionsSettings


@pytest.fixture(autouse=True)
def _restore_deps():  # type: ignore[no-untyped-def]
    before, resumed = runtime.installed(), runtime._resumed
    yield
    runtime._deps, runtime._resumed = before, resumed


def test_configure_and_set_clients_reach_the_installed_deps(tmp_path: Path) -> None:
    settings = ActionsSettings(data_dir=tmp_path, service_token="t")
    runtime.configure(settings)
    deps = runtime.deps()
    assert runtime.settings() is settings and deps.settings is settings
    cases, knowledge, deliberation = object(), object(), object()
    runtime.set_clients(cases=cases, knowledge=knowledge, deliberation=deliberation)  # type: ignore[arg-type]
    assert runtime.case_client() is cases and deps.cases is cases
    assert runtime.knowledge_client() is knowledge
    assert runtime.deliberation_client() is deliberation
    runtime.set_clients(cases=None)  # None leaves a client as it is
    assert runtime.case_client() is cases
    assert isinstance(runtime.pending(), PendingSubmissions)
    assert runtime.pending() is deps.pending
    runtime.configure(settings)  # afresh: the fakes are gone
    assert runtime.deps() is not deps and runtime.deps().cases is None


def test_clients_are_built_from_the_settings_on_first_use(tmp_path: Path) -> None:
    from cases.client import CaseClient
    from deliberation.client import DeliberationClient

    deps = runtime.ActionDeps(ActionsSettings(data_dir=tmp_path, service_token="t"))
    assert deps.cases is None and deps.pending is None
    assert isinstance(deps.case_client(), CaseClient) and deps.case_client() is deps.cases
    assert isinstance(deps.deliberation_client(), DeliberationClient)
    assert deps.pending_queue() is deps.pending


def test_without_an_install_the_deps_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINLI_DATA_DIR", str(tmp_path))
    runtime._deps = None
    deps = runtime.deps()
    assert deps is runtime.deps() and deps.settings == ActionsSettings()


def test_only_the_settings_cross_into_the_worker(tmp_path: Path) -> None:
    settings = ActionsSettings(data_dir=tmp_path, service_token="t")
    deps = runtime.ActionDeps(settings)
    deps.case_client()
    deps.pending_queue()
    copy = pickle.loads(pickle.dumps(deps))
    assert copy.settings == settings
    assert copy.cases is None and copy.pending is None


async def test_the_executor_installs_the_composition_roots_deps_in_its_worker(
    tmp_path: Path,
) -> None:
    deps = runtime.ActionDeps(ActionsSettings(data_dir=tmp_path, service_token="t"))
    executor = pickle.loads(pickle.dumps(ResumingExecutor(deps)))  # as Sanic's worker gets it
    runtime._deps = None  # a fresh worker process: nothing installed yet
    assert await executor.run({}) is None  # no action named: nothing to run
    assert runtime.installed() is executor.deps and runtime.settings() == deps.settings
