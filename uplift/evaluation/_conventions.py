"""The area scores of each convention, computed from validated rows.

* ``"uplift"`` (ours): area between the curve and the random line, divided by the same area of
  the perfect curve; tie blocks are straight segments; an arm still empty at the top counts as
  outcome 0. For a binary outcome without weights this is scikit-uplift's formula; ours extends
  it to continuous outcomes, weights and several arms.
* ``"sklift"``: scikit-uplift 0.5.1 ``qini_auc_score`` / ``uplift_auc_score`` exactly (binary
  outcome, no weights).
* ``"causalml"``: causalml ``qini_score`` / ``auuc_score`` with ``normalize=True``: one point per
  row in the order pandas' ``sort_values(ascending=False)`` gives (tied rows keep an order that
  depends on the input order), undefined leading points interpolated, curve divided by the
  absolute value of its last point, area = mean of the points (minus the random line's mean).
* ``"grf"``: grf's RATE with target QINI on inverse-propensity scores (see :mod:`._rate`).
"""

from __future__ import annotations

import itertools
import warnings
from typing import cast

import numpy as np

from ..exceptions import UpliftInputError, UpliftWarning
from ._checks import EvaluationData
from ._curves import (
    perfect_group_scores,
    perfect_sums,
    perfect_sums_from_totals,
    qini_values,
    trapezoid_from,
    uplift_values,
)
from ._ranking import RankedSums, binary_ranking, ranked_sums, sums_from_group_counts
from ._rate import _Ranking, dr_scores

__all__ = ["auc_score"]


def _trapezoid(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.trapezoid(y, x))


def warn_undefined(curve: str, stacklevel: int) -> None:
    """Warn that a normalised area is NaN because the perfect ranking does no better than random."""
    name = "qini_auc_score" if curve == "qini" else "uplift_auc_score"
    warnings.warn(
        f"{name} is undefined (NaN): on these data the perfect ranking is no better than random, so there is "
        "nothing to normalise by (for example every outcome is 0, or equal in every row). Check y_true.",
        UpliftWarning, stacklevel=stacklevel + 1,
    )


def _area(x: np.ndarray, y: np.ndarray, unit_steps: bool) -> float:
    """Trapezoid area; with one point per row (``x = 0, 1, ..., n``) the sum of ``y`` less half its ends."""
    if unit_steps:
        return float(y.sum() - (y[0] + y[-1]) / 2.0)
    return _trapezoid(x, y)


WINDOW = 1 << 18
"""Rows per window of :func:`streamed_area` (small enough for the CPU cache)."""


def streamed_area(curve, labels: np.ndarray, ends: np.ndarray | None, empty: str) -> float:
    """Trapezoid area under ``curve`` from group labels in ranked order, a window of rows at a time.

    The same points as ``curve(ranked_sums(data))``, but the cumulative sums of one window live
    in the CPU cache and are never materialised for all rows at once (no page faults, one pass).
    Windows end at tie-block ends; each continues the previous one's totals and last point.
    """
    n = len(labels)
    cuts = np.arange(WINDOW, n, WINDOW)
    if ends is not None:  # move each cut to the end of the tie block that holds it
        cuts = np.unique(ends[np.minimum(np.searchsorted(ends, cuts - 1), len(ends) - 1)] + 1)
        cuts = cuts[cuts < n]
    bounds = np.r_[0, cuts, n]
    totals = np.zeros(4)  # n_treated, y_treated, n_control, y_control before the window
    x_last = value_last = area = 0.0
    for start, stop in itertools.pairwise(bounds):
        window = labels[start:stop]
        cumulative = [np.cumsum(window >= 2, dtype=np.float64), np.cumsum(window == 3, dtype=np.float64),
                      np.cumsum(window == 1, dtype=np.float64)]
        if ends is not None:
            local = ends[np.searchsorted(ends, start):np.searchsorted(ends, stop)] - start
            cumulative = [values[local] for values in cumulative]
            count = start + local + 1.0
        else:
            count = np.arange(start + 1.0, stop + 1.0)
        n_treated, y_treated, y_control = cumulative
        n_treated += totals[0]
        y_treated += totals[1]
        y_control += totals[3]
        n_control = count - n_treated
        sums = RankedSums(score=count, count=count, n_treated=n_treated, n_control=n_control,
                          y_treated=y_treated, y_control=y_control)
        x, values = curve(sums, empty)
        area += trapezoid_from(x_last, value_last, x, values, unit_steps=ends is None)
        x_last, value_last = float(x[-1]), float(values[-1])
        totals = np.array([n_treated[-1], y_treated[-1], n_control[-1], y_control[-1]])
    return area


#: A perfect area within this relative distance of the random area counts as zero (undefined score).
AREA_RTOL = 1e-12


def area_is_undefined(perfect_total: float, random_area: float) -> bool:
    """Whether the perfect ranking's area above random is zero up to rounding (or NaN).

    Then no ranking beats random and the normalised score is undefined: dividing by the rounding
    error of two nearly equal areas would return an arbitrary number.
    """
    perfect_area = perfect_total - random_area
    return not abs(perfect_area) > AREA_RTOL * (abs(perfect_total) + abs(random_area))


