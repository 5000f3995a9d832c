"""Routers of the case system."""
