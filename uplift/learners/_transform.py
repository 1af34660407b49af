"""Outcome transformations: one model of a transformed target whose expectation is the effect."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._literals import OutcomeType
from ._base import EffectState, SeparateEffectLearner, average_prediction, fit_control_model
from ._plan import FitData, FitPlan
from ._propensity import arm_probabilities, pair_propensity

__all__ = ["ClassTransformation", "TransformedOutcome"]


def _combine(first: np.ndarray | None, second: np.ndarray | None) -> np.ndarray | None:
    if first is None:
        return second
    return first if second is None else first * second


class ClassTransformation(SeparateEffectLearner):
    """Class transformation: one classifier of ``Z = 1`` if (treated and bought) or (control and did not).

    Parameters
    ----------
    effect_model : classifier or mapping {arm label: classifier}, optional
        Model of ``P(Z = 1 | x)``, used through ``predict_proba``. Default:
        :func:`uplift.learners.default_classifier`.
    outcome_model : classifier, optional
        Control outcome model ``mu0``: the first column of ``predict_outcomes``; the effect is kept
        within ``[-mu0(x), 1 - mu0(x)]`` so that both stay probabilities.
    propensity : float, mapping or array, optional
        Known assignment probability. Default: each arm's share of the rows of its pair.
    control_value, random_state, n_jobs
        As in :class:`~uplift.learners.TLearner`.

    See Also
    --------
    TransformedOutcome : The same idea for any outcome and any propensity.

    Notes
    -----
    Binary outcome, randomized experiment. Rows are weighted by ``1 / (2 e)`` (treated) and
    ``1 / (2 (1 - e))`` (control), so that both groups weigh the same (with a 50/50 split every
    weight is 1, the original method). Then ``P(Z = 1 | x) = (p_1(x) + 1 - p_0(x)) / 2``, hence

    ``tau(x) = 2 P(Z = 1 | x) - 1``.

    One model on all rows of the pair: no difference of two noisy models. The price: the effect is
    a small signal inside a roughly balanced class.

    References
    ----------
    Jaskowski, M. and Jaroszewicz, S. (2012). Uplift modeling for clinical trial data. *ICML 2012
    Workshop on Clinical Data Analysis*.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(2000, random_state=0)
    >>> learner = ClassTransformation(LogisticRegression(), outcome_model=LogisticRegression())
    >>> learner.fit(data.X, data.y, treatment=data.treatment).predict(data.X[:2]).shape
    (2,)
    """

    _roles = ("outcome", "effect")
    _effect_is_classifier = True
    _binary_only = True

    def __init__(
        self,
        effect_model: Any = None,
        *,
        outcome_model: Any = None,
        propensity: Any = None,
        control_value: Any = None,
        random_state: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        self.effect_model = effect_model
        self.outcome_model = outcome_model
        self.propensity = propensity
        self.control_value = control_value
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_state(self, plan: FitPlan, data: FitData) -> EffectState:
        effects = []
        for code in range(1, plan.n_arms + 1):
            rows = data.pair_rows(code)
            treated = data.codes[rows] == code
            if data.propensity is not None:
                e = pair_propensity(data.propensity[rows], code)
            else:
                weights = np.ones(len(treated)) if data.weight is None else data.weight[rows]
                e = np.full(len(treated), weights[treated].sum() / weights.sum())
            balance = np.where(treated, 0.5 / e, 0.5 / (1.0 - e))
            weight = _combine(None if np.allclose(balance, 1.0) else balance, data.weight_of(rows))
            z = np.where(treated, data.y[rows], 1.0 - data.y[rows])
            effects.append((plan.fit("effect", code, data.X[rows], z, weight),))
        return EffectState((fit_control_model(plan, data),), tuple(effects), binary=True)

    def _arm_effect(self, state: EffectState, code: int, X: np.ndarray) -> np.ndarray:
        return 2.0 * average_prediction(state.effect[code - 1], X) - 1.0


class TransformedOutcome(SeparateEffectLearner):
    """Transformed outcome: regress the inverse-propensity-weighted outcome on the features.

    Parameters
    ----------
    effect_model : regressor or mapping {arm label: regressor}, optional
        Model of ``E[Y* | x]``. Default: :func:`uplift.learners.default_regressor`.
    outcome_model : estimator, optional
        Control outcome model ``mu0``: the first column of ``predict_outcomes``; for a binary
        outcome the effect is kept within ``[-mu0(x), 1 - mu0(x)]`` (a difference of probabilities).
    propensity_model : classifier, optional
        Default: cross-fitted logistic regression. Not used when ``propensity`` is given.
    propensity : float, mapping or array, optional
        Known assignment probability (experiment).
    control_value, outcome_type, random_state, n_jobs
        As in :class:`~uplift.learners.TLearner`.
    n_folds : int, default 3
        Folds of the cross-fitted propensity.

    See Also
    --------
    ClassTransformation : The binary, balanced special case.
    DRLearner : Adds outcome models to the same weighting, which lowers the variance.

    Notes
    -----
    ``Y* = Y (W - e(x)) / (e(x) (1 - e(x)))`` satisfies ``E[Y* | x] = tau(x)`` under
    unconfoundedness, for any outcome type and any propensity. Unbiased but noisy: ``Y*`` has a
    large variance when ``e`` is far from 1/2 or the outcome's mean is large.

    References
    ----------
    Athey, S. and Imbens, G. W. (2015). Machine learning methods for estimating heterogeneous
    causal effects. arXiv:1504.01132 (see also *PNAS* 113(27), 2016).

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from uplift.datasets import make_uplift_regression
    >>> data = make_uplift_regression(2000, random_state=0)
    >>> learner = TransformedOutcome(LinearRegression(), outcome_model=LinearRegression(), propensity=0.5)
    >>> round(float(learner.fit(data.X, data.y, treatment=data.treatment).predict(data.X).mean()), 1)
    1.5
    """

    _roles = ("outcome", "effect", "propensity")

    def __init__(
        self,
        effect_model: Any = None,
        *,
        outcome_model: Any = None,
        propensity_model: Any = None,
        propensity: Any = None,
        control_value: Any = None,
        outcome_type: OutcomeType = "auto",
        n_folds: int = 3,
        random_state: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        self.effect_model = effect_model
        self.outcome_model = outcome_model
        self.propensity_model = propensity_model
        self.propensity = propensity
        self.control_value = control_value
        self.outcome_type = outcome_type
        self.n_folds = n_folds
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_state(self, plan: FitPlan, data: FitData) -> EffectState:
        probabilities, _ = arm_probabilities(plan, data, cross_fit=True)
        effects = []
        for code in range(1, plan.n_arms + 1):
            rows = data.pair_rows(code)
            e = pair_propensity(probabilities[rows], code)
            treated = (data.codes[rows] == code).astype(np.float64)
            transformed = data.y[rows] * (treated - e) / (e * (1.0 - e))
            effects.append((plan.fit("effect", code, data.X[rows], transformed, data.weight_of(rows)),))
        return EffectState((fit_control_model(plan, data),), tuple(effects),
                           binary=plan.outcome_type == "binary")
