"""Case numbers: short, speakable, unique — ``BS-20261121-0042``."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cases.clock import local_day
from cases.models import CaseCounter
from core.contracts import CaseType

PREFIXES: dict[CaseType, str] = {
    CaseType.REPORT: "BS",  # 报事
    CaseType.SERVICE: "FW",  # 服务 / 办事
    CaseType.EMERGENCY: "JJ",  # 紧急
    CaseType.CALLBACK: "RG",  # 人工
}

CASE_NO_RE = re.compile(r"^(BS|FW|JJ|RG)-(\d{8})-(\d{4,})$")


def format_case_no(case_type: CaseType, day: str, seq: int) -> str:
    """Format a case number from its parts."""
    return f"{PREFIXES[case_type]}-{day}-{seq:04d}"


def normalize_case_no(text: str) -> str:
    """Tidy what a resident typed or said: 'bs 20261121 0042' → 'BS-20261121-0042'."""
    compact = re.sub(r"[\s_\-—－]+", "", text.strip().upper())
    match = re.fullmatch(r"(BS|FW|JJ|RG)(\d{8})(\d{4,})", compact)
    if match:
        return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"
    return text.strip().upper()


def next_sequence(session: Session, day: str) -> int:
    """Take the next number of the day, atomically (row-level lock / SQLite write lock)."""
    for _ in range(5):
        result = session.execute(
            update(CaseCounter)
            .where(CaseCounter.day == day)
            .values(last=CaseCounter.last + 1)
            .returning(CaseCounter.last)
        ).scalar_one_or_none()
        if result is not None:
            return int(result)
        try:
            with session.begin_nested():
                session.add(CaseCounter(day=day, last=1))
            return 1
        except IntegrityError:
            continue  # another transaction created the day's row first
    raise RuntimeError("could not allocate a case number")


def allocate_case_no(session: Session, case_type: CaseType, now: datetime) -> str:
    """Allocate a fresh case number for a case created at ``now``."""
    day = local_day(now)
    return format_case_no(case_type, day, next_sequence(session, day))


def peek_last(session: Session, day: str) -> int:
    """The last number handed out on a day (0 if none)."""
    return session.scalar(select(CaseCounter.last).where(CaseCounter.day == day)) or 0
