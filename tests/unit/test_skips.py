"""The skip guard: reasons are matched against the list of skips expected in CI."""

from __future__ import annotations

import pytest

from tests import skips


def test_only_listed_reasons_are_allowed_in_ci() -> None:
    assert skips.allowed("real set not built here (/x/real_nlu.jsonl); see SOURCES.md")
    assert not skips.allowed("PostgreSQL binaries not installed (apt-get install -y postgresql)")
    assert not skips.allowed("needs faster-whisper (voice extra)")


def test_strict_in_ci_or_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("LINLI_STRICT_SKIPS", raising=False)
    assert not skips.strict()
    monkeypatch.setenv("CI", "true")
    assert skips.strict()
    monkeypatch.delenv("CI")
    monkeypatch.setenv("LINLI_STRICT_SKIPS", "1")
    assert skips.strict()


def test_every_allowed_skip_is_listed_in_the_readme() -> None:
    from tests.paths import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for pattern in skips.ALLOWED_IN_CI:
        assert pattern in readme, f"README does not list the CI skip {pattern!r}"