def _normalised_area(curve, data: EvaluationData, curve_name: str, empty: str) -> float:
    ranking = binary_ranking(data)  # binary outcome without weights: group labels in ranked order
    sums = ranked_sums(data) if ranking is None else None
    if data.outcome_type == "binary":  # the perfect ranking needs only the four group totals
        if ranking is not None:
            counts = np.bincount(ranking[0], minlength=4).astype(np.float64).tolist()
            perfect = sums_from_group_counts(perfect_group_scores(curve_name, counts), counts)
        else:
            perfect = perfect_sums_from_totals(curve_name, cast(RankedSums, sums))
    else:
        perfect = perfect_sums(data, curve_name)
    x_perfect, y_perfect = curve(perfect, empty)
    random_area = _trapezoid(np.array([0.0, x_perfect[-1]]), np.array([0.0, y_perfect[-1]]))
    perfect_total = _trapezoid(x_perfect, y_perfect)
    perfect_area = perfect_total - random_area
    if area_is_undefined(perfect_total, random_area):
        warn_undefined(curve_name, stacklevel=4)
        return float("nan")
    if ranking is not None:
        actual = streamed_area(curve, ranking[0], ranking[1], empty) - random_area
    else:
        x, y = curve(cast(RankedSums, sums), empty)
        unit_steps = data.weight is None and len(x) == data.n_samples + 1
        actual = _area(x, y, unit_steps) - random_area
    return float(np.float64(actual) / np.float64(perfect_area))


def _qini(sums, empty):
    return qini_values(sums, empty_control=empty)


def _uplift(sums, empty):
    return uplift_values(sums, empty_arm=empty)


def causalml_order(score: np.ndarray) -> np.ndarray:
    """Row order of pandas ``DataFrame.sort_values(column, ascending=False)`` (``nargsort``, quicksort).

    Tied rows come out in an order that depends on their input order (and, for large inputs, on
    numpy's unstable quicksort), which is why causalml's scores change when tied rows are
    reordered.
    """
    n = len(score)
    reversed_index = np.arange(n)[::-1]
    return reversed_index[score[::-1].argsort(kind="quicksort")][::-1]


def _interpolate_leading(values: np.ndarray) -> np.ndarray:
    """pandas ``interpolate()`` of the NaN values between the leading 0 and the first number."""
    missing = np.isnan(values)
    if missing.any():
        index = np.arange(len(values))
        values = values.copy()
        values[missing] = np.interp(index[missing], index[~missing], values[~missing])
    return values


def causalml_score(data: EvaluationData, curve: str) -> float:
    """causalml ``qini_score`` (curve="qini") or ``auuc_score`` (curve="uplift") with ``normalize=True``."""
    order = causalml_order(data.score)
    treated = data.treated[order].astype(np.float64)
    y = data.y[order]
    n = len(y)
    position = np.arange(1, n + 1, dtype=np.float64)
    cumsum_treated = np.cumsum(treated)
    cumsum_control = position - cumsum_treated
    cumsum_y_treated = np.cumsum(y * treated)
    cumsum_y_control = np.cumsum(y * (1 - treated))
    values = np.empty(n + 1)
    values[0] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        if curve == "qini":
            values[1:] = cumsum_y_treated - cumsum_y_control * cumsum_treated / cumsum_control
        else:
            values[1:] = cumsum_y_treated / cumsum_treated - cumsum_y_control / cumsum_control
    values = _interpolate_leading(values)
    if curve == "uplift":
        values = values * np.arange(n + 1)
    if not values[-1] != 0.0:  # causalml divides by the last point
        warn_undefined(curve, stacklevel=3)
        return float("nan")
    values = values / np.abs(values[-1])
    if curve == "qini":
        random_area = np.linspace(values[0], values[-1], n + 1).sum()
        return float((values.sum() - random_area) / (n + 1))
    return float(values.sum() / (n + 1))


def grf_qini(data: EvaluationData) -> float:
    """grf's RATE with target QINI on inverse-propensity scores (propensity = share treated)."""
    gamma = dr_scores(data)
    weight = np.ones(data.n_samples) if data.weight is None else data.weight
    return _Ranking(data.score).rate(gamma, weight, "QINI")


def auc_score(data: EvaluationData, curve: str, convention: str) -> float:
    """Normalised area score of ``curve`` ("qini" or "uplift") in ``convention``."""
    if convention in ("sklift", "causalml") and data.weight is not None:
        raise UpliftInputError(
            f"convention={convention!r} has no sample weights (the library it reproduces takes none); "
            "use convention='uplift' for weighted data."
        )
    if convention == "uplift":
        return _normalised_area(_qini if curve == "qini" else _uplift, data, curve, "zero")
    if convention == "sklift":
        # same formula; prepare() has already required a binary outcome and no weights
        return _normalised_area(_qini if curve == "qini" else _uplift, data, curve, "zero")
    if convention == "causalml":
        return causalml_score(data, curve)
    if curve == "uplift":
        raise UpliftInputError(
            "grf defines no area under the uplift curve; its QINI target (the TOC weighted by the share targeted, "
            "i.e. the area between the gain curve of IPW scores and the random line) is "
            "qini_auc_score(..., convention='grf') or rate_score(..., target='QINI')."
        )
    return grf_qini(data)
