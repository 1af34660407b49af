"""The dataset container and checksum-verified file reading shared by every loader."""

from __future__ import annotations

import gzip
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ChecksumMismatchError, UpliftInputError

__all__ = ["UpliftDataset", "read_verified_csv", "sha256_of_bytes"]


@dataclass
class UpliftDataset:
    """An uplift data set: features, outcome, treatment and what is known about it.

    Attributes
    ----------
    X : DataFrame of shape (n, p)
        Pre-treatment features, encoded as numbers and ready for a model. Never holds outcome
        or post-treatment columns.
    y : ndarray of shape (n,)
        Outcome.
    treatment : ndarray of shape (n,)
        Arm of each row; ``control_value`` marks the control.
    frame : DataFrame
        The raw table the data set was built from (all columns, unencoded).
    feature_names : list of str
        Columns of ``X``.
    description : str
        What the data is, where it comes from and its licence.
    target_name, treatment_name : str
        Names of the outcome and treatment columns in ``frame``.
    control_value : object
        Label of the control arm in ``treatment``.
    arm_names : dict
        Human-readable name of each treatment label.
    groups : ndarray, optional
        Cluster id (household, customer) for grouped splits and bootstraps.
    time : ndarray, optional
        Time stamp or period of each row for temporal splits.
    mu : ndarray of shape (n, n_arms + 1), optional
        True expected outcome under control (column 0) and each treated arm, when known.
    tau : ndarray of shape (n,) or (n, n_arms), optional
        True effect of each treated arm versus control, when known.
    propensity : ndarray, optional
        True probability of the observed assignment scheme, when known: shape (n,) for one
        treated arm (P(treated)), (n, n_arms + 1) for several.
    customer_type : ndarray of str, optional
        Segment labels of synthetic data (persuadable, sure thing, lost cause, sleeping dog).
    source_files : tuple of Path
        The files the data was read from (empty for generated data and DataFrames), so a run
        can record their size and modification time.

    See Also
    --------
    load_table : Any experiment stored as a table.
    load_dataset : A registered data set by its key.
    make_uplift_classification : Synthetic data with the true effects.
    """

    X: pd.DataFrame
    y: np.ndarray
    treatment: np.ndarray
    frame: pd.DataFrame
    feature_names: list[str]
    description: str
    target_name: str = "y"
    treatment_name: str = "treatment"
    control_value: Any = 0
    arm_names: dict[Any, str] = field(default_factory=dict)
    groups: np.ndarray | None = None
    time: np.ndarray | None = None
    mu: np.ndarray | None = None
    tau: np.ndarray | None = None
    propensity: np.ndarray | None = None
    customer_type: np.ndarray | None = None
    source_files: tuple[Path, ...] = ()

    def __len__(self) -> int:
        return len(self.y)

    def __repr__(self) -> str:
        labels, counts = np.unique(self.treatment, return_counts=True)
        arms = ", ".join(f"{label!r}: {count}" for label, count in zip(labels.tolist(), counts.tolist(), strict=True))
        return (
            f"UpliftDataset(n={len(self)}, features={len(self.feature_names)}, "
            f"target={self.target_name!r}, rows per arm={{{arms}}}, control={self.control_value!r})"
        )

    @property
    def n_arms(self) -> int:
        """Number of treated arms (the control is not counted)."""
        return len(np.unique(self.treatment)) - 1


def sha256_of_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_verified_csv(path: str | Path, sha256: str | None, *, name: str, **read_csv_kwargs: Any) -> pd.DataFrame:
    """Read a (possibly gzip-compressed) CSV after checking the SHA-256 of its uncompressed bytes.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ChecksumMismatchError
        The bytes differ from the published file (corrupt, truncated or another version).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{name}: no file at {path}.")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ChecksumMismatchError(
                f"{name}: {path} is not a readable gzip file ({error}); it is corrupt or truncated. "
                "Replace it with the original file."
            ) from error
    if sha256 is not None:
        digest = sha256_of_bytes(raw)
        if digest != sha256:
            raise ChecksumMismatchError(
                f"{name}: checksum mismatch for {path}: expected SHA-256 {sha256}, got {digest}. "
                "The file is corrupt or not the published version; reinstall the package or "
                "download the file again."
            )
    try:
        return pd.read_csv(io.BytesIO(raw), **read_csv_kwargs)
    except (ValueError, pd.errors.ParserError) as error:
        raise UpliftInputError(f"{name}: could not parse {path} as CSV ({error}).") from error
