"""Large public uplift data sets, downloaded on first use: Criteo, Lenta, X5 RetailHero, MegaFon."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from .._literals import CriteoOutcome, check_literal
from ..exceptions import UpliftInputError
from ._base import UpliftDataset
from ._fetch import Opener, RemoteFile, check_subsample, ensure_file
from ._table import load_table

__all__ = [
    "CRITEO", "LENTA", "MEGAFON", "X5_FILES",
    "build_x5_features", "fetch_criteo", "fetch_lenta", "fetch_megafon", "fetch_x5", "fetch_x5_tables",
]


#: Criteo publishes v2.1 at http://go.criteo.net/criteo-research-uplift-v2.1.csv.gz (plain HTTP, no
#: digest). The download uses the HTTPS copy scikit-uplift reads (criteo-bucket on S3) and its
#: published MD5, so a replaced file is refused; the cache keeps the original file name.
CRITEO = RemoteFile(
    filename="criteo-research-uplift-v2.1.csv.gz",
    url="https://criteo-bucket.s3.eu-central-1.amazonaws.com/criteo.csv.gz",
    columns=(*(f"f{i}" for i in range(12)), "treatment", "conversion", "visit", "exposure"),
    n_rows=13_979_592,
    md5="d2236769ef69e9be52556110102911ec",
)
#: Lenta BigTarget: the canonical public copy is scikit-uplift's mirror (MD5 published there).
LENTA = RemoteFile(
    filename="lenta_dataset.csv.gz",
    url="https://sklift.s3.eu-west-2.amazonaws.com/lenta_dataset.csv.gz",
    columns=("group", "response_att", "age", "gender"),
    n_rows=687_029,
    md5="6ab28ff0989ed8b8647f530e2e86452f",
)
MEGAFON = RemoteFile(
    filename="megafon_dataset.csv.gz",
    url="https://sklift.s3.eu-west-2.amazonaws.com/megafon_dataset.csv.gz",
    columns=("treatment_group", "conversion", "X_1", "X_50"),
    n_rows=600_000,
    md5="ee8d45a343d4d2cf90bb756c93959ecd",
)
X5_FILES = {
    "train": RemoteFile(
        filename="uplift_train.csv.gz",
        url="https://sklift.s3.eu-west-2.amazonaws.com/uplift_train.csv.gz",
        columns=("client_id", "treatment_flg", "target"), n_rows=200_039,
        md5="2720bbb659daa9e0989b2777b6a42d19",
    ),
    "clients": RemoteFile(
        filename="clients.csv.gz",
        url="https://sklift.s3.eu-west-2.amazonaws.com/clients.csv.gz",
        columns=("client_id", "first_issue_date", "first_redeem_date", "age", "gender"), n_rows=400_162,
        md5="b9cdeb2806b732771de03e819b3354c5",
    ),
    "purchases": RemoteFile(
        filename="purchases.csv.gz",
        url="https://sklift.s3.eu-west-2.amazonaws.com/purchases.csv.gz",
        columns=("client_id", "transaction_id", "transaction_datetime", "purchase_sum", "store_id", "product_id"),
        n_rows=45_786_568,
        md5="48d2de13428e24e8b61d66fef02957a8",
    ),
}


def _read_sample(
    remote: RemoteFile, name: str, *, subsample: Any, random_state: Any, data_home: str | Path | None,
    download_if_missing: bool, path: str | Path | None, opener: Opener | None,
) -> tuple[pd.DataFrame, Path]:
    """The verified file (downloaded if missing and allowed) read as a table, optionally subsampled."""
    file = ensure_file(remote, name=name, data_home_path=data_home,
                       download_if_missing=download_if_missing, path=path, opener=opener)
    return _subsample(pd.read_csv(file), subsample, random_state, name), file


def _subsample(frame: pd.DataFrame, subsample: Any, random_state: Any, name: str) -> pd.DataFrame:
    size = check_subsample(subsample, "subsample")
    if size is None:
        return frame
    n_rows = round(size * len(frame)) if isinstance(size, float) else int(size)
    if n_rows > len(frame):
        raise UpliftInputError(f"{name}: subsample={subsample!r} rows asked, but the file has {len(frame):,} rows.")
    rows = np.sort(check_random_state(random_state).choice(len(frame), n_rows, replace=False))
    return frame.iloc[rows].reset_index(drop=True)


def fetch_criteo(
    *,
    outcome: CriteoOutcome = "visit",
    subsample: int | float | None = None,
    random_state: Any = 0,
    data_home: str | Path | None = None,
    download_if_missing: bool = True,
    path: str | Path | None = None,
    opener: Opener | None = None,
) -> UpliftDataset:
    """Criteo Uplift Prediction data set v2.1 (Diemert et al. 2018): 13,979,592 rows, 12 features.

    Parameters
    ----------
    outcome : {"visit", "conversion"}, default "visit"
        Visit rate 0.046992, conversion rate 0.00292 on the full file.
    subsample : int or float, optional
        Keep a seeded random subset of rows: a row count (an int of at least 2), or a fraction in
        (0, 1] (a float: ``1.0`` keeps every row; the int ``1`` is refused as ambiguous).
    random_state : int, default 0
        Seed of the subsample.
    data_home : path, optional
        Cache folder (default: ``UPLIFT_DATA_HOME`` or the user cache folder, see :func:`data_home`).
    download_if_missing : bool, default True
        Download the 297 MB file (over HTTPS, see Notes) when it is not cached.
    path : path, optional
        A copy you already have (the ``.csv.gz`` or a folder holding it); its header is checked.
    opener : callable, optional
        Opens a URL and returns a binary stream (``urllib.request.urlopen`` by default).

    Returns
    -------
    UpliftDataset
        ``X`` holds ``f0..f11``; ``treatment`` is 1 (eligible for ads, 85%) or 0. ``exposure``
        (whether an ad was actually shown) is measured **after** the assignment: it stays in
        ``frame`` and is never a feature.

    See Also
    --------
    make_criteo_like : Criteo-shaped synthetic data of any size.
    load_dataset : Every registered data set by its key.
    data_home : Where downloads are cached.

    Notes
    -----
    Criteo publishes v2.1 over plain HTTP without a digest. The download uses the HTTPS copy that
    scikit-uplift reads, and is verified by that copy's published MD5 (shipped in the package),
    its header and its exact row count (13,979,592) before it is renamed into the cache; every
    later read checks the cached file against the shipped MD5 again. Licence: CC BY-NC-SA 4.0
    (non-commercial).

    References
    ----------
    Diemert, E., Betlei, A., Renaudin, C., Amini, M.-R. (2018). A Large Scale Benchmark for
    Uplift Modeling. AdKDD & TargetAd workshop, KDD.

    Examples
    --------
    A file in the published format (here four made-up rows) read with ``path=``:

    >>> import tempfile, pathlib
    >>> header = ",".join([*(f"f{i}" for i in range(12)), "treatment", "conversion", "visit", "exposure"])
    >>> rows = [",".join(["1.0"] * 12 + [t, "0", v, e]) for t, v, e in
    ...         [("1", "1", "1"), ("0", "0", "0"), ("1", "0", "0"), ("0", "1", "0")]]
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "criteo-research-uplift-v2.1.csv.gz"
    >>> import gzip; _ = file.write_bytes(gzip.compress("\\n".join([header, *rows]).encode()))
    >>> data = fetch_criteo(path=file)
    >>> len(data), data.feature_names[-1], "exposure" in data.feature_names
    (4, 'f11', False)
    """
    check_literal(outcome, CriteoOutcome, "outcome")
    frame, file = _read_sample(CRITEO, "criteo", subsample=subsample, random_state=random_state,
                               data_home=data_home, download_if_missing=download_if_missing, path=path,
                               opener=opener)
    data = load_table(
        frame, treatment="treatment", outcome=outcome, control_value=0,
        features=[f"f{i}" for i in range(12)],
        drop=["exposure", "conversion" if outcome == "visit" else "visit"],
        description=f"Criteo Uplift Prediction v2.1 ({len(frame):,} rows read from {file.name}); CC BY-NC-SA 4.0.",
    )
    data.source_files = (file,)
    return data


def fetch_lenta(
    *,
    subsample: int | float | None = None,
    random_state: Any = 0,
    data_home: str | Path | None = None,
    download_if_missing: bool = True,
    path: str | Path | None = None,
    opener: Opener | None = None,
) -> UpliftDataset:
    """Lenta BigTarget uplift data set: 687,029 customers, 193 features, SMS campaign.

    ``group`` ("test" = treated, 75%; "control") is the treatment, ``response_att`` (bought during
    the campaign, about 10%) the outcome. ``gender`` is one-hot encoded; missing numbers stay NaN.
    Parameters as in :func:`fetch_criteo`.

    Parameters
    ----------
    subsample : int or float, optional
        Keep a seeded random subset of rows: a row count (an int of at least 2), or a fraction in (0, 1].
    random_state : int, default 0
        Seed of the subsample.

    data_home : path, optional
        Cache folder (default: ``UPLIFT_DATA_HOME`` or the user cache folder, see :func:`data_home`).
    download_if_missing : bool, default True
        Download the file (over HTTPS, checked against a digest shipped in the package) when it is
        not cached.
    path : path, optional
        A copy you already have (the file or a folder holding it).
    opener : callable, optional
        Opens a URL and returns a binary stream (``urllib.request.urlopen`` by default).

    Returns
    -------
    UpliftDataset
        Features, outcome, treatment and the raw ``frame``.

    See Also
    --------
    load_lenta_sample : A 50,000-row sample with 3 covariates.
    load_dataset : Every registered data set by its key.
    data_home : Where downloads are cached.

    Notes
    -----
    Downloaded from scikit-uplift's mirror (the only public location; the hackathon page needs a
    login) and verified by the mirror's published MD5, the header and the row count. Licence
    terms of the original release are unclear: use for research and benchmarks.
    """
    frame, file = _read_sample(LENTA, "lenta", subsample=subsample, random_state=random_state,
                               data_home=data_home, download_if_missing=download_if_missing, path=path,
                               opener=opener)
    data = load_table(frame, treatment="group", outcome="response_att", control_value="control",
                      description=f"Lenta BigTarget uplift ({len(frame):,} rows from {file.name}).")
    data.source_files = (file,)
    return data


def fetch_megafon(
    *,
    subsample: int | float | None = None,
    random_state: Any = 0,
    data_home: str | Path | None = None,
    download_if_missing: bool = True,
    path: str | Path | None = None,
    opener: Opener | None = None,
) -> UpliftDataset:
    """MegaFon Uplift Competition (2021): 600,000 synthetic telecom customers, features X_1..X_50.

    ``treatment_group`` ("treatment" / "control", 50% each) is the treatment and ``conversion``
    the outcome. Parameters and verification as in :func:`fetch_lenta`.

    Parameters
    ----------
    subsample : int or float, optional
        Keep a seeded random subset of rows: a row count (an int of at least 2), or a fraction in (0, 1].
    random_state : int, default 0
        Seed of the subsample.

    data_home : path, optional
        Cache folder (default: ``UPLIFT_DATA_HOME`` or the user cache folder, see :func:`data_home`).
    download_if_missing : bool, default True
        Download the file (over HTTPS, checked against a digest shipped in the package) when it is
        not cached.
    path : path, optional
        A copy you already have (the file or a folder holding it).
    opener : callable, optional
        Opens a URL and returns a binary stream (``urllib.request.urlopen`` by default).

    Returns
    -------
    UpliftDataset
        Features, outcome, treatment and the raw ``frame``.

    See Also
    --------
    load_dataset : Every registered data set by its key.
    data_home : Where downloads are cached.
    """
    frame, file = _read_sample(MEGAFON, "megafon", subsample=subsample, random_state=random_state,
                               data_home=data_home, download_if_missing=download_if_missing, path=path,
                               opener=opener)
    identifiers = [c for c in frame.columns if c.lower() == "id"]
    data = load_table(frame, treatment="treatment_group", outcome="conversion", control_value="control",
                      drop=identifiers,
                      description=f"MegaFon Uplift Competition ({len(frame):,} rows from {file.name}).")
    data.source_files = (file,)
    return data


def fetch_x5_tables(
    *,
    data_home: str | Path | None = None,
    download_if_missing: bool = True,
    path: str | Path | None = None,
    opener: Opener | None = None,
) -> dict[str, pd.DataFrame]:
    """The raw X5 RetailHero tables: ``train`` (client_id, treatment_flg, target), ``clients``, ``purchases``.

    ``path`` is a folder holding ``uplift_train.csv.gz``, ``clients.csv.gz`` and ``purchases.csv.gz``.
    ``purchases`` has 45,786,568 rows (about 4 GB in memory).

    Parameters
    ----------
    data_home : path, optional
        Cache folder (default: ``UPLIFT_DATA_HOME`` or the user cache folder, see :func:`data_home`).
    download_if_missing : bool, default True
        Download the file (over HTTPS, checked against a digest shipped in the package) when it is
        not cached.
    path : path, optional
        A copy you already have (the file or a folder holding it).
    opener : callable, optional
        Opens a URL and returns a binary stream (``urllib.request.urlopen`` by default).

    Returns
    -------
    dict of str to DataFrame
        ``"train"``, ``"clients"`` and ``"purchases"``.

    See Also
    --------
    build_x5_features : Features from these tables.
    fetch_x5 : The data set with those features.
    """
    tables = {}
    for key, remote in X5_FILES.items():
        file = ensure_file(remote, name="x5", data_home_path=data_home,
                           download_if_missing=download_if_missing, path=path, opener=opener)
        tables[key] = pd.read_csv(file)
    return tables


def build_x5_features(
    train: pd.DataFrame, clients: pd.DataFrame, purchases: pd.DataFrame
) -> pd.DataFrame:
    """A basic per-client feature table for X5 RetailHero, one row per row of ``train``.

    Features (all measured before the communication):

    - from ``clients``: ``age``, ``gender`` (one-hot), ``issue_days`` (days from the first card
      issue to the last purchase date in the data), ``redeem_delay_days`` (first redeem minus first
      issue, NaN if never redeemed);
    - from ``purchases`` (transactions de-duplicated by ``transaction_id``): ``n_transactions``,
      ``purchase_sum_total``, ``purchase_sum_mean``, ``points_received_total``,
      ``points_spent_total``, ``n_stores``, ``n_products`` (distinct), ``recency_days`` (days
      since the client's last purchase), ``active_days`` (first to last purchase).

    Parameters
    ----------
    train : DataFrame
        ``client_id, treatment_flg, target``.
    clients : DataFrame
        The X5 clients table.
    purchases : DataFrame
        The X5 purchases table.

    Returns
    -------
    DataFrame
        ``client_id``, ``treatment_flg``, ``target`` and the features above.

    See Also
    --------
    fetch_x5_tables : The raw tables.
    fetch_x5 : The data set with these features.
    """
    dates = pd.to_datetime(purchases["transaction_datetime"])
    reference = dates.max()
    per_transaction = purchases.assign(transaction_datetime=dates).drop_duplicates("transaction_id")
    points_received = per_transaction.filter(like="points_received").sum(axis=1)
    points_spent = per_transaction.filter(like="points_spent").sum(axis=1)
    grouped = per_transaction.assign(points_received=points_received, points_spent=points_spent).groupby("client_id")
    history = pd.DataFrame({
        "n_transactions": grouped.size(),
        "purchase_sum_total": grouped["purchase_sum"].sum(),
        "purchase_sum_mean": grouped["purchase_sum"].mean(),
        "points_received_total": grouped["points_received"].sum(),
        "points_spent_total": grouped["points_spent"].sum(),
        "n_stores": grouped["store_id"].nunique(),
        "recency_days": (reference - grouped["transaction_datetime"].max()).dt.days,
        "active_days": (grouped["transaction_datetime"].max() - grouped["transaction_datetime"].min()).dt.days,
    })
    history["n_products"] = purchases.groupby("client_id")["product_id"].nunique()
    profile = clients.set_index("client_id")
    issue = pd.to_datetime(profile["first_issue_date"])
    redeem = pd.to_datetime(profile["first_redeem_date"])
    client_features = pd.DataFrame({
        "age": profile["age"],
        "gender": profile["gender"],
        "issue_days": (reference - issue).dt.days,
        "redeem_delay_days": (redeem - issue).dt.days,
    })
    table = train[["client_id", "treatment_flg", "target"]].join(client_features, on="client_id")
    return table.join(history, on="client_id")


def fetch_x5(
    *,
    data_home: str | Path | None = None,
    download_if_missing: bool = True,
    path: str | Path | None = None,
    opener: Opener | None = None,
) -> UpliftDataset:
    """X5 RetailHero uplift data (200,039 clients) with the basic features of :func:`build_x5_features`.

    ``treatment_flg`` (SMS sent, 50%) is the treatment and ``target`` (purchase afterwards, 62%)
    the outcome; ``client_id`` is kept as ``groups``. Use :func:`fetch_x5_tables` for the raw
    tables and your own features. Downloaded from scikit-uplift's mirror, verified by its MD5s,
    headers and row counts.

    Parameters
    ----------
    data_home : path, optional
        Cache folder (default: ``UPLIFT_DATA_HOME`` or the user cache folder, see :func:`data_home`).
    download_if_missing : bool, default True
        Download the file (over HTTPS, checked against a digest shipped in the package) when it is
        not cached.
    path : path, optional
        A copy you already have (the file or a folder holding it).
    opener : callable, optional
        Opens a URL and returns a binary stream (``urllib.request.urlopen`` by default).

    Returns
    -------
    UpliftDataset
        ``client_id`` kept as ``groups``.

    See Also
    --------
    fetch_x5_tables : The raw tables, for your own features.
    load_dataset : Every registered data set by its key.
    data_home : Where downloads are cached.
    """
    tables = fetch_x5_tables(data_home=data_home, download_if_missing=download_if_missing, path=path, opener=opener)
    frame = build_x5_features(tables["train"], tables["clients"], tables["purchases"])
    return load_table(frame, treatment="treatment_flg", outcome="target", control_value=0, group="client_id",
                      description="X5 RetailHero uplift (basic features built from clients and purchases).")
