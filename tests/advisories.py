"""The committed advisory list: known vulnerabilities of the packages Linli installs.

``requirements/advisories.json`` holds, for every package of the main venv and of the Rasa venv
(``requirements/rasa-constraints.txt``), the advisories of the PyPA advisory database (the PYSEC
entries pip-audit and OSV serve) with their affected version ranges, plus advisories added by hand
(``"source": "manual"``) where a newer advisory is known. ``requirements/advisories_triage.json``
says, per advisory id, why an installed version that falls in an affected range does not affect
Linli. ``tests/unit/privacy/test_dependency_audit.py`` fails on any installed or pinned version
inside an affected range that is not triaged there.

Regenerate from a checkout of https://github.com/pypa/advisory-database::

    .venv/bin/python -m tests.advisories /path/to/advisory-database [commit]
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

from tests.paths import ROOT

logger = logging.getLogger(__name__)

ADVISORIES = ROOT / "requirements" / "advisories.json"
TRIAGE = ROOT / "requirements" / "advisories_triage.json"
RASA_PINS = ROOT / "requirements" / "rasa-constraints.txt"
RASA_VENV = ROOT / ".venv-rasa"


def canonical(name: str) -> str:
    """PEP 503 normalised package name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Hit:
    """An installed version inside an advisory's affected range."""

    package: str
    version: str
    where: str
    advisory: str
    aliases: tuple[str, ...]
    fixed: str

    def __str__(self) -> str:
        names = "/".join((self.advisory, *self.aliases))
        return (
            f"{self.package} {self.version} ({self.where}): {names}, fixed in {self.fixed or '—'}"
        )


def _parse(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


def in_range(version: str, events: list[dict[str, str]]) -> bool:
    """Whether ``version`` lies in an OSV ECOSYSTEM range (introduced/fixed/last_affected)."""
    v = _parse(version)
    if v is None:
        return False
    affected = False
    for event in sorted(events, key=_event_order):
        if "introduced" in event:
            start = event["introduced"]
            if start == "0" or (_parse(start) is not None and v >= _parse(start)):
                affected = True
        elif "fixed" in event:
            end = _parse(event["fixed"])
            if end is not None and v >= end:
                affected = False
        elif "last_affected" in event:
            end = _parse(event["last_affected"])
            if end is not None and v > end:
                affected = False
    return affected


def _event_order(event: dict[str, str]) -> tuple[Version, int]:
    value = next(iter(event.values()))
    parsed = Version("0") if value == "0" else (_parse(value) or Version("0"))
    return parsed, 0 if "introduced" in event else 1


def affects(advisory: dict, version: str) -> bool:
    """Whether an advisory of the committed list covers ``version``."""
    if version in advisory.get("versions", []):
        return True
    return any(in_range(version, r) for r in advisory.get("ranges", []))


def main_venv_versions() -> dict[str, str]:
    """Installed distributions of the interpreter running the tests (the main venv)."""
    return {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}


def venv_versions(venv: Path) -> dict[str, str] | None:
    """Installed distributions of another venv (read from its site-packages), None if absent."""
    sites = sorted(venv.glob("lib/python3*/site-packages"))
    if not sites:
        return None
    return {
        canonical(d.metadata["Name"]): d.version
        for d in metadata.distributions(path=[str(s) for s in sites])
    }


def pinned_versions(path: Path = RASA_PINS) -> dict[str, str]:
    """``name==version`` pins of a constraints file (the Rasa venv is installed with them)."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].split(";", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[canonical(name.split("[", 1)[0])] = version.strip()
    return pins


def load() -> tuple[dict, dict[str, str]]:
    """The committed advisory list and the triage (advisory id → why it does not affect us)."""
    data = json.loads(ADVISORIES.read_text(encoding="utf-8"))
    triage = json.loads(TRIAGE.read_text(encoding="utf-8"))
    return data, {k: v for k, v in triage.items() if not k.startswith("_")}


def hits(data: dict, installed: dict[str, dict[str, str]]) -> list[Hit]:
    """Every (installed version, advisory) pair where the version is affected.

    ``installed`` maps where (``main venv``, ``rasa venv``) → package → version.
    """
    found: list[Hit] = []
    for where, versions in installed.items():
        for package, version in sorted(versions.items()):
            for adv in data["packages"].get(package, []):
                if affects(adv, version):
                    fixed = ", ".join(
                        e["fixed"] for r in adv.get("ranges", []) for e in r if "fixed" in e
                    )
                    found.append(
                        Hit(
                            package, version, where, adv["id"], tuple(adv.get("aliases", [])), fixed
                        )
                    )
    return found


def build(db: Path, packages: Iterable[str]) -> dict[str, list[dict]]:
    """Advisories of ``packages`` from a PyPA advisory-database checkout (``vulns/<name>/``)."""
    wanted = {canonical(p) for p in packages}
    out: dict[str, list[dict]] = {}
    for folder in sorted((db / "vulns").iterdir()):
        name = canonical(folder.name)
        if name not in wanted or not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            entry = yaml.safe_load(path.read_text(encoding="utf-8"))
            if entry.get("withdrawn"):
                continue
            for affected in entry.get("affected", []):
                if canonical(affected["package"]["name"]) != name:
                    continue
                ranges = [
                    r["events"] for r in affected.get("ranges", []) if r["type"] == "ECOSYSTEM"
                ]
                out.setdefault(name, []).append(
                    {
                        "id": entry["id"],
                        "aliases": sorted(entry.get("aliases") or []),
                        "summary": (entry.get("summary") or entry.get("details", ""))[:160],
                        "published": str(entry.get("published", ""))[:10],
                        "ranges": ranges,
                        "url": f"https://osv.dev/vulnerability/{entry['id']}",
                        "source": "pypa/advisory-database",
                    }
                )
    return out


def main(argv: list[str]) -> int:
    """Regenerate ``requirements/advisories.json`` from an advisory-database checkout."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not argv:
        sys.stderr.write(__doc__ or "")
        return 2
    db = Path(argv[0])
    commit = argv[1] if len(argv) > 1 else "unknown"
    names = set(main_venv_versions()) | set(pinned_versions())
    names |= set(venv_versions(RASA_VENV) or {})
    manual = []
    if ADVISORIES.exists():
        old = json.loads(ADVISORIES.read_text(encoding="utf-8"))
        manual = [
            (pkg, adv)
            for pkg, advs in old["packages"].items()
            for adv in advs
            if adv.get("source") == "manual"
        ]
    packages = build(db, names)
    for pkg, adv in manual:
        packages.setdefault(pkg, []).append(adv)
    data = {
        "_about": "Generated by python -m tests.advisories; entries with source=manual are kept.",
        "database": f"https://github.com/pypa/advisory-database @ {commit}",
        "packages": dict(sorted(packages.items())),
    }
    ADVISORIES.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    count = sum(len(v) for v in packages.values())
    logger.info("%d advisories for %d packages → %s", count, len(packages), ADVISORIES)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
