"""Telling the resident their new case: the number, and the access code only they receive."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from core.contracts import CasePublic


def access_code_text(code: str) -> str:
    """The access code in words (for chat channels)."""
    return f"您的查询码是 {code}。凭编号和查询码可以查看回执，请自己收好，不要告诉别人。"


def announce_case(dispatcher: CollectingDispatcher, sender_id: str, created: CasePublic) -> None:
    """The channel's payload (case number, type, access code) and, except at the kiosk, the
    access code in the chat: the kiosk prints it on the slip instead of reading it out."""
    if created.access_code and not sender_id.startswith("kiosk:"):
        dispatcher.utter_message(text=access_code_text(created.access_code))
    payload = {"case_no": created.case_no, "type": created.type.value}
    if created.access_code:
        payload["access_code"] = created.access_code
    dispatcher.utter_message(json_message=payload)
