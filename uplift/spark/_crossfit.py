"""X-, R- and DR-learners trained on Spark: nuisances per role and per fold, pseudo-outcomes on the executors.

What runs where. Each base model is one ``xgboost.spark`` training (data never collected). Its booster
comes back to the driver as the plain scikit-learn XGBoost class (:func:`._fit._plain_model`); the
predictions the next stage needs are made on the executors by a ``mapInPandas`` pass that loads the
boosters from their native bytes once per partition and calls the in-process
:func:`uplift.learners._plan.predict_outcome`. The targets are the in-process functions
(:func:`uplift.learners.dr_target`, :func:`uplift.learners.r_target`), applied per batch.

- X-learner: the per-arm outcome models on all rows (as in-process), the imputed effects
  ``Y - mu_0(x)`` (treated rows) and ``mu_k(x) - Y`` (control rows) in one pass, then two effect
  models per arm; the known propensity weights them.
- R/DR: ``n_folds`` folds from ``fold_col`` (or a seeded uniform draw, cached), one outcome model per
  fold and arm trained on the other folds, out-of-fold predictions in one pass, the pseudo-outcome
  per pair, then one effect model per arm; the control outcome model on all control rows.

The propensity is the learner's known ``propensity=`` (a number or a mapping) or, as in-process, estimated
by its ``propensity_model`` (:mod:`._propensity`): X on all rows (the fitted model weighs the two effect
models at predict time), R/DR once per fold on the other folds' rows (out-of-fold, on the same folds as
the outcome models). The per-row ``e_k`` is the in-process
:func:`~uplift.learners._propensity.pair_propensity` (clipped) of the model's ``predict_proba``, and the
poor-overlap note counts the rows :func:`~uplift.learners._propensity.outside_overlap` flags, per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import UpliftInputError, UpliftTypeError
from ..learners import DRLearner, RLearner, XLearner
from ..learners._base import EffectState
from ..learners._meta import XLearnerState
from ..learners._plan import FitPlan, predict_outcome
from ..learners._propensity import known_propensity, note_overlap, outside_overlap, pair_propensity
from ..learners._robust import dr_target, r_target
from ._propensity import LogisticFit, check_propensity_model, train_logistic

__all__ = ["crossfit_state", "fold_column", "pair_propensities"]

Trainer = Callable[[Any, str, Any, str, str | None], Any]  # (model, kind, rows, label, weight) -> plain model


def pair_propensities(learner: Any, info: Any, name: str) -> dict[int, float] | None:
    """``e_k`` of each treated arm from the learner's known ``propensity`` (a number or a mapping); None: estimated."""
    spec = learner.propensity
    if spec is None:
        return None
    if not isinstance(spec, dict) and np.ndim(spec) > 0:
        raise UpliftInputError(
            f"uplift.spark.fit takes propensity= of {name} as a number (one treated arm) or a mapping {{arm label: "
            "probability}; got an array (one value per row). Leave propensity=None to estimate it on Spark, or "
            "put the known probability in a column and fit in-process on a sample.")
    row = known_propensity(spec, info, 1, name)
    return {code: float(pair_propensity(np.asarray(row), code)[0]) for code in range(1, info.n_arms + 1)}


def _check_xgboost(model: Any, role: str, kind: str, name: str) -> Any:
    from xgboost import XGBClassifier, XGBRegressor  # the only base models trained on Spark

    expected = XGBClassifier if kind == "binary" else XGBRegressor
    if not isinstance(model, expected):
        raise UpliftTypeError(f"uplift.spark.fit trains XGBoost on Spark; the {role} model of {name} must be an "
                              f"{expected.__name__}; got {type(model).__name__}.")
    return model


Shipped = tuple[bytes, str] | LogisticFit  # a booster's native bytes and kind, or a logistic model's numbers


def _predicting(features: list[str], models: dict[str, Shipped],
                compute: Callable[[pd.DataFrame, dict[str, Any], np.ndarray], pd.DataFrame]) -> Callable[..., Any]:
    """A ``mapInPandas`` function: models loaded once per partition, ``compute(batch, models, X)`` per batch."""
    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from xgboost import XGBClassifier, XGBRegressor  # on the executors

        loaded = {}
        for key, shipped in models.items():
            if isinstance(shipped, LogisticFit):
                loaded[key] = shipped.model()
                continue
            raw, kind = shipped
            model = XGBClassifier() if kind == "binary" else XGBRegressor()
            model.load_model(bytearray(raw))
            loaded[key] = model
        for batch in batches:
            yield compute(batch, loaded, batch[features].to_numpy(np.float64))

    return run


def _raw(model: Any) -> bytes:
    return bytes(model.get_booster().save_raw("ubj"))


