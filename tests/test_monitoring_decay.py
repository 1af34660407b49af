"""Uplift decay on a randomized holdout: exact pieces, and the tests react to a flipped effect only."""

from __future__ import annotations

import numpy as np
import pytest

from uplift.campaign import Economics, evaluate_policy
from uplift.datasets import make_uplift_stream
from uplift.exceptions import UpliftInputError
from uplift.monitoring import uplift_decay


def test_calibration_and_value_by_hand():
    y = np.array([1, 0, 1, 0, 0, 1, 0, 0], dtype=float)
    treatment = np.array([1, 0, 1, 0, 1, 0, 1, 0])
    score = np.array([0.4, 0.3, 0.2, 0.1, -0.1, -0.2, -0.3, -0.4])
    result = uplift_decay(y, score, treatment=treatment, n_bins=2, n_resamples=20, random_state=0)
    # top half (scores .4 .3 .2 .1): treated y 1, 1 and control y 0, 0 -> uplift 1; predicted mean .25
    assert result.calibration["predicted"].tolist() == pytest.approx([0.25, -0.25, 0.0])
    assert result.calibration["observed"].tolist() == pytest.approx([1.0, -0.5, 0.25])
    # policy treats the top half; IPW with e = 1/2: value = sum over rows of the incremental score / n
    expected = evaluate_policy((score > 0).astype(int), y, treatment=treatment, economics=Economics(value=1.0),
                               control_value=0, arms=[1])
    assert result.value.estimate == pytest.approx(expected.value.estimate / 8)
    assert result.value.std_error == pytest.approx(expected.value.std_error / 8)
    assert result.policy["policy"].tolist()[:3] == ["plan", "treat none", "treat all"]


def _model_and_stream(change):
    stream = make_uplift_stream(2, 6000, change_period=1, change=change, random_state=5)
    model = make_uplift_stream(2, 6000, random_state=5).tau  # pre-change truth on the same customers
    return stream, model


def test_no_decay_when_only_features_move_and_decay_when_the_effect_flips():
    # the true pre-change effect as score: on an unchanged period RATE > 0 and the policy earns, so
    # with alpha = 0.01 a false flag has probability <= 0.01 (the seed is fixed; not tuned)
    stream, model = _model_and_stream("features")
    late = stream.time == 1
    healthy = uplift_decay(stream.y[late], model[late], treatment=stream.treatment[late], n_resamples=50,
                           random_state=0)
    assert not healthy.decayed and healthy.reasons == ()
    assert healthy.rate.estimate > 0
    stream, model = _model_and_stream("effect")
    broken = uplift_decay(stream.y[late], model[late], treatment=stream.treatment[late], n_resamples=50, random_state=0)
    assert broken.decayed
    assert broken.tests["rejected"].all()


def test_training_value_adds_a_test():
    stream, model = _model_and_stream("features")
    first = stream.time == 0
    result = uplift_decay(stream.y[first], model[first], treatment=stream.treatment[first], training_value=1.0,
                          training_rate=0.0, n_resamples=20, random_state=0)
    assert result.tests["test"].tolist() == ["ranking worse than training", "policy loses against contacting nobody",
                                             "policy value below training"]
    assert result.tests["threshold"].tolist() == pytest.approx([0.01 / 3] * 3)
    # a training value of 1 conversion per customer is impossible to keep: flagged
    assert result.decayed and result.reasons[0].startswith("policy value below training")


def test_bad_inputs():
    with pytest.raises(UpliftInputError, match=r"coded 0 \(no contact\) / 1"):
        uplift_decay([0, 1], [0.1, 0.2], treatment=["a", "b"])
    with pytest.raises(UpliftInputError, match="both arms"):
        uplift_decay([0, 1], [0.1, 0.2], treatment=[1, 1])


def test_training_standard_errors_widen_the_tests():
    from scipy import stats

    stream, model = _model_and_stream("features")
    first = stream.time == 0
    kwargs = dict(training_value=0.05, training_rate=0.02, n_resamples=20, random_state=0)
    fixed = uplift_decay(stream.y[first], model[first], treatment=stream.treatment[first], **kwargs)
    noisy = uplift_decay(stream.y[first], model[first], treatment=stream.treatment[first], training_rate_std_error=0.01,
                         training_value_std_error=0.02, **kwargs)
    value = noisy.value
    expected = stats.norm.cdf((value.estimate - 0.05) / np.hypot(value.std_error, 0.02))
    assert noisy.tests["p_value"].iloc[2] == pytest.approx(expected)
    expected_rate = stats.norm.cdf((noisy.rate.estimate - 0.02) / np.hypot(noisy.rate.std_error, 0.01))
    assert noisy.tests["p_value"].iloc[0] == pytest.approx(expected_rate)
    # more variance pulls every one-sided p-value toward 1/2 (the test 'policy loses' has no training figure)
    assert ((noisy.tests["p_value"] - 0.5).abs() <= (fixed.tests["p_value"] - 0.5).abs() + 1e-12).all()
