"""Linli case system: grid routing, SLA deadlines, lifecycle, Open311 and the staff console."""
