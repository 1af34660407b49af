"""Parity with causalml's meta-learners, with identical base models and seeds.

Skipped (with a reason) when the ``causalml`` extra is absent; never silently passed.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from uplift.datasets import make_uplift_classification, make_uplift_regression
from uplift.learners import DRLearner, SLearner, TLearner, XLearner

pytestmark = pytest.mark.peers

meta = pytest.importorskip("causalml.inference.meta", reason="parity tests need the causalml extra")


def _xgb():
    xgboost = pytest.importorskip("xgboost")
    return xgboost.XGBClassifier(n_estimators=20, max_depth=3, learning_rate=0.3, n_jobs=1, random_state=0)


@pytest.fixture(scope="module")
def data():
    return make_uplift_classification(2000, 6, random_state=3)


@pytest.mark.parametrize("model", [LogisticRegression, _xgb], ids=["logistic", "xgboost"])
def test_tlearner_equals_causalml_base_t_classifier(data, model):
    ours = TLearner(model()).fit(data.X, data.y, treatment=data.treatment).predict(data.X)
    theirs = meta.BaseTClassifier(learner=model()).fit(data.X, treatment=data.treatment, y=data.y).predict(data.X)
    np.testing.assert_allclose(ours, np.ravel(theirs), rtol=1e-6, atol=1e-12,
                               err_msg="TLearner differs from causalml BaseTClassifier")


@pytest.mark.parametrize("model", [LogisticRegression, _xgb], ids=["logistic", "xgboost"])
def test_slearner_equals_causalml_base_s_classifier(data, model):
    # Same design matrix as causalml: the treatment column first, then the features.
    ours = SLearner(model()).fit(data.X, data.y, treatment=data.treatment).predict(data.X)
    theirs = meta.BaseSClassifier(learner=model()).fit(data.X, treatment=data.treatment, y=data.y).predict(data.X)
    np.testing.assert_allclose(ours, np.ravel(theirs), rtol=1e-6, atol=1e-12,
                               err_msg="SLearner differs from causalml BaseSClassifier")


def test_xlearner_agrees_with_causalml_base_x_classifier(data):
    # With the propensity known (0.5) and the same four models, the X-learner recipe is the same
    # arithmetic in both libraries; only the order of floating-point operations differs, hence
    # rtol 1e-6 (far above 1e-15 rounding, far below any modelling difference).
    # Ours keeps a binary effect a difference of probabilities, within [-mu0(x), 1 - mu0(x)];
    # causalml does not, so the same bound is applied to its effects (it bites on 1 row of 2000).
    p = np.full(len(data.y), 0.5)
    learner = XLearner(LogisticRegression(), effect_model=LinearRegression(), propensity=0.5)
    ours = learner.fit(data.X, data.y, treatment=data.treatment).predict(data.X)
    control = learner.predict_outcomes(data.X)[:, 0]
    theirs = meta.BaseXClassifier(outcome_learner=LogisticRegression(), effect_learner=LinearRegression())
    theirs = np.clip(np.ravel(theirs.fit(data.X, treatment=data.treatment, y=data.y, p=p).predict(data.X, p=p)),
                     -control, 1.0 - control)
    np.testing.assert_allclose(ours, np.ravel(theirs), rtol=1e-6, atol=1e-10,
                               err_msg="XLearner differs from causalml BaseXClassifier")


def test_drlearner_is_close_to_causalml_base_dr_regressor():
    # The recipes differ by design: causalml fits the propensity, outcome and effect stages on
    # three different thirds of the rows and averages three effect models; we cross-fit the
    # nuisances on 3 folds and fit one effect model on all rows. Both estimate the same linear
    # projection of tau, so we require: correlation of the two effect vectors above 0.9, and ATEs
    # within 2 difference-in-means SE of each other (each is within about 1 SE of the truth).
    data = make_uplift_regression(4000, 6, random_state=4)
    ours = DRLearner(LinearRegression(), effect_model=LinearRegression(), propensity=0.5, random_state=0)
    ours = ours.fit(data.X, data.y, treatment=data.treatment).predict(data.X)
    theirs = meta.BaseDRRegressor(learner=LinearRegression())
    theirs = np.ravel(theirs.fit(data.X, treatment=data.treatment, y=data.y, p=np.full(len(data.y), 0.5), seed=0)
                      .predict(data.X))
    treated, control = data.y[data.treatment == 1], data.y[data.treatment == 0]
    se = np.sqrt(treated.var() / len(treated) + control.var() / len(control))
    assert np.corrcoef(ours, theirs)[0, 1] > 0.9
    assert abs(ours.mean() - theirs.mean()) < 2 * se
