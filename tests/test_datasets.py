"""Bundled Hillstrom and the synthetic generators: shapes, checksums and agreement with the truth."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from uplift.datasets import (
    CUSTOMER_TYPES,
    load_hillstrom,
    make_criteo_like,
    make_uplift_classification,
    make_uplift_regression,
)
from uplift.datasets._hillstrom import _bundled_path
from uplift.exceptions import ChecksumMismatchError, UpliftInputError
from uplift.inference import average_treatment_effect


def test_hillstrom_default_is_womens_vs_no_email():
    data = load_hillstrom()
    assert len(data) == 42_693
    assert set(np.unique(data.treatment)) == {0, 1}
    assert data.arm_names == {0: "No E-Mail", 1: "Womens E-Mail"}
    assert data.X.shape == (42_693, len(data.feature_names))
    assert data.X.dtypes.map(lambda d: d.kind == "f").all()


def test_hillstrom_all_arms():
    data = load_hillstrom(arms="all", outcome="spend")
    assert len(data) == 64_000
    np.testing.assert_array_equal(np.bincount(data.treatment), [21_306, 21_387, 21_307])
    assert data.target_name == "spend"
    assert data.y.max() > 1  # spend is in dollars, not a flag


def test_hillstrom_never_leaks_post_treatment_columns():
    data = load_hillstrom(arms="all")
    for column in ("visit", "conversion", "spend", "segment", "history_segment"):
        assert column not in data.feature_names
    assert not any(name.startswith(("visit", "conversion", "spend", "segment")) for name in data.feature_names)


def test_hillstrom_published_effects():
    # data/README.md: Womens visit +4.52 pp, Mens visit +7.66 pp, Womens conversion +0.31 pp.
    visit = average_treatment_effect(load_hillstrom(arms="all").y, treatment=load_hillstrom(arms="all").treatment)
    assert visit.estimates[1].estimate == pytest.approx(0.0452, abs=5e-5)
    assert visit.estimates[2].estimate == pytest.approx(0.0766, abs=5e-5)
    conversion = load_hillstrom(outcome="conversion")
    effect = average_treatment_effect(conversion.y, treatment=conversion.treatment).estimates[1]
    assert effect.estimate == pytest.approx(0.0031, abs=5e-5)


def test_hillstrom_reads_plain_csv_copy(tmp_path):
    copy = tmp_path / "hillstrom.csv"
    copy.write_bytes(gzip.decompress(_bundled_path().read_bytes()))
    assert len(load_hillstrom(path=copy)) == 42_693


def test_hillstrom_corrupted_file_fails_checksum(tmp_path):
    raw = gzip.decompress(_bundled_path().read_bytes())
    corrupt = raw.replace(b"Womens E-Mail", b"Womens E-Mial", 1)
    path = tmp_path / "hillstrom.csv.gz"
    path.write_bytes(gzip.compress(corrupt))
    with pytest.raises(ChecksumMismatchError, match=r"checksum mismatch .* expected SHA-256 ff9e5928"):
        load_hillstrom(path=path)


def test_hillstrom_truncated_gzip_fails(tmp_path):
    path = tmp_path / "hillstrom.csv.gz"
    path.write_bytes(_bundled_path().read_bytes()[:5000])
    with pytest.raises(ChecksumMismatchError, match="corrupt or truncated"):
        load_hillstrom(path=path)


def test_hillstrom_bad_option():
    with pytest.raises(UpliftInputError, match=r"outcome must be one of \['visit', 'conversion', 'spend'\]"):
        load_hillstrom(outcome="revenue")  # type: ignore[arg-type]


def _within_four_standard_errors(y, treatment, arm, true_ate):
    estimate = average_treatment_effect(y, treatment=treatment).estimates[arm]
    assert abs(estimate.estimate - true_ate) < 4 * estimate.std_error, (estimate, true_ate)


@pytest.mark.parametrize("n_arms", [1, 3])
def test_classification_truth_matches_data(n_arms):
    data = make_uplift_classification(40_000, n_arms=n_arms, random_state=1)
    tau = data.tau.reshape(len(data), -1)
    for k in range(1, n_arms + 1):
        _within_four_standard_errors(data.y, data.treatment, k, tau[:, k - 1].mean())
    # mu is exact: the mean outcome of each arm's rows matches the mean of mu over those rows
    for k in range(n_arms + 1):
        rows = data.treatment == k
        expected, observed = data.mu[rows, k].mean(), data.y[rows].mean()
        se = np.sqrt(expected * (1 - expected) / rows.sum())
        assert abs(observed - expected) < 4 * se


def test_classification_customer_types_in_stated_shares():
    shares = (0.25, 0.2, 0.4, 0.15)
    n = 40_000
    data = make_uplift_classification(n, type_shares=shares, random_state=2)
    observed = pd.Series(data.customer_type).value_counts(normalize=True)
    for name, share in zip(CUSTOMER_TYPES, shares, strict=True):
        # binomial share: SE = sqrt(p (1 - p) / n) <= 0.0025 here; 4 SE tolerance
        assert abs(observed[name] - share) < 4 * np.sqrt(share * (1 - share) / n)
    tau, p0 = data.tau, data.mu[:, 0]
    kind = data.customer_type
    assert (tau[kind == "sleeping dog"] < 0).all()
    assert (tau[kind == "lost cause"] == 0).all()
    assert p0[kind == "sure thing"].min() > 0.5 and tau[kind == "sure thing"].max() <= 0.03 + 1e-12
    assert tau[kind == "persuadable"].min() >= 0.06 - 1e-12


def test_sure_things_lose_money_with_a_coupon():
    # value 30 per conversion, coupon 10 paid by every treated converter, contact 0.10
    data = make_uplift_classification(5_000, random_state=3)
    p0, p1 = data.mu[:, 0], data.mu[:, 1]
    profit = 30 * (p1 - p0) - 10 * p1 - 0.10
    assert (profit[data.customer_type == "sure thing"] < 0).all()
    assert (profit[data.customer_type == "persuadable"] > 0).mean() > 0.5


@pytest.mark.parametrize("n_arms", [1, 2])
def test_regression_truth_matches_data(n_arms):
    data = make_uplift_regression(20_000, n_arms=n_arms, random_state=4)
    tau = data.tau.reshape(len(data), -1)
    for k in range(1, n_arms + 1):
        _within_four_standard_errors(data.y, data.treatment, k, tau[:, k - 1].mean())


def test_observational_propensity_is_confounded():
    data = make_uplift_classification(20_000, propensity="observational", random_state=5)
    treated = data.treatment == 1
    # treated customers have higher x0 (drives type) by design
    assert data.X["x0"][treated].mean() - data.X["x0"][~treated].mean() > 0.3
    assert data.propensity.shape == (20_000,)
    assert 0 < data.propensity.min() and data.propensity.max() < 1


def test_constant_and_callable_propensity():
    data = make_uplift_classification(20_000, propensity=0.8, random_state=6)
    assert abs(data.treatment.mean() - 0.8) < 4 * np.sqrt(0.8 * 0.2 / 20_000)
    data = make_uplift_regression(1_000, propensity=lambda X: np.full(len(X), 0.3), random_state=6)
    np.testing.assert_allclose(data.propensity, 0.3)


def test_generators_are_reproducible():
    a = make_uplift_classification(500, random_state=7)
    b = make_uplift_classification(500, random_state=7)
    pd.testing.assert_frame_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type_shares": (0.5, 0.5, 0.5, 0.0)}, "summing to 1"),
        ({"n_features": 2}, "at least 4"),
        ({"n_arms": 0}, "at least 1 treated arm"),
        ({"n_arms": 2, "propensity": 0.5}, "one probability per arm"),
        ({"propensity": (0.5, 0.6)}, "sum to 1"),
        ({"propensity": "random"}, "'observational'"),
    ],
)
def test_generator_bad_input(kwargs, message):
    with pytest.raises(UpliftInputError, match=message):
        make_uplift_classification(100, **kwargs)


def test_criteo_like_rates():
    n = 400_000
    data = make_criteo_like(n, random_state=0, chunk_size=150_000)
    assert data.X.shape == (n, 12) and (data.X.dtypes == np.float32).all()
    # visit rate 4.6992% in the real file; binomial SE at this n is 0.00033, allow 4 SE
    assert abs(data.y.mean() - 0.046992) < 4 * np.sqrt(0.047 * 0.953 / n)
    assert abs(data.treatment.mean() - 0.85) < 4 * np.sqrt(0.85 * 0.15 / n)
    assert (data.tau < 0).any() and (data.tau > 0).any()  # heterogeneous, some harmed
    _within_four_standard_errors(data.y, data.treatment, 1, data.tau.mean())
