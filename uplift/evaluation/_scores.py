"""Scalar scores: normalised Qini and uplift areas in four conventions, uplift at k, per-bin tables."""

from __future__ import annotations

import warnings
from typing import Any, cast

import numpy as np
import pandas as pd

from ..exceptions import UpliftInputError, UpliftWarning
from ..validation import check_fraction, keyword_only_from, renamed_parameters
from ._checks import Convention, EvaluationData, Strategy, check_literal, prepare
from ._conventions import auc_score
from ._ranking import RankedSums, ranked_sums

__all__ = [
    "qini_auc_score",
    "treatment_balance_curve",
    "uplift_at_k",
    "uplift_auc_score",
    "uplift_by_percentile",
    "weighted_average_uplift",
]


@keyword_only_from("treatment")
def qini_auc_score(
    y_true: Any, score: Any, *, treatment: Any, sample_weight: Any = None, control_value: Any = None,
    treatment_value: Any = None, convention: Convention = "uplift",
) -> float:
    """Normalised area under the Qini curve, in a named convention.

    Parameters
    ----------
    y_true, score, treatment : array-like of shape (n,)
        Outcome, ranking score (higher = target first; shape (n, n_arms) selects the column of
        ``treatment_value``) and arm of each row.
    sample_weight : array-like of shape (n,), optional
        Frequency weights ("uplift" and "grf" conventions only).
    control_value, treatment_value : object, optional
        Control label and treated arm to evaluate; required when there are several arms.
    convention : {"uplift", "sklift", "causalml", "grf"}, default "uplift"
        ``"uplift"``: ``(A - A_random) / (A_perfect - A_random)`` with trapezoid areas under the
        tie-aware Qini curve, its perfect curve and the random line; 1 for the perfect ranking, 0
        for random. ``"sklift"``: scikit-uplift 0.5.1 ``qini_auc_score`` (binary outcome).
        ``"causalml"``: causalml ``qini_score(normalize=True)`` (depends on the order of tied
        rows, like causalml). ``"grf"``: grf's RATE with target "QINI" on IPW scores.

    Returns
    -------
    float

    See Also
    --------
    qini_curve : The curve whose area this is.
    uplift_auc_score : The area under the uplift curve.
    score_interval : A bootstrap interval for any score.
    get_scorer : The score by name (``"qini_auc:sklift"``).

    Notes
    -----
    The formulas of every convention and a conversion table are in ``docs/metrics.md``.

    References
    ----------
    Radcliffe, N. J. (2007). Using control groups to target on predicted lift. Direct Marketing
    Analytics Journal, 3, 14-21.

    Examples
    --------
    >>> y, t = [1, 0, 1, 0, 1, 0], [1, 1, 0, 0, 1, 0]
    >>> qini_auc_score(y, [1, 0, -1, 0, 1, 0], treatment=t)  # the perfect ranking
    1.0
    """
    check_literal(convention, Convention, "convention")
    data = prepare(y_true, score, treatment, sample_weight=sample_weight, control_value=control_value,
                   treatment_value=treatment_value, binary_outcome=convention == "sklift", context="qini_auc_score")
    return auc_score(data, "qini", convention)


