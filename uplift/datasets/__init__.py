"""Data sets: the bundled Hillstrom experiment and synthetic data with known true effects."""

from ._base import UpliftDataset
from ._hillstrom import load_hillstrom
from ._synthetic import (
    CUSTOMER_TYPES,
    make_criteo_like,
    make_uplift_classification,
    make_uplift_regression,
)

__all__ = [
    "CUSTOMER_TYPES",
    "UpliftDataset",
    "load_hillstrom",
    "make_criteo_like",
    "make_uplift_classification",
    "make_uplift_regression",
]
