"""NLU benchmark: Rasa ``/model/parse`` vs the keyword-rule baseline on the held-out evaluation set.

Usage (from the repository root, Rasa running with ``--enable-api``)::

    .venv/bin/python -m bench.nlu_bench --rasa-url http://127.0.0.1:5005
    .venv/bin/python -m bench.nlu_bench --no-rasa          # baseline and slot parsers only

Without ``--rasa-url`` it tries ``$LINLI_RASA_URL`` (default ``http://127.0.0.1:5005``) and falls
back to the baseline alone when no server answers (``python -m bench`` runs it like that).

Writes ``bench/results/nlu.json`` and the PNG plots next to it (confusion matrices, per-intent F1).
Intent metrics come from the first pass; latency p50/p95 are medians over ``--runs`` passes.
Slot F1 (category, location parts, phone, service type) scores the action server's parsers
(``actions.parsing``) on the items whose gold intent fills that slot in a form (``SLOT_SCOPE``).

Over 400 lines on purpose: one benchmark (load the set, ask each classifier, score intents and
slots, plot) whose parts are only used together; its report section is ``bench/nlu_report.py``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]

from bench.baseline_rules import KeywordClassifier  # noqa: E402
from bench.machine import machine_info  # noqa: E402
from bench.nlu_metrics import SlotCounts, contains, exact, intent_report, median, percentile  # noqa: E402

logger = logging.getLogger(__name__)

DEFAULT_EVAL = ROOT / "bench/data/nlu_eval.yml"
DEFAULT_TRAIN = ROOT / "nlu/data"
DEFAULT_OUT = ROOT / "bench/results/nlu.json"
FALLBACK_INTENT = "nlu_fallback"

# Which gold intents each slot is scored on: the turns where a form would parse that slot.
SLOT_SCOPE: dict[str, frozenset[str]] = {
    "category": frozenset({"report", "inform"}),
    "location.building": frozenset({"report", "inform", "emergency"}),
    "location.unit": frozenset({"report", "inform", "emergency"}),
    "location.room": frozenset({"report", "inform", "emergency"}),
    "location.landmark": frozenset({"report", "inform", "emergency"}),
    "phone": frozenset({"report", "inform", "service", "emergency"}),
    "service_type": frozenset({"service", "inform"}),
}


@dataclass(frozen=True)
class EvalItem:
    """One labelled utterance of the evaluation set."""

    text: str
    intent: str
    slots: dict[str, str | None] = field(default_factory=dict)
    """Flat gold slots: ``category``, ``location.building`` … ``phone``, ``service_type``."""


def load_eval(path: Path) -> list[EvalItem]:
    """Read the evaluation YAML (items: text, intent, category, location, phone, service_type).

    Raises:
        ValueError: If an item lacks text or intent or has an unknown key.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    items = []
    allowed = {"text", "intent", "category", "location", "phone", "service_type"}
    for n, entry in enumerate(raw):
        if not isinstance(entry, dict) or not entry.get("text") or not entry.get("intent"):
            raise ValueError(f"item {n} needs text and intent: {entry!r}")
        unknown = set(entry) - allowed
        if unknown:
            raise ValueError(f"item {n} has unknown keys {sorted(unknown)}")
        slots: dict[str, str | None] = {
            "category": entry.get("category"),
            "phone": None if entry.get("phone") is None else str(entry["phone"]),
            "service_type": entry.get("service_type"),
        }
        location = entry.get("location") or {}
        for part in ("building", "unit", "room", "landmark"):
            value = location.get(part)
            slots[f"location.{part}"] = None if value is None else str(value)
        items.append(EvalItem(text=str(entry["text"]), intent=str(entry["intent"]), slots=slots))
    return items


def training_texts(path: Path) -> set[str]:
    """Every training example of a Rasa YAML NLU file, or of every ``nlu_*.yml`` in a folder
    (``nlu/data``: one file per intent; its lookup tables are no examples), whitespace removed."""
    if path.is_dir():
        return set().union(*(training_texts(p) for p in sorted(path.glob("nlu_*.yml"))))
    if not path.exists():
        return set()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    texts = set()
    for block in data.get("nlu", []) or []:
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                texts.add("".join(line[2:].split()))
    return texts


