"""Rebuild the real-world routing set from its public source and join it with our labels.

The texts are citizens' messages to a city message board (问政平台), published as the data of the
2020 泰迪杯 data-mining challenge, problem C (“智慧政务”中的文本挖掘) and mirrored on GitHub. Their
licence is not stated, so they are **not committed**: this script rebuilds them at bench time from
the pinned files (see ``SOURCES``; ``SOURCES.md`` next to this file) and joins them with the
hand-made labels in ``labels.tsv`` (keyed by the source row id, with a fingerprint of the text so
a changed source is detected). Standard library only, so it runs from any Python ≥ 3.11::

    python bench/data/real/build_real_nlu.py                        # cache, then /work/.mirror
    python bench/data/real/build_real_nlu.py --mirrors DIR          # snapshots named owner+name
    python bench/data/real/build_real_nlu.py --files DIR            # DIR/<owner>/<name>/<path>
    python bench/data/real/build_real_nlu.py --download             # raw.githubusercontent.com

Writes ``<data dir>/real_nlu/real_nlu.jsonl`` (one message per line: id, split, label, alt,
text, source) and ``manifest.json``; the data dir is ``$LINLI_BENCH_DATA_DIR`` or
``var/bench-data``. The source files are cached under ``<data dir>/real_nlu/src/`` so later
builds need neither a mirror nor the network.

Over 400 lines on purpose: a standalone script (standard library only, runnable without the
project installed) that pins, fetches, verifies and joins its source in one place.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import unicodedata
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.tsv"
DEFAULT_MIRRORS = (Path("/work/.mirror"),)
MAX_CHARS = 500
LABEL_VALUES = ("report", "consult", "service", "other")
LEFT_OUT = "x"  # read while labelling and left out: not about residential life, or a duplicate
SPLIT_SALT = "linli-real-split:"
HEADER = ("id", "fp", "title_fp", "label", "alt")


@dataclass(frozen=True)
class Source:
    """One pinned spreadsheet of the public data."""

    prefix: str  # id prefix of its rows
    repo: str  # GitHub owner/name
    commit: str
    path: str
    sha256: str
    what: str

    @property
    def raw_url(self) -> str:
        """Where the pinned file can be downloaded."""
        return (
            f"https://raw.githubusercontent.com/{self.repo}/{self.commit}/"
            f"{urllib.parse.quote(self.path)}"
        )


SOURCES: tuple[Source, ...] = (
    Source(
        prefix="tipdm20-fj2s",
        repo="694035434/Natural-language-processing-and-text-mining",
        commit="b55669f6add2117eac7c924bb6652e215c4516eb",
        path="附件2.xlsx",
        sha256="768feb6b85da841011be89036a8151e2f141ee44e3ea6858e4124758cd8f832e",
        what="附件2 (sample release, 495 messages with 一级分类)",
    ),
    Source(
        prefix="tipdm20-fj3",
        repo="Rollbear-bot/HelloNLP-TopicC-in-TipDMCup2020",
        commit="505edf120966fe65039395e3a7f5fa9848359274",
        path="resources/full_dataset/full_dataset_sheet_3.xlsx",
        sha256="86bc682dd7dee2fe77b00f1b2dde5e3c622e4c9be942eb7f74a08323f1b0cb50",
        what="附件3 (4,326 messages with likes/dislikes)",
    ),
    Source(
        prefix="tipdm20-fj4",
        repo="Rollbear-bot/HelloNLP-TopicC-in-TipDMCup2020",
        commit="505edf120966fe65039395e3a7f5fa9848359274",
        path="resources/full_dataset/full_dataset_sheet_4.xlsx",
        sha256="4293f992d58d00ecc5d1b8a9cbc49549faebc5cd6895ea0da6d6a6ec5a628439",
        what="附件4 (2,816 messages with the official replies, replies not used)",
    ),
)


class RealDataError(RuntimeError):
    """The real set cannot be built (source missing or changed, bad labels file)."""


# ---------------------------------------------------------------- labels and split


@dataclass(frozen=True)
class Label:
    """One labelled source row."""

    id: str
    fp: str  # fingerprint of the built text
    title_fp: str  # fingerprint of the title alone
    label: str  # report | consult | service | other | x (left out)
    alt: str | None = None  # a second label that is also acceptable (ambiguous message)


def parse_labels(text: str) -> list[Label]:
    """Read ``labels.tsv``: a header line, then ``id fp title_fp label alt`` rows (tabs).

    Lines starting with ``#`` and blank lines are ignored.

    Raises:
        RealDataError: On a malformed row, an unknown label, an alternative equal to the
            label or on a left-out row, or a duplicate id.
    """
    rows: list[Label] = []
    seen: set[str] = set()
    header_seen = False
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.rstrip("\n").split("\t")
        if not header_seen:
            if tuple(c.strip() for c in cells) != HEADER:
                raise RealDataError(f"line {n}: header must be {'/'.join(HEADER)}, got {cells}")
            header_seen = True
            continue
        cells += [""] * (len(HEADER) - len(cells))
        if len(cells) != len(HEADER):
            raise RealDataError(f"line {n}: {len(cells)} cells, expected {len(HEADER)}")
        rid, fp, title_fp, label, alt = (c.strip() for c in cells)
        if (
            not rid
            or not re.fullmatch(r"[0-9a-f]{16}", fp)
            or not re.fullmatch(r"[0-9a-f]{16}", title_fp)
        ):
            raise RealDataError(f"line {n}: needs an id and two 16-hex fingerprints: {line!r}")
        if label not in (*LABEL_VALUES, LEFT_OUT):
            raise RealDataError(f"line {n}: unknown label {label!r}")
        if alt and (alt not in LABEL_VALUES or alt == label or label == LEFT_OUT):
            raise RealDataError(f"line {n}: bad alternative label {alt!r} for {label!r}")
        if rid in seen:
            raise RealDataError(f"line {n}: duplicate id {rid}")
        seen.add(rid)
        rows.append(Label(rid, fp, title_fp, label, alt or None))
    if not header_seen:
        raise RealDataError("no header line")
    return rows


def format_labels(rows: Iterable[Label], comments: Sequence[str] = ()) -> str:
    """The text of a labels file (rows sorted by id)."""
    lines = [f"# {c}" if c else "#" for c in comments] + ["\t".join(HEADER)]
    for row in sorted(rows, key=lambda r: r.id):
        lines.append("\t".join((row.id, row.fp, row.title_fp, row.label, row.alt or "")))
    return "\n".join(lines) + "\n"


def split_of(row_id: str) -> str:
    """``dev`` or ``test``: a fixed function of the id alone (about half each)."""
    digest = hashlib.sha256((SPLIT_SALT + row_id).encode("utf-8")).digest()
    return "dev" if digest[0] % 2 == 0 else "test"


# ---------------------------------------------------------------- texts


_CJK = r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NOT_WORD = re.compile(r"[\W_]+")


def clean(value: str | None) -> str:
    """One line of text: whitespace runs to one space, none next to CJK characters."""
    text = re.sub(r"[\s\u3000\xa0]+", " ", value or "").strip()
    return re.sub(rf"(?<={_CJK}) | (?={_CJK})", "", text)


def compose(title: str, body: str, limit: int = MAX_CHARS) -> str:
    """Title + “。” + body (no “。” after a title ending a sentence), cut to ``limit``."""
    title, body = clean(title), clean(body)
    if not body:
        text = title
    elif not title:
        text = body
    else:
        text = title + ("" if title[-1] in "。！？!?…." else "。") + body
    return text[:limit]


def fingerprint(text: str) -> str:
    """16 hex digits of SHA-1 over the text in compare form (NFKC, no spaces or punctuation)."""
    form = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text))
    return hashlib.sha1(form.encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------- xlsx (stdlib only)


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref)
    if not letters:
        raise ValueError(f"bad cell reference {ref!r}")
    n = 0
    for ch in letters.group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1


def _text_of(node: ET.Element) -> str:
    return "".join(t.text or "" for t in node.iter(f"{_NS}t"))


def xlsx_rows(data: bytes) -> Iterator[list[str | None]]:
    """The rows of the first worksheet of an .xlsx file, as strings (``_xHHHH_`` decoded)."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            shared = [_text_of(si) for si in root.findall(f"{_NS}si")]
        sheet = "xl/worksheets/sheet1.xml"
        if sheet not in names:
            sheet = sorted(n for n in names if n.startswith("xl/worksheets/sheet"))[0]
        root = ET.fromstring(z.read(sheet))
    for row in root.iter(f"{_NS}row"):
        cells: dict[int, str | None] = {}
        for cell in row.findall(f"{_NS}c"):
            kind, value = cell.get("t"), cell.find(f"{_NS}v")
            if kind == "s" and value is not None and value.text is not None:
                text: str | None = shared[int(value.text)]
            elif kind == "inlineStr":
                text = _text_of(cell)
            else:
                text = value.text if value is not None else None
            if text is not None:
                text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
            cells[_column(cell.get("r") or "A1")] = text
        if any(v not in (None, "") for v in cells.values()):
            yield [cells.get(i) for i in range(max(cells) + 1)]


