"""What the kiosk offers to touch at each step: answer buttons, the number pad, a text box.

A ``touch`` hint travels with every reply to the page::

    {"panel": "start" | "answers" | "places" | "keypad" | "fix" | "text" | "done",
     "quick": [{"title", "payload"}],   # extra buttons besides the dialogue's own
     "keypad": {"kind": "phone" | "room" | "case" | "tail", "label", "max"} | None,
     "text_box": bool,                  # a large box for those who type
     "columns": int,                    # how many buttons per row
     "label": str | None,               # shown above the buttons ("点一下楼号：")
     "say": str | None}                 # said after the question ("也可以点屏幕上的楼号。")

Buttons whose payload starts with ``kiosk:`` are handled by the kiosk itself and never reach
the dialogue; the others are sent to it like a spoken answer (their payload, e.g. ``/report``).
"""

from __future__ import annotations

from core.taxonomy import categories, services

LOCAL = "kiosk:"


def btn(title: str, payload: str | None = None) -> dict:
    """A button; its payload defaults to its title (sent to the dialogue as text)."""
    return {"title": title, "payload": payload or title}


START = [btn("我要报事"), btn("我想问问"), btn("我要办事"), btn("查进度", "kiosk:status")]
"""The welcome screen (转人工 is always on screen beside them). Sent as the words themselves,
not as ``/report`` intents: the report form keeps a first message as the description, and an
intent payload would be read back as "/report"."""

PROPOSE = btn("提建议", "/propose")
VOTE = btn("投票", "/vote")
"""议事 on the welcome screen: their payloads start the dialogue's proposal form and vote
dialogue (intents ``propose`` / ``vote``); 投票 only while a poll is open."""

QUICK_PROBLEMS = [
    "楼道灯不亮了",
    "电梯坏了",
    "家里漏水了",
    "下水道堵了",
    "垃圾没人清",
    "噪音太吵了",
    "路灯不亮了",
    "车乱停挡路",
]
"""Common answers to "what happened?" (each names the thing, so the category is understood)."""

QUICK_QUESTIONS = [
    "社区服务中心几点开门、几点下班？",
    "高龄津贴怎么申请？",
    "老年优待证怎么办理？",
    "养老金资格认证怎么做？",
    "老人免费体检在哪里做？",
    "电动车能在楼道里充电吗？",
]
"""Questions residents ask most (from the community's FAQ)."""

LANDMARKS = ["小区大门", "小区广场", "地下车库", "服务中心"]
"""Places outside the buildings offered beside the building numbers."""

UNITS = 6
DONE = [btn("办完了", "kiosk:done"), btn("还有别的事", "kiosk:home")]

KEYPADS = {
    "phone": {"kind": "phone", "label": "手机号", "max": 12},
    "room": {"kind": "room", "label": "房号", "max": 5},
    "case": {"kind": "case", "label": "编号", "max": 12},
    "tail": {"kind": "tail", "label": "手机号后四位", "max": 4},
}


def hint(
    panel: str,
    *,
    quick: list[dict] | None = None,
    keypad: str | None = None,
    text_box: bool = False,
    columns: int = 2,
    label: str | None = None,
    say: str | None = None,
) -> dict:
    """A touch hint for the page."""
    return {
        "panel": panel,
        "quick": list(quick or []),
        "keypad": dict(KEYPADS[keypad]) if keypad else None,
        "text_box": text_box,
        "columns": columns,
        "label": label,
        "say": say,
    }


def start(*, vote: bool = False) -> dict:
    """The welcome screen's big start buttons: 报事, 咨询, 办事, 查进度 and 议事 (提建议, and
    投票 when a poll is open); three to a row so the community's notices fit below them."""
    quick = [*START, PROPOSE, *([VOTE] if vote else [])]
    return hint("start", quick=quick, columns=3)


def building_buttons(buildings: list[dict]) -> list[dict]:
    """One button per building of the community, then the common outdoor places."""
    return [btn(b["name"], f"kiosk:building:{b['code']}") for b in buildings] + [
        btn(name, f"kiosk:place:{name}") for name in LANDMARKS
    ]


def places(
    buildings: list[dict], *, whole_buildings: bool = False, household: bool = False
) -> dict:
    """The building picker (and a text box for anywhere else); ``whole_buildings``: a building
    is the answer (a 议事 proposal is about a building, not a flat or a gate); ``household``: a
    home is the answer (a vote: building, unit, room; no outdoor place)."""
    if household:
        return hint(
            "places",
            quick=[btn(b["name"], f"kiosk:building:{b['code']}") for b in buildings],
            text_box=True,
            columns=6,
            label="您家在几号楼？点一下楼号：",
            say="也可以点屏幕上的楼号。",
        )
    if whole_buildings:
        return hint(
            "places",
            quick=[btn(b["name"], f"kiosk:building:{b['code']}") for b in buildings],
            text_box=True,
            columns=6,
            label="点一下楼号：",
            say="也可以点屏幕上的楼号。",
        )
    return hint(
        "places",
        quick=building_buttons(buildings),
        text_box=True,
        columns=6,
        label="点一下楼号，不在楼里就点地方：",
        say="也可以点屏幕上的楼号。",
    )


