"""Segment tree (readable, honest rules) and permutation importance of the uplift ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from uplift.datasets import make_uplift_classification
from uplift.exceptions import UpliftInputError
from uplift.learners import CalibratedLearner, TLearner
from uplift.segments import Segment, explain_uplift, permutation_importance, segment_tree


@pytest.fixture(scope="module")
def data():
    return make_uplift_classification(6000, 5, random_state=0)


@pytest.fixture(scope="module")
def tree(data):
    return segment_tree(data.X, data.y, treatment=data.treatment, learner=TLearner(LogisticRegression()))


def test_rules_read_like_a_crm_filter():
    segment = Segment((("recency", "<=", 6.0), ("newbie", "==", 1.0), ("history", ">", 120.5)), 10, 10, 0.1,
                      0.01, 0.08, 0.12, 0.1)
    assert segment.rule == "recency <= 6 and newbie == 1 and history > 120.5"
    frame = pd.DataFrame({"recency": [3, 7, 6], "newbie": [1, 1, 1], "history": [200.0, 200.0, 100.0]})
    assert segment.mask(frame).tolist() == [True, False, False]


def test_integer_and_binary_features_get_whole_number_rules():
    rng = np.random.default_rng(0)
    n = 4000
    X = pd.DataFrame({"recency": rng.integers(1, 13, n), "newbie": rng.integers(0, 2, n)})
    treatment = rng.integers(0, 2, n)
    # the effect exists only for recent newcomers: +0.3 on a 0.2 base
    p = 0.2 + 0.3 * treatment * ((X["recency"] <= 6) & (X["newbie"] == 1))
    y = (rng.random(n) < p).astype(int)
    tree = segment_tree(X, y, treatment=treatment, learner=TLearner(LogisticRegression()), max_depth=2,
                        min_segment_size=200)
    best = tree.segments[0]
    assert best.rule in ("recency <= 6 and newbie == 1", "newbie == 1 and recency <= 6")
    # held-out effect of the true segment: 0.3, SE about sqrt(4 * 0.25 / 500) ~ 0.045 -> 4 SE
    assert abs(best.effect - 0.3) < 4 * best.std_error
    assert tree.action(best) == "→ 1"
    assert set(tree.assign(X)) == set(range(1, len(tree.segments) + 1))


def test_tree_is_honest_and_bounded(tree, data):
    table = tree.summary()
    assert len(table) <= 8 and (table["n_fit"] >= 0.05 * tree.n_fit - 1).all()
    assert tree.n_fit + tree.n_holdout == len(data.y)
    assert all(len(s.conditions) <= 3 for s in tree.segments)
    # segments are sorted by held-out effect and every row belongs to exactly one
    assert (np.diff(table["effect"]) <= 0).all()
    assert (tree.assign(data.X) > 0).all()
    assert table["n_holdout"].sum() == tree.n_holdout
    # the true effect is largest for low x0 + x1 (persuadables): the top segment beats the bottom one
    top, bottom = tree.segments[0], tree.segments[-1]
    assert top.effect - bottom.effect > 3 * np.hypot(top.std_error, bottom.std_error)
    assert "held-out" in str(tree) and tree.to_dict()["segments"][0]["rule"] == top.rule


def test_segment_tree_bad_inputs(data):
    with pytest.raises(UpliftInputError, match="max_depth must be 1, 2 or 3"):
        segment_tree(data.X, data.y, treatment=data.treatment, max_depth=4)
    with pytest.raises(UpliftInputError, match="holdout_size"):
        segment_tree(data.X, data.y, treatment=data.treatment, holdout_size=1.5)
    with pytest.raises(UpliftInputError, match="treatment_value must be one of"):
        segment_tree(data.X, data.y, treatment=data.treatment, treatment_value=3,
                     learner=TLearner(LogisticRegression()))
    with pytest.raises(UpliftInputError, match="min_segment_size"):
        segment_tree(data.X, data.y, treatment=data.treatment, min_segment_size=-1,
                     learner=TLearner(LogisticRegression()))


def test_permutation_importance_finds_the_effect_features(data):
    learner = TLearner(LogisticRegression()).fit(data.X[:3000], data.y[:3000], treatment=data.treatment[:3000])
    result = permutation_importance(learner, data.X[3000:], data.y[3000:], treatment=data.treatment[3000:],
                                    n_repeats=5)
    table = result.summary()
    # the type (and so the effect) is set by x0 and x1; x4 is noise
    assert set(table["feature"].iloc[:2]) == {"x0", "x1"}
    assert table.loc[table["feature"] == "x0", "ci_low"].item() > 0
    noise = table.loc[table["feature"] == "x4"].iloc[0]
    assert noise["ci_low"] <= 0.01
    assert result.drops.shape == (5, 5) and "x0" in str(result)
    assert result.interval == "bootstrap" and result.resampled_drops.shape == (5, 200)


def test_explain_uplift_bundles_everything(data):
    learner = CalibratedLearner(TLearner(LogisticRegression()), cv=3).fit(data.X, data.y, treatment=data.treatment)
    explanation = explain_uplift(learner, data.X, data.y, treatment=data.treatment, max_depth=2, n_repeats=2)
    assert explanation.blp is not None and explanation.gates is not None
    payload = explanation.to_dict()
    assert set(payload) == {"segments", "importance", "blp", "gates"}
    assert "BLP" in str(explanation)
