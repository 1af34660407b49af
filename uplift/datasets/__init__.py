"""Data sets: the bundled Hillstrom experiment and synthetic data with known true effects."""

from ._base import UpliftDataset
from ._fetch import data_home
from ._hillstrom import load_hillstrom
from ._logs import UpliftTable, build_uplift_table
from ._public import build_x5_features, fetch_criteo, fetch_lenta, fetch_megafon, fetch_x5, fetch_x5_tables
from ._reference import load_acic2016, load_gerber2008, load_ihdp, load_lenta_sample, load_starbucks
from ._registry import DATASETS, load_dataset
from ._stream import make_uplift_stream
from ._synthetic import (
    CUSTOMER_TYPES,
    make_criteo_like,
    make_uplift_classification,
    make_uplift_regression,
)
from ._table import load_table

__all__ = [
    "CUSTOMER_TYPES",
    "DATASETS",
    "UpliftDataset",
    "UpliftTable",
    "build_uplift_table",
    "build_x5_features",
    "data_home",
    "fetch_criteo",
    "fetch_lenta",
    "fetch_megafon",
    "fetch_x5",
    "fetch_x5_tables",
    "load_acic2016",
    "load_dataset",
    "load_gerber2008",
    "load_hillstrom",
    "load_ihdp",
    "load_lenta_sample",
    "load_starbucks",
    "load_table",
    "make_criteo_like",
    "make_uplift_classification",
    "make_uplift_regression",
    "make_uplift_stream",
]
