"""Experiment checks: exact values on small arrays, the Hillstrom figures, and broken experiments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from uplift.datasets import load_hillstrom, make_uplift_classification
from uplift.diagnostics import (
    check_experiment,
    covariate_balance,
    roc_auc_with_se,
    srm_test,
    treatment_predictability,
)
from uplift.exceptions import UpliftInputError
from uplift.inference import average_treatment_effect


def test_srm_exact_chi_square():
    # counts 60/40 against 50/50: chi2 = (10^2 + 10^2) / 50 = 4, df 1
    result = srm_test([0] * 60 + [1] * 40)
    assert result.statistic == pytest.approx(4.0)
    assert result.p_value == pytest.approx(stats.chi2.sf(4.0, 1))
    assert result.passed  # 0.0455 >= 0.001


def test_srm_detects_a_broken_allocation():
    result = srm_test([0] * 5300 + [1] * 4700)
    assert not result.passed and result.verdict == "fail"
    assert "SAMPLE-RATIO MISMATCH" in str(result)


def test_srm_with_intended_unequal_allocation():
    labels = ["control"] * 150 + ["mail"] * 850
    assert srm_test(labels, {"control": 0.15, "mail": 0.85}).statistic == pytest.approx(0.0)
    with pytest.raises(UpliftInputError, match=r"no share for arm\(s\) \['mail'\]"):
        srm_test(labels, {"control": 1.0})
    with pytest.raises(UpliftInputError, match="sum to 1"):
        srm_test(labels, [0.5, 0.6])


def test_srm_with_a_planned_arm_that_has_no_rows_fails():
    # issue 9: a planned arm with zero rows raised "must sum to 1" instead of a failed SRM verdict
    result = srm_test(["control"] * 500 + ["mail"] * 500, {"control": 0.4, "mail": 0.4, "sms": 0.2})
    assert result.verdict == "fail"
    assert result.counts.tolist() == [500, 500, 0] and result.arms == ["control", "mail", "sms"]
    assert srm_test([0] * 100, {0: 0.5, 1: 0.5}).verdict == "fail"
    with pytest.raises(UpliftInputError, match="pass a mapping"):
        srm_test([0] * 50 + [1] * 50, [0.4, 0.4, 0.2])


def test_hillstrom_three_arms_pass_srm_with_published_p_value():
    # data/README.md: chi2(2) = 0.20, p = 0.90
    result = srm_test(load_hillstrom(arms="all").treatment)
    assert result.df == 2
    assert result.statistic == pytest.approx(0.20, abs=0.01)
    assert result.p_value == pytest.approx(0.90, abs=0.01)


def test_smd_exact():
    # feature a: treated mean 2, control mean 1, both variances 1 (ddof 1) -> SMD = 1
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 1.0, 2.0, 3.0], "b": [1.0] * 6})
    result = covariate_balance(X, treatment=[0, 0, 0, 1, 1, 1])
    table = result.table.set_index("feature")
    assert table.loc["a", "smd"] == pytest.approx(1.0)
    assert table.loc["b", "smd"] == 0.0
    # Welch: SE = sqrt(1/3 + 1/3), z = 1.2247 on 4 degrees of freedom; Holm over 2 pairs doubles p
    assert table.loc["a", "z"] == pytest.approx(1 / np.sqrt(2 / 3))
    assert table.loc["a", "p_value"] == pytest.approx(2 * stats.t.sf(1 / np.sqrt(2 / 3), 4))
    assert table.loc["a", "p_adjusted"] == pytest.approx(2 * table.loc["a", "p_value"])
    assert table.loc["b", "p_value"] == 1.0
    # an SMD of 1 on three rows per arm is within chance: no warning (the old |SMD| > 0.1 rule warned)
    assert result.verdict == "pass" and result.flagged.empty


def test_balance_flags_an_imbalance_beyond_chance():
    rng = np.random.default_rng(3)
    treatment = np.arange(2000) % 2
    X = np.c_[rng.normal(size=2000) + 0.3 * treatment, rng.normal(size=2000)]
    result = covariate_balance(X, treatment=treatment)
    assert result.verdict == "warn"
    assert list(result.flagged["feature"]) == ["x0"]
    assert "x0 (1; SMD +0.2" in str(result) and "large" in str(result)


def test_balance_does_not_cry_wolf_on_sound_experiments_at_n_400():
    # issue 9, finding 14: the fixed |SMD| > 0.1 rule warned on 99% of sound experiments at n = 400
    # (the SMD's SD is sqrt(1/200 + 1/200) = 0.1 there). Holm at family-wise alpha = 0.01 warns on at
    # most 1% of them; 300 experiments: binomial SD sqrt(.01 * .99 / 300) = 0.0057, bound 0.01 + 4 SD.
    rng = np.random.default_rng(0)
    repetitions, warned, old_rule = 300, 0, 0
    treatment = np.arange(400) % 2
    for _ in range(repetitions):
        X = np.c_[rng.normal(size=(400, 6)), rng.integers(0, 2, size=(400, 4))]
        result = covariate_balance(X, treatment=rng.permutation(treatment))
        warned += result.verdict == "warn"
        old_rule += (result.table["abs_smd"] > 0.1).any()
    assert warned / repetitions <= 0.01 + 4 * np.sqrt(0.01 * 0.99 / repetitions)
    assert old_rule / repetitions > 0.9  # the rule it replaces


@pytest.mark.slow
def test_predictability_permutation_test_has_its_nominal_size():
    # issue 9, finding 14: DeLong's SE on pooled out-of-fold scores rejected 12.5-17.7% of sound
    # experiments at a nominal 5%. The permutation test's size is at most 1/20 = 0.05 exactly; 200 sound
    # experiments (naive Bayes, n = 120, 2 folds): binomial SD sqrt(.05 * .95 / 200) = 0.0154, so the
    # rejection rate must lie within 0.05 +- 3 SD = [0.004, 0.096].
    from sklearn.naive_bayes import GaussianNB

    rng = np.random.default_rng(0)
    repetitions, rejected, permutations = 200, 0, 0
    treatment = np.arange(120) % 2
    for seed in range(repetitions):
        X = rng.normal(size=(120, 3))
        result = treatment_predictability(X, treatment=rng.permutation(treatment), model=GaussianNB(), cv=2,
                                          random_state=seed)
        rejected += result.auc[1].p_value <= 0.05
        permutations += result.auc[1].n_resamples
    assert abs(rejected / repetitions - 0.05) <= 3 * np.sqrt(0.05 * 0.95 / repetitions), rejected
    assert permutations / repetitions < 8  # it stops early on sound experiments


def test_predictability_bad_input():
    X = np.zeros((40, 1))
    with pytest.raises(UpliftInputError, match="n_permutations must be an integer of at least 19"):
        treatment_predictability(X, treatment=np.arange(40) % 2, n_permutations=5)


def test_auc_and_delong_se_against_brute_force():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 300)
    scores = np.round(rng.normal(size=300) + 0.5 * labels, 1)  # rounding makes ties
    pos, neg = scores[labels == 1], scores[labels == 0]
    pairwise = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    auc, se = roc_auc_with_se(labels, scores)
    assert auc == pytest.approx(pairwise.mean())
    v10, v01 = pairwise.mean(axis=1), pairwise.mean(axis=0)
    assert se == pytest.approx(np.sqrt(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg)))


def test_predictability_flags_a_confounded_assignment():
    from sklearn.linear_model import LogisticRegression

    # a cheap model: the permutation test refits it 3 x 20 times here (the propensity is logistic in X)
    data = make_uplift_classification(4000, propensity="observational", random_state=0)
    result = treatment_predictability(data.X, treatment=data.treatment, cv=3, model=LogisticRegression())
    assert result.verdict == "fail"
    assert result.auc[1].p_value == pytest.approx(1 / 20)  # no permuted AUC reached the observed one
    assert result.auc[1].estimate > 0.6


def test_ate_exact_and_welch_se():
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0])
    treatment = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    result = average_treatment_effect(y, treatment=treatment)
    estimate = result.estimates[1]
    assert estimate.estimate == pytest.approx(0.75 - 0.5)
    assert estimate.std_error == pytest.approx(np.sqrt(0.25 / 4 + (1 / 3) / 4))
    assert result.control_mean == 0.5


def test_hillstrom_ate_contains_published_figure():
    data = load_hillstrom()
    estimate = average_treatment_effect(data.y, treatment=data.treatment).estimates[1]
    assert estimate.contains(0.0452)
    assert estimate.estimate == pytest.approx(0.0452, abs=1e-4)


def test_check_experiment_on_a_sound_rct():
    data = make_uplift_classification(1000, random_state=1)
    report = check_experiment(data.X, data.y, treatment=data.treatment, cv=2, random_state=0)
    assert report.verdict == "pass"
    assert "Experiment checks: PASS" in str(report)
    assert report.to_dict()["srm"]["verdict"] == "pass"


def test_diagnostics_bad_input():
    with pytest.raises(UpliftInputError, match="same number of rows"):
        covariate_balance(np.zeros((3, 1)), treatment=[0, 1])
    with pytest.raises(UpliftInputError, match="at least two distinct values"):
        average_treatment_effect([0, 1, 1], treatment=[1, 1, 1])
    with pytest.raises(UpliftInputError, match="missing value"):
        srm_test([0, 1, np.nan])


def test_summaries_print_labels_plainly():
    # issue 9: arm labels were printed as np.int64(0)
    rng = np.random.default_rng(0)
    treatment = np.repeat(np.array([3, 7], dtype=np.int64), 50)
    report = check_experiment(rng.normal(size=(100, 2)), rng.integers(0, 2, 100), treatment=treatment,
                              predictability=False)
    assert "np." not in str(report)
    assert "Arm 7 (mean" in str(report) and "(7): " in str(report)
