"""Default base models, built lazily so that ``import uplift.learners`` never imports xgboost.

How the defaults were chosen (``benchmarks/bench_learners_quality.py --choose-defaults``): ten
XGBoost settings (depth 2-4, learning rate 0.05-0.2, 200-400 trees, min_child_weight 5 or 50) for
the S-learner were scored on two tasks at once: synthetic data with known effects
(:func:`uplift.datasets.make_uplift_classification`, 20k rows; correlation of predicted and true
effect on fresh rows) and Hillstrom (Womens vs No E-Mail, visit; 70/30 splits, seeds 0-4;
sklift-convention Qini AUC). The setting with the best *average rank over both tasks* was kept,
never the best on Hillstrom alone (depth 2 won there and lost on the synthetic task). Numbers in
``docs/learners.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

__all__ = [
    "DEFAULT_EFFECT_XGB_PARAMS",
    "DEFAULT_XGB_PARAMS",
    "default_classifier",
    "default_effect_regressor",
    "default_propensity_model",
    "default_regressor",
]

#: XGBoost settings of the default base models (see the module docstring for how they were chosen).
#: Read-only: pass ``params=`` to :func:`default_classifier` / :func:`default_regressor` for others.
DEFAULT_XGB_PARAMS: Mapping[str, Any] = MappingProxyType({
    "n_estimators": 300,
    "max_depth": 3,
    "learning_rate": 0.1,
    "min_child_weight": 5.0,
    "subsample": 1.0,
    "tree_method": "hist",
})

#: XGBoost settings of the default *final stage* of the DR- and R-learners: it regresses noisy,
#: orthogonalised pseudo-outcomes, so it is shallower, slower and more strongly regularised than
#: the outcome models (depth 2, learning rate 0.05, 200 trees, min_child_weight 20, L2 penalty 10,
#: row subsampling 0.8). Chosen on IHDP 1-3 and ACIC 2016 1-2 against the default settings
#: (``docs/learners.md``, "DR and R under poor overlap").
DEFAULT_EFFECT_XGB_PARAMS: Mapping[str, Any] = MappingProxyType({
    "n_estimators": 200,
    "max_depth": 2,
    "learning_rate": 0.05,
    "min_child_weight": 20.0,
    "subsample": 0.8,
    "reg_lambda": 10.0,
    "tree_method": "hist",
})


def default_classifier(
    random_state: int | None = None, *, params: Mapping[str, Any] | None = None, n_jobs: int | None = None,
) -> BaseEstimator:
    """The default outcome classifier: a shallow, slowly learning XGBoost (``tree_method="hist"``).

    Parameters
    ----------
    random_state : int or None
        Seed of XGBoost.
    params : mapping, optional
        XGBoost settings that replace those of :data:`DEFAULT_XGB_PARAMS` (e.g. ``{"max_depth": 2}``).
    n_jobs : int or None, default None
        XGBoost's threads; None is XGBoost's default (every core, as ``OMP_NUM_THREADS`` allows).

    Returns
    -------
    xgboost.XGBClassifier
        Unfitted.

    See Also
    --------
    default_regressor : The same for a continuous outcome.
    default_propensity_model : The default model of the arm given the features.

    Examples
    --------
    >>> model = default_classifier(random_state=0)
    >>> model.get_params()["max_depth"], model.get_params()["tree_method"]
    (3, 'hist')
    """
    from xgboost import XGBClassifier  # xgboost on first use: `import uplift` stays light

    settings = {**DEFAULT_XGB_PARAMS, **(params or {})}
    return XGBClassifier(**settings, n_jobs=n_jobs, random_state=random_state, eval_metric="logloss")


def default_regressor(
    random_state: int | None = None, *, params: Mapping[str, Any] | None = None, n_jobs: int | None = None,
) -> BaseEstimator:
    """The default regressor (outcome model of a continuous outcome, effect model of X and TO).

    Same XGBoost settings as :func:`default_classifier` (``params`` replaces some of them, ``n_jobs``
    its threads), squared-error objective.

    Parameters
    ----------
    random_state : int or None
        Seed of XGBoost.
    params : mapping, optional
        XGBoost settings that replace the defaults (e.g. ``{"max_depth": 2}``).
    n_jobs : int or None, default None
        XGBoost's threads; None is XGBoost's default (every core, as ``OMP_NUM_THREADS`` allows).

    Returns
    -------
    xgboost.XGBRegressor
        Unfitted.

    See Also
    --------
    default_classifier : The same settings for a binary outcome.
    default_effect_regressor : The regularised final stage of DR and R.

    Examples
    --------
    >>> default_regressor(random_state=0).get_params()["learning_rate"]
    0.1
    """
    from xgboost import XGBRegressor  # xgboost on first use: `import uplift` stays light

    return XGBRegressor(**{**DEFAULT_XGB_PARAMS, **(params or {})}, n_jobs=n_jobs, random_state=random_state)


def default_effect_regressor(random_state: int | None = None, *, n_jobs: int | None = None) -> BaseEstimator:
    """The default final-stage regressor of the DR- and R-learners (their effect model).

    A regularised XGBoost (:data:`DEFAULT_EFFECT_XGB_PARAMS`): pseudo-outcomes are unbiased for
    the effect but far noisier than outcomes, and an unregularised final stage fits that noise.
    ``n_jobs`` as in :func:`default_classifier`.

    Parameters
    ----------
    random_state : int or None
        Seed of XGBoost.
    n_jobs : int or None, default None
        XGBoost's threads; None is XGBoost's default (every core, as ``OMP_NUM_THREADS`` allows).

    Returns
    -------
    xgboost.XGBRegressor
        Unfitted.

    See Also
    --------
    DRLearner, RLearner : Their default ``effect_model``.
    default_regressor : The unregularised default regressor.

    Examples
    --------
    >>> default_effect_regressor(random_state=0).get_params()["max_depth"]
    2
    """
    from xgboost import XGBRegressor  # xgboost on first use: `import uplift` stays light

    return XGBRegressor(**DEFAULT_EFFECT_XGB_PARAMS, n_jobs=n_jobs, random_state=random_state)


def default_propensity_model() -> BaseEstimator:
    """The default propensity model: a logistic regression on standardized, mean-imputed features.

    Fast (a few seconds on a million rows) and enough for the question it answers in an experiment
    or a mildly confounded study; pass ``propensity=`` when the design fixes it, or your own
    ``propensity_model`` when assignment depends on the features in a non-linear way.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted: mean imputation, standardisation, logistic regression.

    See Also
    --------
    XLearner, DRLearner, RLearner, TransformedOutcome : Estimate the propensity with it by default.

    Examples
    --------
    >>> default_propensity_model().steps[-1][0]
    'logistic'
    """
    return Pipeline([
        ("impute", SimpleImputer()),
        ("scale", StandardScaler()),
        ("logistic", LogisticRegression(C=1.0, max_iter=500)),
    ])
