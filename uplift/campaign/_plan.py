"""`plan_campaign`: whom to contact, with which offer, under a budget and caps; and the plan it returns."""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._literals import CurveBy, Risk, check_literal
from .._results import Result, jsonable
from .._utils import plain, preview
from ..exceptions import EmptyPlanWarning, UpliftInputError, UpliftWarning
from ._economics import Economics, ProfitScores, score_profit
from ._forecast import ProfitForecast, forecast_profit
from ._hull import _slopes, budget_path
from ._optimizer import Solution, solve_knapsack
from ._risk import profit_lower_bound, spend_moments, trim_to_spend_risk

__all__ = ["CampaignPlan", "Risk", "plan_campaign", "profit_curve"]

logger = logging.getLogger(__name__)



@dataclass(frozen=True, repr=False)
class CampaignPlan(Result):
    """The chosen arm of every customer, with the expected profit and spend behind it.

    A plan is immutable (its arrays are read-only); :func:`dataclasses.replace` makes a changed copy.
    ``summary()`` is the per-arm table, ``str(plan)`` a few readable lines, ``to_dict()`` the totals,
    the per-arm table, the constraints and the optimizer's prices (the per-customer arms are in
    :meth:`to_frame`).

    Attributes
    ----------
    arm : ndarray of int, shape (n,)
        0 = no contact, ``k`` = the ``k``-th treated arm (``arm_labels[k - 1]``).
    rank : ndarray of int, shape (n,)
        Order of the contacted customers by expected profit per unit of expected spend
        (1 = most efficient; 0 = not contacted). Cutting the plan at rank ``r`` keeps the best part.
    scores : ProfitScores
        ΔΠ and expected spend of every customer and arm.
    ids : ndarray
        Customer ids (default: row numbers).
    arm_labels : ndarray
        Labels of the treated arms.
    economics : Economics
    solution : Solution
        Prices of the constraints found by the optimizer and its Lagrangian upper bound.
    constraints : dict
        The constraints the plan was made under.
    forecast : ProfitForecast or None
        The honest forecast of the plan's profit, with its interval, when ``plan_campaign`` was given
        ``forecast_learner`` (:func:`uplift.campaign.forecast_profit`).
    eligible : ndarray of bool, shape (n, n_arms), optional
        Which customer may get which arm (``eligible=`` and, with ``risk="conservative"``, a positive
        lower bound of ΔΠ); None when every option was allowed.

    See Also
    --------
    plan_campaign : Makes it.
    evaluate_policy : What it earns on a holdout.
    """

    arm: np.ndarray
    rank: np.ndarray
    scores: ProfitScores
    ids: np.ndarray
    arm_labels: np.ndarray
    economics: Economics
    solution: Solution
    constraints: dict[str, Any] = field(default_factory=dict)
    forecast: ProfitForecast | None = None
    eligible: np.ndarray | None = None

    @property
    def n_contacts(self) -> int:
        return int((self.arm > 0).sum())

    @property
    def expected_profit(self) -> np.ndarray:
        """ΔΠ of each customer's chosen arm (0 for no contact)."""
        rows = np.arange(len(self.arm))
        return np.where(self.arm > 0, self.scores.gain[rows, np.maximum(self.arm - 1, 0)], 0.0)

    @property
    def expected_spend(self) -> np.ndarray:
        """Expected spend on each customer under the chosen arm (0 for no contact)."""
        return spend_moments(self.arm, self.scores)[0]

    def contacts_per_arm(self) -> pd.Series:
        """Number of customers given each treated arm, indexed by arm label.

        Returns
        -------
        Series
            Indexed by arm label.
        """
        counts = np.bincount(self.arm, minlength=len(self.arm_labels) + 1)[1:]
        return pd.Series(counts, index=pd.Index(self.arm_labels, name="arm"), name="contacts")

    def totals(self) -> dict[str, Any]:
        """Contacts per arm, expected spend and expected incremental profit (fixed cost included).

        With a forecast (``plan_campaign(..., forecast_learner=...)``) also ``forecast_incremental_profit``,
        ``forecast_ci_low``, ``forecast_ci_high`` and ``forecast_method``.

        Returns
        -------
        dict
        """
        fixed = self.economics.fixed_cost if self.n_contacts else 0.0
        mean, variance = spend_moments(self.arm, self.scores)
        # the best plan pays the fixed cost only if it contacts anyone; contacting nobody (0) is always
        # possible unless arm minimums force contacts
        bound = self.solution.upper_bound - self.economics.fixed_cost
        minimum = self.constraints.get("arm_min")
        if self.n_contacts == 0 or minimum is None or not (np.asarray(minimum) > 0).any():
            bound = max(bound, 0.0)
        forecast = {} if self.forecast is None else {
            "forecast_incremental_profit": self.forecast.forecast.estimate,
            "forecast_ci_low": self.forecast.forecast.ci_low, "forecast_ci_high": self.forecast.forecast.ci_high,
            "forecast_method": self.forecast.method}
        return {
            "customers": len(self.arm),
            "contacts": self.n_contacts,
            "contacts_per_arm": {plain(a): int(c) for a, c in self.contacts_per_arm().items()},
            "expected_spend": float(mean.sum() + fixed),
            "spend_std": float(np.sqrt(variance.sum())),
            "expected_incremental_profit": float(self.expected_profit.sum() - fixed),
            "fixed_cost": float(fixed),
            "upper_bound": float(bound),
            **forecast,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per customer: id, arm, arm_label, rank, expected_profit, expected_spend, p0, p_arm.

        ``arm_label`` is the arm's label as text (``"none"`` for no contact); ``p0`` and ``p_arm`` are the
        predicted outcomes under the control and under the chosen arm.

        Returns
        -------
        DataFrame
            One row per customer.
        """
        rows = np.arange(len(self.arm))
        labels = np.asarray(["none", *(str(plain(a)) for a in self.arm_labels)], dtype=object)
        return pd.DataFrame({
            "id": self.ids,
            "arm": self.arm,
            "arm_label": labels[self.arm],
            "rank": self.rank,
            "expected_profit": self.expected_profit,
            "expected_spend": self.expected_spend,
            "p0": self.scores.outcomes[:, 0],
            "p_arm": self.scores.outcomes[rows, self.arm],
        })

    def summary(self) -> pd.DataFrame:
        """Per-arm table (contacts, expected spend, expected incremental profit) with a total row.

        With a forecast, also ``forecast`` (per arm and total) and the total's ``forecast_ci_low`` and
        ``forecast_ci_high``.

        Returns
        -------
        DataFrame
            One row per arm and a total row.
        """
        profit, spend = self.expected_profit, self.expected_spend
        rows = []
        for k, label in enumerate(self.arm_labels, start=1):
            members = self.arm == k
            rows.append({"arm": plain(label), "contacts": int(members.sum()),
                         "expected_spend": float(spend[members].sum()),
                         "expected_incremental_profit": float(profit[members].sum())})
        totals = self.totals()
        if totals["fixed_cost"]:
            rows.append({"arm": "fixed cost", "contacts": 0, "expected_spend": totals["fixed_cost"],
                         "expected_incremental_profit": -totals["fixed_cost"]})
        rows.append({"arm": "total", "contacts": totals["contacts"], "expected_spend": totals["expected_spend"],
                     "expected_incremental_profit": totals["expected_incremental_profit"]})
        table = pd.DataFrame(rows)
        if self.forecast is not None:
            per_arm = (self.forecast.per_arm["plug_in"] + self.forecast.per_arm["correction"]).to_numpy()
            table["forecast"] = np.r_[per_arm, [np.nan] * (len(table) - 1 - len(per_arm)),
                                      self.forecast.forecast.estimate]
            table["forecast_ci_low"] = np.r_[[np.nan] * (len(table) - 1), self.forecast.forecast.ci_low]
            table["forecast_ci_high"] = np.r_[[np.nan] * (len(table) - 1), self.forecast.forecast.ci_high]
        return table

    def __str__(self) -> str:
        totals = self.totals()
        per_arm = ", ".join(f"{arm}: {count:,}" for arm, count in totals["contacts_per_arm"].items())
        lines = [
            f"Contact {totals['contacts']:,} of {totals['customers']:,} customers ({per_arm}).",
            f"Expected spend {totals['expected_spend']:,.2f}; expected incremental profit "
            f"{totals['expected_incremental_profit']:,.2f} (upper bound {totals['upper_bound']:,.2f}).",
        ]
        if self.forecast is not None:
            lines.append(str(self.forecast))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Totals, the per-arm table, the constraints, the economics, the prices and the forecast (JSON-ready).

        Returns
        -------
        dict
            JSON-ready.
        """
        return jsonable({
            "totals": self.totals(), "arms": self.summary(), "constraints": self.constraints,
            "economics": self.economics.to_dict(), "solution": self.solution.to_dict(),
            "forecast": None if self.forecast is None else self.forecast.to_dict(),
        })

    def _headline(self) -> dict[str, Any]:
        totals = self.totals()
        return {key: totals[key] for key in ("customers", "contacts", "expected_spend", "expected_incremental_profit")}

    def to_csv(self, path: str | Path) -> Path:
        """Write :meth:`to_frame` as CSV and return the path.

        Parameters
        ----------
        path : str or Path
            The file to write.

        Returns
        -------
        Path
        """
        path = Path(path)
        self.to_frame().to_csv(path, index=False)
        return path

    def to_parquet(self, path: str | Path) -> Path:
        """Write :meth:`to_frame` as Parquet (needs pyarrow) and return the path.

        Parameters
        ----------
        path : str or Path
            The file to write.

        Returns
        -------
        Path
        """
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ImportError(
                "CampaignPlan.to_parquet needs pyarrow, which is not installed. Install it with "
                "`pip install pyarrow` (or `pip install uplift[dev]`), or export with to_csv()."
            ) from None
        path = Path(path)
        self.to_frame().to_parquet(path, index=False)
        return path

    def allowed_gain(self) -> np.ndarray:
        """ΔΠ of every customer and arm, ``-inf`` where the option was not eligible.

        Returns
        -------
        ndarray of shape (n, n_arms)
        """
        return self.scores.gain if self.eligible is None else np.where(self.eligible, self.scores.gain, -np.inf)

    def budget_curve(self, n_points: int | None = 200) -> tuple[np.ndarray, np.ndarray]:
        """LP profit versus expected spend for every budget (eligibility applied, side constraints not).

        Parameters
        ----------
        n_points : int or None, default 200
            Points of the curve; None keeps every breakpoint.

        Returns
        -------
        spend, profit : ndarray
            Expected spend and LP profit at each point.
        """
        return _thin(*budget_path(self.allowed_gain(), self.scores.spend), n_points)


def _thin(x: np.ndarray, y: np.ndarray, n_points: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most ``n_points`` vertices, always the first and the last (exact points, no interpolation)."""
    if n_points is None or len(x) <= n_points:
        return x, y
    keep = np.unique(np.linspace(0, len(x) - 1, int(n_points)).round().astype(np.intp))
    return x[keep], y[keep]


def _check_count(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not np.isfinite(float(value)) or float(value) < 0 or float(value) != int(value):
        raise UpliftInputError(f"{name} must be a non-negative whole number of customers; got {value!r}.")
    return int(value)


def check_price_sample(value: Any) -> int:
    """``price_sample`` of either planner: a positive whole number of customers."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise UpliftInputError(f"price_sample must be a positive whole number of customers, e.g. 100_000; got "
                               f"{value!r}.")
    return int(value)


def _per_arm_counts(spec: Any, name: str, arms: np.ndarray, default: float) -> np.ndarray | None:
    if spec is None:
        return None
    if isinstance(spec, Mapping):
        known = {plain(a) for a in arms}
        unknown = [k for k in spec if plain(k) not in known]
        if unknown:
            raise UpliftInputError(
                f"{name} names arm(s) {preview(unknown)} that the model does not know; its treated arms are "
                f"{preview(arms)}."
            )
        values = np.array([spec.get(plain(a), default) for a in arms], dtype=np.float64)
    else:
        values = np.asarray(spec, dtype=np.float64)
        values = np.full(len(arms), float(values)) if values.ndim == 0 else values
        if values.shape != (len(arms),):
            raise UpliftInputError(
                f"{name} must be a number, a mapping from arm label, or one number per treated arm "
                f"({len(arms)}); got {values.shape[0] if values.ndim == 1 else values.shape} values."
            )
    finite = values[np.isfinite(values)]
    if (values < 0).any() or (finite != np.round(finite)).any() or np.isnan(values).any():
        raise UpliftInputError(f"{name} must be non-negative whole numbers of customers; got {values.tolist()}.")
    return values


def _check_budget(budget: Any) -> float | None:
    if budget is None:
        return None
    try:
        value = float(budget)
    except (TypeError, ValueError):
        raise UpliftInputError(f"budget must be a number (an amount of money) or None; got {budget!r}.") from None
    if not np.isfinite(value) or value < 0:
        raise UpliftInputError(
            f"budget must be a non-negative, finite amount; got {budget!r}. Pass budget=None for no budget."
        )
    return value


def _eligibility(eligible: Any, shape: tuple[int, int]) -> np.ndarray | None:
    if eligible is None:
        return None
    mask = np.asarray(eligible)
    if mask.dtype.kind != "b":
        raise UpliftInputError(f"eligible must be a boolean mask; got dtype {mask.dtype}.")
    if mask.shape == (shape[0],):
        return np.repeat(mask[:, None], shape[1], axis=1)
    if mask.shape != shape:
        raise UpliftInputError(
            f"eligible must have shape ({shape[0]},) (per customer) or {shape} (per customer and arm); got "
            f"{mask.shape}."
        )
    return mask



def check_constraints(budget: Any, max_contacts: Any, arm_min: Any, arm_max: Any,
                      arm_labels: np.ndarray) -> tuple[float | None, int | None, np.ndarray | None, np.ndarray | None]:
    """The checked constraints of a plan: budget, contact cap and per-arm minimums and maximums.

    One check for every planner (in-process and ``uplift.spark``), so they refuse the same inputs
    with the same messages. Returns ``(budget, max_contacts, minimum, maximum)``, the per-arm bounds
    as arrays in the order of ``arm_labels`` (``None`` when not given).
    """
    budget = _check_budget(budget)
    max_contacts = _check_count(max_contacts, "max_contacts")
    minimum = _per_arm_counts(arm_min, "arm_min", arm_labels, 0.0)
    maximum = _per_arm_counts(arm_max, "arm_max", arm_labels, np.inf)
    if minimum is not None and maximum is not None and (minimum > maximum).any():
        raise UpliftInputError(f"arm_min must not exceed arm_max; got {minimum.tolist()} and {maximum.tolist()}.")
    if minimum is not None and max_contacts is not None and minimum.sum() > max_contacts:
        raise UpliftInputError(
            f"arm_min asks for {int(minimum.sum())} contacts in all, more than max_contacts={max_contacts}."
        )
    return budget, max_contacts, minimum, maximum

def plan_campaign(
    outcomes: Any,
    economics: Economics,
    *,
    budget: float | None = None,
    max_contacts: int | None = None,
    arm_min: Any = None,
    arm_max: Any = None,
    eligible: Any = None,
    arms: Any = None,
    ids: Any = None,
    risk: Risk = "expected",
    effect_interval: Any = None,
    spend_risk: float | None = None,
    random_state: int = 0,
    forecast_learner: Any = None,
    price_sample: int = 100_000,
) -> CampaignPlan:
    """Choose one arm (or no contact) per customer to maximise expected incremental profit.

    Parameters
    ----------
    outcomes : array of shape (n, n_arms + 1)
        Expected outcome under control and each treated arm (control first), e.g.
        ``learner.predict_outcomes(X)``: probabilities with ``Economics(value=...)``, revenue with
        ``Economics(margin_rate=...)``.
    economics : Economics
        Value of a conversion and costs per arm.
    budget : float, optional
        Cap on total expected spend (contact and conversion costs, plus the fixed cost).
    max_contacts : int, optional
        Cap on the number of customers contacted.
    arm_min, arm_max : int, sequence or mapping, optional
        Minimum / maximum number of customers per treated arm. Minimums are met when the budget and
        caps allow it (a warning says otherwise), even at a loss.
    eligible : bool array of shape (n,) or (n, n_arms), optional
        Who may be contacted (with which arm). Default: everyone, every arm.
    arms : sequence, optional
        Labels of the treated arms (a learner's ``treatment_arms_``); costs and caps given as
        mappings must use them. Default ``1, ..., n_arms``.
    ids : array of shape (n,), optional
        Customer ids for the exported plan (default: row numbers).
    risk : {"expected", "conservative"}, default "expected"
        ``"conservative"`` contacts a customer with an arm only where the lower confidence bound of
        ΔΠ is positive (needs ``effect_interval``).
    effect_interval : (low, high), optional
        Bounds on the effects ``μ_k − μ_0``, shape (n, n_arms) or (n,) with one arm, e.g. a learner's
        ``effect_interval(X, alpha=0.1)`` after fitting with bootstrap inference.
    spend_risk : float, optional
        With a budget: keep ``P(actual spend > budget) <= spend_risk`` (not only the expected spend),
        by the normal approximation of a sum of Bernoulli costs. Binary outcomes only.
    random_state : int, default 0
        Seed of the subsample used to warm-start the prices of side constraints on large problems.
    forecast_learner : CalibratedLearner, optional
        The fitted learner whose ``predict_outcomes`` gave ``outcomes``: the plan then carries an
        honest forecast of its profit with an interval (``plan.forecast``, in ``totals()`` and
        ``summary()``), see :func:`uplift.campaign.forecast_profit`. The plug-in
        ``expected_incremental_profit`` of a plan selected on noisy predictions is biased upward.
    price_sample : int, default 100_000
        With side caps, the prices of the caps are set on a random sample of this many customers
        with a profitable arm when there are more than twice as many (on all of them otherwise).

    Returns
    -------
    CampaignPlan

    Raises
    ------
    UpliftInputError
        Negative budget or caps, arms in the economics the model does not know, NaN outcomes,
        probabilities outside [0, 1], inconsistent caps.

    Warns
    -----
    EmptyPlanWarning
        Nobody is contacted (no profitable customer, or a budget below the cheapest contact).

    See Also
    --------
    Economics : The money side.
    Policy : The plan's prices, for new customers.
    evaluate_policy : What the plan earns on a holdout.

    Notes
    -----
    Maximises ``Σ_i ΔΠ_{i,a(i)}`` with ``ΔΠ_k = u·(μ_k − μ_0) − w_k·μ_k − δ_k`` (see
    :class:`Economics`) subject to the constraints: a multiple-choice knapsack. Its LP relaxation is
    solved exactly by the convex-hull greedy path of Sverdrup et al. (2025): per customer, the upper
    convex hull of (expected spend, ΔΠ) over the arms and no contact; segments taken in decreasing
    profit per unit of spend across customers until the budget is spent. The plan stops before the
    first segment that does not fit, so it never exceeds the budget and falls short of the LP
    optimum by less than one customer's segment; that gap is then closed by filling the budget left
    with the moves that fit and comparing with the best single option, and plans with at most 2,000
    (customer, arm) options are solved exactly (HiGHS). A fixed cost is weighed against the whole
    plan: nobody is contacted when the plan does not earn it back. Side constraints enter through Lagrange prices on
    the profits, set by exact coordinate-wise minimisation of the dual; ties are repaired so no
    constraint is exceeded. ``plan.totals()["upper_bound"]`` is the dual bound on the best possible
    expected profit.

    References
    ----------
    Sverdrup, E., Wu, H., Athey, S., Wager, S. (2025). Qini curves for multi-armed treatment rules.
    Journal of Computational and Graphical Statistics.
    Sinha, P., Zoltners, A. A. (1979). The multiple-choice knapsack problem. Operations Research 27(3).

    Examples
    --------
    >>> economics = Economics(value=30.0, contact_cost=0.10, conversion_cost=10.0)
    >>> outcomes = [[0.50, 0.55], [0.01, 0.04], [0.02, 0.06]]
    >>> plan = plan_campaign(outcomes, economics, budget=1.2)
    >>> plan.arm.tolist(), round(plan.totals()["expected_incremental_profit"], 2)
    ([0, 1, 1], 0.9)
    """
    check_literal(risk, Risk, "risk")
    scores = score_profit(outcomes, economics, arms=arms)
    n, n_arms = scores.gain.shape
    arm_labels = np.arange(1, n_arms + 1) if arms is None else np.asarray(arms)
    budget, max_contacts, minimum, maximum = check_constraints(budget, max_contacts, arm_min, arm_max, arm_labels)
    price_sample = check_price_sample(price_sample)
    mask = _eligibility(eligible, scores.gain.shape)
    if risk == "conservative":
        if effect_interval is None:
            raise UpliftInputError(
                "risk='conservative' needs effect_interval=(low, high), e.g. learner.effect_interval(X) from a "
                "learner fitted with inference=Bootstrap(...)."
            )
        sure = profit_lower_bound(scores, effect_interval) > 0
        mask = sure if mask is None else mask & sure
    if spend_risk is not None:
        if budget is None:
            raise UpliftInputError("spend_risk needs a budget: it bounds the probability of spending more than it.")
        if economics.outcome_type != "binary":
            raise UpliftInputError(
                "spend_risk models conversions as Bernoulli draws; it needs value= (binary outcome).")
        if not 0.0 < float(spend_risk) < 0.5:
            raise UpliftInputError(f"spend_risk must be a probability in (0, 0.5), e.g. 0.05; got {spend_risk!r}.")
    gain = scores.gain if mask is None else np.where(mask, scores.gain, -np.inf)
    variable_budget = None if budget is None else budget - economics.fixed_cost
    ids_array = np.arange(n) if ids is None else np.asarray(ids)
    if ids_array.shape != (n,):
        raise UpliftInputError(f"ids must have one value per customer ({n}); got shape {ids_array.shape}.")
    constraints = {"budget": budget, "max_contacts": max_contacts, "arm_min": minimum, "arm_max": maximum,
                   "eligible": None if mask is None else int(mask.any(axis=1).sum()), "risk": risk,
                   "spend_risk": spend_risk}
    fixed = float(economics.fixed_cost)
    forced = minimum is not None and bool((minimum > 0).any())
    reason = None
    if variable_budget is not None and variable_budget < 0:
        solution = Solution(arm=np.zeros(n, dtype=np.intp), upper_bound=0.0)
        reason = f"the budget ({budget:.4g}) does not cover the fixed cost ({fixed:.4g})"
    else:
        solution = _solve(gain, scores, variable_budget, max_contacts, minimum, maximum, spend_risk, random_state,
                          price_sample)
        earned = float(np.where(solution.arm > 0, gain[np.arange(n), np.maximum(solution.arm - 1, 0)], 0.0).sum())
        if fixed > 0 and not forced and (solution.arm > 0).any() and earned <= fixed:
            # the fixed cost is paid once for the whole plan: a plan that does not earn it back loses money
            reason = (f"the best plan found earns {earned:.4g} before the fixed cost of {fixed:.4g}, which it does not "
                      "cover; contacting nobody earns 0")
            solution = dataclasses.replace(solution, arm=np.zeros(n, dtype=np.intp))
    arm = solution.arm
    _warn_if_short(arm, scores, gain, variable_budget, minimum, arm_labels, reason)
    plan = CampaignPlan(arm=arm, rank=_rank(arm, scores), scores=scores, ids=ids_array, arm_labels=arm_labels,
                        economics=economics, solution=solution, constraints=constraints, eligible=mask)
    if forecast_learner is not None:
        plan = dataclasses.replace(plan, forecast=forecast_profit(plan, forecast_learner))
    return plan


def _solve(
    gain: np.ndarray, scores: ProfitScores, budget: float | None, max_contacts: int | None,
    minimum: np.ndarray | None, maximum: np.ndarray | None, spend_risk: float | None, random_state: int,
    price_sample: int,
) -> Solution:
    solution = solve_knapsack(gain, scores.spend, budget=budget, max_contacts=max_contacts, arm_min=minimum,
                              arm_max=maximum, random_state=random_state, price_sample=price_sample)
    if spend_risk is None or budget is None:
        return solution
    # shrink the budget given to the optimizer until mean + z·sd of the spend fits the real budget
    z = float(stats.norm.ppf(1.0 - float(spend_risk)))
    working = budget
    for _ in range(20):
        mean, variance = spend_moments(solution.arm, scores)
        excess = mean.sum() + z * np.sqrt(variance.sum()) - budget
        if excess <= 0:
            break
        working = max(working - excess, 0.0)
        solution = solve_knapsack(gain, scores.spend, budget=working, max_contacts=max_contacts, arm_min=minimum,
                                  arm_max=maximum, random_state=random_state, price_sample=price_sample)
    return dataclasses.replace(solution, arm=trim_to_spend_risk(solution.arm, scores, budget, float(spend_risk)))


def _rank(arm: np.ndarray, scores: ProfitScores) -> np.ndarray:
    """1, 2, ... for contacted customers in decreasing ΔΠ per unit of expected spend; 0 for the others."""
    column = np.maximum(arm - 1, 0)
    members = np.flatnonzero(arm > 0)
    efficiency = _slopes(scores.spend[members, column[members]], scores.gain[members, column[members]])
    order = members[np.lexsort((-scores.gain[members, column[members]], -efficiency))]
    rank = np.zeros(len(arm), dtype=np.int64)
    rank[order] = np.arange(1, order.size + 1)
    return rank


def _warn_if_short(
    arm: np.ndarray, scores: ProfitScores, gain: np.ndarray, budget: float | None, minimum: np.ndarray | None,
    arm_labels: np.ndarray, reason: str | None = None,
) -> None:
    if not (arm > 0).any():
        profitable = gain > 0
        if reason is None and not profitable.any():
            reason = "no customer has a positive expected incremental profit with any arm at these costs"
        elif reason is None and budget is not None and budget < scores.spend[profitable].min():
            reason = (f"the budget left for contacts ({budget:.4g}) is smaller than the cheapest profitable contact "
                      f"({scores.spend[profitable].min():.4g})")
        elif reason is None and minimum is not None and (minimum > 0).any():
            reason = "the budget and caps leave no room for the arm minimums"
        elif reason is None:
            reason = "the constraints leave no room for a contact"
        warnings.warn(f"The campaign plan contacts nobody: {reason}.", EmptyPlanWarning, stacklevel=3)
        return
    if minimum is not None:
        counts = np.bincount(arm, minlength=len(arm_labels) + 1)[1:]
        short = [f"{plain(arm_labels[k])!r}: {counts[k]} < {int(minimum[k])}" for k in range(len(arm_labels))
                 if counts[k] < minimum[k]]
        if short:
            warnings.warn(
                f"arm_min is not met ({', '.join(short)}): no plan found meets it within the budget and caps; raise "
                "the budget or lower the minimums.", UpliftWarning, stacklevel=3)


def profit_curve(
    outcomes: Any,
    economics: Economics | None = None,
    *,
    by: CurveBy = "depth",
    arms: Any = None,
    eligible: Any = None,
    n_points: int | None = 200,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected incremental profit versus targeting depth or versus budget.

    Parameters
    ----------
    outcomes : array of shape (n, n_arms + 1) or CampaignPlan
        Outcome predictions (control first), or a plan (its scores and eligibility are reused).
    economics : Economics
        Required with an outcome array.
    by : {"depth", "budget"}
        ``"depth"``: x = number of customers contacted, best arm each, in decreasing ΔΠ;
        ``"budget"``: x = expected spend, y = the LP optimum at that budget (the convex-hull path).
    arms : sequence, optional
        Labels of the treated arms (needed when costs are given by label).
    eligible : array-like of bool, optional
        Which customer may get which arm, shape (n,) or (n, n_arms).
    n_points : int or None, default 200
        Keep at most this many curve vertices (None: all).

    Returns
    -------
    x, y : ndarray
        Starting at (0, 0); the fixed cost is not included.

    See Also
    --------
    plan_campaign : One point of it, with caps.

    Examples
    --------
    >>> economics = Economics(value=30.0, contact_cost=0.10, conversion_cost=10.0)
    >>> x, y = profit_curve([[0.50, 0.55], [0.01, 0.04]], economics, by="depth")
    >>> x.tolist(), y.round(2).tolist()
    ([0, 1, 2], [0.0, 0.4, -3.7])
    """
    check_literal(by, CurveBy, "by")
    if isinstance(outcomes, CampaignPlan):
        scores = outcomes.scores
        gain = outcomes.allowed_gain()
    else:
        if economics is None:
            raise UpliftInputError("profit_curve needs economics= with an outcome array.")
        scores = score_profit(outcomes, economics, arms=arms)
        mask = _eligibility(eligible, scores.gain.shape)
        gain = scores.gain if mask is None else np.where(mask, scores.gain, -np.inf)
    if by == "budget":
        return _thin(*budget_path(gain, scores.spend), n_points)
    best = gain.max(axis=1)
    best = best[np.isfinite(best)]
    y = np.r_[0.0, np.cumsum(np.sort(best)[::-1])]
    return _thin(np.arange(len(y)), y, n_points)
