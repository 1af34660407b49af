"""Splitters, cross-validation and model selection (issue 4, model-selection half)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.model_selection import train_test_split as sklearn_train_test_split

from uplift.datasets import make_uplift_classification, make_uplift_regression
from uplift.exceptions import UpliftInputError
from uplift.model_selection import (
    UpliftSearchCV,
    UpliftStratifiedGroupKFold,
    UpliftStratifiedKFold,
    UpliftTimeSeriesSplit,
    cross_val_uplift,
    make_uplift_scorer,
    train_test_split,
    uplift_strata,
)


def _binary_data(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    treatment = (rng.random(n) < 0.3).astype(int)
    y = (rng.random(n) < 0.1 + 0.2 * treatment).astype(float)
    return rng.standard_normal((n, 3)), y, treatment


# ----------------------------------------------------------------------------- strata


def test_strata_binary_outcome_exact():
    strata = uplift_strata([0, 1, 0, 1, 1], treatment=[0, 0, 1, 1, 1])
    # arm code * (n_quantiles + 2) + outcome, n_quantiles = 4
    np.testing.assert_array_equal(strata, [0, 1, 6, 7, 7])


def test_strata_continuous_outcome_uses_quantiles_within_arm_cells():
    y = np.arange(8, dtype=float) + 0.5
    strata = uplift_strata(y, treatment=[0, 0, 0, 0, 1, 1, 1, 1], n_quantiles=2)
    # median of y is 4.0: rows 0-3 fall below, 4-7 above; arms split the same way
    np.testing.assert_array_equal(strata, [0, 0, 0, 0, 5, 5, 5, 5])


def test_strata_merge_rare_outcome_cells_into_their_arm():
    strata = uplift_strata([1, 0, 0, 0, 1, 1, 0, 1], treatment=[0, 0, 0, 0, 1, 1, 1, 1], min_size=2)
    # the single control converter joins the control's cell y = 0, the single treated non-converter
    # the treated cell y = 1
    np.testing.assert_array_equal(strata, [0, 0, 0, 0, 7, 7, 7, 7])


# ----------------------------------------------------------------------------- train_test_split


def test_train_test_split_is_sklearns_split_stratified_by_arm_and_outcome():
    _, y, treatment = _binary_data(1000)
    rows = np.arange(1000)
    train, test = train_test_split(rows, treatment=treatment, y=y, test_size=0.3, random_state=3)
    # the hand-written key it replaces orders the cells the same way, so the split is the same rows
    expected_train, expected_test = sklearn_train_test_split(rows, test_size=0.3, random_state=3,
                                                             stratify=treatment * 2 + y.astype(int))
    np.testing.assert_array_equal(train, expected_train)
    np.testing.assert_array_equal(test, expected_test)
    cells = treatment * 2 + y.astype(int)
    # stratified shuffle split: each cell's test count is its share of 300 rounded (within 1 row)
    np.testing.assert_array_less(np.abs(np.bincount(cells[test], minlength=4) - 0.3 * np.bincount(cells)), 1 + 1e-9)


def test_train_test_split_returns_each_array_in_its_type_and_order():
    data = make_uplift_classification(200, random_state=0)
    X_train, X_test, y_train, y_test, t_train, t_test = train_test_split(
        data.X, pd.Series(data.y), list(data.treatment), treatment=data.treatment, y=data.y, test_size=50,
        random_state=0)
    assert isinstance(X_train, pd.DataFrame) and isinstance(y_test, pd.Series) and isinstance(t_train, list)
    assert (len(X_train), len(X_test), len(y_train), len(t_test)) == (150, 50, 150, 50)
    np.testing.assert_array_equal(y_test.to_numpy(), data.y[X_test.index])
    np.testing.assert_array_equal(t_test, data.treatment[X_test.index])


def test_train_test_split_by_arm_alone_keeps_arm_shares_with_string_labels():
    treatment = np.array(["control"] * 60 + ["email"] * 40)
    train, test = train_test_split(np.arange(100), treatment=treatment, stratify_outcome=False, test_size=0.5,
                                   random_state=0, control_value="control")
    assert (treatment[test] == "email").sum() == 20 and (treatment[train] == "email").sum() == 20


def test_train_test_split_continuous_outcome_uses_quantile_strata():
    data = make_uplift_regression(800, random_state=1)
    _, test = train_test_split(np.arange(800), treatment=data.treatment, y=data.y, test_size=0.25, random_state=0)
    strata = uplift_strata(data.y, treatment=data.treatment, min_size=2)
    np.testing.assert_array_less(np.abs(np.bincount(strata[test]) - 0.25 * np.bincount(strata)), 1 + 1e-9)


def test_train_test_split_bad_inputs():
    X, y, treatment = _binary_data(100)
    with pytest.raises(UpliftInputError, match="at least one array"):
        train_test_split(treatment=treatment, y=y)
    with pytest.raises(UpliftInputError, match=r"pass y= .* or stratify_outcome=False"):
        train_test_split(X, treatment=treatment)
    with pytest.raises(UpliftInputError, match="stratify_outcome must be True or False"):
        train_test_split(X, treatment=treatment, y=y, stratify_outcome="yes")
    with pytest.raises(UpliftInputError, match="array 2 has 99"):
        train_test_split(X, y[:-1], treatment=treatment, y=y)
    with pytest.raises(UpliftInputError, match="array 1 is 3"):
        train_test_split(3, treatment=treatment, stratify_outcome=False)
    with pytest.raises(UpliftInputError, match="at least 2 rows in every stratum"):
        train_test_split(X[:5], treatment=[0, 0, 0, 1, 0], stratify_outcome=False)
    with pytest.raises(UpliftInputError, match="cannot split 100 rows in 4 strata with test_size=2"):
        train_test_split(X, treatment=treatment, y=y, test_size=2)
    with pytest.raises(TypeError):
        train_test_split(X, treatment)  # treatment is keyword-only: a positional one is an array to split


# ----------------------------------------------------------------------------- stratified k-fold


def test_stratified_kfold_keeps_arm_and_outcome_shares_in_every_fold():
    X, y, treatment = _binary_data(1000)
    folds = list(UpliftStratifiedKFold(5, random_state=0).split(X, y, treatment=treatment))
    assert sorted(np.concatenate([test for _, test in folds]).tolist()) == list(range(1000))
    cells = treatment * 2 + y.astype(int)
    overall = np.bincount(cells, minlength=4)
    for _, test in folds:
        # StratifiedKFold deals each cell to folds in turn: a fold holds each cell's share +- 1 row
        np.testing.assert_array_less(np.abs(np.bincount(cells[test], minlength=4) - overall / 5), 1.0 + 1e-9)


def test_stratified_kfold_continuous_outcome_balances_quartiles():
    data = make_uplift_regression(800, random_state=1)
    folds = list(UpliftStratifiedKFold(4, random_state=0).split(data.X, data.y, treatment=data.treatment))
    strata = uplift_strata(data.y, treatment=data.treatment)
    overall = np.bincount(strata, minlength=strata.max() + 1)
    for _, test in folds:
        np.testing.assert_array_less(np.abs(np.bincount(strata[test], minlength=len(overall)) - overall / 4), 1 + 1e-9)


def test_stratified_kfold_is_deterministic_with_a_seed_and_shuffles_by_default():
    X, y, treatment = _binary_data()
    first = [test for _, test in UpliftStratifiedKFold(3, random_state=4).split(X, y, treatment=treatment)]
    second = [test for _, test in UpliftStratifiedKFold(3, random_state=4).split(X, y, treatment=treatment)]
    other = [test for _, test in UpliftStratifiedKFold(3, random_state=5).split(X, y, treatment=treatment)]
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_stratified_kfold_requires_treatment():
    X, y, _ = _binary_data()
    with pytest.raises(UpliftInputError, match="needs treatment="):
        list(UpliftStratifiedKFold(3).split(X, y))


def test_stratified_kfold_rejects_arm_smaller_than_folds():
    X, y, _ = _binary_data(20)
    treatment = np.r_[np.ones(18, int), 0, 0]
    with pytest.raises(UpliftInputError, match=r"at least n_splits=5 rows.*\[2, 18\]"):
        list(UpliftStratifiedKFold(5).split(X, y, treatment=treatment))


def test_stratified_kfold_rejects_bad_n_splits():
    X, y, treatment = _binary_data()
    with pytest.raises(ValueError, match="n_splits=2 or more"):
        UpliftStratifiedKFold(1)
    with pytest.raises(UpliftInputError, match="n_splits must be an integer of at least 2"):
        list(UpliftTimeSeriesSplit(1).split(X, y, treatment=treatment))


# ----------------------------------------------------------------------------- grouped


def test_group_kfold_never_puts_a_customer_in_two_folds():
    rng = np.random.default_rng(2)
    customer = rng.integers(0, 150, 600)
    treatment = (customer % 3 == 0).astype(int)  # arm is assigned per customer
    y = (rng.random(600) < 0.3).astype(float)
    folds = list(UpliftStratifiedGroupKFold(4, random_state=0).split(np.zeros((600, 1)), y, customer,
                                                                      treatment=treatment))
    assert len(folds) == 4
    for train, test in folds:
        assert not set(customer[train]) & set(customer[test])
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested.tolist()) == list(range(600))
    # each fold's treated share stays within 0.1 of the overall 1/3 (groups of ~4 rows move together)
    for _, test in folds:
        assert abs(treatment[test].mean() - treatment.mean()) < 0.1


def test_group_kfold_rejects_missing_customer_ids():
    X, y, treatment = _binary_data(40)
    groups = np.arange(40, dtype=float)
    groups[3] = np.nan
    with pytest.raises(UpliftInputError, match="groups contains 1 missing value"):
        list(UpliftStratifiedGroupKFold(2).split(X, y, groups, treatment=treatment))
    with pytest.raises(UpliftInputError, match="groups is required"):
        list(UpliftStratifiedGroupKFold(2).split(X, y, treatment=treatment))


def test_group_kfold_rejects_more_folds_than_groups():
    X, y, treatment = _binary_data(40)
    with pytest.raises(UpliftInputError, match="more than the number of distinct groups"):
        list(UpliftStratifiedGroupKFold(5).split(X, y, np.arange(40) % 3, treatment=treatment))


# ----------------------------------------------------------------------------- temporal


def test_time_series_split_trains_on_earlier_and_tests_on_later_periods():
    rng = np.random.default_rng(3)
    time = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 60, 500), unit="D")
    treatment, y = rng.integers(0, 2, 500), rng.integers(0, 2, 500)
    folds = list(UpliftTimeSeriesSplit(4).split(np.zeros((500, 1)), y, treatment=treatment, time=time))
    assert len(folds) == 4
    previous_test_end = None
    for train, test in folds:
        assert time[train].max() < time[test].min()
        if previous_test_end is not None:
            assert time[test].min() > previous_test_end
        previous_test_end = time[test].max()
    # five blocks of about 100 rows each (whole days move together: +- one day's ~8 rows)
    assert all(abs(len(test) - 100) <= 20 for _, test in folds)


def test_time_series_split_row_order_rolling_window_and_gap():
    time = np.repeat(np.arange(8), 5)
    treatment, y = np.tile([0, 1], 20), np.zeros(40)
    folds = list(UpliftTimeSeriesSplit(2, max_train_blocks=1, gap_blocks=1).split(
        np.zeros((40, 1)), y, treatment=treatment, time=time))
    # 4 blocks of two periods; fold 0 trains on block 0 and tests on block 2 (block 1 is the gap)
    assert [np.unique(time[a]).tolist() for a, _ in folds] == [[0, 1], [2, 3]]
    assert [np.unique(time[b]).tolist() for _, b in folds] == [[4, 5], [6, 7]]


def test_time_series_split_names_the_fold_with_an_empty_arm():
    time = np.repeat(np.arange(6), 10)
    treatment = np.ones(60, int)
    treatment[:20] = np.tile([0, 1], 10)  # no control after the second period
    treatment[50] = 0                      # ... except one row in the last period
    with pytest.raises(UpliftInputError, match=r"fold 1 of 2 \(test times 2 to 3\): its test rows \(20\) contain "
                                               r"no control rows"):
        list(UpliftTimeSeriesSplit(2).split(np.zeros((60, 1)), np.zeros(60), treatment=treatment, time=time))


def test_time_series_split_needs_enough_periods_and_complete_time_stamps():
    X, y, treatment = _binary_data(40)
    with pytest.raises(UpliftInputError, match="needs at least 4 distinct time values; got 2"):
        list(UpliftTimeSeriesSplit(3).split(X, y, treatment=treatment, time=np.arange(40) % 2))
    time = np.arange(40, dtype=float)
    time[0] = np.nan
    with pytest.raises(UpliftInputError, match="time contains 1 missing value"):
        list(UpliftTimeSeriesSplit(3).split(X, y, treatment=treatment, time=time))


# ----------------------------------------------------------------------------- cross-validation


class _TwoModels(BaseEstimator):
    """A minimal two-model learner with the uplift contract, independent of uplift.learners."""

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, X, y, *, treatment, sample_weight=None):
        treatment = np.asarray(treatment)
        X = np.asarray(X)
        self.models_ = [
            LogisticRegression(C=self.C).fit(X[treatment == arm], np.asarray(y)[treatment == arm])
            for arm in (0, 1)
        ]
        self.n_fits_with_weights_ = int(sample_weight is not None)
        return self

    def predict(self, X):
        X = np.asarray(X)
        return self.models_[1].predict_proba(X)[:, 1] - self.models_[0].predict_proba(X)[:, 1]


def _top_half_uplift(y_true, score, treatment):
    """Treated minus control mean among the top half of scores (a tiny stand-in metric)."""
    top = score >= np.median(score)
    return y_true[top & (treatment == 1)].mean() - y_true[top & (treatment == 0)].mean()


def test_cross_val_uplift_out_of_fold_effect_equals_refits_on_the_folds():
    data = make_uplift_classification(900, random_state=0)
    result = cross_val_uplift(_TwoModels(), data.X, data.y, treatment=data.treatment, cv=3,
                              scoring={"top_half": _top_half_uplift}, return_estimators=True, random_state=0)
    assert result.effect.shape == (900,)
    assert (result.fold_of_row >= 0).all()
    X = data.X.to_numpy()
    for fold, (train, test) in enumerate(result.folds):
        refit = _TwoModels().fit(X[train], data.y[train], treatment=data.treatment[train])
        np.testing.assert_allclose(result.effect[test], refit.predict(X[test]), rtol=1e-10)
        np.testing.assert_array_equal(result.fold_of_row[test], fold)
        expected = _top_half_uplift(data.y[test], result.effect[test], data.treatment[test])
        assert result.fold_scores.loc[fold, "top_half"] == pytest.approx(expected)
    assert list(result.fold_scores.columns) == ["fold", "n_train", "n_test", "top_half"]
    assert len(result.estimators) == 3
    assert "3-fold cross-validation" in str(result)
    assert result.to_dict()["mean_scores"]["top_half"] == pytest.approx(result.fold_scores["top_half"].mean())


def test_cross_val_uplift_grouped_by_customer_and_with_sample_weight():
    data = make_uplift_classification(600, random_state=1)
    customer = np.arange(600) // 3
    result = cross_val_uplift(_TwoModels(), data.X, data.y, treatment=data.treatment, groups=customer, cv=3,
                              scoring=_top_half_uplift, sample_weight=np.ones(600), return_estimators=True,
                              random_state=0)
    for train, test in result.folds:
        assert not set(customer[train]) & set(customer[test])
    assert all(e.n_fits_with_weights_ == 1 for e in result.estimators)


def test_cross_val_uplift_with_a_plain_sklearn_splitter_names_the_fold_without_an_arm():
    X, y, _ = _binary_data(40)
    treatment = np.r_[np.zeros(10, int), np.ones(30, int)]  # unshuffled KFold puts all controls in fold 1
    with pytest.raises(UpliftInputError, match=r"fold 1 of 4: its training rows \(30\) contain no control"):
        cross_val_uplift(_TwoModels(), X, y, treatment=treatment, cv=KFold(4), scoring=_top_half_uplift)


def test_cross_val_uplift_temporal_split_leaves_first_period_untested():
    X, y, treatment = _binary_data(300)
    time = np.arange(300) // 10
    result = cross_val_uplift(_TwoModels(), X, y, treatment=treatment, cv=UpliftTimeSeriesSplit(2), time=time,
                              scoring=_top_half_uplift)
    untested = result.fold_of_row == -1
    assert untested.sum() == 100 and np.isnan(result.effect[untested]).all()
    assert np.isfinite(result.effect[~untested]).all()


def test_cross_val_uplift_bad_inputs():
    X, y, treatment = _binary_data(60)
    with pytest.raises(UpliftInputError, match="same number of rows"):
        cross_val_uplift(_TwoModels(), X, y[:-1], treatment=treatment, scoring=_top_half_uplift)
    with pytest.raises(UpliftInputError, match="unknown metric 'gini'"):
        cross_val_uplift(_TwoModels(), X, y, treatment=treatment, scoring="gini")
    with pytest.raises(UpliftInputError, match="does not use it"):
        cross_val_uplift(_TwoModels(), X, y, treatment=treatment, scoring=_top_half_uplift, time=np.arange(60))
    with pytest.raises(UpliftInputError, match="cv must be a number of folds or a splitter"):
        cross_val_uplift(_TwoModels(), X, y, treatment=treatment, scoring=_top_half_uplift, cv="five")


# ----------------------------------------------------------------------------- search


def test_uplift_search_cv_scores_every_candidate_on_the_same_folds():
    data = make_uplift_classification(900, random_state=2)
    search = UpliftSearchCV(_TwoModels(), {"C": [1e-4, 1.0]}, scoring={"top_half": _top_half_uplift}, cv=3,
                            random_state=0).fit(data.X, data.y, treatment=data.treatment)
    folds = list(UpliftStratifiedKFold(3, random_state=0).split(data.X, data.y, treatment=data.treatment))
    for i, params in enumerate(search.cv_results_["params"]):
        expected = cross_val_uplift(_TwoModels(**params), data.X, data.y, treatment=data.treatment, cv=folds,
                                    scoring={"top_half": _top_half_uplift})
        np.testing.assert_allclose(
            [search.cv_results_[f"split{j}_test_top_half"][i] for j in range(3)], expected.fold_scores["top_half"])
    best = int(np.argmax(search.cv_results_["mean_test_top_half"]))
    assert search.best_params_ == search.cv_results_["params"][best]
    assert search.cv_results_["rank_test_top_half"][best] == 1
    np.testing.assert_allclose(
        search.predict(data.X),
        _TwoModels(**search.best_params_).fit(data.X, data.y, treatment=data.treatment).predict(data.X))


def test_uplift_search_cv_rejects_unknown_refit_score():
    X, y, treatment = _binary_data(200)
    with pytest.raises(UpliftInputError, match="refit='qini' is not one of the scores"):
        UpliftSearchCV(_TwoModels(), {"C": [1.0]}, scoring=_top_half_uplift, refit="qini", cv=2).fit(
            X, y, treatment=treatment)


def test_uplift_scorer_in_grid_search_cv_with_metadata_routing():
    data = make_uplift_classification(900, random_state=3)
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_uplift_scorer(_top_half_uplift)
        learner = _TwoModels().set_fit_request(treatment=True, sample_weight=False)
        cv = UpliftStratifiedKFold(3, random_state=0)
        search = GridSearchCV(learner, {"C": [1e-4, 1.0]}, scoring=scorer, cv=cv)
        search.fit(data.X, data.y, treatment=data.treatment)
    # routing carried treatment to the splitter, to fit (training rows) and to the scorer (test rows):
    # the scores equal our own search on the same folds
    ours = UpliftSearchCV(_TwoModels(), {"C": [1e-4, 1.0]}, scoring=_top_half_uplift, cv=3, random_state=0,
                          refit=False).fit(data.X, data.y, treatment=data.treatment)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], ours.cv_results_["mean_test__top_half_uplift"])


def test_uplift_scorer_without_treatment_says_how_to_fix_it():
    data = make_uplift_classification(300, random_state=3)
    learner = _TwoModels().fit(data.X, data.y, treatment=data.treatment)
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_uplift_scorer(_top_half_uplift)
        with pytest.raises(UpliftInputError, match=r"received no treatment\. Enable metadata routing"):
            scorer(learner, data.X, data.y)
        with pytest.raises(UpliftInputError, match="unknown metric 'gini'"):
            make_uplift_scorer("gini")


def test_uplift_scorer_without_routing_is_refused_before_a_search():
    # Issue 9: GridSearchCV swallowed the scorer's error, scored every candidate NaN and reported an
    # arbitrary best_params_. Without routing the scorer is now refused where it is built.
    assert not sklearn.get_config()["enable_metadata_routing"]
    with pytest.raises(UpliftInputError, match=r"metadata routing, which is off.*UpliftSearchCV"):
        GridSearchCV(_TwoModels(), {"C": [1e-4, 1.0]}, scoring=make_uplift_scorer(_top_half_uplift), cv=3)


def test_string_labels_with_the_control_given_once():
    # Issue 9: cross_val_uplift(SLearner(control_value="No"), ..., control_value="No") raised "pass
    # control_value=" because the default splitter was built without it; the same for UpliftSearchCV.
    from uplift.learners import SLearner, TLearner

    data = make_uplift_classification(600, random_state=5)
    labels = np.where(data.treatment == 1, "Yes", "No")
    reference = cross_val_uplift(TLearner(LogisticRegression()), data.X, data.y, treatment=data.treatment, cv=3,
                                 random_state=0)
    for learner, control in ((TLearner(LogisticRegression(), control_value="No"), "No"),
                             (TLearner(LogisticRegression(), control_value="No"), None),
                             (TLearner(LogisticRegression()), "No")):
        result = cross_val_uplift(learner, data.X, data.y, treatment=labels, cv=3, control_value=control,
                                  random_state=0)
        # the same folds and the same arms as with 0/1 labels: the same out-of-fold effects
        np.testing.assert_allclose(result.effect, reference.effect, rtol=0, atol=1e-12)
        assert result.treatment_arms == ["Yes"]
    with pytest.raises(UpliftInputError, match=r"control_value='Yes' differs from the learner's control_value='No'"):
        cross_val_uplift(TLearner(LogisticRegression(), control_value="No"), data.X, data.y, treatment=labels,
                         cv=3, control_value="Yes")
    search = UpliftSearchCV(SLearner(LogisticRegression(), control_value="No"), {"outcome_model__C": [0.1, 1.0]},
                            cv=3, random_state=0, control_value="No").fit(data.X, data.y, treatment=labels)
    assert search.best_estimator_.control_value_ == "No"
    search = UpliftSearchCV(SLearner(LogisticRegression()), {"outcome_model__C": [0.1, 1.0]},
                            cv=3, random_state=0, control_value="No").fit(data.X, data.y, treatment=labels)
    assert list(search.best_estimator_.treatment_arms_) == ["Yes"]


def test_real_t_learner_in_grid_search_cv_and_out_of_fold_outcomes():
    from uplift.learners import TLearner

    data = make_uplift_classification(900, random_state=4)
    with sklearn.config_context(enable_metadata_routing=True):
        learner = TLearner(outcome_model=LogisticRegression()).set_fit_request(
            treatment=True, sample_weight=False, inference=False)
        search = GridSearchCV(learner, {"outcome_model__C": [1e-3, 1.0]}, scoring=make_uplift_scorer(_top_half_uplift),
                              cv=UpliftStratifiedKFold(3, random_state=0), refit=False)
        search.fit(data.X, data.y, treatment=data.treatment)
    ours = UpliftSearchCV(TLearner(outcome_model=LogisticRegression()), {"outcome_model__C": [1e-3, 1.0]},
                          scoring=_top_half_uplift, cv=3, random_state=0, refit=False).fit(
        data.X, data.y, treatment=data.treatment)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], ours.cv_results_["mean_test__top_half_uplift"])
    result = cross_val_uplift(TLearner(outcome_model=LogisticRegression()), data.X, data.y, treatment=data.treatment,
                              cv=3, scoring=_top_half_uplift, return_outcomes=True, random_state=0)
    # outcomes are consistent with the effect: treated minus control probability (TLearner does not clip)
    np.testing.assert_allclose(result.outcomes[:, 1] - result.outcomes[:, 0], result.effect, atol=1e-12)


class _TwoModelsWithOutcomes(_TwoModels):
    """The minimal learner with per-arm outcomes too (not one of ours: asked for both, one after the other)."""

    def predict_outcomes(self, X):
        X = np.asarray(X)
        return np.column_stack([model.predict_proba(X)[:, 1] for model in self.models_])


@pytest.mark.parametrize("kind", ["calibrated", "not ours"])
def test_out_of_fold_outcomes_come_with_the_effects_of_the_same_fold_models(kind):
    """With return_outcomes our learners predict both from one pass (issue 14): the effects are those
    of a run without outcomes, and the outcomes each fold model's predict_outcomes, bit for bit."""
    from uplift.learners import CalibratedLearner, SLearner

    data = make_uplift_classification(600, 4, random_state=6)
    learner = (CalibratedLearner(SLearner(LogisticRegression(), interactions=True), cv=2, n_repeats=1)
               if kind == "calibrated" else _TwoModelsWithOutcomes())
    both = cross_val_uplift(learner, data.X, data.y, treatment=data.treatment, cv=3, return_outcomes=True,
                            return_estimators=True, random_state=0)
    effects_only = cross_val_uplift(learner, data.X, data.y, treatment=data.treatment, cv=3, random_state=0)
    np.testing.assert_array_equal(both.effect, effects_only.effect)
    for estimator, (_, test) in zip(both.estimators, both.folds, strict=True):
        np.testing.assert_array_equal(both.outcomes[test], estimator.predict_outcomes(data.X.iloc[test]))
    if kind == "calibrated":  # its predict is exactly the outcomes' difference
        np.testing.assert_array_equal(both.effect, both.outcomes[:, 1] - both.outcomes[:, 0])


