"""Shared fixtures: paths to the test data and a loader for written example pages."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def page():
    """Read a written example page from tests/data/pages."""
    return lambda name: (DATA / "pages" / name).read_text(encoding="utf-8")


@pytest.fixture
def seed():
    """Read one of the project's seed documents (general education text, not clinic pages)."""
    return lambda name: (DATA / "seeds" / name).read_text(encoding="utf-8")
