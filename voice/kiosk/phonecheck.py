"""A phone number said at the kiosk: read it back in groups, confirm, re-ask only the wrong group.

The recogniser's digit path hears most numbers right, not all (``bench/REPORT.md``). So a spoken
number goes to the dialogue only once the resident has said 对 to its read-back ("幺三八，
幺二三四，五六七八"). After 不对 the resident taps the wrong group (or says it: "不对，后四位是
5679"), says or types just that group, and hears the whole number again. A number typed on the
keypad is exact and goes straight on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voice.asr import NO_WORDS
from voice.digits import groups, is_phone, replace_group, spoken_digits
from voice.kiosk import touch
from voice.kiosk.digits import read_back_phone, say_digits, shown_phone
from voice.kiosk.steps import Step, ToDialogue
from voice.kiosk.touch import btn

ORDINALS = ("第一段", "第二段", "第三段", "第四段")
YES = ("对", "是", "没错", "正确", "好", "嗯", "行")
ASK_WHICH = "哪一段不对？请点一下那一段。也可以用数字键把整个号码输一遍。"
TRY_KEYPAD = "还是没听准，对不起。请用屏幕上的数字键输入，输好点“确定”。"
NOT_A_PHONE = (
    "我听到的是：{said}，好像不是完整的号码。手机号是11位，座机要带区号。"
    "请再说一遍，一个数字一个数字地说，也可以用数字键输入。"
)
GROUP_WORDS = (
    (re.compile(r"第[一1]段|(前|头)[三3]位"), 0),
    (re.compile(r"第[二2]段|中间[四4]位"), 1),
    (re.compile(r"第[三3]段|(后|尾|最后)[四4]位|尾号"), -1),
)
"""How residents name a group; the words hold digits, so they are cut out before the number."""
MIN_DIGITS = 7
"""Fewer digits said at the phone question are no attempt at a whole number (the dialogue's
status look-up asks for a phone's last 4 digits with the same question kind): they go on."""
MAX_CORRECTIONS = 2
"""Group corrections by voice before the kiosk suggests the keypad."""


def says_phone(text: str) -> bool:
    """The words are an attempt at a whole phone number (7 digits or more)."""
    return len(spoken_digits(text)) >= MIN_DIGITS


def not_a_phone(digits: str) -> Step:
    """The re-ask when what was heard is no phone number (too short, too long, not 1…)."""
    said = say_digits(digits, phone=True) if digits else "没有听到数字"
    text = NOT_A_PHONE.format(said=" ".join(groups(digits)) if digits else said)
    return Step(
        text=text,
        speech=NOT_A_PHONE.format(said=said),
        kind="retry",
        touch=touch.hint("keypad", keypad="phone"),
    )


def named_group(text: str) -> tuple[int | None, str]:
    """The group the words name ("后四位" → the last) and the words without that name."""
    for pattern, index in GROUP_WORDS:
        found = pattern.search(text)
        if found:
            return index, text[: found.start()] + text[found.end() :]
    return None, text


def group_pad(index: int, size: int) -> dict:
    """The number pad for one group: as many keys as the group has digits, labelled."""
    hint = touch.hint("keypad", keypad="tail")
    hint["keypad"].update(label=f"{ORDINALS[index]}的{size}个数字", max=size)
    return hint


def _is_no(text: str) -> bool:
    return any(word in text for word in NO_WORDS)


def _is_yes(text: str) -> bool:
    core = text.strip("。，,.!！ ")
    return not _is_no(core) and core.startswith(YES)


@dataclass
class PhoneCheck:
    """Confirm → (which group → that group again → confirm)* → the dialogue gets the number."""

    digits: str
    step: str = "confirm"
    """``confirm`` (对 / 不对), ``which`` (tap the wrong group) or ``group`` (say it again)."""
    group: int = 0
    corrections: int = 0

    def listen(self) -> tuple[str, int | None]:
        """What the recogniser should expect now: (kind, digits of the group or None)."""
        if self.step == "group":
            return "phone", len(groups(self.digits)[self.group])
        return "yes_no", None

    def start(self, lead: str = "我听到的电话是") -> Step:
        """Read the number back in groups and ask whether it is right."""
        self.step = "confirm"
        shown = shown_phone(self.digits)
        return Step(
            text=f"{lead}：{shown}，对吗？",
            speech=f"{lead}：{read_back_phone(self.digits)}。对吗？",
            buttons=[btn("对", "kiosk:phone:yes"), btn("不对", "kiosk:phone:no")],
            touch=touch.hint("answers", columns=2),
            heard=shown,
        )

    def which(self) -> Step:
        """Ask which group is wrong (one button per group, the keypad for the whole number)."""
        self.step = "which"
        parts = groups(self.digits)
        buttons = [btn(part, f"kiosk:phone:g{i}") for i, part in enumerate(parts)]
        return Step(
            text=ASK_WHICH,
            buttons=buttons,
            touch=touch.hint("keypad", keypad="phone", columns=len(parts)),
        )

    def ask_group(self, index: int) -> Step:
        """Ask for one group again, by voice or on the keypad."""
        parts = groups(self.digits)
        self.step, self.group = "group", index
        if self.corrections >= MAX_CORRECTIONS:
            return Step(text=TRY_KEYPAD, touch=touch.hint("keypad", keypad="phone"))
        size = len(parts[index])
        text = f"请把{ORDINALS[index]}的{size}个数字再说一遍，也可以用数字键输入。"
        return Step(text=text, touch=group_pad(index, size))

    def _replace(self, new: str, index: int) -> Step:
        fixed = replace_group(self.digits, index, new)
        if fixed is None:
            size = len(groups(self.digits)[index])
            return Step(
                text=f"这一段是{size}个数字，我听到的是{len(new)}个。请再说一遍，也可以用数字键输入。",
                kind="retry",
                touch=group_pad(index, size),
            )
        self.digits = fixed
        self.corrections += 1
        return self.start("改好了，电话是")

    def _closest_group(self, new: str) -> int | None:
        """The group a correction "不对，后四位是5679" most likely replaces (fewest changes)."""
        parts = groups(self.digits)
        same = [i for i, p in enumerate(parts) if len(p) == len(new)]
        if not same:
            return None
        ranked = sorted(same, key=lambda i: sum(a != b for a, b in zip(parts[i], new, strict=True)))
        if len(ranked) > 1:
            diff = [sum(a != b for a, b in zip(parts[i], new, strict=True)) for i in ranked[:2]]
            if diff[0] == diff[1]:
                return None
        return ranked[0]

    def confirmed(self) -> ToDialogue:
        """The number, as the dialogue's answer to its phone question. What the resident said
        (对) stays under 我听到的是: the number was shown in the question just answered."""
        return ToDialogue(self.digits, speech_prefix="好的。")

    async def on_text(self, text: str) -> Step | ToDialogue | None:
        """Words said or typed; None: not about the number (the dialogue gets them)."""
        named, rest = named_group(text)
        heard = spoken_digits(rest)
        if named is not None and len(heard) >= 3:
            return self._replace(heard, named % len(groups(self.digits)))
        if self.step == "group" and heard:
            return self._replace(heard, self.group)
        if len(heard) == len(self.digits) or (heard and is_phone(heard)):
            self.digits = heard  # the whole number again
            return self.start("我听到的是")
        if _is_no(text):
            if len(heard) >= 3:
                index = self._closest_group(heard)
                if index is not None:
                    return self._replace(heard, index)
            return self.which()
        if self.step == "confirm" and _is_yes(text):
            return self.confirmed()
        if self.step in ("which", "group"):
            return self.which() if self.step == "which" else self.ask_group(self.group)
        return None

    async def on_button(self, payload: str) -> Step | ToDialogue | None:
        """对 / 不对 and the group buttons."""
        name = payload.removeprefix(touch.LOCAL)
        if name == "phone:yes" and self.step == "confirm":
            return self.confirmed()
        if name == "phone:no":
            return self.which()
        if name.startswith("phone:g") and name[7:].isdigit():
            index = int(name[7:])
            if index < len(groups(self.digits)):
                return self.ask_group(index)
        return None

    async def on_digits(self, digits: str) -> Step | ToDialogue:
        """The keypad: the whole number (exact, goes on) or the group asked for."""
        if is_phone(digits):
            self.digits = digits
            return self.confirmed()
        if self.step == "group":
            return self._replace(digits, self.group)
        return not_a_phone(digits)