@keyword_only_from("treatment")
def uplift_auc_score(
    y_true: Any, score: Any, *, treatment: Any, sample_weight: Any = None, control_value: Any = None,
    treatment_value: Any = None, convention: Convention = "uplift",
) -> float:
    """Normalised area under the uplift (cumulative gain) curve, in a named convention.

    Parameters are those of :func:`qini_auc_score`. ``"uplift"``: ``(A - A_random) /
    (A_perfect - A_random)`` on the tie-aware cumulative gain curve; ``"sklift"``:
    scikit-uplift 0.5.1 ``uplift_auc_score``; ``"causalml"``: causalml ``auuc_score(normalize=True)``
    (the mean of the gain curve divided by its last value: about 0.5 for random, not 0);
    ``"grf"`` raises (grf defines no such area; use ``qini_auc_score(convention="grf")``).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Observed outcome.
    score : array-like of shape (n,) or (n, n_arms)
        Ranking score (higher = target first).
    treatment : array-like of shape (n,)
        Arm of each row.
    sample_weight : array-like of shape (n,), optional
        Frequency weights.
    control_value, treatment_value : object, optional
        Control label and treated arm to evaluate; required when there are several arms.
    convention : {"uplift", "sklift", "causalml", "grf"}, default "uplift"
        The normalisation (see above).

    Returns
    -------
    float

    See Also
    --------
    uplift_curve : The curve whose area this is.
    qini_auc_score : The area under the Qini curve.

    Examples
    --------
    >>> y, t = [1, 0, 1, 0, 1, 0], [1, 1, 0, 0, 1, 0]
    >>> round(uplift_auc_score(y, [0.9, 0.1, 0.8, 0.2, 0.7, 0.3], treatment=t), 6)
    0.16
    """
    check_literal(convention, Convention, "convention")
    data = prepare(y_true, score, treatment, sample_weight=sample_weight, control_value=control_value,
                   treatment_value=treatment_value, binary_outcome=convention == "sklift", context="uplift_auc_score")
    return auc_score(data, "uplift", convention)


