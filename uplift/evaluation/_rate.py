"""Rank-weighted average treatment effects (RATE) with half-sample bootstrap errors, as grf.

The targeting operator characteristic (TOC) at the top ``q`` share of customers is the average
of doubly robust (or inverse-propensity) scores among them minus their average over everybody.
RATE integrates it: AUTOC with uniform weight over customers, QINI with weight ``q``. Tied
priorities get the average score of their block (grf), so no result depends on row order.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..exceptions import UpliftInputError
from ..inference import Estimate, half_sample_indices
from ..validation import check_probability, keyword_only_from, renamed_parameters
from ._checks import EvaluationData, RateTarget, check_literal, prepare

__all__ = ["dr_scores", "rate_compare", "rate_point", "rate_score"]


def dr_scores(data: EvaluationData, propensity: Any = None, outcome_predictions: Any = None) -> np.ndarray:
    """Doubly robust scores ``m1 - m0 + W (Y - m1) / e - (1 - W) (Y - m0) / (1 - e)`` of the evaluated rows.

    Without ``outcome_predictions`` (``m0 = m1 = 0``) they are inverse-propensity scores; without
    ``propensity``, ``e`` is the (weighted) share of treated rows, so that their mean is the
    difference in means.
    """
    weight = np.ones(data.n_samples) if data.weight is None else data.weight
    if propensity is None:
        e = np.full(data.n_samples, weight[data.treated].sum() / weight.sum())
    elif np.ndim(propensity) == 0:
        e = np.full(data.n_samples, float(check_probability(propensity, "propensity", open_interval=True)))
    else:
        e = data.rows(check_probability(propensity, "propensity", open_interval=True))
        if len(e) != data.n_samples:
            raise UpliftInputError(
                f"propensity has {len(e)} entries; expected one per evaluated row ({data.n_samples})."
            )
    if outcome_predictions is None:
        m0 = m1 = np.zeros(data.n_samples)
    else:
        predictions = np.asarray(outcome_predictions, dtype=np.float64)
        if predictions.ndim != 2 or predictions.shape[1] < 2:
            raise UpliftInputError(
                "outcome_predictions must have shape (n, 2) (control, treated) or (n, n_arms + 1) as returned "
                f"by predict_outcomes; got shape {predictions.shape}."
            )
        predictions = data.rows(predictions)
        column = data.arm if predictions.shape[1] > 2 else 1
        m0, m1 = predictions[:, 0], predictions[:, column]
    treated = data.treated
    return m1 - m0 + np.where(treated, (data.y - m1) / e, -(data.y - m0) / (1.0 - e))


class _Ranking:
    """Rows sorted once by decreasing priority, with the id of each row's tie block."""

    def __init__(self, score: np.ndarray) -> None:
        # grf's order(priorities, decreasing = TRUE): tied rows keep their input order
        self.order = np.argsort(-score, kind="stable")
        sorted_scores = score[self.order]
        self.block = np.r_[0, np.cumsum(sorted_scores[1:] != sorted_scores[:-1])]
        self.n_blocks = int(self.block[-1]) + 1 if len(score) else 0

    def rate(self, gamma: np.ndarray, weight: np.ndarray, target: str, keep: np.ndarray | None = None) -> float:
        order = self.order if keep is None else self.order[keep[self.order]]
        block = self.block if keep is None else self.block[keep[self.order]]
        return rate_point(gamma[order], weight[order], block, self.n_blocks, target)


def rate_point(gamma: np.ndarray, weight: np.ndarray, block: np.ndarray, n_blocks: int, target: str) -> float:
    """RATE of scores ``gamma`` already sorted by decreasing priority (``block``: tie-block id per row)."""
    block_weight = np.bincount(block, weights=weight, minlength=n_blocks)
    block_sum = np.bincount(block, weights=gamma * weight, minlength=n_blocks)
    with np.errstate(invalid="ignore", divide="ignore"):
        averaged = (block_sum / block_weight)[block]
    cumulative_weight = np.cumsum(weight)
    total_weight = cumulative_weight[-1]
    weighted = averaged * weight
    ate = weighted.sum() / total_weight
    toc = np.cumsum(weighted) / cumulative_weight - ate
    if target == "AUTOC":
        return float(np.sum(toc * weight) / total_weight)
    return float(np.sum(cumulative_weight / total_weight * weight * toc) / total_weight)


