"""compare_policies: exact paired IPW difference by hand, promotion rule, and unbiasedness with the holdout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from uplift.campaign import Economics, Policy
from uplift.exceptions import UpliftInputError, UpliftTypeError
from uplift.monitoring import compare_policies


class OutcomeLearner(BaseEstimator):
    """A stand-in fitted learner whose features *are* the outcomes (control first)."""

    def fit(self):
        self.models_ = "identity"
        self.treatment_arms_ = np.asarray([1])
        self.control_value_ = 0
        self.inference_ = None
        return self

    def predict_outcomes(self, X):
        return np.asarray(X, dtype=np.float64)


def _policy(**constraints):
    X = np.array([[0.0, 0.5], [0.0, 0.4], [0.0, 0.3], [0.0, 0.2]])
    return Policy(OutcomeLearner().fit(), Economics(value=10.0, contact_cost=1.0), **constraints).fit(X)


def test_paired_difference_by_hand():
    champion, challenger = _policy(), _policy(max_contacts=2)
    X = np.array([[0.0, 0.5], [0.0, 0.4], [0.0, 0.3], [0.0, 0.2]])
    # champion contacts everyone (gain 10 p - 1 > 0 for all), challenger only rows 0 and 1
    assert champion.decide(X)["arm"].tolist() == [1, 1, 1, 1]
    assert challenger.decide(X)["arm"].tolist() == [1, 1, 0, 0]
    y = np.array([1.0, 0.0, 1.0, 0.0])
    treatment = np.array([1, 0, 0, 1])
    # e = 1/2 for both arms. Realised profit: row0 treated y=1: 10-1 = 9; row1 control 0; row2 control 10;
    # row3 treated y=0: -1. Incremental scores Γ(π) - Γ(0):
    #   champion (all arm 1): row0 18, row1 0, row2 -20, row3 -2 -> mean -1
    #   challenger: row0 18, row1 0, row2 0, row3 0 -> mean 4.5; difference rows (0, 0, 20, 2): mean 5.5
    result = compare_policies(champion, challenger, X, y, treatment=treatment)
    assert result.champion.estimate == pytest.approx(-1.0)
    assert result.challenger.estimate == pytest.approx(4.5)
    assert result.difference.estimate == pytest.approx(5.5)
    assert result.difference.std_error == pytest.approx(np.std([0, 0, 20, 2], ddof=1) / 2)
    # one-sided 95% lower bound 5.5 - 1.645 * 4.87 < 0: not promoted with margin 0
    assert not result.promote and "<= margin 0" in result.reason


def test_recorded_propensity_vector_and_promotion():
    rng = np.random.default_rng(0)
    n = 40_000
    p1 = rng.uniform(0.0, 0.3, n)
    X = pd.DataFrame({"c": np.full(n, 0.1), "t": p1})
    champion = _policy(max_contacts=1)  # a price per contact: contacts only the very best on new data
    challenger = _policy()
    treatment = rng.integers(0, 2, n)
    y = (rng.random(n) < np.where(treatment == 1, X["t"], X["c"])).astype(float)
    result = compare_policies(champion, challenger, X, y, treatment=treatment, propensity=np.full(n, 0.5), margin=0.0)
    # true per-customer difference: challenger contacts where 10 t - 1 > 10 c, i.e. t > .2; value there
    # E[10 (t - c) - 1 | t > .2] x P(t > .2) = (10 (.25 - .1) - 1) x (1/3) = 0.1667
    truth = np.mean(np.where(p1 > 0.2, 10 * (p1 - 0.1) - 1, 0.0)) - np.mean(
        np.where(champion.decide(X)["arm"].to_numpy() == 1, 10 * (p1 - 0.1) - 1, 0.0))
    assert abs(result.difference.estimate - truth) < 4 * result.difference.std_error
    assert result.promote == (result.difference.estimate - 1.645 * result.difference.std_error > 0)


def test_bad_inputs():
    champion = _policy()
    X = np.array([[0.0, 0.5], [0.0, 0.4]])
    with pytest.raises(UpliftTypeError, match=r"fitted uplift\.campaign\.Policy"):
        compare_policies(champion, object(), X, [1, 0], treatment=[1, 0])
    with pytest.raises(UpliftInputError, match="at least two distinct values"):
        compare_policies(champion, champion, X, [1, 0], treatment=[1, 1])
    with pytest.raises(UpliftInputError, match="alpha must lie in"):
        compare_policies(champion, champion, X, [1, 0], treatment=[1, 0], alpha=0.7)
    with pytest.raises(UpliftInputError, match=r"propensity must lie in \(0, 1\]"):
        compare_policies(champion, champion, np.vstack([X, X]), [1, 0, 1, 0], treatment=[1, 0, 1, 0], propensity=[0, 1,
                                                                                                                  1, 1])


def test_retrain_policy_keeps_the_recipe_and_compares_on_unseen_rows():
    from sklearn.linear_model import LogisticRegression

    from uplift.datasets import make_uplift_stream
    from uplift.learners import TLearner
    from uplift.monitoring import retrain_policy

    stream = make_uplift_stream(2, 3000, change_period=1, change="effect", random_state=3)
    old, new = stream.time == 0, stream.time == 1
    learner = TLearner(LogisticRegression()).fit(stream.X[old], stream.y[old], treatment=stream.treatment[old])
    champion = Policy(learner, Economics(value=10.0, contact_cost=0.3)).fit(stream.X[old])
    X = stream.X[new].reset_index(drop=True)
    challenger, comparison = retrain_policy(champion, X, stream.y[new], treatment=stream.treatment[new], random_state=0)
    assert challenger is not champion and challenger.learner is not champion.learner
    assert challenger.economics == champion.economics  # cloned, equal
    assert champion.learner.models_ is learner.models_  # the champion was not refitted
    # after the sign flip the old policy contacts the wrong segment: the retrained one wins clearly
    assert comparison.promote and comparison.difference.estimate > 0
    with pytest.raises(UpliftInputError, match="evaluation_share must lie in"):
        retrain_policy(champion, X, stream.y[new], treatment=stream.treatment[new], evaluation_share=1.0)


def test_cli_retrain_writes_only_a_winner(tmp_path, capsys):
    pytest.importorskip("uplift.io")
    from sklearn.linear_model import LogisticRegression

    from uplift.cli import main
    from uplift.datasets import make_uplift_stream
    from uplift.io import save
    from uplift.learners import TLearner

    stream = make_uplift_stream(2, 3000, change_period=1, change="effect", random_state=4)
    old, new = stream.time == 0, stream.time == 1
    learner = TLearner(LogisticRegression()).fit(stream.X[old], stream.y[old], treatment=stream.treatment[old])
    champion = Policy(learner, Economics(value=10.0, contact_cost=0.3)).fit(stream.X[old])
    save(champion, tmp_path / "champion", reference=stream.X[old])
    stream.X[new].assign(bought=stream.y[new], arm=stream.treatment[new], holdout="explore").to_csv(
        tmp_path / "holdout.csv", index=False)
    arguments = ["retrain", str(tmp_path / "champion"), str(tmp_path / "holdout.csv"), "--outcome", "bought",
                 "--treatment", "arm", "--output", str(tmp_path / "challenger")]
    assert main(arguments) == 0
    assert "challenger promoted" in capsys.readouterr().out
    assert (tmp_path / "challenger").exists()
    assert main([*arguments[:-1], str(tmp_path / "kept"), "--margin", "100"]) == 0
    assert "champion kept" in capsys.readouterr().out and not (tmp_path / "kept").exists()
