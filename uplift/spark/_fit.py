"""Fit an S-, T-, X-, R- or DR-learner on a Spark DataFrame with XGBoost's Spark estimators, one per role.

What runs where: the driver validates the arms and the outcome with one aggregation and reads the
feature schema off a few rows; each base model is trained by ``xgboost.spark`` (``num_workers``
Spark tasks, data never collected); the driver receives the booster and wraps it in the plain
scikit-learn XGBoost class the in-process learner uses, then sets the same fitted state as
:meth:`BaseUpliftLearner.fit`. The result is the learner class you passed, fitted: ``predict``,
``uplift.io.save`` and :func:`uplift.spark.score` work on it as on an in-process fit. The X-, R- and
DR-learners (out-of-fold nuisances through a fold column) are in :mod:`._crossfit`, their estimated
propensity in :mod:`._propensity`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import clone

from .._utils import plain, preview
from ..exceptions import PoorOverlapWarning, UpliftInputError, UpliftTypeError
from ..learners import DRLearner, RLearner, SLearner, TLearner, XLearner, default_classifier, default_regressor
from ..learners._base import MIN_ROWS_PER_ARM
from ..learners._plan import accepts_nan
from ..validation import FeatureSchema, check_treatment
from ._crossfit import crossfit_state

if TYPE_CHECKING:  # pyspark is optional: only for annotations
    from pyspark.sql import DataFrame

__all__ = ["fit"]

#: scikit-learn wrapper settings that xgboost.spark sets itself (objective from the estimator class,
#: threads from the task) or does not take.
_NOT_PASSED = frozenset({"n_jobs", "missing", "kwargs", "enable_categorical", "objective", "nthread"})


def _base_model(learner: Any, kind: str) -> Any:
    """The learner's outcome model (or the in-process default), which must be an XGBoost model."""
    from xgboost import XGBClassifier, XGBRegressor  # the only base models trained on Spark

    model = learner.outcome_model
    if isinstance(model, Mapping):
        raise UpliftTypeError("uplift.spark.fit takes one outcome_model for every arm; got a mapping. Give one "
                              "XGBoost model (its settings are used for every arm).")
    if model is None:
        model = (default_classifier if kind == "binary" else default_regressor)(random_state=learner.random_state)
    expected = XGBClassifier if kind == "binary" else XGBRegressor
    if not isinstance(model, expected):
        raise UpliftTypeError(f"uplift.spark.fit trains XGBoost on Spark; outcome_model must be an "
                              f"{expected.__name__} for a {kind} outcome; got {type(model).__name__}.")
    return model


def _spark_estimator(model: Any, kind: str, features: list[str], label: str, weight: str | None,
                     num_workers: int) -> Any:
    from xgboost.spark import SparkXGBClassifier, SparkXGBRegressor  # optional: the Spark estimators

    params = {key: value for key, value in model.get_params().items()
              if value is not None and key not in _NOT_PASSED}
    if weight:
        params["weight_col"] = weight
    estimator: Any = SparkXGBClassifier if kind == "binary" else SparkXGBRegressor
    return estimator(features_col=features, label_col=label, num_workers=num_workers, **params)


def _plain_model(spark_model: Any, kind: str) -> Any:
    """The trained booster as the scikit-learn XGBoost class (loaded from its native bytes: XGBoost's own format)."""
    from xgboost import XGBClassifier, XGBRegressor  # the in-process base models

    model = XGBClassifier() if kind == "binary" else XGBRegressor()
    model.load_model(bytearray(spark_model.get_booster().save_raw("ubj")))
    return model


