"""Drift statistics: exact values on hand-made histograms, false alarms and power on simulated data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from uplift.exceptions import UpliftInputError
from uplift.monitoring import assignment_drift, bin_like, feature_drift, histogram_distances, reference_histograms


def _categorical(counts, n_other=0, n_missing=0):
    return {"kind": "categorical", "categories": [str(i) for i in range(len(counts))], "counts": list(counts),
            "n_other": n_other, "n_missing": n_missing}


def _numeric(edges, counts, n_missing=0):
    return {"kind": "numeric", "edges": list(edges), "counts": list(counts), "n_missing": n_missing}


def test_psi_and_js_by_hand():
    result = histogram_distances(_categorical([50, 50]), _categorical([80, 20]))
    # cells a, b (other and missing are empty on both sides, dropped) with 0.5 added to each count
    p = np.array([50.5, 50.5]) / 101
    q = np.array([80.5, 20.5]) / 101
    assert result["psi"] == pytest.approx(np.sum((q - p) * np.log(q / p)), rel=1e-12)
    # JS without smoothing: m = (.65, .35); base-2 divergences of (.5,.5) and (.8,.2) to m
    m = np.array([0.65, 0.35])
    kl = lambda a: np.sum(a * np.log2(a / m))  # noqa: E731
    expected_js = np.sqrt(0.5 * kl(np.array([0.5, 0.5])) + 0.5 * kl(np.array([0.8, 0.2])))
    assert result["js_distance"] == pytest.approx(expected_js, rel=1e-12)
    assert np.isnan(result["wasserstein"])
    chi2, p_value, _, _ = stats.chi2_contingency(np.array([[50, 50], [80, 20]]), correction=False)
    assert result["chi2"] == pytest.approx(chi2)
    assert result["p_value"] == pytest.approx(p_value)


def test_identical_histograms_have_zero_distance():
    histogram = _numeric([0, 1, 2, 3], [10, 20, 30], n_missing=4)
    result = histogram_distances(histogram, histogram)
    assert result["psi"] == 0.0
    assert result["js_distance"] == pytest.approx(0.0, abs=1e-7)
    assert result["wasserstein"] == 0.0
    assert result["p_value"] == pytest.approx(1.0)


def test_wasserstein_on_bin_centres_by_hand():
    # centres 0.5, 1.5, 2.5; all mass moves from the first to the last bin: W = 2
    reference = _numeric([0, 1, 2, 3], [10, 0, 0])
    current = _numeric([0, 1, 2, 3], [0, 0, 10])
    reference_with_spread = _numeric([0, 1, 2, 3], [5, 0, 5])  # sd of centres = 1
    assert np.isnan(histogram_distances(reference, current)["wasserstein"])  # zero spread: undefined
    result = histogram_distances(reference_with_spread, current)
    # CDF ref (.5, .5, 1), cur (0, 0, 1): |diff| .5 over both gaps of width 1 -> 1.0, / sd 1
    assert result["wasserstein"] == pytest.approx(1.0)


def test_feature_drift_flags_only_the_shifted_column():
    rng = np.random.default_rng(3)
    reference = reference_histograms(pd.DataFrame(rng.normal(size=(5000, 3)), columns=["a", "b", "c"]))
    new = pd.DataFrame(rng.normal(size=(5000, 3)), columns=["a", "b", "c"])
    new["b"] += 0.5
    table = feature_drift(reference, bin_like(reference, new))
    assert table.loc[table["drifted"], "column"].tolist() == ["b"]
    assert table.iloc[0]["column"] == "b"
    for statistic in ("js_distance", "wasserstein"):
        assert feature_drift(reference, bin_like(reference, new), statistic=statistic)["drifted"].sum() == 1


def test_psi_noise_floor_matches_chi_square_approximation():
    # Under no change PSI ~ chi2_{K-1} (1/n + 1/m); its mean over many periods is (K-1)(1/n+1/m).
    # 200 periods: the mean's relative standard error is sqrt(2/(K-1))/sqrt(200) ~ 3.3% for K=10 cells
    # (10 bins; the empty missing cell is dropped); we allow 20% for that and the smoothing bias.
    rng = np.random.default_rng(4)
    n = 2000
    reference = reference_histograms(rng.normal(size=(n, 1)))
    values = [histogram_distances(reference["features"]["0"],
                                  bin_like(reference, rng.normal(size=(n, 1)))["features"]["0"])["psi"]
              for _ in range(200)]
    assert np.mean(values) == pytest.approx(9 * (2 / n), rel=0.2)


def test_assignment_drift_by_hand():
    stable = assignment_drift({"none": 0.5, "email": 0.5}, ["none"] * 52 + ["email"] * 48)
    assert not stable.drifted
    assert stable.total_variation == pytest.approx(0.02)
    chi2, p_value = stats.chisquare([52, 48], [50, 50])
    assert stable.chi2 == pytest.approx(chi2) and stable.p_value == pytest.approx(p_value)
    new_arm = assignment_drift({"none": 1.0}, ["none", "sms"])
    assert new_arm.drifted and new_arm.p_value == 0.0
    assert new_arm.shares["arm"].tolist() == ["none", "sms"]


def test_bad_inputs():
    reference = reference_histograms(np.zeros((3, 1)))
    with pytest.raises(UpliftInputError, match="alpha must lie in"):
        feature_drift(reference, reference, alpha=0.0)
    with pytest.raises(UpliftInputError, match="statistic must be one of"):
        feature_drift(reference, reference, statistic="ks")
    with pytest.raises(UpliftInputError, match="'scores' entry"):
        feature_drift(reference, reference, section="scores")
    with pytest.raises(UpliftInputError, match="arms is empty"):
        assignment_drift({"a": 1.0}, [])
    with pytest.raises(UpliftInputError, match="non-negative"):
        assignment_drift({"a": -1.0}, ["a"])
