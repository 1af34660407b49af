"""Shared helpers on plain values and arrays: how values read in messages, rows of a table.

Used by :mod:`uplift.validation` and every module that writes an error; it imports
nothing of ours (a test checks it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["plain", "preview"]


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value people read (``0``, not ``np.int64(0)``) in messages.

    >>> plain(np.int64(0)), plain("No")
    (0, 'No')
    """
    return value.item() if isinstance(value, np.generic) else value


def preview(values: Sequence[Any] | np.ndarray, limit: int = 8) -> str:
    """A short, readable list of values for error messages.

    >>> preview(np.arange(10))
    '[0, 1, 2, 3, 4, 5, 6, 7, ... (10 in all)]'
    """
    values = list(values)
    shown = ", ".join(repr(plain(v)) for v in values[:limit])
    more = f", ... ({len(values)} in all)" if len(values) > limit else ""
    return f"[{shown}{more}]"
