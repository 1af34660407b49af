"""Qini, cumulative-gain (uplift), lift and TOC curves, and the perfect curves.

All curves rank customers by decreasing score and take one point per distinct score: a block
of tied scores is one straight segment, so no curve depends on the order of tied rows. ``x`` is
the number of customers targeted (the sum of their weights), starting at 0. The random
baseline of the Qini and uplift curves is the straight line from ``(0, 0)`` to
``(x[-1], y[-1])``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..validation import keyword_only_from
from ._checks import EvaluationData, prepare
from ._ranking import RankedSums, ranked_sums, sums_from_group_counts

__all__ = [
    "lift_curve",
    "perfect_qini_curve",
    "perfect_uplift_curve",
    "qini_curve",
    "toc_curve",
    "uplift_curve",
]


def qini_values(sums: RankedSums, *, empty_control: str = "zero") -> tuple[np.ndarray, np.ndarray]:
    """Qini curve ``Y_t(k) - Y_c(k) N_t(k) / N_c(k)`` from ranked sums.

    ``empty_control="zero"`` (the default, as scikit-uplift) reads the ratio as 0 where no
    control customer is targeted yet, so the curve is ``Y_t(k)`` there: the perfect curve then
    rises to the number of treated responders first. ``"drop"`` leaves those points out.
    """
    # n_control is non-decreasing: the points before the first control customer lead the curve
    start = int(np.searchsorted(sums.n_control, 0.0, side="right"))
    values = sums.y_treated.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.divide(sums.n_treated[start:], sums.n_control[start:], dtype=np.float64)
    ratio *= sums.y_control[start:]
    values[start:] -= ratio
    if empty_control == "zero":
        return sums.count, values
    values[0] = 0.0
    return np.r_[sums.count[0], sums.count[start:]], np.r_[0.0, values[start:]]


def _arm_means(sums: RankedSums, empty: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_treated = sums.y_treated / sums.n_treated
        mean_control = sums.y_control / sums.n_control
    defined = (sums.n_treated > 0) & (sums.n_control > 0)
    if empty == "zero":
        mean_treated = np.where(sums.n_treated > 0, mean_treated, 0.0)
        mean_control = np.where(sums.n_control > 0, mean_control, 0.0)
    return mean_treated, mean_control, defined


def uplift_values(sums: RankedSums, *, empty_arm: str = "zero") -> tuple[np.ndarray, np.ndarray]:
    """Cumulative gain ``(mean_t(k) - mean_c(k)) k`` from ranked sums (see :func:`qini_values`)."""
    mean_treated, mean_control, defined = _arm_means(sums, empty_arm)
    with np.errstate(invalid="ignore"):
        values = (mean_treated - mean_control) * sums.count
    if empty_arm == "zero":
        return sums.count, values
    values[0] = 0.0
    defined[0] = True
    return sums.count[defined], values[defined]


def perfect_score(data: EvaluationData, curve: str) -> np.ndarray:
    """The score that ranks customers best for ``curve`` ("qini" or "uplift").

    Qini: treated customers by decreasing outcome first, control customers by increasing outcome
    last (``y (2t - 1)``; for a binary outcome: treated responders, then non-responders of both
    arms, then control responders). Uplift curve with a binary outcome: the ordering of
    Devriendt et al. (2020) used by scikit-uplift: treated responders, control non-responders,
    then control responders and treated non-responders in the order that keeps the curve highest.
    """
    signed = np.where(data.treated, data.y, -data.y)
    if curve == "qini" or data.outcome_type != "binary":
        return signed
    weight = np.ones(data.n_samples) if data.weight is None else data.weight
    control_responders = weight[(data.y == 1) & ~data.treated].sum()
    treated_non_responders = weight[(data.y == 0) & data.treated].sum()
    summand = data.y if control_responders > treated_non_responders else data.treated.astype(np.float64)
    return 2.0 * (data.y == data.treated) + summand


def _with_score(data: EvaluationData, score: np.ndarray) -> EvaluationData:
    return EvaluationData(y=data.y, score=score, treated=data.treated, weight=data.weight,
                          outcome_type=data.outcome_type, mask=data.mask)


def perfect_group_scores(curve: str, counts: list[float]) -> list[float]:
    """:func:`perfect_score` of the groups (control y=0, control y=1, treated y=0, treated y=1)."""
    if curve == "qini":
        return [0.0, -1.0, 0.0, 1.0]
    summand_is_y = counts[1] > counts[2]  # control responders > treated non-responders
    return [2.0, 1.0 if summand_is_y else 0.0, 0.0 if summand_is_y else 1.0, 3.0]


def perfect_sums(data: EvaluationData, curve: str) -> RankedSums:
    """Ranked sums of the perfect ranking; for a binary outcome from the four group totals alone."""
    if data.outcome_type != "binary":
        return ranked_sums(_with_score(data, perfect_score(data, curve)))
    group = data.treated.view(np.uint8) * np.uint8(2)
    group += data.y == 1.0
    counts = np.bincount(group, weights=data.weight, minlength=4).tolist()
    return sums_from_group_counts(perfect_group_scores(curve, counts), counts)


def trapezoid_from(x0: float, y0: float, x: np.ndarray, y: np.ndarray, unit_steps: bool = False) -> float:
    """Trapezoid area of the points ``x, y`` continuing a curve whose last point was ``(x0, y0)``.

    ``unit_steps``: ``x`` is ``x0 + 1, x0 + 2, ...``, so the area is the sum of ``y`` corrected at
    the two ends (no differences, no products).
    """
    if unit_steps:
        return float(y.sum() + (y0 - y[-1]) / 2.0)
    heights = y + np.r_[y0, y[:-1]]
    heights *= np.diff(x, prepend=x0)
    return float(heights.sum() / 2.0)


def perfect_sums_from_totals(curve: str, sums: RankedSums) -> RankedSums:
    """Ranked sums of the perfect ranking of a binary outcome, from the totals of ``sums``."""
    y_control, y_treated = float(sums.y_control[-1]), float(sums.y_treated[-1])
    counts = [float(sums.n_control[-1]) - y_control, y_control, float(sums.n_treated[-1]) - y_treated, y_treated]
    return sums_from_group_counts(perfect_group_scores(curve, counts), counts)


_PARAMETERS = """
    Parameters
    ----------
    y_true : array-like of shape (n,)
        Observed outcome (binary or continuous).
    score : array-like of shape (n,) or (n, n_arms)
        Predicted uplift or any ranking score: higher means "target first". With one column per
        treated arm, the column of ``treatment_value`` is used.
    treatment : array-like of shape (n,)
        Arm of each row.
    sample_weight : array-like of shape (n,), optional
        Frequency weights; ``x`` then counts weighted customers.
    control_value : object, optional
        Label of the control arm; required when ``treatment`` has more than two values.
    treatment_value : object, optional
        Treated arm to evaluate (rows of other arms are left out); required with several arms.
