"""Shared helpers on plain values and arrays: how values read in messages, rows of a table, strata.

The bottom of the package: :mod:`uplift.validation`, every module that writes an error, the
splitters and the learners' cross-fitting use these, and this module imports nothing of ours
(``tests/test_layers.py`` checks it). Inputs here are already validated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["arm_outcome_strata", "plain", "preview", "take"]


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


def take(values: Any, rows: np.ndarray) -> Any:
    """The rows ``rows`` (positions) of a DataFrame, Series or array-like, keeping its type.

    >>> take(np.array([[1, 2], [3, 4], [5, 6]]), np.array([2, 0]))
    array([[5, 6],
           [1, 2]])
    """
    if isinstance(values, pd.DataFrame | pd.Series):
        return values.iloc[rows]
    return np.asarray(values)[rows]


def _merge_small_cells(cells: np.ndarray, arm_codes: np.ndarray, min_size: int) -> np.ndarray:
    """Fold outcome cells with fewer than ``min_size`` rows into the largest cell of their arm.

    Stratified splitters need every stratum to have at least ``n_splits`` rows; a rare outcome
    value (say 3 converters in one arm) is merged into its arm's largest cell, so that the arm
    itself stays stratified.
    """
    cells = cells.copy()
    for arm in np.unique(arm_codes):
        in_arm = arm_codes == arm
        values, counts = np.unique(cells[in_arm], return_counts=True)
        small = values[counts < min_size]
        if len(small) and len(values) > len(small):
            largest = values[np.argmax(counts)]
            cells[in_arm & np.isin(cells, small)] = largest
    return cells


def arm_outcome_strata(
    arm_codes: np.ndarray, outcome: np.ndarray, *, binary: bool, n_quantiles: int, min_size: int = 1
) -> np.ndarray:
    """The stratum of each row: its arm crossed with its outcome (binary) or outcome quantile bin.

    The one stratification key of the package: the splitters (:func:`uplift.model_selection.uplift_strata`,
    :func:`uplift.model_selection.train_test_split`) and the learners' cross-fitting folds use it.

    Parameters
    ----------
    arm_codes : ndarray of int, shape (n,)
        Arm of each row (0 = control), as :func:`uplift.validation.check_treatment` codes it.
    outcome : ndarray of shape (n,)
        Outcome of each row (0/1 when ``binary``).
    binary : bool
        Whether the outcome is binary: its two values are the cells. Otherwise the outcome is cut
        into ``n_quantiles`` bins at its quantiles (``n_quantiles=1``: one cell, the arm alone).
    n_quantiles : int
        Number of outcome bins of a continuous outcome (a positive integer).
    min_size : int, default 1
        Outcome cells of an arm with fewer rows are merged into that arm's largest cell.

    Returns
    -------
    ndarray of int, shape (n,)
        ``arm_code * (n_quantiles + 2) + outcome_cell``.

    Examples
    --------
    >>> arm_outcome_strata(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), binary=True, n_quantiles=4)
    array([0, 1, 6, 7])
    """
    if binary:
        cells = outcome.astype(np.intp)
    else:
        edges = np.unique(np.quantile(outcome, np.linspace(0, 1, int(n_quantiles) + 1)[1:-1]))
        cells = np.searchsorted(edges, outcome, side="right").astype(np.intp)
    cells = _merge_small_cells(cells, arm_codes, min_size)
    return np.asarray(arm_codes, dtype=np.intp) * (int(n_quantiles) + 2) + cells