def fold_column(fold_col: str | None, n_folds: int, seed: int) -> Any:
    """The fold of each row: ``fold_col`` as an integer, or ``floor(n_folds U)`` with Spark's ``rand(seed)``.

    The draw is Spark's seeded uniform per row: the same for the same seed and the same partitioning of
    the table (a fit caches the drawn column, so it is drawn once); each fold holds a Binomial(n, 1/n_folds)
    number of rows. It is not the in-process ``StratifiedKFold`` (which needs every row on one machine).
    """
    from pyspark.sql import functions as F  # optional dependency: only in the Spark layer

    return F.col(fold_col).cast("int") if fold_col else F.floor(F.rand(seed) * n_folds).cast("int")


def _propensity_model(kind: str, template: Any, rows: Any, train: Trainer, *, features: list[str], arm: str,
                      weight: str | None, n_classes: int) -> tuple[Any, Shipped]:
    """The propensity model fitted on ``rows`` (in-process object) and what the executors load."""
    if kind == "xgboost":
        model = train(template, "binary", rows, arm, weight)
        return model, (_raw(model), "binary")
    fit = train_logistic(template, rows, features=features, label=arm, weight=weight, n_classes=n_classes)
    return fit.model(template), fit


def _note_overlap(plan: FitPlan, frame: Any, n_arms: int) -> None:
    """The in-process poor-overlap notes from the per-row flags ``_out_k`` (one aggregation)."""
    from pyspark.sql import functions as F  # optional dependency: only in the Spark layer

    shares = frame.agg(*[F.avg(f"_out_{code}").alias(f"_out_{code}") for code in range(1, n_arms + 1)]).first()
    for code in range(1, n_arms + 1):
        note_overlap(plan, code, float(shares[f"_out_{code}"]))


def _overlap_flags(probabilities: np.ndarray, n_arms: int) -> dict[str, np.ndarray]:
    return {f"_out_{code}": outside_overlap(probabilities, code).astype(np.float64) for code in range(1, n_arms + 1)}


