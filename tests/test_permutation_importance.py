"""Permutation importance of the uplift ranking: the shuffles, the bootstrap interval, inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from uplift.evaluation import qini_auc_score
from uplift.exceptions import UpliftInputError
from uplift.inference import bootstrap_indices
from uplift.learners import TLearner
from uplift.segments import permutation_importance


class LinearScore:
    """A fitted "learner" whose effect is ``X @ weights`` (features it does not weigh are unused)."""

    def __init__(self, weights):
        self.weights = np.asarray(weights, dtype=np.float64)

    def predict(self, X):
        return np.asarray(X, dtype=np.float64) @ self.weights


def experiment(n, rng):
    """x0 sets the effect, x1 is noise; half the rows treated."""
    X = rng.normal(size=(n, 2))
    treatment = rng.permutation(np.arange(n) % 2)
    y = (rng.uniform(size=n) < 0.3 + 0.3 * treatment * (X[:, 0] > 0)).astype(np.int64)
    return X, y, treatment


def test_an_unused_feature_drops_by_exactly_zero_in_both_intervals():
    X, y, treatment = experiment(200, np.random.RandomState(0))
    for interval in ("bootstrap", "shuffles"):
        result = permutation_importance(LinearScore([1.0, 0.0]), X, y, treatment=treatment, n_repeats=2,
                                        interval=interval, n_resamples=20)
        unused = result.summary().set_index("feature").loc["x1"]
        # the predictions do not change, so neither does any score, on any resample
        assert (unused["drop"], unused["ci_low"], unused["ci_high"]) == (0.0, 0.0, 0.0)
        assert np.all(result.drops[1] == 0.0)
    assert np.all(result.drops[0] > 0)  # x0 ranks the effect: shuffling it hurts


def test_bootstrap_drop_is_the_mean_shuffled_score_on_the_same_resamples():
    # the documented formula, replayed by hand: seed of the resamples first, then one permutation per shuffle
    X, y, treatment = experiment(60, np.random.RandomState(1))
    learner, n_repeats, n_resamples = LinearScore([1.0, 0.5]), 2, 15
    result = permutation_importance(learner, X, y, treatment=treatment, n_repeats=n_repeats, n_resamples=n_resamples,
                                    random_state=3)
    rng = np.random.RandomState(3)
    seed = rng.randint(np.iinfo(np.int32).max)
    resamples = list(bootstrap_indices(60, n_resamples, strata=treatment, random_state=seed))
    base = learner.predict(X)
    expected = np.empty((2, n_resamples))
    for j in range(2):
        shuffled_scores = np.zeros(n_resamples)
        for _ in range(n_repeats):
            shuffled = X.copy()
            shuffled[:, j] = X[rng.permutation(60), j]
            values = learner.predict(shuffled)
            shuffled_scores += [qini_auc_score(y[i], values[i], treatment=treatment[i]) for i in resamples]
        expected[j] = [qini_auc_score(y[i], base[i], treatment=treatment[i]) for i in resamples]
        expected[j] -= shuffled_scores / n_repeats
    np.testing.assert_allclose(result.resampled_drops, expected, rtol=0, atol=1e-12)
    low, high = np.quantile(expected, [0.025, 0.975], axis=1, method="weibull")
    table = result.summary().set_index("feature").loc[["x0", "x1"]]
    np.testing.assert_allclose(table["ci_low"], low, atol=1e-12)
    np.testing.assert_allclose(table["ci_high"], high, atol=1e-12)
    np.testing.assert_allclose(table["std"], expected.std(axis=1, ddof=1), atol=1e-12)


def test_the_shuffles_do_not_depend_on_the_interval():
    X, y, treatment = experiment(100, np.random.RandomState(2))
    kwargs = {"treatment": treatment, "n_repeats": 3, "random_state": 5}
    bootstrap = permutation_importance(LinearScore([1.0, 0.5]), X, y, interval="bootstrap", n_resamples=10, **kwargs)
    shuffles = permutation_importance(LinearScore([1.0, 0.5]), X, y, interval="shuffles", **kwargs)
    np.testing.assert_array_equal(bootstrap.drops, shuffles.drops)
    assert shuffles.resampled_drops is None and shuffles.to_dict()["n_resamples"] is None
    assert bootstrap.to_dict()["n_resamples"] == 10 and "sampling noise" in str(bootstrap)


def test_a_text_column_is_shuffled_as_its_codes():
    # the learner encodes "region" by its categories; shuffling the text equals shuffling the codes
    rng = np.random.RandomState(4)
    X, y, treatment = experiment(400, rng)
    regions = np.array(["east", "north", "south"])
    frame = pd.DataFrame({"x0": X[:, 0], "region": regions[rng.randint(0, 3, 400)]})
    learner = TLearner(LogisticRegression()).fit(frame, y, treatment=treatment)
    codes = frame.assign(region=pd.Categorical(frame["region"], categories=regions).codes.astype(np.float64))

    class OnCodes:
        def predict(self, matrix):
            return learner.predict(pd.DataFrame(matrix, columns=["x0", "region"]).assign(
                region=lambda f: regions[f["region"].astype(int)]))

    on_text = permutation_importance(learner, frame, y, treatment=treatment, n_repeats=2, n_resamples=10)
    on_codes = permutation_importance(OnCodes(), codes.to_numpy(), y, treatment=treatment, n_repeats=2,
                                      n_resamples=10)
    np.testing.assert_array_equal(on_text.drops, on_codes.drops)
    assert on_text.summary()["feature"].tolist() != [] and set(on_text.summary()["feature"]) == {"x0", "region"}


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"interval": "rows"}, "interval must be one of"),
    ({"n_repeats": 0}, "n_repeats must be an integer of at least 1"),
    ({"n_repeats": 1, "interval": "shuffles"}, "n_repeats must be an integer of at least 2 with interval='shuffles'"),
    ({"n_repeats": 2.0}, "n_repeats must be an integer"),
    ({"n_resamples": 5}, "n_resamples must be an integer of at least 10"),
    ({"n_resamples": True}, "n_resamples must be an integer"),
    ({"alpha": 1.5}, "alpha"),
    ({"treatment_value": 7}, "7"),
])
def test_bad_inputs_name_the_argument(kwargs, message):
    X, y, treatment = experiment(50, np.random.RandomState(0))
    with pytest.raises(UpliftInputError, match=message):
        permutation_importance(LinearScore([1.0, 0.0]), X, y, treatment=treatment, **kwargs)


def test_rows_of_different_lengths_are_refused():
    X, y, treatment = experiment(50, np.random.RandomState(0))
    with pytest.raises(UpliftInputError, match="y has 49"):
        permutation_importance(LinearScore([1.0, 0.0]), X, y[:-1], treatment=treatment[:-1])


@pytest.mark.slow
def test_the_bootstrap_interval_of_an_irrelevant_feature_covers_zero_at_the_nominal_rate():
    # The model weighs x1, but x1 is independent of the outcome and the arm: a shuffled x1 has the
    # same joint law with (y, t, x0) as x1 itself, so the true drop is exactly 0. Over 200 fresh
    # holdouts the 95% interval should cover 0 in 95% of them: the binomial standard deviation is
    # sqrt(0.95 * 0.05 / 200) = 0.015; we allow 3 of them (0.046) below the nominal rate plus 0.02 for
    # the percentile bootstrap's own error at 600 rows and 100 resamples, and nothing is lost above.
    # The shuffles' own interval (interval="shuffles", 3 shuffles) covered 0 in 168 of these 200
    # holdouts (84%), below the bound: this check tells the two intervals apart.
    rng = np.random.RandomState(0)
    learner = LinearScore([1.0, 0.7])
    covered, repetitions = 0, 200
    for _ in range(repetitions):
        X, y, treatment = experiment(600, rng)
        seed = rng.randint(2**31 - 1)
        result = permutation_importance(learner, X, y, treatment=treatment, n_repeats=1, n_resamples=100,
                                        random_state=seed)
        row = result.summary().set_index("feature").loc["x1"]
        covered += bool(row["ci_low"] <= 0.0 <= row["ci_high"])
    assert covered / repetitions >= 0.95 - 0.046 - 0.02, covered
