"""Rasa SQL tracker store that masks phone and ID numbers before anything is persisted.

Rasa keeps every conversation's events; the raw text of user and bot messages (and the NLU parse
of each user message) would keep the numbers residents typed for as long as the conversation is
stored. This store writes those events with the numbers masked (``addons/pii_mask.py``, the rules
of ``core/pii.py``). Slot events are stored unchanged, so a form resumes after a restart with the
full phone number it collected, and the running turn still sees the raw message (masking happens
only on the way to the database).

Configured in ``nlu/endpoints.yml``::

    tracker_store:
      type: addons.masking_tracker_store.MaskingSQLTrackerStore
      dialect: "sqlite"
      db: ${LINLI_RASA_TRACKER_DB}
"""

from __future__ import annotations

import json
import logging

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from addons.pii_mask import mask_event

logger = logging.getLogger(__name__)


class MaskingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` (same tables, same options) storing user and bot events masked."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events not stored yet, numbers masked (as ``SQLTrackerStore.save``)."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                data = mask_event(event.as_dict())
                intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        logger.debug("Tracker of %s stored (masked)", tracker.sender_id)