def _at(position: np.ndarray | float, axis: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Cumulative ``values`` at ``position`` along a non-decreasing ``axis``, linear inside tie blocks."""
    keep = np.r_[axis[1:] != axis[:-1], True]
    return np.interp(position, axis[keep], values[keep])


def _prepare(y_true, score, treatment, sample_weight, control_value, treatment_value, context) -> EvaluationData:
    return prepare(y_true, score, treatment, sample_weight=sample_weight, control_value=control_value,
                   treatment_value=treatment_value, context=context)


def _sklift_at_k(data: EvaluationData, k: float, strategy: str) -> tuple[float, float, float, float]:
    """Sizes and outcome sums of scikit-uplift 0.5.1 ``uplift_at_k``: ``int(n k)`` rows in its sort order."""
    order = np.argsort(data.score, kind="mergesort")[::-1]  # tied rows in reverse input order, as sklift
    treated, y = data.treated[order], data.y[order]
    if strategy == "overall":
        top = int(len(y) * k)
        treated, y = treated[:top], y[:top]
        return float(treated.sum()), float((~treated).sum()), float(y[treated].sum()), float(y[~treated].sum())
    y_treated, y_control = y[treated], y[~treated]
    n_treated, n_control = int(len(y_treated) * k), int(len(y_control) * k)
    return float(n_treated), float(n_control), float(y_treated[:n_treated].sum()), float(y_control[:n_control].sum())


@keyword_only_from("treatment")
def uplift_at_k(
    y_true: Any, score: Any, *, treatment: Any, k: float = 0.3, strategy: Strategy = "overall",
    sample_weight: Any = None, control_value: Any = None, treatment_value: Any = None,
    convention: Convention = "uplift",
) -> float:
    """Difference in mean outcomes among the top ``k`` share of customers.

    Parameters
    ----------
    y_true, score, treatment, sample_weight, control_value, treatment_value
        As in :func:`qini_auc_score`.
    k : float in (0, 1], default 0.3
        Share of customers targeted.
    strategy : {"overall", "by_group"}, default "overall"
        ``"overall"``: the top ``k`` share of all customers, then treated mean minus control
        mean among them. ``"by_group"``: the top ``k`` share of each arm separately.
    convention : {"uplift", "sklift"}, default "uplift"
        ``"uplift"``: the cut falls at exactly ``k n`` customers (``k n_t`` and ``k n_c`` by
        group); a tie block that straddles it enters with the share of it that fits, so the
        result does not depend on the order of tied rows. ``"sklift"``: scikit-uplift 0.5.1
        ``uplift_at_k``: the first ``int(n k)`` rows (``int(n_t k)``, ``int(n_c k)`` by group) in
        its sort order (tied rows in reverse input order); binary outcome, no weights.
        causalml and grf define no uplift at k.

    Returns
    -------
    float
        NaN (with a warning) when the top ``k`` holds no customer of one arm.

    Raises
    ------
    UpliftInputError
        ``convention`` "causalml" or "grf"; "sklift" with weights or a non-binary outcome.

    See Also
    --------
    uplift_by_percentile : The uplift of every bin.
    qini_curve, uplift_curve : The curves of a ranking.
    qini_auc_score, uplift_auc_score : Their normalised areas.

    Notes
    -----
    The conventions differ even without ties when ``k n`` is not a whole number: the "uplift"
    convention counts the straddling row with the fraction of it that fits.

    Examples
    --------
    >>> uplift_at_k([1, 0, 1, 0, 1, 0], [0.9, 0.1, 0.2, 0.8, 0.7, 0.3], treatment=[1, 1, 0, 0, 1, 0], k=0.5)
    1.0
    """
    check_literal(strategy, Strategy, "strategy")
    check_literal(convention, Convention, "convention")
    if convention in ("causalml", "grf"):
        raise UpliftInputError(
            f"convention={convention!r}: that library defines no uplift at k; use convention='uplift' (cut at "
            "exactly k n customers) or 'sklift' (scikit-uplift's int(n k) rows)."
        )
    if convention == "sklift" and sample_weight is not None:
        raise UpliftInputError(
            "convention='sklift' has no sample weights (scikit-uplift takes none); use convention='uplift' for "
            "weighted data."
        )
    k = check_fraction(k, "k")
    data = prepare(y_true, score, treatment, sample_weight=sample_weight, control_value=control_value,
                   treatment_value=treatment_value, binary_outcome=convention == "sklift", context="uplift_at_k")
    if convention == "sklift":
        n_treated, n_control, y_treated, y_control = _sklift_at_k(data, k, strategy)
    elif strategy == "overall":
        sums = ranked_sums(data)
        position = k * sums.count[-1]
        n_treated, n_control, y_treated, y_control = (
            float(_at(position, sums.count, values))
            for values in (sums.n_treated, sums.n_control, sums.y_treated, sums.y_control)
        )
    else:
        sums = ranked_sums(data)
        n_treated, n_control = k * float(sums.n_treated[-1]), k * float(sums.n_control[-1])
        y_treated = float(_at(n_treated, sums.n_treated, sums.y_treated))
        y_control = float(_at(n_control, sums.n_control, sums.y_control))
    if n_treated <= 0 or n_control <= 0:
        warnings.warn(
            f"the top k={k} of customers holds no {'treated' if n_treated <= 0 else 'control'} customer; uplift at "
            "k is undefined (NaN). Increase k or use strategy='by_group'.", UpliftWarning, stacklevel=2,
        )
        return float("nan")
    return float(y_treated / n_treated - y_control / n_control)


def _bin_edges(sums: RankedSums, data: EvaluationData, n_bins: int, axis: np.ndarray) -> np.ndarray:
    total = axis[-1]
    if data.weight is None:
        # np.array_split sizes: the first n % n_bins bins hold one more row
        n = round(float(total))
        sizes = np.full(n_bins, n // n_bins)
        sizes[: n % n_bins] += 1
        return np.r_[0, np.cumsum(sizes)].astype(np.float64)
    return total * np.arange(n_bins + 1) / n_bins


def _bin_table(data: EvaluationData, n_bins: int, strategy: str) -> pd.DataFrame:
    if not isinstance(n_bins, int | np.integer) or isinstance(n_bins, bool) or n_bins < 1:
        raise UpliftInputError(f"n_bins must be a positive integer (e.g. 10 for deciles); got {n_bins!r}.")
    if n_bins > data.n_samples:
        raise UpliftInputError(f"n_bins={n_bins} is more than the {data.n_samples} rows; pass a smaller n_bins.")
    sums = ranked_sums(data, squares=True)
    squares_treated = cast(np.ndarray, sums.y2_treated)  # present: requested by squares=True
    squares_control = cast(np.ndarray, sums.y2_control)
    table: dict[str, np.ndarray] = {}
    for arm, cumulative in (("treatment", (sums.n_treated, sums.y_treated, squares_treated)),
                            ("control", (sums.n_control, sums.y_control, squares_control))):
        axis = sums.count if strategy == "overall" else cumulative[0]
        edges = _bin_edges(sums, data, n_bins, axis)
        # per-bin sums, then the totals over all rows for the last ("total") row
        n, y, y2 = (np.r_[np.diff(_at(edges, axis, values)), values[-1]] for values in cumulative)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = y / n
            variance = np.maximum(y2 / n - mean**2, 0.0)
            table[f"n_{arm}"] = n
            table[f"mean_{arm}"] = mean
            table[f"std_error_{arm}"] = np.sqrt(variance / n)
    frame = pd.DataFrame(table)
    frame["uplift"] = frame["mean_treatment"] - frame["mean_control"]
    frame["std_error"] = np.sqrt(frame["std_error_treatment"] ** 2 + frame["std_error_control"] ** 2)
    percent = [round(100 * j / n_bins) for j in range(n_bins + 1)]
    frame.index = pd.Index([f"{percent[j]}-{percent[j + 1]}" for j in range(n_bins)] + ["total"], name="percentile")
    order = ["n_treatment", "n_control", "mean_treatment", "mean_control", "uplift", "std_error",
             "std_error_treatment", "std_error_control"]
    return frame[order]


@keyword_only_from("treatment")
@renamed_parameters(bins="n_bins")
def uplift_by_percentile(
    y_true: Any, score: Any, *, treatment: Any, n_bins: int = 10, strategy: Strategy = "overall",
    sample_weight: Any = None, control_value: Any = None, treatment_value: Any = None,
) -> pd.DataFrame:
    """Per-bin sizes, mean outcomes, uplift and its standard error, from the highest scores down.

    Parameters
    ----------
    y_true, score, treatment, sample_weight, control_value, treatment_value
        As in :func:`qini_auc_score`.
    n_bins : int, default 10
        Number of bins of equal size (sizes as ``np.array_split``; equal weight with weights).
    strategy : {"overall", "by_group"}, default "overall"
        Bins of all customers ranked together, or of each arm ranked separately.

    Returns
    -------
    DataFrame
        One row per bin (index "0-10", "10-20", ...) and a last row "total" over all rows, with
        columns ``n_treatment``, ``n_control``, ``mean_treatment``, ``mean_control``,
        ``uplift``, ``std_error``, ``std_error_treatment``, ``std_error_control``.

    See Also
    --------
    weighted_average_uplift : Their weighted average.
    uplift.plotting.UpliftByPercentileDisplay : Plots the bins.

    Notes
    -----
    ``std_error = sqrt(s_t^2 / n_t + s_c^2 / n_c)`` with plug-in variances ``s^2 = mean(y^2) -
    mean(y)^2`` (``p (1 - p)`` for a binary outcome). The total row applies the same formula to
    all rows (scikit-uplift instead adds up the bins' standard errors, which overstates it by
    about ``sqrt(n_bins)``). A tie block crossing a bin edge is shared between the two bins in
    proportion, so counts may be fractional; no result depends on the order of tied rows.

    Examples
    --------
    >>> table = uplift_by_percentile([1, 0, 1, 0, 1, 0, 0, 1], [4, 3, 2, 1, 4, 3, 2, 1],
    ...                              treatment=[1, 0, 1, 0, 0, 1, 0, 1], n_bins=2)
    >>> table[["n_treatment", "n_control", "uplift"]]
                n_treatment  n_control  uplift
    percentile
    0-50                2.0        2.0     0.0
    50-100              2.0        2.0     1.0
    total               4.0        4.0     0.5
    """
    check_literal(strategy, Strategy, "strategy")
    data = _prepare(y_true, score, treatment, sample_weight, control_value, treatment_value, "uplift_by_percentile")
    return _bin_table(data, n_bins, strategy)


@keyword_only_from("treatment")
@renamed_parameters(bins="n_bins")
def weighted_average_uplift(
    y_true: Any, score: Any, *, treatment: Any, n_bins: int = 10, strategy: Strategy = "overall",
    sample_weight: Any = None, control_value: Any = None, treatment_value: Any = None,
) -> float:
    """Average of the per-bin uplifts of :func:`uplift_by_percentile`, weighted by treated bin sizes.

    As scikit-uplift defines it: ``Σ_b n_t,b uplift_b / Σ_b n_t,b`` over the bins whose uplift
    is defined. Parameters as in :func:`uplift_by_percentile`.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Observed outcome.
    score : array-like of shape (n,)
        Ranking score (higher = target first).
    treatment : array-like of shape (n,)
        Arm of each row.
    n_bins : int, default 10
        Number of bins of equal size.
    strategy : {"overall", "by_group"}, default "overall"
        Bins of all customers ranked together, or of each arm ranked separately.
    sample_weight : array-like of shape (n,), optional
        Frequency weights.
    control_value, treatment_value : object, optional
        Control label and treated arm to evaluate; required when there are several arms.

    Returns
    -------
    float
        NaN when no bin has a defined uplift.

    See Also
    --------
    uplift_by_percentile : The bins.

    Examples
    --------
    >>> weighted_average_uplift([1, 0, 1, 0, 1, 0, 0, 1], [4, 3, 2, 1, 4, 3, 2, 1],
    ...                         treatment=[1, 0, 1, 0, 0, 1, 0, 1], n_bins=2)
    0.5
    """
    check_literal(strategy, Strategy, "strategy")
    data = _prepare(y_true, score, treatment, sample_weight, control_value, treatment_value,
                    "weighted_average_uplift")
    table = _bin_table(data, n_bins, strategy).iloc[:-1]
    defined = table["uplift"].notna()
    weights = table.loc[defined, "n_treatment"]
    return float(np.sum(weights * table.loc[defined, "uplift"]) / np.sum(weights))


@keyword_only_from("treatment")
def treatment_balance_curve(
    score: Any, *, treatment: Any, window: int | None = None, sample_weight: Any = None,
    control_value: Any = None, treatment_value: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Share of treated customers in a sliding window down the ranking.

    Parameters
    ----------
    score, treatment : array-like of shape (n,)
    window : int, optional
        Rows per window; default ``max(1, n // 50)``.
    sample_weight, control_value, treatment_value
        As in :func:`qini_auc_score`.

    Returns
    -------
    x : ndarray
        Rank of the last row of each window (``window`` to ``n``).
    share : ndarray
        (Weighted) share of treated rows in the window. Rows in a tie block count with the
        block's average, so the curve does not depend on the order of tied rows.

    See Also
    --------
    uplift.plotting.TreatmentBalanceDisplay : Plots it.
    uplift.diagnostics.covariate_balance : The balance of the features.

    Examples
    --------
    >>> treatment_balance_curve([4, 3, 2, 1], treatment=[1, 1, 0, 0], window=2)
    (array([2, 3, 4]), array([1. , 0.5, 0. ]))
    """
    scores = np.asarray(score)
    data = _prepare(np.zeros(len(scores)), scores, treatment, sample_weight, control_value, treatment_value,
                    "treatment_balance_curve")
    n = data.n_samples
    window = max(1, n // 50) if window is None else int(window)
    if not 1 <= window <= n:
        raise UpliftInputError(f"window must be between 1 and the number of rows ({n}); got {window}.")
    order = np.argsort(data.score)[::-1]
    sorted_scores = data.score[order]
    block = np.r_[0, np.cumsum(sorted_scores[1:] != sorted_scores[:-1])]
    weight = np.ones(n) if data.weight is None else data.weight[order]
    treated_weight = weight * data.treated[order]
    block_weight = np.bincount(block, weights=weight)
    block_treated = np.bincount(block, weights=treated_weight)
    sizes = np.bincount(block)
    row_weight = np.r_[0.0, np.cumsum((block_weight / sizes)[block])]
    row_treated = np.r_[0.0, np.cumsum((block_treated / sizes)[block])]
    ends = np.arange(window, n + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (row_treated[ends] - row_treated[ends - window]) / (row_weight[ends] - row_weight[ends - window])
    return ends, share
