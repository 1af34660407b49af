"""Uplift learners: estimate the effect of a treatment on each customer.

Every learner shares one contract (:class:`BaseUpliftLearner`): ``fit(X, y, *, treatment,
sample_weight=None, inference=None)``, ``predict(X)`` (the effect of each treated arm versus the
control), ``predict_outcomes(X)`` (expected outcome under the control and each arm) and, after
``fit(..., inference=Bootstrap(...))``, ``effect_interval`` and ``ate_interval``.

xgboost, the default base model, is imported only when a default model is built.
"""

from ._auto import AutoLearner, StackingReport, default_candidates
from ._base import BaseUpliftLearner
from ._calibration import CalibratedLearner, CalibrationMap, CrossFit, CrossFitRepeats, MapRefits
from ._defaults import default_classifier, default_effect_regressor, default_propensity_model, default_regressor
from ._inference import Bootstrap, BootstrapResult
from ._meta import SLearner, TLearner, XLearner
from ._robust import DRLearner, RLearner
from ._transform import ClassTransformation, TransformedOutcome

__all__ = [
    "AutoLearner",
    "BaseUpliftLearner",
    "Bootstrap",
    "BootstrapResult",
    "CalibratedLearner",
    "CalibrationMap",
    "ClassTransformation",
    "CrossFit",
    "CrossFitRepeats",
    "DRLearner",
    "MapRefits",
    "RLearner",
    "SLearner",
    "StackingReport",
    "TLearner",
    "TransformedOutcome",
    "XLearner",
    "default_candidates",
    "default_classifier",
    "default_effect_regressor",
    "default_propensity_model",
    "default_regressor",
]
