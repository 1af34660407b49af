"""What a plan really earns: incremental profit of a policy on a randomized holdout, with intervals.

For each holdout customer the realised profit is ``P_i = u·Y_i − 1{T_i ≠ 0}·(w_{T_i}·Y_i + δ_{T_i})``.
The value of giving arm ``a`` is estimated by inverse propensity weighting,
``Γ_i(a) = 1{T_i = a}·P_i / e_a``, or by the doubly robust (AIPW) score
``Γ_i(a) = m_a(x_i) + 1{T_i = a}·(P_i − m_a(x_i)) / e_a`` with ``m_a`` the predicted profit under
``a``. The incremental profit of a policy π over contacting nobody is ``Σ_i Γ_i(π_i) − Γ_i(0)``; its
standard error is ``sqrt(n)·sd(Γ(π) − Γ(0))``, and two policies are compared on the same rows
(paired), which removes most of the noise they share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._literals import CurveBy, EvaluationMethod, check_literal
from .._results import Result
from .._utils import preview
from ..exceptions import UpliftInputError
from ..inference import Estimate, normal_interval
from ..validation import check_consistent_length, check_outcome, check_treatment, keyword_only_from
from ._economics import Economics, check_outcomes
from ._plan import CampaignPlan

__all__ = ["PolicyEvaluation", "evaluate_policy", "policy_profit_curve"]



@dataclass(frozen=True, repr=False)
class PolicyEvaluation(Result):
    """Estimated incremental profit of a policy on a holdout, and how it compares with simple rules.

    Attributes
    ----------
    value : Estimate
        Total incremental profit over the holdout customers (versus contacting nobody), by ``method``.
    ipw, aipw : Estimate or None
        The same by each score (``aipw`` needs outcome predictions).
    comparisons : DataFrame
        One row per policy (the plan first, then the baselines): contacts, estimated value with its
        interval, and the paired difference *plan minus policy* with its interval and p-value.
    method : str
    n_samples : int

    See Also
    --------
    evaluate_policy : Computes it.
    """

    value: Estimate
    ipw: Estimate
    aipw: Estimate | None
    comparisons: pd.DataFrame
    method: str
    n_samples: int

    def summary(self) -> pd.DataFrame:
        """The comparisons: one row per policy (the plan first, then the baselines).

        Columns ``policy, contacts, estimate, std_error, ci_low, ci_high`` and, for the baselines,
        the paired difference *plan minus policy*: ``difference, difference_se, difference_ci_low,
        difference_ci_high, difference_p_value`` (two-sided).

        Returns
        -------
        DataFrame
            One row per policy.
        """
        return self.comparisons.copy()

    def __str__(self) -> str:
        lines = [f"{self.value.text(digits=2)} on {self.n_samples:,} holdout customers"]
        for row in self.comparisons.iloc[1:].itertuples():
            p_value = float(row.difference_p_value)  # type: ignore[arg-type]
            p = "p n/a" if not np.isfinite(p_value) else "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"
            lines.append(f"  plan - {row.policy}: {row.difference:,.2f} ({100 * (1 - self.value.alpha):g}% CI "
                         f"{row.difference_ci_low:,.2f} to {row.difference_ci_high:,.2f}; {p})")
        return "\n".join(lines)

    def _headline(self) -> dict[str, Any]:
        return {"method": self.method, "n_samples": self.n_samples, "estimate": self.value.estimate,
                "ci_low": self.value.ci_low, "ci_high": self.value.ci_high}


def _propensities(propensity: Any, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Assignment probabilities, shape (n, n_arms + 1): given, or the arm shares of a randomized holdout."""
    n = len(codes)
    if propensity is None:
        shares = np.bincount(codes, minlength=n_groups) / n
        return np.tile(shares, (n, 1))
    values = np.asarray(propensity, dtype=np.float64)
    if values.ndim == 0 and n_groups == 2:
        values = np.array([1.0 - float(values), float(values)])
    if values.shape == (n_groups,):
        values = np.tile(values, (n, 1))
    elif values.shape == (n,) and n_groups == 2:
        values = np.column_stack([1.0 - values, values])
    if values.shape != (n, n_groups):
        raise UpliftInputError(
            f"propensity must be P(treated) (one arm), one probability per arm (control first, {n_groups}) or an "
            f"array of shape ({n}, {n_groups}); got shape {values.shape}."
        )
    if not np.isfinite(values).all() or (values <= 0).any() or (values >= 1).any():
        raise UpliftInputError("propensity must be strictly between 0 and 1 for every arm.")
    sums = values.sum(axis=1)
    off = np.flatnonzero(np.abs(sums - 1.0) > 1e-6)
    if off.size:
        raise UpliftInputError(
            f"propensity must give each customer probabilities that sum to 1 over the {n_groups} arms (control "
            f"first); got a sum of {sums[off[0]]:.6g} in row {off[0]} ({off.size} row(s) off). Pass P(treated) for "
            "one arm, or one probability per arm including the control, e.g. [0.5, 0.25, 0.25]."
        )
    return values