@dataclass(frozen=True)
class Message:
    """One source message."""

    id: str
    title: str
    text: str  # title + body, cleaned and cut


def messages(source: Source, data: bytes) -> dict[str, Message]:
    """Every message of one source file by id (``<prefix>:<留言编号>``)."""
    rows = list(xlsx_rows(data))
    if not rows:
        raise RealDataError(f"{source.path}: empty worksheet")
    header = [(c or "").strip() for c in rows[0]]
    try:
        col_id, col_title, col_body = (
            header.index(h) for h in ("留言编号", "留言主题", "留言详情")
        )
    except ValueError as exc:
        raise RealDataError(f"{source.path}: unexpected header {header}") from exc
    out: dict[str, Message] = {}
    for row in rows[1:]:
        row = row + [None] * (len(header) - len(row))
        number = (row[col_id] or "").strip()
        if not number:
            continue
        rid = f"{source.prefix}:{number}"
        title = clean(row[col_title])
        out[rid] = Message(rid, title, compose(title, row[col_body] or ""))
    return out


# ---------------------------------------------------------------- getting the files


def data_dir() -> Path:
    """Where bench data is cached: ``$LINLI_BENCH_DATA_DIR`` or ``var/bench-data``."""
    return Path(os.environ.get("LINLI_BENCH_DATA_DIR") or ROOT / "var" / "bench-data")


