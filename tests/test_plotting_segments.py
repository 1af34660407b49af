"""Displays of calibration (GATES), segments and permutation importance hold the numbers they plot."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from uplift.datasets import make_uplift_classification
from uplift.evaluation import gates
from uplift.learners import CalibratedLearner, TLearner
from uplift.plotting import PermutationImportanceDisplay, SegmentTreeDisplay, UpliftCalibrationDisplay
from uplift.segments import PermutationImportance, Segment, SegmentTree

matplotlib.use("Agg")


def test_gates_display_plots_the_group_effects():
    result = gates([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], n_groups=2)
    display = UpliftCalibrationDisplay.from_gates(result, name="model")
    x, y = display.errorbar_.lines[0].get_data()
    np.testing.assert_allclose(x, [2.0, 5.0])
    np.testing.assert_allclose(y, [2.0, 5.0])
    assert display.table["bin"].tolist() == [0, 1]


def test_calibrated_learner_display_raw_and_calibrated():
    data = make_uplift_classification(1500, 5, random_state=0)
    learner = CalibratedLearner(TLearner(LogisticRegression()), cv=3).fit(data.X, data.y, treatment=data.treatment)
    raw = UpliftCalibrationDisplay.from_calibrated_learner(learner, calibrated=False)
    calibrated = UpliftCalibrationDisplay.from_calibrated_learner(learner, ax=raw.ax_)
    np.testing.assert_allclose(raw.errorbar_.lines[0].get_xdata(), learner.gates().table["predicted"])
    np.testing.assert_allclose(calibrated.errorbar_.lines[0].get_xdata(),
                               learner.gates(calibrated=True).table["predicted"])
    labels = raw.ax_.get_legend_handles_labels()[1]
    assert any("TLearner, raw" in label for label in labels) and any("calibrated" in label for label in labels)


def test_segment_display_is_a_forest_plot_of_the_table():
    segments = (Segment((("x0", "<=", 1.0),), 50, 40, 0.2, 0.05, 0.1, 0.3, 0.2),
                Segment((("x0", ">", 1.0),), 50, 60, -0.1, 0.05, -0.2, 0.0, -0.1))
    display = SegmentTreeDisplay(tree=SegmentTree(segments, 1, 0.05, 100, 100, ("x0",))).plot()
    x, y = display.errorbar_.lines[0].get_data()
    np.testing.assert_allclose(x, [0.2, -0.1])
    assert list(y) == [1, 0]  # the largest effect on top
    labels = [label.get_text() for label in display.ax_.get_yticklabels()]
    assert labels == ["x0 <= 1 (n=40)", "x0 > 1 (n=60)"]


def test_importance_display_bars_hold_the_drops():
    import pandas as pd

    table = pd.DataFrame({"feature": ["a", "b"], "drop": [0.3, 0.01], "std": [0.1, 0.1], "ci_low": [0.2, -0.05],
                          "ci_high": [0.4, 0.07]})
    importance = PermutationImportance(table, 0.5, np.zeros((2, 3)), "qini_auc_score", 0.05)
    display = PermutationImportanceDisplay(importance=importance).plot()
    assert [bar.get_width() for bar in display.bars_] == pytest.approx([0.3, 0.01])
    assert [label.get_text() for label in display.ax_.get_yticklabels()] == ["a", "b"]


def test_importance_display_draws_an_interval_that_misses_the_drop():
    # a bootstrap percentile interval need not contain the point estimate: drawn from ci_low to ci_high
    import pandas as pd

    table = pd.DataFrame({"feature": ["a"], "drop": [0.3], "std": [0.1], "ci_low": [0.32], "ci_high": [0.5]})
    importance = PermutationImportance(table, 0.5, np.zeros((1, 1)), "qini_auc_score", 0.05, "bootstrap")
    display = PermutationImportanceDisplay(importance=importance).plot()
    segment = display.errorbars_.lines[2][0].get_segments()[0]
    np.testing.assert_allclose(segment[:, 0], [0.32, 0.5])
