"""Logging setup: one call in each process's main(), PII masked in every record."""

from __future__ import annotations

import logging
import re

from core.pii import mask_pii

_ACCESS_CODE = re.compile(r"([?&]t=)[^&\s\"']+")
"""A resident's access code in a slip's address (``/kiosk/case/…/print?t=…``, access logs)."""


def mask_secrets(text: str) -> str:
    """Phone and ID numbers and residents' access codes masked."""
    return _ACCESS_CODE.sub(r"\1***", mask_pii(text))


_TRACEBACKS = logging.Formatter()
"""Renders exception tracebacks exactly as the handlers' formatters do (the default way)."""


class PiiMaskingFilter(logging.Filter):
    """Masks phone and ID numbers and residents' access codes in every log record: the rendered
    message, the traceback of ``logger.exception`` / ``exc_info`` (exception messages often
    quote the input) and the stack of ``stack_info``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            # formatters reuse a cached exc_text instead of formatting exc_info again
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_pii(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_pii(record.stack_info)
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
