"""What the tests and the benchmarks share: the live stack, fakes of the outside world, the
simulated residents, a hub with a scripted dialogue and a throwaway PostgreSQL server.

Not part of the product: no product package imports it, and it imports neither ``tests`` nor
``bench`` (``tests/unit/test_import_rules.py``). Imported from the project root like ``tests`` and
``bench`` (pytest's ``pythonpath``, ``python -m bench.x``); it is not installed.
"""
