"""The estimated propensity and the seeded fold draw of X/R/DR trained on Spark, against in-process training."""

from __future__ import annotations

import dataclasses
import re
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from xgboost import XGBClassifier, XGBRegressor

from uplift import io
from uplift.datasets import make_uplift_classification, make_uplift_regression
from uplift.exceptions import PoorOverlapWarning, UpliftInputError, UpliftTypeError
from uplift.learners import DRLearner, XLearner, default_propensity_model
from uplift.validation import check_treatment

pytestmark = pytest.mark.spark

#: scikit-learn's lbfgs stops when the largest gradient component of its objective (divided by the
#: total weight) is below ``tol`` (1e-4 by default).
SKLEARN_TOL = 1e-4


def _stop_bound(model, X: np.ndarray) -> float:
    """Largest change in P(arm 1 | x) that scikit-learn's stopping rule allows for a binary logistic pipeline.

    At the stop ``||grad f||_2 <= sqrt(d) tol``; ``f`` (the mean log-loss plus ``||w||^2 / (2 C n)``) is
    strongly convex with smallest Hessian eigenvalue ``lam`` near the optimum, so the fitted coefficients
    (intercept first) lie within ``sqrt(d) tol / lam`` of the optimum; the logit of row ``i`` moves by at
    most ``||z_i|| sqrt(d) tol / lam`` and the probability by a quarter of that (the logistic slope is at
    most 1/4). Spark's stop (relative change 1e-12) adds far less; twice the bound covers both fits.
    """
    z = np.column_stack([np.ones(len(X)), model[:-1].transform(X)])
    p = model.predict_proba(X)[:, 1]
    penalty = np.eye(z.shape[1]) / (model[-1].C * len(X))
    penalty[0, 0] = 0.0  # the intercept is not penalised
    hessian = z.T @ (z * (p * (1 - p))[:, None]) / len(X) + penalty
    smallest = float(np.linalg.eigvalsh(hessian)[0])
    return 2 * 0.25 * float(np.linalg.norm(z, axis=1).max()) * np.sqrt(z.shape[1]) * SKLEARN_TOL / smallest


def test_a_logistic_fit_rebuilds_the_scikit_learn_model_that_uplift_io_saves(tmp_path):
    """The numbers Spark returns, written into the template's steps (or plain steps, as on the executors),
    predict exactly as the fitted pipeline they came from, and an X-learner holding it saves and loads."""
    from uplift.spark._propensity import LogisticFit

    data = make_uplift_classification(300, n_features=4, random_state=0)
    learner = XLearner(XGBClassifier(n_estimators=2), effect_model=XGBRegressor(n_estimators=2))
    learner.fit(data.X, data.y, treatment=data.treatment)
    fitted = learner.models_.propensity_model
    scaler, logistic = fitted[1], fitted[-1]
    numbers = LogisticFit(True, True, scaler.mean_, scaler.var_, scaler.scale_, logistic.coef_, logistic.intercept_,
                          2, 5)
    X = data.X.to_numpy()
    for rebuilt in (numbers.model(default_propensity_model()), numbers.model()):
        np.testing.assert_array_equal(rebuilt.predict_proba(X), fitted.predict_proba(X))
    learner.models_ = dataclasses.replace(learner.models_, propensity_model=numbers.model(default_propensity_model()))
    loaded = io.load(io.save(learner, tmp_path / "x.zip"))
    np.testing.assert_array_equal(loaded.predict(data.X), learner.predict(data.X))


