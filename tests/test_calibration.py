"""BLP test, GATES (exact on small arrays, statistical with known truth) and CalibratedLearner."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from uplift.datasets import make_uplift_classification
from uplift.evaluation import blp_test, dr_pseudo_outcome, gates
from uplift.exceptions import UpliftInputError, UpliftTypeError
from uplift.learners import CalibratedLearner, SLearner, TLearner
from uplift.learners._calibration import fit_map


# -- exact ------------------------------------------------------------------------------------------
def test_blp_matches_a_hand_computed_regression():
    phi = np.array([0.0, 2.0, 1.0, 5.0, 3.0])
    score = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    result = blp_test(phi, score)
    # OLS by hand: centred score c = [-2, -1, 0, 1, 2], slope = c·phi / c·c = (-2 + 5 + 6) / 10 = 0.9,
    # intercept = mean(phi) = 2.2
    assert result.ate.estimate == pytest.approx(2.2)
    assert result.slope.estimate == pytest.approx(0.9)
    c = score - score.mean()
    residual = phi - 2.2 - 0.9 * c
    design = np.column_stack([np.ones(5), c])
    bread = np.linalg.inv(design.T @ design)
    hc1 = bread @ (design.T * residual**2) @ design @ bread * 5 / 3
    assert result.slope.std_error == pytest.approx(np.sqrt(hc1[1, 1]))
    assert result.ate.std_error == pytest.approx(np.sqrt(hc1[0, 0]))
    table = result.summary()
    assert list(table.index) == ["ATE (BLP intercept)", "BLP slope"]
    assert result.to_dict()["slope"]["estimate"] == pytest.approx(0.9)
    assert "BLP slope" in str(result)


def test_blp_weights_equal_to_repeating_rows():
    phi, score = np.array([0.0, 2.0, 1.0, 5.0]), np.array([0.0, 1.0, 2.0, 3.0])
    weighted = blp_test(phi, score, sample_weight=[1, 2, 1, 1])
    repeated = blp_test(np.r_[phi, 2.0], np.r_[score, 1.0])
    assert weighted.slope.estimate == pytest.approx(repeated.slope.estimate)
    assert weighted.ate.estimate == pytest.approx(repeated.ate.estimate)


def test_gates_matches_hand_computed_groups():
    result = gates([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], n_groups=2)
    assert result.table["effect"].tolist() == [2.0, 5.0]
    # sd of (1, 2, 3) is 1, so each SE is 1/sqrt(3); the difference's is sqrt(2/3)
    np.testing.assert_allclose(result.table["std_error"], [1 / np.sqrt(3)] * 2)
    assert result.difference.estimate == 3.0
    assert result.difference.std_error == pytest.approx(np.sqrt(2 / 3))
    assert result.summary()["n"].tolist() == [3, 3]
    assert "group 2" in str(result) and len(result.to_dict()["groups"]) == 2


def test_gates_keeps_ties_in_one_group():
    result = gates([1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 1.0], n_groups=2)
    assert result.table["n"].tolist() == [3, 1]


def test_dr_pseudo_outcome_by_hand():
    # treated row: 0.3 + (1 - 0.5) / 0.5 = 1.3; control row: 0.3 - (0 - 0.2) / 0.5 = 0.7
    np.testing.assert_allclose(dr_pseudo_outcome([1, 0], [1, 0], [0.2, 0.2], [0.5, 0.5], 0.5), [1.3, 0.7])


# -- bad input --------------------------------------------------------------------------------------
def test_bad_inputs_raise():
    with pytest.raises(UpliftInputError, match="NaN"):
        blp_test([1.0, np.nan, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(UpliftInputError, match="constant"):
        blp_test([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])
    with pytest.raises(UpliftInputError, match="at least 3 rows"):
        blp_test([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(UpliftInputError, match="alpha"):
        blp_test([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], alpha=2)
    with pytest.raises(UpliftInputError, match="n_groups"):
        gates([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], n_groups=1)
    with pytest.raises(UpliftInputError, match="strictly between 0 and 1"):
        dr_pseudo_outcome([1, 0], [1, 0], [0.2, 0.2], [0.5, 0.5], 1.0)
    with pytest.raises(UpliftInputError):
        gates([1.0, 2.0, 3.0], [1.0, 2.0], n_groups=2)


def test_calibrated_learner_bad_parameters(binary_small):
    X, y, t = binary_small
    with pytest.raises(UpliftInputError, match="method must be one of"):
        CalibratedLearner(TLearner(LogisticRegression()), method="spline").fit(X, y, treatment=t)
    with pytest.raises(UpliftInputError, match="propensity must be one of"):
        CalibratedLearner(TLearner(LogisticRegression()), propensity="known").fit(X, y, treatment=t)
    with pytest.raises(UpliftTypeError, match="must be an uplift learner"):
        CalibratedLearner(LogisticRegression()).fit(X, y, treatment=t)
    with pytest.raises(UpliftInputError, match="n_bins"):
        CalibratedLearner(TLearner(LogisticRegression()), n_bins=1).fit(X, y, treatment=t)


@pytest.fixture(scope="module")
def binary_small():
    data = make_uplift_classification(600, 5, random_state=0)
    return data.X, data.y, data.treatment


# -- statistical, with known truth ---------------------------------------------------------------------
def test_blp_recovers_a_known_slope():
    rng = np.random.default_rng(0)
    score = rng.normal(size=20_000)
    result = blp_test(0.5 + 2.0 * score + rng.normal(scale=3.0, size=20_000), score)
    # the estimate is normal around the truth with the reported SE: 4 SE is a 6e-5 two-sided miss
    assert abs(result.slope.estimate - 2.0) < 4 * result.slope.std_error
    assert abs(result.ate.estimate - 0.5) < 4 * result.ate.std_error
    assert not result.calibrated and result.heterogeneity_detected


@pytest.mark.parametrize("method", ["isotonic", "linear"])
def test_calibration_fixes_a_shrunk_s_learner(method):
    train = make_uplift_classification(6000, 5, random_state=0)
    test = make_uplift_classification(6000, 5, random_state=100)
    shrunk = SLearner(LogisticRegression(C=0.001), interactions=True)
    learner = CalibratedLearner(shrunk, method=method).fit(train.X, train.y, treatment=train.treatment)
    raw, calibrated = learner.blp(), learner.blp(calibrated=True)
    # the raw effects are shrunk: the slope exceeds 1 by more than 3 SE (measured: about 4.2 ± 0.7)
    assert raw.slope.estimate - 1 > 3 * raw.slope.std_error
    # out of fold after calibration: the slope is 1 within 3 SE (a z-score, plus a small attenuation
    # from the map's own estimation error; measured 0.74-0.99 with SE 0.15-0.19 on 3 seeds)
    assert abs(calibrated.slope.estimate - 1) < 3 * calibrated.slope.std_error
    # on independent rows, with pseudo-outcomes from the true outcome probabilities
    phi = dr_pseudo_outcome(test.y, test.treatment, test.mu[:, 0], test.mu[:, 1], 0.5)
    holdout = blp_test(phi, learner.predict(test.X))
    assert abs(holdout.slope.estimate - 1) < 4 * holdout.slope.std_error
    raw_holdout = blp_test(phi, np.mean([model.predict(test.X.to_numpy()) for model in learner.estimators_], axis=0))
    assert raw_holdout.slope.estimate - 1 > 3 * raw_holdout.slope.std_error
    # GATES of the calibrated effects follow the diagonal: each group's effect within 4 SE of its prediction
    table = learner.gates(calibrated=True).table
    assert (np.abs(table["effect"] - table["predicted"]) < 4 * table["std_error"]).all()


def test_per_arm_outcomes_are_consistent_and_maps_are_per_arm():
    data = make_uplift_classification(1500, 5, n_arms=2, random_state=3)
    learner = CalibratedLearner(TLearner(LogisticRegression()), cv=3).fit(data.X, data.y, treatment=data.treatment)
    assert len(learner.calibration_maps_) == 2
    effect, outcomes = learner.predict(data.X), learner.predict_outcomes(data.X)
    assert learner.n_repeats == 6 and len(learner.estimators_) == 6  # the default: one model per repeat
    X = data.X.to_numpy()  # the fold models were fitted on the learner's encoded array
    control = np.mean([model.predict_outcomes(X)[:, 0] for model in learner.estimators_], axis=0)
    np.testing.assert_allclose(outcomes[:, 0], control)
    np.testing.assert_allclose(outcomes[:, 1:], outcomes[:, :1] + effect, atol=1e-12)
    # each kept model's level: its mean raw effect per arm over the training rows, which the maps take away
    for model, level in zip(learner.estimators_, learner.effect_levels_, strict=True):
        np.testing.assert_allclose(level, model.predict(X).mean(axis=0), rtol=0, atol=1e-15)
    raws = [model.predict(X) - level for model, level in zip(learner.estimators_, learner.effect_levels_, strict=True)]
    assert len(learner.fold_maps_) == 6 and all(len(maps) == 2 for maps in learner.fold_maps_)
    for k in range(2):
        # the calibrated effect is the mean over fold models of the all-rows map applied to each one's
        # centred effect, bounded (binary outcome) so that control + effect stays a probability
        mapped = np.mean([learner.calibration_maps_[k](raw) for raw in raws], axis=0)
        np.testing.assert_allclose(effect[:, k], np.clip(mapped, -control, 1 - control))
        # isotonic maps are non-decreasing
        for mapping in (learner.calibration_maps_[k], *(maps[k] for maps in learner.fold_maps_)):
            assert (np.diff(mapping.values) >= -1e-12).all()
    cross_fit = learner.cross_fit_
    assert np.isnan(cross_fit.pseudo_outcome[data.treatment == 2, 0]).all()
    assert learner.blp(treatment_value=2).n_samples == int((data.treatment != 1).sum())
    with pytest.raises(UpliftInputError, match="treatment_value must be one of"):
        learner.blp(treatment_value=7)


def test_estimated_propensity_gives_the_same_map_in_an_experiment():
    data = make_uplift_classification(2000, 5, random_state=4)
    known = CalibratedLearner(TLearner(LogisticRegression()), method="linear").fit(
        data.X, data.y, treatment=data.treatment)
    estimated = CalibratedLearner(TLearner(LogisticRegression()), method="linear", propensity="estimate").fit(
        data.X, data.y, treatment=data.treatment)
    # a randomized 50/50 design: the fitted propensities are within a few points of the shares, so the maps agree
    np.testing.assert_allclose(known.calibration_maps_[0].values, estimated.calibration_maps_[0].values, atol=0.1)


def test_repeats_average_single_cross_fits_and_predict_with_one_model_per_repeat():
    data = make_uplift_classification(1200, 5, n_arms=2, random_state=7)
    inner = TLearner(LogisticRegression())
    both = CalibratedLearner(inner, cv=3, n_repeats=2, random_state=0).fit(data.X, data.y, treatment=data.treatment)
    singles = [CalibratedLearner(inner, cv=3, n_repeats=1, random_state=seed).fit(data.X, data.y,
                                                                                  treatment=data.treatment)
               for seed in (0, 1)]
    # repeat r is the single cross-fit of seed r: every out-of-fold array is the mean of theirs
    for name in ("effect", "pseudo_outcome", "propensity"):
        np.testing.assert_allclose(getattr(both.cross_fit_, name),
                                   np.mean([getattr(single.cross_fit_, name) for single in singles], axis=0))
    # the maps take each row's out-of-fold effect minus its fold model's level (that model's mean effect over all
    # rows): refit the fold models of both repeats to know them
    X = data.X.to_numpy()
    folds = [list(StratifiedKFold(3, shuffle=True, random_state=seed).split(X, data.treatment))  # by arm
             for seed in (0, 1)]
    centred = np.zeros((2, 1200, 2))
    for r, repeat_folds in enumerate(folds):
        for train, test in repeat_folds:
            model = clone(inner).fit(X[train], data.y[train], treatment=data.treatment[train])
            raw = model.predict(X)
            np.testing.assert_allclose(raw[test], singles[r].cross_fit_.effect[test], rtol=0, atol=1e-12)
            centred[r, test] = raw[test] - raw.mean(axis=0)
    # the calibrated effect: each fold's rows through the map fitted on the rows outside the fold, with both
    # repeats' centred effects and pseudo-outcomes of those rows stacked (the singles stack only their own)
    expected = np.zeros((1200, 2))
    for r, repeat_folds in enumerate(folds):
        for train, test in repeat_folds:
            for k in range(2):
                rows = train[np.isin(data.treatment[train], [0, k + 1])]
                fold_map = fit_map("isotonic", np.vstack([centred[q, rows] for q in range(2)]),
                                   np.concatenate([single.cross_fit_.pseudo_outcome[rows, k] for single in singles]),
                                   None)
                expected[test, k] += fold_map(centred[r, test]) / 2
    np.testing.assert_allclose(both.cross_fit_.calibrated_effect, expected, rtol=0, atol=1e-12)
    assert np.abs(both.cross_fit_.calibrated_effect
                  - np.mean([single.cross_fit_.calibrated_effect for single in singles], axis=0)).max() > 1e-4
    control = np.mean([single.cross_fit_.outcomes[:, 0] for single in singles], axis=0)
    np.testing.assert_allclose(both.cross_fit_.outcomes, np.clip(
        np.column_stack([control, control[:, None] + both.cross_fit_.calibrated_effect]), 0.0, 1.0))
    # predict's models: the first fold's model of each repeat, the single cross-fits' own
    assert len(both.estimators_) == 2 and all(len(single.estimators_) == 1 for single in singles)
    for model, single in zip(both.estimators_, singles, strict=True):
        np.testing.assert_allclose(model.predict(X), single.estimators_[0].predict(X))
    # one map per arm, fitted on both repeats' rows stacked
    for k in range(2):
        rows = np.flatnonzero(np.isin(data.treatment, [0, k + 1]))
        expected = fit_map("isotonic", np.vstack([centred[q, rows] for q in range(2)]),
                           np.concatenate([single.cross_fit_.pseudo_outcome[rows, k] for single in singles]), None)
        np.testing.assert_allclose(both.calibration_maps_[k].values, expected.values)
        np.testing.assert_allclose(both.calibration_maps_[k].knots, expected.knots)


def test_repeats_with_sample_weight_and_bad_n_repeats():
    data = make_uplift_classification(800, 4, random_state=8)
    weight = np.linspace(0.5, 1.5, 800)
    learner = CalibratedLearner(TLearner(LogisticRegression()), cv=2, n_repeats=2).fit(
        data.X, data.y, treatment=data.treatment, sample_weight=weight)
    np.testing.assert_allclose(learner.cross_fit_.weight, weight)
    assert np.isfinite(learner.predict(data.X)).all()
    for bad in (0, True, 2.5):
        with pytest.raises(UpliftInputError, match="n_repeats must be an integer of at least 1"):
            CalibratedLearner(TLearner(LogisticRegression()), n_repeats=bad).fit(data.X, data.y,
                                                                                 treatment=data.treatment)


@pytest.mark.parametrize("n_repeats", [1, 2])
def test_fold_maps_are_the_training_rows_predictor_and_predict_uses_the_all_rows_maps(n_repeats):
    """A training row in the first fold of every repeat is predicted out of fold by ``estimators_``
    through ``fold_maps_`` (the alternative predictor of benchmarks/bench_forecast.py): applying them
    reproduces its cross-fitted effect exactly. ``predict`` applies the all-rows ``calibration_maps_``
    instead (measured: plans 3-4% more profitable), which differs on those rows."""
    data = make_uplift_classification(1200, 5, n_arms=2, random_state=11)
    X = data.X.to_numpy()
    learner = CalibratedLearner(TLearner(LogisticRegression()), cv=3, n_repeats=n_repeats).fit(
        X, data.y, treatment=data.treatment)
    singles = [CalibratedLearner(TLearner(LogisticRegression()), cv=3, n_repeats=1, random_state=seed).fit(
        X, data.y, treatment=data.treatment) for seed in range(n_repeats)]
    # repeat r's first-fold rows: their out-of-fold effect is the first model's own (the other rows' are
    # other models', equal only by coincidence of floats)
    first_fold = np.logical_and.reduce([
        np.isclose(single.cross_fit_.effect, single.estimators_[0].predict(X), rtol=0, atol=1e-15).all(axis=1)
        for single in singles])
    assert 0.15 * 1200 / 3**n_repeats < first_fold.sum() < 2 * 1200 / 3**n_repeats
    rows = np.flatnonzero(first_fold)
    control = learner.predict_outcomes(X[rows])[:, 0]
    np.testing.assert_allclose(control, learner.cross_fit_.outcomes[rows, 0], rtol=0, atol=1e-12)
    raws = [model.predict(X[rows]) - level
            for model, level in zip(learner.estimators_, learner.effect_levels_, strict=True)]
    own = np.mean([np.column_stack([mapping(raw) for mapping in maps])
                   for maps, raw in zip(learner.fold_maps_, raws, strict=True)], axis=0)
    np.testing.assert_allclose(own, learner.cross_fit_.calibrated_effect[rows], rtol=0, atol=1e-12)
    # predict: the all-rows maps, a different (smoother) map than each row's own
    summary = np.mean([np.column_stack([mapping(raw) for mapping in learner.calibration_maps_]) for raw in raws],
                      axis=0)
    np.testing.assert_allclose(learner.predict(X[rows]), np.clip(summary, -control[:, None], 1 - control[:, None]),
                               rtol=0, atol=1e-12)
    assert np.abs(summary - learner.cross_fit_.calibrated_effect[rows]).max() > 1e-6


class _CountingLogistic(LogisticRegression):
    """A logistic regression that counts the rows it is asked to predict (clones share the count)."""

    predicted_rows: ClassVar[list[int]] = []

    def predict_proba(self, X):
        _CountingLogistic.predicted_rows.append(len(X))
        return super().predict_proba(X)


def test_every_fold_model_predicts_once_at_fit_and_predict():
    """Issue 14: each fold model was asked for predict and then predict_outcomes (two passes over its
    base models) at fit, and so was each of the n_repeats kept models at predict. A T-learner with
    2 treated arms has 3 outcome models; with cv=3 and n_repeats=2 one pass each is 3 * 3 * 2 calls at
    fit and 3 * 2 at predict. At fit each fold model predicts every training row in its one pass (its
    held-out fold's out-of-fold predictions and its level, the mean effect the maps take away):
    3 * 3 * 2 * n rows."""
    data = make_uplift_classification(600, 4, n_arms=2, random_state=5)
    _CountingLogistic.predicted_rows.clear()
    learner = CalibratedLearner(TLearner(_CountingLogistic()), cv=3, n_repeats=2).fit(
        data.X, data.y, treatment=data.treatment)
    assert len(_CountingLogistic.predicted_rows) == 3 * 3 * 2
    assert _CountingLogistic.predicted_rows == [600] * 3 * 3 * 2
    _CountingLogistic.predicted_rows.clear()
    outcomes = learner.predict_outcomes(data.X[:50])
    assert _CountingLogistic.predicted_rows == [50] * 3 * 2
    assert np.array_equal(learner.predict(data.X[:50]), outcomes[:, 1:] - outcomes[:, :1])


class _RecordingLogistic(LogisticRegression):
    """A logistic regression that records the size and the conversions of every training set (clones share it)."""

    fitted: ClassVar[list[tuple[int, int]]] = []

    def fit(self, X, y, sample_weight=None):
        _RecordingLogistic.fitted.append((len(y), int(np.sum(y))))
        return super().fit(X, y, sample_weight=sample_weight)


def test_cross_fit_folds_are_stratified_by_arm_not_by_outcome():
    """Folds stratified by outcome would give every fold model's training set exactly the conversion rate of
    the held-out fold (both are the data's, arm by arm), tying a fold's outcomes to the level its models and
    maps learned: the profit forecast's correction then ran 0.4 SE high (docs/benchmarks.md). The folds keep
    each arm's share (every training set holds 4/5 of the arm's rows, to rounding) and let conversions vary."""
    data = make_uplift_classification(2000, 4, n_arms=1, random_state=3)
    _RecordingLogistic.fitted.clear()
    CalibratedLearner(TLearner(_RecordingLogistic()), cv=5, n_repeats=1).fit(data.X, data.y, treatment=data.treatment)
    # TLearner fits the control model, then the arm's: ten fits, one pair per fold
    assert len(_RecordingLogistic.fitted) == 10
    for arm in (0, 1):
        rows = np.asarray(data.treatment) == arm
        sizes = np.array([size for size, _ in _RecordingLogistic.fitted[arm::2]])
        conversions = np.array([converted for _, converted in _RecordingLogistic.fitted[arm::2]])
        assert np.abs(sizes - 0.8 * rows.sum()).max() <= 1  # stratified by arm
        # by outcome, every training set would hold 4/5 of the arm's conversions to within 1 row; a random
        # fold's count has a standard deviation of about 6 rows here, so all five within 1 has chance < 1e-4
        assert np.abs(conversions - 0.8 * data.y[rows].sum()).max() > 1


# -- the maps refitted on shifted outcomes (the forecast's bootstrap) ---------------------------------
@pytest.mark.parametrize("method", ["isotonic", "linear"])
def test_map_refits_reproduce_the_cross_fit_and_a_refit_of_every_fold_map(method):
    """``MapRefits`` with no shift returns the learner's doubly out-of-fold effects (two arms, weights, estimated
    propensities). With one arm (and weights) the maps' index is the raw effect itself, so shifting the outcomes
    must give exactly what ``fit_map`` gives on the shifted pseudo-outcomes (``phi`` moves by ``Δy / e`` on the
    arm's rows and ``-Δy / (1 - e)`` on the control's), fold map by fold map, averaged over the repeats."""
    from uplift.learners import MapRefits

    data = make_uplift_classification(900, 4, n_arms=2, random_state=4)
    weight = np.random.default_rng(0).uniform(0.5, 2.0, len(data.y))
    learner = CalibratedLearner(TLearner(LogisticRegression()), method=method, cv=3, n_repeats=2,
                                propensity="estimate", propensity_model=LogisticRegression()).fit(
                                    data.X, data.y, treatment=data.treatment,
                                    sample_weight=weight)
    cross_fit = learner.cross_fit_
    refits = MapRefits(cross_fit.repeats, cross_fit.codes, cross_fit.weight)
    np.testing.assert_allclose(refits(np.zeros((2, len(data.y)))), np.stack([cross_fit.calibrated_effect] * 2),
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(cross_fit.repeats.outcomes(cross_fit.calibrated_effect), cross_fit.outcomes,
                               rtol=0, atol=1e-15)

    one = make_uplift_classification(900, 4, n_arms=1, random_state=5)
    one_weight = np.random.default_rng(2).uniform(0.5, 2.0, len(one.y))
    learner = CalibratedLearner(TLearner(LogisticRegression()), method=method, cv=3, n_repeats=2).fit(
        one.X, one.y, treatment=one.treatment, sample_weight=one_weight)
    cross_fit, record = learner.cross_fit_, learner.cross_fit_.repeats
    shift = np.random.default_rng(1).normal(0.0, 0.5, len(one.y))
    e = record.pair_propensity[:, :, 0]
    codes = cross_fit.codes
    pseudo = record.pseudo[:, :, 0] + shift * np.where(codes == 1, 1 / e, -1 / (1 - e))  # every row is in the pair
    expected = np.zeros(len(one.y))
    for r in range(2):
        for f in range(3):
            rows, test = np.flatnonzero(record.fold[r] != f), np.flatnonzero(record.fold[r] == f)
            mapping = fit_map(method, record.centred[:, rows].reshape(-1, 1), pseudo[:, rows].reshape(-1),
                              np.tile(one_weight[rows], 2), record.n_bins)
            expected[test] += mapping(record.centred[r, test]) / 2
    moved = MapRefits(record, codes, cross_fit.weight)(shift[None, :])[0, :, 0]
    np.testing.assert_allclose(moved, expected, rtol=0, atol=1e-12)
    assert np.abs(moved - cross_fit.calibrated_effect[:, 0]).max() > 1e-3  # the shift did move the maps


@pytest.mark.parametrize("method", ["isotonic", "linear"])
def test_repeat_effects_are_each_kept_model_through_predicts_maps(method):
    """``CrossFitRepeats.repeat_effects`` refits ``predict``'s maps from the record: on the first fold of repeat
    ``r`` (the rows ``estimators_[r]`` did not see) it must be exactly that model's centred raw effects through
    ``calibration_maps_`` (two arms, weights), and on every row one repeat's out-of-fold prediction."""
    data = make_uplift_classification(900, 4, n_arms=2, random_state=4)
    weight = np.random.default_rng(0).uniform(0.5, 2.0, len(data.y))
    learner = CalibratedLearner(TLearner(LogisticRegression()), method=method, cv=3, n_repeats=3).fit(
        data.X, data.y, treatment=data.treatment, sample_weight=weight)
    cross_fit = learner.cross_fit_
    record = cross_fit.repeats
    effects = record.repeat_effects(cross_fit.codes, cross_fit.weight)
    assert effects.shape == (3, 900, 2)
    for r, (model, level) in enumerate(zip(learner.estimators_, learner.effect_levels_, strict=True)):
        first = np.flatnonzero(record.fold[r] == 0)
        raw = np.asarray(model.predict(data.X.to_numpy()[first])).reshape(len(first), 2) - level
        expected = np.column_stack([mapping(raw) for mapping in learner.calibration_maps_])
        np.testing.assert_allclose(effects[r, first], expected, rtol=0, atol=1e-12)
        np.testing.assert_allclose(raw, record.centred[r, first], rtol=0, atol=1e-12)
    assert np.abs(effects[0] - effects[1]).max() > 1e-3  # other folds, other models: the repeats differ