def _cache_path(cache: Path, source: Source) -> Path:
    return cache / source.repo.replace("/", "+") / source.commit / source.path


def _from_git(git_dir: Path, source: Source) -> bytes | None:
    try:
        proc = subprocess.run(
            ["git", "--git-dir", str(git_dir), "show", f"{source.commit}:{source.path}"],
            capture_output=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.debug("git in %s failed: %s", git_dir, exc)
        return None
    return proc.stdout if proc.returncode == 0 else None


def _git_dirs(mirror_root: Path, source: Source) -> list[Path]:
    base = mirror_root / source.repo.replace("/", "+")
    return [p for p in (base / "repo", base / "repo" / ".git", base / ".git", base) if p.is_dir()]


def source_bytes(
    source: Source,
    cache: Path,
    mirrors: Sequence[Path] = (),
    files: Sequence[Path] = (),
    download: bool = False,
) -> bytes:
    """The pinned file, checked against its SHA-256: cache, then files, mirrors, download.

    A file found outside the cache is copied into it.

    Raises:
        RealDataError: When no copy with the pinned content is found.
    """
    cached = _cache_path(cache, source)
    candidates: list[tuple[str, bytes | None]] = []
    if cached.is_file():
        candidates.append((str(cached), cached.read_bytes()))
    for base in files:
        path = base / source.repo / source.path
        if path.is_file():
            candidates.append((str(path), path.read_bytes()))
    for root in mirrors:
        for git_dir in _git_dirs(root, source):
            candidates.append((f"git {git_dir}", _from_git(git_dir, source)))
    tried = []
    for where, data in candidates:
        if data is not None and hashlib.sha256(data).hexdigest() == source.sha256:
            if where != str(cached):
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_bytes(data)
            return data
        tried.append(where if data is None else f"{where} (different content)")
    if download:
        logger.info("downloading %s", source.raw_url)
        with urllib.request.urlopen(source.raw_url, timeout=120) as response:  # noqa: S310
            data = response.read()
        if hashlib.sha256(data).hexdigest() != source.sha256:
            raise RealDataError(f"{source.raw_url}: content differs from the pinned SHA-256")
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(data)
        return data
    raise RealDataError(
        f"{source.repo}@{source.commit[:10]}:{source.path} not found"
        + (f" (tried: {', '.join(tried)})" if tried else "")
        + "; pass --mirrors/--files, or --download"
    )


def all_messages(
    cache: Path,
    mirrors: Sequence[Path] = (),
    files: Sequence[Path] = (),
    download: bool = False,
) -> dict[str, Message]:
    """Every message of every source by id."""
    out: dict[str, Message] = {}
    for source in SOURCES:
        out.update(messages(source, source_bytes(source, cache, mirrors, files, download)))
    return out


# ---------------------------------------------------------------- build


def join(labels: Sequence[Label], found: dict[str, Message]) -> list[dict[str, str | None]]:
    """The labelled messages (left-out rows dropped), with their split.

    Raises:
        RealDataError: When a labelled id is missing or its text no longer matches.
    """
    missing = [r.id for r in labels if r.id not in found]
    changed = [
        r.id
        for r in labels
        if r.id in found
        and (fingerprint(found[r.id].text) != r.fp or fingerprint(found[r.id].title) != r.title_fp)
    ]
    if missing or changed:
        raise RealDataError(
            f"{len(missing)} labelled ids missing ({missing[:5]}), "
            f"{len(changed)} texts changed ({changed[:5]})"
        )
    prefix_source = {s.prefix: s for s in SOURCES}
    return [
        {
            "id": r.id,
            "split": split_of(r.id),
            "label": r.label,
            "alt": r.alt,
            "text": found[r.id].text,
            "source": prefix_source[r.id.split(":", 1)[0]].repo,
        }
        for r in sorted(labels, key=lambda r: r.id)
        if r.label != LEFT_OUT
    ]


def build(
    out_dir: Path,
    labels_path: Path = LABELS,
    mirrors: Sequence[Path] = (),
    files: Sequence[Path] = (),
    download: bool = False,
) -> dict[str, object]:
    """Build ``real_nlu.jsonl`` and ``manifest.json`` in ``out_dir``; return the manifest."""
    labels = parse_labels(labels_path.read_text(encoding="utf-8"))
    found = all_messages(out_dir / "src", mirrors, files, download)
    items = join(labels, found)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "real_nlu.jsonl").open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    manifest: dict[str, object] = {
        "items": len(items),
        "left_out": sum(1 for r in labels if r.label == LEFT_OUT),
        "labels_sha1": hashlib.sha1(labels_path.read_bytes()).hexdigest(),
        "per_split": {
            split: dict(Counter(str(i["label"]) for i in items if i["split"] == split))
            for split in ("dev", "test")
        },
        "sources": [
            {"repo": s.repo, "commit": s.commit, "path": s.path, "sha256": s.sha256}
            for s in SOURCES
        ],
    }
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return manifest