def test_logistic_propensity_on_spark_solves_scikit_learns_problem(spark):
    from uplift.spark._propensity import train_logistic

    data = make_uplift_regression(600, n_features=4, n_arms=2, propensity="observational", random_state=3)
    X = data.X.to_numpy()
    frame = data.X.assign(t=data.treatment, binary=(data.treatment > 0).astype(np.int64),
                          w=np.random.default_rng(1).integers(1, 4, len(X)).astype(np.float64))
    frame.loc[::7, "x1"] = np.nan  # the imputer's mean, and the scaler's variance of the imputed column
    X = frame[list(data.X.columns)].to_numpy()
    sdf = spark.createDataFrame(frame)
    features = list(data.X.columns)
    # the default pipeline, two classes: within the bound scikit-learn's own stopping rule allows
    fit = train_logistic(default_propensity_model(), sdf, features=features, label="binary", weight=None, n_classes=2)
    expected = default_propensity_model().fit(X, frame["binary"])
    bound = _stop_bound(expected, X)
    assert bound < 1e-2  # a bound that can fail
    np.testing.assert_allclose(fit.model(default_propensity_model()).predict_proba(X), expected.predict_proba(X),
                               atol=bound)
    # three classes (Spark's multinomial family), row weights and C: regParam = 1 / (C sum(w)). Both fits
    # converged tightly (scikit-learn at tol 1e-10): the same optimum to rounding of the solvers (1e-6)
    weighted = LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000)
    fit = train_logistic(weighted, sdf, features=features[:1] + features[2:], label="t", weight="w", n_classes=3)
    X_full = X[:, [0, 2, 3]]
    expected = LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000).fit(X_full, frame["t"], sample_weight=frame["w"])
    model = fit.model(weighted)
    assert type(model) is LogisticRegression and model.coef_.shape == (3, 3)
    np.testing.assert_allclose(model.predict_proba(X_full), expected.predict_proba(X_full), atol=1e-6)


