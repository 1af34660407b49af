"""`Policy`: a fitted learner, the economics and the constraints, frozen into a deployable decision rule.

``Policy(learner, economics, budget=...).fit(X_reference)`` solves the campaign plan on a reference
population and keeps the Lagrange prices of its constraints (θ per unit of spend, λ_0 per contact,
λ_k per contact with arm ``k``). ``decide(X)`` then gives each new customer, alone, the arm that
maximises the price-adjusted gain ``ΔΠ_k − θ·c_k − λ_0 − λ_k`` (no contact unless it is positive):
a map over rows, so one customer scored today gets the answer he would get in tomorrow's batch.
``plan(X)`` instead re-solves the whole knapsack on a new file under the same constraints.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .._literals import check_literal
from .._utils import plain
from ..exceptions import UpliftInputError, UpliftTypeError
from ..learners import CalibratedLearner
from ._economics import Economics, score_profit
from ._explore import assign_holdout
from ._plan import CampaignPlan, Risk, _check_budget, _check_count, _per_arm_counts, plan_campaign
from ._risk import profit_lower_bound

__all__ = ["Policy"]

logger = logging.getLogger(__name__)


class Policy(BaseEstimator):
    """A deployable targeting rule: whom to contact with which arm, decided one customer at a time.

    Parameters
    ----------
    learner : fitted uplift learner
        Any learner of :mod:`uplift.learners`, already fitted (it is used, never refitted).
    economics : Economics
        Value of a conversion and costs per arm. Per-arm costs may be sequences or mappings by arm
        label; ``value`` and ``order_value`` must be one number for everyone (see Raises).
    budget : float, optional
        Cap on total expected spend of the plan on the reference population (fixed cost included).
    max_contacts : int, optional
        Cap on the number of customers contacted in the reference population.
    arm_min, arm_max : int, sequence or mapping, optional
        Minimum / maximum number of customers per treated arm in the reference population.
    risk : {"expected", "conservative"}, default "expected"
        ``"conservative"`` contacts with an arm only where the lower bound of ΔΠ is positive; needs a
        learner fitted with ``inference=Bootstrap(...)`` (its ``effect_interval`` at ``alpha=0.1``).

    Attributes
    ----------
    prices_ : dict
        ``{"budget": θ, "contact": λ_0, "arms": ndarray (n_arms,)}``: the Lagrange prices of the
        reference plan (0 for a constraint that does not bind).
    arm_labels_ : ndarray
        Labels of the treated arms (``learner.treatment_arms_``).
    control_value_ : object
        Label of the control arm, used as the ``arm`` of customers not contacted.
    fixed_cost_covered_ : bool
        Whether the reference plan contacts anyone. If not (no profitable customer, or a fixed cost
        the plan does not earn back), :meth:`decide` contacts nobody.
    reference_plan_summary_ : dict
        ``n_reference``, ``n_contacts``, ``contacts_per_arm``, ``expected_spend`` and
        ``expected_incremental_profit`` of the plan on the reference population; with a
        :class:`~uplift.learners.CalibratedLearner` also its honest forecast
        (``forecast_incremental_profit``, ``forecast_ci_low``, ``forecast_ci_high``, ``forecast_method``;
        see :func:`~uplift.campaign.forecast_profit`).

    See Also
    --------
    plan_campaign : The plan whose prices the policy freezes.
    evaluate_policy : What a plan earned on a randomized holdout.
    uplift.io.save : Saves a policy in a safe, checksummed format.

    Notes
    -----
    :meth:`decide` is the Lagrangian decision rule at the reference prices. On a population
    distributed like the reference it spends about what the reference plan spends per customer,
    but it does not enforce the constraints on a new batch: a batch of different size or
    composition may spend more or less than ``budget``. :meth:`plan` enforces them exactly on the
    batch it is given. The fixed cost is paid once per campaign and cannot be weighed per customer;
    :meth:`decide` uses the reference plan's verdict on it (``fixed_cost_covered_``).

    Raises
    ------
    UpliftInputError
        From :meth:`fit`: economics with one ``value`` or ``order_value`` per customer (they belong
        to the reference customers and cannot apply to new ones; use :func:`plan_campaign` for a
        one-off plan with per-customer values), bad constraints, or an unfitted learner.

    Examples
    --------
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import TLearner
    >>> from sklearn.linear_model import LogisticRegression
    >>> data = make_uplift_classification(2_000, n_arms=2, random_state=0)
    >>> learner = TLearner(LogisticRegression()).fit(data.X, data.y, treatment=data.treatment)
    >>> economics = Economics(value=30.0, contact_cost=0.5, conversion_cost=[5.0, 8.0])
    >>> policy = Policy(learner, economics, budget=300.0).fit(data.X)
    >>> decisions = policy.decide(data.X[:3])
    >>> list(decisions.columns)
    ['arm', 'expected_incremental_profit', 'expected_spend', 'effect_1', 'effect_2']
    >>> policy.decide(data.X[:1]).equals(decisions[:1])
    True
    """

    def __init__(
        self,
        learner: Any,
        economics: Economics,
        *,
        budget: float | None = None,
        max_contacts: int | None = None,
        arm_min: Any = None,
        arm_max: Any = None,
        risk: Risk = "expected",
    ) -> None:
        self.learner = learner
        self.economics = economics
        self.budget = budget
        self.max_contacts = max_contacts
        self.arm_min = arm_min
        self.arm_max = arm_max
        self.risk = risk

    # -- fitting ----------------------------------------------------------------------------------
    def fit(self, X_reference: Any) -> Policy:
        """Solve the plan on a reference population and freeze the prices of its constraints.

        Parameters
        ----------
        X_reference : array-like or DataFrame of shape (n, p)
            Customers like those the policy will decide on (e.g. last campaign's file).

        Returns
        -------
        self
        """
        self._check_setup()
        reference = self._plan(X_reference)
        solution = reference.solution
        n_arms = len(self.learner.treatment_arms_)
        arm_prices = np.asarray(solution.arm_prices, dtype=np.float64)
        self.prices_ = {
            "budget": float(solution.budget_price),
            "contact": float(solution.contact_price),
            "arms": arm_prices if arm_prices.shape == (n_arms,) else np.zeros(n_arms),
        }
        self.arm_labels_ = np.asarray(self.learner.treatment_arms_)
        self.control_value_ = self.learner.control_value_
        totals = reference.totals()
        self.fixed_cost_covered_ = bool(reference.n_contacts > 0)
        self.reference_plan_summary_ = {
            "n_reference": int(totals["customers"]),
            "n_contacts": int(totals["contacts"]),
            "contacts_per_arm": totals["contacts_per_arm"],
            "expected_spend": float(totals["expected_spend"]),
            "expected_incremental_profit": float(totals["expected_incremental_profit"]),
        }
        if reference.forecast is not None:
            self.reference_plan_summary_.update(
                {key: totals[key] for key in ("forecast_incremental_profit", "forecast_ci_low", "forecast_ci_high",
                                              "forecast_method")})
        logger.debug("policy prices: %s", self.prices_)
        return self

    def _check_setup(self) -> None:
        if not isinstance(self.economics, Economics):
            raise UpliftTypeError(
                f"economics must be an uplift.campaign.Economics; got {type(self.economics).__name__}.")
        check_literal(self.risk, Risk, "risk")
        check_is_fitted(self.learner, "models_")
        _check_budget(self.budget)
        _check_count(self.max_contacts, "max_contacts")
        for name in ("value", "order_value"):
            spec = getattr(self.economics, name)
            if spec is not None and np.ndim(spec) > 0:
                raise UpliftInputError(
                    f"Policy needs economics.{name} as one number for every customer; got an array of shape "
                    f"{np.shape(spec)}. Per-customer values belong to the customers they were given for and "
                    f"cannot apply to new ones: pass a single number, or plan a one-off file with "
                    f"plan_campaign(outcomes, Economics({name}=array), ...)."
                )
        arms = np.asarray(self.learner.treatment_arms_)
        _per_arm_counts(self.arm_min, "arm_min", arms, 0.0)
        _per_arm_counts(self.arm_max, "arm_max", arms, np.inf)

    def _interval(self, X: Any) -> Any:
        if self.risk != "conservative":
            return None
        if getattr(self.learner, "inference_", None) is None:
            raise UpliftInputError(
                "Policy(risk='conservative') needs a learner fitted with inference=Bootstrap(...), for its "
                "effect_interval; refit it so, or use risk='expected'."
            )
        return self.learner.effect_interval(X, alpha=0.1)

    def _plan(self, X: Any) -> CampaignPlan:
        outcomes = self.learner.predict_outcomes(X)
        ids = X.index.to_numpy() if isinstance(X, pd.DataFrame) else None
        return plan_campaign(
            outcomes, self.economics, budget=self.budget, max_contacts=self.max_contacts, arm_min=self.arm_min,
            arm_max=self.arm_max, arms=self.learner.treatment_arms_, ids=ids, risk=self.risk,
            effect_interval=self._interval(X),
            forecast_learner=self.learner if isinstance(self.learner, CalibratedLearner) else None,
        )

    # -- using it ---------------------------------------------------------------------------------
    def decide(
        self, X: Any, *, explore: float = 0.0, control_share: float = 0.0, random_state: Any = None
    ) -> pd.DataFrame:
        """The arm of each customer of ``X``, decided alone with the frozen prices.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, p)
            Index a DataFrame by customer id when exploring: each customer's random draw is hashed
            from its index value (for an array, from its row number).
        explore : float, default 0.0
            Share of customers in the exploration holdout: their arm is drawn uniformly among all
            arms, no contact included, whatever the policy says (see ``uplift.campaign._explore``).
        control_share : float, default 0.0
            Share of customers in a global control group, never contacted.
        random_state : int, Generator, RandomState or None
            Seed of the holdout draws; with an int the draws are a pure function of (index value,
            seed), so one customer gets the same draw alone or in any batch.

        Returns
        -------
        DataFrame indexed like ``X`` (row numbers for an array)
            ``arm`` (the arm label; ``control_value_`` = no contact), ``expected_incremental_profit``
            and ``expected_spend`` of the chosen arm (0 for no contact), and ``effect_<label>``, the
            predicted effect of each treated arm. With ``explore`` or ``control_share`` above 0,
            also ``policy_arm`` (the policy's own choice; ``arm`` is then the arm actually given),
            ``propensity`` (the probability with which ``arm`` was chosen for that customer) and
            ``holdout`` in {"policy", "explore", "global_control"}.

        Raises
        ------
        UpliftInputError
            Shares outside [0, 1) or summing to 1 or more; a duplicated index when exploring.

        Notes
        -----
        ``arm = argmax_k (ΔΠ_k − θ·c_k − λ_0 − λ_k)`` if that maximum is positive (and the reference
        plan contacts anyone), otherwise no contact. Each row depends on that row only.
        """
        check_is_fitted(self, "prices_")
        outcomes = self.learner.predict_outcomes(X)
        scores = score_profit(outcomes, self.economics, arms=self.arm_labels_)
        adjusted = (scores.gain - self.prices_["budget"] * scores.spend - self.prices_["contact"]
                    - np.asarray(self.prices_["arms"])[None, :])
        interval = self._interval(X)
        if interval is not None:
            adjusted = np.where(profit_lower_bound(scores, interval) > 0, adjusted, -np.inf)
        rows = np.arange(len(adjusted))
        best = adjusted.argmax(axis=1)
        contact = (adjusted[rows, best] > 0) & self.fixed_cost_covered_
        arm = np.where(contact, best + 1, 0)
        labels = np.asarray([self.control_value_, *self.arm_labels_], dtype=object)
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(arm))
        exploring = explore != 0 or control_share != 0  # a negative share must reach the check
        given = arm
        if exploring:
            given, propensity, holdout = assign_holdout(arm, index, len(self.arm_labels_), explore=explore,
                                                        control_share=control_share, random_state=random_state)
        chosen = given - 1
        frame = pd.DataFrame({
            "arm": labels[given],
            "expected_incremental_profit": np.where(given > 0, scores.gain[rows, np.maximum(chosen, 0)], 0.0),
            "expected_spend": np.where(given > 0, scores.spend[rows, np.maximum(chosen, 0)], 0.0),
        }, index=index)
        effects = outcomes[:, 1:] - outcomes[:, :1]
        for k, label in enumerate(self.arm_labels_):
            frame[f"effect_{plain(label)}"] = effects[:, k]
        if exploring:
            frame["policy_arm"] = labels[arm]
            frame["propensity"] = propensity
            frame["holdout"] = holdout
        return frame

    def plan(self, X: Any) -> CampaignPlan:
        """Re-solve the plan on the whole of ``X`` under the same constraints (not map-only).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, p)

        Returns
        -------
        CampaignPlan
            Ids are ``X.index`` for a DataFrame.
        """
        check_is_fitted(self, "prices_")
        return self._plan(X)

    def to_dict(self) -> dict[str, Any]:
        """The constraints and the fitted prices as plain, JSON-serialisable values (learner excluded).

        Returns
        -------
        dict
            The constraints and the fitted prices as plain, JSON-serialisable values (learner excluded).
        """
        def jsonable(value: Any) -> Any:
            if isinstance(value, np.ndarray):
                return [plain(v) for v in value.tolist()]
            if isinstance(value, dict):
                return {str(plain(k)): jsonable(v) for k, v in value.items()}
            return plain(value)

        state: dict[str, Any] = {
            "budget": self.budget, "max_contacts": self.max_contacts, "arm_min": jsonable(self.arm_min),
            "arm_max": jsonable(self.arm_max), "risk": self.risk,
        }
        if hasattr(self, "prices_"):
            state.update({
                "prices": jsonable(self.prices_), "arm_labels": jsonable(self.arm_labels_),
                "control_value": plain(self.control_value_), "fixed_cost_covered": self.fixed_cost_covered_,
                "reference_plan_summary": jsonable(self.reference_plan_summary_),
            })
        return state
