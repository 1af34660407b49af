"""The shared bootstrap resampler and the Estimate result object."""

from __future__ import annotations

import numpy as np
import pytest

from uplift.exceptions import UpliftInputError
from uplift.inference import Estimate, bootstrap_indices, normal_interval


def test_stratified_resamples_keep_arm_sizes():
    strata = np.array([0] * 7 + [1] * 3)
    for index in bootstrap_indices(10, 20, strata=strata, random_state=0):
        assert len(index) == 10
        assert (strata[index] == 1).sum() == 3


def test_grouped_resamples_draw_whole_clusters():
    groups = np.array([1, 1, 1, 2, 2, 3, 4, 4, 4, 4])
    for index in bootstrap_indices(10, 50, groups=groups, random_state=1):
        drawn = groups[index]
        for group in np.unique(drawn):
            # a cluster appears a whole number of times, with all its rows each time
            count = (drawn == group).sum()
            assert count % (groups == group).sum() == 0
            assert set(index[drawn == group]) == set(np.flatnonzero(groups == group))


def test_grouped_and_stratified_keep_clusters_in_their_stratum():
    groups = np.array([1, 1, 2, 2, 3, 3, 4, 4])
    strata = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    for index in bootstrap_indices(8, 30, strata=strata, groups=groups, random_state=2):
        assert (strata[index] == 1).sum() == 4


def test_bootstrap_is_reproducible_and_uses_no_global_state():
    np.random.seed(0)  # noqa: NPY002 - deliberately moves the global RNG
    first = [i.copy() for i in bootstrap_indices(50, 3, random_state=5)]
    np.random.seed(1)  # noqa: NPY002 - deliberately moves the global RNG
    second = list(bootstrap_indices(50, 3, random_state=5))
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_bootstrap_bad_input():
    with pytest.raises(UpliftInputError, match="positive integer"):
        next(bootstrap_indices(5, 0))
    with pytest.raises(UpliftInputError, match="groups contains NaN"):
        next(bootstrap_indices(3, 1, groups=np.array([1.0, np.nan, 2.0])))


def test_bootstrap_se_of_a_mean_matches_theory():
    # SE of a mean of n iid N(0, 1) is 1/sqrt(n); with 400 resamples the bootstrap SE has a
    # relative error of about 1/sqrt(2 * 400) = 3.5%, so 15% is a > 4-sigma tolerance.
    rng = np.random.default_rng(0)
    values = rng.normal(size=400)
    means = [values[i].mean() for i in bootstrap_indices(400, 400, random_state=3)]
    result = Estimate.from_bootstrap(values.mean(), np.array(means))
    assert result.std_error == pytest.approx(values.std(ddof=1) / 20, rel=0.15)
    assert result.ci_low < values.mean() < result.ci_high


def test_estimate_normal_summary_and_p_value():
    result = Estimate.from_normal(0.0452, 0.0032, name="ATE")
    assert result.p_value < 1e-10
    assert result.summary().startswith("ATE = 0.0452 (95% CI 0.0389 to 0.0515; SE 0.0032; p < 0.001)")
    assert normal_interval(0.0, 1.0, 0.1) == pytest.approx((-1.644854, 1.644854))
    with pytest.raises(UpliftInputError, match="alpha must be in"):
        normal_interval(0.0, 1.0, 1.5)
