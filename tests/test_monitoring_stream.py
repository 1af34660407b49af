"""The drift simulator: known change period, true effects consistent with the outcomes."""

from __future__ import annotations

import numpy as np
import pytest

from uplift.datasets import make_uplift_stream
from uplift.exceptions import UpliftInputError


def test_no_change_stream_is_stationary_and_truth_is_consistent():
    stream = make_uplift_stream(5, 4000, random_state=0)
    assert stream.X.shape == (20000, 5)
    assert np.array_equal(np.bincount(stream.time), [4000] * 5)
    np.testing.assert_allclose(stream.tau, stream.mu[:, 1] - stream.mu[:, 0])
    # outcome means per arm match the true probabilities: binomial SE <= sqrt(.25/10000) = .005, 4 SE
    for arm in (0, 1):
        rows = stream.treatment == arm
        assert stream.y[rows].mean() == pytest.approx(stream.mu[rows, arm].mean(), abs=4 * 0.005)
    # the feature means stay at 0 in every period: SE 1/sqrt(4000) = .016, 4 SE
    for period in range(5):
        assert np.abs(stream.X[stream.time == period].mean().to_numpy()).max() < 4 * 0.016


def test_feature_change_shifts_x0_and_x2_only_from_the_change_period():
    stream = make_uplift_stream(4, 4000, change_period=2, change="features", feature_shift=1.0, random_state=1)
    after = stream.X[stream.time >= 2].mean()
    before = stream.X[stream.time < 2].mean()
    # SE of a mean of 8000 standard normals: .0112; 5 SE = .056 (four checks: 5 SE keeps the
    # family-wise chance of a false failure below 1e-5)
    assert after["x0"] == pytest.approx(1.0, abs=0.056) and after["x2"] == pytest.approx(1.0, abs=0.056)
    assert abs(after["x1"]) < 0.056 and abs(before["x0"]) < 0.056


def test_effect_change_flips_the_segment_and_keeps_features():
    stream = make_uplift_stream(4, 3000, change_period=3, change="effect", random_state=2)
    segment = stream.X["x2"].to_numpy() > 0
    late = stream.time == 3
    assert (stream.tau[late & segment] <= 0).all()
    assert (stream.tau[~late & segment] > 0).all()
    same = make_uplift_stream(4, 3000, change_period=3, change="features", feature_shift=0.0, random_state=2)
    np.testing.assert_array_equal(stream.X.to_numpy(), same.X.to_numpy())


def test_bad_inputs():
    with pytest.raises(UpliftInputError, match=r"change_period must be a period in 0\.\.3"):
        make_uplift_stream(4, 10, change_period=4)
    with pytest.raises(UpliftInputError, match="n_features must be an integer >= 4"):
        make_uplift_stream(4, 10, n_features=3)
    with pytest.raises(UpliftInputError, match="treatment_share must lie strictly"):
        make_uplift_stream(4, 10, treatment_share=1.0)
    with pytest.raises(UpliftInputError, match="change must be one of"):
        make_uplift_stream(4, 10, change="seasonal")
