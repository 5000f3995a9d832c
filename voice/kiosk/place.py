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


@dataclass
class PlacePicker:
    """Picks a place by touch; ``None`` from ``on_text`` means "not for me"."""

    buildings: list[dict] = field(default_factory=list)
    whole_buildings: bool = False
    """A building is the answer (no unit, no room, no outdoor place): a proposal's scope."""
    building: str | None = None
    unit: str | None = None
    step: str = "building"

    def _known(self, code: str) -> bool:
        return any(b["code"] == code for b in self.buildings)

    def first(self, text: str) -> Step:
        """The building grid under ``text`` (the question)."""
        self.step, self.building, self.unit = "building", None, None
        return Step(
            text=text, touch=touch.places(self.buildings, whole_buildings=self.whole_buildings)
        )

    def on_button(self, payload: str) -> Step | Location | None:
        """A building, unit, room-skip or outdoor place; None when not a picker button."""
        kind, _, value = payload.removeprefix(touch.LOCAL).partition(":")
        if kind == "place" and value:
            return Location(landmark=value[:100])
        if kind == "building" and self._known(value) and self.whole_buildings:
            return Location(building=value)
        if kind == "building" and self._known(value):
            self.building, self.unit, self.step = value, None, "unit"
            return Step(
                text=f"{value}号楼，几单元？不在单元里，点“不用选单元”。",
                touch=touch.hint("answers", quick=touch.units(), columns=4),
                heard=f"{value}号楼",
            )
        if kind == "unit" and self.building:
            self.unit = value if value.isdigit() else None
            self.step = "room"
            where = f"{self.building}号楼" + (f"{self.unit}单元" if self.unit else "")
            return Step(
                text=f"{where}，房号是多少？请用数字键输入，比如301。不是家里的事，点“不用房号”。",
                buttons=[btn("不用房号", "kiosk:room:none")],
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
            return Step(text="请先点楼号。", kind="retry", touch=touch.places(self.buildings))
        if not 1 <= len(digits) <= 5:
            return Step(
                text=ROOM_REASK,
                kind="retry",
                buttons=[btn("不用房号", "kiosk:room:none")],
                touch=touch.hint("keypad", keypad="room"),
            )
        return self._done(digits)

    def _done(self, room: str | None) -> Location:
        return Location(building=self.building, unit=self.unit, room=room)


def place_speech(location: Location) -> str:
    """A place read back with its room number digit by digit ("三零一室")."""
    text = location.describe()
    if location.room:
        text = text.replace(f"{location.room}室", f"{say_digits(location.room)}室")
    return text