def units(*, skip: bool = True) -> list[dict]:
    """1单元 … 6单元, and (``skip``) none."""
    return [btn(f"{n}单元", f"kiosk:unit:{n}") for n in range(1, UNITS + 1)] + (
        [btn("不用选单元", "kiosk:unit:none")] if skip else []
    )


def fix_buttons(form: str | None) -> list[dict]:
    """After 不对 on a read-back: what to change, each opening the right picker."""
    if form == "proposal":  # the proposal itself is said or typed again (the text box)
        return [btn("改成整个小区", "整个小区"), btn("改楼号", "kiosk:fix:building")]
    if form == "vote":
        return []
    if form == "service":
        return [
            btn("改办的事", "kiosk:fix:service"),
            btn("改为谁办", "kiosk:fix:applicant"),
            btn("改时间", "kiosk:fix:time"),
            btn("改电话", "kiosk:fix:phone"),
        ]
    return [
        btn("改地点", "kiosk:fix:place"),
        btn("改类别", "kiosk:fix:category"),
        btn("改急不急", "kiosk:fix:urgency"),
        btn("改电话", "kiosk:fix:phone"),
    ]


def category_buttons() -> list[dict]:
    """Every report category by its name (sent to the dialogue as the answer)."""
    return [btn(c.name) for c in categories()]


def service_buttons() -> list[dict]:
    """Every service by its name."""
    return [btn(s.name) for s in services()]


def for_dialogue(
    expect: str,
    *,
    buttons: list[dict],
    buildings: list[dict],
    form: str | None = None,
    correcting: bool = False,
    consulting: str | None = None,
    case_no: str | None = None,
    whole_buildings: bool = False,
    household: bool = False,
    proposing: bool = False,
    vote: bool = False,
) -> dict:
    """The touch hint for a dialogue question of kind ``expect``.

    Args:
        expect: The dialogue's ``custom.expect`` (``free`` when it announced none).
        buttons: The dialogue's own buttons on this reply.
        buildings: The community's buildings (for the place picker).
        form: ``report`` or ``service`` while a form runs.
        correcting: The dialogue asked what is wrong after a 不对.
        consulting: ``ask`` when the dialogue asked for a question, ``answered`` after one.
        case_no: A case was just created.
        whole_buildings: The place asked is a building as a whole (a proposal's scope).
        household: The place asked is the resident's home (a vote's household).
        proposing: The dialogue asks what the resident proposes (their own words: the text
            box, and 不提了 instead of the start buttons).
        vote: A poll is open (投票 among the start buttons).
    """
    if case_no:
        return hint("done", quick=DONE)
    if expect == "phone":
        return hint("keypad", keypad="phone", say="也可以用屏幕上的数字键输入。")
    if expect == "location":
        return places(buildings, whole_buildings=whole_buildings, household=household)
    if expect == "description":
        return hint(
            "answers",
            quick=[btn(t) for t in QUICK_PROBLEMS],
            text_box=True,
            columns=4,
            label="常见的问题，点一下就行：",
            say="常见的问题，点一下屏幕就行。",
        )
    if expect == "time":
        return hint("answers", text_box=True, columns=3)
    if expect != "free":  # category, urgency, service_type, applicant, yes_no: closed sets
        return hint("answers", columns=4 if len(buttons) > 4 else 2)
    if correcting:
        return hint("fix", quick=fix_buttons(form), text_box=True, columns=2)
    if consulting == "ask":
        return hint(
            "answers",
            quick=[btn(q) for q in QUICK_QUESTIONS],
            text_box=True,
            columns=2,
            label="大家常问的，点一下就行：",
            say="大家常问的问题在屏幕上，点一下就行。",
        )
    if buttons:
        return hint("answers", text_box=True, columns=2)  # 4 in 2 rows: the text box stays in view
    if consulting == "answered":
        return hint("answers", quick=[btn("再问一个", "我想问问"), *DONE], text_box=True, columns=3)
    if proposing:
        return hint("text", quick=[btn("不提了", "/cancel")], text_box=True, columns=2,
                    say="也可以写在屏幕上的框里。")  # fmt: skip
    return after_step(vote=vote)


def after_step(*, vote: bool = False) -> dict:
    """After a step that asks nothing (a proposal filed, 不提了, a vote recorded, a chat): the
    welcome's start buttons (议事 too), 办完了 for the next person, and the text box."""
    quick = [*start(vote=vote)["quick"], DONE[0]]
    return hint("text", quick=quick, text_box=True, columns=4)
