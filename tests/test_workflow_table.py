"""Reading the user's files: id-like columns, the control label, chunks, and the scores' writer."""

from __future__ import annotations

import os
import stat

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from uplift.exceptions import UpliftInputError
from uplift.learners import TLearner
from uplift.workflow import id_like_columns, iter_chunks, read_experiment, score
from uplift.workflow._table import TableWriter


def test_id_like_columns_by_name_and_by_uniqueness():
    n = 60
    frame = pd.DataFrame({
        "customer_id": np.repeat([1, 2], n // 2),     # named like an id: dropped even with repeats
        "ID": np.arange(n) % 7,
        "email_hash": [f"h{i}" for i in range(n)],      # text, unique per row
        "account": np.arange(n) * 3,                    # whole numbers, unique per row, 60 rows
        "income": np.linspace(1, 2, n),                 # floats are unique too, but they are measurements
        "idle_days": np.arange(n) % 5,                  # "id" inside a word is not an id
        "region": ["a", "b"] * (n // 2),
    })
    assert id_like_columns(frame) == ["customer_id", "ID", "email_hash", "account"]
    assert id_like_columns(frame.iloc[:10]) == ["customer_id", "ID", "email_hash"]  # 10 unique integers: a feature


def _frame(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"t": np.array(["ctl", "a", "b"])[np.arange(n) % 3], "y": rng.integers(0, 2, n),
                         "x": rng.normal(size=n), "k": np.arange(n) % 4})


def test_read_experiment_roles_and_control_label():
    table = read_experiment(_frame(), treatment="t", outcome="y", control="ctl")
    assert table.control_value == "ctl" and table.arms == ["a", "b"]
    assert table.feature_names == ["x", "k"] and table.dropped == []
    numeric = _frame().assign(t=np.arange(40) % 2)
    assert read_experiment(numeric, treatment="t", outcome="y", control="0").control_value == 0  # "0" finds 0


@pytest.mark.parametrize(("change", "message"), [
    (lambda f: f.assign(y=f["y"].astype(float).where(f.index > 0)), "outcome column 'y' has 1 missing value"),
    (lambda f: f.assign(y=["yes"] * len(f)), "outcome column 'y' must be numeric"),
    (lambda f: f.assign(t="a"), "needs at least two arms"),
    (lambda f: f[["t", "y"]], "no feature column"),
])
def test_read_experiment_refuses_bad_files(change, message):
    with pytest.raises(UpliftInputError, match=message):
        read_experiment(change(_frame()), treatment="t", outcome="y")


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_iter_chunks_yields_every_row_once_in_bounded_chunks(tmp_path, suffix):
    frame = _frame(103)
    path = tmp_path / f"data.{suffix}"
    frame.to_csv(path, index=False) if suffix == "csv" else frame.to_parquet(path, index=False)
    chunks = list(iter_chunks(path, chunksize=25, columns=["x", "k"]))
    assert [len(c) for c in chunks] == [25, 25, 25, 25, 3]
    assert list(chunks[0].columns) == ["x", "k"]
    np.testing.assert_array_equal(pd.concat(chunks)["x"].to_numpy(), frame["x"].to_numpy())


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_scores_do_not_depend_on_the_chunk_size_and_respect_the_umask(tmp_path, suffix):
    frame = _frame(90)
    learner = TLearner(LogisticRegression(), control_value="ctl").fit(frame[["x", "k"]], frame["y"],
                                                                       treatment=frame["t"])
    path = tmp_path / "customers.csv"
    frame.assign(cid=np.arange(90) + 500).to_csv(path, index=False)
    previous = os.umask(0o027)
    try:
        small = score(learner, path, output=tmp_path / f"small.{suffix}", id_column="cid", chunksize=7)
        whole = score(learner, path, output=tmp_path / f"whole.{suffix}", id_column="cid", chunksize=1000)
    finally:
        os.umask(previous)
    read = pd.read_csv if suffix == "csv" else pd.read_parquet
    first, second = read(small.output), read(whole.output)
    pd.testing.assert_frame_equal(first, second)
    assert small.n_rows == 90 and first["cid"].tolist() == list(range(500, 590))
    np.testing.assert_allclose(first[["effect_a", "effect_b"]], learner.predict(frame[["x", "k"]]), rtol=1e-6)
    assert stat.S_IMODE(small.output.stat().st_mode) == 0o640


def test_writer_leaves_no_half_file_on_error(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), TableWriter(target) as writer:
        writer.write(pd.DataFrame({"a": [1]}))
        raise RuntimeError("interrupted")
    assert not target.exists() and list(tmp_path.iterdir()) == []
