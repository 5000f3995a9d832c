"""pip-audit over the main venv: fails on a known vulnerability that is not triaged in the
README ("Operating Linli" → "Dependency audit"); skips cleanly when the vulnerability service
cannot be reached (offline CI, registry mirrors without per-release JSON)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import httpx
import pytest

TRIAGED: dict[str, str] = {}
"""Vulnerability id → why it does not affect Linli (keep in step with the README)."""


def _service_usable() -> str | None:
    """None when PyPI's vulnerability data can be fetched, else the reason why not."""
    url = f"https://pypi.org/pypi/pip/{metadata.version('pip')}/json"
    try:
        response = httpx.get(url, timeout=5)
    except httpx.HTTPError as exc:
        return f"PyPI not reachable ({type(exc).__name__})"
    if response.status_code != 200:
        return f"PyPI answered {response.status_code} for per-release JSON (a mirror?)"
    return None


def test_no_untriaged_vulnerabilities() -> None:
    pytest.importorskip("pip_audit")
    reason = _service_usable()
    if reason:
        pytest.skip(f"vulnerability service unusable here: {reason}")
    run = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off",
         "-f", "json"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    try:
        report = json.loads(run.stdout)
    except ValueError:
        pytest.skip(f"pip-audit gave no report (service trouble?): {run.stderr[-300:]}")
    deps = report.get("dependencies", [])
    if deps and all("skip_reason" in d for d in deps):
        pytest.skip("pip-audit could not look up any package (vulnerability service unusable)")
    found = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {v.get('fix_versions') or '—'})"
        for d in deps
        for v in d.get("vulns", [])
        if v["id"] not in TRIAGED and not set(v.get("aliases", [])) & set(TRIAGED)
    ]
    assert not found, "untriaged vulnerabilities:\n" + "\n".join(found)
