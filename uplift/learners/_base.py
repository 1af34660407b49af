"""The one base class of every uplift learner.

:class:`BaseUpliftLearner` owns what every learner shares: input validation, resolution and
cloning of the base models, multi-arm bookkeeping (each treated arm versus the control), known or
estimated propensities, cross-fitting folds, the bootstrap and the shape of every output. A
learner states only its recipe, in three methods:

``_fit_state(plan, data)``
    fit the base models on validated data and return them (any object); never touches ``self``.
``_outcomes(state, X)``
    expected outcome under the control and each arm, shape ``(n, n_arms + 1)``.
``_effects(state, X)``
    effect of each arm versus the control, shape ``(n, n_arms)``.

Learners that model the outcomes (S, T) derive the effect from them; learners with a separate
effect model (X, R, DR, class transformation, transformed outcome) derive the outcomes from a
control outcome model plus the effect (:class:`SeparateEffectLearner`). ``_outcomes_and_effects``
gives both from one pass over the fitted models, for a caller that needs both (the calibration's
fold models, cross-validation with outcomes): each bit for bit what ``_outcomes`` and ``_effects``
return.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._literals import OutcomeType, check_literal
from ..exceptions import PoorOverlapWarning, UpliftInputError
from ..validation import (
    FeatureSchema,
    check_consistent_length,
    check_outcome,
    check_sample_weight,
    check_treatment,
)
from ._inference import Bootstrap, BootstrapResult, interval, resampled_effects, run_bootstrap
from ._plan import BaseModels, FitData, FitPlan, Role, predict_outcome
from ._propensity import known_propensity

__all__ = ["BaseUpliftLearner", "EffectState", "SeparateEffectLearner"]

#: Fewest rows an arm may have: below this no base model (nor cross-fitting) is meaningful.
MIN_ROWS_PER_ARM = 10

#: What a learner that does not take one of these parameters behaves as (an S-learner has no
#: ``n_folds`` nor ``effect_model``): read-only, and the only defaults the base class knows.
ABSENT_PARAMETERS: Mapping[str, Any] = MappingProxyType({
    "outcome_model": None,
    "effect_model": None,
    "propensity_model": None,
    "propensity": None,
    "control_value": None,
    "outcome_type": "auto",
    "n_folds": 3,
    "random_state": None,
    "n_jobs": None,
})


class BaseUpliftLearner(BaseEstimator):
    """Base class of the uplift learners: validation, base models, arms, propensity, inference.

    Subclasses define ``__init__`` (storing their parameters only) and the recipe methods
    ``_fit_state``, ``_outcomes`` and ``_effects`` (see the module docstring).

    Fitted attributes
    -----------------
    treatment_arms_ : ndarray
        Labels of the treated arms; columns of ``predict`` follow this order.
    control_value_ : object
        Label of the control arm.
    n_arms_ : int
        Number of treated arms.
    outcome_type_ : {"binary", "continuous"}
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Column names as text, when fitted on a DataFrame (whatever the type of its column names).
        At predict, DataFrame columns are matched to them by name and reordered; a missing or
        unexpected column is refused, and so are duplicate names.
    feature_dtypes_ : list of str
        dtype of each feature column at fit (``"float64"``, ``"object"``, ``"category"``, ...).
    feature_categories_ : dict of str to list of str
        For each text or categorical column (object, string or category dtype), its categories as
        text; the base models see the position of a value in this list. A category not seen at fit,
        or a missing value, becomes NaN when the base models accept NaN, else -1.
    accepts_nan_ : bool
        Whether every base model accepts NaN features.
    models_ : object
        The fitted base models (learner-specific).
    inference_ : BootstrapResult or None
        Models refitted on bootstrap resamples, when ``fit(..., inference=Bootstrap(...))``.

    See Also
    --------
    SLearner, TLearner, XLearner, RLearner, DRLearner : The meta-learners built on it.
    Bootstrap : The inference strategy ``fit(..., inference=)`` takes.
    """

    #: Roles of the base models this learner fits (checked against the outcome before fitting).
    _roles: ClassVar[tuple[Role, ...]] = ("outcome",)
    #: Whether the effect model is a classifier (class transformation) rather than a regressor.
    _effect_is_classifier: ClassVar[bool] = False
    #: Whether the learner is defined for binary outcomes only.
    _binary_only: ClassVar[bool] = False
    #: Whether the effect model's default is the regularised final stage (R and DR).
    _regularised_effect: ClassVar[bool] = False

    # -- fitting ------------------------------------------------------------------------------
    def fit(
        self, X: Any, y: Any, *, treatment: Any, sample_weight: Any = None, inference: Bootstrap | None = None
    ) -> BaseUpliftLearner:
        """Fit the learner.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n, p)
            Pre-treatment features: numbers, or (in a DataFrame) text and categorical columns, which
            are encoded as categories (see ``feature_categories_``).
        y : array-like of shape (n,)
            Outcome: 0/1 for a conversion (then effects are differences of probabilities) or a number.
        treatment : array-like of shape (n,)
            Arm of each row; the control is ``control_value`` (default: the smallest label).
        sample_weight : array-like of shape (n,), optional
            Row weights, passed to every base model.
        inference : Bootstrap, optional
            Also fit on bootstrap resamples, for ``effect_interval`` and ``ate_interval``.

        Returns
        -------
        self
        """
        name = type(self).__name__
        outcome_type = check_literal(self._param("outcome_type"), OutcomeType, "outcome_type")
        if self._binary_only:
            outcome_type = "binary"
        y_array, kind = check_outcome(y, outcome_type=outcome_type, context=name)
        info = check_treatment(treatment, control_value=self._param("control_value"),
                               min_rows_per_arm=MIN_ROWS_PER_ARM, context=name)
        plan = self._make_plan(kind, info.labels)
        roles = tuple(r for r in self._roles if r != "propensity" or self._param("propensity") is None)
        nan_ok = plan.check_models(roles)
        schema = FeatureSchema.from_fit(X, context=name)
        X_array = schema.transform(X, allow_nan=nan_ok, context=name)
        n_samples = check_consistent_length(X=X_array, y=y_array, treatment=info.codes)
        weight = check_sample_weight(sample_weight, n_samples)
        propensity = known_propensity(self._param("propensity"), info, n_samples, name)
        data = FitData(X_array, y_array, info.codes, weight, propensity)
        state = self._fit_state(plan, data)
        result = None if inference is None else run_bootstrap(self, plan, data, inference)
        for note in dict.fromkeys(plan.notes):
            warnings.warn(note, PoorOverlapWarning, stacklevel=2)

        self.models_ = state
        self.inference_ = result
        self.treatment_arms_ = info.arms
        self.control_value_ = info.control_value
        self.n_arms_ = info.n_arms
        self.outcome_type_ = kind
        self.n_features_in_ = schema.n_features
        self.feature_dtypes_ = list(schema.dtypes)
        self.feature_categories_ = {column: list(values) for column, values in schema.categories.items()}
        self.accepts_nan_ = nan_ok
        if schema.names is not None:
            self.feature_names_in_ = np.asarray(schema.names, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self

    def _param(self, name: str) -> Any:
        """The value of the learner's parameter ``name``; for a parameter the learner does not take,
        the value that means "absent" (:data:`ABSENT_PARAMETERS`). Any other name is a KeyError, so
        a misspelt name fails loudly instead of silently reading a default."""
        params = self.get_params(deep=False)
        return params[name] if name in params else ABSENT_PARAMETERS[name]

    def _make_plan(self, kind: str, labels: np.ndarray) -> FitPlan:
        n_folds = self._param("n_folds")
        if not isinstance(n_folds, int | np.integer) or n_folds < 2:
            raise UpliftInputError(f"n_folds must be an integer of at least 2; got {n_folds!r}.")
        n_jobs = self._param("n_jobs")
        if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer)
                                   or not (n_jobs >= 1 or n_jobs == -1)):
            raise UpliftInputError(
                f"n_jobs must be None, a positive number of threads or -1 (every core); got {n_jobs!r}."
            )
        random_state = self._param("random_state")
        if isinstance(random_state, np.random.RandomState):
            random_state = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
        models = BaseModels(
            outcome=self._param("outcome_model"),
            effect=self._param("effect_model"),
            propensity=self._param("propensity_model"),
            outcome_is_classifier=kind == "binary",
            effect_is_classifier=self._effect_is_classifier,
            regularised_effect=self._regularised_effect,
            n_jobs=None if n_jobs is None else int(n_jobs),
        )
        return FitPlan(type(self).__name__, kind, labels, models, int(n_folds), random_state,
                       self._param("propensity") is not None)

    # -- the recipe (subclasses) ----------------------------------------------------------------
    def _fit_state(self, plan: FitPlan, data: FitData) -> Any:
        raise NotImplementedError

    def _outcomes(self, state: Any, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _effects(self, state: Any, X: np.ndarray) -> np.ndarray:
        return self._outcomes_and_effects(state, X)[1]

    def _outcomes_and_effects(self, state: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(_outcomes(state, X), _effects(state, X))`` from one pass over the fitted models.

        Here: the outcomes once, the effects their differences (what ``_effects`` is for a learner
        that models the outcomes). A learner whose effects are not the outcomes' differences overrides
        it, so that both stay bit for bit what its ``_outcomes`` and ``_effects`` return.
        """
        outcomes = self._outcomes(state, X)
        return outcomes, outcomes[:, 1:] - outcomes[:, :1]

    # -- prediction -----------------------------------------------------------------------------
    @property
    def feature_schema_(self) -> FeatureSchema:
        """The fitted features as a :class:`~uplift.validation.FeatureSchema`, built from the plain
        attributes ``n_features_in_``, ``feature_names_in_``, ``feature_dtypes_`` and
        ``feature_categories_`` (which are what a saved model stores)."""
        names = getattr(self, "feature_names_in_", None)
        return FeatureSchema(
            n_features=int(self.n_features_in_),
            names=None if names is None else tuple(str(n) for n in names),
            dtypes=tuple(self.feature_dtypes_),
            categories={column: tuple(values) for column, values in self.feature_categories_.items()},
        )

    def _check_X(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "models_")
        return self.feature_schema_.transform(X, allow_nan=self.accepts_nan_, context=type(self).__name__)

    def _shape(self, effects: np.ndarray) -> np.ndarray:
        return effects[..., 0] if self.n_arms_ == 1 else effects

    def predict(self, X: Any) -> np.ndarray:
        """Effect of each treated arm versus the control.

        Parameters
        ----------
        X : array-like of shape (n, n_features)
            Features, with the columns seen at fit (a DataFrame's are matched by name).

        Returns
        -------
        ndarray of shape (n,) with one treated arm, (n, n_arms) with several
            Columns in the order of ``treatment_arms_``. For a binary outcome, a difference of
            probabilities ``P(y=1 | x, arm) - P(y=1 | x, control)``.
        """
        X = self._check_X(X)
        return self._shape(self._effects(self.models_, X))

    def predict_outcomes(self, X: Any) -> np.ndarray:
        """Expected outcome under the control and under each treated arm.

        Parameters
        ----------
        X : array-like of shape (n, n_features)
            Features, with the columns seen at fit (a DataFrame's are matched by name).

        Returns
        -------
        ndarray of shape (n, n_arms + 1)
            Control first, then arms in the order of ``treatment_arms_``; probabilities for a binary
            outcome. ``outcomes[:, k] - outcomes[:, 0]`` equals ``predict`` for arm ``k`` (to rounding,
            about 1e-16, for a learner with a separate effect model; exactly for S, T and
            ``CalibratedLearner``).
        """
        X = self._check_X(X)
        return self._outcomes(self.models_, X)

    def _predict_outcomes_and_effects(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(predict_outcomes(X), predict(X))``, bit for bit, from one pass over the fitted models.

        Half the work of calling both when the effects are the outcomes' differences (S, T) or the
        outcomes are built from the effects (every learner with a separate effect model): for a
        caller that needs both on the same rows.
        """
        X = self._check_X(X)
        outcomes, effects = self._outcomes_and_effects(self.models_, X)
        return outcomes, self._shape(effects)

    # -- inference ------------------------------------------------------------------------------
    def _bootstrap(self) -> BootstrapResult:
        check_is_fitted(self, "models_")
        if self.inference_ is None:
            raise NotFittedError(
                f"{type(self).__name__} was fitted without inference; intervals need "
                "fit(..., inference=Bootstrap(n_resamples=100, random_state=0))."
            )
        return self.inference_

    def effect_interval(self, X: Any, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
        """Bootstrap percentile interval of the effect at each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n, n_features)
            Features, with the columns seen at fit.
        alpha : float, default 0.05
            1 - coverage: 0.05 for a 95% interval.

        Returns
        -------
        low, high : ndarray, each shaped like ``predict(X)``
        """
        X = self._check_X(X)
        low, high = interval(resampled_effects(self, self._bootstrap(), X), alpha)
        return self._shape(low), self._shape(high)

    def ate_interval(self, X: Any = None, alpha: float = 0.05) -> tuple[Any, Any]:
        """Bootstrap percentile interval of the average effect of each arm.

        Parameters
        ----------
        X : array-like, optional
            Average over these rows; by default over the training rows (of each resample).
        alpha : float, default 0.05

        Returns
        -------
        low, high : float with one treated arm, ndarray of shape (n_arms,) with several
        """
        result = self._bootstrap()
        if X is None:
            samples = result.ate_samples
        else:
            samples = resampled_effects(self, result, self._check_X(X)).mean(axis=1)
        low, high = interval(samples, alpha)
        if self.n_arms_ == 1:
            return float(low[0]), float(high[0])
        return low, high


@dataclass(frozen=True)
class EffectState:
    """Fitted models of a learner with a separate effect model.

    ``control`` holds the control outcome model(s) (their predictions are averaged: one full-data
    model, or the cross-fitting fold models), ``effect[k - 1]`` the effect model(s) of arm ``k``,
    ``binary`` whether the outcome is binary (effects are then bounded by the control outcome). A
    recipe that needs more at predict time subclasses it with typed fields (``XLearnerState``,
    ``StackedState``), never a dict of string keys.
    """

    control: tuple[Any, ...]
    effect: tuple[tuple[Any, ...], ...]
    binary: bool = False


def fit_control_model(plan: FitPlan, data: FitData) -> Any:
    """The control outcome model ``mu0`` of a learner with a separate effect model: fitted on the control rows."""
    rows = np.flatnonzero(data.codes == 0)
    return plan.fit("outcome", 0, data.X[rows], data.y[rows], data.weight_of(rows))


def average_prediction(models: tuple[Any, ...], X: np.ndarray) -> np.ndarray:
    """Mean of ``predict_outcome`` over ``models`` (one model: its prediction)."""
    total = predict_outcome(models[0], X)
    for model in models[1:]:
        total = total + predict_outcome(model, X)
    return total / len(models)


class SeparateEffectLearner(BaseUpliftLearner):
    """A learner whose effect has its own model; outcomes are the control outcome plus the effect.

    ``predict_outcomes`` is ``[mu0(x), mu0(x) + tau_1(x), ..., mu0(x) + tau_K(x)]`` where ``mu0`` is
    the control outcome model and ``tau_k`` the effect returned by ``predict``. For a binary outcome
    an effect is a difference of probabilities, so both come from the same bounded numbers:
    ``mu0`` is clipped into [0, 1] and each effect into ``[-mu0(x), 1 - mu0(x)]`` (hence into
    [-1, 1]); ``predict`` returns the clipped effect, so ``predict`` equals the difference of
    ``predict_outcomes`` columns for every row.
    """

    def _arm_effect(self, state: EffectState, code: int, X: np.ndarray) -> np.ndarray:
        return average_prediction(state.effect[code - 1], X)

    def _raw_effects(self, state: EffectState, X: np.ndarray) -> np.ndarray:
        return np.column_stack([self._arm_effect(state, code, X) for code in range(1, len(state.effect) + 1)])

    def _control_and_effects(self, state: EffectState, X: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """The control outcome (None when not needed) and the effects, bounded for a binary outcome."""
        effects = self._raw_effects(state, X)
        if not state.binary:
            return None, effects
        control = np.clip(average_prediction(state.control, X), 0.0, 1.0)
        np.clip(effects, -control[:, None], 1.0 - control[:, None], out=effects)
        return control, effects

    def _effects(self, state: EffectState, X: np.ndarray) -> np.ndarray:
        return self._control_and_effects(state, X)[1]

    def _outcomes(self, state: EffectState, X: np.ndarray) -> np.ndarray:
        return self._outcomes_and_effects(state, X)[0]

    def _outcomes_and_effects(self, state: EffectState, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        control, effects = self._control_and_effects(state, X)
        if control is None:
            control = average_prediction(state.control, X)
        return np.column_stack([control, control[:, None] + effects]), effects
