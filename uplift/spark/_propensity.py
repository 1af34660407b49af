"""The estimated propensity on Spark: the learner's propensity model trained by Spark ML or ``xgboost.spark``.

In-process the propensity model is :func:`uplift.learners.default_propensity_model` (mean imputation,
standardisation, scikit-learn's ``LogisticRegression``) unless the learner names another. On Spark:

* a scikit-learn ``LogisticRegression`` (alone, or after ``SimpleImputer()`` and/or ``StandardScaler()``,
  the default pipeline) is trained by ``pyspark.ml.classification.LogisticRegression`` on the same
  objective. The imputer's means and the scaler's standard deviations (population, as
  ``StandardScaler``) come from one aggregation; the design is the imputed, standardised features.
  scikit-learn minimises ``1/2 ||w||^2 + C sum_i s_i loss_i``; Spark with ``elasticNetParam=0`` and
  ``standardization=False`` minimises ``(sum_i s_i loss_i) / (sum_i s_i) + regParam 1/2 ||w||^2``, the same
  function divided by ``C sum_i s_i`` when ``regParam = 1 / (C sum_i s_i)``. Neither penalises the
  intercept; both use one coefficient vector for two classes (``family="binomial"``) and one per class,
  all penalised, for more (``family="multinomial"``: Spark centres the free intercepts, which leaves the
  probabilities unchanged). The fitted coefficients are written into a fitted scikit-learn pipeline
  of the template's steps, so the in-process ``predict_proba`` (and ``uplift.io``) use them.
* an ``xgboost.XGBClassifier`` is trained by ``SparkXGBClassifier`` like the outcome models.

Anything else is refused with a message naming ``propensity_model``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ..exceptions import UpliftInputError, UpliftTypeError

__all__ = ["LogisticFit", "check_propensity_model", "train_logistic"]

#: Spark's L-BFGS stops when the objective changes by less than SPARK_TOL (relative) or after
#: SPARK_MAX_ITER passes over the rows. Far tighter than scikit-learn's stop (the largest gradient
#: component below its tol, 1e-4 by default), so the two fits differ by scikit-learn's own tolerance.
#: Measured (benchmarks/bench_spark_propensity.py, 900 rows): 7 (2 classes) and 10 (3 classes) iterations,
#: within 1.9e-8 and 3.3e-8 in probability of scikit-learn run to tol=1e-12 (the passes cost the time).
SPARK_TOL = 1e-12
SPARK_MAX_ITER = 300


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _logistic_steps(model: Any) -> tuple[bool, bool, LogisticRegression] | None:
    """``(impute, scale, logistic)`` when ``model`` is a logistic regression that Spark ML fits exactly, else None."""
    steps = [step for _, step in model.steps] if isinstance(model, Pipeline) else [model]
    *before, logistic = steps
    impute = scale = False
    for step in before:
        if (type(step) is SimpleImputer and not impute and not scale and step.strategy == "mean"
                and _is_nan(step.missing_values) and not step.add_indicator and not step.keep_empty_features):
            impute = True
        elif type(step) is StandardScaler and not scale and step.with_mean and step.with_std:
            scale = True
        else:
            return None
    if type(logistic) is not LogisticRegression:
        return None
    l2 = logistic.get_params().get("penalty", "l2") in ("l2", "deprecated") and logistic.l1_ratio in (None, 0, 0.0)
    if not l2 or logistic.class_weight is not None or logistic.solver == "liblinear" or logistic.dual:
        return None
    return impute, scale, logistic


def check_propensity_model(model: Any, *, weighted: bool, name: str) -> str:
    """``"logistic"`` or ``"xgboost"``: how Spark trains the learner's propensity model; else UpliftTypeError."""
    from xgboost import XGBClassifier  # the other propensity model trained on Spark

    if isinstance(model, XGBClassifier):
        return "xgboost"
    steps = _logistic_steps(model)
    if steps is None:
        raise UpliftTypeError(
            f"uplift.spark.fit estimates the propensity of {name} with a scikit-learn LogisticRegression (L2, "
            "alone or after SimpleImputer() and StandardScaler(), the default) or an XGBClassifier; got "
            f"propensity_model={type(model).__name__}. Pass propensity_model=None (the default), one of those, or "
            "propensity= when the design fixes it.")
    if weighted and isinstance(model, Pipeline):
        raise UpliftTypeError(
            f"the propensity model Pipeline of {name} does not accept sample_weight, which this fit needs (as "
            "in-process). Pass propensity_model=LogisticRegression() (it takes weights) or an XGBClassifier.")
    return "logistic"


