"""Learners of a benchmark: registry keys, ``module:Class`` import paths, and a random baseline."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from ..exceptions import UpliftInputError
from ._config import LearnerSpec, check_import_allowed

__all__ = ["LEARNERS", "RandomScores", "build_learner", "import_object"]


class RandomScores(BaseEstimator):
    """Baseline that ranks customers at random: its Qini is 0 in expectation.

    Every table should show it: a learner whose interval overlaps the random baseline has not
    shown that it ranks customers better than chance.

    Parameters
    ----------
    random_state : int, optional
        Seed of the scores (each ``predict`` call draws from the same seed).

    See Also
    --------
    build_learner : Builds it for the registry key ``"random"``.
    uplift.evaluation.qini_auc_score : Its expected value for random scores is 0.
    """

    def __init__(self, random_state: int | None = None) -> None:
        self.random_state = random_state

    def fit(self, X: Any, y: Any, *, treatment: Any) -> RandomScores:
        """Record the number of treated arms; nothing is learned.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features (unused).
        y : array-like of shape (n_samples,)
            Outcome (unused).
        treatment : array-like of shape (n_samples,)
            Arm of each row; only the number of arms is kept.

        Returns
        -------
        RandomScores
            ``self``.
        """
        self.n_arms_ = len(np.unique(np.asarray(treatment))) - 1
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Uniform random scores, drawn from ``random_state`` (the same on every call).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features (only their number of rows matters).

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_arms)
            One column per treated arm, flattened for a single arm.
        """
        rng = check_random_state(self.random_state)
        scores = rng.uniform(size=(len(X), self.n_arms_))
        return scores[:, 0] if self.n_arms_ == 1 else scores


@dataclass(frozen=True)
class LearnerEntry:
    """A registered learner: the import path of its factory and what it is."""

    target: str
    summary: str
    peer: str | None = None  # the package a peer adapter needs


_OURS = "uplift.learners:"
_PEERS = "uplift.benchmark._peers:"
LEARNERS: dict[str, LearnerEntry] = {
    "random": LearnerEntry("uplift.benchmark._learners:RandomScores", "random scores (baseline, Qini 0 expected)"),
    "s_learner": LearnerEntry(_OURS + "SLearner", "uplift S-learner (one model, treatment as a feature)"),
    "t_learner": LearnerEntry(_OURS + "TLearner", "uplift T-learner (one model per arm)"),
    "x_learner": LearnerEntry(_OURS + "XLearner", "uplift X-learner (Kunzel et al. 2019)"),
    "r_learner": LearnerEntry(_OURS + "RLearner", "uplift R-learner (Nie & Wager 2021)"),
    "dr_learner": LearnerEntry(_OURS + "DRLearner", "uplift DR-learner (Kennedy 2023)"),
    "auto_learner": LearnerEntry(_OURS + "AutoLearner", "uplift AutoLearner (stacked S/T/X/DR/R on the DR-loss)"),
    "class_transformation": LearnerEntry(_OURS + "ClassTransformation",
                                         "uplift class transformation (Jaskowski & Jaroszewicz 2012)"),
    "transformed_outcome": LearnerEntry(_OURS + "TransformedOutcome", "uplift transformed outcome (IPW)"),
    "sklift_solo_model": LearnerEntry(_PEERS + "SkliftSoloModel", "scikit-uplift SoloModel", "sklift"),
    "sklift_two_models": LearnerEntry(_PEERS + "SkliftTwoModels", "scikit-uplift TwoModels (vanilla)", "sklift"),
    "sklift_class_transformation": LearnerEntry(_PEERS + "SkliftClassTransformation",
                                                "scikit-uplift ClassTransformation", "sklift"),
    "causalml_s": LearnerEntry(_PEERS + "CausalmlS", "causalml BaseS{Classifier,Regressor}", "causalml"),
    "causalml_t": LearnerEntry(_PEERS + "CausalmlT", "causalml BaseT{Classifier,Regressor}", "causalml"),
    "causalml_x": LearnerEntry(_PEERS + "CausalmlX", "causalml BaseX{Classifier,Regressor}", "causalml"),
    "causalml_r": LearnerEntry(_PEERS + "CausalmlR", "causalml BaseR{Classifier,Regressor}", "causalml"),
    "causalml_dr": LearnerEntry(_PEERS + "CausalmlDR", "causalml BaseDR{Classifier,Learner}", "causalml"),
}


