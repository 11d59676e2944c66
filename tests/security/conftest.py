"""Fixtures of the security suite: a real DuckDB file (``kit`` from tests/conftest.py) with one private incident."""

from __future__ import annotations

import pytest
from .actors import ANA, BOB


@pytest.fixture
def secret(kit):
    """A resolved private incident declared by ana, with one follow-up."""
    inc = kit.declare("Leaked payroll file", declared_by=ANA, private=True, type="data_privacy")
    kit.resolve(inc.reference, by=ANA)
    kit.add_follow_up(inc.reference, "Rotate the share link", by=ANA)
    return kit.get(inc.reference)


@pytest.fixture
def public_one(kit):
    """An ordinary incident bob declared (bob can work on it)."""
    return kit.declare("Checkout is slow", declared_by=BOB)
