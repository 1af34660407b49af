"""The registry of named data sets used by ``uplift datasets`` and the benchmark runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..exceptions import UpliftInputError
from ._base import UpliftDataset
from ._hillstrom import load_hillstrom
from ._public import CRITEO, LENTA, MEGAFON, X5_FILES, fetch_criteo, fetch_lenta, fetch_megafon, fetch_x5
from ._reference import load_acic2016, load_gerber2008, load_ihdp, load_lenta_sample, load_starbucks
from ._synthetic import make_uplift_classification, make_uplift_regression

__all__ = ["DATASETS", "DatasetInfo", "load_dataset"]


@dataclass(frozen=True)
class DatasetInfo:
    """A named data set: how to load it and where it comes from."""

    key: str
    loader: Callable[..., UpliftDataset]
    summary: str
    source: str
    licence: str
    checksum: str
    downloadable: bool = False


_SKLIFT_MIRROR = "MD5 of the scikit-uplift mirror + header + row count"
DATASETS: dict[str, DatasetInfo] = {info.key: info for info in (
    DatasetInfo("hillstrom", load_hillstrom, "Hillstrom e-mail (bundled); params outcome=, arms=",
                "https://blog.minethatdata.com/2008/03/minethatdata-e-mail-analytics-and-data.html",
                "public challenge data", "SHA-256 (bundled file)"),
    DatasetInfo("starbucks", load_starbucks, "Starbucks promotion exercise; params split=, path=",
                "Udacity Data Scientist nanodegree (Starbucks portfolio exercise)", "MIT", "read from path="),
    DatasetInfo("lenta_sample", load_lenta_sample, "Lenta BigTarget 50k sample, 3 covariates; params path=",
                "sample of the Lenta BigTarget file", "unclear: benchmark only", "read from path="),
    DatasetInfo("gerber2008", load_gerber2008,
                "Gerber-Green-Larimer 2008, 5 arms, grouped by household; params arms=, subsample_households=",
                "https://isps.yale.edu/research/data/d001", "ISPS archive terms: benchmark only", "read from path="),
    DatasetInfo("ihdp", load_ihdp, "IHDP semi-synthetic with true mu0/mu1; params replication=, path=",
                "https://www.fredjo.com/ (NPCI replications, Hill 2011)", "research use", "read from path="),
    DatasetInfo("acic2016", load_acic2016, "ACIC 2016 with true mu0/mu1; params instance=, path=",
                "https://github.com/BiomedSciAI/causallib (ACIC 2016 data)", "Apache-2.0", "read from path="),
    DatasetInfo("synthetic", make_uplift_classification,
                "binary synthetic data with the four customer types and known truth; params n_samples=, ...",
                "generated", "n/a", "n/a (seeded)"),
    DatasetInfo("synthetic_regression", make_uplift_regression, "continuous synthetic data with known truth",
                "generated", "n/a", "n/a (seeded)"),
    DatasetInfo("criteo", fetch_criteo, "Criteo Uplift v2.1, 13,979,592 rows; params outcome=, subsample=",
                CRITEO.url, "CC BY-NC-SA 4.0", CRITEO.checksum_status, downloadable=True),
    DatasetInfo("lenta", fetch_lenta, "Lenta BigTarget, 687,029 rows", LENTA.url, "unclear: research use",
                _SKLIFT_MIRROR, downloadable=True),
    DatasetInfo("x5", fetch_x5, "X5 RetailHero, 200,039 clients, basic features from purchases",
                X5_FILES["train"].url.rsplit("/", 1)[0] + "/{uplift_train,clients,purchases}.csv.gz",
                "RetailHero competition terms: research use", _SKLIFT_MIRROR, downloadable=True),
    DatasetInfo("megafon", fetch_megafon, "MegaFon Uplift Competition, 600,000 rows (synthetic)", MEGAFON.url,
                "competition terms: research use", _SKLIFT_MIRROR, downloadable=True),
)}


def load_dataset(key: str, **params: Any) -> UpliftDataset:
    """Load the registered data set ``key`` with its loader's keyword ``params``.

    Parameters
    ----------
    key : str
        A key of :data:`DATASETS` (``uplift datasets list`` prints them).
    **params
        Keyword arguments of that data set's loader.

    Returns
    -------
    UpliftDataset
        The loaded data set.

    Raises
    ------
    UpliftInputError
        ``key`` is not registered, or a parameter is not accepted by its loader.

    See Also
    --------
    DATASETS : The registry: loader, source, licence and checksum of each data set.
    load_table : Your own experiment, from a file or a frame.

    Examples
    --------
    >>> load_dataset("synthetic", n_samples=200, random_state=0).X.shape
    (200, 10)
    """
    info = DATASETS.get(key)
    if info is None:
        raise UpliftInputError(
            f"unknown data set {key!r}; registered data sets are {sorted(DATASETS)}. For your own file use a "
            "load_table spec (path, treatment, outcome, ...)."
        )
    try:
        return info.loader(**params)
    except TypeError as error:
        if "unexpected keyword" in str(error) or "positional argument" in str(error):
            raise UpliftInputError(f"data set {key!r}: {error}. See `uplift datasets list`.") from error
        raise
