"""Seed and held-out data hygiene: enough entries, no leakage between FAQ, calibration and test."""

from __future__ import annotations

import yaml

from core.textnorm import normalize_text
from knowledge.seed import DATA, load_heldout, load_seed
from knowledge.service import Thresholds


def test_seed_has_150_entries_with_two_or_more_phrasings() -> None:
    seed = load_seed()
    assert len(seed) >= 150
    assert len({s.key for s in seed}) == len(seed)
    assert all(1 + len(s.alternatives) >= 2 for s in seed)
    assert all(s.answer and len(s.answer) <= 300 for s in seed)
    topics = {s.category for s in seed}
    assert {
        "garbage",
        "ev_charging",
        "senior_card",
        "elderly_allowance",
        "medical_insurance",
        "pension",
        "vaccine",
        "canteen",
        "residence",
        "parking",
        "pets",
        "property_fee",
        "parcel_locker",
        "home_renovation",
        "legal_aid",
        "service_centre",
    } <= topics


def test_heldout_questions_are_not_faq_phrasings_and_parts_are_disjoint() -> None:
    seed = load_seed()
    keys = {s.key for s in seed}
    phrasings = {normalize_text(p) for s in seed for p in (s.question, *s.alternatives)}
    cal, test = load_heldout("calibration"), load_heldout("test")
    assert len(cal) >= 60 and len(test) >= 60
    for item in cal + test:
        assert normalize_text(item.question) not in phrasings, item.question
        assert set(item.keys) <= keys, item
    assert not {normalize_text(i.question) for i in cal} & {
        normalize_text(i.question) for i in test
    }
    assert sum(not i.in_scope for i in test) >= 5  # out-of-scope questions to decline
    assert any(ch in "".join(i.question for i in test) for ch in "電樓齡")  # Traditional input


def test_service_catalogue_materials_match_the_seed_answers() -> None:
    services = yaml.safe_load(
        (DATA.parents[1] / "core" / "data" / "services.yml").read_text("utf-8")
    )
    seed = {s.key: s.answer for s in load_seed()}
    pairs = {
        "elderly_allowance": "allowance_apply",
        "senior_card": "senior_card_apply",
        "subsistence_allowance": "subsistence_apply",
        "disability_card": "disability_card_apply",
        "residence_certificate": "residence_certificate",
        "home_renovation": "renovation_apply",
    }
    for service in services:
        if service["code"] in pairs:
            answer = seed[pairs[service["code"]]]
            for material in service["materials"]:
                assert material.split("（")[0] in answer, (service["code"], material)


def test_calibrated_thresholds_exist_for_real_model_and_fake() -> None:
    data = yaml.safe_load((DATA / "thresholds.json").read_text("utf-8"))
    for key in ("default", "hashing"):
        t = Thresholds.load(key=key)
        # a probability threshold, fitted on the dev sets (the authored calibration part first)
        assert 0 < t.answer_threshold <= 1 and t.fusion.dense_weight > 0
        assert t.calibrator.coef_score > 0 and t.calibrator.coef_margin > 0
        dev = data[key]["dev"]
        assert dev["authored_calibration"]["n"] == len(load_heldout("calibration"))


def test_answer_threshold_override_keeps_the_fitted_calibration(tmp_path) -> None:  # noqa: ANN001
    """``KB_ANSWER_THRESHOLD`` moves the threshold only; fusion and calibrator stay fitted."""
    from knowledge.config import KbSettings
    from knowledge.embed import HashingEmbedder
    from knowledge.runtime import load_thresholds
    from knowledge.service import Thresholds

    fitted = Thresholds.load(key="hashing")
    moved = load_thresholds(KbSettings(answer_threshold=0.9), HashingEmbedder())
    assert moved.answer_threshold == 0.9
    assert moved.calibrator == fitted.calibrator and moved.fusion == fitted.fusion
