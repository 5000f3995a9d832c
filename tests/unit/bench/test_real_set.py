"""The real message-board set: labels file, split, rebuilding texts from the source spreadsheets,
and that no real text is a training example."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import yaml

from bench.data.real import build_real_nlu as real
from bench.routing import load_real
from core.textnorm import to_simplified
from tests.textsets import NLU_DATA, normalise, training_examples

HEADER = "id\tfp\ttitle_fp\tlabel\talt"
FP = "0123456789abcdef"


def _row(rid: str, label: str, alt: str = "", fp: str = FP) -> str:
    return f"{rid}\t{fp}\t{fp}\t{label}\t{alt}"


# ---------------------------------------------------------------- labels


def test_parse_labels_reads_rows_and_skips_comments() -> None:
    text = "\n".join(
        [
            "# a comment",
            "",
            HEADER,
            _row("s:1", "report"),
            _row("s:2", "consult", "report"),
            _row("s:3", "x"),
        ]
    )
    rows = real.parse_labels(text)
    assert [(r.id, r.label, r.alt) for r in rows] == [
        ("s:1", "report", None),
        ("s:2", "consult", "report"),
        ("s:3", "x", None),
    ]


@pytest.mark.parametrize(
    "body",
    [
        _row("s:1", "complaint"),  # unknown label
        _row("s:1", "report", "report"),  # alternative equal to the label
        _row("s:1", "x", "report"),  # alternative on a left-out row
        _row("s:1", "report", "maybe"),  # unknown alternative
        _row("s:1", "report", fp="XYZ"),  # not a fingerprint
        _row("s:1", "report") + "\n" + _row("s:1", "consult"),  # duplicate id
        "s:1\t" + FP,  # too few cells for a fingerprint pair
    ],
)
def test_parse_labels_rejects_bad_rows(body: str) -> None:
    with pytest.raises(real.RealDataError):
        real.parse_labels(HEADER + "\n" + body)


def test_parse_labels_needs_the_header() -> None:
    with pytest.raises(real.RealDataError):
        real.parse_labels(_row("s:1", "report"))
    with pytest.raises(real.RealDataError):
        real.parse_labels("# only comments\n")


def test_format_then_parse_round_trips() -> None:
    rows = [real.Label("b:2", FP, FP, "consult", "report"), real.Label("a:1", FP, FP, "other")]
    text = real.format_labels(rows, ["made by hand"])
    assert text.startswith("# made by hand\n")
    assert real.parse_labels(text) == sorted(rows, key=lambda r: r.id)


def test_the_committed_labels_file_is_well_formed() -> None:
    rows = real.parse_labels(real.LABELS.read_text(encoding="utf-8"))
    used = [r for r in rows if r.label != real.LEFT_OUT]
    assert 300 <= len(used) <= 600
    labels = {r.label for r in used}
    assert {"report", "consult", "service", "other"} <= labels
    prefixes = {s.prefix for s in real.SOURCES}
    assert all(r.id.split(":", 1)[0] in prefixes for r in rows)


# ---------------------------------------------------------------- split


def test_split_is_a_fixed_function_of_the_id() -> None:
    # pinned values: changing the salt or the rule would silently move items between dev and test
    assert {
        rid: real.split_of(rid)
        for rid in ("tipdm20-fj3:188006", "tipdm20-fj3:188007", "tipdm20-fj4:2549", "a:1")
    } == {
        "tipdm20-fj3:188006": "test",
        "tipdm20-fj3:188007": "dev",
        "tipdm20-fj4:2549": "test",
        "a:1": "dev",
    }


def test_split_is_about_half_and_independent_of_order() -> None:
    ids = [f"src:{n}" for n in range(2000)]
    splits = [real.split_of(i) for i in ids]
    assert 0.45 < splits.count("dev") / len(ids) < 0.55
    assert [real.split_of(i) for i in reversed(ids)] == list(reversed(splits))


def test_committed_split_is_roughly_balanced() -> None:
    rows = [
        r
        for r in real.parse_labels(real.LABELS.read_text(encoding="utf-8"))
        if r.label != real.LEFT_OUT
    ]
    dev = sum(real.split_of(r.id) == "dev" for r in rows)
    assert 0.4 < dev / len(rows) < 0.6


# ---------------------------------------------------------------- texts and spreadsheets


def test_compose_joins_title_and_body_and_cuts() -> None:
    assert real.compose("小区停水", "  三天了\n\t没人管 ") == "小区停水。三天了没人管"
    assert real.compose("什么时候修好？", "路灯坏了") == "什么时候修好？路灯坏了"
    assert real.compose("标题", "") == "标题"
    assert len(real.compose("题", "长" * 800)) == real.MAX_CHARS
    assert real.clean("A3区 Wi Fi  路灯\u3000坏了") == "A3区Wi Fi路灯坏了"


def test_fingerprint_ignores_spacing_and_punctuation_only() -> None:
    assert real.fingerprint("电梯坏了，没人修！") == real.fingerprint("电梯 坏了 没人修")
    assert real.fingerprint("电梯坏了") != real.fingerprint("电梯好了")
    assert len(real.fingerprint("x")) == 16


def _xlsx(rows: list[list[str]], inline_col: int | None = None) -> bytes:
    """A minimal .xlsx: shared strings, one worksheet (one column optionally inline)."""
    shared: list[str] = []
    cells_xml = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if c == inline_col:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
            else:
                shared.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(shared) - 1}</v></c>')
        cells_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sst = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/sharedStrings.xml", f"<sst {ns}>{sst}</sst>")
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {ns}><sheetData>{''.join(cells_xml)}</sheetData></worksheet>",
        )
    return buf.getvalue()


SHEET = [
    ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情"],
    ["101", "A001", "5栋电梯坏了", "2019/1/1", "电梯停了三天_x000D_没人修"],
    ["102", "A002", "咨询低保怎么申请？", "2019/1/2", "\n\t\t我家困难，想问问条件"],
]


def test_xlsx_rows_reads_shared_and_inline_strings() -> None:
    rows = list(real.xlsx_rows(_xlsx(SHEET, inline_col=4)))
    assert rows[0][2] == "留言主题"
    assert rows[1][4] == "电梯停了三天\r没人修"  # _x000D_ decoded
    assert rows[2][4].strip() == "我家困难，想问问条件"


def _source(data: bytes, prefix: str = "t") -> real.Source:
    return real.Source(
        prefix, "owner/name", "c" * 40, "dir/附件.xlsx", hashlib.sha256(data).hexdigest(), "test"
    )


def test_messages_builds_ids_and_texts() -> None:
    data = _xlsx(SHEET)
    found = real.messages(_source(data), data)
    assert set(found) == {"t:101", "t:102"}
    assert found["t:101"].text == "5栋电梯坏了。电梯停了三天没人修"
    assert found["t:102"].text == "咨询低保怎么申请？我家困难，想问问条件"
    assert found["t:102"].title == "咨询低保怎么申请？"


def test_messages_rejects_an_unexpected_header() -> None:
    data = _xlsx([["编号", "主题"], ["1", "x"]])
    with pytest.raises(real.RealDataError):
        real.messages(_source(data), data)


def test_source_bytes_checks_the_pinned_hash_and_caches(tmp_path: Path) -> None:
    data = _xlsx(SHEET)
    source = _source(data)
    files = tmp_path / "files"
    (files / "owner/name/dir").mkdir(parents=True)
    (files / "owner/name/dir/附件.xlsx").write_bytes(data)
    cache = tmp_path / "cache"
    assert real.source_bytes(source, cache, files=[files]) == data
    (files / "owner/name/dir/附件.xlsx").unlink()
    assert real.source_bytes(source, cache) == data  # from the cache now
    changed = real.Source(**{**vars(source), "sha256": "0" * 64})
    with pytest.raises(real.RealDataError, match="different content"):
        real.source_bytes(changed, cache)
    with pytest.raises(real.RealDataError, match="not found"):
        real.source_bytes(changed, tmp_path / "empty")


def test_join_drops_left_out_rows_and_detects_changed_texts() -> None:
    data = _xlsx(SHEET)
    found = real.messages(_source(data, prefix=real.SOURCES[0].prefix), data)
    p = real.SOURCES[0].prefix
    m1, m2 = found[f"{p}:101"], found[f"{p}:102"]
    labels = [
        real.Label(m1.id, real.fingerprint(m1.text), real.fingerprint(m1.title), "report"),
        real.Label(m2.id, real.fingerprint(m2.text), real.fingerprint(m2.title), "x"),
    ]
    items = real.join(labels, found)
    assert [(i["id"], i["label"], i["text"]) for i in items] == [(m1.id, "report", m1.text)]
    assert items[0]["split"] == real.split_of(m1.id)
    stale = [real.Label(m1.id, FP, real.fingerprint(m1.title), "report")]
    with pytest.raises(real.RealDataError, match="1 texts changed"):
        real.join(stale, found)
    with pytest.raises(real.RealDataError, match="1 labelled ids missing"):
        real.join([real.Label(f"{p}:999", FP, FP, "report")], found)


def test_load_real_reports_absence_clearly(tmp_path: Path) -> None:
    sets, status = load_real(tmp_path, build=False)
    assert sets == {}
    assert status["status"] == "absent"
    assert "build_real_nlu.py" in status["how"]


def test_load_real_reads_a_built_set(tmp_path: Path) -> None:
    out = tmp_path / "real_nlu"
    out.mkdir()
    rows = [
        {"id": "a:1", "split": "dev", "label": "report", "alt": None, "text": "灯坏了"},
        {"id": "a:2", "split": "test", "label": "consult", "alt": "report", "text": "能办吗"},
    ]
    (out / "real_nlu.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    sets, status = load_real(tmp_path, build=False)
    assert status["status"] == "ok"
    assert [(i.id, i.gold, i.alt) for i in sets["real_dev"]] == [("a:1", "report", None)]
    assert [(i.id, i.gold, i.alt) for i in sets["real_test"]] == [("a:2", "consult", "report")]
    assert all(i.real for i in sets["real_test"])


# ---------------------------------------------------------------- held out from training


def _raw_training_lines() -> list[str]:
    lines = []
    for path in sorted(NLU_DATA.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    lines.append(line.strip()[2:])
    return lines


def test_no_real_text_or_title_is_a_training_example() -> None:
    """By fingerprint (as written, and in Simplified characters), so it runs without the
    uncommitted texts."""
    raw = _raw_training_lines()
    assert len(raw) > 1000
    trained = {real.fingerprint(t) for t in raw} | {
        real.fingerprint(to_simplified(t)) for t in training_examples()
    }
    rows = real.parse_labels(real.LABELS.read_text(encoding="utf-8"))
    copied = [r.id for r in rows if r.fp in trained or r.title_fp in trained]
    assert not copied, f"real messages (dev or test) used as training examples: {copied}"


def test_no_training_example_is_cut_from_a_real_text() -> None:
    """Substrings too, when the set can be built on this machine (skipped otherwise)."""
    load_real(real.data_dir())  # builds it from local snapshots where they exist
    path = real.data_dir() / "real_nlu" / "real_nlu.jsonl"
    if not path.exists():
        pytest.skip(f"real set not built here ({path}); see bench/data/real/SOURCES.md")
    texts = [normalise(json.loads(line)["text"]) for line in path.read_text().splitlines() if line]
    long_examples = [e for e in training_examples() if len(e) >= 12]
    copied = sorted({e for e in long_examples for t in texts if e in t})
    assert not copied, f"training examples copied from real messages: {copied[:10]}"
