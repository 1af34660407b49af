"""`uplift score` streaming: both CSV readers agree, Parquet in bounded batches, errors from the threads."""

from __future__ import annotations

import functools
import re
import threading

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from uplift.exceptions import UpliftInputError
from uplift.learners import TLearner
from uplift.workflow import _score as score_module
from uplift.workflow import _table as table_module
from uplift.workflow import iter_chunks, score

pytest.importorskip("pyarrow")
import pyarrow as pa
import pyarrow.parquet as pq


def _customers(n=60, seed=0):
    """Numbers, whole numbers with gaps, text with gaps and a category unseen at fit, text ids."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "cid": [f"C{i:04d}" for i in range(n)],
        "spend": np.round(rng.normal(50, 10, n), 3),
        "visits": pd.Series(rng.integers(0, 9, n), dtype="Int64").where(np.arange(n) % 7 != 3),
        "region": pd.Series(np.array(["north", "south", "east"])[np.arange(n) % 3]).where(np.arange(n) % 5 != 1),
        "t": np.arange(n) % 2,
        "y": rng.integers(0, 2, n),
    })


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    frame = _customers()
    path = tmp_path_factory.mktemp("data") / "customers.csv"
    new = _customers(45, seed=1)
    new.loc[3, "region"] = "west"  # not seen at fit: scored as missing
    new.to_csv(path, index=False)
    learner = TLearner(HistGradientBoostingClassifier(max_iter=5, random_state=0)).fit(
        frame[["spend", "visits", "region"]], frame["y"], treatment=frame["t"])
    return learner, path


def _score_with(engine, learner, path, output, monkeypatch, chunksize=7):
    monkeypatch.setattr(score_module, "iter_chunks", functools.partial(iter_chunks, engine=engine))
    return score(learner, path, output=output, id_column="cid", chunksize=chunksize)


def test_both_csv_readers_give_the_same_scored_file(fitted, tmp_path, monkeypatch):
    learner, path = fitted
    arrow = _score_with("pyarrow", learner, path, tmp_path / "arrow.csv", monkeypatch)
    plain = _score_with("pandas", learner, path, tmp_path / "pandas.csv", monkeypatch)
    assert arrow.output.read_bytes() == plain.output.read_bytes()
    scores = pd.read_csv(arrow.output)
    whole = pd.read_csv(path)
    assert scores["cid"].tolist() == whole["cid"].tolist()
    # the same numbers as the learner on the whole file read by pandas (the text and gaps included)
    np.testing.assert_array_equal(scores["effect_1"].to_numpy(),
                                  learner.predict(whole[["spend", "visits", "region"]]))


def test_without_pyarrow_csv_goes_through_pandas_with_the_same_scores(fitted, tmp_path, monkeypatch):
    learner, path = fitted
    with_arrow = score(learner, path, output=tmp_path / "arrow.csv", id_column="cid", chunksize=7)

    def refuse(*args, **kwargs):
        raise AssertionError("pyarrow's CSV reader used although pyarrow is 'absent'")

    monkeypatch.setattr(table_module, "_has_pyarrow", lambda: False)
    monkeypatch.setattr(table_module, "_arrow_csv_chunks", refuse)
    without = score(learner, path, output=tmp_path / "pandas.csv", id_column="cid", chunksize=7)
    # the writer differs too (DataFrame.to_csv), so the bytes may; the values may not
    pd.testing.assert_frame_equal(pd.read_csv(without.output), pd.read_csv(with_arrow.output))


@pytest.mark.parametrize("engine", ["pyarrow", "pandas"])
def test_csv_chunks_have_exactly_chunksize_rows(tmp_path, engine):
    frame = _customers(103)
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    chunks = list(iter_chunks(path, chunksize=25, columns=["spend", "region"], engine=engine,
                              dtypes={"spend": "float64", "region": "str"}))
    assert [len(c) for c in chunks] == [25, 25, 25, 25, 3]
    together = pd.concat(chunks, ignore_index=True)
    np.testing.assert_array_equal(together["spend"].to_numpy(), frame["spend"].to_numpy())
    assert together["region"].isna().tolist() == frame["region"].isna().tolist()


def test_parquet_is_read_in_batches_bounded_by_the_chunk(tmp_path):
    frame = _customers(95)
    path = tmp_path / "customers.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=10)
    assert pq.ParquetFile(path).metadata.num_row_groups == 10
    chunks = list(iter_chunks(path, chunksize=25, columns=["cid", "spend"]))
    assert max(len(c) for c in chunks) <= 25 and sum(len(c) for c in chunks) == 95
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), pd.read_parquet(path, columns=["cid", "spend"]))


@pytest.mark.parametrize("engine", ["pyarrow", "pandas"])
def test_text_in_a_number_column_stops_scoring_and_leaves_no_file(fitted, tmp_path, monkeypatch, engine):
    learner, _ = fitted
    bad = _customers(45, seed=1).astype({"spend": object})
    bad.loc[30, "spend"] = "12,5 EUR"
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    output = tmp_path / "out" / "scores.csv"
    with pytest.raises(UpliftInputError, match=r"column 'spend' must hold a number .*got '12,5 EUR'"):
        _score_with(engine, learner, path, output, monkeypatch)
    assert list(output.parent.iterdir()) == []  # the chunks written before the error are removed


def test_read_ahead_raises_the_readers_error_and_stops_when_left_early():
    def failing():
        yield 1
        raise ValueError("broken file")

    with pytest.raises(ValueError, match="broken file"):
        list(score_module._read_ahead(failing()))

    closed = threading.Event()

    def endless():
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.set()

    reader = score_module._read_ahead(endless())
    assert [next(reader) for _ in range(3)] == [1, 2, 3]
    reader.close()
    assert closed.is_set()  # the producer thread was stopped and closed its source


def test_write_behind_writes_in_order_and_raises_the_writers_error():
    written = []
    with score_module._WriteBehind(written.append) as write:
        for item in range(10):
            write(item)
    assert written == list(range(10))

    def broken(item):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), score_module._WriteBehind(broken) as write:
        write(1)


@pytest.mark.parametrize("message", [
    "In CSV column #1: CSV conversion error to double: invalid value '12,5 EUR'",  # multi-threaded reader
    "In CSV column #1: Row #32: CSV conversion error to double: invalid value '12,5 EUR'",  # one thread
])
def test_pyarrow_conversion_errors_name_the_column_with_or_without_the_row(message, tmp_path):
    """pyarrow's single-threaded CSV reader adds 'Row #N:' to the message; the column is named either way
    (before, with OMP_NUM_THREADS=1, the user got pyarrow's raw message)."""
    from uplift.workflow._table import _arrow_error

    error = _arrow_error(tmp_path / "bad.csv", "DATA", ["cid", "spend"], message)
    assert re.search(r"column 'spend' must hold a number .*got '12,5 EUR'", str(error)), str(error)
