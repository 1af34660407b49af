"""Sort once, sum cumulatively: the tie-aware core under every curve and score.

Rows are ranked by decreasing score. Rows with equal scores form one *tie block*; the curves
take one point at the end of each block, so the result never depends on the order of tied
rows. :class:`RankedSums` holds the cumulative (weighted) counts and outcome sums at each block
end, with a leading row of zeros (nobody targeted).

Two ways to get there, same result:

* binary outcome without weights: the scores of the four (arm, outcome) groups are sorted
  separately (a plain value sort, cheaper than an arg-sort) and merged by a stable arg-sort of
  the four sorted runs, which costs little more than a linear merge;
* otherwise: one arg-sort of the scores and cumulative sums of the permuted columns.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ._checks import EvaluationData

__all__ = ["RankedSums", "binary_group_sums", "ranked_sums", "sums_from_group_counts"]


@dataclass(frozen=True)
class RankedSums:
    """Cumulative sums at the end of each tie block, in decreasing order of score.

    Every array but ``score`` has ``n_blocks + 1`` entries; entry 0 is the empty selection.

    Attributes
    ----------
    score : ndarray, shape (n_blocks,)
        Score of each tie block, decreasing.
    count : ndarray
        Customers targeted (sum of weights) up to the block end.
    n_treated, n_control : ndarray
        Treated and control customers (weights) among them.
    y_treated, y_control : ndarray
        Sum of (weighted) outcomes of the treated and control customers among them.
    y2_treated, y2_control : ndarray or None
        Sum of (weighted) squared outcomes, when requested.
    """

    score: np.ndarray
    count: np.ndarray
    n_treated: np.ndarray
    n_control: np.ndarray
    y_treated: np.ndarray
    y_control: np.ndarray
    y2_treated: np.ndarray | None = None
    y2_control: np.ndarray | None = None

    @property
    def total_uplift(self) -> float:
        """Difference in mean outcomes over all rows."""
        return float(self.y_treated[-1] / self.n_treated[-1] - self.y_control[-1] / self.n_control[-1])


def _block_ends(sorted_scores: np.ndarray) -> np.ndarray | None:
    """Index of the last row of each run of equal values in a sorted array; None when all differ."""
    equal_to_next = sorted_scores[1:] == sorted_scores[:-1]
    if not equal_to_next.any():
        return None
    boundaries = np.flatnonzero(~equal_to_next)
    ends = np.empty(len(boundaries) + 1, dtype=np.intp)
    ends[:-1] = boundaries
    ends[-1] = len(sorted_scores) - 1
    return ends


def _cumulative(values: np.ndarray, ends: np.ndarray | None) -> np.ndarray:
    """Cumulative sums of ``values`` at the block ends, with a leading 0 (int32 counts for booleans)."""
    if values.dtype == np.bool_ and len(values) < 2**31 - 1:
        # counts: int32 is exact here and its cumsum several times faster than int64 / float64
        counts = np.empty(len(values) + 1, dtype=np.int32)
        counts[0] = 0
        np.cumsum(values, out=counts[1:])
        return counts if ends is None else counts[np.r_[0, ends + 1]]
    out = np.empty(len(values) + 1, dtype=np.float64)
    out[0] = 0.0
    np.cumsum(values, out=out[1:])
    return out if ends is None else out[np.r_[0, ends + 1]]


def binary_group_sums(groups: list[np.ndarray]) -> RankedSums:
    """Ranked sums from the sorted (ascending) scores of the four (arm, outcome) groups.

    ``groups`` holds the scores of (control, y=0), (control, y=1), (treated, y=0) and
    (treated, y=1). They are merged by a stable arg-sort of the concatenated sorted runs (timsort
    finds the runs, so this costs about a linear merge); the group label of each merged row gives
    the cumulative counts.

    >>> sums = binary_group_sums([np.array([0.1]), np.array([0.5]), np.array([0.5]), np.array([0.9])])
    >>> sums.score, sums.n_treated, sums.y_control
    (array([0.9, 0.5, 0.1]), array([0, 1, 2, 2], dtype=int32), array([0, 0, 1, 1], dtype=int32))
    """
    sizes = [len(g) for g in groups]
    merged = np.concatenate(groups)
    order = np.argsort(merged, kind="stable")[::-1]
    labels = np.repeat(np.arange(4, dtype=np.uint8), sizes)[order]
    sorted_scores = merged[order]
    del merged, order
    ends = _block_ends(sorted_scores)
    count = np.arange(len(labels) + 1, dtype=np.float64) if ends is None else np.r_[0.0, ends + 1.0]
    n_treated = _cumulative(labels >= 2, ends)
    return RankedSums(
        score=(sorted_scores if ends is None else sorted_scores[ends]).astype(np.float64, copy=False),
        count=count, n_treated=n_treated, n_control=count - n_treated,
        y_treated=_cumulative(labels == 3, ends), y_control=_cumulative(labels == 1, ends),
    )


def _narrowed(score: np.ndarray) -> np.ndarray:
    """The scores as float32 when that loses nothing (model outputs often are float32), else as given.

    Sorting float32 is markedly faster; since every value converts exactly, ties and order are
    unchanged and the result is identical.
    """
    if score.dtype != np.float64 or len(score) < 100_000:
        return score
    narrow = score.astype(np.float32)
    if np.array_equal(narrow, score):
        return narrow
    return score


def ranked_sums(data: EvaluationData, *, squares: bool = False) -> RankedSums:
    """Cumulative sums at each tie-block end of ``data`` ranked by decreasing score."""
    if data.weight is None and data.outcome_type == "binary":
        group = data.treated.view(np.uint8) * np.uint8(2)
        group += data.y == 1.0  # 0: control y=0, 1: control y=1, 2: treated y=0, 3: treated y=1
        score = _narrowed(data.score)
        groups = []
        for k in range(4):
            values = score[group == k]
            values.sort()
            groups.append(values)
        sums = binary_group_sums(groups)
        if squares:  # y^2 = y for a binary outcome
            return dataclasses.replace(sums, y2_treated=sums.y_treated, y2_control=sums.y_control)
        return sums
    order = np.argsort(data.score)[::-1]
    sorted_scores = data.score[order]
    ends = _block_ends(sorted_scores)
    treated = data.treated[order]
    y = data.y[order]
    weight = np.ones(len(y)) if data.weight is None else data.weight[order]
    weight_treated = np.where(treated, weight, 0.0)
    weight_control = weight - weight_treated

    def cumulative(values: np.ndarray) -> np.ndarray:
        return _cumulative(values, ends)

    n_treated = cumulative(weight_treated)
    n_control = cumulative(weight_control)
    return RankedSums(
        score=sorted_scores if ends is None else sorted_scores[ends],
        count=cumulative(weight),
        n_treated=n_treated,
        n_control=n_control,
        y_treated=cumulative(weight_treated * y),
        y_control=cumulative(weight_control * y),
        y2_treated=cumulative(weight_treated * y * y) if squares else None,
        y2_control=cumulative(weight_control * y * y) if squares else None,
    )


def sums_from_group_counts(group_scores: list[float], counts: list[float]) -> RankedSums:
    """Ranked sums of a binary outcome whose score is constant within each (arm, outcome) group.

    ``group_scores`` and ``counts`` (numbers or weight sums) are given for the groups (control,
    y=0), (control, y=1), (treated, y=0), (treated, y=1). Used for the perfect curves, which
    rank whole groups, so they cost nothing beyond the four counts.

    >>> sums_from_group_counts([0.0, -1.0, 0.0, 1.0], [3, 1, 2, 2]).y_treated
    array([0., 2., 2., 2.])
    """
    values = sorted(set(group_scores), reverse=True)
    cumulative = np.zeros((len(values) + 1, 4))
    for j, value in enumerate(values):
        step = [c if score == value else 0.0 for score, c in zip(group_scores, counts, strict=True)]
        cumulative[j + 1] = cumulative[j] + step
    c0, c1, t0, t1 = cumulative.T
    return RankedSums(score=np.array(values), count=c0 + c1 + t0 + t1, n_treated=t0 + t1, n_control=c0 + c1,
                      y_treated=t1, y_control=c1)
