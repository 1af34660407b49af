"""signal_check: the go/no-go test for heterogeneity before heavy modeling."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from uplift.datasets import make_uplift_classification, make_uplift_regression
from uplift.diagnostics import signal_check
from uplift.exceptions import UpliftInputError


def _constant_effect_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Binary outcome with a baseline that varies strongly with x but the same effect (+0.05) for all."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    treatment = rng.integers(0, 2, n)
    p0 = 0.1 + 0.6 * expit(1.5 * X[:, 0] - X[:, 1])
    y = (rng.random(n) < p0 + 0.05 * treatment).astype(float)
    return X, y, treatment


def test_detects_the_strong_heterogeneity_of_the_synthetic_customer_types():
    data = make_uplift_classification(8000, random_state=0)
    result = signal_check(data.X, data.y, treatment=data.treatment, n_repeats=5, n_folds=2, n_resamples=50,
                          random_state=0)
    assert result.detected and result.verdict == "heterogeneity detected"
    # at n = 6000 the adjusted p-values of five seeds were 4e-4, 4e-6, 0.03, 1e-3, 3e-7: at n = 8000
    # the signal is clear, so require p < 0.01 (five times below the verdict's threshold)
    assert result.rate.p_value < 0.01
    assert result.qini.ci_low > 0 and result.rate.ci_low > 0
    assert len(result.splits) == 5 and (result.splits["rate_std_error"] > 0).all()
    assert result.effect.shape == (8000,) and np.isfinite(result.effect).all()
    # the ATE interval covers the true average effect (4 SE: a fixed-seed check that must not flake)
    assert abs(result.ate.estimate - data.tau.mean()) < 4 * result.ate.std_error
    assert "HETEROGENEITY DETECTED" in str(result)
    json.dumps(result.to_dict())  # serialisable for reports


def test_does_not_detect_heterogeneity_when_the_effect_is_constant():
    # Under tau(x) = constant every ranking has RATE 0, so a detection is a false positive of a test
    # of level at most alpha = 5% (conservative: 0 rejections in 40 seeds of this design, smallest
    # p 0.066). Across three independent seeds P(two or more false positives) <= 3 * 0.05^2 < 0.01.
    # (A cross-fitted ranking instead rejected 10% at a nominal 2.5%: see the module docstring.)
    verdicts = []
    for seed in range(3):
        X, y, treatment = _constant_effect_data(2000, seed)
        result = signal_check(X, y, treatment=treatment, n_repeats=5, n_folds=2, n_resamples=50, random_state=seed)
        verdicts.append(result.detected)
        assert result.verdict in ("heterogeneity detected", "heterogeneity not detected at this sample size")
    assert sum(verdicts) <= 1


def test_continuous_outcome_uses_a_ridge_t_learner():
    data = make_uplift_regression(1500, random_state=0)
    result = signal_check(data.X, data.y, treatment=data.treatment, n_repeats=3, n_folds=2, n_resamples=50,
                          random_state=0)
    # tau(x) = 1 + 0.5 x2 + 1{x3 > 0} varies with sd ~0.7 against noise sd 1: strong signal
    assert result.detected


def test_signal_check_never_imports_xgboost():
    code = (
        "import sys\n"
        "from uplift.datasets import make_uplift_classification\n"
        "from uplift.diagnostics import signal_check\n"
        "d = make_uplift_classification(600, random_state=0)\n"
        "signal_check(d.X, d.y, treatment=d.treatment, n_repeats=2, n_folds=2, n_resamples=10, random_state=0)\n"
        "print('xgboost' in sys.modules)\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "False"


def test_signal_check_bad_inputs():
    X, y, treatment = _constant_effect_data(200, 0)
    with pytest.raises(UpliftInputError, match="exactly two distinct values for signal_check"):
        signal_check(X, y, treatment=np.arange(200) % 3)
    with pytest.raises(UpliftInputError, match="target must be one of"):
        signal_check(X, y, treatment=treatment, target="AUUC")
    with pytest.raises(UpliftInputError, match="same number of rows"):
        signal_check(X, y[:-1], treatment=treatment)
    with pytest.raises(UpliftInputError, match="n_repeats must be a positive integer"):
        signal_check(X, y, treatment=treatment, n_repeats=0)
    with pytest.raises(UpliftInputError, match="at least 10 rows for signal_check"):
        signal_check(X[:12], y[:12], treatment=np.r_[np.zeros(8, int), np.ones(4, int)])


@pytest.mark.slow
def test_false_positive_rate_is_at_most_alpha():
    # 15 constant-effect data sets: a valid level-5% test rejects Binomial(15, <= 0.05) times, and
    # P(Binomial(15, 0.05) >= 4) = 0.005, so at most 3 rejections (measured: 0 of 40 in development)
    p_values = []
    for seed in range(100, 115):
        X, y, treatment = _constant_effect_data(1500, seed)
        result = signal_check(X, y, treatment=treatment, n_repeats=5, n_folds=2, n_resamples=30, random_state=seed)
        p_values.append(result.rate.p_value)
    assert sum(p < 0.05 for p in p_values) <= 3


def test_grouped_signal_check_keeps_customers_together():
    data = make_uplift_classification(3000, random_state=5)
    customer = np.arange(3000) // 2
    result = signal_check(data.X, data.y, treatment=data.treatment, groups=customer, n_repeats=2, n_folds=2,
                          n_resamples=30,
                          random_state=0)
    assert np.isfinite(result.rate.estimate) and np.isfinite(result.qini.std_error)
    assert result.verdict in ("heterogeneity detected", "heterogeneity not detected at this sample size")


def test_default_seed_is_zero_like_check_experiment():
    # issue 9: signal_check defaulted to random_state=None (a different verdict on every run) while
    # check_experiment defaults to 0; both default to 0 now
    import inspect

    from uplift.diagnostics import check_experiment

    assert inspect.signature(signal_check).parameters["random_state"].default == 0
    assert inspect.signature(check_experiment).parameters["random_state"].default == 0
    data = make_uplift_classification(800, random_state=1)
    first = signal_check(data.X, data.y, treatment=data.treatment, n_repeats=2, n_folds=2, n_resamples=10)
    second = signal_check(data.X, data.y, treatment=data.treatment, n_repeats=2, n_folds=2, n_resamples=10)
    pd.testing.assert_frame_equal(first.splits, second.splits)