"""


def _curve_doc(func: Any) -> Any:
    func.__doc__ = func.__doc__.replace("    {parameters}\n", _PARAMETERS.lstrip("\n"))
    return func


@_curve_doc
@keyword_only_from("treatment")
def qini_curve(
    y_true: Any, score: Any, *, treatment: Any, sample_weight: Any = None, control_value: Any = None,
    treatment_value: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Qini curve: incremental outcomes among the ``k`` customers with the highest scores.

    {parameters}

    Returns
    -------
    x : ndarray
        Customers targeted, from 0 to n; one point per distinct score.
    y : ndarray
        Qini value ``Y_t(k) - Y_c(k) N_t(k) / N_c(k)`` at each ``x``.

    See Also
    --------
    qini_auc_score : Its normalised area.
    perfect_qini_curve : The best ranking's curve.
    uplift.plotting.QiniCurveDisplay : Plots it.

    Notes
    -----
    ``Y_t(k)``, ``Y_c(k)`` are the summed outcomes and ``N_t(k)``, ``N_c(k)`` the sizes of the
    treated and control customers among the top ``k``. Where no control customer has been
    reached yet the control term counts as 0 (the curve is ``Y_t(k)``), as in scikit-uplift.
    The last point is the total incremental outcome ``Y_t - Y_c N_t / N_c``.

    References
    ----------
    Radcliffe, N. J. (2007). Using control groups to target on predicted lift. Direct Marketing
    Analytics Journal, 3, 14-21.

    Examples
    --------
    >>> qini_curve([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.3], treatment=[1, 0, 1, 0])
    (array([0., 1., 2., 4.]), array([0., 1., 1., 2.]))
    """
    data = prepare(y_true, score, treatment, sample_weight=sample_weight, control_value=control_value,
                   treatment_value=treatment_value, context="qini_curve")
    return qini_values(ranked_sums(data))