def test_named_scores_are_the_evaluation_functions_in_our_convention():
    from uplift.evaluation import qini_auc_score, uplift_at_k, uplift_auc_score

    data = make_uplift_classification(900, random_state=5)
    result = cross_val_uplift(_TwoModels(), data.X, data.y, treatment=data.treatment, cv=3, random_state=0,
                              scoring=["qini_auc", "uplift_auc", "uplift_at_k:0.3"])
    for fold, (_, test) in enumerate(result.folds):
        y, score, t = data.y[test], result.effect[test], data.treatment[test]
        assert result.fold_scores.loc[fold, "qini_auc"] == pytest.approx(qini_auc_score(y, score, treatment=t))
        assert result.fold_scores.loc[fold, "uplift_auc"] == pytest.approx(uplift_auc_score(y, score, treatment=t))
        assert result.fold_scores.loc[fold, "uplift_at_k:0.3"] == pytest.approx(uplift_at_k(y, score, treatment=t,
                                                                                            k=0.3))


def test_multi_arm_cross_validation_scores_each_arm_against_the_control():
    from uplift.learners import TLearner

    data = make_uplift_classification(1500, n_arms=2, random_state=6)
    result = cross_val_uplift(TLearner(outcome_model=LogisticRegression()), data.X, data.y, treatment=data.treatment,
                              cv=3, scoring=_top_half_uplift, random_state=0)
    assert result.effect.shape == (1500, 2)
    assert result.treatment_arms == [1, 2]
    assert list(result.fold_scores.columns) == ["fold", "n_train", "n_test", "_top_half_uplift[1]",
                                                "_top_half_uplift[2]"]
    _, test = result.folds[0]
    rows = test[data.treatment[test] != 1]  # arm 2 and the control
    expected = _top_half_uplift(data.y[rows], result.effect[rows, 1], (data.treatment[rows] == 2).astype(int))
    assert result.fold_scores.loc[0, "_top_half_uplift[2]"] == pytest.approx(expected)


def test_uplift_search_cv_with_groups_uses_grouped_folds():
    data = make_uplift_classification(600, random_state=7)
    customer = np.arange(600) // 4
    search = UpliftSearchCV(_TwoModels(), {"C": [0.1, 1.0]}, scoring=_top_half_uplift, cv=3, random_state=0,
                            refit=False).fit(data.X, data.y, treatment=data.treatment, groups=customer)
    folds = list(UpliftStratifiedGroupKFold(3, random_state=0).split(data.X, data.y, customer,
                                                                     treatment=data.treatment))
    expected = cross_val_uplift(_TwoModels(C=0.1), data.X, data.y, treatment=data.treatment, cv=folds,
                                scoring=_top_half_uplift)
    np.testing.assert_allclose(search.cv_results_["mean_test__top_half_uplift"][0],
                               expected.fold_scores["_top_half_uplift"].mean())
    assert not hasattr(search, "best_estimator_")
