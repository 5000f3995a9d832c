"""Operator CLI of the deliberation part: the household register (who may vote).

Examples::

    python -m deliberation households list --building 5
    python -m deliberation households add --building 5 --unit 2 --room 301 --grid G1 \\
        --phone 13912345678
    python -m deliberation households import-csv register.csv

The CSV has a header row: ``building,unit,room,grid,phones`` (or 楼栋,单元,房号,网格,电话);
several phones of one household are separated by ``;`` or spaces. Only each phone's last 4
digits and a masked form are stored, and only the masked form is ever printed. A bad row is
reported with its line number and skipped; the others are saved.
"""

from __future__ import annotations

import argparse
import csv
import logging
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.clock import SystemClock
from core.config import HubSettings
from core.errors import InvalidInput
from core.logging import setup_logging
from deliberation.config import DeliberationSettings
from deliberation.db import make_engine, make_sessions, run_migrations, session_scope
from deliberation.households import add_household
from deliberation.models import Household

logger = logging.getLogger(__name__)

COLUMNS = {
    "building": ("building", "楼栋", "楼号"),
    "unit": ("unit", "单元"),
    "room": ("room", "房号", "室"),
    "grid": ("grid", "grid_code", "网格"),
    "phones": ("phones", "phone", "电话", "手机"),
}
"""CSV header names accepted for each field (English or Chinese)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m deliberation", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--debug", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    households = sub.add_parser("households", help="the household register")
    what = households.add_subparsers(dest="action", required=True)
    listing = what.add_parser("list", help="registered households (phones masked)")
    listing.add_argument("--building", default=None)
    listing.add_argument("--grid", default=None)
    listing.add_argument("--limit", type=int, default=200)
    add = what.add_parser("add", help="register a household or add phones to it")
    add.add_argument("--building", required=True)
    add.add_argument("--unit", required=True)
    add.add_argument("--room", required=True)
    add.add_argument("--grid", required=True, help="grid code, e.g. G1")
    add.add_argument("--phone", action="append", default=[], help="repeat for several phones")
    load = what.add_parser("import-csv", help="register households from a CSV file")
    load.add_argument("path", type=Path)
    return parser


def line_of(household: Household) -> str:
    """One household as printed: address, grid and masked phones."""
    phones = "、".join(p.masked for p in household.phones) or "无电话"
    return f"{household.label()}\t{household.grid_code}\t{phones}"


def list_households(
    session: Session, *, building: str | None, grid: str | None, limit: int
) -> list[Household]:
    """Active households, in register order, optionally of one building or grid."""
    query = select(Household).where(Household.active.is_(True))
    if building:
        query = query.where(Household.building == building.strip())
    if grid:
        query = query.where(Household.grid_code == grid.strip())
    return list(session.scalars(query.order_by(Household.id).limit(max(1, limit))))


def _phones(raw: str) -> list[str]:
    return [p for p in re.split(r"[;；,，\s]+", raw or "") if p]


def _field(row: dict[str, str], name: str) -> str:
    for header in COLUMNS[name]:
        if header in row and row[header] is not None:
            return row[header].strip()
    return ""


def import_rows(
    session: Session, rows: Iterable[dict[str, str]], *, out: TextIO
) -> tuple[int, int]:
    """Register every good row (each in its own savepoint); returns (saved, refused)."""
    now = SystemClock().now()
    saved = refused = 0
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            with session.begin_nested():
                add_household(
                    session=session,
                    building=_field(row, "building"),
                    unit=_field(row, "unit"),
                    room=_field(row, "room"),
                    grid_code=_field(row, "grid"),
                    phones=_phones(_field(row, "phones")),
                    now=now,
                )
            saved += 1
        except InvalidInput as exc:
            refused += 1
            out.write(f"第{number}行未导入：{exc}\n")
    return saved, refused


def _run(args: argparse.Namespace, session: Session, out: TextIO) -> None:
    if args.action == "list":
        rows = list_households(session, building=args.building, grid=args.grid, limit=args.limit)
        for row in rows:
            out.write(line_of(row) + "\n")
        out.write(f"共 {len(rows)} 户\n")
    elif args.action == "add":
        row = add_household(
            session=session, building=args.building, unit=args.unit, room=args.room,
            grid_code=args.grid, phones=args.phone, now=SystemClock().now(),
        )  # fmt: skip
        out.write(f"已登记：{line_of(row)}\n")
    elif args.action == "import-csv":
        try:
            with args.path.open(encoding="utf-8-sig", newline="") as handle:
                saved, refused = import_rows(session, csv.DictReader(handle), out=out)
        except OSError as exc:
            raise InvalidInput(f"读不了文件 {args.path}：{exc.strerror}") from exc
        out.write(f"已导入 {saved} 户，未导入 {refused} 行\n")


def main(argv: list[str] | None = None) -> int:
    """Run one operator command; returns the exit status (2 for bad input)."""
    from deliberation.api import database_url

    args = _parser().parse_args(argv)
    setup_logging("DEBUG" if args.debug else "WARNING")
    hub = HubSettings()
    hub.ensure_data_dir()
    engine = make_engine(database_url(hub, DeliberationSettings()))
    try:
        run_migrations(engine)
        with session_scope(make_sessions(engine)) as session:
            _run(args, session, sys.stdout)
    except InvalidInput as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 2
    finally:
        engine.dispose()
    return 0