# ---------------------------------------------------------------- classifiers


@dataclass
class Prediction:
    """One classifier answer."""

    intent: str
    confidence: float | None
    latency_ms: float
    top_non_fallback: str | None = None
    """Rasa: the best intent other than ``nlu_fallback`` (DIET's answer before the threshold)."""


class RasaParser:
    """Posts texts to a running Rasa server's ``POST /model/parse``."""

    def __init__(
        self, base_url: str, timeout: float = 30.0, token: str | None = None, transport: Any = None
    ) -> None:
        """Create the HTTP client.

        Args:
            base_url: Rasa server root, e.g. ``http://127.0.0.1:5005``.
            timeout: Seconds per request.
            token: Rasa's ``--auth-token`` if the server uses one.
            transport: An ``httpx`` transport (tests pass ``httpx.MockTransport``).
        """
        import httpx

        self._params = {"token": token} if token else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport
        )

    def version(self) -> dict[str, Any]:
        """Rasa's ``GET /version`` and ``GET /status`` (model file), best effort."""
        info: dict[str, Any] = {}
        for path in ("/version", "/status"):
            try:
                response = self._client.get(path, params=self._params)
                if response.status_code == 200:
                    info.update(response.json())
            except Exception as exc:  # noqa: BLE001 - informational only
                logger.warning("could not read %s: %s", path, exc)
        return info

    def parse(self, text: str) -> Prediction:
        """Parse one text."""
        start = time.perf_counter()
        response = self._client.post("/model/parse", json={"text": text}, params=self._params)
        elapsed = (time.perf_counter() - start) * 1000
        response.raise_for_status()
        body = response.json()
        intent = body.get("intent") or {}
        top = next(
            (
                r.get("name")
                for r in body.get("intent_ranking") or []
                if r.get("name") != FALLBACK_INTENT
            ),
            intent.get("name"),
        )
        return Prediction(
            intent=str(intent.get("name") or FALLBACK_INTENT),
            confidence=intent.get("confidence"),
            latency_ms=elapsed,
            top_non_fallback=top,
        )

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


class BaselineParser:
    """The keyword-rule baseline behind the same interface."""

    def __init__(self) -> None:
        """Compile the rules."""
        self._clf = KeywordClassifier()

    def parse(self, text: str) -> Prediction:
        """Classify one text."""
        start = time.perf_counter()
        intent = self._clf(text)
        return Prediction(
            intent=intent, confidence=None, latency_ms=(time.perf_counter() - start) * 1000
        )


def run_classifier(
    parse: Callable[[str], Prediction], items: Sequence[EvalItem], runs: int = 1, warmup: int = 3
) -> tuple[list[Prediction], dict[str, Any]]:
    """Classify every item ``runs`` times; predictions of the first pass, latency over all passes.

    Returns:
        The first-pass predictions and a latency summary (median over passes of p50/p95/mean, ms).
    """
    for item in items[:warmup]:
        parse(item.text)
    first: list[Prediction] = []
    p50s, p95s, means = [], [], []
    for run in range(max(1, runs)):
        latencies = []
        for item in items:
            prediction = parse(item.text)
            latencies.append(prediction.latency_ms)
            if run == 0:
                first.append(prediction)
        p50s.append(percentile(latencies, 50))
        p95s.append(percentile(latencies, 95))
        means.append(sum(latencies) / len(latencies))
    latency = {
        "runs": max(1, runs),
        "p50_ms": median(p50s),
        "p95_ms": median(p95s),
        "mean_ms": median(means),
        "p50_ms_per_run": p50s,
        "p95_ms_per_run": p95s,
    }
    return first, latency


def classifier_result(
    items: Sequence[EvalItem], predictions: Sequence[Prediction], latency: dict
) -> dict:
    """Metrics, latency and the misclassified items of one classifier."""
    gold = [item.intent for item in items]
    report = intent_report(gold, [p.intent for p in predictions])
    result: dict[str, Any] = report.to_dict()
    result["latency"] = latency
    result["errors"] = [
        {"text": item.text, "gold": item.intent, "pred": p.intent, "confidence": p.confidence}
        for item, p in zip(items, predictions, strict=True)
        if item.intent != p.intent
    ]
    if any(p.top_non_fallback for p in predictions):
        raw = intent_report(gold, [p.top_non_fallback or p.intent for p in predictions])
        result["without_fallback"] = {"accuracy": raw.accuracy, "macro_f1": raw.macro_f1}
        result["fallback_rate"] = sum(p.intent == FALLBACK_INTENT for p in predictions) / len(
            predictions
        )
    return result


# ---------------------------------------------------------------- slots


@dataclass
class SlotExtractor:
    """The four slot parsers the benchmark scores (``actions.parsing`` by default)."""

    parse_category: Callable[[str], str | None]
    parse_location: Callable[[str], Any]
    parse_phone: Callable[[str], str | None]
    parse_service: Callable[[str], str | None]

    def extract(self, text: str) -> dict[str, str | None]:
        """All flat slot values of one text."""
        location = self.parse_location(text)
        out: dict[str, str | None] = {
            "category": self.parse_category(text),
            "phone": self.parse_phone(text),
            "service_type": self.parse_service(text),
        }
        for part in ("building", "unit", "room", "landmark"):
            value = getattr(location, part, None) if location is not None else None
            out[f"location.{part}"] = None if value in (None, "") else str(value)
        return out


def load_extractor(module: str = "actions.parsing") -> tuple[SlotExtractor | None, str | None]:
    """Import the parsers lazily.

    Returns:
        The extractor, or None and a note saying why slot scoring is skipped.
    """
    try:
        mod = importlib.import_module(module)
        return (
            SlotExtractor(
                parse_category=mod.parse_category,
                parse_location=mod.parse_location,
                parse_phone=mod.parse_phone,
                parse_service=mod.parse_service,
            ),
            None,
        )
    except (ImportError, AttributeError) as exc:
        return None, f"slot scoring skipped: cannot import parsers from {module}: {exc}"


def score_slots(items: Sequence[EvalItem], extractor: SlotExtractor) -> dict[str, Any]:
    """Slot precision/recall/F1 per slot over the items in each slot's ``SLOT_SCOPE``."""
    counts = {slot: SlotCounts() for slot in SLOT_SCOPE}
    for item in items:
        predicted = extractor.extract(item.text)
        for slot, intents in SLOT_SCOPE.items():
            if item.intent not in intents:
                continue
            same = contains if slot == "location.landmark" else exact
            counts[slot].add(item.slots.get(slot), predicted.get(slot), same, item.text)
    result = {slot: c.to_dict() for slot, c in counts.items()}
    location = SlotCounts(
        tp=sum(counts[s].tp for s in counts if s.startswith("location.")),
        fp=sum(counts[s].fp for s in counts if s.startswith("location.")),
        fn=sum(counts[s].fn for s in counts if s.startswith("location.")),
    )
    result["location (all parts, micro)"] = location.to_dict(max_errors=0)
    return result


# ---------------------------------------------------------------- report


