"""Helpers shared by the test modules of every app (fixtures stay in ``conftest.py``)."""
