"""Adversarial properties of the learners (issue 9): a clear error naming the argument, or sound numbers.

For any input hypothesis generates (column names of mixed types and orders, text columns with
unseen categories, NaN and infinite cells, treatment labels of every kind, with or without a
control value), a learner either raises ``UpliftInputError`` / ``UpliftTypeError`` whose message
names the offending argument, or it fits and its predictions satisfy the invariants:

* a binary effect is a difference of probabilities: in [-1, 1], outcomes in [0, 1];
* ``predict`` equals the difference of ``predict_outcomes`` columns (to 1e-12);
* predictions do not depend on the order of the DataFrame's columns.

Tiny data (80 rows) and light base models keep the file within a few seconds per property.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from uplift.exceptions import UpliftInputError, UpliftTypeError
from uplift.learners import (
    ClassTransformation,
    DRLearner,
    RLearner,
    SLearner,
    TLearner,
    TransformedOutcome,
    XLearner,
)

N_ROWS = 80
LEARNERS = ["S", "T", "X", "R", "DR", "CT", "TO"]
SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _learner(name: str, trees: bool, control_value=None):
    """A learner with light base models: logistic/linear, or shallow trees (which accept NaN)."""
    if trees:
        outcome, effect = DecisionTreeClassifier(max_depth=3, random_state=0), DecisionTreeRegressor(max_depth=3)
        classifier = DecisionTreeClassifier(max_depth=3, random_state=0)
    else:
        outcome, effect, classifier = LogisticRegression(), LinearRegression(), LogisticRegression()
    return {
        "S": lambda: SLearner(outcome, control_value=control_value),
        "T": lambda: TLearner(outcome, control_value=control_value),
        "X": lambda: XLearner(outcome, effect_model=effect, propensity=0.5, control_value=control_value),
        "R": lambda: RLearner(outcome, effect_model=effect, control_value=control_value, random_state=0),
        "DR": lambda: DRLearner(outcome, effect_model=effect, control_value=control_value, random_state=0),
        "CT": lambda: ClassTransformation(classifier, outcome_model=outcome, control_value=control_value),
        "TO": lambda: TransformedOutcome(effect, outcome_model=outcome, control_value=control_value,
                                         random_state=0),
    }[name]()


def _outcome_and_arms(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A balanced 0/1 arm and a binary outcome with both values in each arm."""
    rng = np.random.default_rng(seed)
    arm = np.tile([0, 1], N_ROWS // 2)
    y = (rng.random(N_ROWS) < 0.3 + 0.3 * arm).astype(float)
    y[:4] = [0.0, 0.0, 1.0, 1.0]  # rows 0, 2 are control; 1, 3 treated
    return y, arm


def _check_invariants(learner, X) -> np.ndarray:
    effect = learner.predict(X)
    outcomes = learner.predict_outcomes(X)
    assert np.isfinite(effect).all()
    assert ((effect >= -1.0) & (effect <= 1.0)).all()
    assert ((outcomes >= 0.0) & (outcomes <= 1.0)).all()
    np.testing.assert_allclose(outcomes[:, 1] - outcomes[:, 0], effect, rtol=0, atol=1e-12)
    return effect


_NAMES = st.one_of(st.text(min_size=1, max_size=4), st.integers(-3, 3), st.sampled_from([0.5, 1.0, "1", "x"]))


@SETTINGS
@given(name=st.sampled_from(LEARNERS), trees=st.booleans(), seed=st.integers(0, 2**16),
       names=st.lists(_NAMES, min_size=1, max_size=4), order=st.randoms(use_true_random=False))
def test_columns_are_matched_by_name_whatever_their_names_and_order(name, trees, seed, names, order):
    y, arm = _outcome_and_arms(seed)
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.standard_normal((N_ROWS, len(names))), columns=pd.Index(names, dtype=object))
    learner = _learner(name, trees)
    if len({str(n) for n in names}) < len(names):
        with pytest.raises(UpliftInputError, match="X has duplicate column names"):
            learner.fit(X, y, treatment=arm)
        return
    learner.fit(X, y, treatment=arm)
    assert list(learner.feature_names_in_) == [str(n) for n in names]
    effect = _check_invariants(learner, X)
    shuffled = list(X.columns)
    order.shuffle(shuffled)
    np.testing.assert_array_equal(learner.predict(X[shuffled]), effect)
    np.testing.assert_array_equal(learner.predict(X.to_numpy()), effect)


