"""Recogniser engines: faster-whisper (default), vosk, and a fake for tests."""
