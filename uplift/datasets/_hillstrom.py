"""Kevin Hillstrom's MineThatData e-mail challenge (2008), bundled with the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .._literals import HillstromArms, HillstromOutcome, check_literal
from ._base import UpliftDataset, read_verified_csv

__all__ = ["load_hillstrom"]

#: SHA-256 of the uncompressed CSV (64,000 rows and a header; md5 b47bbd55d239c433f84e2fec6d6a1938).
HILLSTROM_SHA256 = "ff9e59285e9dc3f5fa3e0975419e6631ea5bdccd65d818991473d2367e02979c"

_ARM_LABELS = {"No E-Mail": 0, "Womens E-Mail": 1, "Mens E-Mail": 2}
_POST_TREATMENT = ("visit", "conversion", "spend")

_DESCRIPTION = """\
Kevin Hillstrom's MineThatData E-Mail Analytics and Data Mining Challenge (2008).
64,000 customers who bought in the last twelve months were randomly assigned (1/3 each) to a
men's merchandise e-mail, a women's merchandise e-mail, or no e-mail. Outcomes over the following
two weeks: visit, conversion and spend. Publicly released for the challenge and widely
redistributed; the canonical public uplift example.

Features (pre-treatment): recency (months since last purchase), history (dollars spent last year),
mens / womens (bought that merchandise last year), newbie (new customer in the last twelve
months), zip_code and channel one-hot encoded. `history_segment` is a binned copy of `history`
and is left out of X. Treatment codes: 0 = No E-Mail, 1 = Womens E-Mail, 2 = Mens E-Mail.
"""


def _bundled_path() -> Path:
    return Path(str(resources.files("uplift.datasets").joinpath("data/hillstrom.csv.gz")))


def load_hillstrom(
    *,
    outcome: HillstromOutcome = "visit",
    arms: HillstromArms = "womens",
    path: str | Path | None = None,
) -> UpliftDataset:
    """Load the Hillstrom e-mail experiment, verified against its published checksum.

    Parameters
    ----------
    outcome : {"visit", "conversion", "spend"}, default "visit"
        The outcome column. ``visit`` is the standard task: conversions are so rare (122-267
        buyers per arm) that rankings by conversion are mostly noise.
    arms : {"womens", "mens", "all"}, default "womens"
        ``"womens"``: Womens E-Mail (1) versus No E-Mail (0), 42,693 rows, the standard task.
        ``"mens"``: Mens E-Mail (2) versus No E-Mail (0). ``"all"``: all 64,000 rows, three arms.
    path : path, optional
        Read this copy of ``hillstrom.csv`` (plain or gzip) instead of the bundled one. It must be
        the published file: its checksum is verified either way.

    Returns
    -------
    UpliftDataset
        ``treatment`` holds 0 (No E-Mail), 1 (Womens E-Mail), 2 (Mens E-Mail).

    Raises
    ------
    ChecksumMismatchError
        The file's bytes differ from the published data set.

    See Also
    --------
    load_dataset : The same, by the registry key ``"hillstrom"``.
    uplift.diagnostics.check_experiment : The checks to run before modelling.

    Examples
    --------
    >>> data = load_hillstrom()
    >>> data.X.shape, round(float(data.y.mean()), 4)
    ((42693, 11), 0.1288)
    """
    check_literal(outcome, HillstromOutcome, "outcome")
    check_literal(arms, HillstromArms, "arms")
    source = Path(path) if path is not None else _bundled_path()
    frame = read_verified_csv(source, HILLSTROM_SHA256, name="Hillstrom")
    if arms != "all":
        keep = {"womens": ("No E-Mail", "Womens E-Mail"), "mens": ("No E-Mail", "Mens E-Mail")}[arms]
        frame = frame.loc[frame["segment"].isin(keep)].reset_index(drop=True)
    X = frame.drop(columns=[*_POST_TREATMENT, "segment", "history_segment"])
    X = pd.get_dummies(X, columns=["zip_code", "channel"], dtype=np.float64)
    X.columns = [c.replace(" ", "_").lower() for c in X.columns]
    X = X.astype(np.float64)
    treatment = frame["segment"].map(_ARM_LABELS).to_numpy(dtype=np.int64)
    present = sorted(set(treatment.tolist()))
    names = {code: label for label, code in _ARM_LABELS.items() if code in present}
    return UpliftDataset(
        X=X,
        y=frame[outcome].to_numpy(dtype=np.float64),
        treatment=treatment,
        frame=frame,
        feature_names=list(X.columns),
        description=_DESCRIPTION,
        target_name=outcome,
        treatment_name="segment",
        control_value=0,
        arm_names=names,
        source_files=(source,),
    )
