"""Reference histograms: exact counts on hand-made tables, JSON round trip, chunk merging."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from uplift.exceptions import UpliftInputError, UpliftTypeError
from uplift.monitoring import bin_like, merge_histograms, reference_histograms


def test_numeric_quantile_edges_and_counts_by_hand():
    # 9 distinct values > n_bins=4: quantile edges at 0, .25, .5, .75, 1 of 1..9 are 1, 3, 5, 7, 9
    X = pd.DataFrame({"a": np.arange(1.0, 10.0)})
    histogram = reference_histograms(X, n_bins=4)["features"]["a"]
    assert histogram["edges"] == [1.0, 3.0, 5.0, 7.0, 9.0]
    # bins [1,3) [3,5) [5,7) [7,9]: {1,2} {3,4} {5,6} {7,8,9}
    assert histogram["counts"] == [2, 2, 2, 3]
    assert histogram["n_missing"] == 0


def test_few_distinct_values_get_one_bin_each():
    X = pd.DataFrame({"flag": [0, 1, 1, 0, 1, 1, 2]})
    histogram = reference_histograms(X, n_bins=10)["features"]["flag"]
    assert histogram["edges"] == [0.0, 0.5, 1.5, 2.0]
    assert histogram["counts"] == [2, 4, 1]


def test_constant_and_all_missing_columns():
    X = pd.DataFrame({"c": [3.0, 3.0, np.nan], "m": [np.nan, np.nan, np.nan]})
    features = reference_histograms(X)["features"]
    assert features["c"] == {"kind": "numeric", "edges": [3.0, 3.0], "counts": [2], "n_missing": 1}
    assert features["m"] == {"kind": "numeric", "edges": [], "counts": [], "n_missing": 3}


def test_categorical_counts_order_and_other():
    X = pd.DataFrame({"city": ["b", "a", "b", "c", None, "a", "b", "d"]})
    histogram = reference_histograms(X, max_categories=2)["features"]["city"]
    # b x3, a x2 kept (ties broken by label); c and d go to n_other
    assert histogram == {
        "kind": "categorical",
        "categories": ["b", "a"],
        "counts": [3, 2],
        "n_other": 2,
        "n_missing": 1,
    }


def test_array_columns_are_named_by_position_and_result_is_json():
    rng = np.random.default_rng(0)
    reference = reference_histograms(rng.normal(size=(50, 3)), scores=rng.normal(size=50))
    assert list(reference["features"]) == ["0", "1", "2"]
    assert list(reference["scores"]) == ["effect"]
    assert reference["n_rows"] == 50
    assert json.loads(json.dumps(reference)) == reference
    for histogram in reference["features"].values():
        assert sum(histogram["counts"]) == 50


def test_bin_like_out_of_range_values_fall_in_end_bins():
    reference = reference_histograms(pd.DataFrame({"a": np.arange(1.0, 10.0)}), n_bins=4)
    new = pd.DataFrame({"a": [-100.0, 1.0, 2.99, 3.0, 9.0, 100.0, np.nan], "extra": 0})
    histogram = bin_like(reference, new)["features"]["a"]
    assert histogram["counts"] == [3, 1, 0, 2]
    assert histogram["n_missing"] == 1


def test_bin_like_unseen_categories_count_as_other():
    reference = reference_histograms(pd.DataFrame({"city": ["a", "b", "a"]}))
    histogram = bin_like(reference, pd.DataFrame({"city": ["a", "z", "z", None]}))["features"]["city"]
    assert histogram["counts"] == [1, 0]
    assert histogram["n_other"] == 2
    assert histogram["n_missing"] == 1


def test_chunks_binned_alike_add_up_to_the_whole():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"x": rng.normal(size=300), "k": rng.choice(["a", "b", "c"], size=300), "n": rng.integers(0, 3, 300)}
    )
    frame.loc[::7, "x"] = np.nan
    scores = rng.normal(size=(300, 2))
    reference = reference_histograms(frame.iloc[:100], scores=scores[:100])
    chunks = [
        bin_like(reference, frame.iloc[start : start + 70], scores=scores[start : start + 70])
        for start in range(0, 300, 70)
    ]
    assert merge_histograms(*chunks) == bin_like(reference, frame, scores=scores)
    # the reference itself merges with a chunk binned like it
    assert merge_histograms(reference, chunks[0])["n_rows"] == 100 + 70


def test_merge_refuses_different_edges():
    a = reference_histograms(pd.DataFrame({"x": np.arange(20.0)}))
    b = reference_histograms(pd.DataFrame({"x": np.arange(20.0) * 2}))
    with pytest.raises(UpliftInputError, match="edges or categories differ"):
        merge_histograms(a, b)
    with pytest.raises(UpliftInputError, match="at least one"):
        merge_histograms()


def test_bad_inputs():
    with pytest.raises(UpliftInputError, match="n_bins must be an integer >= 1"):
        reference_histograms(np.zeros((3, 1)), n_bins=0)
    with pytest.raises(UpliftInputError, match="infinite"):
        reference_histograms(pd.DataFrame({"x": [1.0, np.inf]}))
    with pytest.raises(UpliftInputError, match="duplicated column names"):
        reference_histograms(pd.DataFrame([[1, 2]], columns=["a", "a"]))
    with pytest.raises(UpliftInputError, match="one row per row of X"):
        reference_histograms(np.zeros((3, 1)), scores=np.zeros(2))
    with pytest.raises(UpliftTypeError, match="scores must be numeric"):
        reference_histograms(np.zeros((2, 1)), scores=np.array(["a", "b"]))
    reference = reference_histograms(pd.DataFrame({"x": [1.0, 2.0]}))
    with pytest.raises(UpliftInputError, match="lacks the reference feature"):
        bin_like(reference, pd.DataFrame({"y": [1.0]}))
    with pytest.raises(UpliftTypeError, match="was numeric in the reference"):
        bin_like(reference, pd.DataFrame({"x": ["a"]}))
    with pytest.raises(UpliftInputError, match="no 'scores' histograms"):
        bin_like(reference, pd.DataFrame({"x": [1.0]}), scores=[0.1])
    with pytest.raises(UpliftInputError, match="must be the dictionary"):
        bin_like({"n_rows": 3}, pd.DataFrame({"x": [1.0]}))


def test_monitoring_stays_in_its_layer():
    # monitoring sits beside campaign: it never imports io/cli/demo (a path is loaded by a
    # function-level import), nor matplotlib; datasets imports duckdb only inside build_uplift_table
    import subprocess
    import sys

    names = "('uplift.io', 'uplift.demo', 'uplift.cli', 'matplotlib', 'duckdb')"
    code = f"import sys, uplift.monitoring, uplift.datasets; print([m for m in {names} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
