"""Dependency audit: every installed or pinned package version against the committed advisory
list (``requirements/advisories.json``, from the PyPA advisory database plus advisories added by
hand), and against pip-audit's online service when it can be reached.

The committed list is checked on every run, offline. pip-audit's service (PyPI's per-release
JSON, or OSV) is not reachable from the build machine; when it is not, the test says so in a
warning and the committed list is what was checked (README "Dependency audit")."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from importlib import metadata

import httpx
import pytest

from tests.advisories import (
    RASA_VENV,
    Hit,
    hits,
    in_range,
    load,
    main_venv_versions,
    pinned_versions,
    venv_versions,
)


def _installed() -> dict[str, dict[str, str]]:
    installed = {"main venv": main_venv_versions(), "rasa venv pins": pinned_versions()}
    rasa = venv_versions(RASA_VENV)
    if rasa is not None:  # ./linli creates it; the pins above are checked either way
        installed["rasa venv"] = rasa
    return installed


def _untriaged(found: list[Hit], triage: dict[str, str]) -> list[str]:
    return [str(h) for h in found if h.advisory not in triage and not set(h.aliases) & set(triage)]


def test_the_committed_list_covers_the_installed_packages() -> None:
    data, _ = load()
    assert data["database"].startswith("https://github.com/pypa/advisory-database @ ")
    for package in ("pip", "aiohttp", "rasa", "jinja2", "requests", "urllib3", "starlette"):
        assert data["packages"].get(package), f"no advisories listed for {package}"
    assert all(a["url"].startswith("https://") for advs in data["packages"].values() for a in advs)


def test_no_installed_version_has_an_untriaged_advisory() -> None:
    data, triage = load()
    found = hits(data, _installed())
    problems = _untriaged(found, triage)
    assert not problems, (
        "known vulnerabilities not triaged in requirements/advisories_triage.json:\n"
        + "\n".join(problems)
    )
    matched = {h.advisory for h in found} | {a for h in found for a in h.aliases}
    stale = sorted(set(triage) - matched)
    assert not stale, f"triaged advisories that no installed version has any more: {stale}"


def test_a_version_inside_an_affected_range_is_caught() -> None:
    data = {
        "packages": {
            "demo": [{"id": "X-1", "aliases": ["CVE-0"], "ranges": [
                [{"introduced": "0"}, {"fixed": "1.4"}],
                [{"introduced": "2.0"}, {"last_affected": "2.1.3"}],
            ]}]
        }
    }  # fmt: skip
    affected = {v for v in ("1.0", "1.3.9", "1.4", "1.9", "2.0", "2.1.3", "2.1.4") if hits(
        data, {"venv": {"demo": v}})}  # fmt: skip
    assert affected == {"1.0", "1.3.9", "2.0", "2.1.3"}
    assert not in_range("not-a-version", [{"introduced": "0"}])


def _pip_audit_service() -> str | None:
    """None when pip-audit's PyPI service answers per-release JSON, else why not."""
    url = f"https://pypi.org/pypi/pip/{metadata.version('pip')}/json"
    try:
        response = httpx.get(url, timeout=5)
    except httpx.HTTPError as exc:
        return f"PyPI not reachable ({type(exc).__name__})"
    if response.status_code != 200:
        return f"PyPI answered {response.status_code} for per-release JSON (a mirror?)"
    return None


def test_pip_audit_online_when_the_service_answers() -> None:
    """pip-audit against PyPI's vulnerability data, when reachable; else a warning that only the
    committed list (the tests above) was checked. Never a skip."""
    reason = _pip_audit_service()
    if reason:
        warnings.warn(
            f"pip-audit's vulnerability service is unusable here ({reason}): only the committed "
            "advisory list requirements/advisories.json was checked",
            stacklevel=1,
        )
        return
    run = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off",
         "-f", "json"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    try:
        report = json.loads(run.stdout)
    except ValueError:
        pytest.fail(f"pip-audit gave no report: {run.stderr[-500:]}")
    _, triage = load()
    found = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {v.get('fix_versions') or '—'})"
        for d in report.get("dependencies", [])
        for v in d.get("vulns", [])
        if v["id"] not in triage and not set(v.get("aliases", [])) & set(triage)
    ]
    assert not found, "untriaged vulnerabilities:\n" + "\n".join(found)
