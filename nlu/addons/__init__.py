"""Custom Rasa components for Linli (importable with PYTHONPATH=nlu, as ./linli sets it)."""
