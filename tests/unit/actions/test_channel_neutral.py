"""Questions speak to every resident, whether they speak, touch or type (issue 13): no "请说";
the 议事 questions name their slot so the kiosk tells them apart without reading their words."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from tests.unit.actions.test_yishi_actions import said, tracker


@pytest.mark.parametrize(
    ("action", "slot"),
    [
        ("AskProposalWhat", "proposal_what"),
        ("AskProposalWhere", "proposal_where"),
        ("AskProposalWhy", "proposal_why"),
        ("AskVoteHousehold", "vote_household"),
        ("AskVoteLast4", "vote_last4"),
    ],
)
async def test_yishi_questions_name_their_slot_for_the_kiosk(action: str, slot: str) -> None:
    """The kiosk tells the 议事 questions apart by the slot they ask for, not by their words."""
    from actions import yishi_ask

    dispatcher = CollectingDispatcher()
    await getattr(yishi_ask, action)().run(dispatcher, tracker({}), {})
    hints = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert hints and hints[-1]["slot"] == slot
    assert "请说" not in said(dispatcher)


def test_questions_do_not_tell_a_typing_resident_to_speak() -> None:
    """Many residents touch or type (a kiosk without microphone, Telegram): no "请说"."""
    import inspect

    from actions import ask, form_logic, forms, status_form, yishi_ask, yishi_logic

    for module in (ask, forms, form_logic, status_form, yishi_ask, yishi_logic):
        assert "请说" not in inspect.getsource(module), module.__name__
