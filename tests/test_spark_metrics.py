"""Exact metrics on Spark equal the in-process metrics on the same rows (ties included)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uplift import evaluation
from uplift.exceptions import UpliftInputError

pytestmark = pytest.mark.spark

def _table(n: int, *, seed: int, arms: int = 1, continuous: bool = False, weights: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    treatment = rng.integers(0, arms + 1, n)
    score = np.round(rng.normal(size=n), 1)  # ~60 distinct values: large tie blocks
    y = (rng.random(n) < 0.3 + 0.1 * (treatment > 0) * (score > 0)).astype(np.int64)
    frame = pd.DataFrame({"y": y.astype(np.float64) * (1 + rng.random(n)) if continuous else y,
                          "score": score, "t": treatment})
    if weights:
        frame["w"] = rng.integers(1, 4, n).astype(np.float64) / 2
    return frame


@pytest.fixture(scope="module")
def binary(spark):
    frame = _table(3000, seed=1)
    return frame, spark.createDataFrame(frame)


def _both(frame: pd.DataFrame, **kwargs) -> dict[str, float]:
    y, score, t = frame["y"], frame["score"], frame["t"]
    return {"qini": evaluation.qini_auc_score(y, score, treatment=t, **kwargs),
            "uplift": evaluation.uplift_auc_score(y, score, treatment=t, **kwargs)}


@pytest.mark.parametrize("convention", ["uplift", "sklift"])
def test_auc_scores_equal_in_process_with_ties(spark, binary, convention):
    from uplift import spark as uspark

    frame, sdf = binary
    got = uspark.auc_scores(sdf, outcome="y", score="score", treatment="t", convention=convention)
    for curve, expected in _both(frame, convention=convention).items():
        np.testing.assert_allclose(got[curve], expected, rtol=1e-12, atol=1e-15, err_msg=curve)
    assert got["n_samples"] == len(frame)


def test_weighted_continuous_multiarm_equal_in_process(spark):
    from uplift import spark as uspark

    frame = _table(2000, seed=2, arms=2, continuous=True, weights=True)
    sdf = spark.createDataFrame(frame)
    got = uspark.auc_scores(sdf, outcome="y", score="score", treatment="t", sample_weight="w",
                            control_value=0, treatment_value=2)
    expected = _both(frame, sample_weight=frame["w"], control_value=0, treatment_value=2)
    for curve in ("qini", "uplift"):
        np.testing.assert_allclose(got[curve], expected[curve], rtol=1e-12, err_msg=curve)


def test_two_pass_prefix_sums_over_range_partitions(spark, binary):
    """max_collect=7: the ~60 distinct scores go through 9 range partitions and their offsets.

    One distributed pass answers every kind of query (areas, sums at positions on each axis, curve
    points); it must equal the collected pass, which the other tests check against in-process.
    """
    from uplift.spark import _metrics

    frame, sdf = binary
    selection = _metrics._select(sdf, outcome="y", score="score", treatment="t", sample_weight=None,
                                 control_value=None, treatment_value=None, binary_outcome=False, context="test")
    n, n_treated = float(len(frame)), float((frame["t"] == 1).sum())
    queries = _metrics._Queries(sums_at=(("count", (0.0, 0.3 * n, 0.77 * n, n)), ("n_treated", (0.5 * n_treated,))),
                                curve_at=tuple(np.linspace(0.0, n, 37).tolist()))
    collected = _metrics._ranked_pass(selection.frame, _metrics._score_key(), queries, 2_000_000)
    distributed = _metrics._ranked_pass(selection.frame, _metrics._score_key(), queries, 7)
    for name in ("qini_area", "uplift_area"):
        np.testing.assert_allclose(distributed[name], collected[name], rtol=1e-12, err_msg=name)
    assert distributed["sums_at"].keys() == collected["sums_at"].keys()
    assert distributed["curve_at"].keys() == collected["curve_at"].keys() and len(collected["curve_at"]) == 37
    for key in ("sums_at", "curve_at"):
        for name, values in collected[key].items():
            np.testing.assert_allclose(distributed[key][name], values, rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("strategy", ["overall", "by_group"])
def test_uplift_at_k_equal_in_process(spark, binary, strategy):
    from uplift import spark as uspark

    frame, sdf = binary
    for k in (0.05, 0.77):
        expected = evaluation.uplift_at_k(frame["y"], frame["score"], treatment=frame["t"], k=k, strategy=strategy)
        got = uspark.uplift_at_k(sdf, outcome="y", score="score", treatment="t", k=k, strategy=strategy)
        np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=f"k={k}")


def test_qini_curve_equals_in_process(spark, binary):
    from uplift import spark as uspark

    frame, sdf = binary
    x_exact, y_exact = evaluation.qini_curve(frame["y"], frame["score"], treatment=frame["t"])
    x, y = uspark.qini_curve(sdf, outcome="y", score="score", treatment="t", n_points=None)
    np.testing.assert_array_equal(x, x_exact)
    np.testing.assert_allclose(y, y_exact, rtol=1e-12, atol=1e-12)
    x, y = uspark.qini_curve(sdf, outcome="y", score="score", treatment="t", n_points=37)
    np.testing.assert_array_equal(x, np.linspace(0, len(frame), 37))
    np.testing.assert_allclose(y, np.interp(x, x_exact, y_exact), rtol=1e-12, atol=1e-12)
    assert y[-1] == pytest.approx(y_exact[-1], rel=1e-12)


def test_hand_computed_qini(spark):
    from uplift import spark as uspark

    # the in-process doctest: perfect ranking scores 1
    sdf = spark.createDataFrame(pd.DataFrame({"y": [1, 0, 1, 0, 1, 0], "s": [1.0, 0, -1, 0, 1, 0],
                                              "t": [1, 1, 0, 0, 1, 0]}))
    assert uspark.qini_auc_score(sdf, outcome="y", score="s", treatment="t") == pytest.approx(1.0, abs=1e-15)


def test_bad_inputs_are_named(spark, binary):
    from uplift import spark as uspark

    frame, sdf = binary
    kwargs = {"outcome": "y", "score": "score", "treatment": "t"}
    with pytest.raises(UpliftInputError, match="score='nope' is not a column"):
        uspark.qini_auc_score(sdf, **{**kwargs, "score": "nope"})
    with pytest.raises(UpliftInputError, match="'causalml' depends on the order of tied rows"):
        uspark.qini_auc_score(sdf, **kwargs, convention="causalml")
    nan_frame = frame.assign(score=frame["score"].where(frame.index != 5))
    with pytest.raises(UpliftInputError, match="1 null, NaN or infinite"):
        uspark.qini_auc_score(spark.createDataFrame(nan_frame), **kwargs)
    three = spark.createDataFrame(frame.assign(t=frame["t"] + (frame.index % 3 == 0)))
    with pytest.raises(UpliftInputError, match="Pass control_value="):
        uspark.uplift_auc_score(three, **kwargs)
    with pytest.raises(UpliftInputError, match="treatment_value=7 is not a treated arm"):
        uspark.uplift_auc_score(three, **kwargs, control_value=0, treatment_value=7)
    with pytest.raises(UpliftInputError, match="must be binary"):
        uspark.qini_auc_score(spark.createDataFrame(frame.assign(y=frame["y"] * 2.5)), **kwargs, convention="sklift")
    with pytest.raises(UpliftInputError, match="more than max_collect=7 distinct"):
        uspark.qini_curve(sdf, **kwargs, n_points=None, max_collect=7)
    with pytest.raises(UpliftInputError, match="n_points must be an integer"):
        uspark.qini_curve(sdf, **kwargs, n_points=1)
    with pytest.raises(UpliftInputError, match="k must"):
        uspark.uplift_at_k(sdf, **kwargs, k=1.5)