def _check_holdout_outcome(y: Any, economics: Economics) -> np.ndarray:
    """The holdout's outcome, checked against the economics: 0/1 with ``value=``, any number with ``margin_rate=``."""
    y_array, _ = check_outcome(y, outcome_type="binary" if economics.outcome_type == "binary" else "auto")
    return y_array


def _arm_codes(treatment: Any, control_value: Any, arm_labels: np.ndarray) -> np.ndarray:
    info = check_treatment(treatment, control_value=control_value, context="evaluate_policy")
    missing = [a for a in info.arms if a not in set(arm_labels.tolist())]
    if missing:
        raise UpliftInputError(
            f"treatment has arm(s) {preview(missing)} that the policy does not know; its treated arms are "
            f"{preview(arm_labels)}. Pass arms= with the model's treatment_arms_."
        )
    position = {label: k + 1 for k, label in enumerate(arm_labels.tolist())}
    remap = np.r_[0, [position[a] for a in info.arms.tolist()]]
    return remap[info.codes]


def _scores(
    policy: np.ndarray, y: np.ndarray, codes: np.ndarray, economics: Economics, arm_labels: np.ndarray,
    outcomes: np.ndarray | None, propensity: np.ndarray,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-customer value scores Γ_i(a) for every arm (IPW, and AIPW when outcomes are given), shape (n, K+1)."""
    n, n_groups = len(y), len(arm_labels) + 1
    unit_value, unit_cost, contact = economics.resolve(n, arm_labels)
    rows = np.arange(n)
    treated = codes > 0
    column = np.maximum(codes - 1, 0)
    realised = unit_value * y - np.where(treated, unit_cost[rows, column] * y + contact[column], 0.0)
    hit = codes[:, None] == np.arange(n_groups)[None, :]
    ipw = hit * (realised / propensity[rows, codes])[:, None]
    if outcomes is None:
        return ipw, None
    predicted = np.empty((n, n_groups))
    predicted[:, 0] = unit_value * outcomes[:, 0]
    predicted[:, 1:] = (unit_value[:, None] - unit_cost) * outcomes[:, 1:] - contact[None, :]
    aipw = predicted + hit * ((realised - predicted[rows, codes]) / propensity[rows, codes])[:, None]
    return ipw, aipw


def _incremental(gamma: np.ndarray, policy: np.ndarray) -> np.ndarray:
    rows = np.arange(len(policy))
    return gamma[rows, policy] - gamma[:, 0]


def _total_estimate(scores: np.ndarray, alpha: float, name: str, fixed: float = 0.0) -> Estimate:
    n = len(scores)
    std_error = float(np.sqrt(n) * scores.std(ddof=1)) if n > 1 else float("nan")
    return Estimate.from_normal(float(scores.sum()) - fixed, std_error, alpha, name=name)


def _baselines(outcomes: np.ndarray, n_contacts: int, arm_labels: np.ndarray) -> dict[str, np.ndarray]:
    n, n_arms = outcomes.shape[0], outcomes.shape[1] - 1
    policies: dict[str, np.ndarray] = {"treat none": np.zeros(n, dtype=np.intp)}
    for k, label in enumerate(arm_labels, start=1):
        name = "treat all" if n_arms == 1 else f"treat all ({label})"
        policies[name] = np.full(n, k, dtype=np.intp)
    uplift = outcomes[:, 1:] - outcomes[:, :1]
    for name, score, arm in (
        ("rank by uplift", uplift.max(axis=1), uplift.argmax(axis=1) + 1),
        ("rank by response", outcomes[:, 1:].max(axis=1), outcomes[:, 1:].argmax(axis=1) + 1),
    ):
        chosen = np.zeros(n, dtype=np.intp)
        top = np.argsort(-score, kind="stable")[:n_contacts]
        chosen[top] = arm[top]
        policies[f"{name} (same volume)"] = chosen
    return policies


@keyword_only_from("treatment")
def evaluate_policy(
    policy: Any,
    y: Any,
    *,
    treatment: Any,
    economics: Economics | None = None,
    outcomes: Any = None,
    propensity: Any = None,
    control_value: Any = None,
    arms: Any = None,
    method: EvaluationMethod = "aipw",
    baselines: bool = True,
    alpha: float = 0.05,
) -> PolicyEvaluation:
    """Incremental profit of a plan (or any policy) on a randomized holdout, with standard errors.

    Parameters
    ----------
    policy : CampaignPlan or int array of shape (n,)
        Arm given to each holdout customer (0 = no contact, ``k`` = ``k``-th treated arm). A plan made
        on the holdout's predictions brings its economics, arm labels and outcomes.
    y : array of shape (n,)
        Observed outcome (conversion 0/1, or revenue with ``margin_rate=``).
    treatment : array of shape (n,)
        Arm each holdout customer actually got in the experiment.
    economics : Economics, optional
        Required when ``policy`` is an array.
    outcomes : array of shape (n, n_arms + 1), optional
        Outcome predictions on the holdout (control first). Needed for the AIPW score and the
        rank-by-uplift / rank-by-response baselines; taken from the plan when omitted.
    propensity : float, sequence or array, optional
        Assignment probabilities of the experiment; default: the arm shares of the holdout.
    control_value : object, optional
        Label of the control in ``treatment`` (default: the smallest).
    arms : sequence, optional
        Labels of the treated arms in policy order (default: the plan's, or the sorted treated labels).
    method : {"aipw", "ipw"}, default "aipw"
        Score reported as ``value`` (AIPW falls back to IPW without outcome predictions).
    baselines : bool, default True
        Compare with treat-none, treat-all (each arm) and, given outcomes, ranking by uplift and by
        response at the plan's number of contacts.
    alpha : float, default 0.05

    Returns
    -------
    PolicyEvaluation

    See Also
    --------
    policy_profit_curve : The profit at every depth.
    uplift.monitoring.compare_policies : Two policies, paired.

    Notes
    -----
    Realised profit ``P_i = u·Y_i − 1{T_i ≠ 0}·(w·Y_i + δ)``; IPW score ``Γ_i(a) = 1{T_i = a} P_i / e_a``;
    AIPW score ``Γ_i(a) = m_a + 1{T_i = a}(P_i − m_a)/e_a`` with ``m_0 = u·μ_0`` and
    ``m_k = (u − w_k)·μ_k − δ_k``. Value ``V(π) = Σ_i [Γ_i(π_i) − Γ_i(0)] − F·1{π contacts anyone}``
    with standard error ``sqrt(n)·sd_i(Γ_i(π_i) − Γ_i(0))``. Both scores are unbiased when the
    propensities are right (a randomized holdout); AIPW has smaller variance when ``m`` is good.

    References
    ----------
    Athey, S., Wager, S. (2021). Policy learning with observational data. Econometrica 89(1).
    Zhao, Z., Harinen, T. (2019). Uplift modeling for multiple treatments with cost optimization.
    IEEE DSAA.

    Examples
    --------
    >>> from uplift.campaign import plan_campaign
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(4000, random_state=0)
    >>> economics = Economics(value=30.0, contact_cost=0.5, conversion_cost=5.0)
    >>> plan = plan_campaign(data.mu, economics)
    >>> result = evaluate_policy(plan, data.y, treatment=data.treatment)
    >>> result.value.estimate > 0, list(result.comparisons["policy"])[:2]
    (True, ['plan', 'treat none'])
    """
    check_literal(method, EvaluationMethod, "method")
    arm_labels: np.ndarray | None
    if isinstance(policy, CampaignPlan):
        economics = policy.economics if economics is None else economics
        arm_labels = policy.arm_labels if arms is None else np.asarray(arms)
        outcomes = policy.scores.outcomes if outcomes is None else outcomes
        fixed = economics.fixed_cost
        policy_arm = policy.arm
    else:
        if economics is None:
            raise UpliftInputError("evaluate_policy needs economics= when policy is an array of arms.")
        policy_arm = np.asarray(policy)
        fixed = economics.fixed_cost
        arm_labels = None if arms is None else np.asarray(arms)
    y_array = _check_holdout_outcome(y, economics)
    if arm_labels is None:
        arm_labels = check_treatment(treatment, control_value=control_value).arms
    check_consistent_length(policy=policy_arm, y=y_array, treatment=np.asarray(treatment))
    if policy_arm.dtype.kind not in "iu" or (policy_arm < 0).any() or (policy_arm > len(arm_labels)).any():
        raise UpliftInputError(
            f"policy must hold arm codes 0..{len(arm_labels)} (0 = no contact); got {preview(np.unique(policy_arm))}."
        )
    codes = _arm_codes(treatment, control_value, arm_labels)
    n_groups = len(arm_labels) + 1
    if (np.bincount(codes, minlength=n_groups) == 0).any():
        raise UpliftInputError("every arm needs holdout customers to evaluate a policy; some arm has none.")
    e = _propensities(propensity, codes, n_groups)
    predicted = None
    if outcomes is not None:
        predicted = check_outcomes(outcomes, economics.outcome_type)
        if predicted.shape != (len(y_array), n_groups):
            raise UpliftInputError(
                f"outcomes must have shape ({len(y_array)}, {n_groups}) for this holdout; got {predicted.shape}."
            )
    ipw, aipw = _scores(policy_arm, y_array, codes, economics, arm_labels, predicted, e)
    chosen = aipw if (method == "aipw" and aipw is not None) else ipw
    used = "aipw" if chosen is aipw else "ipw"
    contacts = int((policy_arm > 0).sum())

    def fixed_of(arm: np.ndarray) -> float:
        return fixed if (arm > 0).any() else 0.0

    plan_scores = _incremental(chosen, policy_arm)
    value = _total_estimate(plan_scores, alpha, f"incremental profit ({used.upper()})", fixed_of(policy_arm))
    ipw_estimate = _total_estimate(_incremental(ipw, policy_arm), alpha, "incremental profit (IPW)",
                                   fixed_of(policy_arm))
    aipw_estimate = None if aipw is None else _total_estimate(
        _incremental(aipw, policy_arm), alpha, "incremental profit (AIPW)", fixed_of(policy_arm))
    rows = [{"policy": "plan", "contacts": contacts, **_row(value)}]
    if baselines:
        others = {"treat none": np.zeros(len(policy_arm), dtype=np.intp)}
        if predicted is not None:
            others = _baselines(predicted, contacts, arm_labels)
        else:
            for k, label in enumerate(arm_labels, start=1):
                others[f"treat all ({label})" if len(arm_labels) > 1 else "treat all"] = np.full(
                    len(policy_arm), k, dtype=np.intp)
        for name, arm in others.items():
            scores = _incremental(chosen, arm)
            estimate = _total_estimate(scores, alpha, name, fixed_of(arm))
            difference = _total_estimate(plan_scores - scores, alpha, f"plan - {name}",
                                         fixed_of(policy_arm) - fixed_of(arm))
            rows.append({"policy": name, "contacts": int((arm > 0).sum()), **_row(estimate),
                         "difference": difference.estimate, "difference_se": difference.std_error,
                         "difference_ci_low": difference.ci_low, "difference_ci_high": difference.ci_high,
                         "difference_p_value": difference.p_value})
    return PolicyEvaluation(value=value, ipw=ipw_estimate, aipw=aipw_estimate, comparisons=pd.DataFrame(rows),
                            method=used, n_samples=len(y_array))


def _row(estimate: Estimate) -> dict[str, float]:
    return {"estimate": estimate.estimate, "std_error": estimate.std_error, "ci_low": estimate.ci_low,
            "ci_high": estimate.ci_high}


@keyword_only_from("treatment")
def policy_profit_curve(
    plan: CampaignPlan,
    y: Any,
    *,
    treatment: Any,
    by: CurveBy = "depth",
    propensity: Any = None,
    control_value: Any = None,
    method: EvaluationMethod = "aipw",
    alpha: float = 0.05,
    n_points: int | None = 200,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Estimated incremental profit on a holdout of contacting the top customers, with a CI band.

    Customers of ``plan`` (made on the holdout's predictions, without constraints for the whole
    curve) are ordered by the expected ΔΠ of their best arm (``by="depth"``) or by ΔΠ per unit of
    expected spend (``by="budget"``), each given that best arm.

    Parameters
    ----------
    plan : CampaignPlan
        A plan made on the holdout's predictions.
    y : array-like of shape (n,)
        Observed outcome of the holdout.
    treatment : array-like of shape (n,)
        Arm given to each holdout customer.
    by : {"depth", "budget"}, default "depth"
        Order and x axis of the curve.
    propensity : float, sequence or array, optional
        Assignment probabilities of the holdout (default: its arm shares).
    control_value : object, optional
        Label of the control arm.
    method : {"aipw", "ipw"}, default "aipw"
        The estimator of each customer's profit.
    alpha : float, default 0.05
        1 - coverage of the band.
    n_points : int or None, default 200
        Points of the curve (None: all).

    Returns
    -------
    x, y, ci_low, ci_high : ndarray
        x = customers contacted (depth) or cumulative expected spend (budget); y = estimated total
        incremental profit of contacting the first x; the band is a pointwise normal interval with
        the standard error of a total of scores (``sqrt(n·var)`` of the score times the indicator of
        being targeted).

    See Also
    --------
    evaluate_policy : The whole plan.
    uplift.plotting.ProfitCurveDisplay : Plots it (``from_holdout``).

    Examples
    --------
    >>> from uplift.campaign import plan_campaign
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(2000, random_state=1)
    >>> plan = plan_campaign(data.mu, Economics(value=30.0, contact_cost=0.5, conversion_cost=5.0))
    >>> x, y, low, high = policy_profit_curve(plan, data.y, treatment=data.treatment)
    >>> bool((low <= y).all() and (y <= high).all())
    True
    """
    check_literal(by, CurveBy, "by")
    check_literal(method, EvaluationMethod, "method")
    scores_obj = plan.scores
    y_array = _check_holdout_outcome(y, plan.economics)
    check_consistent_length(plan=plan.arm, y=y_array, treatment=np.asarray(treatment))
    codes = _arm_codes(treatment, control_value, plan.arm_labels)
    e = _propensities(propensity, codes, len(plan.arm_labels) + 1)
    ipw, aipw = _scores(plan.arm, y_array, codes, plan.economics, plan.arm_labels,
                        scores_obj.outcomes if method == "aipw" else None, e)
    gamma = aipw if aipw is not None else ipw
    gain = plan.allowed_gain()  # eligibility applied, as in the plan
    best = np.argmax(gain, axis=1)
    rows = np.arange(len(best))
    best_gain, best_spend = gain[rows, best], scores_obj.spend[rows, best]
    key = best_gain if by == "depth" else np.where(best_spend > 0, best_gain / np.where(best_spend > 0, best_spend,
                                                                                        1.0), np.inf)
    order = np.argsort(-key, kind="stable")
    order = order[best_gain[order] > 0]
    increments = gamma[order, best[order] + 1] - gamma[order, 0]
    n = len(y_array)
    total = np.r_[0.0, np.cumsum(increments)]
    squares = np.r_[0.0, np.cumsum(increments**2)]
    std_error = np.sqrt(np.maximum(n / (n - 1) * (squares - total**2 / n), 0.0))
    x = np.arange(len(total)) if by == "depth" else np.r_[0.0, np.cumsum(best_spend[order])]
    low, high = normal_interval(total, std_error, alpha)
    if n_points is not None and len(x) > n_points:
        keep = np.unique(np.linspace(0, len(x) - 1, int(n_points)).round().astype(np.intp))
        return x[keep], total[keep], low[keep], high[keep]
    return x, total, low, high
