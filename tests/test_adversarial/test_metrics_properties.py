"""Property tests of the metrics against a plain reference written here (issue 9, "a suite that keeps it so").

Each generated experiment either gives a result equal to the reference below (a direct reading of the
formulas in docs/metrics.md, one threshold at a time, no sorting tricks), invariant to the order of the
rows and to strictly increasing transforms of the score, with curves ending at their documented end
points, or a bad input gives an UpliftInputError that names the argument.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from uplift.evaluation import (
    qini_auc_score,
    qini_curve,
    uplift_at_k,
    uplift_auc_score,
    uplift_curve,
)
from uplift.exceptions import UpliftInputError, UpliftWarning

SETTINGS = settings(max_examples=50, deadline=None)  # the file runs in ~5 s of CPU


@st.composite
def experiments(draw, binary=None, weighted=None):
    """Small experiments with both arms, tied scores, binary or continuous outcomes, optional weights."""
    n = draw(st.integers(2, 30))
    treatment = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    assume(0 < treatment.sum() < n)
    is_binary = draw(st.booleans()) if binary is None else binary
    if is_binary:
        y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), dtype=float)
    else:
        y = np.array(draw(st.lists(st.integers(-6, 6), min_size=n, max_size=n)), dtype=float) / 3
    score = np.array(draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)), dtype=float) / 2
    has_weights = draw(st.booleans()) if weighted is None else weighted
    weight = np.array(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)), dtype=float) if has_weights else None
    permutation = np.array(draw(st.permutations(range(n))))
    return y, score, treatment, weight, permutation


# ------------------------------------------------------------------------------------------ reference


def reference_sums(y, score, treatment, weight, order_by):
    """Counts and outcome sums of each arm among the rows scored at least each distinct value (top down)."""
    weight = np.ones(len(y)) if weight is None else weight
    points = [(0.0, 0.0, 0.0, 0.0, 0.0)]
    for threshold in sorted(set(order_by.tolist()), reverse=True):
        top = order_by >= threshold
        treated, control = top & (treatment == 1), top & (treatment == 0)
        points.append((weight[top].sum(), weight[treated].sum(), weight[control].sum(),
                       (weight * y)[treated].sum(), (weight * y)[control].sum()))
    return np.array(points).T  # count, n_t, n_c, y_t, y_c


def reference_qini(y, score, treatment, weight=None, order_by=None):
    count, n_t, n_c, y_t, y_c = reference_sums(y, score, treatment, weight, score if order_by is None else order_by)
    values = [yt - (yc * nt / nc if nc > 0 else 0.0) for nt, nc, yt, yc in zip(n_t, n_c, y_t, y_c, strict=True)]
    return count, np.array(values)


def reference_gain(y, score, treatment, weight=None, order_by=None):
    count, n_t, n_c, y_t, y_c = reference_sums(y, score, treatment, weight, score if order_by is None else order_by)
    values = [((yt / nt if nt > 0 else 0.0) - (yc / nc if nc > 0 else 0.0)) * k
              for k, nt, nc, yt, yc in zip(count, n_t, n_c, y_t, y_c, strict=True)]
    return count, np.array(values)


def reference_area_score(curve, y, score, treatment, weight, perfect_score):
    """(A - A_random) / (A_perfect - A_random), trapezoid areas, random = straight line to the end point."""
    x, values = curve(y, score, treatment, weight)
    x_perfect, values_perfect = curve(y, score, treatment, weight, order_by=perfect_score)
    random_area = x_perfect[-1] * values_perfect[-1] / 2
    perfect_total = np.trapezoid(values_perfect, x_perfect)
    perfect_area = perfect_total - random_area
    if abs(perfect_area) <= 1e-12 * (abs(perfect_total) + abs(random_area)):  # zero up to rounding: undefined
        return float("nan")
    return (np.trapezoid(values, x) - random_area) / perfect_area


def perfect_qini_score(y, treatment):
    return np.where(treatment == 1, y, -y)


def perfect_gain_score(y, treatment, weight):
    if not set(np.unique(y)) <= {0.0, 1.0}:
        return perfect_qini_score(y, treatment)
    weight = np.ones(len(y)) if weight is None else weight
    control_responders = weight[(y == 1) & (treatment == 0)].sum()
    treated_non_responders = weight[(y == 0) & (treatment == 1)].sum()
    summand = y if control_responders > treated_non_responders else treatment
    return 2.0 * (y == treatment) + summand


def reference_uplift_at_k_sklift(y, score, treatment, k, strategy):
    """scikit-uplift's rule read plainly: reversed stable sort, the first int(n k) rows (of each arm)."""
    order = list(reversed(sorted(range(len(y)), key=lambda i: score[i])))  # sorted() is stable
    if strategy == "overall":
        top = order[: int(len(y) * k)]
        treated = [y[i] for i in top if treatment[i] == 1]
        control = [y[i] for i in top if treatment[i] == 0]
    else:
        treated_rows = [i for i in order if treatment[i] == 1]
        control_rows = [i for i in order if treatment[i] == 0]
        treated = [y[i] for i in treated_rows[: int(len(treated_rows) * k)]]
        control = [y[i] for i in control_rows[: int(len(control_rows) * k)]]
    if not treated or not control:
        return float("nan")
    return sum(treated) / len(treated) - sum(control) / len(control)


# ------------------------------------------------------------------------------------------ properties


def _quiet(function, y_true, score, treatment, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UpliftWarning)  # degenerate draws: NaN with a warning
        return function(y_true, score, treatment=treatment, **kwargs)


