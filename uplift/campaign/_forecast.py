"""What will the plan earn? An honest forecast of its incremental profit, with an interval.

A plan selects the customers with the largest predicted profit, so any noise in the predictions
is selected too: the plan's own ``expected_incremental_profit`` is biased (the optimizer's curse).
The forecast here keeps the plan's plug-in profit and corrects it by how far such plug-in profits
were from realised profits on the *training* rows, where every prediction came from models that did
not see the row (the repeated cross-fit of :class:`uplift.learners.CalibratedLearner`) and the same
decision rule (the plan's prices) was applied. The correction is honest only if a training row's
prediction is as noisy as a new customer's: ``CalibratedLearner`` predicts new customers with one
fold model per repeat, and each training row with the same number of models that did not see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result, jsonable
from .._utils import plain
from ..exceptions import UpliftInputError, UpliftTypeError
from ..inference import Estimate, _check_alpha
from ..learners import CalibratedLearner, CrossFit
from ._economics import Economics, ProfitScores, score_profit

__all__ = ["ProfitForecast", "forecast_profit"]

#: How the forecast is made, as reported with it.
FORECAST_METHOD = "calibrated plug-in + cross-fitted doubly robust correction"


@dataclass(frozen=True, repr=False)
class ProfitForecast(Result):
    """Forecast of a plan's total incremental profit, with its interval and how it was made.

    Attributes
    ----------
    forecast : Estimate
        Total incremental profit of the plan's customers versus contacting nobody (fixed cost included).
    plug_in : float
        The plan's own ``expected_incremental_profit`` (the model's promise before correction).
    correction : float
        ``forecast - plug_in``: what the cross-fitted check on the training rows adds or removes.
    per_arm : DataFrame
        One row per treated arm: ``contacts`` (plan), ``plug_in``, ``correction``, ``std_error``,
        ``training_rows`` (training rows the rule gives that arm).
    method : str
    n_training : int

    See Also
    --------
    forecast_profit : Computes it.
    evaluate_policy : What a plan really earned on a holdout.
    """

    forecast: Estimate
    plug_in: float
    correction: float
    per_arm: pd.DataFrame
    method: str
    n_training: int

    def summary(self) -> pd.DataFrame:
        """Per-arm rows and a total row: contacts, plug_in, correction, forecast, std_error, ci_low, ci_high.

        Returns
        -------
        DataFrame
            One row per arm and a total row.
        """
        table = self.per_arm.copy()
        table["forecast"] = table["plug_in"] + table["correction"]
        total = {"arm": "total", "contacts": int(table["contacts"].sum()), "plug_in": self.plug_in,
                 "correction": self.correction, "std_error": self.forecast.std_error,
                 "training_rows": int(table["training_rows"].sum()), "forecast": self.forecast.estimate,
                 "ci_low": self.forecast.ci_low, "ci_high": self.forecast.ci_high}
        return pd.concat([table, pd.DataFrame([total])], ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"forecast": self.forecast, "plug_in": self.plug_in, "correction": self.correction,
                         "method": self.method, "n_training": self.n_training, "per_arm": self.per_arm})

    def _headline(self) -> dict[str, Any]:
        return {"forecast": self.forecast.estimate, "ci_low": self.forecast.ci_low, "ci_high": self.forecast.ci_high,
                "plug_in": self.plug_in, "n_training": self.n_training}

    def __str__(self) -> str:
        level = f"{100 * self.forecast.confidence_level:g}%"
        return (f"Forecast incremental profit {self.forecast.estimate:,.2f} ({level} interval "
                f"{self.forecast.ci_low:,.2f} to {self.forecast.ci_high:,.2f}); the model's plug-in says "
                f"{self.plug_in:,.2f}. Method: {self.method}, checked on {self.n_training:,} training rows.")


def training_decisions(scores: ProfitScores, solution: Any) -> np.ndarray:
    """The plan's decision rule applied to other customers: the arm that maximises the priced profit.

    With the plan's budget price ``θ``, contact price ``λ_0`` and arm prices ``λ_k``, customer ``i``
    gets ``argmax_k ΔΠ_ik − λ_0 − λ_k − θ c_ik`` when that is positive, else no contact: the
    Lagrangian rule that produced the plan (before its caps were repaired).
    """
    arm_prices = np.asarray(solution.arm_prices, dtype=np.float64)
    if arm_prices.size == 0:
        arm_prices = np.zeros(scores.n_arms)
    priced = (scores.gain - float(solution.contact_price) - arm_prices[None, :]
              - float(solution.budget_price) * scores.spend)
    best = np.argmax(priced, axis=1)
    return np.where(priced[np.arange(len(best)), best] > 0, best + 1, 0)


def _cross_fit_of(learner: Any) -> CrossFit:
    if isinstance(learner, CalibratedLearner):
        return learner.cross_fit_
    if isinstance(learner, CrossFit):
        return learner
    raise UpliftTypeError(
        f"learner must be a fitted uplift.learners.CalibratedLearner (or its cross_fit_); got "
        f"{type(learner).__name__}. Wrap the learner: CalibratedLearner(learner).fit(X, y, treatment=t), and plan "
        "with its predict_outcomes."
    )


def forecast_profit(
    plan: Any, learner: Any, *, economics: Economics | None = None, alpha: float = 0.05,
) -> ProfitForecast:
    """Forecast the plan's incremental profit from calibrated, cross-fitted effects, with an interval.

    What is forecast: the plan's *true* total incremental profit on its own customers (the sum over
    the plan's customers of the true profit of the arm chosen for them, versus no contact), for the
    plan as made, from the learner as fitted. The plan's plug-in (its own
    ``expected_incremental_profit``, from ``learner.predict_outcomes``) overstates it by the noise
    the plan selected; the forecast adds the plug-in's average error among training rows that the
    plan's decision rule gives the same arm, each row predicted by the learner's models that did
    not see it (``learner.cross_fit_.outcomes``: calibrated, out of fold, averaged over
    ``n_repeats`` cross-fits), measured against its outcome by a doubly robust correction.

    Parameters
    ----------
    plan : CampaignPlan
        Made by :func:`plan_campaign` from ``learner.predict_outcomes(X)``.
    learner : CalibratedLearner or CrossFit
        The fitted learner behind the plan (its ``cross_fit_`` holds the out-of-fold predictions
        and pseudo-outcomes of its training rows).
    economics : Economics, optional
        Economics valid for the training rows; default the plan's (pass one when the plan's has a
        value per customer).
    alpha : float, default 0.05

    Returns
    -------
    ProfitForecast

    Raises
    ------
    UpliftTypeError
        ``learner`` is not a fitted CalibratedLearner.
    UpliftInputError
        The plan and the learner have different numbers of arms.

    See Also
    --------
    plan_campaign : ``forecast_learner=`` attaches the forecast to the plan.
    uplift.learners.CalibratedLearner : The learner it needs.

    Notes
    -----
    On training row ``i``, with out-of-fold calibrated outcomes ``μ̂`` (twice out of fold: the
    inner learner and the calibration map both fitted without the row's fold), the plan's rule
    (:func:`training_decisions`) picks arm ``a_i``; its plug-in profit is ``ΔΠ̂_{i,a_i}`` and its
    doubly robust profit ``ΔΠ̂_{i,a_i} + c_i`` with

    ``c_i = 1{T_i = a_i} (u − w_a)(Y_i − μ̂_a) / e_a − 1{T_i = 0} u (Y_i − μ̂_0) / e_0``.

    ``E[c_i | a_i]`` is the average error of the plug-in profit among customers the rule gives
    ``a_i`` (unbiased with the design's propensities ``e``, whatever the errors of ``μ̂``). The
    forecast is the plan's plug-in profit plus, for each arm ``k``, ``n_k · mean(c_i | a_i = k)``
    (``n_k`` the plan's contacts of arm ``k``), with standard error
    ``sqrt(Σ_k n_k² var(c | a = k) / m_k)`` (``m_k`` training rows with ``a_i = k``) and a normal
    interval. Because the rule never saw ``Y_i``, the selection's
    noise cannot enter the correction.

    The correction measures the selection error of the *training rows'* predictor, so it is the
    plan's only when the plan's predictor is of the same kind. With
    :class:`~uplift.learners.CalibratedLearner` it is: ``predict`` averages one fold model per
    repeat (``n_repeats`` models, each fitted on a random ``(cv - 1) / cv`` of the rows), and row
    ``i``'s out-of-fold prediction averages the ``n_repeats`` models fitted without it, each on a
    random ``(cv - 1) / cv`` of the other rows: the two have the same distribution, and since
    they share most of their training rows, the correction follows this fit's own errors, not
    only their average. (When the plan averaged all ``cv`` fold models of one cross-fit while
    each row had one, the forecast over-corrected: 0.47 of the truth for the default T-learner on
    10,000 rows, ``docs/benchmarks.md``.) The interval covers the sampling error of the
    correction as if the training rows' corrections were independent; they are not quite, because
    each fold's models and calibration maps were fitted on the other folds' outcomes and the rule
    selects on their predictions (the covariance between folds of a cross-validated estimate, for
    which one cross-fit has no unbiased variance estimator: Bengio and Grandvalet, 2004; Bates,
    Hastie and Tibshirani estimate it by nested cross-validation, at ``cv - 1`` times the fits). On
    10,000 training rows the interval is therefore somewhat too narrow for the default S-learner: it
    covered the truth in 90% of 200 repetitions, and in 41 of 50 on 60,000 rows (the T-learner's in
    93.5% and 45 of 50, within the binomial noise of 95%; ``docs/benchmarks.md``, which also shows
    that the T-learner's excess comes from its fold models, the S-learner's from the maps). It
    assumes the plan's customers resemble the training rows. The plan's eligibility mask,
    ``risk="conservative"`` and the repair of its caps are not replayed on the training rows (only
    its prices are).

    References
    ----------
    Athey, S. and Wager, S. (2021). Policy learning with observational data. *Econometrica* 89(1).

    Bates, S., Hastie, T. and Tibshirani, R. (2024). Cross-validation: what does it estimate and how
    well does it do it? *Journal of the American Statistical Association*. arXiv:2104.00673.

    Bengio, Y. and Grandvalet, Y. (2004). No unbiased estimator of the variance of K-fold
    cross-validation. *Journal of Machine Learning Research* 5, 1089-1105.

    Chernozhukov, V., Demirer, M., Duflo, E. and Fernández-Val, I. (2018). Generic machine learning
    inference on heterogeneous treatment effects in randomized experiments. NBER WP 24678.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.campaign import Economics, plan_campaign
    >>> from uplift.datasets import make_uplift_classification
    >>> from uplift.learners import CalibratedLearner, TLearner
    >>> train = make_uplift_classification(4000, 5, random_state=0)
    >>> new = make_uplift_classification(2000, 5, random_state=1)
    >>> learner = CalibratedLearner(TLearner(LogisticRegression())).fit(train.X, train.y, treatment=train.treatment)
    >>> plan = plan_campaign(learner.predict_outcomes(new.X), Economics(value=30.0, contact_cost=0.5))
    >>> result = forecast_profit(plan, learner)
    >>> result.forecast.ci_low < result.forecast.estimate < result.forecast.ci_high
    True
    """
    alpha = _check_alpha(alpha)
    cross_fit = _cross_fit_of(learner)
    n_arms = cross_fit.outcomes.shape[1] - 1
    if plan.scores.n_arms != n_arms:
        raise UpliftInputError(
            f"the plan has {plan.scores.n_arms} treated arm(s) but the learner {n_arms}; forecast a plan made from "
            "this learner's predict_outcomes."
        )
    economics = plan.economics if economics is None else economics
    try:
        scores = score_profit(cross_fit.outcomes, economics, arms=plan.arm_labels)
    except UpliftInputError as error:
        raise UpliftInputError(
            f"the plan's economics do not apply to the learner's {len(cross_fit.y)} training rows ({error}). Pass "
            "economics= with values valid for the training rows (e.g. the average value per conversion)."
        ) from None
    decision = training_decisions(scores, plan.solution)
    rows = np.arange(len(decision))
    codes, y = cross_fit.codes, cross_fit.y
    propensity = cross_fit.propensity
    column = np.maximum(decision - 1, 0)
    unit_value = scores.unit_value
    treated_margin = unit_value - scores.unit_cost[rows, column]
    mu_arm = cross_fit.outcomes[rows, decision]
    correction = np.where(codes == decision, treated_margin * (y - mu_arm) / propensity[rows, decision], 0.0) - \
        np.where(codes == 0, unit_value * (y - cross_fit.outcomes[:, 0]) / propensity[:, 0], 0.0)
    weight = np.ones(len(y)) if cross_fit.weight is None else cross_fit.weight
    contacted = decision > 0
    pooled = _mean_and_variance(correction[contacted], weight[contacted])
    records, total_variance = [], 0.0
    plan_profit = plan.expected_profit
    for k, label in enumerate(plan.arm_labels, start=1):
        members = decision == k
        mean, variance, count = _mean_and_variance(correction[members], weight[members])
        if count < 2:
            mean, variance, count = pooled
        n_plan = int((plan.arm == k).sum())
        total_variance += n_plan**2 * variance / max(count, 1)
        records.append({"arm": plain(label), "contacts": n_plan,
                        "plug_in": float(plan_profit[plan.arm == k].sum()), "correction": n_plan * mean,
                        "std_error": float(np.sqrt(n_plan**2 * variance / max(count, 1))),
                        "training_rows": int(members.sum())})
    per_arm = pd.DataFrame.from_records(records)
    plug_in = float(plan.totals()["expected_incremental_profit"])
    correction_total = float(per_arm["correction"].sum()) if len(per_arm) else 0.0
    forecast = Estimate.from_normal(plug_in + correction_total, float(np.sqrt(total_variance)), alpha,
                                    name="forecast incremental profit")
    return ProfitForecast(forecast=forecast, plug_in=plug_in, correction=correction_total, per_arm=per_arm,
                          method=FORECAST_METHOD, n_training=len(y))


def _mean_and_variance(values: np.ndarray, weight: np.ndarray) -> tuple[float, float, int]:
    """Weighted mean, variance (ddof 1) and count of ``values``; zeros when empty."""
    count = len(values)
    if count == 0:
        return 0.0, 0.0, 0
    mean = float(np.average(values, weights=weight))
    variance = float(np.average((values - mean) ** 2, weights=weight)) * count / max(count - 1, 1)
    return mean, variance, count
