"""Exact values of every curve and score on tiny hand-computed arrays, in each convention, and bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from uplift.evaluation import (
    chunked_auc_scores,
    lift_curve,
    perfect_qini_curve,
    perfect_uplift_curve,
    qini_auc_score,
    qini_curve,
    rate_score,
    toc_curve,
    treatment_balance_curve,
    uplift_at_k,
    uplift_auc_score,
    uplift_by_percentile,
    uplift_curve,
    weighted_average_uplift,
)
from uplift.exceptions import UpliftInputError, UpliftWarning

# Six customers. Ranked by S: r0 (treated, y=1), r2 (control, 1), r4 (treated, 1), r5 (control, 0),
# r3 (control, 0), r1 (treated, 0).
Y = np.array([1, 0, 1, 0, 1, 0])
T = np.array([1, 1, 0, 0, 1, 0])
S = np.array([0.9, 0.1, 0.8, 0.2, 0.7, 0.3])


def test_qini_curve_by_hand():
    # k=1: Y_t=1, no control yet -> 1; k=2: 1 - 1*1/1 = 0; k=3: 2 - 1*2/1 = 0; k=4: 2 - 1*2/2 = 1;
    # k=5: 2 - 1*2/3 = 4/3; k=6: 2 - 1*3/3 = 1 (= total incremental outcome)
    x, y = qini_curve(Y, S, treatment=T)
    np.testing.assert_array_equal(x, [0, 1, 2, 3, 4, 5, 6])
    np.testing.assert_allclose(y, [0, 1, 0, 0, 1, 4 / 3, 1])


def test_uplift_lift_toc_curves_by_hand():
    # lift(k) = mean_t - mean_c: k=2: 1-1=0; k=3: 1-1=0; k=4: 1-1/2; k=5: 1-1/3; k=6: 2/3-1/3
    x, y = uplift_curve(Y, S, treatment=T)
    np.testing.assert_array_equal(x, [0, 1, 2, 3, 4, 5, 6])
    np.testing.assert_allclose(y, [0, 1, 0, 0, 2, 10 / 3, 2])  # lift * k; k=1 counts the empty control as 0
    x, lift = lift_curve(Y, S, treatment=T)
    np.testing.assert_array_equal(x, [2, 3, 4, 5, 6])
    np.testing.assert_allclose(lift, [0, 0, 1 / 2, 2 / 3, 1 / 3])
    x, toc = toc_curve(Y, S, treatment=T)
    np.testing.assert_allclose(toc, np.array([0, 0, 1 / 2, 2 / 3, 1 / 3]) - 1 / 3)


def test_perfect_curves_by_hand():
    # Qini: treated responders (r0, r4) first, then non-responders (r1, r3, r5), control responder r2 last.
    x, y = perfect_qini_curve(Y, treatment=T)
    np.testing.assert_array_equal(x, [0, 2, 5, 6])
    np.testing.assert_allclose(y, [0, 2, 2, 1])
    # Uplift: control responders (1) are not more than treated non-responders (1), so the order is
    # treated responders, control non-responders, treated non-responders, control responders.
    x, y = perfect_uplift_curve(Y, treatment=T)
    np.testing.assert_array_equal(x, [0, 2, 4, 5, 6])
    np.testing.assert_allclose(y, [0, 2, 4, 10 / 3, 2])


def test_qini_auc_score_each_convention_by_hand():
    # uplift / sklift: area 0.5+0.5+0+0.5+7/6+7/6 = 23/6, random 6*1/2 = 3, perfect 2+6+1.5 = 9.5
    expected = (23 / 6 - 3) / (9.5 - 3)
    assert qini_auc_score(Y, S, treatment=T) == pytest.approx(expected, rel=1e-12)
    assert qini_auc_score(Y, S, treatment=T, convention="sklift") == pytest.approx(expected, rel=1e-12)
    # causalml: per-row Qini [0, nan->0, 0, 0, 1, 4/3, 1] / |1|; (sum - sum(linspace(0, 1, 7))) / 7
    assert qini_auc_score(Y, S, treatment=T, convention="causalml") == pytest.approx((10 / 3 - 3.5) / 7, rel=1e-12)
    # grf QINI on IPW scores (e = 1/2): Gamma = [2, -2, 2, 0, 0, 0] in rank order, ATE = 1/3,
    # TOC_j = cumsum/j - 1/3 = [5/3, -1/3, 1/3, 1/6, 1/15, 0]; QINI = sum (j/6) TOC_j / 6 = 1/12
    assert qini_auc_score(Y, S, treatment=T, convention="grf") == pytest.approx(1 / 12, rel=1e-12)


def test_uplift_auc_score_each_convention_by_hand():
    # uplift / sklift: area 0.5+0.5+0+1+8/3+8/3 = 22/3, random 6, perfect 2+6+11/3+8/3 = 43/3
    expected = (22 / 3 - 6) / (43 / 3 - 6)
    assert uplift_auc_score(Y, S, treatment=T) == pytest.approx(expected, rel=1e-12)
    assert uplift_auc_score(Y, S, treatment=T, convention="sklift") == pytest.approx(expected, rel=1e-12)
    # causalml: gain [0, 0, 0, 0, 2, 10/3, 2] / 2, mean over 7 points
    assert uplift_auc_score(Y, S, treatment=T, convention="causalml") == pytest.approx((11 / 3) / 7, rel=1e-12)
    with pytest.raises(UpliftInputError, match="grf defines no area"):
        uplift_auc_score(Y, S, treatment=T, convention="grf")


def test_rate_point_by_hand():
    # AUTOC = mean TOC = (5/3 - 1/3 + 1/3 + 1/6 + 1/15 + 0) / 6 = 1.9 / 6
    assert rate_score(Y, S, treatment=T, n_resamples=2, random_state=0).estimate == pytest.approx(1.9 / 6, rel=1e-12)
    assert rate_score(Y, S, treatment=T, target="QINI", n_resamples=2, random_state=0).estimate == pytest.approx(1 / 12)


def test_ties_are_one_segment():
    # Block {r0 (t, y=1), r1 (c, 0)} then block {r2 (t, 0), r3 (c, 1)}: two points after the origin.
    y, t, s = [1, 0, 0, 1], [1, 0, 1, 0], [1, 1, 0, 0]
    x, q = qini_curve(y, s, treatment=t)
    np.testing.assert_array_equal(x, [0, 2, 4])
    np.testing.assert_allclose(q, [0, 1, 0])


def test_uplift_at_k_by_hand_with_straddling_tie():
    # s ranks r0 (t, 1) | {r1 (t, 0), r2 (c, 1)} | r3 (c, 0). Top 2 = r0 + half the tie block:
    # n_t = 1.5, y_t = 1, n_c = 0.5, y_c = 0.5 -> 1/1.5 - 1 = -1/3
    y, t, s = [1, 0, 1, 0], [1, 1, 0, 0], [2, 1, 1, 0]
    assert uplift_at_k(y, s, treatment=t, k=0.5) == pytest.approx(-1 / 3)
    # by group: top treated row r0 (mean 1); top control row r2 (mean 1)
    assert uplift_at_k(y, s, treatment=t, k=0.5, strategy="by_group") == pytest.approx(0.0)
    assert uplift_at_k(y, s, treatment=t, k=1.0) == pytest.approx(0.0)


def test_uplift_at_k_conventions_by_hand():
    # issue 9, finding 16. Ranked: r0 (t, 1), r1 (c, 0), r2 (t, 0), r3 (c, 1), r4 (t, 1). by_group, k = 0.5:
    # "uplift" cuts at 1.5 treated rows (r0 + half of r2: 1 / 1.5) and 1 control row (r1: 0) -> 2/3;
    # "sklift" cuts at int(1.5) = 1 treated row (r0: 1) and int(1) = 1 control row (r1: 0) -> 1.
    y, t, s = [1, 0, 0, 1, 1], [1, 0, 1, 0, 1], [5, 4, 3, 2, 1]
    assert uplift_at_k(y, s, treatment=t, k=0.5, strategy="by_group") == pytest.approx(2 / 3)
    assert uplift_at_k(y, s, treatment=t, k=0.5, strategy="by_group", convention="sklift") == pytest.approx(1.0)
    # overall, k = 0.5: "uplift" takes 2.5 rows (r0, r1, half of r2): 1 / 1.5 - 0; "sklift" int(2.5) = 2 rows
    assert uplift_at_k(y, s, treatment=t, k=0.5) == pytest.approx(2 / 3)
    assert uplift_at_k(y, s, treatment=t, k=0.5, convention="sklift") == pytest.approx(1.0)
    # sklift's order for tied rows: reverse input order (a reversed stable sort)
    assert uplift_at_k([1, 0, 0, 1], [1, 1, 1, 1], treatment=[1, 1, 0, 0], k=0.5, strategy="by_group",
                       convention="sklift") == pytest.approx(0.0 - 1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"convention": "causalml"}, "defines no uplift at k"),
        ({"convention": "grf"}, "defines no uplift at k"),
        ({"convention": "sklift", "sample_weight": [1] * 6}, "no sample weights"),
        ({"convention": "sklift", "y_true": [0.5, 1, 0, 0, 1, 0]}, "must be binary"),
        ({"convention": "sklearn"}, "convention must be one of"),
    ],
)
def test_uplift_at_k_bad_convention(kwargs, message):
    arguments = {"y_true": Y, "score": S, "treatment": T} | kwargs
    with pytest.raises(UpliftInputError, match=message):
        uplift_at_k(arguments.pop("y_true"), arguments.pop("score"), treatment=arguments.pop("treatment"), **arguments)


def test_normalised_areas_warn_when_undefined():
    # issue 9: qini_auc_score with an all-zero outcome returned NaN without a word
    y, s, t = np.zeros(6), S, T
    for metric in (qini_auc_score, uplift_auc_score):
        for convention in ("uplift", "sklift", "causalml"):
            with pytest.warns(UpliftWarning, match="undefined .NaN.: on these data the perfect ranking"):
                assert np.isnan(metric(y, s, treatment=t, convention=convention))
    with pytest.warns(UpliftWarning, match="is undefined") as records:
        result = chunked_auc_scores([(y.astype(int), s, t)])
    assert np.isnan(result["qini"]) and np.isnan(result["uplift"])
    assert {str(r.message).split()[0] for r in records} == {"qini_auc_score", "uplift_auc_score"}


@pytest.mark.parametrize("step", [0, -3, 2.5, True])
def test_chunked_rejects_a_bad_step(step):
    # issue 9: step=0 crashed inside numpy slicing
    with pytest.raises(UpliftInputError, match="step must be a positive integer"):
        chunked_auc_scores([(Y, S, T)], step=step)


def test_uplift_at_k_warns_when_an_arm_is_missing_at_the_top():
    with pytest.warns(UpliftWarning, match="no control customer"):
        assert np.isnan(uplift_at_k([1, 0, 1, 0], [4, 3, 2, 1], treatment=[1, 1, 0, 0], k=0.25))


def test_uplift_by_percentile_by_hand():
    y = [1, 0, 1, 0, 1, 0, 0, 1]
    s = [4, 3, 2, 1, 4, 3, 2, 1]
    t = [1, 0, 1, 0, 0, 1, 0, 1]
    table = uplift_by_percentile(y, s, treatment=t, n_bins=2)
    # top half: treated r0 (1), r5 (0); control r4 (1), r1 (0) -> 0.5 - 0.5
    # bottom: treated r2 (1), r7 (1); control r6 (0), r3 (0) -> 1 - 0
    np.testing.assert_allclose(table["uplift"], [0.0, 1.0, 0.5])
    np.testing.assert_allclose(table["n_treatment"], [2, 2, 4])
    # SE of the top bin: sqrt(.25/2 + .25/2); of the total: p_t = .75, p_c = .25 -> sqrt(2 * .1875 / 4)
    np.testing.assert_allclose(table["std_error"].iloc[0], np.sqrt(0.25))
    np.testing.assert_allclose(table["std_error"].iloc[-1], np.sqrt(2 * 0.1875 / 4))
    assert list(table.index) == ["0-50", "50-100", "total"]
    # weighted by treated bin sizes: (2 * 0 + 2 * 1) / 4
    assert weighted_average_uplift(y, s, treatment=t, n_bins=2) == pytest.approx(0.5)


def test_uplift_by_percentile_continuous_standard_error():
    y = [3.0, 1.0, 2.0, 0.0]
    t = [1, 1, 0, 0]
    table = uplift_by_percentile(y, [1, 1, 1, 1], treatment=t, n_bins=1)
    # treated: mean 2, plug-in variance 1 -> SE sqrt(1/2); control: mean 1, variance 1 -> sqrt(1/2)
    np.testing.assert_allclose(table.loc["total", ["uplift", "std_error"]], [1.0, 1.0])


def test_treatment_balance_curve_by_hand_with_ties():
    x, share = treatment_balance_curve([4, 3, 3, 1], treatment=[1, 1, 0, 0], window=2)
    # the tie block {r1 (t), r2 (c)} counts 0.5 treated per row
    np.testing.assert_array_equal(x, [2, 3, 4])
    np.testing.assert_allclose(share, [0.75, 0.5, 0.25])


def test_weights_equal_repeated_rows():
    weights = np.array([2, 1, 1, 3, 1, 2])
    repeated = np.repeat(np.arange(6), weights)
    weighted = qini_auc_score(Y, S, treatment=T, sample_weight=weights)
    assert weighted == pytest.approx(qini_auc_score(Y[repeated], S[repeated], treatment=T[repeated]))
    np.testing.assert_allclose(qini_curve(Y, S, treatment=T, sample_weight=weights)[1],
                               qini_curve(Y[repeated], S[repeated], treatment=T[repeated])[1])


def test_multi_arm_selects_the_arm_and_its_column():
    treatment = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    y = np.array([0, 1, 1, 0, 0, 1, 1, 1])
    scores = np.column_stack([np.arange(8.0), -np.arange(8.0)])
    keep = treatment != 2
    expected = qini_auc_score(y[keep], scores[keep, 0], treatment=(treatment[keep] == 1).astype(int))
    assert qini_auc_score(y, scores, treatment=treatment, control_value=0, treatment_value=1) == pytest.approx(expected)


def test_chunked_equals_in_memory():
    rng = np.random.default_rng(3)
    y, t = rng.integers(0, 2, 3000), rng.integers(0, 2, 3000)
    s = rng.integers(0, 40, 3000) / 7 + 0.1 * y * t
    chunks = [(y[i:i + 500], s[i:i + 500], t[i:i + 500]) for i in range(0, 3000, 500)]
    result = chunked_auc_scores(chunks, step=50)
    assert result["qini"] == pytest.approx(qini_auc_score(y, s, treatment=t), rel=1e-10)
    assert result["uplift"] == pytest.approx(uplift_auc_score(y, s, treatment=t), rel=1e-10)
    assert result["n_samples"] == 3000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"treatment": [0, 1, 2, 0, 1, 2]}, "Pass control_value"),
        ({"treatment": [0, 1, 2, 0, 1, 2], "control_value": 0}, "pass treatment_value"),
        ({"y_true": [1, 0, 1]}, "same number of rows"),
        ({"score": [np.nan] * 6}, "all 6 values of score are NaN"),
        ({"score": [np.nan, 1, 2, 3, 4, 5]}, "1 NaN"),
        ({"treatment": [1] * 6}, "at least two distinct values"),
        ({"convention": "sklearn"}, "convention must be one of"),
        ({"convention": "sklift", "y_true": [0.5, 1, 0, 0, 1, 0]}, "must be binary"),
        ({"convention": "sklift", "sample_weight": [1] * 6}, "no sample weights"),
    ],
)
def test_bad_input(kwargs, message):
    arguments = {"y_true": Y, "score": S, "treatment": T} | kwargs
    with pytest.raises(UpliftInputError, match=message):
        qini_auc_score(arguments.pop("y_true"), arguments.pop("score"), treatment=arguments.pop("treatment"),
                       **arguments)


@pytest.mark.parametrize("k", [0, -0.1, 1.5, "a"])
def test_k_outside_unit_interval(k):
    with pytest.raises(UpliftInputError, match="k must be"):
        uplift_at_k(Y, S, treatment=T, k=k)


def test_chunked_rejects_continuous_outcome_and_missing_arm():
    with pytest.raises(UpliftInputError, match="must be binary"):
        chunked_auc_scores([(np.array([0.5, 1.0]), np.array([1.0, 2.0]), np.array([0, 1]))])
    with pytest.raises(UpliftInputError, match="control arm has no rows"):
        chunked_auc_scores([(np.array([0, 1]), np.array([1.0, 2.0]), np.array([1, 1]))])


def test_percentile_table_rejects_bad_bins():
    with pytest.raises(UpliftInputError, match="bins must be a positive integer"):
        uplift_by_percentile(Y, S, treatment=T, n_bins=0)
    assert isinstance(uplift_by_percentile(Y, S, treatment=T, n_bins=3), pd.DataFrame)


def test_metrics_never_import_plotting_or_heavy_libraries():
    code = (
        "import sys, uplift.evaluation\n"
        "heavy = [m for m in ('matplotlib', 'xgboost', 'causalml', 'sklift') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rate_multi_arm_keeps_per_row_inputs_aligned():
    rng = np.random.default_rng(8)
    n = 90
    treatment = np.tile([0, 1, 2], n // 3)
    y, score = rng.normal(size=n), rng.normal(size=n)
    outcomes = rng.normal(size=(n, 3))  # control, arm 1, arm 2 (as predict_outcomes)
    propensity = rng.uniform(0.3, 0.7, n)
    groups = np.arange(n) // 2
    keep = treatment != 1
    full = rate_score(y, score, treatment=treatment, control_value=0, treatment_value=2, outcome_predictions=outcomes,
                      propensity=propensity, groups=groups, n_resamples=20, random_state=1)
    subset = rate_score(y[keep], score[keep], treatment=(treatment[keep] == 2).astype(int),
                        outcome_predictions=outcomes[keep][:, [0, 2]], propensity=propensity[keep],
                        groups=groups[keep], n_resamples=20, random_state=1)
    assert full.estimate == pytest.approx(subset.estimate)
    assert full.std_error == pytest.approx(subset.std_error)


def test_labels_print_plainly_in_messages():
    # issue 9: arm labels were printed as np.int64(0)
    treatment = np.array([0, 1, 2, 0, 1, 2])
    with pytest.raises(UpliftInputError, match=r"treatment_value=5 is not a treated arm; the treated arms are "
                                               r"\[1, 2\] \(control: 0\)"):
        qini_auc_score(Y, S, treatment=treatment, control_value=np.int64(0), treatment_value=np.int64(5))
    with pytest.raises(UpliftInputError, match=r"besides the control 0 and the treated arm 1;"):
        chunked_auc_scores([(Y, S, treatment)], control_value=np.int64(0), treatment_value=np.int64(1))


def _reference_binary_sums(score, group):
    from uplift.evaluation._ranking import binary_group_sums

    return binary_group_sums([np.sort(score[group == k]) for k in range(4)])


@pytest.mark.parametrize("case", ["mixed signs with ties", "signed zeros", "float32", "wide span", "all distinct"])
def test_packed_keys_rank_exactly_like_the_merge(case):
    # issue 14 item 6: the packed (magnitude, group) keys must give the very sums of the four-run merge
    from uplift.evaluation._ranking import packed_group_sums, packed_ranking

    rng = np.random.default_rng(7)
    n = 500
    group = rng.integers(0, 4, n).astype(np.uint8)
    score = {
        "mixed signs with ties": rng.integers(-5, 6, n) / 4,
        "signed zeros": np.where(rng.random(n) < 0.5, 0.0, -0.0) * rng.integers(0, 2, n),
        "float32": (rng.normal(size=n) * 3).astype(np.float32),
        "wide span": np.r_[1e-300, 1e300, rng.random(n - 2)],
        "all distinct": rng.random(n),
    }[case]
    expected = _reference_binary_sums(score, group)
    if case == "wide span":  # 1e-300 and 1e300 leave no two spare bits: the merge is used instead
        assert packed_ranking(score, group) is None
        return
    sums = packed_group_sums(score, group)
    for field in ("score", "count", "n_treated", "n_control", "y_treated", "y_control"):
        np.testing.assert_array_equal(getattr(sums, field), getattr(expected, field), err_msg=field)


@pytest.mark.parametrize("ties", [False, True])
def test_streamed_area_equals_the_full_curve_across_windows(monkeypatch, ties):
    # windows of 7 rows, cut at tie-block ends; unit weights take the arg-sort path, the reference here
    from uplift.evaluation import _conventions

    monkeypatch.setattr(_conventions, "WINDOW", 7)
    rng = np.random.default_rng(8)
    y, t = rng.integers(0, 2, 300), rng.integers(0, 2, 300)
    s = rng.integers(0, 30, 300) / 3 - 4 if ties else rng.normal(size=300)
    for metric in (qini_auc_score, uplift_auc_score):
        assert metric(y, s, treatment=t) == pytest.approx(metric(y, s, treatment=t, sample_weight=np.ones(300)),
                                                        rel=1e-12)


def test_scores_of_one_sign_only_rank_like_their_shift():
    # Regression: with every score negative the packed-key ranking took the minimum of an empty
    # array (the non-negative part) and raised. A monotone shift must not change any score.
    from uplift.evaluation import qini_auc_score, uplift_at_k, uplift_auc_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    treatment = rng.integers(0, 2, 200)
    score = np.round(rng.random(200), 2)  # ties included
    # increasing transforms: all negative, all negative (non-linear), all positive
    for transformed in (score - 5.0, -1.0 / (score + 1.0), score + 3.0):
        for metric in (qini_auc_score, uplift_auc_score):
            assert metric(y, transformed, treatment=treatment) == pytest.approx(metric(y, score, treatment=treatment),
                                                                           abs=1e-12)
        assert uplift_at_k(y, transformed, treatment=treatment, k=0.3) == pytest.approx(
            uplift_at_k(y, score, treatment=treatment, k=0.3), abs=1e-12)


def test_a_perfect_area_that_is_zero_up_to_rounding_is_undefined():
    # Found by the property suite: with outcomes 0 and 1/3, every control outcome 0 and one tie
    # block, the perfect uplift curve's area above random is rounding error; dividing by it gave -0.0
    # (any number is possible) where the score is undefined.
    third = 1.0 / 3.0
    y = np.array([third, third, third, 0, third, third, 0, 0, third, 0, 0, third, third, third, 0, 0, third,
                  0, 0, third, third, third, third, third, third])
    treatment = np.array([1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1])
    with pytest.warns(UpliftWarning, match="is undefined"):
        assert np.isnan(uplift_auc_score(y, np.zeros(len(y)), treatment=treatment))