def test_monotone_fit_of_many_rows_equals_isotonic_regression_with_tied_knots():
    from sklearn.isotonic import IsotonicRegression

    from uplift.learners._calibration import _monotone

    rng = np.random.default_rng(0)
    for size in (1, 2, 7, 20):
        knots = np.sort(rng.normal(size=size))
        if size > 3:
            knots[1], knots[-1] = knots[2], knots[-2]  # ties are pooled before the fit, as IsotonicRegression does
        weight, means = rng.uniform(0.1, 3.0, size), rng.normal(size=(5, size))
        expected = [IsotonicRegression().fit(knots, row, sample_weight=weight).predict(knots) for row in means]
        np.testing.assert_allclose(_monotone(knots, means, weight), expected, rtol=0, atol=1e-12)


def test_forecast_blocks_are_the_same_cross_fit_refitted_without_each_block():
    """``forecast_blocks=3`` leaves the fit itself as it was and keeps, per block, the out-of-fold outcomes of the
    same learner fitted on the other blocks' rows alone (NaN on the block's own rows); blocks differ in size by at
    most one row."""
    data = make_uplift_classification(900, 4, random_state=11)
    inner = TLearner(LogisticRegression())
    plain = CalibratedLearner(inner, cv=3, n_repeats=2).fit(data.X, data.y, treatment=data.treatment)
    blocked = CalibratedLearner(inner, cv=3, n_repeats=2, forecast_blocks=3).fit(data.X, data.y,
                                                                                 treatment=data.treatment)
    np.testing.assert_array_equal(blocked.predict(data.X), plain.predict(data.X))
    np.testing.assert_array_equal(blocked.cross_fit_.outcomes, plain.cross_fit_.outcomes)
    assert plain.cross_fit_.block is None and plain.cross_fit_.block_outcomes is None
    block, refits = blocked.cross_fit_.block, blocked.cross_fit_.block_outcomes
    assert refits.shape == (3, 900, 2) and np.ptp(np.bincount(block)) <= 1
    for b in range(3):
        kept = block != b
        assert np.isnan(refits[b][~kept]).all() and np.isfinite(refits[b][kept]).all()
        alone = CalibratedLearner(inner, cv=3, n_repeats=2).fit(data.X[kept], data.y[kept],
                                                                 treatment=data.treatment[kept])
        np.testing.assert_allclose(refits[b][kept], alone.cross_fit_.outcomes)
    for bad in (1, 2, -1, True, 2.5):
        with pytest.raises(UpliftInputError, match="forecast_blocks must be 0"):
            CalibratedLearner(inner, forecast_blocks=bad).fit(data.X, data.y, treatment=data.treatment)


def test_a_block_refit_that_fails_names_forecast_blocks_and_the_fix(monkeypatch):
    """The whole fit succeeds but a refit on fewer rows does not (with few buyers a fold can miss a class): the error
    says which refit, and how to fit without the refits."""
    data = make_uplift_classification(600, 4, random_state=12)
    whole = CalibratedLearner._cross_fit_all

    def fails_on_fewer_rows(self, plan, fit_data, method, binary):
        if len(fit_data.y) < 600:
            raise UpliftInputError("the outcome model of arm 1 sees only one outcome value.")
        return whole(self, plan, fit_data, method, binary)

    monkeypatch.setattr(CalibratedLearner, "_cross_fit_all", fails_on_fewer_rows)
    with pytest.raises(UpliftInputError, match=r"forecast_blocks=3: the refit without block 1 of 3 \(400 of the 600 "
                                               r"rows\) failed: the outcome model .* pass forecast_blocks=0"):
        CalibratedLearner(TLearner(LogisticRegression()), cv=2, n_repeats=1, forecast_blocks=3).fit(
            data.X, data.y, treatment=data.treatment)
