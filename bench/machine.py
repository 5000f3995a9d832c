"""What a benchmark run ran on: machine, versions, date and load (recorded in every result)."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def rasa_version() -> str | None:
    """Rasa's version from its own venv (.venv-rasa), without importing it here."""
    python = ROOT / ".venv-rasa" / "bin" / "python"
    if not python.exists():
        return None
    try:
        out = subprocess.run(
            [str(python), "-c", "import importlib.metadata as m; print(m.version('rasa'))"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def mem_total_gb() -> float | None:
    """Physical memory in GB."""
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        return None


def machine_info(with_rasa: bool = True) -> dict[str, Any]:
    """Cores, memory, CPU model, Python and key package versions, date and load average."""
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {
        name: _version(name)
        for name in ("torch", "sentence-transformers", "faiss-cpu", "fastapi", "httpx")
    }
    if with_rasa:
        versions["rasa"] = rasa_version()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "mem_gb": mem_total_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "versions": {k: v for k, v in versions.items() if v},
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }
