"""Real FAQ dev/test sets, rebuilt from public question-matching corpora (nothing written here).

The sets come from human-labelled pairs of *real user questions* (see ``bench/data/real_faq/
SOURCES.md``). Their licences do not allow redistribution, so only this script and the rule that
selects the pairs are committed; the sets are rebuilt at bench time from a local copy of the
public source (``--source`` / ``LINLI_REAL_FAQ_SOURCE``: a directory with ``LCQMC/{dev,test}.txt``
and ``AFQMC/{dev,test}.txt``, or the git snapshot of the source repository).

How a pair corpus becomes an FAQ retrieval set (deterministic, no hand-editing):

* pairs of the topic (``lcqmc_gov``: government-service / community words in both questions;
  ``afqmc``: every pair, an Alipay customer-service corpus) are read from dev and test;
* questions linked by a positive label form one FAQ (union-find); its *FAQ question* is the
  member that occurs most often as the first question (ties: shortest, then alphabetical); the
  other members are user queries whose right answer is that FAQ;
* a question that only ever appears in negative pairs is added to the FAQ bank as a distractor
  when it is the second question of the pair, and becomes an **out-of-scope query** (the near
  miss a confident answer must not take) when it is the first;
* trivial paraphrases (equal after dropping punctuation and sentence-final particles) are
  dropped as queries;
* queries are split into dev and test by a hash of their FAQ, so a test query never shares its
  FAQ with a dev query (out-of-scope queries: by a hash of their own text). Tune on dev only;
* our own labels (``bench/data/real_faq/<set>_labels.json``, texts referenced by hash) then
  mark FAQ questions of the bank that mean the same (answering any of them is right) and
  "out-of-scope" queries that an FAQ of the bank does answer: pair labels only compare two
  questions, so a near miss of one FAQ can be a paraphrase of another.

Run: ``.venv/bin/python -m bench.real_faq --source DIR [--set lcqmc_gov] [--out FILE]`` prints a
summary and writes the JSON the knowledge benchmark reads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import subprocess
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "bench" / "data" / "real_faq"
DEFAULT_SOURCES = (Path("/work/.mirror/zejunwang1+CSTS/repo"),)
"""Where a snapshot of the source repository may already be (a workplace mirror)."""

GOV_WORDS = re.compile(
    "社保|医保|身份证|户口|公积金|居住证|养老|低保|退休|准生|结婚证|驾照|驾驶证|护照|通行证|"
    "户籍|落户|暂住证|失业|生育|物业|小区|房产证|营业执照|个税|新农合|补贴|补办|残疾|独生子女|"
    "老年|医疗保险|社区|居委|派出所|民政|车管所|违章|年检|出生证|公租房|廉租房|拆迁|水费|电费|"
    "燃气|煤气|停水|停电|垃圾分类|倒垃圾|扔垃圾|签证|办证|证明|疫苗|入学|幼儿园|学籍|社会保险|登记证"
)
"""Government-service and community topics (both questions of a pair must mention one)."""

_TRIVIAL = re.compile(r"[\s\W_]+|[吗呢啊呀吧么嘛哦噶]+$", re.UNICODE)


@dataclass
class RealSet:
    """An FAQ bank with dev and test queries (``faq_id`` None: out of scope)."""

    name: str
    source: str
    faqs: list[dict] = field(default_factory=list)
    dev: list[dict] = field(default_factory=list)
    test: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        """Counts for the report."""

        def count(part: list[dict]) -> dict:
            return {
                "queries": len(part),
                "in_scope": sum(bool(q["faq_ids"]) for q in part),
                "out_of_scope": sum(not q["faq_ids"] for q in part),
            }

        return {"faqs": len(self.faqs), "dev": count(self.dev), "test": count(self.test)}


def _read_source(source: Path, rel: str) -> str:
    """A file of the source: a plain directory, or a git snapshot (read with ``git show``)."""
    plain = source / rel
    if plain.is_file():
        return plain.read_text(encoding="utf-8")
    out = subprocess.run(
        ["git", "--git-dir", str(source), "show", f"HEAD:{rel}"],
        capture_output=True,
        check=False,
    )
    if out.returncode != 0:
        git_dir = source / ".git"
        if git_dir.exists():
            return _read_source(git_dir, rel)
        raise FileNotFoundError(f"{rel} not found in {source}")
    return out.stdout.decode("utf-8")


def find_source(explicit: str | None = None) -> Path | None:
    """The source directory: argument, ``LINLI_REAL_FAQ_SOURCE``, or a known mirror."""
    for candidate in (explicit, os.environ.get("LINLI_REAL_FAQ_SOURCE"), *DEFAULT_SOURCES):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    return None


def _pairs(source: Path, corpus: str) -> list[tuple[str, str, int]]:
    rows = []
    for part in ("dev", "test"):
        for line in _read_source(source, f"{corpus}/{part}.txt").splitlines():
            cols = [c.strip() for c in line.split("\t") if c.strip()]
            if len(cols) != 3 or cols[2] not in ("0", "1"):
                continue
            rows.append((cols[0], cols[1], int(cols[2])))
    return rows


def _trivial_key(text: str) -> str:
    return _TRIVIAL.sub("", text.lower())


def _bucket(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 2


def build(source: Path, name: str) -> RealSet:
    """Build one named set (``lcqmc_gov`` or ``afqmc``) from the source."""
    if name == "lcqmc_gov":
        pairs = [
            p for p in _pairs(source, "LCQMC") if GOV_WORDS.search(p[0]) and GOV_WORDS.search(p[1])
        ]
        label = "LCQMC (HIT, COLING 2018) dev+test, government-service/community subset"
    elif name == "afqmc":
        pairs = _pairs(source, "AFQMC")
        label = "AFQMC (Ant Financial question matching) dev+test"
    else:
        raise ValueError(f"unknown set {name!r}")
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    firsts: Counter[str] = Counter()
    positive: set[str] = set()
    for a, b, y in pairs:
        firsts[a] += 1
        if y == 1 and _trivial_key(a) != _trivial_key(b):
            parent[find(a)] = find(b)
            positive.update((a, b))
    clusters: dict[str, list[str]] = {}
    for text in sorted(positive):
        clusters.setdefault(find(text), []).append(text)
    out = RealSet(name=name, source=label)
    faq_of: dict[str, int] = {}
    for members in sorted(clusters.values(), key=lambda m: sorted(m)[0]):
        head = min(members, key=lambda t: (-firsts[t], len(t), t))
        faq_id = len(out.faqs) + 1
        out.faqs.append({"id": faq_id, "question": head})
        for m in members:
            faq_of[m] = faq_id
        seen = {_trivial_key(head)}
        part = out.dev if _bucket(head) == 0 else out.test
        for m in members:
            key = _trivial_key(m)
            if key in seen:
                continue
            seen.add(key)
            part.append({"q": m, "faq_ids": [faq_id]})
    bank = {_trivial_key(f["question"]) for f in out.faqs}
    oos: dict[str, None] = {}
    for a, b, y in pairs:
        if y != 0:
            continue
        if b not in faq_of and _trivial_key(b) not in bank:
            out.faqs.append({"id": len(out.faqs) + 1, "question": b})
            bank.add(_trivial_key(b))
        if a not in faq_of and _trivial_key(a) not in bank:
            oos[a] = None
    for q in oos:
        if _trivial_key(q) not in bank:
            (out.dev if _bucket(q) == 0 else out.test).append({"q": q, "faq_ids": []})
    apply_labels(out, LABELS / f"{name}_labels.json")
    return out


def _h(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def apply_labels(real: RealSet, path: Path) -> int:
    """Apply our own labels (see the module doc); returns how many queries changed."""
    if not path.is_file():
        return 0
    labels = json.loads(path.read_text(encoding="utf-8"))
    id_of = {_h(f["question"]): f["id"] for f in real.faqs}
    groups = [[id_of[x] for x in g if x in id_of] for g in labels.get("same_faq", [])]
    answered = {q: id_of[f] for q, f in labels.get("answered_by", {}).items() if f in id_of}
    changed = 0
    for q in [*real.dev, *real.test]:
        ids = set(q["faq_ids"])
        if not ids and _h(q["q"]) in answered:
            ids = {answered[_h(q["q"])]}
        for g in groups:
            if ids & set(g):
                ids |= set(g)
        if ids != set(q["faq_ids"]):
            q["faq_ids"] = sorted(ids)
            changed += 1
    return changed


def load_or_build(name: str, source: str | None = None, cache: Path | None = None) -> RealSet:
    """The set from ``cache`` if present, else rebuilt from the source (and cached)."""
    cache = cache or ROOT / "var" / "bench" / f"real_faq_{name}.json"
    if cache.is_file():
        data = json.loads(cache.read_text(encoding="utf-8"))
        return RealSet(**data)
    found = find_source(source)
    if found is None:
        raise FileNotFoundError(
            "real FAQ source not found: set LINLI_REAL_FAQ_SOURCE to a copy of the source "
            "(see bench/data/real_faq/SOURCES.md)"
        )
    real = build(found, name)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(asdict(real), ensure_ascii=False), encoding="utf-8")
    return real


def main() -> None:
    """Rebuild a set and print its summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="directory or git snapshot of the source repository")
    parser.add_argument("--set", default="lcqmc_gov", choices=["lcqmc_gov", "afqmc"])
    parser.add_argument("--out", type=Path, help="write the set as JSON here")
    parser.add_argument("--show", type=int, default=0, help="print N dev queries")
    args = parser.parse_args()
    source = find_source(args.source)
    if source is None:
        raise SystemExit("source not found: pass --source or set LINLI_REAL_FAQ_SOURCE")
    real = build(source, args.set)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(asdict(real), ensure_ascii=False), encoding="utf-8")
    print(json.dumps(real.summary(), ensure_ascii=False))  # noqa: T201
    faq = {f["id"]: f["question"] for f in real.faqs}
    for q in real.dev[: args.show]:
        print(q["q"], "→", [faq[i] for i in q["faq_ids"]] or "(out of scope)")  # noqa: T201


if __name__ == "__main__":
    main()
