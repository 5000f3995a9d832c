"""议事 (deliberation): residents' proposals, household polls and the decisions that follow.

A hub part with its own database and migrations (``deliberation.api`` is what the hub mounts).
It never touches another part's tables: cases spawned from decisions go through the case
system's HTTP API (``cases.client.CaseClient``), staff logins through the hub's staff source
(``core/staff_auth.py``).
"""
