"""Matplotlib figures for bench/REPORT.md, drawn from the results JSON (PNG next to the results).

Every function takes the loaded results of one benchmark, the output folder and the results
file's stem (the PNG is named ``<stem>_<what>.png``), draws at most one figure and returns the
PNG's file name, or None when the data for it is missing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _levels(section: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """(concurrency, numbers) of a {"c1": {...}, "c10": {...}} section, sorted."""
    out = []
    for key, value in section.items():
        if (
            key.startswith("c")
            and key[1:].isdigit()
            and isinstance(value, dict)
            and "p50_ms" in value
        ):
            out.append((int(key[1:]), value))
    return sorted(out)


def latency_vs_concurrency(system: dict[str, Any], out_dir: Path, stem: str) -> str | None:
    """Text-turn p50/p95 against concurrent residents (REST and the Telegram fake)."""
    series = {name: _levels(system.get(name) or {}) for name in ("rest", "telegram")}
    if not any(series.values()):
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for name, points in series.items():
        if not points:
            continue
        xs = [c for c, _ in points]
        ax.plot(xs, [v["p50_ms"] for _, v in points], marker="o", label=f"{name} p50")
        ax.plot(
            xs,
            [v.get("p95_ms") for _, v in points],
            marker="x",
            linestyle="--",
            label=f"{name} p95",
        )
    ax.axhline(100, color="grey", linewidth=0.8, linestyle=":", label="goal p50 100 ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    levels = sorted({c for points in series.values() for c, _ in points})
    ax.set_xticks(levels, [str(c) for c in levels])
    ax.set_xlabel("concurrent residents")
    ax.set_ylabel("turn latency (ms)")
    ax.set_title("Text turn latency vs concurrency")
    ax.legend(fontsize=8)
    fig.tight_layout()
    name = f"{stem}_latency.png"
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return name


def memory_per_process(system: dict[str, Any], out_dir: Path, stem: str) -> str | None:
    """Resident memory of each process, with the whole-stack goal."""
    memory = system.get("memory") or {}
    procs = {
        k.removesuffix("_rss_mb"): v
        for k, v in memory.items()
        if k.endswith("_rss_mb") and k != "stack_rss_mb" and isinstance(v, (int, float))
    }
    if not procs:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    names = list(procs) + ["whole stack"]
    values = list(procs.values()) + [memory.get("stack_rss_mb", sum(procs.values()))]
    ax.bar(names, values, color=["#4c72b0"] * len(procs) + ["#dd8452"])
    ax.axhline(3584, color="red", linewidth=0.8, linestyle="--", label="goal 3.5 GB")
    for i, v in enumerate(values):
        ax.text(i, v, f"{v:.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("resident memory (MB)")
    ax.set_title("Memory per process (after the load test)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    name = f"{stem}_memory.png"
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return name


def knowledge_growth(knowledge: dict[str, Any], out_dir: Path, stem: str) -> str | None:
    """Search latency (without the query embedding) and index memory against index size."""
    growth = [g for g in knowledge.get("growth") or [] if isinstance(g, dict) and "rows" in g]
    if not growth:
        return None
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6))
    rows = [g["rows"] for g in growth]
    for index in ("flat", "hnsw"):
        if not all(index in g for g in growth):
            continue
        for metric, style in (
            ("search_hybrid_without_embedding", "-"),
            ("search_with_query_embedding", ":"),
        ):
            ys = [(g[index].get(metric) or {}).get("p50_ms") for g in growth]
            if all(y is not None for y in ys):
                label = (
                    f"{index} {'hybrid search' if 'hybrid' in metric else 'incl. embedding'} p50"
                )
                ax1.plot(rows, ys, marker="o", linestyle=style, label=label)
        ax2.plot(
            rows,
            [
                g[index].get("dense_index_mb", 0) + g[index].get("lexical_index_mb", 0)
                for g in growth
            ],
            marker="o",
            label=f"{index} index MB",
        )
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlabel("index entries")
    ax1.set_ylabel("ms")
    ax1.set_title("Knowledge search latency")
    ax1.legend(fontsize=7)
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("index entries")
    ax2.set_ylabel("MB")
    ax2.set_title("Index memory")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    name = f"{stem}_growth.png"
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return name


def nlu_confusion(nlu: dict[str, Any], out_dir: Path, stem: str) -> str | None:
    """Confusion matrix of the Rasa classifier (only if the NLU benchmark did not draw one)."""
    if (nlu.get("plots") or {}).get("confusion_rasa"):
        return None
    result = (nlu.get("classifiers") or {}).get("rasa") or {}
    labels, matrix = result.get("labels"), result.get("confusion")
    if not labels or not matrix:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(0.45 * len(labels) + 3, 0.45 * len(labels) + 2))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=6)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    fig.tight_layout()
    name = f"{stem}_confusion_report.png"
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return name


def dialogue_by_kind(dialogue: dict[str, Any], out_dir: Path, stem: str) -> str | None:
    """Passed / failed dialogues per kind."""
    kinds = (dialogue.get("summary") or {}).get("by_kind") or {}
    if not kinds:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.5))
    names = list(kinds)
    passed = [kinds[k]["passed"] for k in names]
    failed = [kinds[k]["n"] - kinds[k]["passed"] for k in names]
    ax.bar(names, passed, label="passed", color="#55a868")
    ax.bar(names, failed, bottom=passed, label="failed", color="#c44e52")
    ax.set_ylabel("dialogues")
    ax.set_title("Scripted dialogues by kind")
    ax.tick_params(axis="x", rotation=30, labelsize=8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    name = f"{stem}_kinds.png"
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return name


TIME_KEYS = ("t_min", "minute", "minutes", "t_s", "elapsed_s", "seconds", "t", "time_s")


def memory_fields(rows: list[dict[str, Any]]) -> list[str]:
    """Numeric fields of the samples that are resident memory (``*rss*`` or ``*_mb``)."""
    fields = {
        k
        for r in rows
        for k, v in r.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }
    return sorted(f for f in fields if "rss" in f or f.endswith("_mb"))


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            out.update(_flat(v, path))
        else:
            out[path] = v
    return out


def soak_series(d: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]]] | None:
    """(list key, time key, samples) of a soak run's memory time series, whatever it is called.

    The series is the first top-level list of at least two dicts that all carry a time field
    (``TIME_KEYS``) and some resident-memory field; nested sample fields come back dotted
    (``{"rss_mb": {"hub": 1}}`` → ``rss_mb.hub``).
    """
    for key, value in d.items():
        rows = [_flat(r) for r in value if isinstance(r, dict)] if isinstance(value, list) else []
        if len(rows) < 2:
            continue
        tkey = next((t for t in TIME_KEYS if all(t in r for r in rows)), None)
        if tkey and memory_fields(rows):
            return key, tkey, rows
    return None


def soak_memory(soak: dict[str, Any], out_dir: Path, stem: str) -> str | None:
    """Resident memory of each process (and the stack) over the soak run."""
    found = soak_series(soak)
    if not found:
        return None
    _, tkey, rows = found
    scale = 60.0 if tkey in ("t_s", "elapsed_s", "seconds", "time_s") else 1.0
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for field in memory_fields(rows):
        points = [(r[tkey], r[field]) for r in rows if isinstance(r.get(field), (int, float))]
        if points:
            ax.plot(
                [t / scale for t, _ in points],
                [v for _, v in points],
                label=field.removeprefix("rss_mb."),
            )
    ax.set_xlabel("minutes" if scale == 60.0 else tkey)
    ax.set_ylabel("resident memory (MB)")
    ax.set_title("Resident memory during the soak run")
    ax.legend(fontsize=7)
    fig.tight_layout()
    name = f"{stem}_memory.png"
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return name


PLOTS = {
    "system": [latency_vs_concurrency, memory_per_process],
    "knowledge": [knowledge_growth],
    "nlu": [nlu_confusion],
    "dialogue": [dialogue_by_kind],
    "soak": [soak_memory],
}


def draw(name: str, data: dict[str, Any], out_dir: Path) -> list[str]:
    """Every figure for one benchmark's results; a failing figure is logged and skipped."""
    names = []
    key = next((k for k in PLOTS if name == k or name.startswith(k + "_")), None)
    for fn in PLOTS.get(key, []) if key else []:
        try:
            png = fn(data, out_dir, name)
        except Exception:  # noqa: BLE001 - a broken figure must not cost the whole report
            logger.exception("Figure %s for %s failed", fn.__name__, name)
            continue
        if png:
            names.append(png)
    return names
