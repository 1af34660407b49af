"""Shared test fixtures. Plots render with the Agg backend; nothing touches the network."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest

#: The workplace's reference data (read-only), beside the repository; absent elsewhere.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """Path of ../shared/data, or skip the test with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data folder {SHARED_DATA} is absent (it exists only in the workplace)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _close_figures():
    """Close matplotlib figures a test opened, so they never pile up across tests."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
