"""Build the configured recogniser and synthesiser from settings."""

from __future__ import annotations

import logging
from pathlib import Path

from voice.asr import Recognizer
from voice.config import VoiceSettings
from voice.tts import Synthesizer

logger = logging.getLogger(__name__)
NEURAL_LICENCE = "bznsyp-research-non-commercial"
"""The value of ``VOICE_TTS_NEURAL_LICENCE`` that accepts the neural voice's terms."""
NEURAL_TERMS = (
    "The neural voice's weights were trained on the Databaker BZNSYP corpus, whose terms allow "
    "research and non-commercial use only."
)


def make_recognizer(settings: VoiceSettings, data_dir: Path) -> Recognizer:
    """The recogniser named by ``VOICE_ENGINE``."""
    if settings.engine == "vosk":
        from voice.engines.vosk import VoskRecognizer

        if settings.vosk_model is None:
            raise ValueError("VOICE_ENGINE=vosk needs VOICE_VOSK_MODEL (a vosk model folder)")
        return VoskRecognizer(settings.vosk_model)
    if settings.engine == "fake":
        from voice.engines.fake import FakeRecognizer

        return FakeRecognizer()
    from voice.engines.whisper import WhisperRecognizer

    return WhisperRecognizer(
        settings.resolved_whisper_model(data_dir),
        settings.whisper_compute_type,
        cpu_threads=settings.whisper_threads,
        beam_size=settings.whisper_beam_size,
    )


def neural_refusal(settings: VoiceSettings, data_dir: Path) -> str | None:
    """Why the neural voice can't be used (licence not accepted, not provisioned), or None."""
    if settings.tts_neural_licence.strip().lower() != NEURAL_LICENCE:
        return (
            f"VOICE_TTS_ENGINE=neural refused: {NEURAL_TERMS} To accept them, set "
            f"VOICE_TTS_NEURAL_LICENCE={NEURAL_LICENCE}."
        )
    from voice.engines.neural_tts import model_files

    model_dir = settings.resolved_neural_model(data_dir)
    missing = [p.name for p in model_files(model_dir) if not p.is_file()]
    if missing:
        return (
            f"VOICE_TTS_ENGINE=neural: the voice is not provisioned in {model_dir} (missing "
            f"{', '.join(missing)}); run `python -m voice provision-neural-tts "
            f"--accept-licence {NEURAL_LICENCE}` once."
        )
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return "VOICE_TTS_ENGINE=neural needs onnxruntime (pip install -e '.[tts-neural]')."
    return None


def make_synthesizer(settings: VoiceSettings, data_dir: Path | None = None) -> Synthesizer:
    """The synthesiser named by ``VOICE_TTS_ENGINE``.

    ``neural`` is never on silently: without the accepted licence or the provisioned model the
    reason is logged as an error and espeak-ng speaks instead, so the kiosk keeps a voice.
    """
    if settings.tts_engine == "fake":
        from voice.tts import FakeSynthesizer

        return FakeSynthesizer()
    if settings.tts_engine == "neural":
        if data_dir is None:
            from core.config import CommonSettings

            data_dir = CommonSettings().data_dir.resolve()
        refusal = neural_refusal(settings, data_dir)
        if refusal is None:
            from voice.engines.neural_tts import NeuralSynthesizer

            logger.info("Speaking with the neural voice (%s accepted)", NEURAL_LICENCE)
            return NeuralSynthesizer(
                settings.resolved_neural_model(data_dir), threads=settings.tts_neural_threads
            )
        logger.error("%s Speaking with espeak-ng instead.", refusal)
    from voice.tts import Pyttsx3Synthesizer

    return Pyttsx3Synthesizer(settings.tts_voice)
