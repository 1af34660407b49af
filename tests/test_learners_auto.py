"""AutoLearner: the stacking arithmetic on hand-made arrays, the choice it makes, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression, LogisticRegression

from uplift.datasets import make_uplift_classification, make_uplift_regression
from uplift.exceptions import UpliftInputError, UpliftTypeError
from uplift.learners import AutoLearner, SLearner, StackingReport, TLearner
from uplift.learners._auto import _stack


def test_stack_recovers_exact_weights_and_intercept():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(200, 3))
    target = 0.5 + 2.0 * Z[:, 0] + 0.25 * Z[:, 2]
    beta, intercept = _stack(Z, target, np.ones(200))
    np.testing.assert_allclose(beta, [2.0, 0.0, 0.25], atol=1e-10)
    assert intercept == pytest.approx(0.5, abs=1e-10)


def test_stack_clamps_a_harmful_candidate_at_zero_and_honours_row_weights():
    Z = np.array([[1.0, -1.0], [2.0, -2.0], [3.0, -3.0], [4.0, 10.0]])
    target = np.array([1.0, 2.0, 3.0, 100.0])
    # the last row carries no weight: the fit is exact on the first three with candidate 0 alone
    beta, intercept = _stack(Z, target, np.array([1.0, 1.0, 1.0, 0.0]))
    np.testing.assert_allclose(beta, [1.0, 0.0], atol=1e-10)
    assert intercept == pytest.approx(0.0, abs=1e-10)


class _Noise(RegressorMixin, BaseEstimator):
    """A regressor that predicts seeded noise: the uninformative candidate's base model."""

    def __init__(self, scale=1.0):
        self.scale = scale

    def fit(self, X, y, sample_weight=None):
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        seed = int(abs(np.asarray(X)[:, 0]).sum() * 1000) % (2**31)
        return np.random.default_rng(seed).normal(scale=self.scale, size=len(X))


@pytest.fixture(scope="module")
def regression():
    return make_uplift_regression(3000, 5, random_state=0)


def test_informative_candidate_outweighs_noise(regression):
    data = regression
    auto = AutoLearner(
        {"S": SLearner(LinearRegression(), interactions=True), "noise": TLearner(_Noise(3.0))},
        outcome_model=LinearRegression(), propensity=0.5, stacking="stack", random_state=0,
    ).fit(data.X, data.y, treatment=data.treatment)
    weights = dict(zip(auto.report_.candidates, auto.report_.weights[:, 0], strict=True))
    assert weights["S"] > 0.5
    assert weights["noise"] < 0.05
    # the noise candidate's cross-validated loss is worse than a constant effect, the S-learner's better
    summary = auto.report_.summary().set_index("candidate")
    assert summary.loc["S", "gain_over_constant"] > 0 > summary.loc["noise", "gain_over_constant"]


def test_select_keeps_exactly_one_candidate_and_predicts_like_it(regression):
    data = regression
    s_learner = SLearner(LinearRegression(), interactions=True)
    auto = AutoLearner({"S": s_learner, "noise": TLearner(_Noise(3.0))}, outcome_model=LinearRegression(),
                       propensity=0.5, stacking="select", random_state=0)
    auto.fit(data.X, data.y, treatment=data.treatment)
    np.testing.assert_array_equal(auto.report_.weights[:, 0], [1.0, 0.0])
    expected = SLearner(LinearRegression(), interactions=True).fit(data.X, data.y, treatment=data.treatment)
    np.testing.assert_allclose(auto.predict(data.X), expected.predict(data.X), rtol=0, atol=1e-10)


def test_report_is_json_serialisable_and_readable():
    data = make_uplift_classification(900, 5, n_arms=2, random_state=1)
    auto = AutoLearner({"S": SLearner(LogisticRegression(), interactions=True), "T": TLearner(LogisticRegression())},
                       outcome_model=LogisticRegression(), random_state=0, loss="r")
    auto.fit(data.X, data.y, treatment=data.treatment)
    report = auto.report_
    assert isinstance(report, StackingReport)
    assert report.weights.shape == (2, 2) and (report.weights >= 0).all()
    assert len(report.summary()) == 4
    json.dumps(report.to_dict())
    assert "arm 1" in str(report) and "arm 2" in str(report)
    assert len(repr(report)) < 100


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"candidates": "S"}, UpliftTypeError, "candidates must be a mapping"),
        ({"candidates": {}}, UpliftInputError, "candidates is empty"),
        ({"candidates": [LinearRegression()]}, UpliftTypeError, "must be an uplift learner"),
        ({"loss": "mse"}, UpliftInputError, "loss"),
        ({"stacking": "vote"}, UpliftInputError, "stacking"),
    ],
)
def test_bad_parameters_are_refused(regression, kwargs, error, match):
    params = {"candidates": [SLearner(LinearRegression())], "outcome_model": LinearRegression(), "propensity": 0.5}
    params.update(kwargs)
    with pytest.raises(error, match=match):
        AutoLearner(**params).fit(regression.X[:300], regression.y[:300], treatment=regression.treatment[:300])


def test_a_candidates_own_propensity_is_replaced_by_the_auto_learners():
    # The candidates are fitted on arm codes and fold rows: a propensity keyed by the user's labels
    # (or an array over all rows) would not match; the AutoLearner's own is used instead.
    from uplift.learners import DRLearner

    data = make_uplift_regression(600, 5, random_state=1)
    labels = np.where(data.treatment == 1, "mail", "none")
    candidate = DRLearner(LinearRegression(), effect_model=LinearRegression(), propensity={"mail": 0.5})
    auto = AutoLearner([candidate], outcome_model=LinearRegression(), propensity={"mail": 0.5},
                       control_value="none", random_state=0).fit(data.X, data.y, treatment=labels)
    assert auto.predict(data.X).shape == (600,)
    assert candidate.get_params()["propensity"] == {"mail": 0.5}  # the user's object is untouched
