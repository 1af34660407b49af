"""S-, T- and X-learners: the effect from outcome models, directly or through imputed effects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from .._literals import OutcomeType
from ..exceptions import UpliftTypeError
from ._base import BaseUpliftLearner, EffectState, SeparateEffectLearner, average_prediction
from ._plan import FitData, FitPlan, predict_outcome
from ._propensity import arm_probabilities, pair_propensity

__all__ = ["SLearner", "TLearner", "XLearner"]


class SLearner(BaseUpliftLearner):
    """S-learner: one outcome model on the features plus the treatment indicator(s).

    The effect of arm ``k`` is the model's prediction with the indicator of ``k`` switched on
    minus the prediction with every indicator off. With ``interactions=True`` the products of each
    feature with each indicator are added too (Lo 2002), so that even a linear model can express an
    effect that varies with the features.

    Parameters
    ----------
    outcome_model : estimator, optional
        Classifier (binary outcome, used through ``predict_proba``) or regressor. Default:
        :func:`uplift.learners.default_classifier` / :func:`~uplift.learners.default_regressor`.
    interactions : bool, default False
        Add treatment x feature interaction columns (Lo 2002).
    control_value : object, optional
        Label of the control arm (default: the smallest label).
    outcome_type : {"auto", "binary", "continuous"}, default "auto"
    random_state : int, RandomState or None
        Seed of the default base model.
    n_jobs : int or None, default None
        Threads of the default XGBoost base models (passed as their ``n_jobs``); a model you pass is
        used as you configured it. None: XGBoost's own default, every core (as ``OMP_NUM_THREADS``
        allows); -1 every core, 1 one thread (as in scikit-learn).

    See Also
    --------
    TLearner : One model per arm instead of one shared model.
    Bootstrap : Intervals for the effects (``fit(..., inference=Bootstrap())``).

    Notes
    -----
    With indicators ``w_1..w_K`` (one per treated arm) the model fits ``mu(x, w)`` on all rows, and
    ``tau_k(x) = mu(x, e_k) - mu(x, 0)``. The columns are ``[w_1..w_K, x]`` (the treatment first, as
    in causalml), then ``[x w_1, ..., x w_K]`` with interactions. A tree model may ignore the
    indicators entirely when the effect is small beside the outcome's variation (effects shrink
    toward 0): this regularisation is why S-learners rank well on noisy marketing data.

    References
    ----------
    Lo, V. S. Y. (2002). The true lift model: a novel data mining approach to response modeling in
    database marketing. *ACM SIGKDD Explorations* 4(2), 78-86.

    Künzel, S. R., Sekhon, J. S., Bickel, P. J. and Yu, B. (2019). Metalearners for estimating
    heterogeneous treatment effects using machine learning. *PNAS* 116(10), 4156-4165.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from uplift.datasets import make_uplift_classification
    >>> data = make_uplift_classification(2000, random_state=0)
    >>> learner = SLearner(LogisticRegression(), interactions=True).fit(data.X, data.y, treatment=data.treatment)
    >>> learner.predict(data.X[:3]).shape, learner.predict_outcomes(data.X[:3]).shape
    ((3,), (3, 2))
    """

    def __init__(
        self,
        outcome_model: Any = None,
        *,
        interactions: bool = False,
        control_value: Any = None,
        outcome_type: OutcomeType = "auto",
        random_state: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        self.outcome_model = outcome_model
        self.interactions = interactions
        self.control_value = control_value
        self.outcome_type = outcome_type
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _design(self, X: np.ndarray, indicators: np.ndarray) -> np.ndarray:
        columns = [indicators.astype(X.dtype), X]
        if self.interactions:
            columns.extend(X * indicators[:, [j]].astype(X.dtype) for j in range(indicators.shape[1]))
        return np.hstack(columns)

    def _fit_state(self, plan: FitPlan, data: FitData) -> Any:
        if isinstance(self.outcome_model, Mapping):
            raise UpliftTypeError(
                "SLearner fits one outcome model on all arms, so outcome_model must be a single estimator; "
                "got a mapping. Use TLearner for one model per arm."
            )
        indicators = data.codes[:, None] == np.arange(1, plan.n_arms + 1)[None, :]
        return plan.fit("outcome", 0, self._design(data.X, indicators), data.y, data.weight), plan.n_arms

    def _outcomes(self, state: Any, X: np.ndarray) -> np.ndarray:
        model, n_arms = state
        outcomes = np.empty((X.shape[0], n_arms + 1))
        for code in range(n_arms + 1):
            indicators = np.zeros((X.shape[0], n_arms), dtype=bool)
            if code:
                indicators[:, code - 1] = True
            outcomes[:, code] = predict_outcome(model, self._design(X, indicators))
        return outcomes


class TLearner(BaseUpliftLearner):
    """T-learner: one outcome model per arm; the effect is the difference of their predictions.

    Parameters
    ----------
    outcome_model : estimator or mapping {arm label: estimator}, optional
        Base model of every arm, or one per arm (arms left out get the default). Classifiers are
        used through ``predict_proba``.
    control_value : object, optional
    outcome_type : {"auto", "binary", "continuous"}, default "auto"
    random_state : int, RandomState or None
    n_jobs : int or None, default None
        Threads of the default XGBoost base models (passed as their ``n_jobs``); a model you pass is
        used as you configured it. None: XGBoost's own default, every core (as ``OMP_NUM_THREADS``
        allows); -1 every core, 1 one thread (as in scikit-learn).

    See Also
    --------
    SLearner : One model for all arms.
    XLearner : Reuses the T-learner's models to impute each row's effect.

    Notes
    -----
    ``mu_k(x) = E[Y | X = x, T = k]`` is fitted on the rows of arm ``k`` alone, and
    ``tau_k(x) = mu_k(x) - mu_0(x)``. Unbiased when both models are, but the two models' errors
    add up: with a small effect beside a large outcome variance the T-learner ranks noisily.

    References
    ----------
    Künzel, S. R., Sekhon, J. S., Bickel, P. J. and Yu, B. (2019). Metalearners for estimating
    heterogeneous treatment effects using machine learning. *PNAS* 116(10), 4156-4165.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from uplift.datasets import make_uplift_regression
    >>> data = make_uplift_regression(1000, n_arms=2, random_state=0)
    >>> learner = TLearner(LinearRegression()).fit(data.X, data.y, treatment=data.treatment)
    >>> learner.predict(data.X).shape, learner.treatment_arms_
    ((1000, 2), array([1, 2]))
    """

    def __init__(
        self,
        outcome_model: Any = None,
        *,
        control_value: Any = None,
        outcome_type: OutcomeType = "auto",
        random_state: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        self.outcome_model = outcome_model
        self.control_value = control_value
        self.outcome_type = outcome_type
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_state(self, plan: FitPlan, data: FitData) -> Any:
        return tuple(fit_arm_outcomes(plan, data))

    def _outcomes(self, state: Any, X: np.ndarray) -> np.ndarray:
        return np.column_stack([predict_outcome(model, X) for model in state])


def fit_arm_outcomes(plan: FitPlan, data: FitData) -> list[Any]:
    """One outcome model per arm (control first), each on that arm's rows."""
    models = []
    for code in range(plan.n_arms + 1):
        rows = np.flatnonzero(data.codes == code)
        models.append(plan.fit("outcome", code, data.X[rows], data.y[rows], data.weight_of(rows)))
    return models