@SETTINGS
@given(experiments())
def test_curves_equal_the_reference_and_end_at_the_totals(case):
    y, s, t, w, _ = case
    for ours, reference in ((qini_curve, reference_qini), (uplift_curve, reference_gain)):
        x, values = ours(y, s, treatment=t, sample_weight=w)
        x_reference, values_reference = reference(y, s, t, w)
        np.testing.assert_allclose(x, x_reference, atol=1e-9)
        np.testing.assert_allclose(values, values_reference, rtol=1e-9, atol=1e-9)
    weight = np.ones(len(y)) if w is None else w
    treated, control = t == 1, t == 0
    mean_t = (weight * y)[treated].sum() / weight[treated].sum()
    mean_c = (weight * y)[control].sum() / weight[control].sum()
    x, qini = qini_curve(y, s, treatment=t, sample_weight=w)
    assert x[0] == 0 and qini[0] == 0 and x[-1] == pytest.approx(weight.sum())
    # documented end points: the total incremental outcome, and n times the difference in means
    assert qini[-1] == pytest.approx(weight[treated].sum() * (mean_t - mean_c), abs=1e-9)
    assert uplift_curve(y, s, treatment=t, sample_weight=w)[1][-1] == pytest.approx(weight.sum() * (mean_t - mean_c),
                                                                                    abs=1e-9)


@SETTINGS
@given(experiments())
def test_area_scores_equal_the_reference(case):
    y, s, t, w, _ = case
    expected_qini = reference_area_score(reference_qini, y, s, t, w, perfect_qini_score(y, t))
    expected_gain = reference_area_score(reference_gain, y, s, t, w, perfect_gain_score(y, t, w))
    np.testing.assert_allclose(_quiet(qini_auc_score, y, s, t, sample_weight=w), expected_qini, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(_quiet(uplift_auc_score, y, s, t, sample_weight=w), expected_gain, rtol=1e-9,
                               atol=1e-9)


@SETTINGS
@given(experiments(binary=True, weighted=False), st.sampled_from([0.1, 0.25, 0.5, 0.9]),
       st.sampled_from(["overall", "by_group"]))
def test_uplift_at_k_sklift_equals_the_reference(case, k, strategy):
    y, s, t, _, _ = case
    expected = reference_uplift_at_k_sklift(y, s, t, k, strategy)
    np.testing.assert_allclose(_quiet(uplift_at_k, y, s, t, k=k, strategy=strategy, convention="sklift"), expected,
                               rtol=1e-12, atol=1e-12)


@SETTINGS
@given(experiments(), st.sampled_from([0.2, 0.5, 1.0]))
def test_row_order_and_monotone_transforms_change_nothing(case, k):
    y, s, t, w, p = case
    transformed = np.exp(s) * 7 - 3  # strictly increasing
    w_p = None if w is None else w[p]
    for metric, kwargs in ((qini_auc_score, {}), (uplift_auc_score, {}), (uplift_at_k, {"k": k}),
                           (uplift_at_k, {"k": k, "strategy": "by_group"})):
        value = _quiet(metric, y, s, t, sample_weight=w, **kwargs)
        np.testing.assert_allclose(_quiet(metric, y[p], s[p], t[p], sample_weight=w_p, **kwargs), value,
                                   rtol=1e-9, atol=1e-12, err_msg=f"{metric.__name__} {kwargs}: row order")
        np.testing.assert_allclose(_quiet(metric, y, transformed, t, sample_weight=w, **kwargs), value,
                                   rtol=1e-9, atol=1e-12, err_msg=f"{metric.__name__} {kwargs}: transform")
        # every score of one sign (a model whose effects are all negative, or all positive)
        for one_sign in (-np.exp(-s), np.exp(s)):
            np.testing.assert_allclose(_quiet(metric, y, one_sign, t, sample_weight=w, **kwargs), value,
                                       rtol=1e-9, atol=1e-12, err_msg=f"{metric.__name__} {kwargs}: one sign")
    for curve in (qini_curve, uplift_curve):
        np.testing.assert_allclose(curve(y[p], s[p], treatment=t[p], sample_weight=w_p)[1],
                                   curve(y, s, treatment=t, sample_weight=w)[1],
                                   rtol=1e-9, atol=1e-9)


@SETTINGS
@given(experiments(weighted=False), st.sampled_from(["score", "y_true"]), st.sampled_from([np.nan, np.inf]),
       st.data())
def test_non_finite_input_is_refused_naming_the_argument(case, argument, bad, data):
    y, s, t, _, _ = case
    row = data.draw(st.integers(0, len(y) - 1))
    arguments = {"y_true": y.copy(), "score": s.copy()}
    arguments[argument][row] = bad
    for metric in (qini_auc_score, uplift_auc_score, uplift_at_k, qini_curve):
        with pytest.raises(UpliftInputError, match=argument):
            metric(arguments["y_true"], arguments["score"], treatment=t)


@SETTINGS
@given(experiments(weighted=False), st.integers(1, 3))
def test_misaligned_or_one_armed_input_is_refused_naming_the_argument(case, cut):
    y, s, t, _, _ = case
    assume(len(y) > cut)
    for metric in (qini_auc_score, uplift_auc_score, uplift_at_k, uplift_curve):
        with pytest.raises(UpliftInputError, match="score"):
            metric(y, s[:-cut], treatment=t)
        with pytest.raises(UpliftInputError, match="treatment"):
            metric(y, s, treatment=t[:-cut])
        with pytest.raises(UpliftInputError, match="treatment"):
            metric(y, s, treatment=np.zeros(len(y), dtype=int))
        with pytest.raises(UpliftInputError, match="sample_weight"):
            metric(y, s, treatment=t, sample_weight=-np.ones(len(y)))
