"""The report categories and service catalogue shared by the case system and the dialogue.

Both are data files in ``core/data`` so that one list feeds routing, seed data and the parsers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Category:
    """A report category of the short canonical list."""

    code: str
    name: str
    department: str
    sla_hours: tuple[int, int]
    synonyms: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.code or not self.name:
            raise ValueError("a category needs a code and a name")


@dataclass(frozen=True)
class Service:
    """A service of the catalogue, with the materials to bring."""

    code: str
    name: str
    materials: tuple[str, ...]
    where: str = ""
    notes: str = ""
    synonyms: tuple[str, ...] = field(default_factory=tuple)


PLACE_WORDS = frozenset(
    {
        "单元门",
        "楼道门",
        "防盗门",
        "楼梯",
        "外墙",
        "雨棚",
        "电梯",
        "人行道",
        "消防通道",
        "草坪",
        "台阶",
    }
)
"""Category synonyms that name *where* something is rather than *what* is wrong: "3号楼1单元门口的
垃圾" is about 垃圾, "楼梯上有狗屎" about 狗屎. They choose a category only when the words name
no problem (a synonym that is not a place word): "单元门关不上" → 房屋设施, "电梯又停了" → 电梯."""


def _load_yaml(name: str) -> list[dict[str, Any]]:
    text = resources.files("core").joinpath("data", name).read_text(encoding="utf-8")
    entries: list[dict[str, Any]] = yaml.safe_load(text)
    return entries


@lru_cache(maxsize=1)
def categories() -> tuple[Category, ...]:
    """All report categories, in catalogue order (其他 last)."""
    return tuple(
        Category(
            code=row["code"],
            name=row["name"],
            department=row["department"],
            sla_hours=tuple(row["sla_hours"]),
            synonyms=tuple(row.get("synonyms", [])),
        )
        for row in _load_yaml("categories.yml")
    )


@lru_cache(maxsize=1)
def services() -> tuple[Service, ...]:
    """The service catalogue, in catalogue order."""
    return tuple(
        Service(
            code=row["code"],
            name=row["name"],
            materials=tuple(row["materials"]),
            where=row.get("where", ""),
            notes=row.get("notes", ""),
            synonyms=tuple(row.get("synonyms", [])),
        )
        for row in _load_yaml("services.yml")
    )


def category_by_code(code: str) -> Category | None:
    """The category with this code, or None."""
    return next((c for c in categories() if c.code == code), None)


def service_by_code(code: str) -> Service | None:
    """The service with this code, or None."""
    return next((s for s in services() if s.code == code), None)
