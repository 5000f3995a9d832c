"""The place picker: building (from the community's list) → unit → room on the number pad.

A tap on a building asks for the unit, a unit asks for the room (which may be skipped); an
outdoor place (小区大门口 …) is a place at once. The result is a ``Location``; whoever opened
the picker decides what to do with it (answer the dialogue, correct a read-back, hand-off).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.contracts import Location
from voice.kiosk import touch
from voice.kiosk.digits import ROOM_REASK, digits_in, say_digits
from voice.kiosk.steps import Step
from voice.kiosk.touch import btn

HOUSEHOLD_ROOM_REASK = "房号是1到5位数字，比如301。请再输一遍。"
"""A household's room number entered wrongly (no 不用房号: a vote is one per flat)."""


@dataclass
class PlacePicker:
    """Picks a place by touch; ``None`` from ``on_text`` means "not for me"."""

    buildings: list[dict] = field(default_factory=list)
    whole_buildings: bool = False
    """A building is the answer (no unit, no room, no outdoor place): a proposal's scope."""
    household: bool = False
    """A home is the answer (building, unit and room; no outdoor place, nothing skipped): a
    vote's household, one vote each."""
    building: str | None = None
    unit: str | None = None
    step: str = "building"

    def _known(self, code: str) -> bool:
        return any(b["code"] == code for b in self.buildings)

    def first(self, text: str) -> Step:
        """The building grid under ``text`` (the question)."""
        self.step, self.building, self.unit = "building", None, None
        return Step(
            text=text,
            touch=touch.places(
                self.buildings, whole_buildings=self.whole_buildings, household=self.household
            ),
        )

    def on_button(self, payload: str) -> Step | Location | None:
        """A building, unit, room-skip or outdoor place; None when not a picker button."""
        kind, _, value = payload.removeprefix(touch.LOCAL).partition(":")
        if self.household and (kind in ("place", "room") or value == "none"):
            return None  # a household is in a building, in a unit, behind a door number
        if kind == "place" and value:
            return Location(landmark=value[:100])
        if kind == "building" and self._known(value) and self.whole_buildings:
            return Location(building=value)
        if kind == "building" and self._known(value):
            self.building, self.unit, self.step = value, None, "unit"
            skip = "" if self.household else "不在单元里，点“不用选单元”。"
            return Step(
                text=f"{value}号楼，几单元？{skip}",
                touch=touch.hint("answers", quick=touch.units(skip=not self.household), columns=4),
                heard=f"{value}号楼",
            )
        if kind == "unit" and self.building:
            self.unit = value if value.isdigit() else None
            self.step = "room"
            where = f"{self.building}号楼" + (f"{self.unit}单元" if self.unit else "")
            skip = "" if self.household else "不是家里的事，点“不用房号”。"
            return Step(
                text=f"{where}，房号是多少？请用数字键输入，比如301。{skip}",
                buttons=self._room_skip(),
                touch=touch.hint("keypad", keypad="room"),
                heard=where,
            )
        if kind == "room" and self.building:
            return self._done(None)
        return None

    def on_digits(self, value: str) -> Step | Location:
        """The room number from the pad."""
        digits = digits_in(value)
        if self.step != "room" or not self.building:
            places = touch.places(
                self.buildings, whole_buildings=self.whole_buildings, household=self.household
            )
            return Step(text="请先点楼号。", kind="retry", touch=places)
        if not 1 <= len(digits) <= 5:
            return Step(
                text=HOUSEHOLD_ROOM_REASK if self.household else ROOM_REASK,
                kind="retry",
                buttons=self._room_skip(),
                touch=touch.hint("keypad", keypad="room"),
            )
        return self._done(digits)

    def _room_skip(self) -> list[dict]:
        """不用房号 beside the pad: not for a household (one vote per flat)."""
        return [] if self.household else [btn("不用房号", "kiosk:room:none")]

    def _done(self, room: str | None) -> Location:
        return Location(building=self.building, unit=self.unit, room=room)


def place_speech(location: Location) -> str:
    """A place read back with its room number digit by digit ("三零一室")."""
    text = location.describe()
    if location.room:
        text = text.replace(f"{location.room}室", f"{say_digits(location.room)}室")
    return text
