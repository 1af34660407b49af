"""The classes a model file may name: keys of our own registry, never a module path read from a file.

A saved object names its class by a key such as ``"learner/SLearner"``; loading looks the key up
here and nowhere else, so a model file cannot make :func:`uplift.io.load` import or call anything
that is not listed below. A class that is not registered cannot be saved (the error says so).

Three kinds of entries:

* *estimators* (``learner/*``, ``campaign/Policy``): rebuilt as ``cls(**params)`` from their
  constructor parameters, then their remaining attributes (the fitted state) are set;
* *records* (frozen dataclasses such as ``state/EffectState``): rebuilt as ``cls(**fields)``;
* *xgboost* wrappers: rebuilt from their parameters and XGBoost's own model file.

scikit-learn base models are not listed here: they go through skops, whose loader checks every
type against :data:`uplift.io._models.TRUSTED_SKOPS_TYPES`.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

from ..exceptions import ModelFileError

__all__ = ["RECORDS", "class_key", "lookup"]

#: key -> (module, class name) of the estimators: rebuilt from get_params() plus their attributes.
ESTIMATORS: dict[str, tuple[str, str]] = {
    "learner/SLearner": ("uplift.learners", "SLearner"),
    "learner/TLearner": ("uplift.learners", "TLearner"),
    "learner/XLearner": ("uplift.learners", "XLearner"),
    "learner/RLearner": ("uplift.learners", "RLearner"),
    "learner/DRLearner": ("uplift.learners", "DRLearner"),
    "learner/ClassTransformation": ("uplift.learners", "ClassTransformation"),
    "learner/TransformedOutcome": ("uplift.learners", "TransformedOutcome"),
    "learner/CalibratedLearner": ("uplift.learners", "CalibratedLearner"),
    "learner/AutoLearner": ("uplift.learners", "AutoLearner"),
    "campaign/Policy": ("uplift.campaign", "Policy"),
}

#: key -> (module, class name) of the records: dataclasses rebuilt from their fields.
RECORDS: dict[str, tuple[str, str]] = {
    "state/EffectState": ("uplift.learners._base", "EffectState"),
    "state/XLearnerState": ("uplift.learners._meta", "XLearnerState"),
    "state/StackedState": ("uplift.learners._auto", "StackedState"),
    "state/BootstrapResult": ("uplift.learners._inference", "BootstrapResult"),
    "state/FeatureSchema": ("uplift.validation", "FeatureSchema"),
    "state/CalibratedState": ("uplift.learners._calibration", "CalibratedState"),
    "state/CalibrationMap": ("uplift.learners._calibration", "CalibrationMap"),
    "state/CrossFit": ("uplift.learners._calibration", "CrossFit"),
    "state/CrossFitRepeats": ("uplift.learners._calibration", "CrossFitRepeats"),
    "state/StackingReport": ("uplift.learners._auto", "StackingReport"),
    "campaign/Economics": ("uplift.campaign", "Economics"),
}

#: key -> class name in ``xgboost`` of the scikit-learn wrappers saved in XGBoost's UBJ format.
XGBOOST: dict[str, str] = {
    "xgboost/XGBClassifier": "XGBClassifier",
    "xgboost/XGBRegressor": "XGBRegressor",
    "xgboost/XGBRFClassifier": "XGBRFClassifier",
    "xgboost/XGBRFRegressor": "XGBRFRegressor",
}

_TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "estimator": ESTIMATORS,
    "record": RECORDS,
    "xgboost": {key: ("xgboost", name) for key, name in XGBOOST.items()},
}


def _resolve(module: str, name: str) -> type | None:
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:  # an optional part (e.g. a class another version adds) is absent
        return None


def class_key(obj: Any) -> tuple[str, str] | None:
    """``(kind, key)`` of ``obj``'s exact class, or None when it is not registered.

    Only the exact class counts: a user's subclass of a learner is not registered (its extra
    behaviour could not be rebuilt from the file).
    """
    cls = type(obj)
    root = cls.__module__.split(".")[0]
    for kind, table in _TABLES.items():
        for key, (home, name) in table.items():
            if name == cls.__name__ and home.split(".")[0] == root and _resolve(home, name) is cls:
                return kind, key
    return None


def lookup(kind: str, key: Any) -> type:
    """The class registered as ``key`` among the ``kind`` entries; ModelFileError when there is none."""
    table = _TABLES.get(kind, {})
    if not isinstance(key, str) or key not in table:
        known = ", ".join(sorted(table)) or "none"
        raise ModelFileError(
            f"the model file names class {key!r} ({kind}), which is not a class uplift.io can load; known "
            f"{kind} classes: {known}. The file was written by another program or a newer version of uplift, "
            "or it was altered."
        )
    cls = _resolve(*table[key])
    if cls is None:
        raise ModelFileError(
            f"class {key!r} of the model file is not available in this installation (its module "
            f"{table[key][0]} could not be imported). Install the package that provides it."
        )
    if kind == "record" and not dataclasses.is_dataclass(cls):
        raise ModelFileError(f"registered record {key!r} is not a dataclass in this version of uplift.")
    return cls