@_curve_doc
@keyword_only_from("treatment")
def uplift_curve(
    y_true: Any, score: Any, *, treatment: Any, sample_weight: Any = None, control_value: Any = None,
    treatment_value: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Uplift (cumulative gain) curve: uplift among the top ``k`` customers, times ``k``.

    {parameters}

    Returns
    -------
    x : ndarray
        Customers targeted, from 0 to n; one point per distinct score.
    y : ndarray
        ``(Y_t(k) / N_t(k) - Y_c(k) / N_c(k)) k`` at each ``x``.

    See Also
    --------
    uplift_auc_score : Its normalised area.
    perfect_uplift_curve : The best ranking's curve.
    uplift.plotting.UpliftCurveDisplay : Plots it.

    Notes
    -----
    Where one arm has no customer among the top ``k`` yet, its mean counts as 0, as in
    scikit-uplift. The last point is ``n`` times the difference in mean outcomes.

    References
    ----------
    Gutierrez, P., & Gérardy, J.-Y. (2017). Causal inference and uplift modelling: a review of the
    literature. PMLR 67, 1-13.

    Examples
    --------
    >>> uplift_curve([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.3], treatment=[1, 0, 1, 0])
    (array([0., 1., 2., 4.]), array([0., 1., 2., 4.]))
    """
    data = prepare(y_true, score, treatment, sample_weight=sample_weight, control_value=control_value,
                   treatment_value=treatment_value, context="uplift_curve")
    return uplift_values(ranked_sums(data))


@_curve_doc
@keyword_only_from("treatment")
def lift_curve(
    y_true: Any, score: Any, *, treatment: Any, sample_weight: Any = None, control_value: Any = None,
    treatment_value: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Lift curve: difference in mean outcomes among the top ``k`` customers.

    {parameters}

    Returns
    -------
    x : ndarray
        Customers targeted; one point per distinct score, starting at the first score where
        both arms have customers (the lift of nobody is undefined).
    y : ndarray
        ``Y_t(k) / N_t(k) - Y_c(k) / N_c(k)``; the last value is the average treatment effect
        estimated by the difference in means.

    See Also
    --------
    toc_curve : The lift minus the overall effect.
    qini_curve, uplift_curve : The curves of a ranking.
    qini_auc_score, uplift_auc_score : Their normalised areas.

    Examples
    --------
    >>> lift_curve([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.3], treatment=[1, 0, 1, 0])
    (array([2., 4.]), array([1., 1.]))
    """
    data = prepare(y_true, score, treatment, sample_weight=sample_weight, control_value=control_value,
                   treatment_value=treatment_value, context="lift_curve")
    sums = ranked_sums(data)
    mean_treated, mean_control, defined = _arm_means(sums, "drop")
    return sums.count[defined], (mean_treated - mean_control)[defined]


@_curve_doc
@keyword_only_from("treatment")
def toc_curve(
    y_true: Any, score: Any, *, treatment: Any, sample_weight: Any = None, control_value: Any = None,
    treatment_value: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Targeting operator characteristic: lift among the top ``k`` minus the overall effect.

    {parameters}

    Returns
    -------
    x : ndarray
        Customers targeted (as in :func:`lift_curve`).
    y : ndarray
        ``TOC(k) = lift(k) - lift(n)``, estimated by differences in means; it ends at 0.

    See Also
    --------
    rate_score : Its weighted area, with a standard error.
    lift_curve : The lift itself.

    Notes
    -----
    This is the TOC of Yadlowsky et al. with difference-in-means estimates, valid in a
    randomized experiment. :func:`rate_score` integrates the TOC built from inverse-propensity
    or doubly robust scores, as grf does.

    References
    ----------
    Yadlowsky, S., Fleming, S., Shah, N., Brunskill, E., & Wager, S. (2025). Evaluating treatment
    prioritization rules via rank-weighted average treatment effects. JASA, 120(549), 38-51.

    Examples
    --------
    >>> toc_curve([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.3], treatment=[1, 0, 1, 0])
    (array([2., 4.]), array([0., 0.]))
    """
    data = prepare(y_true, score, treatment, sample_weight=sample_weight, control_value=control_value,
                   treatment_value=treatment_value, context="toc_curve")
    sums = ranked_sums(data)
    mean_treated, mean_control, defined = _arm_means(sums, "drop")
    lift = (mean_treated - mean_control)[defined]
    return sums.count[defined], lift - sums.total_uplift


@keyword_only_from("treatment")
def perfect_qini_curve(
    y_true: Any, *, treatment: Any, sample_weight: Any = None, control_value: Any = None,
    treatment_value: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Qini curve of the best ranking the observed outcomes allow.

    Ranks treated customers by decreasing outcome first and control customers by increasing
    outcome last (score ``y (2t - 1)``), the ranking scikit-uplift uses for a binary outcome
    (with ``negative_effect=True``). Parameters as in :func:`qini_curve`, without ``score``.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Observed outcome.
    treatment : array-like of shape (n,)
        Arm of each row.
    sample_weight : array-like of shape (n,), optional
        Frequency weights.
    control_value, treatment_value : object, optional
        Control label and treated arm to evaluate; required when there are several arms.

    Returns
    -------
    x, y : ndarray
        Number of customers targeted and incremental outcomes, as in :func:`qini_curve`.

    See Also
    --------
    qini_curve : The curve of a ranking.
    perfect_uplift_curve : The same for the uplift curve.

    Examples
    --------
    >>> perfect_qini_curve([1, 0, 1, 0, 1, 0], treatment=[1, 1, 0, 0, 1, 0])
    (array([0., 2., 5., 6.]), array([0., 2., 2., 1.]))
    """
    data = prepare(y_true, np.zeros(len(np.asarray(y_true))), treatment, sample_weight=sample_weight,
                   control_value=control_value, treatment_value=treatment_value, context="perfect_qini_curve")
    return qini_values(perfect_sums(data, "qini"))


@keyword_only_from("treatment")
def perfect_uplift_curve(
    y_true: Any, *, treatment: Any, sample_weight: Any = None, control_value: Any = None,
    treatment_value: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Uplift (cumulative gain) curve of the best ranking the observed outcomes allow.

    Binary outcome: treated responders, control non-responders, then control responders and
    treated non-responders in the order that keeps the curve highest (Devriendt et al. 2020, as
    scikit-uplift). Continuous outcome: the ranking of :func:`perfect_qini_curve`, a reference
    rather than a proven maximum. Parameters as in :func:`uplift_curve`, without ``score``.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Observed outcome.
    treatment : array-like of shape (n,)
        Arm of each row.
    sample_weight : array-like of shape (n,), optional
        Frequency weights.
    control_value, treatment_value : object, optional
        Control label and treated arm to evaluate; required when there are several arms.

    Returns
    -------
    x, y : ndarray
        Number of customers targeted and cumulative gain, as in :func:`uplift_curve`.

    See Also
    --------
    uplift_curve : The curve of a ranking.
    perfect_qini_curve : The same for the Qini curve.

    References
    ----------
    Devriendt, F., Van Belle, J., Guns, T., & Verbeke, W. (2020). Learning to rank for uplift
    modeling. IEEE TKDE 34(10).

    Examples
    --------
    >>> perfect_uplift_curve([1, 0, 1, 0, 1, 0], treatment=[1, 1, 0, 0, 1, 0])
    (array([0., 2., 4., 5., 6.]), array([0.      , 2.      , 4.      , 3.333333, 2.      ]))
    """
    data = prepare(y_true, np.zeros(len(np.asarray(y_true))), treatment, sample_weight=sample_weight,
                   control_value=control_value, treatment_value=treatment_value, context="perfect_uplift_curve")
    return uplift_values(perfect_sums(data, "uplift"))
