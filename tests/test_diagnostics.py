"""Experiment checks: exact values on small arrays, the Hillstrom figures, and broken experiments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from uplift.datasets import load_hillstrom, make_uplift_classification
from uplift.diagnostics import (
    average_treatment_effect,
    check_experiment,
    covariate_balance,
    roc_auc_with_se,
    srm_test,
    treatment_predictability,
)
from uplift.exceptions import UpliftInputError


def test_srm_exact_chi_square():
    # counts 60/40 against 50/50: chi2 = (10^2 + 10^2) / 50 = 4, df 1
    result = srm_test([0] * 60 + [1] * 40)
    assert result.statistic == pytest.approx(4.0)
    assert result.p_value == pytest.approx(stats.chi2.sf(4.0, 1))
    assert result.passed  # 0.0455 >= 0.001


def test_srm_detects_a_broken_allocation():
    result = srm_test([0] * 5300 + [1] * 4700)
    assert not result.passed and result.verdict == "fail"
    assert "SAMPLE-RATIO MISMATCH" in result.summary()


def test_srm_with_intended_unequal_allocation():
    labels = ["control"] * 150 + ["mail"] * 850
    assert srm_test(labels, {"control": 0.15, "mail": 0.85}).statistic == pytest.approx(0.0)
    with pytest.raises(UpliftInputError, match=r"no share for arm\(s\) \['mail'\]"):
        srm_test(labels, {"control": 1.0})
    with pytest.raises(UpliftInputError, match="sum to 1"):
        srm_test(labels, [0.5, 0.6])


def test_hillstrom_three_arms_pass_srm_with_published_p_value():
    # data/README.md: chi2(2) = 0.20, p = 0.90
    result = srm_test(load_hillstrom(arms="all").treatment)
    assert result.df == 2
    assert result.statistic == pytest.approx(0.20, abs=0.01)
    assert result.p_value == pytest.approx(0.90, abs=0.01)


def test_smd_exact():
    # feature a: treated mean 2, control mean 1, both variances 1 (ddof 1) -> SMD = 1
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 1.0, 2.0, 3.0], "b": [1.0] * 6})
    result = covariate_balance(X, [0, 0, 0, 1, 1, 1])
    table = result.table.set_index("feature")
    assert table.loc["a", "smd"] == pytest.approx(1.0)
    assert table.loc["b", "smd"] == 0.0
    assert list(result.flagged["feature"]) == ["a"]
    assert result.verdict == "warn"


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
    data = make_uplift_classification(4000, propensity="observational", random_state=0)
    result = treatment_predictability(data.X, data.treatment, cv=3)
    assert result.verdict == "fail"
    assert result.auc[1].estimate > 0.6


def test_ate_exact_and_welch_se():
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0])
    treatment = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    result = average_treatment_effect(y, treatment)
    estimate = result.estimates[1]
    assert estimate.estimate == pytest.approx(0.75 - 0.5)
    assert estimate.std_error == pytest.approx(np.sqrt(0.25 / 4 + (1 / 3) / 4))
    assert result.control_mean == 0.5


def test_hillstrom_ate_contains_published_figure():
    data = load_hillstrom()
    estimate = average_treatment_effect(data.y, data.treatment).estimates[1]
    assert estimate.contains(0.0452)
    assert estimate.estimate == pytest.approx(0.0452, abs=1e-4)


def test_check_experiment_on_a_sound_rct():
    data = make_uplift_classification(3000, random_state=1)
    report = check_experiment(data.X, data.y, data.treatment, random_state=0)
    assert report.verdict == "pass"
    assert "Experiment checks: PASS" in report.summary()
    assert report.to_dict()["srm"]["verdict"] == "pass"


def test_diagnostics_bad_input():
    with pytest.raises(UpliftInputError, match="same number of rows"):
        covariate_balance(np.zeros((3, 1)), [0, 1])
    with pytest.raises(UpliftInputError, match="at least two distinct values"):
        average_treatment_effect([0, 1, 1], [1, 1, 1])
    with pytest.raises(UpliftInputError, match="missing value"):
        srm_test([0, 1, np.nan])
