"""What a fit needs besides the data: the resolved base models, the arms, folds and seeds.

A :class:`FitPlan` is built once per call of ``fit`` from the learner's parameters (which it never
changes) and handed to the learner's recipe; the bootstrap reuses it with another seed. Recipes
fit base models only through :meth:`FitPlan.fit`, so cloning, sample weights and the checks of a
base model live here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils import get_tags
from sklearn.utils.validation import has_fit_parameter

from .._literals import Role
from .._utils import arm_outcome_strata, plain
from ..exceptions import UpliftInputError, UpliftTypeError
from ._defaults import default_classifier, default_effect_regressor, default_propensity_model, default_regressor

__all__ = ["BaseModels", "FitData", "FitPlan", "Role", "predict_outcome"]


@dataclass(frozen=True)
class FitData:
    """Validated training data: features, outcome, arm codes (0 = control), weights, propensity.

    ``propensity`` is ``None`` (to be estimated) or the known probability of each arm, shape
    ``(n, n_arms + 1)``, control first.
    """

    X: np.ndarray
    y: np.ndarray
    codes: np.ndarray
    weight: np.ndarray | None = None
    propensity: np.ndarray | None = None

    def take(self, index: np.ndarray) -> FitData:
        """The rows ``index`` (a resample or a fold), as a new object."""
        return FitData(
            self.X[index], self.y[index], self.codes[index],
            None if self.weight is None else self.weight[index],
            None if self.propensity is None else self.propensity[index],
        )

    def weight_of(self, index: np.ndarray | slice) -> np.ndarray | None:
        return None if self.weight is None else self.weight[index]

    def pair_rows(self, code: int) -> np.ndarray | slice:
        """Rows of the control and arm ``code``: a slice (views, no copy of X) when that is every row."""
        in_pair = (self.codes == 0) | (self.codes == code)
        return slice(None) if in_pair.all() else np.flatnonzero(in_pair)


def _describe(model: Any) -> str:
    return type(model).__name__


def predict_outcome(model: Any, X: np.ndarray) -> np.ndarray:
    """Expected outcome: ``P(y = 1 | x)`` through ``predict_proba`` for a classifier, else ``predict``."""
    if is_classifier(model):
        classes = list(getattr(model, "classes_", [0, 1]))
        column = classes.index(1) if 1 in classes else len(classes) - 1
        return np.asarray(model.predict_proba(X))[:, column].astype(np.float64)
    return np.asarray(model.predict(X), dtype=np.float64).ravel()


def accepts_nan(model: Any) -> bool:
    """Whether a scikit-learn estimator declares that it handles missing values.

    A Pipeline handles them when its first step does (an imputer, for example).
    """
    steps = getattr(model, "steps", None)
    if steps:
        first = next((step for _, step in steps if step not in (None, "passthrough")), None)
        return first is not None and accepts_nan(first)
    try:
        return bool(get_tags(model).input_tags.allow_nan)
    except (AttributeError, TypeError):
        return False


@dataclass(frozen=True)
class BaseModels:
    """The learner's base models by role (None: the default), and what the defaults must be.

    ``outcome``, ``effect`` and ``propensity`` are the learner's ``*_model`` parameters (an
    estimator or a mapping ``{arm label: estimator}``); ``n_jobs`` goes to the default XGBoost
    models only (a model the user passes is used as configured).
    """

    outcome: Any = None
    effect: Any = None
    propensity: Any = None
    outcome_is_classifier: bool = False
    effect_is_classifier: bool = False
    #: The effect model's default is the regularised final stage (R and DR), not the outcome models'.
    regularised_effect: bool = False
    n_jobs: int | None = None

    def is_classifier(self, role: Role) -> bool:
        """Whether the default (and any model) of ``role`` must be a classifier."""
        return role == "propensity" or (self.outcome_is_classifier if role == "outcome" else
                                         self.effect_is_classifier)


@dataclass(frozen=True)
class FitPlan:
    """Resolved settings of one fit, shared by the learner's recipe and the bootstrap."""

    learner_name: str
    outcome_type: str
    labels: np.ndarray
    models: BaseModels
    n_folds: int
    random_state: int | None
    known_propensity: bool
    notes: list[str] = field(default_factory=list, compare=False)

    @property
    def n_arms(self) -> int:
        return len(self.labels) - 1

    def with_seed(self, random_state: int | None) -> FitPlan:
        return replace(self, random_state=random_state, notes=[])

    # -- base models -------------------------------------------------------------------------
    def template(self, role: Role, code: int = 0) -> Any:
        """The unfitted base model of ``role`` for arm ``code`` (0 = control), before cloning."""
        spec = getattr(self.models, role)
        if isinstance(spec, Mapping):
            label = self.labels[code]
            label = plain(label)
            spec = spec.get(label)
        if spec is not None:
            return spec
        if role == "propensity":
            return default_propensity_model()
        n_jobs = self.models.n_jobs
        if role == "effect" and self.models.regularised_effect:
            return default_effect_regressor(self.random_state, n_jobs=n_jobs)
        if self.models.is_classifier(role):
            return default_classifier(self.random_state, n_jobs=n_jobs)
        return default_regressor(self.random_state, n_jobs=n_jobs)

    def fit(
        self, role: Role, code: int, X: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None
    ) -> Any:
        """Clone the base model of ``role`` (arm ``code``) and fit it; the template is never touched."""
        model = clone(self.template(role, code))
        if is_classifier(model) and len(np.unique(y)) < 2:
            raise UpliftInputError(
                f"the {role} model of arm {plain(self.labels[code])!r} in {self.learner_name} sees only one outcome "
                f"value ({np.unique(y)[:1].tolist()}) in its {len(y)} training rows; a classifier needs both. "
                "Collect more rows for that arm, or merge rare arms."
            )
        if weight is None:
            return model.fit(X, y)
        if not has_fit_parameter(model, "sample_weight"):
            raise UpliftTypeError(
                f"the {role} model {_describe(model)} of {self.learner_name} does not accept sample_weight, "
                "which this fit needs (sample weights or the learner's own weighting). Use a model whose "
                "fit takes sample_weight (e.g. XGBoost, LogisticRegression, HistGradientBoosting*)."
            )
        return model.fit(X, y, sample_weight=weight)

    def folds(self, data: FitData, *, by_outcome: bool = True) -> list[tuple[np.ndarray, np.ndarray]]:
        """Cross-fitting folds stratified by arm, and by outcome when it is binary and ``by_outcome``.

        ``by_outcome=False`` for a cross-fit whose out-of-fold errors are summed over the rows a rule
        selects (:class:`~uplift.learners.CalibratedLearner`, for the profit forecast): folds
        stratified by outcome hold exactly the conversion rate of the other folds, arm by arm, so a
        held-out fold's outcomes are tied to the level its models and calibration maps learned.
        """
        # n_quantiles=1: a continuous outcome (or binary=False) is one cell, so the folds are stratified by arm alone
        binary = by_outcome and self.outcome_type == "binary"
        strata = arm_outcome_strata(data.codes, data.y, binary=binary, n_quantiles=1)
        smallest = int(np.bincount(np.unique(strata, return_inverse=True)[1]).min())
        if smallest >= self.n_folds:
            splitter: Any = StratifiedKFold(self.n_folds, shuffle=True, random_state=self.random_state)
            return list(splitter.split(data.X, strata))
        splitter = KFold(self.n_folds, shuffle=True, random_state=self.random_state)
        return list(splitter.split(data.X))

    def check_models(self, roles: tuple[Role, ...]) -> bool:
        """Check the base models of ``roles`` against the outcome; return whether all accept NaN."""
        nan_ok = True
        for role in roles:
            for code in range(self.n_arms + 1):
                model = self.template(role, code)
                if not isinstance(model, BaseEstimator) and not hasattr(model, "fit"):
                    raise UpliftTypeError(
                        f"{role}_model of {self.learner_name} must be a scikit-learn estimator (with fit); "
                        f"got {model!r}."
                    )
                self._check_kind(role, model)
                nan_ok = nan_ok and accepts_nan(model)
        return nan_ok

    def _check_kind(self, role: Role, model: Any) -> None:
        wants_classifier = self.models.is_classifier(role)
        if role == "outcome" and self.outcome_type == "continuous" and is_classifier(model):
            raise UpliftInputError(
                f"outcome_model {_describe(model)} is a classifier, but y is continuous for {self.learner_name}. "
                "Pass a regressor as outcome_model, or binarise y (e.g. y > 0) for a conversion model."
            )
        if role == "outcome" or wants_classifier == is_classifier(model):
            return
        expected = "a classifier (with predict_proba)" if wants_classifier else "a regressor"
        why = {
            "effect": "its target is a continuous pseudo-outcome" if not wants_classifier
            else "it predicts the transformed class",
            "propensity": "it predicts the arm of each row",
        }[role]
        raise UpliftTypeError(
            f"{role}_model of {self.learner_name} must be {expected}, since {why}; got {_describe(model)}."
        )
