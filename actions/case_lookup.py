"""A case reported elsewhere (kiosk, phone, another chat), checked in the dialogue by its number
plus the last 4 digits of the phone that reported it: what the resident is told, and what the
dialogue remembers between turns.

The action server keeps no state of its own: what a turn must remember (the number waiting
for the phone digits, the case just shown) rides on the bot's own message as ``custom`` data,
and the next action reads it back from the tracker. The hub limits guesses per sender and
lets the sender that found a case confirm it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.readback import location_text
from cases.client import HistoryEntry, ResidentView
from core.contracts import CasePublic, Channel
from core.localtime import promised, shown_local, to_local

WAITING_NUMBER = "status_number"
"""``custom`` key: the case number given, waiting for the phone's last 4 digits."""
SHOWN_CASE = "status_case"
"""``custom`` key: the case found by number + phone, whose answer 解决了 … may follow."""
ASKED_FOR_REF = "status_ask"
"""``custom`` key: we asked for the number and the phone digits (the answer may be bare
digits, which the NLU takes for ``inform``)."""

RATING_TITLES = ("解决了", "部分解决", "没解决")
ASK_BOTH = (
    "要查在自助机、电话或别的地方报的事，请把编号和报事时留的手机号后四位一起发给我，"
    "比如：尾号0098，手机后四位5678。"
)
ASK_PHONE = "好的，编号尾号{tail}。请再告诉我报事时留的手机号后四位，比如：手机后四位5678。"
NOT_FOUND = "没有查到。请核对一下编号和手机号后四位，再发给我一次。"
NO_NUMBER = (
    "没有编号也不要紧。点“转人工”，工作人员帮您查；也可以到社区服务大厅，请窗口的工作人员查一下。"
)
NO_PHONE = (
    "报事时没留电话的话，这里查不到。请点“转人工”，或者带上回执到社区服务大厅，"
    "工作人员核对后告诉您进度。"
)
FORGOT = (
    "记不清也不要紧。点“转人工”，工作人员帮您查；也可以带上回执到社区服务大厅，"
    "请窗口的工作人员查一下。"
)
"""After we asked for the case number or the phone's last 4 digits: the resident forgot them."""
HUMAN_BUTTON = {"title": "转人工", "payload": "/handoff_human"}
TOO_MANY = (
    "试了好几次都没有查到。为了保护大家的信息，先不能再查了。"
    "请过一刻钟再试，或者说“转人工”，工作人员帮您查。"
)
ASK_RATING = "工作人员说已经办好了。问题解决了吗？"
CLOSED_NOTE = "这件事已经办结了。要是问题又出现了，点“没解决”。"
OPEN_NOTE = "进展不会自动发到这里。想知道的话，随时再把编号尾号{tail}和手机号后四位发给我。"
"""A case found by number + phone belongs to another sender: its news goes there, not here."""
OPEN_NOTE_CHAT = (
    "有进展会在当初报事的手机聊天里告诉您。也可以随时再把编号尾号{tail}和手机号后四位发给我。"
)
FOUND_BUT_NOT_WAITING = "这件事还在处理，办好以后再请您评价。"
LOOK_UP_AGAIN = "请先把编号和手机号后四位发给我，核对好了再评价。"


def when_text(when: datetime) -> str:
    """A time as people say it, in local time: 12月4日8点半 / 12月4日15点."""
    local = to_local(when)
    minute = "" if not local.minute else ("半" if local.minute == 30 else f"{local.minute}分")
    return f"{local.month}月{local.day}日{local.hour}点{minute}"


def _history_line(entry: HistoryEntry) -> str | None:
    at = shown_local(entry.at)  # "12月4日 11:56", as the kiosk's card shows it
    text = re.sub(r"^状态改为“(.+?)”", r"\1", entry.text.strip().rstrip("。"))
    return f"{at} {text}" if at and text else None


def view_text(view: ResidentView, *, done_lines: int = 3) -> str:
    """What the resident may see: the case, its state, its deadline, and what was done."""
    case: CasePublic = view.case
    what = case.category_label or case.service_label or "您的事项"
    where = f"，{location_text(case.location.model_dump())}" if case.location else ""
    open_case = case.status not in ("resolved", "closed")
    promise = promised(case.due_at) if open_case else None
    due = f"，预计{when_text(promise)}前办好" if promise else ""
    lines = [f"查到了。编号 {case.case_no}（{what}{where}）现在是：{case.status_label}{due}。"]
    done = [line for e in view.history[-done_lines:] if (line := _history_line(e))]
    if done:
        lines.append("办理经过：\n" + "\n".join(done))
    return "\n".join(lines)


def rating_buttons(titles: tuple[str, ...] = RATING_TITLES) -> list[dict[str, str]]:
    """The answers as buttons that send their own words."""
    return [{"title": t, "payload": t} for t in titles]


def tell_view(dispatcher: CollectingDispatcher, view: ResidentView) -> None:
    """Show the case found, and ask 解决了 / 部分解决 / 没解决 when it is done."""
    dispatcher.utter_message(text=view_text(view))
    status = view.case.status
    if status == "resolved":
        dispatcher.utter_message(text=ASK_RATING, buttons=rating_buttons())
    elif status == "closed":
        dispatcher.utter_message(text=CLOSED_NOTE, buttons=rating_buttons(("没解决",)))
    else:
        note = OPEN_NOTE_CHAT if view.case.channel == Channel.TELEGRAM else OPEN_NOTE
        dispatcher.utter_message(text=note.format(tail=view.case.case_no[-4:]))
    dispatcher.utter_message(json_message={SHOWN_CASE: view.case.case_no})


def remembered(tracker: Tracker, key: str, turns: int = 2) -> str | None:
    """A value this dialogue left on its own recent messages (``custom[key]``), else None.

    Looks at the bot's messages of the last ``turns`` resident turns (the current message
    counts as one) in the current session.
    """
    seen = 0
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            return None
        if kind == "user":
            seen += 1
            if seen > turns:
                return None
        elif kind == "bot":
            custom: Any = (event.get("data") or {}).get("custom")
            if isinstance(custom, dict) and isinstance(custom.get(key), str):
                return str(custom[key])
    return None