def plot_confusion(result: dict, title: str, path: Path) -> None:
    """Save a confusion-matrix heat map (rows gold, columns predicted)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, matrix = result["labels"], result["confusion"]
    n_rows = sum(1 for _ in result["per_intent"])
    rows = matrix[:n_rows]
    fig, ax = plt.subplots(figsize=(1.0 + 0.55 * len(labels), 1.0 + 0.5 * n_rows))
    ax.imshow(rows, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(n_rows), labels[:n_rows], fontsize=8)
    peak = max((max(r) for r in rows), default=1) or 1
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value:
                color = "white" if value > peak / 2 else "black"
                ax.text(j, i, str(value), ha="center", va="center", fontsize=7, color=color)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"{title}: acc {result['accuracy']:.3f}, macro-F1 {result['macro_f1']:.3f}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_f1(results: dict[str, dict], path: Path) -> None:
    """Save a grouped bar chart of per-intent F1 for each classifier."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    intents = sorted({i for r in results.values() for i in r["per_intent"]})
    width = 0.8 / max(1, len(names))
    fig, ax = plt.subplots(figsize=(max(8, 0.7 * len(intents)), 4))
    for k, name in enumerate(names):
        values = [results[name]["per_intent"].get(i, {}).get("f1", 0.0) for i in intents]
        ax.bar([x + k * width for x in range(len(intents))], values, width, label=name)
    ax.set_xticks(
        [x + width * (len(names) - 1) / 2 for x in range(len(intents))],
        intents,
        rotation=45,
        ha="right",
    )
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("F1")
    ax.legend()
    ax.set_title("Per-intent F1 on the held-out set")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def summary_lines(report: dict) -> list[str]:
    """A short plain-text table for the terminal."""
    lines = [f"eval items: {report['eval']['n']}"]
    classifiers = report["classifiers"]
    lines.append(f"{'':24s}" + "".join(f"{name:>16s}" for name in classifiers))
    for key, label in (("accuracy", "intent accuracy"), ("macro_f1", "macro-F1")):
        lines.append(f"{label:24s}" + "".join(f"{r[key]:16.3f}" for r in classifiers.values()))
    for key in ("p50_ms", "p95_ms"):
        lines.append(
            f"{'latency ' + key:24s}"
            + "".join(f"{r['latency'][key]:16.2f}" for r in classifiers.values())
        )
    intents = sorted({i for r in classifiers.values() for i in r["per_intent"]})
    for intent in intents:
        lines.append(
            f"  F1 {intent:19s}"
            + "".join(
                f"{r['per_intent'].get(intent, {}).get('f1', 0.0):16.3f}"
                for r in classifiers.values()
            )
        )
    slots = report.get("slot_details")
    if isinstance(slots, dict) and "note" not in slots:
        for slot, s in slots.items():
            lines.append(
                f"slot {slot:30s} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}"
            )
    elif isinstance(slots, dict):
        lines.append(slots["note"])
    return lines


def _summary(result: dict) -> dict[str, Any]:
    """The headline numbers of one classifier (what bench/REPORT.md tabulates)."""
    out = {
        "accuracy": result["accuracy"],
        "macro_f1": result["macro_f1"],
        "p50_ms": result["latency"]["p50_ms"],
        "p95_ms": result["latency"]["p95_ms"],
    }
    if "fallback_rate" in result:
        out["fallback_rate"] = result["fallback_rate"]
        out["accuracy_without_fallback"] = result["without_fallback"]["accuracy"]
    return out


def rasa_reachable(url: str, token: str | None = None, timeout: float = 5.0) -> str | None:
    """None when ``POST /model/parse`` answers with an intent, else why not."""
    parser = RasaParser(url, timeout=timeout, token=token)
    try:
        parser.parse("你好")
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "skip Rasa"
        return f"{type(exc).__name__}: {exc}"
    finally:
        parser.close()


