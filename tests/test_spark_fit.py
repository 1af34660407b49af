"""Training on Spark returns the in-process learner class, fitted; it saves, loads and scores like one."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from xgboost import XGBClassifier, XGBRegressor

from uplift import io
from uplift.datasets import make_uplift_classification, make_uplift_regression
from uplift.exceptions import UpliftInputError, UpliftTypeError
from uplift.learners import DRLearner, RLearner, SLearner, TLearner, XLearner
from uplift.workflow import score_frame

pytestmark = pytest.mark.spark


def test_three_arm_t_learner_trained_on_spark_saves_loads_and_scores_the_same(spark, tmp_path):
    from uplift import spark as uspark

    data = make_uplift_classification(1200, n_features=4, n_arms=2, random_state=4)
    frame = data.X.assign(t=data.treatment, y=data.y, customer_id=np.arange(len(data.X)))
    sdf = spark.createDataFrame(frame)
    learner = TLearner(XGBClassifier(n_estimators=8, max_depth=2, random_state=0))
    fitted = uspark.fit(learner, sdf, features=list(data.X.columns), treatment="t", outcome="y")
    assert type(fitted) is TLearner and learner is not fitted and not hasattr(learner, "models_")
    assert fitted.treatment_arms_.tolist() == [1, 2] and fitted.control_value_ == 0
    # one XGBoost worker sees the same rows as the in-process fit: the same trees (the hist sketch
    # of 1200 rows is exact), so the predictions agree to float32 rounding
    in_process = TLearner(XGBClassifier(n_estimators=8, max_depth=2, random_state=0))
    in_process.fit(data.X, data.y, treatment=data.treatment)
    np.testing.assert_allclose(fitted.predict(data.X), in_process.predict(data.X), atol=1e-6)
    path = io.save(fitted, tmp_path / "spark_model.zip")
    loaded = io.load(path)
    scored = uspark.score(path, sdf, id_col="customer_id").toPandas().sort_values("customer_id")
    np.testing.assert_array_equal(scored[["effect_1", "effect_2"]].to_numpy(), loaded.predict(data.X))


def test_weighted_s_learner_with_interactions_matches_in_process(spark):
    from uplift import spark as uspark

    data = make_uplift_classification(800, n_features=4, random_state=5)
    weight = np.random.default_rng(0).integers(1, 4, len(data.y)).astype(np.float64)
    sdf = spark.createDataFrame(data.X.assign(t=data.treatment, y=data.y, w=weight))
    learner = SLearner(XGBClassifier(n_estimators=8, max_depth=3, random_state=0), interactions=True)
    fitted = uspark.fit(learner, sdf, features=list(data.X.columns), treatment="t", outcome="y", sample_weight="w")
    expected = SLearner(XGBClassifier(n_estimators=8, max_depth=3, random_state=0), interactions=True)
    expected.fit(data.X, data.y, treatment=data.treatment, sample_weight=weight)
    np.testing.assert_allclose(fitted.predict_outcomes(data.X), expected.predict_outcomes(data.X), atol=1e-6)


def test_fit_refuses_bad_inputs(spark):
    from uplift import spark as uspark

    data = make_uplift_classification(200, n_features=4, random_state=6)
    sdf = spark.createDataFrame(data.X.assign(t=data.treatment, y=data.y))
    kwargs = {"features": list(data.X.columns), "treatment": "t", "outcome": "y"}
    with pytest.raises(UpliftTypeError, match="trains an SLearner, TLearner, XLearner, RLearner or DRLearner; got "
                                              "AutoLearner"):
        from uplift.learners import AutoLearner

        uspark.fit(AutoLearner(), sdf, **kwargs)
    with pytest.raises(UpliftTypeError, match="the effect model of DRLearner must be an XGBRegressor"):
        uspark.fit(DRLearner(effect_model=LogisticRegression(), propensity=0.5), sdf, **kwargs)
    with pytest.raises(UpliftTypeError, match="outcome_model must be an XGBClassifier"):
        uspark.fit(TLearner(LogisticRegression()), sdf, **kwargs)
    with pytest.raises(UpliftInputError, match=r"columns \['nope'\] are missing"):
        uspark.fit(TLearner(), sdf, **{**kwargs, "outcome": "nope"})


def test_x_learner_trained_on_spark_equals_in_process_and_saves_loads_scores(spark, tmp_path):
    """The propensity estimated by an XGBClassifier (on Spark by SparkXGBClassifier; two arms to keep the test
    short: 5 trainings instead of 10 with three; a 3-arm XGBoost propensity measured equal, 0.0, in a DR fit).
    The outcome and propensity models see the same rows as in-process (one XGBoost worker, an exact hist
    sketch at this size), hence the same trees; the imputed effects, the effect models and their
    propensity weights follow: the effects agree to float32 rounding of the boosters' sums (1e-6). The
    known-propensity X state: tests/test_spark_propensity.py."""
    from uplift import spark as uspark

    data = make_uplift_classification(900, n_features=4, propensity="observational", random_state=7)
    sdf = spark.createDataFrame(data.X.assign(t=data.treatment, y=data.y, customer_id=np.arange(len(data.y))))

    def learner():
        return XLearner(XGBClassifier(n_estimators=6, max_depth=2, random_state=0),
                        effect_model=XGBRegressor(n_estimators=6, max_depth=2, random_state=0),
                        propensity_model=XGBClassifier(n_estimators=4, max_depth=2, random_state=0))

    fitted = uspark.fit(learner(), sdf, features=list(data.X.columns), treatment="t", outcome="y")
    assert type(fitted) is XLearner and isinstance(fitted.models_.propensity_model, XGBClassifier)
    expected = learner().fit(data.X, data.y, treatment=data.treatment)
    np.testing.assert_allclose(fitted.predict(data.X), expected.predict(data.X), atol=1e-6)
    loaded = io.load(io.save(fitted, tmp_path / "x.zip"))
    np.testing.assert_array_equal(loaded.predict(data.X), fitted.predict(data.X))
    # Spark scoring runs score_frame, whose effects are differences of predict_outcomes (mu0 + tau - mu0):
    # equal to it bit for bit, to predict within rounding of that difference
    scored = uspark.score(loaded, sdf, id_col="customer_id").toPandas().sort_values("customer_id")
    kernel = score_frame(loaded, data.X.assign(customer_id=np.arange(len(data.y))), id_column="customer_id")
    np.testing.assert_array_equal(scored.to_numpy(), kernel[scored.columns].to_numpy())
    np.testing.assert_allclose(scored["effect_1"].to_numpy(), fitted.predict(data.X), rtol=0, atol=1e-15)


@pytest.mark.parametrize("kind", [RLearner])
def test_r_learner_cross_fits_through_a_fold_column_as_in_process(spark, tmp_path, kind):
    """Given the in-process folds (StratifiedKFold by arm, shuffled with the learner's seed) as the fold
    column, every fold model sees the in-process rows: the out-of-fold nuisances, the pseudo-outcomes and
    the effect model are the in-process ones, to float32 rounding of the boosters' sums (two stages: 1e-5).
    The DR-learner through a fold column, with an estimated 3-arm propensity: tests/test_spark_propensity.py
    (the same pass; a known propensity only makes ``e`` a constant)."""
    from uplift import spark as uspark

    data = make_uplift_regression(800, n_features=4, random_state=8)
    folds = np.empty(len(data.y), dtype=np.int64)
    splitter = StratifiedKFold(2, shuffle=True, random_state=3)
    for k, (_, test) in enumerate(splitter.split(data.X, data.treatment * 2)):
        folds[test] = k
    sdf = spark.createDataFrame(data.X.assign(t=data.treatment, y=data.y, fold=folds, customer_id=np.arange(800)))

    def learner():
        return kind(XGBRegressor(n_estimators=8, max_depth=2, random_state=0),
                    effect_model=XGBRegressor(n_estimators=8, max_depth=2, random_state=0), propensity=0.5,
                    n_folds=2, random_state=3)

    fitted = uspark.fit(learner(), sdf, features=list(data.X.columns), treatment="t", outcome="y", fold_col="fold")
    assert type(fitted) is kind
    expected = learner().fit(data.X, data.y, treatment=data.treatment)
    np.testing.assert_allclose(fitted.predict(data.X), expected.predict(data.X), atol=1e-5)
    loaded = io.load(io.save(fitted, tmp_path / "dr.zip"))
    scored = uspark.score(loaded, sdf, id_col="customer_id").toPandas().sort_values("customer_id")
    np.testing.assert_array_equal(scored.filter(like="effect").to_numpy().ravel(), fitted.predict(data.X))