def _overlap_notes(call):
    """What ``call()`` returns and the messages of the PoorOverlapWarnings it raised (pytest.warns would
    re-raise PySpark's own deprecation warnings outside the filters of pyproject.toml)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in caught if issubclass(w.category, PoorOverlapWarning)]


def test_dr_with_estimated_three_arm_propensity_equals_in_process_given_the_folds(spark, tmp_path):
    """Confounded 3-arm data; the default propensity pipeline, tightened (tol 1e-10) so that scikit-learn's
    fit stops at the optimum Spark reaches. Given the in-process folds, every fold model (outcome and
    propensity) sees the in-process rows: measured, the effects agree to 6e-8 (float32 rounding of the
    boosters' sums; two stages: 1e-5). With scikit-learn's default tol (1e-4) the fold propensities differ
    by up to 1e-4 and the DR effect model, fitted on 1/e-amplified pseudo-outcomes, can split differently
    (benchmarks/bench_spark_propensity.py: 6.6e-4 with these 6 trees, 0.69 with 8, on effects of mean
    size 1.8)."""
    from uplift import spark as uspark

    data = make_uplift_regression(900, n_features=4, n_arms=2, propensity="observational", random_state=8)
    folds = np.empty(len(data.y), dtype=np.int64)
    for k, (_, test) in enumerate(StratifiedKFold(2, shuffle=True, random_state=3).split(data.X, data.treatment)):
        folds[test] = k
    sdf = spark.createDataFrame(data.X.assign(t=data.treatment, y=data.y, fold=folds))

    def learner():
        return DRLearner(XGBRegressor(n_estimators=6, max_depth=2, random_state=0),
                         effect_model=XGBRegressor(n_estimators=6, max_depth=2, random_state=0), n_folds=2,
                         random_state=3, propensity_model=default_propensity_model().set_params(logistic__tol=1e-10))

    fitted, on_spark = _overlap_notes(lambda: uspark.fit(learner(), sdf, features=list(data.X.columns), treatment="t",
                                                         outcome="y", fold_col="fold"))
    expected, in_process = _overlap_notes(lambda: learner().fit(data.X, data.y, treatment=data.treatment))
    assert len(on_spark) == 1 and "arm 2 lies outside" in on_spark[0]
    assert on_spark == in_process  # the same share of rows outside the bounds
    np.testing.assert_allclose(fitted.predict(data.X), expected.predict(data.X), atol=1e-5)
    # the same trees: every split (feature and threshold) of the control and effect models as in-process
    # (leaf values aside; the Spark boosters name the features, the in-process ones number them f0, f1, ...)
    def splits(model):
        trees = "".join(model.get_booster().get_dump())
        trees = re.sub(r"\[(\w+)<", lambda match: f"[f{list(data.X.columns).index(match[1])}<"
                       if match[1] in data.X.columns else match[0], trees)
        return re.sub(r"leaf=[^\s]+", "leaf", trees)

    for ours, theirs in zip([fitted.models_.control, *fitted.models_.effect],
                            [expected.models_.control, *expected.models_.effect], strict=True):
        assert splits(ours[0]) == splits(theirs[0])
    loaded = io.load(io.save(fitted, tmp_path / "dr.zip"))  # uplift.score on Spark: tests/test_spark_fit.py
    np.testing.assert_array_equal(loaded.predict(data.X), fitted.predict(data.X))


def test_a_known_propensity_gives_each_arm_its_share_within_its_pair():
    """X/R/DR with ``propensity=`` on Spark: ``e_k = p_k / (p_0 + p_k)`` per treated arm, the in-process rule
    (a number: one treated arm; a mapping: the control's share may be left out); None: estimated."""
    from uplift.spark._crossfit import pair_propensities

    three = check_treatment(np.array(["none", "email", "coupon"] * 4), control_value="none", context="XLearner")
    shares = pair_propensities(XLearner(propensity={"email": 0.2, "coupon": 0.3}), three, "XLearner")
    assert shares == pytest.approx({1: 0.3 / 0.8, 2: 0.2 / 0.7})  # arms sorted: coupon, email
    two = check_treatment(np.array([0, 1] * 6), context="DRLearner")
    assert pair_propensities(DRLearner(propensity=0.25), two, "DRLearner") == pytest.approx({1: 0.25})
    assert pair_propensities(DRLearner(), two, "DRLearner") is None


def test_propensity_models_spark_cannot_train_are_refused(spark):
    from uplift import spark as uspark

    data = make_uplift_classification(200, n_features=4, random_state=6)
    sdf = spark.createDataFrame(data.X.assign(t=data.treatment, y=data.y, w=1.0))
    kwargs = {"features": list(data.X.columns), "treatment": "t", "outcome": "y"}
    with pytest.raises(UpliftTypeError, match=r"got propensity_model=RandomForestClassifier\. Pass propensity_model"):
        uspark.fit(XLearner(propensity_model=RandomForestClassifier()), sdf, **kwargs)
    with pytest.raises(UpliftTypeError, match="got propensity_model=LogisticRegression"):
        uspark.fit(DRLearner(propensity_model=LogisticRegression(l1_ratio=1.0, solver="saga")), sdf, **kwargs)
    with pytest.raises(UpliftTypeError, match="propensity model Pipeline of DRLearner does not accept sample_weight"):
        uspark.fit(DRLearner(), sdf, sample_weight="w", **kwargs)
    with pytest.raises(UpliftInputError, match="got an array"):
        uspark.fit(DRLearner(propensity=np.full(200, 0.5)), sdf, **kwargs)
    with_holes = np.where(np.arange(200) % 9, data.X["x1"], np.nan)
    holes = spark.createDataFrame(data.X.assign(t=data.treatment, y=data.y, x1=with_holes))
    with pytest.raises(UpliftInputError, match=r"features \['x1'\] have missing values, which propensity_model "
                                               "LogisticRegression does not accept"):
        uspark.fit(XLearner(propensity_model=LogisticRegression()), holes, **kwargs)


def test_the_fold_draw_is_seeded_and_balanced(spark):
    """Each row's fold is ``floor(K U)``: each fold holds Binomial(n, 1/K) rows, within 4 standard deviations
    ``4 sqrt(n (1/K)(1 - 1/K))`` of ``n/K`` (a false alarm once in 16,000 per fold); another seed moves a
    row to another fold with probability ``1 - 1/K``, so the share of moved rows lies within 4 standard
    deviations of that."""
    from pyspark.sql import functions as F

    from uplift.spark._crossfit import fold_column

    n, n_folds = 20_000, 3
    table = spark.range(n).repartition(2, "id").cache()

    def draw(seed):
        rows = table.withColumn("fold", fold_column(None, n_folds, seed)).toPandas().sort_values("id")
        return rows["fold"].to_numpy()

    first, again, other = draw(7), draw(7), draw(8)
    np.testing.assert_array_equal(first, again)
    share = 1 / n_folds
    counts = np.bincount(first, minlength=n_folds)
    assert counts.sum() == n and len(counts) == n_folds
    assert np.all(np.abs(counts - n * share) <= 4 * np.sqrt(n * share * (1 - share))), counts
    moved = float(np.mean(first != other))
    assert abs(moved - (1 - share)) <= 4 * np.sqrt(share * (1 - share) / n), moved
    given = table.withColumn("fold", F.col("id") % n_folds).withColumn("drawn", fold_column("fold", n_folds, 7))
    assert given.where(F.col("fold") != F.col("drawn")).count() == 0
    table.unpersist()


def _pehe(learner, data) -> float:
    return float(np.sqrt(np.mean((learner.predict(data.X) - data.tau) ** 2)))


def _dr(seed):
    return DRLearner(XGBRegressor(n_estimators=20, max_depth=3, n_jobs=1),
                     effect_model=XGBRegressor(n_estimators=20, max_depth=2, n_jobs=1), propensity=0.5, n_folds=2,
                     random_state=seed)


@pytest.mark.slow
def test_dr_with_spark_drawn_folds_reaches_the_in_process_pehe(spark):
    """Spark's uniform fold draw is not the in-process StratifiedKFold, so the fits differ; their accuracy
    must not. The in-process PEHE (RMSE to the generator's true effect) over M = 8 fold seeds is a sample of
    its seed-to-seed variation (measured: mean 0.261, sd 0.009); a Spark fit with its own folds is one more
    draw, so it lies in the prediction interval ``mean +- t(0.9995, M - 1) sd sqrt(1 + 1/M)`` (a false alarm
    once in 1,000 under normality; about +-0.05). A constant effect would score about 0.7. With the known
    propensity 1/2 the R-learner's weighted target is the DR pseudo-outcome itself, so this covers R too."""
    from uplift import spark as uspark

    data = make_uplift_regression(2000, n_features=4, random_state=11)
    sdf = spark.createDataFrame(data.X.assign(t=data.treatment, y=data.y))
    pehe = np.array([_pehe(_dr(seed).fit(data.X, data.y, treatment=data.treatment), data) for seed in range(8)])
    half_width = stats.t.ppf(0.9995, len(pehe) - 1) * pehe.std(ddof=1) * np.sqrt(1 + 1 / len(pehe))
    fitted = uspark.fit(_dr(0), sdf, features=list(data.X.columns), treatment="t", outcome="y")
    assert abs(_pehe(fitted, data) - pehe.mean()) <= half_width, (_pehe(fitted, data), pehe.mean(), half_width)
    assert half_width < 0.1  # the interval can fail: a constant effect is 0.7 away


@pytest.mark.slow
def test_the_same_seed_fits_the_same_spark_model_and_another_seed_another(spark):
    """The drawn fold column is cached and XGBoost with one worker is deterministic: the same seed gives the
    same boosters (equal predictions); another seed other folds, hence other fold models and effects."""
    from uplift import spark as uspark

    data = make_uplift_regression(400, n_features=4, random_state=12)
    sdf = spark.createDataFrame(data.X.assign(t=data.treatment, y=data.y))

    def fit(seed):
        learner = DRLearner(XGBRegressor(n_estimators=3, max_depth=2), effect_model=XGBRegressor(n_estimators=3),
                            propensity=0.5, n_folds=2, random_state=seed)
        return uspark.fit(learner, sdf, features=list(data.X.columns), treatment="t", outcome="y").predict(data.X)

    first = fit(1)
    np.testing.assert_array_equal(fit(1), first)
    assert np.abs(fit(2) - first).max() > 1e-3
