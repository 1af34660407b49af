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

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._results import Result, jsonable
from .._utils import plain
from ..exceptions import UpliftInputError, UpliftTypeError, UpliftWarning
from ..inference import Estimate, _check_alpha
from ..learners import CalibratedLearner, CrossFit, CrossFitRepeats, MapRefits
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
        One row per treated arm: ``contacts`` (plan), ``plug_in``, ``correction``, ``std_error``
        (widened as the total's, with the arm's own model-choice part), ``training_rows`` (training
        rows the rule gives that arm).
    method : str
    n_training : int
    inflation : float
        The factor by which the standard error of independent rows was widened for the calibration
        maps' own noise (1.0: not widened); measured by ``n_draws`` bootstrap draws.
    n_draws : int
        Bootstrap draws behind ``inflation`` (0: none).
    model_choice_std_error : float
        The standard error, added in quadrature, of which fold model of each repeat the plan's
        predictions come from (0.0: not measured, e.g. ``n_repeats=1`` or no per-repeat record).
    n_blocks : int
        Refits without a block of rows behind ``selection_covariance``
        (``CalibratedLearner(forecast_blocks=)``; 0: none).
    selection_covariance : float
        The variance added for the covariance that the rows' outcomes give one another through the
        rule's selection, measured by those refits (never below 0; 0.0 without them).

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
    inflation: float = 1.0
    n_draws: int = 0
    model_choice_std_error: float = 0.0
    n_blocks: int = 0
    selection_covariance: float = 0.0

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
                         "method": self.method, "n_training": self.n_training, "inflation": self.inflation,
                         "n_draws": self.n_draws, "model_choice_std_error": self.model_choice_std_error,
                         "n_blocks": self.n_blocks, "selection_covariance": self.selection_covariance,
                         "per_arm": self.per_arm})

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
    plan: Any, learner: Any, *, economics: Economics | None = None, alpha: float = 0.05, n_draws: int = 200,
    random_state: Any = 0,
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
    n_draws : int, default 200
        Draws of the wild bootstrap that measures how much the calibration maps' own noise widens
        the interval (see the Notes); 0 leaves that noise out (too narrow when the maps move the
        rule's selection). Each draw refits every fold map, not the models. Not run for a learner
        fitted with ``forecast_blocks``, whose refits hold the maps' noise too.
    random_state : int, Generator or None, default 0
        Seed of the bootstrap (the same plan and learner then give the same interval).

    Returns
    -------
    ProfitForecast

    Raises
    ------
    UpliftTypeError
        ``learner`` is not a fitted CalibratedLearner.
    UpliftInputError
        The plan and the learner have different numbers of arms, or ``n_draws`` is neither 0 nor an
        integer of at least 20.

    Warns
    -----
    UpliftWarning
        The cross-fit keeps no per-repeat record (a model saved before it was kept, or a CrossFit
        built by hand) and ``n_draws`` is not 0: neither the maps' noise nor the choice of fold
        models can be measured, and the interval is the one of independent rows.

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
    10,000 rows, ``docs/benchmarks.md``.)

    The standard error above treats the training rows' corrections as independent. They are not
    quite: each fold's calibration maps were fitted on the other folds' pseudo-outcomes, and the
    rule selects rows on the maps' output, so one row's outcome moves which *other* rows the rule
    selects (most for the default S-learner, whose compressed effects put many rows near the
    rule's threshold; ``docs/benchmarks.md``). The forecast measures that by a wild bootstrap of
    the maps (``n_draws`` draws; Mammen, 1993): in a world whose true outcome probabilities are
    the cross-fit's own (``cross_fit_.outcomes``), each draw gives every training row the outcome
    ``μ̂_{T_i} + (Y_i − μ̂_{T_i}) v_i`` with ``v_i = ±1`` at equal odds, refits every fold map on
    it (:class:`~uplift.learners.MapRefits`, the fold models held), replays the rule and computes
    the correction's error against its target in that world (each arm's rows counted at the
    forecast's ``n_k / m_k``, so that the plan's contacts follow the rows' selection). The same
    draws with the maps held give the variance of independent rows; the standard error is
    multiplied by the square root of the ratio of the two variances (``inflation``, never below
    1). What it leaves out: the fold *models*' own dependence on the other folds' outcomes (the
    covariance between folds of a cross-validated estimate, for which one cross-fit has no
    unbiased variance estimator: Bengio and Grandvalet, 2004; Bates, Hastie and Tibshirani
    estimate it by nested cross-validation, at ``cv - 1`` times the fits), which is what remains
    of the T-learner's excess spread; a learner fitted with ``forecast_blocks`` measures it (below).
    Measured on the 3-arm synthetic campaign
    (``docs/benchmarks.md``): with the default S-learner the 95% interval covered the truth in 190
    of 200 repetitions on 10,000 training rows (180 without the bootstrap; the standard error grew
    by 9% on average) and in 43 of 50 on 60,000 (41), where the maps add only 3% and the interval
    stayed somewhat too narrow until the model-choice term below; with the default T-learner in 164
    of 174 on 10,000 rows (162 without; the standard error grew by 10%).

    One more part of the error is not the rows' at all: ``predict`` keeps one fold model of each
    repeat (``n_repeats`` of the ``cv × n_repeats`` fitted), and which one is chance. Another fold's
    model would have predicted the plan's customers a little differently, and the plan's selected
    error follows that model's own deviation, which does not average out over the plan's customers
    and which the correction (each training row predicted by other models) does not share. It is
    measured where each fold model predicted out of fold
    (:meth:`~uplift.learners.CrossFitRepeats.repeat_effects`: every repeat's prediction of the row
    through ``predict``'s maps): on fold ``f`` of repeat ``r``, the profit of the rows the rule
    gives arm ``k``, at the forecast's scale, minus the same rows' mean over the repeats. Its mean
    square over the folds, less the rows' own scatter and times ``R / (R − 1)``, is one model's
    variance; the plan averages ``R`` models, and the training rows' predictor, whose models change
    from fold to fold, carries ``1/cv`` of the plan's share, so ``(1 + 1/cv) / R`` of it is added
    (``model_choice_std_error``; not with ``n_repeats=1``, where there is no second repeat to
    measure against). The control outcome's own deviation is left out (it enters the profit at the
    conversion cost, not at the value). So is the part of that error that comes from the customers
    another model would have swapped in or out at the rule's margin: its size is the learner's
    unexplained effect heterogeneity there, which the pseudo-outcomes measure far too noisily to
    use. Against planning the same customers with other choices of fold models
    (``docs/benchmarks.md``): with the default S-learner the measured variance was 1.03 and 0.95 of
    the whole (pooled over 8 seeds at 10,000 training rows and 6 at 60,000), with a
    logistic-regression T-learner about half (the swapped customers matter more for a learner that
    explains less). It is about 0.3 of the S-learner's standard error on 60,000 rows, where the
    interval with both parts covered the truth in 92 of 100 repetitions (a true 95% gives 90-99; the
    z's spread is 1.12, so read it there as about a 92-93% interval). Every learner's coverage at
    10,000 and 60,000 rows: ``docs/benchmarks.md``, "Where it stands". With a rare outcome the fold
    models' dependence is larger: on Starbucks-shaped data with known truth (purchases near 1%,
    42,267 training rows) the default T-learner's interval covered the truth in 137 of 152
    repetitions and the S-learner's in 55 of 63 (z spread about 1.24 and 1.21: intervals of about
    90%), with no lean (Σ forecast / Σ truth 1.10-1.12 and 1.01); with twice the purchases both
    covered at the nominal rate (the T-learner's also with 1.5 times). The excess is in the rows' own outcome noise, not
    in the predictions: similar rows in different folds move one another's selection (a buyer
    raises her look-alikes' predicted effects), so their corrections are not independent. Refitting
    the learner on outcomes redrawn from its own predictions does not reproduce it (those are too
    flat to make the same plan; ``docs/benchmarks.md``, "A rare outcome").

    A learner fitted with ``CalibratedLearner(forecast_blocks=B)`` measures that covariance from
    refits on the real outcomes. Its training rows are cut at random into ``B`` blocks and the
    whole cross-fit is refitted without each (``cross_fit_.block_outcomes``). Let ``G_a`` be block
    ``a``'s part of the correction's error; its variance is the independent rows' plus
    ``Σ_{a≠b} Cov(G_a, G_b)``. Let ``D_ab`` be block ``a``'s sum of row terms (the row's weight in
    the correction, ``n_k w_i / W_k``, times its doubly robust profit ``ΔΠ̂_i + c_i``) minus the same
    sum under the refit without block ``b`` (its own out-of-fold predictions, the plan's rule
    replayed on them). Written with the rows' true errors, ``E[D_ab D_ba] = Cov(G_a, G_b)`` exactly:
    every other product holds one row's own outcome noise once, with mean 0, because neither the
    refit without its block nor its own prediction saw its outcome. What the forecast can compute
    differs from that by the true profit of the rows whose selection a refit flips, which is small
    at the rule's margin. The forecast adds ``B / (B − 1) Σ_{a≠b} D_ab D_ba`` (the factor for the
    pairs of rows within a block; never below 0) to the variance (``selection_covariance``, each
    arm's from its own rows), and skips the maps' bootstrap, which the refits contain. One estimate
    from ``B (B − 1)`` noisy products: it is right on average and wide from fit to fit, so it costs
    width where there is no covariance to find. Measured in the Starbucks-shaped world
    (``docs/benchmarks.md``, "A rare outcome: refits without a block"), with 1.2% of the customers
    buying and ``forecast_blocks=5``, the default T-learner's interval covered the truth in 56 of 60
    repetitions (z spread 1.04; the same repetitions without the covariance: 54 of 60, 1.25), the
    S-learner's in 19 of 22 (1.16; without: 1.45). The covariance was 29% of the T-learner's
    variance on average; with four times the purchases, where the interval without it had covered
    at the nominal rate, still 14%. With the true errors in place of the doubly robust profits the
    block products brought the error's mean square from 1.62 to 1.09 times the independent rows'
    variance (26 seeds).

    The forecast assumes the plan's customers resemble the training rows. The plan's eligibility
    mask, ``risk="conservative"`` and the repair of its caps are not replayed on the training rows
    (only its prices are).

    References
    ----------
    Athey, S. and Wager, S. (2021). Policy learning with observational data. *Econometrica* 89(1).

    Bates, S., Hastie, T. and Tibshirani, R. (2024). Cross-validation: what does it estimate and how
    well does it do it? *Journal of the American Statistical Association*. arXiv:2104.00673.

    Bengio, Y. and Grandvalet, Y. (2004). No unbiased estimator of the variance of K-fold
    cross-validation. *Journal of Machine Learning Research* 5, 1089-1105.

    Chernozhukov, V., Demirer, M., Duflo, E. and Fernández-Val, I. (2018). Generic machine learning
    inference on heterogeneous treatment effects in randomized experiments. NBER WP 24678.

    Davidson, R. and Flachaire, E. (2008). The wild bootstrap, tamed at last. *Journal of
    Econometrics* 146(1), 162-169.

    Mammen, E. (1993). Bootstrap and wild bootstrap for high dimensional linear models. *The Annals
    of Statistics* 21(1), 255-285.

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
    n_draws = _check_draws(n_draws)
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
    correction = _corrections(scores, decision, cross_fit.outcomes, cross_fit)
    weight = np.ones(len(cross_fit.y)) if cross_fit.weight is None else cross_fit.weight
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
    inflation, choice, method = 1.0, 0.0, FORECAST_METHOD
    arm_choice, arm_blocks = np.zeros(n_arms), np.zeros(n_arms)
    record = cross_fit.repeats
    contacts = np.array([int((plan.arm == k).sum()) for k in range(1, n_arms + 1)])
    blocks, n_blocks = 0.0, 0
    if cross_fit.block_outcomes is not None:  # the refits measure the maps' part too: no bootstrap
        n_blocks, n_draws = int(cross_fit.block_outcomes.shape[0]), 0
        blocks, arm_blocks = _block_covariance(cross_fit, economics, plan, scores, decision, contacts, weight)
        method = (f"{FORECAST_METHOD}; the covariance of the rows' outcomes through the rule's selection added "
                  f"({n_blocks} refits, each without a block of rows)")
    if record is None and n_draws:
        warnings.warn(
            "forecast_profit: this cross-fit keeps no per-repeat record (a CrossFit built by hand, or a model saved "
            "before CalibratedLearner kept one), so neither its calibration maps nor its choice of fold models can "
            "be measured and the interval treats the training rows as independent: too narrow when the maps' noise "
            "moves the selection. Refit the CalibratedLearner, or pass n_draws=0 to accept this interval.",
            UpliftWarning, stacklevel=2)
        method = f"{FORECAST_METHOD}; standard error of independent rows"
    elif record is not None:
        if n_draws:
            inflation = _maps_inflation(cross_fit, record, economics, plan, scores, decision, contacts, weight,
                                        n_draws, random_state)
            method = (f"{FORECAST_METHOD}; standard error × {inflation:.2f} for the calibration maps' noise "
                      f"(wild bootstrap, {n_draws} draws)")
        choice_variance, arm_choice = _choice_variance(cross_fit, record, economics, plan, decision, contacts,
                                                       weight)
        choice = float(np.sqrt(choice_variance))
        if choice > 0:
            method += ("; " if method == FORECAST_METHOD else ", ") + \
                f"standard error {choice:,.4g} added in quadrature for the plan's choice of fold models"
    if len(per_arm):
        per_arm["std_error"] = np.sqrt((inflation * per_arm["std_error"]) ** 2 + arm_choice + arm_blocks)
    plug_in = float(plan.totals()["expected_incremental_profit"])
    correction_total = float(per_arm["correction"].sum()) if len(per_arm) else 0.0
    std_error = float(np.sqrt(inflation**2 * total_variance + choice**2 + blocks))
    forecast = Estimate.from_normal(plug_in + correction_total, std_error, alpha, name="forecast incremental profit")
    return ProfitForecast(forecast=forecast, plug_in=plug_in, correction=correction_total, per_arm=per_arm,
                          method=method, n_training=len(cross_fit.y), inflation=inflation,
                          n_draws=n_draws if record is not None else 0, model_choice_std_error=choice,
                          n_blocks=n_blocks, selection_covariance=blocks)


def _check_draws(n_draws: Any) -> int:
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or not (n_draws == 0 or n_draws >= 20):
        raise UpliftInputError(
            f"n_draws must be 0 (no bootstrap: the interval of independent rows) or an integer of at least 20; got "
            f"{n_draws!r}. The widening is a ratio of two variances, and fewer draws make it mostly noise."
        )
    return int(n_draws)


def _corrections(scores: ProfitScores, decision: np.ndarray, outcomes: np.ndarray, cross_fit: CrossFit,
                 y: np.ndarray | None = None) -> np.ndarray:
    """Each training row's doubly robust correction ``c_i`` of its plug-in profit under the rule's arm ``a_i``
    (see :func:`forecast_profit`'s Notes), for outcomes ``y`` (default the training outcomes)."""
    y = cross_fit.y if y is None else y
    rows = np.arange(len(decision))
    codes, propensity = cross_fit.codes, cross_fit.propensity
    treated_margin = scores.unit_value - scores.unit_cost[rows, np.maximum(decision - 1, 0)]
    treated = np.where(codes == decision, treated_margin * (y - outcomes[rows, decision]) / propensity[rows, decision],
                       0.0)
    return treated - np.where(codes == 0, scores.unit_value * (y - outcomes[:, 0]) / propensity[:, 0], 0.0)


#: draws per call of MapRefits (bounds the memory of the redrawn effects: draws × rows × arms)
_BATCH = 16


def _arm_scale(decision: np.ndarray, weight: np.ndarray, contacts: np.ndarray) -> np.ndarray:
    """Each arm's count of a training row in the correction: the plan's contacts of the arm over the weight of the
    rows the rule gives it (0 for an arm the rule gives no row)."""
    used = np.array([weight[decision == k].sum() for k in range(1, len(contacts) + 1)])
    return np.where(used > 0, contacts / np.where(used > 0, used, 1.0), 0.0)


def _maps_inflation(cross_fit: CrossFit, record: CrossFitRepeats, economics: Economics, plan: Any,
                    scores: ProfitScores, decision: np.ndarray, contacts: np.ndarray, weight: np.ndarray,
                    n_draws: int, random_state: Any) -> float:
    """How much the calibration maps' noise widens the correction's error: ``sqrt(max(1, V_refit / V_held))``.

    A wild bootstrap in a world whose true outcomes are the cross-fit's (``cross_fit.outcomes``): each
    draw gives every training row the outcome ``y* = μ̂_{T_i} + (Y_i − μ̂_{T_i}) v_i`` (``v_i = ±1``, equal
    odds; its arm unchanged), refits every fold map on it (:class:`MapRefits`; the fold models held),
    replays the rule on the refitted predictions and measures the correction's error against what it
    estimates in that world: ``Σ_k n_k`` times the mean, over the rows the rule gives ``k``, of
    ``c_i − (ΔΠ_i − ΔΠ̂_i)``, each arm's rows counted at the forecast's scale ``n_k / m_k`` (so that the
    plan's contacts follow the rows' selection, as they do when the data change). The rule's selection
    now moves with the other rows' outcomes. With the maps held, the same draws give the variance of
    independent rows, which the forecast's standard error estimates; the ratio of the two variances is
    what the maps add.
    """
    refits = MapRefits(record, cross_fit.codes, cross_fit.weight)
    n = len(cross_fit.y)
    rows = np.arange(n)
    residual = cross_fit.y - cross_fit.outcomes[rows, cross_fit.codes]
    true_gain = scores.gain
    scale = _arm_scale(decision, weight, contacts)
    rng = np.random.default_rng(random_state)
    refitted, held = np.empty(n_draws), np.empty(n_draws)
    for first in range(0, n_draws, _BATCH):
        size = min(_BATCH, n_draws - first)
        shifts = residual * (rng.choice([-1.0, 1.0], size=(size, n)) - 1.0)  # y* − y
        trained = refits(shifts)
        for d in range(size):
            y_star = cross_fit.y + shifts[d]
            c_held = _corrections(scores, decision, cross_fit.outcomes, cross_fit, y_star)
            held[first + d] = float((scale[np.maximum(decision - 1, 0)] * (decision > 0) * weight * c_held).sum())
            outcomes = record.outcomes(trained[d])
            moved = score_profit(outcomes, economics, arms=plan.arm_labels)
            rule = training_decisions(moved, plan.solution)
            column = np.maximum(rule - 1, 0)
            error = _corrections(moved, rule, outcomes, cross_fit, y_star) - \
                (true_gain[rows, column] - moved.gain[rows, column])
            refitted[first + d] = float((scale[column] * (rule > 0) * weight * error).sum())
    ratio = float(np.var(refitted, ddof=1) / np.var(held, ddof=1)) if np.var(held) > 0 else 1.0
    return float(np.sqrt(max(ratio, 1.0)))


def _choice_variance(cross_fit: CrossFit, record: CrossFitRepeats, economics: Economics, plan: Any,
                     decision: np.ndarray, contacts: np.ndarray, weight: np.ndarray) -> tuple[float, np.ndarray]:
    """Variance of the forecast's error from which fold model of each repeat predicts the plan's customers,
    in total and per arm.

    ``predict`` keeps one fold model per repeat (``n_repeats`` of the ``cv × n_repeats`` fitted); another
    fold's would have given other predictions, and the plan's selected error follows that choice, which the
    correction (an average over the training rows, each predicted by other models) does not. A single fold
    model's deviation is measured where it predicted out of fold: on fold ``f`` of repeat ``r``, the rows'
    profit under that repeat's prediction (:meth:`CrossFitRepeats.repeat_effects`, through ``predict``'s own
    maps) minus their mean over the repeats, summed over the rows the rule gives each arm at the forecast's
    scale (``n_k`` contacts over those rows' weight). Its mean square over the ``cv × R`` folds, less the
    rows' own scatter (the part that averages out over the plan's customers) and times ``R / (R − 1)`` for
    the mean it is measured against, is one model's variance; the plan averages ``R`` models, and the rows'
    predictor varies as one fold in ``cv`` of it: ``(1 + 1/cv) / R`` of it. Each arm's is the same on that arm's
    rows alone (its part of each arm's standard error). 0 with one repeat.
    """
    n_repeats, n_arms = record.centred.shape[0], len(contacts)
    if n_repeats < 2:
        return 0.0, np.zeros(n_arms)
    effects = record.repeat_effects(cross_fit.codes, cross_fit.weight)
    gains = np.stack([score_profit(record.outcomes(effects[r]), economics, arms=plan.arm_labels).gain
                      for r in range(n_repeats)])
    deviation = gains - gains.mean(axis=0)
    sums, scatter = [], []  # per fold of each repeat, per arm
    for r in range(n_repeats):
        for f in np.unique(record.fold[r]):
            fold_sums, fold_scatter = np.zeros(n_arms), np.zeros(n_arms)
            for k in range(1, n_arms + 1):
                rows = (record.fold[r] == f) & (decision == k)
                used = weight[rows].sum()
                if used <= 0:
                    continue
                scale = contacts[k - 1] / used
                values, w = deviation[r, rows, k - 1], weight[rows]
                fold_sums[k - 1] = scale * float(w @ values)
                fold_scatter[k - 1] = scale**2 * float((w**2) @ (values - np.average(values, weights=w)) ** 2)
            sums.append(fold_sums)
            scatter.append(fold_scatter)
    sums_of, scatter_of = np.array(sums), np.array(scatter)
    factor = (1.0 + 1.0 / len(np.unique(record.fold[0]))) / (n_repeats - 1)  # R / (R - 1) for the mean, / R models
    total = float(np.mean(sums_of.sum(axis=1) ** 2 - scatter_of.sum(axis=1))) * factor
    per_arm = np.mean(sums_of**2 - scatter_of, axis=0) * factor
    return max(total, 0.0), np.maximum(per_arm, 0.0)


def _block_covariance(cross_fit: CrossFit, economics: Economics, plan: Any, scores: ProfitScores,
                      decision: np.ndarray, contacts: np.ndarray, weight: np.ndarray) -> tuple[float, np.ndarray]:
    """The covariance of the correction's error between blocks of rows, from the refits without each block
    (``cross_fit.block_outcomes``), in total and per arm; never below 0.

    Row ``i``'s term is its weight in the correction (``n_k w_i / W_k`` on the rows the rule gives arm ``k``)
    times its doubly robust profit ``ΔΠ̂_i + c_i``; ``D_ab`` is block ``a``'s sum of terms minus the same sum
    from the refit without block ``b`` (its own rule, the same weights). The error's variance is the
    independent rows' plus ``Σ_{a≠b} Cov(G_a, G_b)``, and ``E[D_ab D_ba] = Cov(G_a, G_b)``: every other
    product holds one row's own outcome noise once, with mean 0, because neither the refit without ``b`` nor
    ``i``'s own prediction saw ``Y_i``. Scaled by ``B / (B − 1)`` for the pairs of rows within a block. The
    doubly robust profit, not ``c_i``, so that a row whose selection does not change contributes only the
    change of its prediction's assignment term (mean 0), not the change of its prediction.
    """
    block, refits = cross_fit.block, cross_fit.block_outcomes
    if block is None or refits is None:
        return 0.0, np.zeros(len(contacts))
    n_blocks, n_arms = refits.shape[0], len(contacts)
    scale = _arm_scale(decision, weight, contacts)

    def terms(fit_scores: ProfitScores, rule: np.ndarray, outcomes: np.ndarray) -> np.ndarray:
        """Per arm (columns), each row's weighted doubly robust profit under ``rule`` (0 off the arm)."""
        rows, column = np.arange(len(rule)), np.maximum(rule - 1, 0)
        profit = fit_scores.gain[rows, column] + _corrections(fit_scores, rule, outcomes, cross_fit)
        values = (scale[column] * weight * profit)[:, None]
        return np.where(rule[:, None] == np.arange(1, n_arms + 1)[None, :], values, 0.0)

    full = terms(scores, decision, cross_fit.outcomes)
    moved = np.zeros((n_arms, n_blocks, n_blocks))  # moved[k, a, b] = D_ab of arm k
    for b in range(n_blocks):
        kept = block != b
        outcomes = np.where(kept[:, None], refits[b], cross_fit.outcomes)  # the block's rows are dropped below
        refit_scores = score_profit(outcomes, economics, arms=plan.arm_labels)
        refit = terms(refit_scores, training_decisions(refit_scores, plan.solution), outcomes)
        difference = np.where(kept[:, None], full - refit, 0.0)
        for k in range(n_arms):
            moved[k, :, b] = np.bincount(block, weights=difference[:, k], minlength=n_blocks)
    factor = n_blocks / (n_blocks - 1)
    per_arm = np.array([(moved[k] * moved[k].T).sum() for k in range(n_arms)]) * factor  # D_bb = 0
    whole = moved.sum(axis=0)
    return max(float((whole * whole.T).sum()) * factor, 0.0), np.maximum(per_arm, 0.0)


def _mean_and_variance(values: np.ndarray, weight: np.ndarray) -> tuple[float, float, int]:
    """Weighted mean, variance (ddof 1) and count of ``values``; zeros when empty."""
    count = len(values)
    if count == 0:
        return 0.0, 0.0, 0
    mean = float(np.average(values, weights=weight))
    variance = float(np.average((values - mean) ** 2, weights=weight)) * count / max(count - 1, 1)
    return mean, variance, count