def fit(
    learner: Any, sdf: DataFrame, *, features: Sequence[str], treatment: str, outcome: str,
    control_value: Any = None, sample_weight: str | None = None, num_workers: int = 1, fold_col: str | None = None,
) -> Any:
    """Fit a clone of an S-, T-, X-, R- or DR-learner on a Spark DataFrame; return it fitted, as in-process.

    Parameters
    ----------
    learner : SLearner, TLearner, XLearner, RLearner or DRLearner
        Unfitted (it is cloned); its base models must be XGBoost models or None (the defaults). X, R
        and DR take a known ``propensity`` (a number or a mapping) or, with ``propensity=None``, estimate
        it as in-process with their ``propensity_model``: None (the default logistic pipeline) or a
        scikit-learn ``LogisticRegression`` (solved by Spark ML on the same objective), or an
        ``XGBClassifier``.
    sdf : pyspark.sql.DataFrame
    features : sequence of str
        Numeric feature columns (in the order ``predict`` will expect).
    treatment, outcome : str
        Columns of the arm and of the outcome.
    control_value : object, optional
        Label of the control arm (default: the learner's, else the smallest label).
    sample_weight : str, optional
        Column of row weights.
    num_workers : int, default 1
        Spark tasks per XGBoost training (``xgboost.spark``'s ``num_workers``).
    fold_col : str, optional
        R and DR: column of cross-fitting fold numbers ``0, ..., n_folds - 1``. Default: a uniform
        draw seeded by the learner's ``random_state`` into its ``n_folds`` folds (reproducible for the
        same seed and partitioning; not the in-process stratified folds: pass those here for the
        in-process fit).

    Returns
    -------
    the learner's class
        Fitted: its models are ``xgboost.XGBClassifier``/``XGBRegressor`` objects.

    Raises
    ------
    UpliftTypeError
        Another learner, a base model that is not XGBoost, a propensity model Spark cannot train, or the
        propensity pipeline with ``sample_weight`` (its ``fit`` takes no weights, as in-process).
    UpliftInputError
        Missing columns, non-numeric features, nulls in the treatment or outcome, fewer than 10 rows
        in an arm, a non-binary outcome for ``outcome_type="binary"``, a per-row array as ``propensity``,
        missing feature values with a propensity model that takes none (no ``SimpleImputer``), a fold
        column that does not hold ``0, ..., n_folds - 1``.

    Warns
    -----
    PoorOverlapWarning
        An estimated propensity outside [0.05, 0.95] for more than 1% of rows (as in-process).

    See Also
    --------
    uplift.learners.SLearner, uplift.learners.TLearner : The same learners in-process.
    score : Scores with the fitted learner on Spark.

    Examples
    --------
    >>> learner = fit(TLearner(), customers, features=["x0", "x1"], treatment="t", outcome="y")  # doctest: +SKIP
    """
    from pyspark.sql import functions as F  # optional dependency: only in the Spark layer

    if not isinstance(learner, SLearner | TLearner | XLearner | RLearner | DRLearner):
        raise UpliftTypeError(f"uplift.spark.fit trains an SLearner, TLearner, XLearner, RLearner or DRLearner; got "
                              f"{type(learner).__name__}. Fit other learners in-process on a sample, then score on "
                              "Spark.")
    features = list(features)
    needed = [*features, treatment, outcome, *([sample_weight] if sample_weight else []),
              *([fold_col] if fold_col else [])]
    missing = [name for name in needed if name not in sdf.columns]
    if missing:
        raise UpliftInputError(f"columns {preview(missing)} are missing from the Spark DataFrame; its columns are "
                               f"{preview(sdf.columns)}.")
    name = type(learner).__name__
    y = F.col(outcome).cast("double")
    per_label = sdf.groupBy(F.col(treatment).alias("label")).agg(
        F.count(F.lit(1)).alias("rows"),
        F.sum((F.isnull(y) | F.isnan(y)).cast("long")).alias("bad_outcome"),
        F.sum((~y.isin(0.0, 1.0)).cast("long")).alias("not_binary"),
    ).toPandas()
    if per_label["label"].isna().any() or per_label["bad_outcome"].sum():
        raise UpliftInputError(f"the treatment or outcome column has missing values (null or NaN) for {name}; "
                               "drop or fill those rows before fitting.")
    control = learner.control_value if control_value is None else control_value
    info = check_treatment(per_label["label"].to_numpy(), control_value=control, context=name)
    small = per_label[per_label["rows"] < MIN_ROWS_PER_ARM]
    if len(small):
        raise UpliftInputError(f"arms {preview(small['label'].tolist())} have fewer than {MIN_ROWS_PER_ARM} rows "
                               f"for {name}; every arm needs rows to fit its model.")
    outcome_type = learner.outcome_type
    not_binary = int(per_label["not_binary"].sum())
    if outcome_type == "binary" and not_binary:
        raise UpliftInputError(f"outcome column {outcome!r} must be binary (0/1) for outcome_type='binary'; "
                               f"{not_binary} row(s) hold other values.")
    kind = outcome_type if outcome_type != "auto" else ("continuous" if not_binary else "binary")
    sample = sdf.select(*features).limit(1000).toPandas()
    non_numeric = [c for c in features if sample[c].dtype.kind not in "biuf"]
    if non_numeric:
        raise UpliftInputError(f"features {preview(non_numeric)} are not numeric; on Spark encode them as numbers "
                               "first (in-process fitting encodes text columns itself).")
    schema = FeatureSchema.from_fit(sample, context=name)
    labels = [plain(value) for value in [info.control_value, *info.arms]]
    frame = sdf.select(*[F.col(c).cast("double").alias(c) for c in features], F.col(treatment),
                       y.alias("_y"), *([F.col(sample_weight).cast("double").alias("_w")] if sample_weight else []),
                       *([F.col(fold_col)] if fold_col else []))
    weight = "_w" if sample_weight else None
    nan_ok = True  # XGBoost handles missing values
    if isinstance(learner, XLearner | RLearner | DRLearner):
        code = F.lit(None).cast("int")
        for k, label in enumerate(labels):
            code = F.when(F.col(treatment) == F.lit(label), F.lit(k)).otherwise(code)
        coded = frame.withColumn("_arm", code)

        def train(model: Any, model_kind: str, rows: Any, label: str, row_weight: str | None) -> Any:
            estimator = _spark_estimator(model, model_kind, features, label, row_weight, num_workers)
            return _plain_model(estimator.fit(rows), model_kind)

        plan = learner._make_plan(kind, info.labels)
        # as in-process: an estimated propensity's model must take missing values too (the default imputes)
        nan_ok = learner.propensity is not None or accepts_nan(plan.template("propensity"))
        state: Any = crossfit_state(learner, plan, coded, train, features=features, arm="_arm", labels=labels,
                                    kind=kind, weighted=bool(sample_weight), fold_col=fold_col, name=name, info=info)
        for note in dict.fromkeys(plan.notes):
            warnings.warn(note, PoorOverlapWarning, stacklevel=2)
    elif isinstance(learner, TLearner):
        model = _base_model(learner, kind)
        state = [
            _plain_model(_spark_estimator(model, kind, features, "_y", weight, num_workers).fit(
                frame.where(F.col(treatment) == F.lit(label))), kind)
            for label in labels]
    else:
        model = _base_model(learner, kind)
        indicators = [f"_arm_{k}" for k in range(1, len(labels))]
        design = frame.select("*", *[(F.col(treatment) == F.lit(label)).cast("double").alias(column)
                                     for column, label in zip(indicators, labels[1:], strict=True)])
        columns = [*indicators, *features]
        if learner.interactions:
            products = [f"_x{j}_arm_{k}" for k in range(1, len(labels)) for j in range(len(features))]
            design = design.select("*", *[(F.col(feature) * F.col(f"_arm_{k}")).alias(f"_x{j}_arm_{k}")
                                          for k in range(1, len(labels)) for j, feature in enumerate(features)])
            columns += products
        trained = _spark_estimator(model, kind, columns, "_y", weight, num_workers).fit(design)
        state = (_plain_model(trained, kind), len(labels) - 1)
    fitted = clone(learner)
    fitted.models_ = state
    fitted.inference_ = None
    fitted.treatment_arms_ = info.arms
    fitted.control_value_ = info.control_value
    fitted.n_arms_ = info.n_arms
    fitted.outcome_type_ = kind
    fitted.n_features_in_ = schema.n_features
    fitted.feature_dtypes_ = ["float64"] * len(features)  # the columns are cast to double for training
    fitted.feature_categories_ = {}
    fitted.accepts_nan_ = nan_ok
    fitted.feature_names_in_ = np.asarray(features, dtype=object)
    return fitted
