"""Features at fit and predict: matched by name, ambiguous names refused, text columns encoded.

Regression tests of issue 9, finding 4 (mixed-type column names and a fit on an array then a
predict on a DataFrame silently mis-aligned features; duplicate names passed fit and failed at
predict with a misleading count; ``fit(X=Series)`` failed with an IndexError after fitting) and of
issue 11, item 3 (text and categorical columns are features like any other, never a failure).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from uplift.datasets import make_uplift_classification
from uplift.exceptions import FeatureMismatchError, UpliftInputError, UpliftTypeError
from uplift.learners import SLearner, TLearner
from uplift.validation import UNKNOWN_CATEGORY_CODE, FeatureSchema


@pytest.fixture(scope="module")
def binary():
    return make_uplift_classification(600, 4, random_state=0)


def _learner():
    return TLearner(LogisticRegression())


# --------------------------------------------------------------------------- matching by name


def test_mixed_type_column_names_are_matched_by_name(binary):
    X = binary.X.set_axis(["a", 1, "c", 2.5], axis=1)
    learner = _learner().fit(X, binary.y, treatment=binary.treatment)
    assert list(learner.feature_names_in_) == ["a", "1", "c", "2.5"]
    reordered = X[[2.5, "c", "a", 1]]
    np.testing.assert_array_equal(learner.predict(reordered), learner.predict(X))
    with pytest.raises(FeatureMismatchError, match=r"missing \['1'\]"):
        learner.predict(X.drop(columns=1))


def test_fit_on_array_then_predict_on_a_named_frame_is_refused(binary):
    learner = _learner().fit(binary.X.to_numpy(), binary.y, treatment=binary.treatment)
    with pytest.raises(FeatureMismatchError, match="fitted on an array without column names"):
        learner.predict(binary.X[list(reversed(binary.X.columns))])
    # a frame with unnamed (positional) columns is the array itself
    np.testing.assert_array_equal(learner.predict(pd.DataFrame(binary.X.to_numpy())),
                                  learner.predict(binary.X.to_numpy()))


def test_fit_on_frame_then_predict_on_array_is_positional(binary):
    learner = _learner().fit(binary.X, binary.y, treatment=binary.treatment)
    np.testing.assert_array_equal(learner.predict(binary.X.to_numpy()), learner.predict(binary.X))


@pytest.mark.parametrize("names", [["a", "b", "a", "c"], ["a", 1, "1", "c"]])
def test_duplicate_column_names_are_refused_at_fit(binary, names):
    X = binary.X.set_axis(names, axis=1)
    learner = _learner()
    with pytest.raises(UpliftInputError, match="duplicate column names"):
        learner.fit(X, binary.y, treatment=binary.treatment)
    assert not hasattr(learner, "models_")


def test_duplicate_column_names_are_refused_at_predict(binary):
    learner = _learner().fit(binary.X, binary.y, treatment=binary.treatment)
    doubled = pd.concat([binary.X, binary.X[["x1"]]], axis=1)
    with pytest.raises(UpliftInputError, match=r"duplicate column names \['x1'\]"):
        learner.predict(doubled)


def test_series_as_features_is_refused_before_fitting(binary):
    learner = _learner()
    with pytest.raises(UpliftInputError, match=r"got a pandas Series named 'x1'.*to_frame\(\)"):
        learner.fit(binary.X["x1"], binary.y, treatment=binary.treatment)
    assert not hasattr(learner, "models_")
    fitted = _learner().fit(binary.X[["x1"]], binary.y, treatment=binary.treatment)
    with pytest.raises(UpliftInputError, match="pandas Series"):
        fitted.predict(binary.X["x1"])


def test_feature_names_and_dtypes_are_plain_data(binary):
    X = binary.X.assign(flag=binary.X["x1"] > 0, region=np.where(binary.X["x2"] > 0, "north", "south"))
    learner = _learner().fit(X, binary.y, treatment=binary.treatment)
    assert learner.feature_dtypes_[:5] == ["float64"] * 4 + ["bool"]
    assert learner.feature_dtypes_[5] in ("object", "str")  # text: "str" from pandas 3
    assert learner.feature_categories_ == {"region": ["north", "south"]}
    json.dumps([list(learner.feature_names_in_), learner.feature_dtypes_, learner.feature_categories_])
    from_array = _learner().fit(binary.X.to_numpy(), binary.y, treatment=binary.treatment)
    assert from_array.feature_dtypes_ == ["float64"] * 4 and from_array.feature_categories_ == {}


# --------------------------------------------------------------------------- text and categories


def test_schema_encodes_categories_exactly():
    frame = pd.DataFrame({
        "x": [1.0, 2.0, 3.0, 4.0],
        "region": ["south", "north", None, "north"],
        "channel": pd.Categorical(["web", "shop", "web", "web"], categories=["web", "shop", "phone"]),
    })
    schema = FeatureSchema.from_fit(frame)
    # object columns: sorted categories; a category dtype keeps its declared order
    assert dict(schema.categories) == {"region": ("north", "south"), "channel": ("web", "shop", "phone")}
    new = pd.DataFrame({"channel": ["phone", "fax", None], "x": [5.0, 6.0, 7.0], "region": ["north", "east", "south"]})
    np.testing.assert_array_equal(schema.transform(new, allow_nan=True),
                                  [[5.0, 0.0, 2.0], [6.0, np.nan, np.nan], [7.0, 1.0, np.nan]])
    # a model that cannot take NaN gets the documented unknown code instead
    u = UNKNOWN_CATEGORY_CODE
    np.testing.assert_array_equal(schema.transform(new, allow_nan=False), [[5.0, 0.0, 2.0], [6.0, u, u], [7.0, 1.0, u]])
    np.testing.assert_array_equal(schema.transform(frame, allow_nan=False)[:, 1], [1.0, 0.0, u, 0.0])


def test_object_column_of_numbers_is_numeric():
    frame = pd.DataFrame({"x": pd.Series([1, 2.5, None], dtype=object)})
    schema = FeatureSchema.from_fit(frame)
    assert dict(schema.categories) == {}
    np.testing.assert_array_equal(schema.transform(frame), [[1.0], [2.5], [np.nan]])


def test_text_features_fit_and_unseen_categories_never_fail(binary):
    rng = np.random.default_rng(0)
    X = binary.X.assign(region=rng.choice(["north", "south", "east"], len(binary.X)),
                        village=pd.Categorical(rng.choice(["a", "b"], len(binary.X))))
    models = ((LogisticRegression(), UNKNOWN_CATEGORY_CODE), (HistGradientBoostingClassifier(max_iter=20), np.nan))
    for model, unknown in models:
        learner = SLearner(model).fit(X, binary.y, treatment=binary.treatment)
        # the learner equals one fitted on the codes by hand
        codes = X.assign(region=X["region"].map({"east": 0.0, "north": 1.0, "south": 2.0}),
                         village=X["village"].cat.codes.astype(float))
        by_hand = SLearner(model).fit(codes, binary.y, treatment=binary.treatment)
        np.testing.assert_allclose(learner.predict(X), by_hand.predict(codes), rtol=0, atol=1e-12)
        # an unseen region (and a missing one) is the documented code, not an error
        new = X.head(4).assign(region=["west", None, "north", "north"])
        expected = codes.head(4).assign(region=[unknown, unknown, 1.0, 1.0])
        np.testing.assert_allclose(learner.predict(new), by_hand.predict(expected), rtol=0, atol=1e-12)
        # an object array in the fit order is read by position
        np.testing.assert_allclose(learner.predict(new.to_numpy()), learner.predict(new), rtol=0, atol=1e-12)


def test_numbers_at_fit_and_text_at_predict_is_a_clear_error(binary):
    learner = _learner().fit(binary.X, binary.y, treatment=binary.treatment)
    with pytest.raises(UpliftTypeError, match=r"column\(s\) \['x1'\] hold text.*held numbers"):
        learner.predict(binary.X.assign(x1="high"))


def test_dates_are_refused_with_a_hint(binary):
    X = binary.X.assign(when=pd.Timestamp("2024-01-01"))
    with pytest.raises(UpliftTypeError, match=r"neither numbers nor text.*days since"):
        _learner().fit(X, binary.y, treatment=binary.treatment)


def test_categorical_treatment_needs_no_control_value(binary):
    labels = pd.Series(pd.Categorical(np.where(binary.treatment == 1, "Yes", "No"), categories=["No", "Yes"]))
    learner = _learner().fit(binary.X, binary.y, treatment=labels)
    reference = _learner().fit(binary.X, binary.y, treatment=binary.treatment)
    assert learner.control_value_ == "No" and list(learner.treatment_arms_) == ["Yes"]
    np.testing.assert_array_equal(learner.predict(binary.X), reference.predict(binary.X))
