"""Displays of uplift.plotting: assert on the data in the drawn artists (Agg backend, see conftest)."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import numpy as np
import pytest
from scipy import stats
from sklearn.linear_model import LogisticRegression

from uplift.datasets import make_uplift_classification, make_uplift_regression
from uplift.evaluation import (
    perfect_qini_curve,
    perfect_uplift_curve,
    qini_auc_score,
    qini_curve,
    treatment_balance_curve,
    uplift_auc_score,
    uplift_by_percentile,
    uplift_curve,
)
from uplift.exceptions import UpliftInputError
from uplift.inference import bootstrap_indices
from uplift.learners import TLearner
from uplift.plotting import (
    QiniCurveDisplay,
    TreatmentBalanceDisplay,
    UpliftByPercentileDisplay,
    UpliftCalibrationDisplay,
    UpliftCurveDisplay,
    uplift_calibration_table,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt

Z95 = stats.norm.ppf(0.975)


@pytest.fixture(scope="module")
def data():
    return make_uplift_classification(3000, random_state=0)


@pytest.fixture(scope="module")
def score(data):
    # a noisy version of the true effect: a realistic, imperfect ranking
    return data.tau + np.random.default_rng(1).normal(0, 0.05, len(data.tau))


# ----------------------------------------------------------------------------- curves


@pytest.mark.parametrize(
    ("display_class", "curve", "perfect", "auc"),
    [(QiniCurveDisplay, qini_curve, perfect_qini_curve, qini_auc_score),
     (UpliftCurveDisplay, uplift_curve, perfect_uplift_curve, uplift_auc_score)],
)
def test_curve_display_draws_the_curve_and_its_baselines(data, score, display_class, curve, perfect, auc):
    fig, ax = plt.subplots()
    display = display_class.from_predictions(data.y, score, treatment=data.treatment, name="noisy tau", ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    x, y = curve(data.y, score, treatment=data.treatment)
    np.testing.assert_allclose(display.line_.get_xdata(), x / x[-1])
    np.testing.assert_allclose(display.line_.get_ydata(), y)
    np.testing.assert_allclose(display.random_line_.get_xydata(), [[0.0, 0.0], [1.0, y[-1]]])
    px, py = perfect(data.y, treatment=data.treatment)
    np.testing.assert_allclose(display.perfect_line_.get_xdata(), px / px[-1])
    np.testing.assert_allclose(display.perfect_line_.get_ydata(), py)
    assert display.auc == pytest.approx(auc(data.y, score, treatment=data.treatment))
    assert "convention 'uplift'" in display.line_.get_label()
    assert "noisy tau" in display.line_.get_label()
    assert display.band_ is None


def test_curve_band_is_the_bootstrap_percentile_band_on_a_common_grid(data, score):
    display = UpliftCurveDisplay.from_predictions(data.y, score, treatment=data.treatment, ci=True, n_resamples=30,
                                                  n_grid=21,
                                                  random_state=3)
    grid = np.linspace(0, 1, 21)
    samples = []
    for rows in bootstrap_indices(len(data.y), 30, strata=data.treatment, random_state=3):
        x_b, y_b = uplift_curve(data.y[rows], score[rows], treatment=data.treatment[rows])
        samples.append(np.interp(grid * x_b[-1], x_b, y_b))
    # order statistics 0.025 (B + 1) and 0.975 (B + 1), as uplift.inference.percentile_interval reads them
    low, high = np.quantile(samples, [0.025, 0.975], axis=0, method="weibull")
    np.testing.assert_allclose(display.ci_low, low)
    np.testing.assert_allclose(display.ci_high, high)
    # the drawn polygon runs along the upper and lower bounds of the band
    vertices = display.band_.get_paths()[0].vertices
    for g, lo, hi in zip(grid, low, high, strict=True):
        at_g = vertices[np.isclose(vertices[:, 0], g)][:, 1]
        assert np.isclose(at_g, lo).any() and np.isclose(at_g, hi).any()
    # the band brackets the curve at most grid points (it is a 95% band of the same curve)
    x, y = uplift_curve(data.y, score, treatment=data.treatment)
    on_grid = np.interp(grid * x[-1], x, y)
    assert ((on_grid >= low - 1e-9) & (on_grid <= high + 1e-9)).mean() >= 0.9


def test_several_models_on_one_axes_and_from_estimator(data):
    _, ax = plt.subplots()
    learner = TLearner(outcome_model=LogisticRegression()).fit(data.X, data.y, treatment=data.treatment)
    first = QiniCurveDisplay.from_estimator(learner, data.X, data.y, treatment=data.treatment, ax=ax)
    second = QiniCurveDisplay.from_predictions(data.y, data.tau, treatment=data.treatment, name="truth", ax=ax,
                                               plot_random=False, plot_perfect=False)
    assert first.line_.get_label().startswith("TLearner")
    assert second.random_line_ is None and second.perfect_line_ is None
    assert len(ax.get_lines()) == 4  # two models, one random line, one perfect curve
    _, y = qini_curve(data.y, learner.predict(data.X), treatment=data.treatment)
    np.testing.assert_allclose(first.line_.get_ydata(), y)


def test_plot_changes_no_global_style(data, score):
    before = dict(matplotlib.rcParams)
    UpliftCurveDisplay.from_predictions(data.y, score, treatment=data.treatment, ci=True, n_resamples=5, random_state=0)
    UpliftCalibrationDisplay.from_predictions(data.y, score, treatment=data.treatment)
    after = dict(matplotlib.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()


def test_importing_uplift_evaluation_does_not_import_matplotlib():
    code = ("import sys, uplift.evaluation, uplift.model_selection; "
            "print(sorted(m for m in ('matplotlib', 'xgboost') if m in sys.modules))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- calibration


def test_calibration_table_exact_on_tiny_data():
    y = [1, 0, 1, 1, 0, 0, 0, 1]
    treatment = [1, 1, 0, 0, 1, 1, 0, 0]
    score = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    table = uplift_calibration_table(y, score, treatment=treatment, n_bins=2)
    # bin 0 (scores 0.1-0.4): treated y = [1, 0], control y = [1, 1] -> uplift -0.5,
    # SE = sqrt(0.5/2 + 0/2) = 0.5; bin 1: treated [0, 0], control [0, 1] -> -0.5, SE sqrt(0 + 0.5/2)
    np.testing.assert_allclose(table["predicted"], [0.25, 0.65])
    np.testing.assert_allclose(table["observed"], [-0.5, -0.5])
    np.testing.assert_allclose(table["std_error"], [0.5, 0.5])
    np.testing.assert_allclose(table["ci_high"] - table["observed"], Z95 * 0.5)


def test_calibration_display_errorbars_hold_the_table():
    data = make_uplift_regression(3000, random_state=1)
    display = UpliftCalibrationDisplay.from_predictions(data.y, data.tau, treatment=data.treatment, n_bins=5)
    line, _caps, (bars,) = display.errorbar_.lines
    np.testing.assert_allclose(line.get_xdata(), display.table["predicted"])
    np.testing.assert_allclose(line.get_ydata(), display.table["observed"])
    segments = bars.get_segments()
    np.testing.assert_allclose([s[0][1] for s in segments], display.table["ci_low"])
    np.testing.assert_allclose([s[1][1] for s in segments], display.table["ci_high"])
    # with the true effect as the score every bin is calibrated: (observed - predicted) / SE is about
    # standard normal, so each |z| < 3.5 (P(any of 5 beyond) < 0.3%)
    z = (display.table["observed"] - display.table["predicted"]) / display.table["std_error"]
    assert len(z) == 5 and (z.abs() < 3.5).all()


def test_calibration_bad_inputs(data):
    with pytest.raises(UpliftInputError, match="score contains NaN"):
        uplift_calibration_table(data.y, np.full(len(data.y), np.nan), treatment=data.treatment)
    with pytest.raises(UpliftInputError, match="same number of rows"):
        uplift_calibration_table(data.y[:-1], data.tau, treatment=data.treatment)


# ----------------------------------------------------------------------------- percentile and balance


def test_uplift_by_percentile_bars_hold_the_table(data, score):
    _, ax = plt.subplots()
    display = UpliftByPercentileDisplay.from_predictions(data.y, score, treatment=data.treatment, n_bins=5, ax=ax)
    table = uplift_by_percentile(data.y, score, treatment=data.treatment, n_bins=5)
    bins = table.drop(index="total")
    np.testing.assert_allclose([p.get_height() for p in display.bars_.patches], bins["uplift"])
    # error bars span uplift +- 1.96 SE
    (segments,) = display.bars_.errorbar.lines[2]
    spans = np.array([[s[0][1], s[1][1]] for s in segments.get_segments()])
    np.testing.assert_allclose(spans[:, 0], bins["uplift"] - Z95 * bins["std_error"])
    np.testing.assert_allclose(spans[:, 1], bins["uplift"] + Z95 * bins["std_error"])
    np.testing.assert_allclose(display.treated_line_.get_ydata(), bins["mean_treatment"])
    np.testing.assert_allclose(display.control_line_.get_ydata(), bins["mean_control"])
    assert display.total_line_.get_ydata()[0] == pytest.approx(table.loc["total", "uplift"])
    assert [t.get_text() for t in ax.get_xticklabels()] == list(bins.index)


def test_treatment_balance_line_holds_the_curve(data, score):
    display = TreatmentBalanceDisplay.from_predictions(score, treatment=data.treatment, window=300)
    x, share = treatment_balance_curve(score, treatment=data.treatment, window=300)
    np.testing.assert_allclose(display.line_.get_xdata(), x / x[-1])
    np.testing.assert_allclose(display.line_.get_ydata(), share)
    assert display.overall_line_.get_ydata()[0] == pytest.approx(data.treatment.mean())


def test_displays_from_estimator_use_the_predicted_effect(data):
    learner = TLearner(outcome_model=LogisticRegression()).fit(data.X, data.y, treatment=data.treatment)
    effect = learner.predict(data.X)
    balance = TreatmentBalanceDisplay.from_estimator(learner, data.X, treatment=data.treatment, window=300)
    np.testing.assert_allclose(balance.line_.get_ydata(), treatment_balance_curve(effect, treatment=data.treatment,
                                                                                  window=300)[1])
    deciles = UpliftByPercentileDisplay.from_estimator(learner, data.X, data.y, treatment=data.treatment)
    assert deciles.table.equals(uplift_by_percentile(data.y, effect, treatment=data.treatment))
    calibration = UpliftCalibrationDisplay.from_estimator(learner, data.X, data.y, treatment=data.treatment)
    assert calibration.table.equals(uplift_calibration_table(data.y, effect, treatment=data.treatment))
    assert "TLearner" in calibration.errorbar_.get_label()
