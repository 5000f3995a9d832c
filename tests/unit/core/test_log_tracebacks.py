"""Tracebacks in log records (logger.exception, exc_info, stack_info) are masked like messages."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from core.logging import PiiMaskingFilter

PHONE = "13812345678"
ID_NO = "110101199001011234"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing through the filter to a string, with the format setup_logging uses."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PiiMaskingFilter())
    logger = logging.getLogger("linli.test.tracebacks")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        yield logger, out
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)


def _parse(text: str) -> None:
    raise ValueError(f"not a location: {text}")


def test_exception_tracebacks_are_masked(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = captured
    try:
        try:
            _parse(f"电话{PHONE}")
        except ValueError as exc:
            raise RuntimeError(f"submission of {ID_NO} failed") from exc
    except RuntimeError:
        logger.exception("Submitting for %s failed", PHONE)
    text = out.getvalue()
    assert "Traceback (most recent call last)" in text and "_parse" in text  # still useful
    assert "ValueError: not a location: 电话138****5678" in text
    assert "RuntimeError: submission of 110101********4 failed" in text
    assert PHONE not in text and ID_NO not in text


def test_exc_info_and_stack_info_are_masked(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = captured
    try:
        raise KeyError(PHONE)
    except KeyError as exc:
        logger.warning("lookup failed", exc_info=exc)
    logger.info("where am I", stack_info=True)
    text = out.getvalue()
    assert "KeyError: '138****5678'" in text and "Stack (most recent call last)" in text
    assert PHONE not in text


def test_records_without_numbers_are_unchanged(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, out = captured
    try:
        raise ValueError("plain")
    except ValueError:
        logger.exception("case %s stored", "BS-20261121-0001")
    text = out.getvalue()
    assert "case BS-20261121-0001 stored" in text and "ValueError: plain" in text
