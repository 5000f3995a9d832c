"""Form validation for 议事: the proposal form (what / where / why, read back) and the vote form
(which poll, the choice, the household, the phone's last 4 digits, read back)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_logic import TurnResult
from actions.forms import ResidentForm, latest_intent
from actions.parsing import is_substantive, is_yes, looks_like_question, parse_location
from actions.yishi_logic import (
    MAX_PROPOSAL_CHARS,
    household_missing,
    is_report_not_proposal,
    parse_last4,
    parse_option,
    parse_scope,
    proposal_turn,
    vote_turn,
)


class ValidateProposalForm(ResidentForm):
    """Validation of the proposal (提建议) form."""

    reasks_itself = frozenset({"proposal_where"})

    def name(self) -> str:
        """Action name."""
        return "validate_proposal_form"

    def turn(self, text: str, requested: str | None, slots: dict, intent: str | None) -> TurnResult:
        """See ``yishi_logic.proposal_turn``."""
        return proposal_turn(text, requested, slots, intent)

    def is_interruption(self, tracker: Tracker) -> bool:
        """Also a problem told instead of a proposal: a rule then starts the report form."""
        text = tracker.latest_message.get("text") or ""
        if is_report_not_proposal(text, tracker.get_slot("requested_slot"), latest_intent(tracker)):
            return True
        return super().is_interruption(tracker)

    def answers_requested(self, text: str, requested: str | None) -> bool:
        """A clear answer to the question asked is an answer, whatever the NLU thought it was."""
        if requested == "proposal_what":
            return is_substantive(text)
        if looks_like_question(text):
            return False
        parser = {
            "proposal_where": parse_scope,
            "proposal_why": lambda t: is_substantive(t) or None,
            "confirmed": lambda t: is_yes(t) or None,
        }.get(requested or "")
        return parser is not None and parser(text) is not None

    def validate_proposal_what(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Free text, at most the hub's limit."""
        text = str(value or "").strip()
        return {"proposal_what": text[:MAX_PROPOSAL_CHARS] or None}

    def validate_proposal_where(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """{"scope": community | building | grid, "place": …}."""
        ok = isinstance(value, dict) and value.get("scope") in ("community", "building", "grid")
        return {"proposal_where": value if ok else None}

    def validate_proposal_why(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Free text or ``NO_REASON``."""
        text = str(value or "").strip()
        return {"proposal_why": text[:MAX_PROPOSAL_CHARS] or None}


DEFAULT_OPTIONS = ("同意", "不同意", "弃权")


class ValidateVoteForm(ResidentForm):
    """Validation of the vote (投票) form."""

    extra_slots = ("vote_choices", "vote_partial")
    reasks_itself = frozenset({"vote_poll", "vote_option", "vote_household", "vote_last4"})

    def name(self) -> str:
        """Action name."""
        return "validate_vote_form"

    def turn(self, text: str, requested: str | None, slots: dict, intent: str | None) -> TurnResult:
        """See ``yishi_logic.vote_turn``."""
        return vote_turn(text, requested, slots, intent)

    def answers_requested(self, text: str, requested: str | None) -> bool:
        """A clear answer to the question asked is an answer, whatever the NLU thought it was."""
        if looks_like_question(text):
            return False
        parser = {
            "vote_option": lambda t: parse_option(t, list(DEFAULT_OPTIONS)),
            "vote_household": parse_location,
            "vote_last4": parse_last4,
            "confirmed": lambda t: is_yes(t) or None,
        }.get(requested or "")
        return parser is not None and parser(text) is not None

    def validate_vote_poll(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of the open polls offered ({"number", "question", "options"})."""
        ok = isinstance(value, dict) and isinstance(value.get("number"), int)
        return {"vote_poll": value if ok else None}

    def validate_vote_option(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of the chosen poll's options."""
        options = (tracker.get_slot("vote_poll") or {}).get("options") or []
        return {"vote_option": value if value in options else None}

    def validate_vote_household(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Building, unit and room all known; a partial answer is kept (and asked to finish)."""
        if not isinstance(value, dict):
            return {"vote_household": None}
        if household_missing(value):
            # keep what was said; the form asks again for the rest
            return {"vote_household": None, "vote_partial": value}
        return {"vote_household": value, "vote_partial": None}

    def validate_vote_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Four digits."""
        ok = isinstance(value, str) and len(value) == 4 and value.isdigit()
        return {"vote_last4": value if ok else None}