@SETTINGS
@given(name=st.sampled_from(LEARNERS), trees=st.booleans(), seed=st.integers(0, 2**16),
       cells=st.lists(st.tuples(st.integers(0, N_ROWS - 1), st.integers(0, 2),
                                st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1e-300])), max_size=4))
def test_missing_and_infinite_features_are_refused_by_name_or_handled(name, trees, seed, cells):
    y, arm = _outcome_and_arms(seed)
    X = np.random.default_rng(seed).standard_normal((N_ROWS, 3))
    for row, column, value in cells:
        X[row, column] = value
    learner = _learner(name, trees)
    has_inf, has_nan = np.isinf(X).any(), np.isnan(X).any()
    if has_inf or (has_nan and not trees):
        with pytest.raises(UpliftInputError, match=r"^X contains"):
            learner.fit(X, y, treatment=arm)
        return
    _check_invariants(learner.fit(X, y, treatment=arm), X)


_LABEL_KINDS = {
    "int": (0, 1), "int_shifted": (3, 7), "bool": (False, True), "str": ("No", "Yes"), "float": (0.0, 1.0),
    "mixed": (0, "1"), "numpy": (np.int64(0), np.int64(1)),
}


@SETTINGS
@given(name=st.sampled_from(LEARNERS), kind=st.sampled_from(sorted(_LABEL_KINDS)), seed=st.integers(0, 2**16),
       control=st.sampled_from(["none", "first", "second", "absent"]), as_list=st.booleans())
def test_treatment_labels_are_refused_by_name_or_give_the_same_effects(name, kind, seed, control, as_list):
    y, arm = _outcome_and_arms(seed)
    X = np.random.default_rng(seed).standard_normal((N_ROWS, 2))
    first, second = _LABEL_KINDS[kind]
    labels = [first if a == 0 else second for a in arm]
    treatment = labels if as_list else pd.Series(labels, dtype=object if kind in ("mixed", "numpy") else None)
    control_value = {"none": None, "first": first, "second": second, "absent": "nobody"}[control]
    learner = _learner(name, trees=False, control_value=control_value)
    must_fail = kind == "mixed" or control == "absent" or (kind == "str" and control == "none")
    if must_fail:
        with pytest.raises((UpliftInputError, UpliftTypeError)) as caught:
            learner.fit(X, y, treatment=treatment)
        message = str(caught.value)
        assert "treatment" in message or "control_value" in message, message
        assert "np.int64" not in message, message
        return
    learner.fit(X, y, treatment=treatment)
    _check_invariants(learner, X)
    treated = second if control != "second" else first
    assert [np.asarray(a).item() for a in learner.treatment_arms_] == [np.asarray(treated).item()]
    if control != "second":  # the same arm codes as 0/1 labels: the same fit, the same effects
        reference = _learner(name, trees=False).fit(X, y, treatment=arm)
        np.testing.assert_allclose(learner.predict(X), reference.predict(X), rtol=0, atol=1e-12)


@SETTINGS
@given(name=st.sampled_from(LEARNERS), trees=st.booleans(), seed=st.integers(0, 2**16),
       fit_values=st.lists(st.sampled_from(["north", "south", "east", "1", "", None]), min_size=1, max_size=4),
       new_values=st.lists(st.one_of(st.text(max_size=3), st.none()), min_size=1, max_size=5),
       as_category=st.booleans())
def test_text_columns_are_encoded_and_unseen_values_never_fail(name, trees, seed, fit_values, new_values,
                                                               as_category):
    y, arm = _outcome_and_arms(seed)
    rng = np.random.default_rng(seed)
    region = pd.Series(rng.choice(np.array(fit_values, dtype=object), N_ROWS), dtype=object)
    X = pd.DataFrame({"x": rng.standard_normal(N_ROWS),
                      "region": region.astype("category") if as_category else region})
    learner = _learner(name, trees).fit(X, y, treatment=arm)
    categories = learner.feature_categories_.get("region", [])
    assert all(isinstance(c, str) for c in categories)
    _check_invariants(learner, X)
    new = pd.DataFrame({"region": pd.Series(new_values, dtype=object),
                        "x": rng.standard_normal(len(new_values))})
    _check_invariants(learner, new)
