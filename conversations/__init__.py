"""Residents' conversations in Rasa's tracker store, as the hub sees them.

Rasa writes the store (``nlu/addons/masking_tracker_store.py``, in Rasa's own environment,
.venv-rasa); this package is the store's other side in the hub's environment: where the store is
(``config.py``), reading, deleting and purging conversations in it (``tracker.py``), and the owner
of residents' data the hub registers for it (``resident_data.py``, ``core/hub.py`` ``OWNERS``), so
the case system's export and deletion reach the conversations without reading Rasa's tables.
"""
