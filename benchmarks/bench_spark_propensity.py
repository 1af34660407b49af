"""The estimated propensity on Spark against in-process: how close, and what that does to a DR fit.

Phases (``local[2]``; confounded data from ``make_uplift_regression(propensity="observational")``):

1. X-learner on 2 and 3 arms with the default propensity pipeline, trained by ``uplift.spark.fit`` and
   in-process: the largest difference of the fitted propensity models' probabilities, against the
   in-process default (``tol=1e-4``) and against the pipeline run to ``tol=1e-12``; the Spark ML
   iterations; the wall time of the Spark fit.
2. DR-learner on 3 arms given the in-process folds as ``fold_col`` (6 and 8 trees per model), with the
   default propensity pipeline and with it tightened to ``tol=1e-10``: the largest difference of the
   effects from the in-process fit.

Run: ``PYTHONPATH=. python benchmarks/bench_spark_propensity.py`` (a few minutes on 2 cores; one JSON line
per measurement).
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings

import numpy as np


def _session():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return (SparkSession.builder.master("local[2]").appName("bench_spark_propensity")
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.python.worker.reuse", "true").getOrCreate())


def main() -> None:
    import logging

    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold
    from xgboost import XGBRegressor

    from uplift import spark as uspark
    from uplift.datasets import make_uplift_regression
    from uplift.learners import DRLearner, XLearner, default_propensity_model

    spark = _session()
    spark.sparkContext.setLogLevel("ERROR")
    logging.getLogger("XGBoost-PySpark").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")  # poor-overlap notes of the confounded data, PySpark's pandas notes

    def small(n_estimators: int = 6) -> XGBRegressor:
        return XGBRegressor(n_estimators=n_estimators, max_depth=2, random_state=0, n_jobs=1)

    for n_arms in (1, 2):
        data = make_uplift_regression(900, n_features=4, n_arms=n_arms, propensity="observational", random_state=8)
        sdf = spark.createDataFrame(data.X.assign(t=data.treatment, y=data.y))
        learner = XLearner(small(), effect_model=small())
        started = time.perf_counter()
        fitted = uspark.fit(learner, sdf, features=list(data.X.columns), treatment="t", outcome="y")
        seconds = time.perf_counter() - started
        X = data.X.to_numpy()
        on_spark = fitted.models_.propensity_model.predict_proba(X)
        default = clone(learner).fit(data.X, data.y, treatment=data.treatment).models_.propensity_model
        tight = default_propensity_model().set_params(logistic__tol=1e-12, logistic__max_iter=10_000)
        tight.fit(X, data.treatment)
        print(json.dumps({"phase": "propensity", "arms": n_arms + 1, "rows": len(X),
                          "max_diff_vs_default": float(np.abs(on_spark - default.predict_proba(X)).max()),
                          "max_diff_vs_tol_1e-12": float(np.abs(on_spark - tight.predict_proba(X)).max()),
                          "spark_iterations": int(fitted.models_.propensity_model[-1].n_iter_[0]),
                          "x_fit_seconds": round(seconds, 1)}), flush=True)

    data = make_uplift_regression(900, n_features=4, n_arms=2, propensity="observational", random_state=8)
    folds = np.empty(len(data.y), dtype=np.int64)
    for k, (_, test) in enumerate(StratifiedKFold(2, shuffle=True, random_state=3).split(data.X, data.treatment)):
        folds[test] = k
    sdf = spark.createDataFrame(data.X.assign(t=data.treatment, y=data.y, fold=folds))
    for trees, tol in ((6, 1e-4), (6, 1e-10), (8, 1e-4), (8, 1e-10)):
        learner = DRLearner(small(trees), effect_model=small(trees), n_folds=2, random_state=3,
                            propensity_model=default_propensity_model().set_params(logistic__tol=tol))
        started = time.perf_counter()
        fitted = uspark.fit(learner, sdf, features=list(data.X.columns), treatment="t", outcome="y", fold_col="fold")
        seconds = time.perf_counter() - started
        expected = clone(learner).fit(data.X, data.y, treatment=data.treatment).predict(data.X)
        print(json.dumps({"phase": "dr_given_folds", "arms": 3, "trees": trees, "in_process_tol": tol,
                          "max_effect_diff": float(np.abs(fitted.predict(data.X) - expected).max()),
                          "mean_abs_effect": float(np.abs(expected).mean()), "fit_seconds": round(seconds, 1)}),
              flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
