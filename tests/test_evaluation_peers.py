"""Parity with scikit-uplift 0.5.1 and causalml (when installed) and with values stored from them."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from uplift.evaluation import qini_auc_score, uplift_auc_score

# A fixture with many ties (6 distinct scores, 60 rows), drawn once with np.random.default_rng(2024).
Y = np.array([0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0,
              0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0])
T = np.array([1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0,
              0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1])
S = np.array([0.4, 0.6, 0.6, 0.4, 0.6, 0.4, 1.0, 1.0, 0.6, 0.0, 0.4, 0.2, 0.6, 0.6, 0.0, 0.6, 0.0, 0.0, 0.0, 0.2,
              1.0, 0.0, 0.6, 0.0, 0.0, 0.2, 0.0, 0.4, 0.0, 1.0, 0.4, 0.0, 0.0, 0.8, 0.4, 0.4, 0.8, 0.6, 0.8, 0.0,
              0.8, 0.8, 0.6, 0.4, 0.2, 0.4, 0.8, 0.6, 0.2, 0.2, 0.2, 0.4, 0.2, 0.0, 0.6, 0.8, 0.4, 0.0, 0.4, 0.2])
Y_CONTINUOUS = np.array([
    0.89, 1.89, 0.36, -0.73, 0.02, 0.43, 0.67, 1.31, 2.42, 4.25, 0.46, -0.06, 1.15, 0.39, -2.5, -0.05, 1.67, -0.52,
    2.32, -2.47, -0.02, 2.07, 2.47, 0.4, 1.53, -1.5, -0.13, 2.2, 2.16, -0.2, 0.19, 0.18, 0.41, 2.03, 0.22, 1.19,
    2.35, 1.09, -0.8, 0.11, -0.05, 0.89, 2.51, -0.44, 2.11, -2.86, 1.2, 1.85, -0.39, -0.32, 0.25, 1.03, 2.4, 3.88,
    1.53, -1.63, -0.23, -0.16, 0.09, -0.57])

# Stored from scikit-uplift 0.5.1 and causalml 0.18 (pandas 3.1, numpy 2.4) on the fixture above.
STORED = {
    ("qini", "sklift", "binary"): 0.04069903236569903,
    ("uplift", "sklift", "binary"): 0.07052339169155883,
    ("qini", "causalml", "binary"): 0.03701358781959088,
    ("uplift", "causalml", "binary"): 0.6935237901355454,
    ("qini", "causalml", "continuous"): 0.024431018508679837,
    ("uplift", "causalml", "continuous"): 0.5635965603338335,
}


@pytest.mark.parametrize(("curve", "convention", "outcome"), list(STORED))
def test_stored_reference_values(curve, convention, outcome):
    y = Y if outcome == "binary" else Y_CONTINUOUS
    score = qini_auc_score if curve == "qini" else uplift_auc_score
    assert score(y, S, treatment=T, convention=convention) == pytest.approx(STORED[curve, convention, outcome],
                                                                            rel=1e-12)


def test_default_equals_sklift_formula_for_binary_outcomes():
    assert qini_auc_score(Y, S, treatment=T) == pytest.approx(STORED["qini", "sklift", "binary"], rel=1e-12)


def _random_cases():
    rng = np.random.default_rng(11)
    for n, levels in [(40, 0), (300, 4), (1000, 25), (2500, 0)]:
        y, t = rng.integers(0, 2, n), rng.integers(0, 2, n)
        s = (rng.normal(size=n) if not levels else rng.integers(0, levels, n) / levels) + 0.3 * y * t
        yield n, y, t, s


@pytest.mark.peers
def test_parity_with_scikit_uplift():
    metrics = pytest.importorskip("sklift.metrics", reason="scikit-uplift (the causalml extra) is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # sklearn's stable_cumsum deprecation inside sklift
        for n, y, t, s in _random_cases():
            np.testing.assert_allclose(qini_auc_score(y, s, treatment=t, convention="sklift"),
                                       metrics.qini_auc_score(y, s, treatment=t),
                                       rtol=1e-10, err_msg=f"qini, n={n}")
            np.testing.assert_allclose(uplift_auc_score(y, s, treatment=t, convention="sklift"),
                                       metrics.uplift_auc_score(y, s,
                                                                treatment=t), rtol=1e-10, err_msg=f"uplift, n={n}")


@pytest.mark.peers
def test_parity_with_causalml():
    matplotlib = pytest.importorskip("matplotlib")
    # causalml's import touches deprecated matplotlib colormap API and sets a global plot style
    # (plt.style.use); rc_context restores the style so later plotting tests are unaffected.
    with warnings.catch_warnings(), matplotlib.rc_context():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        pytest.importorskip("causalml", reason="causalml (the causalml extra) is not installed")
        from causalml.metrics.visualize import auuc_score, qini_score

    for n, y, t, s in _random_cases():
        for outcome in (y, y + np.random.default_rng(n).normal(size=n)):
            frame = pd.DataFrame({"y": outcome, "w": t, "model": s})
            np.testing.assert_allclose(qini_auc_score(outcome, s, treatment=t, convention="causalml"),
                                       qini_score(frame)["model"], rtol=1e-10, err_msg=f"qini, n={n}")
            np.testing.assert_allclose(uplift_auc_score(outcome, s, treatment=t, convention="causalml"),
                                       auuc_score(frame)["model"], rtol=1e-10, err_msg=f"auuc, n={n}")


def test_causalml_convention_depends_on_the_order_of_tied_rows():
    # Documented: causalml orders tied rows as they come, so reversing the rows changes its score,
    # while our default does not move.
    reverse = slice(None, None, -1)
    assert qini_auc_score(Y, S, treatment=T, convention="causalml") != pytest.approx(
        qini_auc_score(Y[reverse], S[reverse], treatment=T[reverse], convention="causalml"), rel=1e-6)
    assert qini_auc_score(Y, S, treatment=T) == pytest.approx(qini_auc_score(Y[reverse], S[reverse],
                                                                             treatment=T[reverse]), rel=1e-12)


@pytest.mark.peers
@pytest.mark.parametrize("strategy", ["overall", "by_group"])
def test_binned_scores_match_scikit_uplift_without_ties(strategy):
    metrics = pytest.importorskip("sklift.metrics", reason="scikit-uplift (the causalml extra) is not installed")
    from uplift.evaluation import uplift_at_k, uplift_by_percentile, weighted_average_uplift

    rng = np.random.default_rng(0)
    n = 1000  # n k and each arm's k share are whole numbers of rows, where scikit-uplift cuts
    y, t, s = rng.integers(0, 2, n), np.repeat([0, 1], n // 2), rng.normal(size=n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        theirs = metrics.uplift_by_percentile(y, s, treatment=t, strategy=strategy, bins=10, std=True)
        ours = uplift_by_percentile(y, s, treatment=t, strategy=strategy, n_bins=10).iloc[:-1]
        np.testing.assert_allclose(ours["uplift"], theirs["uplift"], atol=1e-12)
        np.testing.assert_allclose(ours["std_error"], theirs["std_uplift"], atol=1e-12)
        np.testing.assert_allclose(ours["n_treatment"], theirs["n_treatment"])
        np.testing.assert_allclose(weighted_average_uplift(y, s, treatment=t, strategy=strategy),
                                   metrics.weighted_average_uplift(y, s, treatment=t, strategy=strategy), atol=1e-12)
        np.testing.assert_allclose(uplift_at_k(y, s, treatment=t, k=0.3, strategy=strategy),
                                   metrics.uplift_at_k(y, s, treatment=t, k=0.3, strategy=strategy), atol=1e-12)


@pytest.mark.peers
@pytest.mark.parametrize("strategy", ["overall", "by_group"])
@pytest.mark.parametrize("decimals", [None, 1])
def test_uplift_at_k_sklift_convention_matches_scikit_uplift(strategy, decimals):
    # issue 9, finding 16: by_group cut at a fractional row (k n per arm); scikit-uplift cuts at int(n k)
    # rows. 10,000 rows with arms of odd sizes, so k n_t is not whole; rounded scores add ties.
    metrics = pytest.importorskip("sklift.metrics", reason="scikit-uplift (the causalml extra) is not installed")
    from uplift.evaluation import uplift_at_k

    rng = np.random.default_rng(5)
    n = 10_000
    y, t, s = rng.integers(0, 2, n), rng.integers(0, 2, n), rng.normal(size=n)
    if decimals is not None:
        s = np.round(s, decimals)
    for k in (0.1, 0.3, 0.55):
        np.testing.assert_allclose(uplift_at_k(y, s, treatment=t, k=k, strategy=strategy, convention="sklift"),
                                   metrics.uplift_at_k(y, s, treatment=t, k=k, strategy=strategy), atol=1e-12,
                                   err_msg=f"k={k}")
