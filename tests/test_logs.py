"""build_uplift_table: every leakage trap by hand, and a pandas reference implementation on random logs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("duckdb", reason="build_uplift_table needs the 'logs' extra (duckdb)")

from uplift.datasets import build_uplift_table
from uplift.exceptions import UpliftInputError, UpliftTypeError

FEATURES = ["frequency_purchase_5", "monetary_purchase_5", "frequency_purchase_20", "monetary_purchase_20",
            "frequency_visit_5", "monetary_visit_5", "frequency_visit_20", "monetary_visit_20",
            "recency_purchase", "recency_visit"]


def _trap_logs():
    assignments = pd.DataFrame({
        "customer_id": [1, 1, 2, 3],
        "time": [10.0, 15.0, 10.0, 95.0],  # customer 1 assigned twice; customer 3's window still open
        "arm": ["A", "B", "control", "A"],
    })
    events = pd.DataFrame({
        "customer_id": [1, 1, 1, 1, 1, 2, 2, 3],
        "time": [2.0, 8.0, 10.0, 20.0, 26.0, 21.0, 1.0, 50.0],
        "event": ["purchase", "visit", "purchase", "purchase", "purchase", "purchase", "visit", "purchase"],
        "amount": [5.0, 0.0, 7.0, 11.0, 13.0, 3.0, 0.0, 4.0],
    })
    return assignments, events


def test_every_leakage_trap_by_hand():
    assignments, events = _trap_logs()
    result = build_uplift_table(assignments, events, window=10, as_of=100.0, lookbacks=[5, 20])
    # Written out by hand (window 10, look-backs [t0-5, t0) and [t0-20, t0)):
    # customer 1 at 10: the purchase AT t0=10 is neither a feature nor the outcome; the purchase at 20 is
    #   the outcome (10 < 20 <= 20); features see the purchase at 2 and the visit at 8.
    # customer 1 at 15: the purchase at 10 is now a feature; outcome window (15, 25] holds 20 but not 26.
    # customer 2 at 10: the purchase at 21 falls after the window (10, 20]: y = 0.
    # customer 3 at 95: 95 + 10 > as_of = 100, dropped and counted.
    expected = pd.DataFrame(
        [[1, 10.0, "A", 1, 11.0, 0, 0.0, 1, 5.0, 1, 0.0, 1, 0.0, 8.0, 2.0],
         [1, 15.0, "B", 1, 11.0, 1, 7.0, 2, 12.0, 0, 0.0, 1, 0.0, 5.0, 7.0],
         [2, 10.0, "control", 0, 0.0, 0, 0.0, 0, 0.0, 0, 0.0, 1, 0.0, np.nan, 9.0]],
        columns=["customer_id", "assigned_at", "arm", "y", "revenue", *FEATURES],
    )
    pd.testing.assert_frame_equal(result.table, expected, check_dtype=False)
    assert result.feature_names == FEATURES
    assert (result.n_assignments, result.n_censored) == (4, 1)
    assert result.overlaps.to_dict(orient="records") == [
        {"customer_id": 1, "assigned_at": 10.0, "next_assigned_at": 15.0}]


def test_timestamps_csv_and_parquet_paths_give_the_same_table(tmp_path):
    assignments, events = _trap_logs()
    start = pd.Timestamp("2024-01-01")
    as_dates = {name: frame.assign(time=start + pd.to_timedelta(frame["time"], unit="D"))
                for name, frame in (("assignments", assignments), ("events", events))}
    from_frames = build_uplift_table(as_dates["assignments"], as_dates["events"], window="10D",
                                     as_of=start + pd.Timedelta(days=100), lookbacks=["5D", "20D"])
    numeric = build_uplift_table(assignments, events, window=10, as_of=100.0, lookbacks=[5, 20])
    # same numbers; recency in days; column labels "5d"/"20d"
    renamed = from_frames.table.rename(columns=lambda c: c.replace("_5d", "_5").replace("_20d", "_20"))
    pd.testing.assert_frame_equal(renamed.drop(columns="assigned_at"), numeric.table.drop(columns="assigned_at"),
                                  check_dtype=False)
    as_dates["assignments"].to_csv(tmp_path / "a.csv", index=False)
    as_dates["events"].to_parquet(tmp_path / "e.parquet")
    from_files = build_uplift_table(tmp_path / "a.csv", tmp_path / "e.parquet", window="10D",
                                    as_of=start + pd.Timedelta(days=100), lookbacks=["5D", "20D"])
    pd.testing.assert_frame_equal(from_files.table, from_frames.table, check_dtype=False)


def test_attributes_are_taken_as_of_strictly_before_assignment():
    assignments, events = _trap_logs()
    attributes = pd.DataFrame({"customer_id": [1, 1, 2], "time": [0.0, 10.0, 3.0], "tier": ["bronze", "gold", "x"]})
    table = build_uplift_table(assignments, events, window=10, as_of=100.0, lookbacks=[5],
                               features=["frequency"], attributes=attributes).table
    # customer 1 at 10: the 'gold' row is valid from 10 = t0, not strictly before: still 'bronze'
    assert table["tier"].tolist() == ["bronze", "gold", "x"]
    assert list(table.columns) == ["customer_id", "assigned_at", "arm", "y", "revenue", "frequency_purchase_5",
                                   "frequency_visit_5", "tier"]


def _reference(assignments, events, window, as_of, lookbacks):
    """The definition, row by row, in plain pandas."""
    types = sorted(events["event"].unique())
    rows = []
    for a in assignments.itertuples():
        if a.time + window > as_of:
            continue
        mine = events[events["customer_id"] == a.customer_id]
        row = {"customer_id": a.customer_id, "assigned_at": a.time, "arm": a.arm}
        outcome = mine[(mine["event"] == "purchase") & (mine["time"] > a.time) & (mine["time"] <= a.time + window)]
        row["y"], row["revenue"] = int(len(outcome) > 0), float(outcome["amount"].sum())
        for kind in types:
            for look in lookbacks:
                inside = mine[(mine["event"] == kind) & (mine["time"] >= a.time - look) & (mine["time"] < a.time)]
                row[f"frequency_{kind}_{look:g}"] = len(inside)
                row[f"monetary_{kind}_{look:g}"] = float(inside["amount"].sum())
        for kind in types:
            before = mine[(mine["event"] == kind) & (mine["time"] < a.time)]
            row[f"recency_{kind}"] = a.time - before["time"].max() if len(before) else np.nan
        rows.append(row)
    return pd.DataFrame(rows).sort_values(["customer_id", "assigned_at", "arm"], kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("seed", range(5))
def test_identical_to_a_pandas_reference_on_random_logs(seed):
    rng = np.random.default_rng(seed)
    n_customers, n_events = 15, 300
    # integer times make exact ties (event at t0, at t0 + window, at t0 - look-back) frequent
    assignments = pd.DataFrame({"customer_id": rng.integers(0, n_customers, 30),
                                "time": rng.integers(0, 60, 30).astype(float),
                                "arm": rng.choice(["control", "email", "sms"], 30)})
    events = pd.DataFrame({"customer_id": rng.integers(0, n_customers, n_events),
                           "time": rng.integers(0, 70, n_events).astype(float),
                           "event": rng.choice(["purchase", "visit", "cart"], n_events),
                           "amount": rng.integers(0, 50, n_events).astype(float)})
    assignments = assignments.drop_duplicates(["customer_id", "time", "arm"])
    result = build_uplift_table(assignments, events, window=7, as_of=62.0, lookbacks=[3, 10])
    expected = _reference(assignments, events, 7, 62.0, [3, 10])
    pd.testing.assert_frame_equal(result.table[expected.columns], expected, check_dtype=False)
    assert list(result.table.columns) == list(expected.columns[:5]) + result.feature_names
    assert result.n_censored == int((assignments["time"] + 7 > 62).sum())


def test_bad_inputs(tmp_path):
    assignments, events = _trap_logs()
    with pytest.raises(UpliftInputError, match="look like exposure"):
        build_uplift_table(assignments.rename(columns={"arm": "opened"}), events, window=10, arm="opened")
    with pytest.raises(UpliftInputError, match="look like exposure"):
        attributes = pd.DataFrame({"customer_id": [1], "time": [0.0], "email_opened": [1]})
        build_uplift_table(assignments, events, window=10, lookbacks=[5], attributes=attributes)
    with pytest.raises(UpliftInputError, match=r"lacks column\(s\) customer_id='user'"):
        build_uplift_table(assignments, events, window=10, customer_id="user")
    with pytest.raises(UpliftInputError, match="window must be a number in the units"):
        build_uplift_table(assignments, events, window="10D")
    with pytest.raises(UpliftInputError, match="lookbacks must be a number in the units"):
        build_uplift_table(assignments, events, window=10)  # the default look-backs are durations
    with pytest.raises(UpliftInputError, match="must be a duration"):
        stamped = events.assign(time=pd.Timestamp("2024-01-01"))
        build_uplift_table(assignments.assign(time=pd.Timestamp("2024-01-01")), stamped, window=10, lookbacks=["5D"])
    with pytest.raises(UpliftInputError, match="both must be timestamps or both numbers"):
        build_uplift_table(assignments, events.assign(time=pd.Timestamp("2024-01-01")), window=10)
    with pytest.raises(UpliftInputError, match="window must be positive"):
        build_uplift_table(assignments, events, window=0, lookbacks=[5])
    with pytest.raises(UpliftInputError, match="features must be one of"):
        build_uplift_table(assignments, events, window=10, lookbacks=[5], features=["clv"])
    with pytest.raises(UpliftTypeError, match="must be a pandas DataFrame or the path"):
        build_uplift_table(assignments.to_numpy(), events, window=10)
    with pytest.raises(FileNotFoundError, match="no file at"):
        build_uplift_table(tmp_path / "missing.csv", events, window=10)
