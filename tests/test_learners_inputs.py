"""Bad input, propensity handling and bootstrap inference of the learners."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from uplift.datasets import make_uplift_classification, make_uplift_regression
from uplift.exceptions import PoorOverlapWarning, UpliftInputError, UpliftTypeError
from uplift.learners import (
    Bootstrap,
    ClassTransformation,
    DRLearner,
    RLearner,
    SLearner,
    TLearner,
    TransformedOutcome,
    XLearner,
)


@pytest.fixture(scope="module")
def binary():
    return make_uplift_classification(600, 5, random_state=0)


@pytest.fixture(scope="module")
def continuous():
    return make_uplift_regression(600, 5, random_state=0)


# -- bad input ------------------------------------------------------------------------------------
def test_classifier_given_a_continuous_outcome(continuous):
    with pytest.raises(UpliftInputError, match="is a classifier, but y is continuous"):
        TLearner(LogisticRegression()).fit(continuous.X, continuous.y, treatment=continuous.treatment)


def test_class_transformation_needs_a_binary_outcome(continuous):
    with pytest.raises(UpliftInputError, match="must be binary"):
        ClassTransformation(LogisticRegression()).fit(continuous.X, continuous.y, treatment=continuous.treatment)


@pytest.mark.parametrize("propensity", [0.0, 1.0, 1.5, -0.2])
def test_propensity_outside_zero_one(binary, propensity):
    learner = DRLearner(LogisticRegression(), effect_model=LinearRegression(), propensity=propensity)
    with pytest.raises(UpliftInputError, match="strictly between 0 and 1"):
        learner.fit(binary.X, binary.y, treatment=binary.treatment)


def test_propensity_array_outside_zero_one(binary):
    propensity = np.full(len(binary.y), 0.5)
    propensity[3] = 1.0
    with pytest.raises(UpliftInputError, match="strictly between 0 and 1"):
        XLearner(LogisticRegression(), effect_model=LinearRegression(), propensity=propensity).fit(
            binary.X, binary.y, treatment=binary.treatment)


def test_scalar_propensity_with_several_arms():
    data = make_uplift_classification(600, 5, n_arms=2, random_state=0)
    with pytest.raises(UpliftInputError, match="pass a mapping"):
        DRLearner(LogisticRegression(), effect_model=LinearRegression(), propensity=0.3).fit(
            data.X, data.y, treatment=data.treatment)


def test_one_arm_only(binary):
    with pytest.raises(UpliftInputError, match="at least two distinct values"):
        TLearner(LogisticRegression()).fit(binary.X, binary.y, treatment=np.zeros(len(binary.y)))


def test_control_value_absent(binary):
    with pytest.raises(UpliftInputError, match="control_value=5 does not occur"):
        TLearner(LogisticRegression(), control_value=5).fit(binary.X, binary.y, treatment=binary.treatment)


def test_nan_in_X_for_a_model_that_cannot_take_nan(binary):
    X = binary.X.to_numpy().copy()
    X[4, 2] = np.nan
    with pytest.raises(UpliftInputError, match="contains NaN in column"):
        SLearner(LogisticRegression()).fit(X, binary.y, treatment=binary.treatment)
    fitted = SLearner(LogisticRegression()).fit(binary.X, binary.y, treatment=binary.treatment)
    with pytest.raises(UpliftInputError, match="contains NaN"):
        fitted.predict(X)


def test_nan_in_X_with_models_that_take_nan(binary):
    # XGBoost handles NaN, and so does the default propensity model (its first step imputes).
    xgboost = pytest.importorskip("xgboost")
    X = binary.X.to_numpy().copy()
    X[::9, 1] = np.nan
    learner = DRLearner(xgboost.XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1),
                        effect_model=xgboost.XGBRegressor(n_estimators=5, max_depth=2, n_jobs=1), random_state=0)
    assert np.isfinite(learner.fit(X, binary.y, treatment=binary.treatment).predict(X)).all()


def test_arm_with_too_few_rows(binary):
    treatment = binary.treatment.copy()
    treatment[:5] = 2  # a third arm with 5 rows
    with pytest.raises(UpliftInputError, match="every arm needs at least 10 rows"):
        TLearner(LogisticRegression()).fit(binary.X, binary.y, treatment=treatment)


def test_arm_with_one_outcome_value(binary):
    y = np.where(binary.treatment == 1, 0.0, binary.y)
    with pytest.raises(UpliftInputError, match="sees only one outcome value"):
        TLearner(LogisticRegression()).fit(binary.X, y, treatment=binary.treatment)


def test_model_roles_are_checked(binary):
    with pytest.raises(UpliftTypeError, match="effect_model of XLearner must be a regressor"):
        XLearner(LogisticRegression(), effect_model=LogisticRegression(), propensity=0.5).fit(
            binary.X, binary.y, treatment=binary.treatment)
    with pytest.raises(UpliftTypeError, match="effect_model of ClassTransformation must be a classifier"):
        ClassTransformation(LinearRegression()).fit(binary.X, binary.y, treatment=binary.treatment)
    with pytest.raises(UpliftTypeError, match="outcome_model must be a single estimator"):
        SLearner({0: LogisticRegression()}).fit(binary.X, binary.y, treatment=binary.treatment)


def test_sample_weight_needs_a_model_that_takes_it(binary):
    weight = np.ones(len(binary.y))
    with pytest.raises(UpliftTypeError, match="does not accept sample_weight"):
        TLearner(KNeighborsClassifier()).fit(binary.X, binary.y, treatment=binary.treatment, sample_weight=weight)


def test_bad_options(binary):
    with pytest.raises(UpliftInputError, match="outcome_type must be one of"):
        TLearner(LogisticRegression(), outcome_type="count").fit(binary.X, binary.y, treatment=binary.treatment)
    with pytest.raises(UpliftInputError, match="n_folds must be an integer of at least 2"):
        RLearner(LogisticRegression(), n_folds=1).fit(binary.X, binary.y, treatment=binary.treatment)
    with pytest.raises(UpliftTypeError, match="inference must be a Bootstrap"):
        TLearner(LogisticRegression()).fit(binary.X, binary.y, treatment=binary.treatment, inference="bootstrap")
    with pytest.raises(UpliftInputError, match="n_resamples must be an integer of at least 2"):
        TLearner(LogisticRegression()).fit(binary.X, binary.y, treatment=binary.treatment,
                                           inference=Bootstrap(n_resamples=1))


# -- weights and propensity -------------------------------------------------------------------------
def test_integer_sample_weights_equal_repeated_rows(binary):
    # Weight 2 on a row is the same data as that row twice, for a weighted linear model exactly.
    data = make_uplift_regression(300, 4, random_state=1)
    weight = np.where(np.arange(300) % 3 == 0, 2.0, 1.0)
    repeat = np.repeat(np.arange(300), weight.astype(int))
    weighted = TLearner(LinearRegression()).fit(data.X, data.y, treatment=data.treatment, sample_weight=weight)
    repeated = TLearner(LinearRegression()).fit(data.X.iloc[repeat], data.y[repeat], treatment=data.treatment[repeat])
    np.testing.assert_allclose(weighted.predict(data.X), repeated.predict(data.X), rtol=1e-8)


def test_known_propensity_estimates_nothing(binary):
    learner = XLearner(LogisticRegression(), effect_model=LinearRegression(), propensity={0: 0.5, 1: 0.5})
    learner.fit(binary.X, binary.y, treatment=binary.treatment)
    assert learner.models_.propensity_model is None
    assert learner.models_.propensity == {1: 0.5}


def test_estimated_propensity_with_poor_overlap_warns():
    rng = np.random.default_rng(0)
    data = make_uplift_regression(1000, 4, random_state=0)
    treatment = (data.X["x0"].to_numpy() * 4 + rng.standard_normal(1000) > 0).astype(int)
    learner = DRLearner(LinearRegression(), effect_model=LinearRegression(), random_state=0)
    with pytest.warns(PoorOverlapWarning, match="poor overlap"):
        learner.fit(data.X, data.y, treatment=treatment)
    assert np.isfinite(learner.predict(data.X)).all()


def test_class_transformation_reweights_unequal_arms():
    # 80% treated: without reweighting, 2 P(Z=1) - 1 would be biased toward the treated base rate.
    data = make_uplift_classification(6000, 5, propensity=0.8, type_shares=(0.6, 0.1, 0.2, 0.1), random_state=2)
    learner = ClassTransformation(LogisticRegression(), outcome_model=LogisticRegression())
    estimate = learner.fit(data.X, data.y, treatment=data.treatment).predict(data.X).mean()
    treated, control = data.y[data.treatment == 1], data.y[data.treatment == 0]
    se = np.sqrt(treated.var() / len(treated) + control.var() / len(control))
    assert abs(estimate - data.tau.mean()) < 4 * se


# -- bootstrap --------------------------------------------------------------------------------------
def test_bootstrap_intervals(continuous):
    learner = TLearner(LinearRegression())
    learner.fit(continuous.X, continuous.y, treatment=continuous.treatment,
                inference=Bootstrap(n_resamples=30, random_state=0))
    low, high = learner.effect_interval(continuous.X[:50])
    effect = learner.predict(continuous.X[:50])
    assert low.shape == high.shape == effect.shape == (50,)
    assert (low <= high).all() and np.mean((low <= effect) & (effect <= high)) > 0.9
    ate_low, ate_high = learner.ate_interval()
    assert ate_low < continuous.tau.mean() < ate_high
    wide_low, wide_high = learner.ate_interval(alpha=0.01)
    assert wide_low <= ate_low and wide_high >= ate_high
    given_low, given_high = learner.ate_interval(continuous.X)
    assert isinstance(given_low, float) and given_low < given_high


def test_bootstrap_does_not_change_the_fitted_models(binary):
    plain = DRLearner(LogisticRegression(), effect_model=LinearRegression(), random_state=0)
    plain.fit(binary.X, binary.y, treatment=binary.treatment)
    with_inference = DRLearner(LogisticRegression(), effect_model=LinearRegression(), random_state=0)
    with_inference.fit(binary.X, binary.y, treatment=binary.treatment,
                       inference=Bootstrap(n_resamples=3, random_state=1))
    np.testing.assert_array_equal(plain.predict(binary.X), with_inference.predict(binary.X))
    assert with_inference.inference_.n_resamples == 3


def test_bootstrap_several_arms_and_groups():
    data = make_uplift_regression(600, 4, n_arms=2, random_state=3)
    groups = np.arange(600) // 2
    learner = TransformedOutcome(LinearRegression(), outcome_model=LinearRegression(),
                                 propensity={0: 1 / 3, 1: 1 / 3, 2: 1 / 3})
    learner.fit(data.X, data.y, treatment=data.treatment, inference=Bootstrap(5, random_state=0, groups=groups))
    low, high = learner.effect_interval(data.X[:10])
    assert low.shape == high.shape == (10, 2)
    ate_low, ate_high = learner.ate_interval()
    assert ate_low.shape == (2,) and (ate_low < ate_high).all()
    with pytest.raises(UpliftInputError, match="one cluster id per training row"):
        learner.fit(data.X, data.y, treatment=data.treatment, inference=Bootstrap(5, groups=groups[:10]))


def test_intervals_need_inference(binary):
    learner = TLearner(LogisticRegression()).fit(binary.X, binary.y, treatment=binary.treatment)
    with pytest.raises(NotFittedError, match="fitted without inference"):
        learner.effect_interval(binary.X)
    with pytest.raises(NotFittedError, match="fitted without inference"):
        learner.ate_interval()
