"""Loaders: load_table, verified downloads (never the network), readers of the reference files."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from uplift.datasets import (
    fetch_criteo,
    fetch_lenta,
    fetch_megafon,
    load_acic2016,
    load_dataset,
    load_gerber2008,
    load_ihdp,
    load_lenta_sample,
    load_starbucks,
    load_table,
)
from uplift.datasets._fetch import RemoteFile, download, ensure_file
from uplift.datasets._public import CRITEO, build_x5_features
from uplift.exceptions import ChecksumMismatchError, UpliftInputError, UpliftTypeError, UpliftWarning

# ---------------------------------------------------------------- load_table


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "arm": [" Control", " Mail", " Control", " Mail", " Mail"],
        "voted": ["Yes", "No", "No", "Yes", "Yes"],
        "age": [30.0, 40.0, np.nan, 60.0, 20.0],
        "city": ["x", "y", "x", "z", None],
        "hh": [1, 1, 2, 3, 3],
        "day": [1, 2, 3, 4, 5],
        "clicked_after": [0, 1, 0, 1, 1],
    })


def test_load_table_encodes_and_keeps_roles_apart():
    data = load_table(_frame(), treatment="arm", outcome="voted", control_value="Control", group="hh", time="day",
                      drop=["clicked_after"])
    assert data.feature_names == ["age", "city=x", "city=y", "city=z", "city=nan"]
    np.testing.assert_array_equal(data.y, [1, 0, 0, 1, 1])
    assert data.treatment.tolist() == ["Control", "Mail", "Control", "Mail", "Mail"]
    assert data.control_value == "Control"
    np.testing.assert_array_equal(data.groups, [1, 1, 2, 3, 3])
    np.testing.assert_array_equal(data.time, [1, 2, 3, 4, 5])
    assert np.isnan(data.X["age"].iloc[2])  # numbers keep NaN for models that take it
    assert data.X.dtypes.unique().tolist() == [np.float64]


def test_load_table_reads_csv_and_parquet(tmp_path):
    frame = _frame().drop(columns="city")
    frame.to_csv(tmp_path / "e.csv.gz", index=False)
    frame.to_parquet(tmp_path / "e.parquet")
    a = load_table(tmp_path / "e.csv.gz", treatment="arm", outcome="voted", control_value="Control")
    b = load_table(tmp_path / "e.parquet", treatment="arm", outcome="voted", control_value="Control")
    pd.testing.assert_frame_equal(a.X, b.X)
    with pytest.raises(UpliftInputError, match="neither CSV"):
        (tmp_path / "e.xlsx").write_bytes(b"x")
        load_table(tmp_path / "e.xlsx", treatment="arm", outcome="voted")


def test_two_level_text_feature_is_one_column_and_true_outcomes_fill_tau():
    frame = pd.DataFrame({"t": [0, 1, 0, 1], "y": [1.0, 2.0, 3.0, 4.0], "sex": ["f", "m", "m", "f"],
                          "m0": [1.0, 1.0, 2.0, 2.0], "m1": [2.0, 4.0, 2.0, 5.0]})
    data = load_table(frame, treatment="t", outcome="y", true_outcomes=["m0", "m1"])
    assert data.feature_names == ["sex=m"]
    np.testing.assert_array_equal(data.tau, [1.0, 3.0, 0.0, 3.0])
    assert data.mu.shape == (4, 2)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"treatment": "arm", "outcome": "bought"}, UpliftInputError, r"outcome column\(s\) \['bought'\] not found"),
    ({"treatment": "arm", "outcome": "voted", "control_value": "Control", "group": "household"},
     UpliftInputError, "group column"),
    ({"treatment": "arm", "outcome": "voted", "control_value": "Control", "features": ["age", "voted"]},
     UpliftInputError, "measured before the assignment"),
    ({"treatment": "arm", "outcome": "voted", "control_value": "Nobody"}, UpliftInputError, "does not occur"),
    ({"treatment": "arm", "outcome": "city", "control_value": "Control"}, UpliftTypeError, "positive_outcome"),
])
def test_load_table_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        load_table(_frame().drop(columns="city").assign(city=list("abcab")) if kwargs["outcome"] == "city"
                   else _frame(), **kwargs)


def test_group_column_with_nan_is_refused():
    frame = _frame().assign(hh=[1.0, np.nan, 2.0, 3.0, 3.0])
    with pytest.raises(UpliftInputError, match=r"group column 'hh' has 1 missing value"):
        load_table(frame, treatment="arm", outcome="voted", control_value="Control", group="hh")


def test_identifier_like_text_feature_is_refused():
    frame = pd.DataFrame({"t": [0, 1] * 30, "y": [0, 1] * 30, "id": [f"c{i}" for i in range(60)]})
    with pytest.raises(UpliftInputError, match="looks like an identifier"):
        load_table(frame, treatment="t", outcome="y")


@pytest.mark.parametrize(("outcome", "positive", "match"), [
    (["Yes", "No", "No", "Yes"], "yes", r"positive_outcome='yes' matches no value of outcome column 'y'.*"
                                        r"\['No', 'Yes'\].*Did you mean positive_outcome='Yes'"),
    ([0, 1, 1, 0], "1", r"positive_outcome='1' matches no value.*\[0, 1\].*Did you mean positive_outcome=1\?"),
    (["bought", "none", "none", "bought"], "purchased", r"values seen are \['bought', 'none'\]"),
])
def test_positive_outcome_matching_no_value_is_refused(outcome, positive, match):
    # finding 5: these used to give y = 0 on every row without a word
    frame = pd.DataFrame({"t": [0, 1, 0, 1], "y": outcome, "x": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(UpliftInputError, match=match):
        load_table(frame, treatment="t", outcome="y", positive_outcome=positive)


def test_positive_outcome_that_matches_is_exact_after_stripping():
    frame = pd.DataFrame({"t": [0, 1, 0, 1], "y": [" Yes", "No ", "maybe", "Yes"], "x": [1.0, 2.0, 3.0, 4.0]})
    data = load_table(frame, treatment="t", outcome="y", positive_outcome="Yes")
    np.testing.assert_array_equal(data.y, [1, 0, 0, 1])


def test_duplicate_column_names_are_refused():
    # used to end in AttributeError ('DataFrame' object has no attribute 'dtype')
    frame = pd.DataFrame([[0, 1, 2.0, 3.0], [1, 0, 4.0, 5.0]], columns=["t", "y", "x", "x"])
    with pytest.raises(UpliftInputError, match=r"column name\(s\) \['x'\] appear more than once"):
        load_table(frame, treatment="t", outcome="y")


@pytest.mark.parametrize("name", ["customer_id", "ID", "CustomerID", "row"])
def test_identifier_feature_warns_and_id_excludes_it(name):
    # "row" is caught by its values (a distinct integer on each of 30 rows), the others by name
    frame = pd.DataFrame({"t": [0, 1] * 15, "y": [0, 1, 1] * 10, "x": [0.5, 1.5, 2.5] * 10, name: np.arange(30)})
    with pytest.warns(UpliftWarning, match=f"feature '{name}' looks like a row identifier.*id='{name}'"):
        data = load_table(frame, treatment="t", outcome="y")
    assert name in data.feature_names
    data = load_table(frame, treatment="t", outcome="y", id=name)
    assert data.feature_names == ["x"] and name in data.frame.columns


def test_ordinary_features_do_not_warn():
    # 19 distinct integers (below the 20-row floor), repeated floats, a named feature list: no warning
    frame = pd.DataFrame({"t": [0, 1] * 15, "y": [0, 1, 1] * 10, "age": np.r_[np.arange(19), np.zeros(11)].astype(int),
                          "paid": np.linspace(0, 1, 30), "customer_id": np.arange(30)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_table(frame, treatment="t", outcome="y", features=["age", "paid", "customer_id"]).X.shape == (30, 3)
        assert load_table(frame, treatment="t", outcome="y", id="customer_id").feature_names == ["age", "paid"]


def test_id_column_that_is_also_a_feature_is_refused():
    frame = pd.DataFrame({"t": [0, 1], "y": [0, 1], "cid": [1, 2]})
    with pytest.raises(UpliftInputError, match="also used as treatment, outcome, group, time, id"):
        load_table(frame, treatment="t", outcome="y", id="cid", features=["cid"])


def test_unknown_registry_key():
    with pytest.raises(UpliftInputError, match="unknown data set 'hilstrom'"):
        load_dataset("hilstrom")


# ---------------------------------------------------------------- downloads (fake opener, no network)

def _criteo_bytes(n_rows: int = 6) -> bytes:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(n_rows, 12)), columns=[f"f{i}" for i in range(12)])
    frame["treatment"] = [0, 1] * (n_rows // 2)
    frame["conversion"] = 0
    frame["visit"] = [0, 1, 1, 0, 1, 0][:n_rows]
    frame["exposure"] = [0, 1, 0, 0, 1, 0][:n_rows]
    return gzip.compress(frame.to_csv(index=False).encode())


def _opener(payload: bytes, calls: list[str]):
    def open_url(url: str):
        calls.append(url)
        return io.BytesIO(payload)
    return open_url


def test_download_is_atomic_verified_and_cached(tmp_path, monkeypatch):
    payload = _criteo_bytes()
    monkeypatch.setattr("uplift.datasets._public.CRITEO", RemoteFile(
        CRITEO.filename, CRITEO.url, CRITEO.columns, n_rows=6, sha256=hashlib.sha256(payload).hexdigest()))
    calls: list[str] = []
    data = fetch_criteo(data_home=tmp_path, opener=_opener(payload, calls))
    assert calls == [CRITEO.url]
    assert data.feature_names == [f"f{i}" for i in range(12)]  # exposure never a feature
    assert "exposure" in data.frame.columns
    again = fetch_criteo(data_home=tmp_path, outcome="conversion", opener=_opener(payload, calls))
    assert len(calls) == 1 and again.target_name == "conversion"  # served from the cache
    assert sorted(p.name for p in (tmp_path / "criteo").iterdir()) == [CRITEO.filename, CRITEO.filename + ".sha256"]


def test_checksum_mismatch_after_download_removes_the_file(tmp_path):
    remote = RemoteFile("x.csv.gz", "file:///nowhere/x.csv.gz", ("f0",), sha256="0" * 64)
    with pytest.raises(ChecksumMismatchError, match=r"checksum mismatch after download.*file was removed"):
        download(remote, tmp_path, opener=_opener(_criteo_bytes(), []))
    assert list(tmp_path.iterdir()) == []


def test_md5_mismatch_and_wrong_row_count_leave_nothing(tmp_path):
    payload = _criteo_bytes()
    with pytest.raises(ChecksumMismatchError, match="expected MD5"):
        download(RemoteFile("a.csv.gz", "u", md5="1" * 32), tmp_path, opener=_opener(payload, []))
    schema_only = replace(CRITEO, md5=None)
    with pytest.raises(ChecksumMismatchError, match="expected 13,979,592 rows, got 6"):
        download(schema_only, tmp_path, opener=_opener(payload, []))
    with pytest.raises(ChecksumMismatchError, match="truncated"):
        download(schema_only, tmp_path, opener=_opener(payload[: len(payload) // 2], []))
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_leaves_nothing(tmp_path):
    class Broken(io.BytesIO):
        def read(self, size=-1):
            raise ConnectionResetError("connection lost")
    with pytest.raises(ConnectionResetError):
        download(CRITEO, tmp_path, opener=lambda url: Broken())
    assert list(tmp_path.iterdir()) == []


def test_download_through_a_file_url(tmp_path):
    source = tmp_path / "served.csv.gz"
    source.write_bytes(_criteo_bytes())
    remote = RemoteFile("c.csv.gz", source.as_uri(), CRITEO.columns, n_rows=6)
    assert download(remote, tmp_path / "cache").read_bytes() == source.read_bytes()


def test_corrupted_cache_is_detected_and_removed(tmp_path):
    remote = RemoteFile("c.csv.gz", "u", CRITEO.columns, n_rows=6)
    path = download(remote, tmp_path / "c", opener=_opener(_criteo_bytes(), []))
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(ChecksumMismatchError, match="no longer matches"):
        ensure_file(remote, name="c", data_home_path=tmp_path)
    assert not path.exists()


def test_missing_file_without_download(tmp_path):
    with pytest.raises(FileNotFoundError, match="download_if_missing=False"):
        fetch_lenta(data_home=tmp_path, download_if_missing=False)
    with pytest.raises(FileNotFoundError, match="no file at"):
        fetch_megafon(path=tmp_path / "absent.csv.gz")


def test_user_path_checks_the_header(tmp_path):
    bad = tmp_path / "criteo.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(ChecksumMismatchError, match=r"columns .* are missing"):
        fetch_criteo(path=bad)


def test_megafon_and_lenta_formats(tmp_path):
    megafon = pd.DataFrame({f"X_{i}": np.arange(4.0) for i in range(1, 51)})
    megafon.insert(0, "id", range(4))
    megafon["treatment_group"] = ["control", "treatment"] * 2
    megafon["conversion"] = [0, 1, 1, 0]
    megafon.to_csv(tmp_path / "megafon_dataset.csv.gz", index=False)
    data = fetch_megafon(path=tmp_path)
    assert len(data.feature_names) == 50 and data.control_value == "control"
    lenta = pd.DataFrame({"age": [30.0, 40.0, np.nan, 50.0], "gender": ["Ж", "М", "Ж", np.nan],
                          "group": ["test", "control", "control", "test"], "response_att": [1, 0, 0, 1]})
    lenta.to_csv(tmp_path / "lenta_dataset.csv.gz", index=False)
    data = fetch_lenta(path=tmp_path, subsample=3, random_state=1)
    assert len(data) == 3 and "gender=nan" in data.feature_names


def test_x5_feature_builder_on_the_raw_format():
    train = pd.DataFrame({"client_id": ["a", "b"], "treatment_flg": [1, 0], "target": [1, 1]})
    clients = pd.DataFrame({"client_id": ["a", "b", "c"], "first_issue_date": ["2018-01-01"] * 3,
                            "first_redeem_date": ["2018-01-11", None, None], "age": [30, 40, 50],
                            "gender": ["F", "M", "U"]})
    purchases = pd.DataFrame({
        "client_id": ["a", "a", "a", "b"], "transaction_id": ["t1", "t1", "t2", "t3"],
        "transaction_datetime": ["2019-03-01 10:00", "2019-03-01 10:00", "2019-03-11 10:00", "2019-03-06 10:00"],
        "regular_points_received": [1.0, 1.0, 2.0, 0.0], "express_points_received": [0.0, 0.0, 1.0, 0.0],
        "regular_points_spent": [0.0, 0.0, -5.0, 0.0], "express_points_spent": [0.0] * 4,
        "purchase_sum": [100.0, 100.0, 50.0, 10.0], "store_id": ["s1", "s1", "s2", "s1"],
        "product_id": ["p1", "p2", "p1", "p3"],
    })
    table = build_x5_features(train, clients, purchases).set_index("client_id")
    assert table.loc["a", "n_transactions"] == 2 and table.loc["a", "purchase_sum_total"] == 150.0
    assert table.loc["a", "points_received_total"] == 4.0 and table.loc["a", "points_spent_total"] == -5.0
    assert table.loc["a", "n_products"] == 2 and table.loc["a", "n_stores"] == 2
    assert table.loc["a", "recency_days"] == 0 and table.loc["b", "recency_days"] == 5
    assert table.loc["a", "redeem_delay_days"] == 10 and np.isnan(table.loc["b", "redeem_delay_days"])


# ---------------------------------------------------------------- reference files (skip when absent)

def test_reference_readers(shared_data: Path):
    starbucks = load_starbucks(path=shared_data)
    assert len(starbucks) == 84_534 and starbucks.feature_names == [f"V{i}" for i in range(1, 8)]
    assert abs(starbucks.y[starbucks.treatment == "Yes"].mean() - starbucks.y[starbucks.treatment == "No"].mean()
               - 0.0095) < 0.0005
    assert len(load_starbucks(path=shared_data, split="test")) == 41_650
    lenta = load_lenta_sample(path=shared_data / "lenta")
    assert len(lenta) == 50_000 and lenta.feature_names == ["food_share_15d", "age", "is_women"]
    criteo = fetch_criteo(path=shared_data / "criteo" / "criteo-uplift-v2.1.sample1000.csv.gz")
    assert len(criteo) == 1000 and "exposure" not in criteo.feature_names


def test_gerber_arms_groups_and_turnout(shared_data: Path):
    data = load_gerber2008(path=shared_data)
    assert len(data) == 344_084 and data.n_arms == 4 and data.groups is not None
    # published Table 2 turnout: 29.7 / 31.5 / 32.2 / 34.5 / 37.8 %
    for arm, turnout in {"Control": 29.7, "Civic Duty": 31.5, "Hawthorne": 32.2, "Self": 34.5,
                         "Neighbors": 37.8}.items():
        assert round(100 * data.y[data.treatment == arm].mean(), 1) == turnout
    assert not {"voted", "treatment", "hh_id", "cluster"} & set(data.feature_names)
    # treatment is constant within a household
    assert data.frame.groupby("hh_id")["treatment"].nunique().max() == 1
    half = load_gerber2008(path=shared_data, subsample_households=0.1, arms=("Neighbors",))
    assert set(half.treatment) == {"Control", "Neighbors"} and 0.08 < len(half) / 229_444 < 0.12


def test_ihdp_and_acic_truth(shared_data: Path):
    ihdp = load_ihdp(path=shared_data, replication=1)
    assert ihdp.X.shape == (747, 25) and "y_cfactual" not in ihdp.feature_names
    np.testing.assert_allclose(ihdp.tau, ihdp.frame["mu1"] - ihdp.frame["mu0"])
    acic = load_acic2016(path=shared_data, instance=2)
    assert len(acic) == 4802 and not {"y0", "y1", "mu0", "mu1", "z"} & set(acic.feature_names)
    observed = np.where(acic.treatment == 1, acic.frame["y1"], acic.frame["y0"])
    np.testing.assert_array_equal(acic.y, observed)


# ---------------------------------------------------------------- a file is the replication / split asked for

def _ihdp_file(folder: Path, name: str, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    rows = np.column_stack([np.tile([0, 1], 10), rng.normal(size=(20, 29))])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(gzip.compress(pd.DataFrame(rows).to_csv(header=False, index=False).encode()))
    return path


def test_ihdp_file_of_another_replication_is_refused(tmp_path, monkeypatch):
    # finding 7: load_ihdp(replication=3, path=<replication 1 file>) returned replication 1 labelled 3
    from uplift.datasets import _reference

    first = _ihdp_file(tmp_path / "a", "copy.csv.gz", seed=1)
    third = _ihdp_file(tmp_path / "b", "copy.csv.gz", seed=3)
    for replication, file in ((1, first), (3, third)):
        monkeypatch.setitem(_reference.IHDP_SHA256, replication, hashlib.sha256(gzip.decompress(
            file.read_bytes())).hexdigest())
    assert load_ihdp(replication=3, path=third).description.startswith("IHDP semi-synthetic, replication 3")
    with pytest.raises(UpliftInputError, match=r"holds IHDP replication 1 .* not the IHDP replication 3 asked "
                                               r"for; pass the file of IHDP replication 3, or replication=1"):
        load_ihdp(replication=3, path=first)


def test_unpublished_ihdp_file_is_checked_by_its_name(tmp_path):
    named_one = _ihdp_file(tmp_path, "ihdp_npci_1.csv.gz", seed=0)
    with pytest.raises(UpliftInputError, match=r"is named as IHDP replication 1, not the IHDP replication 3"):
        load_ihdp(replication=3, path=named_one)
    with pytest.warns(UpliftWarning, match="not one of the published IHDP replication files"):
        assert len(load_ihdp(replication=1, path=named_one)) == 20


def test_starbucks_file_of_the_other_split_is_refused(tmp_path):
    frame = pd.DataFrame({"ID": np.arange(40), "Promotion": ["No", "Yes"] * 20, "purchase": [0, 1, 0, 0] * 10,
                          "V1": np.arange(40) % 3})
    frame.to_csv(tmp_path / "training.csv.gz", index=False)
    with pytest.raises(UpliftInputError, match=r"named as Starbucks split train, not the Starbucks split test.*"
                                               r"split='train'"):
        load_starbucks(split="test", path=tmp_path / "training.csv.gz")


def test_reference_files_are_recognised_by_content(shared_data: Path):
    with pytest.raises(UpliftInputError, match="holds IHDP replication 1"):
        load_ihdp(replication=3, path=shared_data / "ihdp" / "ihdp_npci_1.csv.gz")
    with pytest.raises(UpliftInputError, match="holds Starbucks split train"):
        load_starbucks(split="test", path=shared_data / "starbucks" / "training.csv.gz")
    with pytest.raises(UpliftInputError, match="holds ACIC 2016 instance 1"):
        load_acic2016(instance=2, path=shared_data / "acic2016" / "zymu_1.csv.gz")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the published files are recognised: no warning
        assert len(load_ihdp(replication=3, path=shared_data)) == 747
        assert len(load_starbucks(split="test", path=shared_data)) == 41_650


# ---------------------------------------------------------------- issue 9: cache integrity

def test_empty_digest_record_is_verified_again(tmp_path):
    # an empty NAME.sha256 (a crash between file and record) used to raise IndexError
    remote = RemoteFile("c.csv.gz", "u", CRITEO.columns, n_rows=6)
    path = download(remote, tmp_path / "c", opener=_opener(_criteo_bytes(), []))
    record = path.with_name(path.name + ".sha256")
    record.write_text("")
    assert ensure_file(remote, name="c", data_home_path=tmp_path) == path
    assert record.read_text().split()[0] == hashlib.sha256(path.read_bytes()).hexdigest()
    record.write_text("")
    path.write_bytes(_criteo_bytes(4))  # and the file it should vouch for is not the download
    with pytest.raises(ChecksumMismatchError, match="expected 6 rows, got 4"):
        ensure_file(remote, name="c", data_home_path=tmp_path)
    assert not path.exists()


def test_forged_cache_with_forged_digest_record_is_refused(tmp_path):
    payload = _criteo_bytes()
    remote = RemoteFile("c.csv.gz", "u", CRITEO.columns, n_rows=6, md5=hashlib.md5(payload).hexdigest())
    path = download(remote, tmp_path / "c", opener=_opener(payload, []))
    forged = gzip.compress(gzip.decompress(payload).replace(b",0,", b",1,", 1))  # one outcome flipped
    assert forged != payload
    path.write_bytes(forged)
    path.with_name(path.name + ".sha256").write_text(f"{hashlib.sha256(forged).hexdigest()}  {path.name}\n")
    with pytest.raises(ChecksumMismatchError, match="no longer matches the MD5 of the published file shipped"):
        ensure_file(remote, name="c", data_home_path=tmp_path)
    assert not path.exists()


def test_criteo_is_fetched_over_https_with_a_shipped_digest(tmp_path):
    assert CRITEO.url.startswith("https://") and CRITEO.md5 and len(CRITEO.md5) == 32
    plain = RemoteFile("c.csv.gz", "http://example.org/c.csv.gz", CRITEO.columns)
    with pytest.raises(UpliftInputError, match=r"refusing to download over http://"):
        download(plain, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_stale_part_files_are_removed_by_the_next_download(tmp_path, caplog):
    folder = tmp_path / "c"
    folder.mkdir()
    stale = folder / ".c.csv.gz.k1ll3d.part"
    stale.write_bytes(b"x" * 1000)  # what kill -9 during a download leaves
    other = folder / ".other.csv.gz.abc.part"
    other.write_bytes(b"y")
    remote = RemoteFile("c.csv.gz", "u", CRITEO.columns, n_rows=6)
    with caplog.at_level("WARNING", logger="uplift.datasets._fetch"):
        download(remote, folder, opener=_opener(_criteo_bytes(), []))
    assert not stale.exists() and other.exists()  # only this file's leftovers
    assert "left by an interrupted download" in caplog.text
    assert sorted(p.name for p in folder.iterdir()) == [other.name, "c.csv.gz", "c.csv.gz.sha256"]


def test_cached_downloads_follow_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        path = download(RemoteFile("c.csv.gz", "u", CRITEO.columns, n_rows=6), tmp_path,
                        opener=_opener(_criteo_bytes(), []))
    finally:
        os.umask(previous)
    for file in (path, path.with_name(path.name + ".sha256")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o644, file.name  # was 0600 from mkstemp


def test_subsample_of_int_one_is_refused(tmp_path):
    file = tmp_path / CRITEO.filename
    file.write_bytes(_criteo_bytes())
    with pytest.raises(UpliftInputError, match=r"subsample=1 is ambiguous.*subsample=1.0 for every row"):
        fetch_criteo(path=file, subsample=1)
    assert len(fetch_criteo(path=file, subsample=1.0)) == 6 and len(fetch_criteo(path=file, subsample=2)) == 2


def test_a_second_download_waits_for_the_first_and_uses_its_file(tmp_path):
    import threading
    import time

    from uplift.datasets._fetch import folder_lock

    payload = _criteo_bytes()
    remote = RemoteFile("c.csv.gz", "u", CRITEO.columns, n_rows=6, md5=hashlib.md5(payload).hexdigest())
    folder = tmp_path / "c"
    folder.mkdir()
    calls: list[str] = []
    result: dict[str, Path] = {}
    with folder_lock(folder):  # another process downloading
        in_progress = folder / ".c.csv.gz.first.part"
        in_progress.write_bytes(payload[:10])
        second = threading.Thread(target=lambda: result.update(path=download(remote, folder,
                                                                             opener=_opener(payload, calls))))
        second.start()
        time.sleep(0.3)
        assert second.is_alive() and in_progress.exists()  # waits; the first one's .part is not touched
        in_progress.replace(folder / "c.csv.gz")
        (folder / "c.csv.gz").write_bytes(payload)
    second.join(timeout=30)
    assert result["path"] == folder / "c.csv.gz" and calls == []  # not downloaded twice
