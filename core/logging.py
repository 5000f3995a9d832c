"""Logging setup: one call in each process's main(), PII masked in every record."""

from __future__ import annotations

import logging

from core.pii import mask_pii


class PiiMaskingFilter(logging.Filter):
    """Masks phone and ID numbers in the rendered message of every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_pii(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger once: readable format, PII filter, quiet HTTP clients."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PiiMaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "urllib3", "multipart"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