def import_object(path: str, *, what: str = "learner", allow_imports: tuple[str, ...] | None = None) -> Any:
    """Import ``package.module:Name``; raise a one-line error when it does not import.

    ``allow_imports`` not None marks a path written in a config (untrusted): it must come from an
    allowed package (checked before anything is imported) and name a class.
    """
    if allow_imports is not None:
        check_import_allowed(path, allow_imports, f": {what}")
    if ":" not in path:
        raise UpliftInputError(f"{what} path must look like 'package.module:Name'; got {path!r}.")
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UpliftInputError(
            f"{what} {path!r} does not import: {error}. Check the module name, or install the package "
            "(peers: pip install 'uplift[causalml]')."
        ) from error
    try:
        found = getattr(module, attribute)
    except AttributeError:
        raise UpliftInputError(
            f"{what} {path!r} does not import: module {module_name!r} has no {attribute!r}."
        ) from None
    if allow_imports is not None and not inspect.isclass(found):
        raise UpliftInputError(f"{what} {path!r} is a {type(found).__name__}, not a class; a config names classes.")
    return found


def _build_value(value: Any, where: str, allow_imports: tuple[str, ...]) -> Any:
    """Build ``{class = "module:Name", params = {...}}`` tables into objects, recursively."""
    if isinstance(value, dict) and "class" in value:
        unknown = set(value) - {"class", "params"}
        if unknown:
            raise UpliftInputError(f"{where}: a model table takes 'class' and 'params' only; got {sorted(unknown)}.")
        factory = import_object(str(value["class"]), what=f"{where} class", allow_imports=allow_imports)
        params = {k: _build_value(v, f"{where}.{k}", allow_imports) for k, v in dict(value.get("params", {})).items()}
        return _call(factory, params, where)
    if isinstance(value, dict):
        return {k: _build_value(v, f"{where}.{k}", allow_imports) for k, v in value.items()}
    return value


def _call(factory: Callable[..., Any], params: dict[str, Any], where: str) -> Any:
    try:
        return factory(**params)
    except TypeError as error:
        raise UpliftInputError(f"{where}: cannot build {getattr(factory, '__name__', factory)} ({error}).") from error


def build_learner(spec: LearnerSpec, *, random_state: int, allow_imports: tuple[str, ...] = ()) -> Any:
    """A fresh, unfitted learner for ``spec``; ``random_state`` is set when the learner takes one.

    Classes named by the config (``class`` and model tables in ``params``) must come from
    :data:`~uplift.benchmark._config.ALLOWED_IMPORTS` or ``allow_imports``; registered learners
    are trusted.

    Parameters
    ----------
    spec : LearnerSpec
        The learner of a benchmark config: a registry key or a class import path, with its parameters.
    random_state : int
        Seed given to the learner (and to nested base models that take one).
    allow_imports : tuple of str, default ()
        Modules beyond the allow-list whose classes the config may name (``--allow-import``).

    Returns
    -------
    estimator
        A fresh, unfitted learner.

    Raises
    ------
    UpliftInputError
        Unknown registry key, an import path that does not import or is not allowed, or parameters
        the class refuses.

    See Also
    --------
    LEARNERS : The registered learners and their keys.
    load_config : Reads the learner specs of a config.
    """
    if spec.key is not None:
        entry = LEARNERS.get(spec.key)
        if entry is None:
            raise UpliftInputError(
                f"unknown learner {spec.key!r} (learner {spec.name!r}); registered learners are {sorted(LEARNERS)}. "
                "Or give class = \"module:Class\"."
            )
        factory = import_object(entry.target, what=f"learner {spec.name!r}")
        target = entry.target
    else:
        target = str(spec.class_path)
        factory = import_object(target, what=f"learner {spec.name!r}", allow_imports=allow_imports)
    params = {k: _build_value(v, f"learner {spec.name!r} params.{k}", allow_imports) for k, v in spec.params.items()}
    learner = _call(factory, params, f"learner {spec.name!r}")
    if not (hasattr(learner, "fit") and hasattr(learner, "predict")):
        raise UpliftInputError(f"learner {spec.name!r} ({target}) has no fit/predict methods.")
    if "random_state" not in spec.params and hasattr(learner, "get_params") and \
            "random_state" in learner.get_params(deep=False):
        learner.set_params(random_state=random_state)
    return learner