def run(
    *,
    eval_path: Path,
    out_path: Path,
    rasa_url: str | None,
    runs: int = 3,
    train_path: Path = DEFAULT_TRAIN,
    extractor_module: str = "actions.parsing",
    rasa_token: str | None = None,
    plots: bool = True,
) -> dict[str, Any]:
    """Run the whole NLU benchmark and write the JSON (and PNGs unless ``plots`` is False).

    The JSON starts with the headline numbers (``rasa``, ``baseline_rules``, ``comparison``,
    ``slot_f1``); details follow (``classifiers`` with per-intent scores, confusion matrices and
    misclassified items, ``slot_details`` with slot errors).
    """
    items = load_eval(eval_path)
    train = training_texts(train_path)
    overlap = [i.text for i in items if "".join(i.text.split()) in train]
    if overlap:
        logger.warning("%d evaluation texts also occur in the training data", len(overlap))
    counts: dict[str, int] = {}
    for item in items:
        counts[item.intent] = counts.get(item.intent, 0) + 1
    report: dict[str, Any] = {"name": "nlu", "machine": machine_info()}
    classifiers: dict[str, dict] = {}
    rasa_info: dict[str, Any] = {"url": rasa_url}
    if rasa_url:
        rasa = RasaParser(rasa_url, token=rasa_token)
        try:
            info = rasa.version()
            rasa_info.update(
                {
                    k: info[k]
                    for k in ("version", "minimum_compatible_version", "model_file")
                    if k in info
                }
            )
            logger.info("parsing %d texts x %d runs through %s", len(items), runs, rasa_url)
            predictions, latency = run_classifier(rasa.parse, items, runs=runs)
            classifiers["rasa"] = classifier_result(items, predictions, latency)
        finally:
            rasa.close()
    baseline = BaselineParser()
    predictions, latency = run_classifier(baseline.parse, items, runs=runs)
    classifiers["baseline_rules"] = classifier_result(items, predictions, latency)
    if "rasa" in classifiers:
        report["rasa"] = {**_summary(classifiers["rasa"]), **rasa_info}
    else:
        report["rasa"] = {**rasa_info, "skipped": "no Rasa server (run with --rasa-url)"}
    report["baseline_rules"] = _summary(classifiers["baseline_rules"])
    if "rasa" in classifiers:
        r, b = classifiers["rasa"], classifiers["baseline_rules"]
        report["comparison"] = {
            "accuracy_delta": r["accuracy"] - b["accuracy"],
            "macro_f1_delta": r["macro_f1"] - b["macro_f1"],
            "latency_p50_ratio": (r["latency"]["p50_ms"] / b["latency"]["p50_ms"])
            if b["latency"]["p50_ms"]
            else None,
        }
    extractor, note = load_extractor(extractor_module)
    slot_details = score_slots(items, extractor) if extractor else {"note": note}
    report["slot_f1"] = (
        {slot: d["f1"] for slot, d in slot_details.items()} if extractor else {"note": note}
    )
    report["eval"] = {
        "path": str(eval_path),
        "n": len(items),
        "per_intent": counts,
        "overlap_with_training": overlap,
    }
    report["classifiers"] = classifiers
    report["slot_details"] = slot_details
    report["slot_scope"] = {slot: sorted(intents) for slot, intents in SLOT_SCOPE.items()}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if plots:
        pngs = {}
        for name, result in classifiers.items():
            png = out_path.with_name(f"nlu_confusion_{name}.png")
            plot_confusion(result, name, png)
            pngs[f"confusion_{name}"] = png.name
        f1_png = out_path.with_name("nlu_f1.png")
        plot_f1(classifiers, f1_png)
        pngs["per_intent_f1"] = f1_png.name
        report["plots"] = pngs
    out_path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rasa-url",
        default=os.environ.get("LINLI_RASA_URL", "http://127.0.0.1:5005"),
        help="Rasa server with --enable-api (default $LINLI_RASA_URL or http://127.0.0.1:5005); "
        "when it does not answer, only the baseline and the slot parsers run",
    )
    parser.add_argument(
        "--no-rasa", action="store_true", help="only the baseline and the slot parsers"
    )
    parser.add_argument(
        "--rasa-token",
        default=os.environ.get("LINLI_RASA_TOKEN"),
        help="token of Rasa's HTTP API (default $LINLI_RASA_TOKEN)",
    )
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    parser.add_argument(
        "--train", type=Path, default=DEFAULT_TRAIN, help="to check the eval set is held out"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--runs", type=int, default=3, help="passes over the set for latency medians"
    )
    parser.add_argument(
        "--extractor", default="actions.parsing", help="module with the slot parsers"
    )
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO, format="%(levelname)s %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    rasa_url: str | None = None if args.no_rasa else args.rasa_url
    if rasa_url and (why := rasa_reachable(rasa_url, args.rasa_token)):
        logger.warning(
            "Rasa at %s does not answer (%s): baseline and slot parsers only", rasa_url, why
        )
        rasa_url = None
    report = run(
        eval_path=args.eval,
        out_path=args.out,
        rasa_url=rasa_url,
        runs=args.runs,
        train_path=args.train,
        extractor_module=args.extractor,
        rasa_token=args.rasa_token,
        plots=not args.no_plots,
    )
    sys.stdout.write("\n".join(summary_lines(report)) + f"\nwritten: {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
