"""Settings of the case system (env prefix ``CASES_``), built in the hub's create_app."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class CasesSettings(BaseSettings):
    """Tunables of the case lifecycle and the staff console.

    The database URL is not here: it comes from ``HubSettings.resolved_cases_url()``
    (``LINLI_CASES_DATABASE_URL``), so every process agrees on it.
    """

    model_config = SettingsConfigDict(env_prefix="CASES_", env_file=".env", extra="ignore")

    auto_close_days: int = 7
    """A resolved case with no resident confirmation closes after this many days."""
    sweep_interval_s: float = 60.0
    """How often the hub checks for overdue cases and silent resolved cases (0 disables)."""
    escalation_step_hours: int = 24
    """After the deadline, the case goes up one level (网格 → 社区 → 街道) every this many hours."""
    emergency_sla_hours: int = 1
    """Deadline of emergency cases (the shortest of all)."""
    service_sla_hours: int = 72
    """Deadline of service (办事) cases."""
    callback_sla_hours: int = 8
    """Deadline of call-back (人工) cases."""
    staff_session_hours: int = 12
    """How long a staff login lasts."""
    cookie_secure: bool = False
    """Send the staff session cookie only over HTTPS (set true behind TLS)."""
    db_wait_s: float = 60.0
    """At startup, how long to wait for the database to accept connections."""
    seed_demo_community: bool = True
    """Seed the demo community (grids, buildings, departments, workers, notices) when empty."""
    retention_days: int = 180
    """Personal data of cases closed more than this many days ago is purged by the sweep
    (phone, sender id, description, photos; anonymous statistics stay). 0 keeps it forever."""
    conversation_retention_hours: int = 72
    """Conversations in Rasa's tracker store idle (no new message) for more than this many hours
    are deleted by the sweep; the resident's next message starts afresh. 0 keeps them forever.
    (Where the store is: ``conversations/config.py``.)"""