def crossfit_state(learner: Any, plan: FitPlan, frame: Any, train: Trainer, *, features: list[str], arm: str,
                   labels: list[Any], kind: str, weighted: bool, fold_col: str | None, name: str,
                   info: Any) -> EffectState:
    """The fitted :class:`~uplift.learners._base.EffectState` of an X-, R- or DR-learner, trained on Spark.

    ``frame`` holds the features (double), ``arm`` (the arm code 0..K), ``_y`` and ``_w`` (weights).
    Poor-overlap notes of an estimated propensity are added to ``plan.notes``, as in-process.
    """
    from pyspark.sql import functions as F  # optional dependency: only in the Spark layer

    propensity = pair_propensities(learner, info, name)
    n_arms = len(labels) - 1
    weight = "_w" if weighted else None
    for code in range(n_arms + 1):
        _check_xgboost(plan.template("outcome", code), "outcome", kind, name)
        if code:
            _check_xgboost(plan.template("effect", code), "effect", "continuous", name)
    estimated = propensity is None
    if estimated:
        propensity_kind = check_propensity_model(plan.template("propensity"), weighted=weighted, name=name)
    flags = [f"_out_{code} double" for code in range(1, n_arms + 1)] if estimated else []

    def effect_model(code: int, rows: Any, label: str, row_weight: str | None) -> Any:
        return train(plan.template("effect", code), "continuous", rows, label, row_weight)

    def propensity_model(rows: Any) -> tuple[Any, Shipped]:
        return _propensity_model(propensity_kind, plan.template("propensity"), rows, train, features=features,
                                 arm=arm, weight=weight, n_classes=n_arms + 1)

    if isinstance(learner, XLearner):
        models: dict[str, Shipped] = {}
        fitted_propensity = None
        if estimated:  # in-process: one model on all rows, kept for predict (first: it checks the features)
            fitted_propensity, models["propensity"] = propensity_model(frame)
        outcomes = [train(plan.template("outcome", code), kind, frame.where(F.col(arm) == code), "_y", weight)
                    for code in range(n_arms + 1)]
        models.update({f"mu_{code}": (_raw(model), kind) for code, model in enumerate(outcomes)})

        def impute(batch: pd.DataFrame, loaded: dict[str, Any], X: np.ndarray) -> pd.DataFrame:
            codes, y = batch[arm].to_numpy(), batch["_y"].to_numpy(np.float64)
            control = predict_outcome(loaded["mu_0"], X)
            columns = {}
            for code in range(1, n_arms + 1):
                value = np.full(len(batch), np.nan)
                value[codes == code] = (y - control)[codes == code]
                if (codes == 0).any():
                    value[codes == 0] = predict_outcome(loaded[f"mu_{code}"], X[codes == 0]) - y[codes == 0]
                columns[f"_d_{code}"] = value
            if estimated:
                columns.update(_overlap_flags(np.asarray(loaded["propensity"].predict_proba(X)), n_arms))
            return batch.assign(**columns)

        schema = _with(frame, [*(f"_d_{code} double" for code in range(1, n_arms + 1)), *flags])
        imputed = frame.mapInPandas(_predicting(features, models, impute), schema=schema).persist()
        try:
            x_effects = tuple(
                (effect_model(code, imputed.where(F.col(arm) == 0), f"_d_{code}", weight),
                 effect_model(code, imputed.where(F.col(arm) == code), f"_d_{code}", weight))
                for code in range(1, n_arms + 1))
            if estimated:
                _note_overlap(plan, imputed, n_arms)
        finally:
            imputed.unpersist()
        return XLearnerState((outcomes[0],), x_effects, binary=kind == "binary", propensity=propensity,
                             propensity_model=fitted_propensity)
    if not isinstance(learner, RLearner | DRLearner):  # pragma: no cover - fit dispatches only these
        raise UpliftTypeError(f"no Spark recipe for {name}.")
    n_folds = int(plan.n_folds)
    seed = 0 if plan.random_state is None else int(plan.random_state)
    folded = frame.withColumn("_fold", fold_column(fold_col, n_folds, seed)).persist()  # a drawn fold is drawn once
    try:
        if fold_col:
            found = sorted(int(row[0]) for row in folded.select("_fold").distinct().collect())
            if found != list(range(len(found))) or len(found) < 2:
                raise UpliftInputError(f"fold_col {fold_col!r} must hold the fold numbers 0, 1, ..., n_folds - 1 "
                                       f"(at least 2 folds); got {found[:10]}.")
            n_folds = len(found)
        fold_models: dict[str, Shipped] = {}
        if estimated:  # in-process: cross-fitted on the outcome models' folds, all arms (first: it checks the features)
            for k in range(n_folds):
                fold_models[f"propensity_fold_{k}"] = propensity_model(folded.where(F.col("_fold") != k))[1]
        fold_models.update({
            f"mu_{code}_fold_{k}": (_raw(train(plan.template("outcome", code), kind,
                                              folded.where((F.col("_fold") != k) & (F.col(arm) == code)), "_y",
                                              weight)), kind)
            for k in range(n_folds) for code in range(n_arms + 1)})
        target: Callable[..., Any] = r_target if isinstance(learner, RLearner) else partial(
            dr_target, overlap_weights=bool(learner.overlap_weights))

        def pseudo(batch: pd.DataFrame, loaded: dict[str, Any], X: np.ndarray) -> pd.DataFrame:
            codes, y, folds = batch[arm].to_numpy(), batch["_y"].to_numpy(np.float64), batch["_fold"].to_numpy()
            mu = np.empty((len(batch), n_arms + 1))
            probabilities = np.empty((len(batch), n_arms + 1))
            for k in range(n_folds):
                rows = folds == k
                if rows.any():
                    for code in range(n_arms + 1):
                        mu[rows, code] = predict_outcome(loaded[f"mu_{code}_fold_{k}"], X[rows])
                    if estimated:
                        probabilities[rows] = loaded[f"propensity_fold_{k}"].predict_proba(X[rows])
            columns = _overlap_flags(probabilities, n_arms) if estimated else {}
            row_weight = batch["_w"].to_numpy(np.float64) if weighted else None
            for code in range(1, n_arms + 1):
                e = np.full(len(batch), propensity[code]) if propensity else pair_propensity(probabilities, code)
                value, pair_weight = target(y, (codes == code).astype(np.float64), mu[:, 0], mu[:, code], e)
                pair_weight = np.ones(len(batch)) if pair_weight is None else pair_weight
                columns[f"_phi_{code}"] = value
                columns[f"_pw_{code}"] = pair_weight if row_weight is None else pair_weight * row_weight
            return batch.assign(**columns)

        schema = _with(folded, [*(f"_{kind_} double" for code in range(1, n_arms + 1)
                                  for kind_ in (f"phi_{code}", f"pw_{code}")), *flags])
        targets = folded.mapInPandas(_predicting(features, fold_models, pseudo), schema=schema).persist()
        try:
            effects: tuple[tuple[Any, ...], ...] = tuple(
                (effect_model(code, targets.where(F.col(arm).isin(0, code)), f"_phi_{code}", f"_pw_{code}"),)
                for code in range(1, n_arms + 1))
            if estimated:
                _note_overlap(plan, targets, n_arms)
        finally:
            targets.unpersist()
        control = train(plan.template("outcome", 0), kind, folded.where(F.col(arm) == 0), "_y", weight)
    finally:
        folded.unpersist()
    return EffectState((control,), effects, binary=kind == "binary")


def _with(frame: Any, columns: list[str]) -> str:
    """DDL schema of ``frame`` with more columns."""
    return ", ".join([*(f"`{field.name}` {field.dataType.simpleString()}" for field in frame.schema.fields),
                      *columns])