@dataclass(frozen=True)
class XLearnerState(EffectState):
    """Fitted X-learner: besides the models, what weighs its two effect models at predict time.

    ``propensity`` maps each arm code to its known mean propensity within its pair (a known
    design); otherwise ``propensity_model`` is the fitted propensity model.
    """

    propensity: Mapping[int, float] | None = None
    propensity_model: Any = None


class XLearner(SeparateEffectLearner):
    """X-learner: impute each row's effect with the other arm's outcome model, then model it.

    Parameters
    ----------
    outcome_model : estimator or mapping {arm label: estimator}, optional
        First-stage outcome models ``mu_k`` (classifiers through ``predict_proba``).
    effect_model : regressor or mapping {arm label: regressor}, optional
        Second-stage models of the imputed effects (two per treated arm).
    propensity_model : classifier, optional
        Model of the arm given the features, used to weight the two effect models. Default: a
        logistic regression (:func:`uplift.learners.default_propensity_model`).
    propensity : float, mapping or array, optional
        Known assignment probability (experiment): then nothing is estimated.
    control_value, outcome_type, random_state, n_jobs
        As in :class:`TLearner`.

    See Also
    --------
    TLearner : Its first stage.
    DRLearner : Doubly robust pseudo-outcomes instead of imputed effects.

    Notes
    -----
    For arm ``k`` versus the control: ``D_i = Y_i - mu_0(x_i)`` on treated rows and
    ``D_i = mu_k(x_i) - Y_i`` on control rows; ``tau_1`` and ``tau_0`` regress ``D`` on ``x`` in each
    group, and ``tau_k(x) = e_k(x) tau_0(x) + (1 - e_k(x)) tau_1(x)`` with ``e_k`` the propensity of
    arm ``k`` among the rows of the pair. With a known propensity given as an array, ``e_k`` at
    predict time is its training mean. ``predict_outcomes``: ``mu_0(x)`` then ``mu_0(x) + tau_k(x)``.

    References
    ----------
    Künzel, S. R., Sekhon, J. S., Bickel, P. J. and Yu, B. (2019). Metalearners for estimating
    heterogeneous treatment effects using machine learning. *PNAS* 116(10), 4156-4165.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from uplift.datasets import make_uplift_regression
    >>> data = make_uplift_regression(1000, random_state=0)
    >>> learner = XLearner(LinearRegression(), effect_model=LinearRegression(), propensity=0.5)
    >>> round(float(learner.fit(data.X, data.y, treatment=data.treatment).predict(data.X).mean()), 1)
    1.5
    """

    _roles = ("outcome", "effect", "propensity")

    def __init__(
        self,
        outcome_model: Any = None,
        *,
        effect_model: Any = None,
        propensity_model: Any = None,
        propensity: Any = None,
        control_value: Any = None,
        outcome_type: OutcomeType = "auto",
        random_state: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        self.outcome_model = outcome_model
        self.effect_model = effect_model
        self.propensity_model = propensity_model
        self.propensity = propensity
        self.control_value = control_value
        self.outcome_type = outcome_type
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _fit_state(self, plan: FitPlan, data: FitData) -> EffectState:
        outcome_models = fit_arm_outcomes(plan, data)
        control_rows = np.flatnonzero(data.codes == 0)
        X_control = data.X[control_rows]
        effects = []
        for code in range(1, plan.n_arms + 1):
            rows = np.flatnonzero(data.codes == code)
            imputed_treated = data.y[rows] - predict_outcome(outcome_models[0], data.X[rows])
            imputed_control = predict_outcome(outcome_models[code], X_control) - data.y[control_rows]
            effect_control = plan.fit("effect", code, X_control, imputed_control, data.weight_of(control_rows))
            effect_treated = plan.fit("effect", code, data.X[rows], imputed_treated, data.weight_of(rows))
            effects.append((effect_control, effect_treated))
        binary = plan.outcome_type == "binary"
        if data.propensity is not None:
            known = {
                code: float(pair_propensity(data.propensity[(data.codes == 0) | (data.codes == code)], code).mean())
                for code in range(1, plan.n_arms + 1)
            }
            return XLearnerState((outcome_models[0],), tuple(effects), binary, propensity=known)
        model = arm_probabilities(plan, data, cross_fit=False)[1]
        return XLearnerState((outcome_models[0],), tuple(effects), binary, propensity_model=model)

    def _arm_effect(self, state: EffectState, code: int, X: np.ndarray) -> np.ndarray:
        state = cast(XLearnerState, state)  # the state _fit_state returned
        effect_control, effect_treated = state.effect[code - 1]
        if state.propensity is not None:
            weight: Any = state.propensity[code]
        else:
            weight = pair_propensity(np.asarray(state.propensity_model.predict_proba(X)), code)
        return weight * average_prediction((effect_control,), X) + (1.0 - weight) * average_prediction(
            (effect_treated,), X
        )
