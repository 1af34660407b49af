"""Exact Qini and uplift areas for more rows than fit in memory as full columns.

Design (one pass over the chunks, then an in-memory merge):

1. Each chunk's rows are split into the four groups (arm × binary outcome) and only their
   scores are kept: 8 bytes per row (4 for float32 scores), nothing else. For a binary outcome
   the four group counts at or above a threshold determine every curve point, so no other
   column is needed.
2. Each group's scores are sorted in place (a value sort, no index array).
3. The score range is cut at every ``step``-th value of each group, so a window between two
   cuts holds at most ``4 step`` rows and never splits a tie block. Windows are processed from
   the highest scores down: the four sorted slices are merged (a stable arg-sort of sorted runs),
   cumulative counts continue from the previous window, and the trapezoid areas of the Qini and
   uplift curves are accumulated with the last point carried over.
4. The perfect curves depend on the four totals only.

The result equals :func:`qini_auc_score` / :func:`uplift_auc_score` (convention "uplift") on the
concatenated rows, to rounding. Memory: the kept scores plus one window; 10^8 rows with float64
scores need about 1.3 GiB at the peak (concatenating the largest group).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .._utils import preview
from ..exceptions import UpliftInputError
from ..validation import check_1d, check_outcome
from ._checks import _check_score, plain
from ._conventions import area_is_undefined, warn_undefined
from ._curves import perfect_group_scores, qini_values, trapezoid_from, uplift_values
from ._ranking import RankedSums, binary_group_sums, sums_from_group_counts

__all__ = ["chunked_auc_scores"]

#: Groups in the order (control, y=0), (control, y=1), (treated, y=0), (treated, y=1).
_GROUPS = ((False, False), (False, True), (True, False), (True, True))


def _split_chunk(chunk: Any, control_value: Any, treatment_value: Any, index: int) -> list[np.ndarray]:
    try:
        y_chunk, score_chunk, treatment_chunk = chunk
    except (TypeError, ValueError):
        raise UpliftInputError(
            f"chunk {index} must be a tuple (y_true, score, treatment) of arrays; got {type(chunk).__name__}."
        ) from None
    y, _ = check_outcome(y_chunk, outcome_type="binary", name="y_true", context=f"chunk {index}")
    treatment = check_1d(treatment_chunk, "treatment")
    if len(treatment) != len(y):
        raise UpliftInputError(f"chunk {index}: treatment has {len(treatment)} rows, y_true {len(y)}.")
    score = np.asarray(score_chunk)
    keep_dtype = score.dtype if score.dtype.kind == "f" else np.float64
    score = _check_score(score, len(y), 0, 1, "score").astype(keep_dtype, copy=False)
    treated = treatment == treatment_value
    control = treatment == control_value
    other = ~(treated | control)
    if other.any():
        raise UpliftInputError(
            f"chunk {index} has treatment labels {preview(np.unique(treatment[other]))} besides the control "
            f"{plain(control_value)!r} and the treated arm {plain(treatment_value)!r}; drop other arms' rows or pass "
            "control_value= and treatment_value=."
        )
    positive = y == 1.0
    return [score[(treated == arm) & (positive == outcome)] for arm, outcome in _GROUPS]


def _normalised(area: float, curve: tuple[np.ndarray, np.ndarray], name: str) -> float:
    x, y = curve
    random_area = x[-1] * y[-1] / 2.0
    perfect_total = float(np.trapezoid(y, x))
    if area_is_undefined(perfect_total, random_area):
        warn_undefined(name, stacklevel=3)
        return float("nan")
    return float(np.float64(area - random_area) / np.float64(perfect_total - random_area))


def chunked_auc_scores(
    chunks: Iterable[Any], *, control_value: Any = 0, treatment_value: Any = 1, step: int = 2**21,
) -> dict[str, float]:
    """Exact normalised Qini and uplift areas of a binary outcome, reading the rows in chunks.

    Parameters
    ----------
    chunks : iterable of (y_true, score, treatment)
        Arrays of equal length per chunk (for example row groups of a Parquet file). Read once.
    control_value, treatment_value : object, default 0 and 1
        Labels of the control and of the treated arm; other labels are an error.
    step : int, default 2**21
        Rows of each group per window of the merge (memory of one window: about ``4 step`` rows).

    Returns
    -------
    dict
        ``{"qini": ..., "uplift": ..., "n_samples": ...}``: the scores of
        :func:`qini_auc_score` and :func:`uplift_auc_score` with convention "uplift".

    Raises
    ------
    UpliftInputError
        A non-binary outcome, NaN scores, unknown treatment labels, an arm without rows, or a
        ``step`` that is not a positive integer.

    See Also
    --------
    qini_auc_score, uplift_auc_score : The same areas in memory.
    uplift.spark.auc_scores : The same areas on Spark.

    Notes
    -----
    See the module documentation and ``docs/metrics.md`` for the algorithm. Only the scores are
    kept (8 bytes per row for float64 scores), split by arm and outcome.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y, s, t = rng.integers(0, 2, 1000), rng.random(1000).round(2), rng.integers(0, 2, 1000)
    >>> chunks = [(y[i:i + 300], s[i:i + 300], t[i:i + 300]) for i in range(0, 1000, 300)]
    >>> from uplift.evaluation import qini_auc_score
    >>> bool(np.isclose(chunked_auc_scores(chunks)["qini"], qini_auc_score(y, s, treatment=t)))
    True
    """
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 1:
        raise UpliftInputError(
            f"step must be a positive integer (rows of each group per window, e.g. 2**21); got {step!r}."
        )
    parts: list[list[np.ndarray]] = [[], [], [], []]
    for index, chunk in enumerate(chunks):
        for group, values in zip(parts, _split_chunk(chunk, control_value, treatment_value, index), strict=True):
            group.append(values)
    groups = []
    for k in range(4):
        merged = np.concatenate(parts[k]) if parts[k] else np.empty(0)
        parts[k] = []  # free the chunk copies before the next group is concatenated
        merged.sort()
        groups.append(merged)
    counts = [float(len(g)) for g in groups]
    if counts[0] + counts[1] == 0 or counts[2] + counts[3] == 0:
        raise UpliftInputError(
            f"the {'control' if counts[0] + counts[1] == 0 else 'treated'} arm has no rows in any chunk; "
            "both arms are needed."
        )
    cuts = np.unique(np.concatenate([g[::-step] for g in groups if len(g)]))[::-1]
    bounds = np.r_[np.inf, cuts[1:], -np.inf]  # windows [bounds[j+1], bounds[j]), from the top down
    base = np.zeros(5)  # count, n_treated, n_control, y_treated, y_control above the window
    x_last = qini_last = uplift_last = 0.0
    qini_area = uplift_area = 0.0
    for j in range(len(bounds) - 1):
        low, high = bounds[j + 1], bounds[j]
        slices = [g[np.searchsorted(g, low, "left"):np.searchsorted(g, high, "left")] for g in groups]
        if not any(len(s) for s in slices):
            continue
        window = binary_group_sums(slices)
        sums = RankedSums(score=window.score, count=base[0] + window.count[1:],
                          n_treated=base[1] + window.n_treated[1:], n_control=base[2] + window.n_control[1:],
                          y_treated=base[3] + window.y_treated[1:], y_control=base[4] + window.y_control[1:])
        x, qini = qini_values(sums)
        _, uplift = uplift_values(sums)
        qini_area += trapezoid_from(x_last, qini_last, x, qini)
        uplift_area += trapezoid_from(x_last, uplift_last, x, uplift)
        x_last, qini_last, uplift_last = float(x[-1]), float(qini[-1]), float(uplift[-1])
        base = np.array([sums.count[-1], sums.n_treated[-1], sums.n_control[-1], sums.y_treated[-1],
                         sums.y_control[-1]])
    perfect_qini = sums_from_group_counts(perfect_group_scores("qini", counts), counts)
    perfect_uplift = sums_from_group_counts(perfect_group_scores("uplift", counts), counts)
    return {
        "qini": _normalised(qini_area, qini_values(perfect_qini), "qini"),
        "uplift": _normalised(uplift_area, uplift_values(perfect_uplift), "uplift"),
        "n_samples": int(sum(counts)),
    }