@dataclass(frozen=True)
class LogisticFit:
    """A logistic propensity model fitted on Spark, as numbers: enough to rebuild the scikit-learn model.

    ``means`` (imputer and scaler), ``variances`` and ``scales`` (scaler), ``coef`` of shape
    ``(1 or n_classes, n_features)`` and ``intercept``, on the standardised features.
    """

    impute: bool
    scale: bool
    means: np.ndarray
    variances: np.ndarray
    scales: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    n_classes: int
    n_iter: int

    def model(self, template: Any = None) -> Any:
        """The fitted scikit-learn model: a clone of ``template`` (default: plain steps) holding these numbers."""
        if template is None:
            steps = [*([SimpleImputer()] if self.impute else []), *([StandardScaler()] if self.scale else []),
                     LogisticRegression()]
            template = Pipeline([(type(step).__name__.lower(), step) for step in steps]) if len(steps) > 1 else steps[0]
        model = clone(template)
        row = self.means[None, :]
        for step in ([step for _, step in model.steps] if isinstance(model, Pipeline) else [model]):
            if isinstance(step, SimpleImputer):
                step.fit(row)  # the mean of one row is that row: statistics_ are the means, exactly
            elif isinstance(step, StandardScaler):
                step.fit(row)
                step.mean_, step.var_, step.scale_ = self.means.copy(), self.variances.copy(), self.scales.copy()
            else:
                step.classes_ = np.arange(self.n_classes)
                step.coef_, step.intercept_ = self.coef.copy(), self.intercept.copy()
                step.n_features_in_ = self.coef.shape[1]
                step.n_iter_ = np.array([self.n_iter], dtype=np.int32)
        return model


def train_logistic(model: Any, rows: Any, *, features: list[str], label: str, weight: str | None,
                   n_classes: int) -> LogisticFit:
    """Fit the logistic ``model`` (checked by :func:`check_propensity_model`) to ``label`` (0..n_classes-1) on Spark.

    Two passes over ``rows`` before the solver: the feature moments (one aggregation), then Spark ML's
    L-BFGS on the imputed, standardised design (one pass per iteration).
    """
    from pyspark.ml.classification import LogisticRegression as SparkLogisticRegression  # optional: Spark ML
    from pyspark.ml.feature import VectorAssembler  # optional: Spark ML
    from pyspark.sql import functions as F  # optional dependency: only in the Spark layer

    steps = _logistic_steps(model)
    if steps is None:  # pragma: no cover - check_propensity_model refused it before any training
        raise UpliftTypeError(f"not a logistic propensity model: {type(model).__name__}.")
    impute, scale, logistic = steps
    values = [F.when(F.isnan(F.col(c)), F.lit(None)).otherwise(F.col(c)) for c in features]
    moments = rows.agg(
        F.count(F.lit(1)).alias("rows"), F.sum(F.col(weight) if weight else F.lit(1.0)).alias("weight"),
        *[aggregate(value).alias(f"{name}_{j}") for j, value in enumerate(values)
          for name, aggregate in (("present", F.count), ("mean", F.avg), ("var", F.var_pop))]).first()
    n_rows = int(moments["rows"])
    present = np.array([moments[f"present_{j}"] for j in range(len(features))], dtype=np.float64)
    if not impute and (present < n_rows).any():
        missing = [feature for feature, count in zip(features, present, strict=True) if count < n_rows]
        raise UpliftInputError(
            f"features {missing[:5]} have missing values, which propensity_model {type(model).__name__} does not "
            "accept (as in-process); put SimpleImputer() before it, as the default propensity pipeline does.")
    means = np.array([np.nan if moments[f"mean_{j}"] is None else moments[f"mean_{j}"]
                      for j in range(len(features))], dtype=np.float64)
    # the scaler sees the imputed column (when imputed): the missing rows add no deviation from the mean
    variances = np.array([moments[f"var_{j}"] or 0.0 for j in range(len(features))], dtype=np.float64)
    if impute:
        variances = variances * present / n_rows
    scales = np.where(variances > 0.0, np.sqrt(variances), 1.0)  # StandardScaler leaves a constant column as is
    columns = []
    for j, value in enumerate(values):
        column = F.coalesce(value, F.lit(float(means[j]))) if impute else F.col(features[j])
        if scale:
            column = (column - F.lit(float(means[j]))) / F.lit(float(scales[j]))
        columns.append(column.alias(f"_z{j}"))
    design = rows.select(*columns, F.col(label).cast("double").alias("_label"),
                         *([F.col(weight).alias("_weight")] if weight else []))
    design = VectorAssembler(inputCols=[f"_z{j}" for j in range(len(features))], outputCol="_design",
                             handleInvalid="keep").transform(design)
    strength = 0.0 if math.isinf(logistic.C) else 1.0 / (logistic.C * float(moments["weight"]))
    solver = SparkLogisticRegression(
        featuresCol="_design", labelCol="_label", family="binomial" if n_classes == 2 else "multinomial",
        standardization=False, elasticNetParam=0.0, regParam=strength, fitIntercept=bool(logistic.fit_intercept),
        tol=SPARK_TOL, maxIter=SPARK_MAX_ITER)
    if weight:
        solver.setWeightCol("_weight")
    fitted = solver.fit(design)
    n_iter = fitted.summary.totalIterations if fitted.hasSummary else SPARK_MAX_ITER
    return LogisticFit(impute, scale, means, variances, scales, fitted.coefficientMatrix.toArray(),
                       fitted.interceptVector.toArray(), n_classes, int(n_iter))
