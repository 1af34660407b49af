"""Readers for reference experiments the user keeps as files: Starbucks, Lenta sample, Gerber 2008, IHDP, ACIC 2016.

These files are not shipped with the package (their licences do not allow it, or they are only
for benchmarks). Each reader takes ``path=``: the file itself, the folder holding it, or a parent
folder holding one sub-folder per data set (``starbucks/``, ``lenta/``, ``gerber2008/``, ``ihdp/``,
``acic2016/``). Without ``path``, the folder ``data_home()/<name>`` is searched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .._literals import check_literal
from ..exceptions import UpliftInputError
from ._base import UpliftDataset
from ._fetch import data_home
from ._table import load_table, read_table

__all__ = ["load_acic2016", "load_gerber2008", "load_ihdp", "load_lenta_sample", "load_starbucks"]

StarbucksSplit = Literal["train", "test"]
GERBER_ARMS = ("Control", "Civic Duty", "Hawthorne", "Self", "Neighbors")
IHDP_COLUMNS = ("treatment", "y_factual", "y_cfactual", "mu0", "mu1", *(f"x{i}" for i in range(1, 26)))


def locate(path: str | Path | None, folder: str, filename: str) -> Path:
    """Find ``filename`` from a file path, its folder, a parent of ``folder``, or the data home."""
    candidates = []
    base = data_home() / folder if path is None else Path(path).expanduser()
    if base.is_file():
        return base
    candidates = [base / filename, base / folder / filename]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"{filename} not found (looked in {', '.join(str(c.parent) for c in candidates)}); pass path= "
        f"with the file, its folder, or a folder holding '{folder}/'."
    )


def load_starbucks(*, split: StarbucksSplit = "train", path: str | Path | None = None) -> UpliftDataset:
    """Starbucks promotion exercise: 84,534 (train) or 41,650 (test) customers, features V1..V7.

    ``Promotion`` Yes/No (50%) is the treatment (control "No"), ``purchase`` the outcome;
    ``ID`` is dropped. MIT licence (Udacity course repository), possibly simulated. Exercise
    economics: $10 per purchase, $0.15 per promotion sent.

    Examples
    --------
    >>> load_starbucks(path="/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: training.csv.gz not found ...
    """
    check_literal(split, StarbucksSplit, "split")
    file = locate(path, "starbucks", {"train": "training.csv.gz", "test": "test.csv.gz"}[split])
    return load_table(file, treatment="Promotion", outcome="purchase", control_value="No", drop=["ID"],
                      description="Starbucks promotion exercise (MIT licence, possibly simulated).")


def load_lenta_sample(*, path: str | Path | None = None) -> UpliftDataset:
    """The 50,000-row uniform sample of Lenta BigTarget with 3 covariates (``lenta_sample50k.csv.gz``).

    ``is_treatment`` (75%) is the treatment, ``response_att`` the outcome; features
    ``food_share_15d``, ``age``, ``is_women``. For the full data use :func:`fetch_lenta`.
    """
    file = locate(path, "lenta", "lenta_sample50k.csv.gz")
    return load_table(file, treatment="is_treatment", outcome="response_att", control_value=0,
                      description="Lenta BigTarget uplift, uniform 50k sample (benchmark only).")


def load_gerber2008(
    *, arms: tuple[str, ...] | None = None, subsample_households: float | None = None,
    random_state: int = 0, path: str | Path | None = None,
) -> UpliftDataset:
    """Gerber, Green & Larimer (2008) social-pressure mailing experiment: 344,084 voters, 5 arms.

    Treatment labels (stripped of their leading space): Control, Civic Duty, Hawthorne, Self,
    Neighbors; outcome ``voted`` (Yes/No → 1/0) in the August 2006 primary. Treatment was
    assigned by household, so ``groups`` holds ``hh_id``: split and bootstrap by it. The
    assignment ``cluster`` id is dropped; features are sex, year of birth, past turnout
    (g2000..p2004) and household size and turnout means.

    Parameters
    ----------
    arms : tuple of str, optional
        Keep these arms (the control is always kept). Default: all five.
    subsample_households : float, optional
        Keep this seeded fraction of households (whole households), to size a benchmark.
    random_state : int
        Seed of the household subsample.
    path : path, optional

    References
    ----------
    Gerber, A. S., Green, D. P., Larimer, C. W. (2008). Social Pressure and Voter Turnout:
    Evidence from a Large-Scale Field Experiment. American Political Science Review 102(1).
    """
    file = locate(path, "gerber2008", "GerberGreenLarimer_APSR_2008_social_pressure.csv.gz")
    frame = read_table(file)
    frame["treatment"] = frame["treatment"].str.strip()
    if arms is not None:
        unknown = sorted(set(arms) - set(GERBER_ARMS))
        if unknown:
            raise UpliftInputError(f"unknown Gerber 2008 arm(s) {unknown}; choose among {list(GERBER_ARMS)}.")
        frame = frame.loc[frame["treatment"].isin({"Control", *arms})].reset_index(drop=True)
    if subsample_households is not None:
        if not 0 < subsample_households <= 1:
            raise UpliftInputError(f"subsample_households must be in (0, 1]; got {subsample_households!r}.")
        households = frame["hh_id"].unique()
        rng = np.random.default_rng(random_state)
        keep = rng.choice(households, round(subsample_households * len(households)), replace=False)
        frame = frame.loc[frame["hh_id"].isin(keep)].reset_index(drop=True)
    data = load_table(frame, treatment="treatment", outcome="voted", control_value="Control", group="hh_id",
                      drop=["cluster"], description="Gerber, Green & Larimer (2008); ISPS terms: benchmark only.")
    return data


def load_ihdp(*, replication: int = 1, path: str | Path | None = None) -> UpliftDataset:
    """IHDP semi-synthetic data (Hill 2011; NPCI replications): 747 children, 25 covariates.

    Treatment is not randomized (18.6% treated); the outcome ``y_factual`` is continuous and the
    true expected outcomes ``mu0``, ``mu1`` are known, so ``mu`` and ``tau`` are filled for PEHE.
    ``y_cfactual`` (the counterfactual draw) never enters ``X``.

    References
    ----------
    Hill, J. L. (2011). Bayesian Nonparametric Modeling for Causal Inference. JCGS 20(1).
    """
    if not 1 <= replication <= 10:
        raise UpliftInputError(f"replication must be 1..10; got {replication!r}.")
    file = locate(path, "ihdp", f"ihdp_npci_{replication}.csv.gz")
    frame = read_table(file, header=None, names=list(IHDP_COLUMNS))
    return load_table(frame, treatment="treatment", outcome="y_factual", control_value=0,
                      drop=["y_cfactual"], true_outcomes=["mu0", "mu1"],
                      description=f"IHDP semi-synthetic, replication {replication} (research use).")


def load_acic2016(*, instance: int = 1, path: str | Path | None = None) -> UpliftDataset:
    """ACIC 2016 challenge data (Dorie et al. 2019): 4,802 rows, 58 covariates, known mu0/mu1.

    ``x.csv`` holds the covariates (``x_2``, ``x_21``, ``x_24`` are text and one-hot encoded);
    ``zymu_<instance>.csv`` the assignment ``z``, potential outcomes and their expectations. The
    observed outcome is ``y1`` if treated else ``y0``; only it is an outcome, ``mu0``/``mu1`` fill
    ``mu`` and ``tau``. Apache-2.0 (as shipped in causallib).

    References
    ----------
    Dorie, V., Hill, J., Shalit, U., Scott, M., Cervone, D. (2019). Automated versus do-it-yourself
    methods for causal inference. Statistical Science 34(1).
    """
    if not 1 <= instance <= 10:
        raise UpliftInputError(f"instance must be 1..10; got {instance!r}.")
    covariates = read_table(locate(path, "acic2016", "x.csv.gz"))
    outcomes = read_table(locate(path, "acic2016", f"zymu_{instance}.csv.gz"))
    if len(covariates) != len(outcomes):
        raise UpliftInputError(f"ACIC 2016: x.csv has {len(covariates)} rows but zymu_{instance} has {len(outcomes)}.")
    frame = pd.concat([covariates, outcomes], axis=1)
    frame["y"] = np.where(frame["z"] == 1, frame["y1"], frame["y0"])
    return load_table(frame, treatment="z", outcome="y", control_value=0, drop=["y0", "y1"],
                      true_outcomes=["mu0", "mu1"], description=f"ACIC 2016, instance {instance} (Apache-2.0).")