def fill_fingerprints(
    labels_path: Path, found: dict[str, Message], comments: Sequence[str] = ()
) -> None:
    """Recompute the fingerprints of a labels file from the source (after labelling by id)."""
    rows = parse_labels(labels_path.read_text(encoding="utf-8"))
    rows = [
        Label(r.id, fingerprint(found[r.id].text), fingerprint(found[r.id].title), r.label, r.alt)
        for r in rows
    ]
    labels_path.write_text(format_labels(rows, comments), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="output directory (default <data dir>/real_nlu)")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument(
        "--mirrors",
        type=Path,
        action="append",
        help="directory of repository snapshots named owner+name (default /work/.mirror)",
    )
    parser.add_argument(
        "--files", type=Path, action="append", default=[], help="directory <owner>/<name>/<path>"
    )
    parser.add_argument("--download", action="store_true", help="fetch the pinned raw files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    mirrors = args.mirrors or [m for m in DEFAULT_MIRRORS if m.is_dir()]
    out = args.out or data_dir() / "real_nlu"
    try:
        manifest = build(out, args.labels, mirrors, args.files, args.download)
    except RealDataError as exc:
        logger.error("%s", exc)
        return 1
    sys.stdout.write(json.dumps(manifest["per_split"], ensure_ascii=False) + f"\nwritten: {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
