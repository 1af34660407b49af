"""Base models on disk: XGBoost in its own UBJ format, scikit-learn through skops with a fixed trust list.

Neither format runs code when read. XGBoost's UBJ file holds trees and numbers only. A skops file
describes objects as a tree of types; :func:`skops.io.loads` refuses any type that is not trusted,
and the list of trusted types is :data:`TRUSTED_SKOPS_TYPES` below (plus skops' own defaults:
builtins, numpy, scikit-learn estimators) — never a list read from the file, unlike loaders that
trust whatever :func:`skops.io.get_untrusted_types` reports.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from typing import Any

from sklearn.base import BaseEstimator

from ..exceptions import ModelFileError, UpliftTypeError

__all__ = ["TRUSTED_SKOPS_TYPES", "is_sklearn_model", "load_skops", "load_xgboost", "save_skops", "save_xgboost"]

#: Types beyond skops' defaults that scikit-learn base models we support need: the trees of
#: decision trees, random forests and gradient boosting, the predictors of HistGradientBoosting*,
#: and numpy's dtype objects (stored by e.g. SimpleImputer). Data holders only: none of them runs
#: user-supplied code when rebuilt.
TRUSTED_SKOPS_TYPES: tuple[str, ...] = (
    "numpy.dtype",
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)


def is_sklearn_model(obj: Any) -> bool:
    """Whether ``obj`` is a scikit-learn estimator (a class defined in scikit-learn itself)."""
    return isinstance(obj, BaseEstimator) and type(obj).__module__.startswith("sklearn.")


def _untrusted(types: Iterable[str], extra: Iterable[str]) -> list[str]:
    allowed = set(TRUSTED_SKOPS_TYPES) | set(extra)
    return sorted(t for t in types if t not in allowed)


def save_skops(model: Any, where: str) -> bytes:
    """skops bytes of a scikit-learn model; UpliftTypeError when it holds a type load would refuse."""
    import skops.io  # optional heavy dependency, needed only for scikit-learn base models

    try:
        data = skops.io.dumps(model)
    except Exception as error:  # skops raises TypeError/ValueError/... for objects it cannot describe
        raise UpliftTypeError(f"cannot save {where} ({type(model).__name__}) with skops: {error}") from error
    untrusted = _untrusted(skops.io.get_untrusted_types(data=data), ())
    if untrusted:
        raise UpliftTypeError(
            f"cannot save {where} ({type(model).__name__}): it contains type(s) {untrusted} that uplift.io does "
            "not trust when loading, so the file could not be read back. Use a scikit-learn model built from "
            "standard parts (linear models, trees, forests, gradient boosting, pipelines of scalers and "
            "imputers), or XGBoost."
        )
    return data


def load_skops(data: bytes, name: str, extra_trusted: Iterable[str] = ()) -> Any:
    """Rebuild a scikit-learn model from skops bytes; ModelFileError when it names an untrusted type."""
    import skops.io  # optional heavy dependency, needed only for scikit-learn base models

    try:
        found = skops.io.get_untrusted_types(data=data)
    except Exception as error:  # a corrupt archive: zipfile/json errors surface here
        raise ModelFileError(f"{name} is not a readable skops file: {error}") from error
    untrusted = _untrusted(found, extra_trusted)
    if untrusted:
        raise ModelFileError(
            f"{name} contains type(s) {untrusted} that uplift.io does not trust; it was not loaded (nothing in it "
            "ran). A file written by uplift.io.save holds only trusted types, so this one was altered or written "
            "by another program. If you wrote it and reviewed those types, pass load(..., trusted=[...])."
        )
    try:
        return skops.io.loads(data, trusted=sorted(set(found)))
    except Exception as error:  # skops raises UntrustedTypesFoundException or parsing errors
        raise ModelFileError(f"{name} could not be loaded by skops: {error}") from error


def save_xgboost(model: Any) -> bytes:
    """XGBoost's UBJ bytes of a fitted scikit-learn wrapper (with its scikit-learn attributes)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.ubj")
        model.save_model(path)
        with open(path, "rb") as file:
            return file.read()


def load_xgboost(cls: type, params: dict[str, Any], data: bytes | None, name: str) -> Any:
    """Rebuild an XGBoost wrapper: ``cls(**params)``, then its booster from UBJ bytes (when fitted)."""
    try:
        model = cls(**params)
    except TypeError as error:
        raise ModelFileError(f"{name}: the saved parameters do not fit {cls.__name__}: {error}") from error
    if data is not None:
        try:
            model.load_model(bytearray(data))
        except Exception as error:  # xgboost.core.XGBoostError on a corrupt or foreign file
            raise ModelFileError(f"{name} is not a readable XGBoost model: {error}") from error
    return model
