"""PII masking, text normalisation, taxonomy and generated NLU files."""

from __future__ import annotations

import logging
from pathlib import Path

from core.logging import PiiMaskingFilter
from core.pii import mask_phone, mask_pii
from core.taxonomy import categories, services
from core.textnorm import normalize_text

ROOT = Path(__file__).resolve().parents[3]


def test_mask_pii() -> None:
    text = "电话13812345678，身份证110101199001011234，座机010-87654321"
    masked = mask_pii(text)
    assert "13812345678" not in masked and "138****5678" in masked
    assert "110101199001011234" not in masked and "110101********4" in masked
    assert "87654321" not in masked
    assert mask_phone("13812345678") == "138****5678"


def test_log_records_are_masked() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "resident %s said %s", ("13812345678", "hi"), None
    )
    PiiMaskingFilter().filter(record)
    assert "13812345678" not in record.getMessage()


def test_normalize_text() -> None:
    assert normalize_text("電動車能在樓道充電嗎") == "电动车能在楼道充电吗"
    assert normalize_text("５号楼\x00") == "5号楼"


def test_taxonomy_is_short_and_complete() -> None:
    cats = categories()
    assert len(cats) <= 21 and cats[-1].code == "other"
    assert len({c.code for c in cats}) == len(cats)
    codes = {s.code for s in services()}
    assert {
        "elderly_allowance",
        "residence_certificate",
        "senior_card",
        "subsistence_allowance",
        "disability_card",
        "meal_assistance",
        "home_visit",
    } <= codes
    assert all(s.materials for s in services())


def test_generated_nlu_files_are_up_to_date() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("nlu_generate", ROOT / "nlu" / "generate.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert (ROOT / "nlu/data/lookups.yml").read_text(encoding="utf-8") == gen.lookups_yaml()
    userdict = (ROOT / "nlu/jieba_dict/userdict.txt").read_text(encoding="utf-8")
    assert userdict == "\n".join(gen.userdict_lines()) + "\n", "run: python nlu/generate.py"
