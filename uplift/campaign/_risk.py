"""Risk controls of a plan: treat only where profit is sure enough, and keep overspending unlikely."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from ..exceptions import UpliftInputError
from ._economics import ProfitScores
from ._hull import _slopes

__all__ = ["profit_lower_bound", "spend_moments", "trim_to_spend_risk"]


def _check_interval(effect_interval: Any, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    if not (isinstance(effect_interval, tuple | list) and len(effect_interval) == 2):
        raise UpliftInputError(
            "effect_interval must be a pair (low, high) of effect bounds, as a learner's effect_interval(X) "
            f"returns it; got {type(effect_interval).__name__}."
        )
    low, high = (np.asarray(bound, dtype=np.float64) for bound in effect_interval)
    if shape[1] == 1:
        low, high = low.reshape(-1, 1), high.reshape(-1, 1)
    if low.shape != shape or high.shape != shape:
        raise UpliftInputError(
            f"effect_interval bounds must have shape {shape} (customers x treated arms), like the effects; got "
            f"{low.shape} and {high.shape}."
        )
    if np.isnan(low).any() or np.isnan(high).any():
        raise UpliftInputError("effect_interval contains NaN; every customer needs bounds for every arm.")
    if (low > high).any():
        raise UpliftInputError("effect_interval has low > high for some customers; pass (low, high) in that order.")
    return low, high


def profit_lower_bound(scores: ProfitScores, effect_interval: Any) -> np.ndarray:
    """Lower confidence bound of ΔΠ_k from bounds ``(low, high)`` on the effect τ_k = μ_k − μ_0.

    Parameters
    ----------
    scores : ProfitScores
        Expected profit terms per customer and arm (:meth:`Economics.score`).
    effect_interval : tuple of arrays
        ``(low, high)`` bounds on the effect of each arm, shaped like the learner's ``predict``
        (``learner.effect_interval(X)``).

    Returns
    -------
    ndarray of shape (n_samples, n_arms)
        Lower confidence bound of the incremental profit ΔΠ of each arm.

    See Also
    --------
    plan_campaign : ``risk="conservative"`` plans on this bound.
    score_profit : The expected ΔΠ.

    Notes
    -----
    With ``μ_k = μ_0 + τ_k``, ``ΔΠ_k = (u − w_k)·τ_k − w_k·μ_0 − δ_k`` is monotone in τ_k, so its
    lower bound over ``[low, high]`` is attained at ``low`` when ``u ≥ w_k`` (the usual case) and at
    ``high`` otherwise. The baseline μ_0 is taken as predicted (its error is second order next to the
    effect's).

    Examples
    --------
    >>> from uplift.campaign import Economics
    >>> scores = Economics(value=30.0, conversion_cost=10.0, contact_cost=0.1).score([[0.01, 0.04]])
    >>> profit_lower_bound(scores, ([0.0], [0.06])).round(2).tolist()
    [[-0.2]]
    """
    low, high = _check_interval(effect_interval, scores.gain.shape)
    slope = scores.unit_value[:, None] - scores.unit_cost
    tau = np.where(slope >= 0, low, high)
    return slope * tau - scores.unit_cost * scores.outcomes[:, :1] - scores.contact_cost[None, :]


def spend_moments(arm: np.ndarray, scores: ProfitScores) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of each customer's spend under the plan (Bernoulli conversions)."""
    rows = np.arange(len(arm))
    column = np.maximum(arm - 1, 0)
    contacted = arm > 0
    mean = np.where(contacted, scores.spend[rows, column], 0.0)
    p = np.clip(scores.outcomes[rows, arm], 0.0, 1.0)
    variance = np.where(contacted, scores.unit_cost[rows, column] ** 2 * p * (1.0 - p), 0.0)
    return mean, variance


def trim_to_spend_risk(arm: np.ndarray, scores: ProfitScores, budget: float, alpha: float) -> np.ndarray:
    """Drop the least efficient contacts until ``P(spend > budget) <= alpha`` (normal approximation).

    Notes
    -----
    Total spend ``S = Σ_i (δ_i + w_i·Y_i)`` over contacted customers is a sum of independent scaled
    Bernoulli variables, so ``S ≈ N(Σ c_i, Σ w_i² p_i (1 − p_i))`` and ``P(S > B) ≤ α`` becomes
    ``E[S] + z_{1−α}·sd(S) ≤ B``. Contacts are kept in decreasing ΔΠ per unit of expected spend,
    as long as the running total satisfies the condition.
    """
    z = float(stats.norm.ppf(1.0 - alpha))
    mean, variance = spend_moments(arm, scores)
    members = np.flatnonzero(arm > 0)
    rows_gain = scores.gain[members, arm[members] - 1]
    order = members[np.argsort(-_slopes(mean[members], rows_gain), kind="stable")]
    fits = np.cumsum(mean[order]) + z * np.sqrt(np.cumsum(variance[order])) <= budget
    # keep the longest prefix that satisfies the condition (the running sum is not monotone in general)
    keep = int(np.argmin(fits)) if not fits.all() else fits.size
    trimmed = arm.copy()
    trimmed[order[keep:]] = 0
    return trimmed
