"""Sort once, sum cumulatively: the tie-aware core under every curve and score.

Rows are ranked by decreasing score. Rows with equal scores form one *tie block*; the curves
take one point at the end of each block, so the result never depends on the order of tied
rows. :class:`RankedSums` holds the cumulative (weighted) counts and outcome sums at each block
end, with a leading row of zeros (nobody targeted).

Three ways to get there, same result:

* binary outcome without weights (the common case), *packed keys*: each score's IEEE-754 bit
  pattern, without its sign bit, is an unsigned integer in the order of ``|score|``. Within each
  sign the magnitudes present usually span fewer than 2**62 values (2**30 for float32-valued
  scores), so ``(magnitude - smallest) << 2 | group`` (group = 2 · treated + y) is an exact,
  order-preserving key that carries the row's (arm, outcome) group in its two low bits. One
  value sort of these keys per sign (no arg-sort, no gather, no merge) then gives the ranking and
  the groups together; ties are runs of equal ``key >> 2``;
* binary outcome without weights whose magnitudes span more (e.g. 1e-300 and 1e300 in one
  sign): the scores of the four (arm, outcome) groups are value-sorted separately and merged by
  a stable arg-sort of the four sorted runs;
* otherwise: one arg-sort of the scores and cumulative sums of the permuted columns.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._checks import EvaluationData

__all__ = ["RankedSums", "binary_group_sums", "binary_ranking", "packed_group_sums", "ranked_sums",
           "sums_from_group_counts"]


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


def _sums_from_labels(labels: np.ndarray, ends: np.ndarray | None, scores: np.ndarray) -> RankedSums:
    """Ranked sums from the group label (0-3) of each row in ranked order and the tie-block ends."""
    count = np.arange(len(labels) + 1, dtype=np.float64) if ends is None else np.r_[0.0, ends + 1.0]
    n_treated = _cumulative(labels >= 2, ends)
    return RankedSums(
        score=scores, count=count, n_treated=n_treated, n_control=count - n_treated,
        y_treated=_cumulative(labels == 3, ends), y_control=_cumulative(labels == 1, ends),
    )


def _rank_keys(key: np.ndarray, group: np.ndarray, low: Any, negative: bool):
    """Sort keys ``(magnitude - low) << 2`` with the group in their low bits: (labels, block ends, block scores).

    ``key`` is a fresh array and is reused in place (it ends as the block scores' bits).
    """
    key |= group
    key.sort()
    if not negative:  # decreasing score = decreasing magnitude; for negative scores, increasing
        key = key[::-1]
    labels = np.empty(len(key), dtype=np.uint8)
    np.bitwise_and(key, 3, out=labels, casting="unsafe")
    key >>= key.dtype.type(2)  # the magnitude again, less `low`: a tie block is a run of equal values
    ends = _block_ends(key)
    values = key if ends is None else key[ends]
    if low:
        values += low
    scores = values.view(np.float32 if values.dtype == np.uint32 else np.float64).astype(np.float64, copy=False)
    return labels, ends, (-scores if negative else scores)


def _packed_part(magnitude: np.ndarray, group: np.ndarray, spare_bits: int, negative: bool):
    """Rank one sign's rows by packed keys, or None when the magnitudes span more than ``2**spare_bits``."""
    if magnitude.size == 0:  # every score has the other sign
        return np.empty(0, dtype=np.uint8), None, np.empty(0)
    low = magnitude.min()
    if int(magnitude.max()) - int(low) >= 1 << spare_bits:
        return None
    magnitude -= low
    magnitude <<= magnitude.dtype.type(2)
    return _rank_keys(magnitude, group, low, negative)


def packed_ranking(score: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray] | None:
    """Group label of each row in decreasing order of score, tie-block ends and block scores; None if unpackable.

    ``score`` is float64 or float32; ``group`` holds ``2 · treated + y`` (uint8) per row. See the
    module documentation for the packed keys.
    """
    unsigned = np.uint32 if score.dtype == np.float32 else np.uint64
    spare_bits = 8 * np.dtype(unsigned).itemsize - 2
    bits: np.ndarray = score.view(unsigned)
    if not score.min() < 0:
        if int(bits.max()) >> spare_bits == 0:
            # the usual case (scores in [0, 2), no -0.0): the bits themselves leave two bits free
            return _rank_keys(bits << unsigned(2), group, 0, negative=False)
        return _packed_part(bits & unsigned(np.iinfo(unsigned).max >> 1), group, spare_bits, negative=False)
    magnitude = bits & unsigned(np.iinfo(unsigned).max >> 1)  # drops the sign bit; -0.0 is 0.0
    negative = score < 0
    up = _packed_part(magnitude[~negative], group[~negative], spare_bits, negative=False)
    down = _packed_part(magnitude[negative], group[negative], spare_bits, negative=True)
    if up is None or down is None:
        return None
    (labels_up, ends_up, scores_up), (labels_down, ends_down, scores_down) = up, down
    size = len(labels_up)
    ends = None
    if ends_up is not None or ends_down is not None:  # the sign change is always a block end
        ends = np.r_[np.arange(size) if ends_up is None else ends_up,
                     size + (np.arange(len(labels_down)) if ends_down is None else ends_down)]
    return np.concatenate([labels_up, labels_down]), ends, np.r_[scores_up, scores_down]


def packed_group_sums(score: np.ndarray, group: np.ndarray) -> RankedSums | None:
    """Ranked sums of a binary outcome from packed (magnitude, group) keys; None if they do not fit.

    >>> sums = packed_group_sums(np.array([0.5, -1.0, 0.5, 2.0]), np.array([3, 1, 0, 2], dtype=np.uint8))
    >>> sums.score, sums.n_treated, sums.y_treated, sums.y_control
    (array([ 2. ,  0.5, -1. ]), array([0, 1, 2, 2], dtype=int32), array([0, 0, 1, 1], dtype=int32), \
array([0, 0, 0, 1], dtype=int32))
    """
    ranking = packed_ranking(score, group)
    return None if ranking is None else _sums_from_labels(*ranking)


def binary_ranking(data: EvaluationData) -> tuple[np.ndarray, np.ndarray | None] | None:
    """Group labels in ranked order and tie-block ends of a binary, unweighted outcome; None otherwise."""
    if data.weight is not None or data.outcome_type != "binary":
        return None
    ranking = packed_ranking(_narrowed(data.score), _group(data))
    return None if ranking is None else ranking[:2]


def _group(data: EvaluationData) -> np.ndarray:
    group = data.treated.view(np.uint8) * np.uint8(2)
    group += data.y == 1.0  # 0: control y=0, 1: control y=1, 2: treated y=0, 3: treated y=1
    return group


def _narrowed(score: np.ndarray) -> np.ndarray:
    """The scores as float32 when that loses nothing (model outputs often are float32), else as given.

    Sorting float32 is markedly faster; since every value converts exactly, ties and order are
    unchanged and the result is identical.
    """
    if score.dtype != np.float64 or len(score) < 100_000:
        return score
    head = score[:4096]
    if not np.array_equal(head.astype(np.float32), head):  # most float64 scores fail at once
        return score
    narrow = score.astype(np.float32)
    if np.array_equal(narrow, score):
        return narrow
    return score


def ranked_sums(data: EvaluationData, *, squares: bool = False) -> RankedSums:
    """Cumulative sums at each tie-block end of ``data`` ranked by decreasing score."""
    if data.weight is None and data.outcome_type == "binary":
        group = _group(data)
        score = _narrowed(data.score)
        packed = packed_group_sums(score, group)
        if packed is not None:
            if squares:  # y^2 = y for a binary outcome
                return dataclasses.replace(packed, y2_treated=packed.y_treated, y2_control=packed.y_control)
            return packed
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
