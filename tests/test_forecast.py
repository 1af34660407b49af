"""forecast_profit: exact on a hand-made cross-fit; honest (covers the true profit) on synthetic data."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from uplift.campaign import Economics, forecast_profit, plan_campaign, score_profit
from uplift.datasets import make_uplift_classification
from uplift.exceptions import UpliftInputError, UpliftTypeError, UpliftWarning
from uplift.learners import CalibratedLearner, CrossFit, SLearner, TLearner


def _hand_cross_fit() -> CrossFit:
    outcomes = np.array([[0.1, 0.3], [0.1, 0.3], [0.2, 0.2], [0.2, 0.2]])
    return CrossFit(effect=outcomes[:, 1:] - outcomes[:, :1], calibrated_effect=outcomes[:, 1:] - outcomes[:, :1],
                    outcomes=outcomes, pseudo_outcome=np.zeros((4, 1)), propensity=np.full((4, 2), 0.5),
                    y=np.array([1.0, 0.0, 1.0, 0.0]), codes=np.array([1, 0, 0, 1]), weight=None)


def test_forecast_by_hand():
    plan = plan_campaign([[0.1, 0.3]] * 3, Economics(value=10.0))
    result = forecast_profit(plan, _hand_cross_fit(), n_draws=0)  # no per-repeat record: nothing to bootstrap
    # training rows 0 and 1 have gain 10 * 0.2 = 2 > 0 and get the arm; rows 2 and 3 gain 0 (no contact).
    # corrections: row 0 (treated) 10 * (1 - 0.3) / 0.5 = 14; row 1 (control) -10 * (0 - 0.1) / 0.5 = 2
    # mean 8, variance (ddof 1) 72; plan: 3 contacts of plug-in 2 each = 6, so 6 + 3 * 8 = 30, SE sqrt(9 * 72 / 2) = 18
    assert result.plug_in == pytest.approx(6.0)
    assert result.correction == pytest.approx(24.0)
    assert result.forecast.estimate == pytest.approx(30.0)
    assert result.forecast.std_error == pytest.approx(18.0)
    table = result.summary()
    assert table["arm"].tolist() == [1, "total"] and table["training_rows"].tolist() == [2, 2]
    assert result.to_dict()["method"] == result.method and "training rows" in str(result)
    assert result.inflation == 1.0 and result.n_draws == 0 and result.to_dict()["inflation"] == 1.0
    with pytest.warns(UpliftWarning, match="per-repeat record"):  # asked to bootstrap what it cannot
        assert forecast_profit(plan, _hand_cross_fit()).forecast.std_error == pytest.approx(18.0)


def test_choice_of_fold_models_by_hand(monkeypatch):
    """The variance of the plan's choice of fold models, on 4 rows, 2 repeats of 2 folds, one arm, every row
    given the arm. Each repeat's effects (through predict's maps; stubbed here) and their profit (value 10):
    repeat 0 says 0.3, 0.3, 0.2, 0.2 and repeat 1 0.1, 0.1, 0.2, 0.2, so the profit's deviation from the
    repeats' mean is +1, +1, 0, 0 and -1, -1, 0, 0. The plan has 8 contacts; each fold's 2 rows count 8 / 2 = 4
    times. Repeat 0's folds (rows 0 1 | 2 3): sums 4 * 2 = 8 and 0, no scatter: squares 64 and 0. Repeat 1's
    folds (rows 0 2 | 1 3): sums -4 and -4, scatter 4**2 * (0.5**2 + 0.5**2) = 8 each: 16 - 8 = 8 and 8.
    Mean square 20, times R / (R - 1) = 2: 40 for one model; the plan averages 2 (/ 2) and the rows add a
    fold in 2 (* 1.5): 30. The independent rows' variance is test_forecast_by_hand's, 9 * 72 / 2 = 324,
    with 8 contacts instead of 3 and these outcomes: corrections 14, 2, -18, -6 (mean -2, variance 544 / 3),
    64 * 544 / 3 / 4."""
    from uplift.learners import CrossFitRepeats

    deviation = np.array([[0.3, 0.3, 0.2, 0.2], [0.1, 0.1, 0.2, 0.2]])[:, :, None]
    monkeypatch.setattr(CrossFitRepeats, "repeat_effects", lambda self, codes, weight: deviation)
    record = CrossFitRepeats(fold=np.array([[0, 0, 1, 1], [0, 1, 0, 1]]), centred=np.zeros((2, 4, 1)),
                             pseudo=np.zeros((2, 4, 1)), pair_propensity=np.full((2, 4, 1), 0.5),
                             control=np.full(4, 0.1), method="isotonic", n_bins=20, binary=True)
    outcomes = np.array([[0.1, 0.3]] * 4)
    cross_fit = CrossFit(effect=outcomes[:, 1:] - outcomes[:, :1], calibrated_effect=outcomes[:, 1:] - outcomes[:, :1],
                         outcomes=outcomes, pseudo_outcome=np.zeros((4, 1)), propensity=np.full((4, 2), 0.5),
                         y=np.array([1.0, 0.0, 1.0, 0.0]), codes=np.array([1, 0, 0, 1]), weight=None, repeats=record)
    plan = plan_campaign([[0.1, 0.3]] * 8, Economics(value=10.0))
    result = forecast_profit(plan, cross_fit, n_draws=0)
    assert result.model_choice_std_error == pytest.approx(np.sqrt(30.0))
    assert result.forecast.estimate == pytest.approx(16.0 - 16.0)
    assert result.forecast.std_error == pytest.approx(np.sqrt(64 * 544 / 3 / 4 + 30.0))
    assert result.per_arm["std_error"].iloc[0] == pytest.approx(result.forecast.std_error)  # one arm: the total's
    assert result.to_dict()["model_choice_std_error"] == pytest.approx(np.sqrt(30.0))


def test_choice_of_fold_models_measures_what_other_fold_models_would_have_done(monkeypatch):
    """Keep every fold model (the learner keeps one per repeat) and plan the same new customers with 40 other
    choices of one model per repeat: the spread of the plan's selected error (plug-in minus true profit) over
    those choices is what the measured part estimates, with the plan's selection held (the rows' share,
    ``1 / cv``, taken out). Holding the selection leaves out the customers another model would swap in or out,
    whose own errors (the learner's unexplained effects at the rule's margin) no data set measures well: with
    this logistic T-learner the measured variance was 0.42-0.63 of the whole on seeds 0-3 (0.11 on seed 4),
    0.56 pooled over seeds 0-2. A measurement that forgot the average over repeats (x 4 here) or measured
    nothing fails the bounds."""
    fitted: list = []
    fit_inner = CalibratedLearner._fit_inner

    def keep(self, *args):
        model = fit_inner(self, *args)
        fitted.append(model)
        return model

    monkeypatch.setattr(CalibratedLearner, "_fit_inner", keep)
    cv, n_repeats, measured, direct = 3, 4, 0.0, 0.0
    for seed in range(3):
        fitted.clear()
        train = make_uplift_classification(6000, 6, n_arms=3, random_state=seed)
        new = make_uplift_classification(5000, 6, n_arms=3, random_state=1000 + seed)
        learner = CalibratedLearner(TLearner(LogisticRegression()), cv=cv, n_repeats=n_repeats).fit(
            train.X, train.y, treatment=train.treatment)
        plan = plan_campaign(learner.predict_outcomes(new.X), ECONOMICS)
        measured += forecast_profit(plan, learner, n_draws=0).model_choice_std_error**2 / (1 + 1 / cv)
        models = [fitted[r * cv:(r + 1) * cv] for r in range(n_repeats)]
        levels = [[model.predict(train.X.to_numpy()).mean(axis=0) for model in row] for row in models]
        gain, rng, errors = score_profit(new.mu, ECONOMICS).gain, np.random.default_rng(seed), []
        for _ in range(40):
            pick = rng.integers(0, cv, n_repeats)
            state = dataclasses.replace(learner._fitted(), inner=tuple(models[r][pick[r]] for r in range(n_repeats)),
                                        levels=tuple(levels[r][pick[r]] for r in range(n_repeats)))
            other = plan_campaign(learner._outcomes_and_effects(state, new.X.to_numpy())[0], ECONOMICS)
            chosen = other.arm > 0
            errors.append(float((other.scores.gain - gain)[chosen, other.arm[chosen] - 1].sum()))
        direct += float(np.var(errors, ddof=1))
    assert 0.25 < measured / direct < 1.2


def test_one_repeat_has_no_choice_of_fold_models_to_measure():
    train = make_uplift_classification(2000, 5, n_arms=1, random_state=3)
    learner = CalibratedLearner(TLearner(LogisticRegression()), cv=3, n_repeats=1).fit(
        train.X, train.y, treatment=train.treatment)
    plan = plan_campaign(learner.predict_outcomes(train.X[:500]), Economics(value=30.0, contact_cost=0.5))
    result = forecast_profit(plan, learner, n_draws=0)
    assert result.model_choice_std_error == 0.0 and "fold models" not in result.method


def test_forecast_bad_inputs():
    plan = plan_campaign([[0.1, 0.3]] * 3, Economics(value=10.0))
    with pytest.raises(UpliftTypeError, match="CalibratedLearner"):
        forecast_profit(plan, TLearner())
    two_arms = plan_campaign([[0.1, 0.3, 0.4]] * 3, Economics(value=10.0))
    with pytest.raises(UpliftInputError, match="treated arm"):
        forecast_profit(two_arms, _hand_cross_fit())
    per_customer = plan_campaign([[0.1, 0.3]] * 3, Economics(value=[10.0, 10.0, 10.0]))
    with pytest.raises(UpliftInputError, match="economics="):
        forecast_profit(per_customer, _hand_cross_fit())
    assert forecast_profit(per_customer, _hand_cross_fit(), economics=Economics(value=10.0),
                           n_draws=0).forecast.estimate == 30
    for bad in (True, 5, -1, 2.5, "100"):
        with pytest.raises(UpliftInputError, match="n_draws"):
            forecast_profit(plan, _hand_cross_fit(), n_draws=bad)


def test_the_bootstrap_widens_the_interval_of_independent_rows_reproducibly():
    """The default forecast's standard error is the one of independent rows (``n_draws=0``) times the bootstrap's
    inflation, never narrower; the point forecast is the same; a seed gives the same interval twice."""
    train = make_uplift_classification(3000, 5, n_arms=2, random_state=3)
    new = make_uplift_classification(2000, 5, n_arms=2, random_state=4)
    learner = CalibratedLearner(TLearner(LogisticRegression()), cv=3, n_repeats=2).fit(
        train.X, train.y, treatment=train.treatment)
    economics = Economics(value=30.0, contact_cost=[0.05, 0.05], conversion_cost=[0.0, 2.0])
    plan = plan_campaign(learner.predict_outcomes(new.X), economics)
    plain_rows = forecast_profit(plan, learner, n_draws=0)
    widened = forecast_profit(plan, learner, n_draws=40, random_state=1)
    assert widened.forecast.estimate == plain_rows.forecast.estimate
    assert widened.inflation >= 1.0 and widened.n_draws == 40 and "40 draws" in widened.method
    choice = widened.model_choice_std_error  # not a bootstrap: the same with or without the draws
    assert choice > 0 and plain_rows.model_choice_std_error == choice and "fold models" in plain_rows.method
    independent = plain_rows.forecast.std_error**2 - choice**2
    assert widened.forecast.std_error == pytest.approx(np.sqrt(widened.inflation**2 * independent + choice**2))
    # each arm's: sqrt(inflation² × independent + its model-choice part), between the two bounds
    wide_arms, plain_arms = widened.per_arm["std_error"].to_numpy(), plain_rows.per_arm["std_error"].to_numpy()
    assert (wide_arms >= plain_arms - 1e-9).all() and (wide_arms <= plain_arms * widened.inflation + 1e-9).all()
    again = forecast_profit(plan, learner, n_draws=40, random_state=1)
    assert again.forecast.std_error == widened.forecast.std_error


ECONOMICS = Economics(value=30.0, contact_cost=[0.05, 0.05, 0.10], conversion_cost=[0.0, 2.0, 4.0])


@pytest.mark.slow
def test_forecast_is_honest_for_a_noisy_learner():
    # A T-learner of single trees: noisy effects, so a plan selects noise and its plug-in promises more than
    # it earns. Truth: the true profit of the plan's own choices on 5,000 new customers.
    n_draws, z, hits = 20, [], 0
    for seed in range(n_draws):
        train = make_uplift_classification(6000, 6, n_arms=3, random_state=seed)
        new = make_uplift_classification(5000, 6, n_arms=3, random_state=1000 + seed)
        inner = TLearner(DecisionTreeClassifier(min_samples_leaf=100, random_state=0))
        learner = CalibratedLearner(inner, cv=3, n_repeats=3).fit(train.X, train.y, treatment=train.treatment)
        plan = plan_campaign(learner.predict_outcomes(new.X), ECONOMICS)
        gain = score_profit(new.mu, ECONOMICS).gain
        truth = float(gain[plan.arm > 0, plan.arm[plan.arm > 0] - 1].sum())
        result = forecast_profit(plan, learner)
        hits += result.forecast.contains(truth)
        z.append((result.forecast.estimate - truth) / result.forecast.std_error)
    # An honest forecast with an honest standard error: each z is about N(0, 1), so the mean of 20 is within
    # 3 / sqrt(20) = 0.67 of 0 (3 SE), and a 95% interval misses 20 draws 5 times or more with probability
    # 0.003 (binomial): at least 16 hits. The plan of every fold model of one cross-fit (before n_repeats)
    # failed both here: mean z -1.24, 15 of 20 covered; with n_repeats=3, -0.29 and 20 of 20.
    assert abs(np.mean(z)) < 3 / np.sqrt(n_draws)
    assert hits >= 16


def test_plan_campaign_and_policy_carry_the_forecast():
    from uplift.campaign import Policy

    train = make_uplift_classification(3000, 5, n_arms=2, random_state=5)
    new = make_uplift_classification(1000, 5, n_arms=2, random_state=6)
    learner = CalibratedLearner(TLearner(LogisticRegression()), cv=3).fit(train.X, train.y, treatment=train.treatment)
    economics = Economics(value=30.0, contact_cost=0.5, conversion_cost=[2.0, 4.0])
    plan = plan_campaign(learner.predict_outcomes(new.X), economics, budget=200.0, forecast_learner=learner)
    direct = forecast_profit(plan, learner)
    totals = plan.totals()
    assert totals["forecast_incremental_profit"] == pytest.approx(direct.forecast.estimate)
    assert totals["forecast_ci_low"] < totals["forecast_incremental_profit"] < totals["forecast_ci_high"]
    table = plan.summary()
    assert table["forecast"].iloc[-1] == pytest.approx(direct.forecast.estimate)
    assert "forecast_ci_low" in table.columns
    assert "forecast_incremental_profit" not in plan_campaign(learner.predict_outcomes(new.X), economics).totals()
    policy = Policy(learner, economics, budget=200.0).fit(new.X)
    assert policy.reference_plan_summary_["forecast_incremental_profit"] == pytest.approx(direct.forecast.estimate)


def test_the_bootstrap_widens_when_the_maps_move_the_selection():
    """A shrunk S-learner (nearly flat raw effects) with a contact cost at the 85th percentile of its calibrated
    effects: few rows clear the threshold, so a small move of a fold map's level moves many rows in or out of the
    rule's selection, and the rows' corrections are far from independent. The bootstrap must see it: the
    inflation over 6 seeds of 100 draws was 1.40-1.66 (40 draws: 1.26-1.74), so 1.2 leaves room for the draws'
    noise; a bootstrap that did not refit the maps or replay the rule gives 1.0 here."""
    train = make_uplift_classification(3000, 5, n_arms=1, random_state=3)
    new = make_uplift_classification(2000, 5, n_arms=1, random_state=4)
    shrunk = SLearner(LogisticRegression(C=0.001), interactions=True)
    learner = CalibratedLearner(shrunk, cv=3, n_repeats=2).fit(train.X, train.y, treatment=train.treatment)
    cost = 30.0 * np.percentile(learner.cross_fit_.calibrated_effect[:, 0], 85)
    plan = plan_campaign(learner.predict_outcomes(new.X), Economics(value=30.0, contact_cost=cost))
    widened = forecast_profit(plan, learner, n_draws=100)
    assert widened.inflation > 1.2
    plain_rows, choice = forecast_profit(plan, learner, n_draws=0), widened.model_choice_std_error
    assert widened.forecast.std_error == pytest.approx(
        np.sqrt(widened.inflation**2 * (plain_rows.forecast.std_error**2 - choice**2) + choice**2))


def test_block_covariance_by_hand():
    """Six training rows, every one given the arm (outcomes 0.1 / 0.3, gain 10 * 0.2 = 2), in three blocks of two
    (rows 0 1 | 2 3 | 4 5). The refit without block 1 drops row 0 from the rule (its outcomes 0.2 / 0.2, gain 0),
    the refit without block 0 drops row 2, every other row is predicted as before. The plan has 3 contacts, so each
    of the 6 rows counts 3 / 6 = 0.5. Rows 0 and 2 are treated buyers: correction 10 * 0.7 / 0.5 = 14, doubly
    robust profit 2 + 14 = 16, term 8. So D_01 = D_10 = 8 and every other D is 0: Σ_{a≠b} D_ab D_ba = 128, times
    B / (B - 1) = 1.5: 192. The corrections are 14, 2, 14, 2, -6, -18 (mean 4 / 3, sum of squares about it
    2248 / 3), so the independent rows' variance is 3² * 2248 / 15 / 6 = 224.8."""
    same = [0.1, 0.3]
    outcomes = np.array([same] * 6)
    refits = np.full((3, 6, 2), np.nan)
    refits[0, 2:] = [[0.2, 0.2], same, same, same]
    refits[1, [0, 1, 4, 5]] = [[0.2, 0.2], same, same, same]
    refits[2, :4] = same
    cross_fit = CrossFit(effect=outcomes[:, 1:] - outcomes[:, :1], calibrated_effect=outcomes[:, 1:] - outcomes[:, :1],
                         outcomes=outcomes, pseudo_outcome=np.zeros((6, 1)), propensity=np.full((6, 2), 0.5),
                         y=np.array([1.0, 0.0, 1.0, 0.0, 0.0, 1.0]), codes=np.array([1, 0, 1, 0, 1, 0]), weight=None,
                         block=np.array([0, 0, 1, 1, 2, 2]), block_outcomes=refits)
    plan = plan_campaign([same] * 3, Economics(value=10.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no per-repeat record, but the refits need no bootstrap
        result = forecast_profit(plan, cross_fit)
    assert result.selection_covariance == pytest.approx(192.0)
    assert result.forecast.std_error == pytest.approx(np.sqrt(224.8 + 192.0))
    assert result.per_arm["std_error"].iloc[0] == pytest.approx(np.sqrt(224.8 + 192.0))
    assert result.n_blocks == 3 and result.n_draws == 0 and result.inflation == 1.0 and "3 refits" in result.method
    assert result.to_dict()["selection_covariance"] == pytest.approx(192.0)
    # the refits move the interval, never the forecast
    plain = forecast_profit(plan, dataclasses.replace(cross_fit, block=None, block_outcomes=None), n_draws=0)
    assert plain.forecast.estimate == result.forecast.estimate and plain.forecast.std_error == pytest.approx(
        np.sqrt(224.8))
    # a covariance estimate below 0 (rows 0 and 2 moving with opposite signs) adds nothing
    y = cross_fit.y.copy()
    y[2] = 0.0  # row 2 a treated non-buyer: correction -6, term 0.5 * (2 - 6) = -2, so D_01 D_10 < 0
    negative = forecast_profit(plan, dataclasses.replace(cross_fit, y=y))
    assert negative.selection_covariance == 0.0
    assert negative.forecast.std_error == pytest.approx(forecast_profit(
        plan, dataclasses.replace(cross_fit, y=y, block=None, block_outcomes=None), n_draws=0).forecast.std_error)


def test_forecast_blocks_add_their_covariance_to_the_interval_of_a_real_fit():
    """A learner fitted with ``forecast_blocks``: the forecast is the one without the refits, and its variance is
    that of the same cross-fit without them (independent rows and the choice of fold models, no bootstrap) plus the
    measured covariance."""
    train = make_uplift_classification(3000, 5, n_arms=2, random_state=3)
    new = make_uplift_classification(2000, 5, n_arms=2, random_state=4)
    learner = CalibratedLearner(TLearner(LogisticRegression()), cv=3, n_repeats=2, forecast_blocks=4).fit(
        train.X, train.y, treatment=train.treatment)
    economics = Economics(value=30.0, contact_cost=[0.05, 0.05], conversion_cost=[0.0, 2.0])
    plan = plan_campaign(learner.predict_outcomes(new.X), economics)
    result = forecast_profit(plan, learner)
    without = dataclasses.replace(learner.cross_fit_, block=None, block_outcomes=None)
    plain = forecast_profit(plan, without, n_draws=0)
    assert result.forecast.estimate == plain.forecast.estimate and result.n_blocks == 4
    assert result.selection_covariance >= 0.0 and result.model_choice_std_error == plain.model_choice_std_error
    assert result.forecast.std_error**2 == pytest.approx(plain.forecast.std_error**2 + result.selection_covariance)
    assert (result.per_arm["std_error"] >= plain.per_arm["std_error"] - 1e-9).all()