def _prepare_rate(y_true, score, treatment, sample_weight, control_value, treatment_value, target, name):
    check_literal(target, RateTarget, "target")
    return prepare(y_true, score, treatment, sample_weight=sample_weight, control_value=control_value,
                   treatment_value=treatment_value, score_name=name, context="rate_score")


def _half_samples(data: EvaluationData, groups: Any, n_resamples: int, random_state: Any):
    group_rows = None if groups is None else data.rows(np.asarray(groups))
    for index in half_sample_indices(data.n_samples, n_resamples, groups=group_rows, random_state=random_state):
        keep = np.zeros(data.n_samples, dtype=bool)
        keep[index] = True
        yield keep


@keyword_only_from("treatment")
@renamed_parameters(n_bootstrap="n_resamples")
def rate_score(
    y_true: Any, score: Any, *, treatment: Any, target: RateTarget = "AUTOC", sample_weight: Any = None,
    control_value: Any = None, treatment_value: Any = None, propensity: Any = None,
    outcome_predictions: Any = None, n_resamples: int = 200, groups: Any = None, alpha: float = 0.05,
    random_state: Any = None,
) -> Estimate:
    """Rank-weighted average treatment effect of a prioritisation score, with its standard error.

    Parameters
    ----------
    y_true, score, treatment : array-like of shape (n,)
        Outcome (binary or continuous), priority (higher = treat first) and arm of each row.
    target : {"AUTOC", "QINI"}, default "AUTOC"
        AUTOC weighs every customer's TOC equally; QINI weighs the TOC at the top ``q`` share by ``q``.
    sample_weight : array-like of shape (n,), optional
    control_value, treatment_value : object, optional
        Control label and the treated arm to evaluate (required with several arms).
    propensity : float or array-like of shape (n,), optional
        P(treated) of each row; default: the share of treated rows (a randomized experiment).
    outcome_predictions : array-like of shape (n, 2) or (n, n_arms + 1), optional
        Predicted outcome of each row under control (column 0) and treatment, from a model fitted
        on other rows (cross-fitted). With them the scores are doubly robust (AIPW); without, IPW.
    n_resamples : int, default 200
        Half-samples for the standard error (``n_bootstrap`` is a deprecated alias).
    groups : array-like of shape (n,), optional
        Cluster id; half-samples draw whole clusters.
    alpha : float, default 0.05
    random_state : int, RandomState or None

    Returns
    -------
    Estimate
        RATE with the half-sample bootstrap standard error, a normal interval and the p-value of
        "RATE = 0" (no better than random).

    See Also
    --------
    rate_compare : Two prioritisations on the same half-samples.
    toc_curve : The curve whose weighted area RATE is.

    Notes
    -----
    With scores ``Γ_i`` (tie blocks averaged) sorted by decreasing priority and weights ``w_i``,
    ``W_j = Σ_{i≤j} w_i``, ``W = W_n``: ``TOC_j = Σ_{i≤j} w_i Γ_i / W_j - Σ_i w_i Γ_i / W``;
    ``AUTOC = Σ_j w_j TOC_j / W``; ``QINI = Σ_j (W_j / W) w_j TOC_j / W``. This is grf's
    ``rank_average_treatment_effect``; the standard error is the standard deviation over
    half-samples (``floor(m/2)`` of ``m`` clusters without replacement). Without weights (or with
    equal weights inside each tie block) the result does not depend on row order; with unequal
    weights inside a tie block, grf's AUTOC depends on the input order of the tied rows (through
    ``W_j``) and so does ours, which follows grf exactly (QINI does not: its sum is symmetric).

    References
    ----------
    Yadlowsky, S., Fleming, S., Shah, N., Brunskill, E., & Wager, S. (2025). Evaluating treatment
    prioritization rules via rank-weighted average treatment effects. JASA, 120(549), 38-51.

    Examples
    --------
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(2000, random_state=0)
    >>> result = rate_score(data.y, data.tau, treatment=data.treatment, target="QINI", n_resamples=50, random_state=0)
    >>> result.estimate > 0
    True
    """
    data = _prepare_rate(y_true, score, treatment, sample_weight, control_value, treatment_value, target, "score")
    gamma = dr_scores(data, propensity, outcome_predictions)
    weight = np.ones(data.n_samples) if data.weight is None else data.weight
    ranking = _Ranking(data.score)
    point = ranking.rate(gamma, weight, target)
    samples = np.array([ranking.rate(gamma, weight, target, keep)
                        for keep in _half_samples(data, groups, n_resamples, random_state)])
    std_error = float(np.std(samples, ddof=1)) if len(samples) > 1 else float("nan")
    result = Estimate.from_normal(point, std_error, alpha, name=f"RATE ({target})")
    return dataclasses.replace(result, method="half-sample-bootstrap")


@keyword_only_from("treatment")
@renamed_parameters(n_bootstrap="n_resamples")
def rate_compare(
    y_true: Any, score: Any, other_score: Any, *, treatment: Any, target: RateTarget = "AUTOC",
    sample_weight: Any = None, control_value: Any = None, treatment_value: Any = None, propensity: Any = None,
    outcome_predictions: Any = None, n_resamples: int = 200, groups: Any = None, alpha: float = 0.05,
    random_state: Any = None,
) -> Estimate:
    """Paired comparison ``RATE(score) - RATE(other_score)`` on the same half-samples.

    Parameters are those of :func:`rate_score`; ``other_score`` is the second prioritisation.
    The standard error is the spread of the difference over shared half-samples, so the
    correlation between the two rankings is accounted for (grf with two priorities).

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Observed outcome.
    score : array-like of shape (n,)
        Ranking score (higher = target first).
    other_score : array-like of shape (n,)
        The second prioritisation, compared on the same half-samples.
    treatment : array-like of shape (n,)
        Arm of each row.
    target : {"AUTOC", "QINI"}, default "AUTOC"
        RATE weighting, as in :func:`rate_score`.
    sample_weight : array-like of shape (n,), optional
        Frequency weights.
    control_value, treatment_value : object, optional
        Control label and treated arm to evaluate; required when there are several arms.
    propensity : float or array-like of shape (n,), optional
        P(treated) of each row; default: the share of treated rows.
    outcome_predictions : array-like, optional
        Cross-fitted outcome predictions (doubly robust scores), as in :func:`rate_score`.
    n_resamples : int, default 200
        Half-samples for the standard error.
    groups : array-like of shape (n,), optional
        Cluster id; half-samples draw whole clusters.
    alpha : float, default 0.05
        1 - coverage of the interval.
    random_state : int, RandomState or None
        Seed of the half-samples.

    Returns
    -------
    Estimate
        The difference, its standard error, interval and the p-value of "no difference".

    See Also
    --------
    rate_score : The RATE of one prioritisation.

    Examples
    --------
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(2000, random_state=0)
    >>> noise = np.random.default_rng(0).normal(size=2000)
    >>> diff = rate_compare(data.y, data.tau, noise, treatment=data.treatment, n_resamples=50, random_state=0)
    >>> diff.name
    'RATE (AUTOC) difference'
    """
    data = _prepare_rate(y_true, score, treatment, sample_weight, control_value, treatment_value, target, "score")
    other = _prepare_rate(y_true, other_score, treatment, sample_weight, control_value, treatment_value, target,
                          "other_score")
    gamma = dr_scores(data, propensity, outcome_predictions)
    weight = np.ones(data.n_samples) if data.weight is None else data.weight
    first, second = _Ranking(data.score), _Ranking(other.score)
    point = first.rate(gamma, weight, target) - second.rate(gamma, weight, target)
    samples = np.array([
        first.rate(gamma, weight, target, keep) - second.rate(gamma, weight, target, keep)
        for keep in _half_samples(data, groups, n_resamples, random_state)
    ])
    std_error = float(np.std(samples, ddof=1)) if len(samples) > 1 else float("nan")
    result = Estimate.from_normal(point, std_error, alpha, name=f"RATE ({target}) difference")
    return dataclasses.replace(result, method="half-sample-bootstrap")
