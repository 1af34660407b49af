"""Readers for reference experiments the user keeps as files: Starbucks, Lenta sample, Gerber 2008, IHDP, ACIC 2016.

These files are not shipped with the package (their licences do not allow it, or they are only
for benchmarks). Each reader takes ``path=``: the file itself, the folder holding it, or a parent
folder holding one sub-folder per data set (``starbucks/``, ``lenta/``, ``gerber2008/``, ``ihdp/``,
``acic2016/``). Without ``path``, the folder ``data_home()/<name>`` is searched.
"""

from __future__ import annotations

import gzip
import io
import re
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._literals import StarbucksSplit, check_literal
from ..exceptions import UpliftInputError, UpliftWarning
from ._base import UpliftDataset, sha256_of_bytes
from ._fetch import data_home
from ._table import load_table, read_table

__all__ = ["load_acic2016", "load_gerber2008", "load_ihdp", "load_lenta_sample", "load_starbucks"]

GERBER_ARMS = ("Control", "Civic Duty", "Hawthorne", "Self", "Neighbors")
IHDP_COLUMNS = ("treatment", "y_factual", "y_cfactual", "mu0", "mu1", *(f"x{i}" for i in range(1, 26)))

# SHA-256 of the uncompressed bytes of the published files (the NPCI replications as distributed
# by Johansson et al., the Starbucks exercise files, ACIC 2016 as shipped in causallib): a file
# is recognised by its content, so replication 1 can never be read as replication 3.
IHDP_SHA256 = {
    1: "2bdc8b94fdf2f669b1d3d49325fd9359d88418566545003867841312a1653411",
    2: "36db2f3d002250bc95e5214477718c939fbe7dfe8df573c4050d8b246d314042",
    3: "bd792ce0642468195b2c3f0cd4c521378d7d52d044f153e844d151a87e067518",
    4: "ac04602a2f052af1211347bcaff87f7bab356a4a7f42f8c6a81edede51549006",
    5: "8f9b3ef4b66e8f9dd240c9851233f4fb483c73c25b6d23c6459c666edb9cd691",
    6: "e05192794201c8a8fe1e4a88f12d3367d3d6b568eadb46365557661bff00712e",
    7: "246684bfc9e1258e5bdc59c3d1c13c0694a331d1f13026ff79f6c4605e6d3678",
    8: "6e88b890ee4ed6274b8ea4285500dd0865ab71e17010ee505f7e2a2d507c4511",
    9: "fe959d86a37be9278ef195fbf139b2b8af1b8246b3518208cd00b295d906a98f",
    10: "b9bce7e081f245b7689a3c2b5e4ed37162dca8cd596e0998b73ddc0ac92a4919",
}
STARBUCKS_SHA256 = {
    "train": "4d48190fd0d6a65d3874fa9a9ac79d89007579716366c2cfe140ae999088aa4f",
    "test": "f5607ca0b2f6a6580ee2085659387b45735e81b41cad97c756ba068fcc06a625",
}
ACIC_ZYMU_SHA256 = {
    1: "c77c7ba8cefeb350983d9e3918c444004b290e32f53ce028028701387898e175",
    2: "faf5ad7c584d7c2dd6eed5120de8bb5de0a738b9fc343275d7d59a05efbf8ada",
    3: "394974df8181524c3a5f0166cae961adc7e1311bf05db2050c1668879bf8e130",
    4: "478153982835c31ca5442df3dba9020a9b8b04cad2f87d5a2beae56638cdd9e9",
    5: "96b9252370b5f72da72a643b81a3233337ff274f4abbe74837e152f969f9bb87",
    6: "73cac08e9444b336417ae99696f2156b96ee096fd195a1ec118fc315571c608e",
    7: "b456f0f230fdb6b503acf691ed4efaaf59806d7a23f6ac3f7b47a6b6588292c4",
    8: "3d1d6a5646efaba235f9ed0c41c80644050d88764a1728e9411e1000266560b4",
    9: "0c3d16e75faf07b8b63c991522270f481c1570f64ebc3c24671e9805612f933e",
    10: "81fe53b05fce5cf889a5884179dff485e67e9caeabc9fc1cb0da1da39c4dba3b",
}


def _named(filename: str, pattern: str) -> str | None:
    """The replication, instance or split a file name states (``ihdp_npci_3.csv`` -> "3"), else None."""
    match = re.search(pattern, filename.lower())
    return match.group(1) if match else None


def read_identified(file: Path, *, what: str, parameter: str, requested: Any, published: dict[Any, str],
                    name_pattern: str, **read_csv_kwargs: Any) -> pd.DataFrame:
    """Read ``file`` after checking it is the ``requested`` one of several published files.

    The file is recognised by the SHA-256 of its uncompressed bytes (``published``); a file that
    matches none of them is checked by the replication (or split) its name states, read, and
    reported with an :class:`~uplift.exceptions.UpliftWarning`.

    Raises
    ------
    UpliftInputError
        The file's content is that of another published file, or its name says another one.
    """
    raw = file.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise UpliftInputError(f"{what}: {file} is not a readable gzip file ({error}).") from error
    digest = sha256_of_bytes(raw)
    found = next((key for key, expected in published.items() if expected == digest), None)
    if found is not None and found != requested:
        raise UpliftInputError(
            f"{file} holds {what} {found} (its SHA-256 is that of the published {what} {found} file), not the "
            f"{what} {requested} asked for; pass the file of {what} {requested}, or {parameter}={found!r}."
        )
    if found is None:
        named = _named(file.name, name_pattern)
        if named is not None and named != str(requested):
            raise UpliftInputError(
                f"{file} is named as {what} {named}, not the {what} {requested} asked for; pass the file of "
                f"{what} {requested}, or {parameter}={named if named.isdigit() else repr(named)}."
            )
        warnings.warn(
            f"{file} is not one of the published {what} files (SHA-256 {digest[:12]}... matches none); it was "
            f"read as {what} {requested} without a check that it is.", UpliftWarning, stacklevel=3,
        )
    try:
        return pd.read_csv(io.BytesIO(raw), **read_csv_kwargs)
    except (ValueError, pd.errors.ParserError) as error:
        raise UpliftInputError(f"{what}: could not parse {file} as CSV ({error}).") from error


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
    searched = f"{filename} not found (looked in {', '.join(str(c.parent) for c in candidates)})"
    error = FileNotFoundError(f"{searched}; pass path= with the file, its folder, or a folder holding '{folder}/'.")
    error.searched = searched  # type: ignore[attr-defined]  # for callers that suggest their own fix
    raise error


def load_starbucks(*, split: StarbucksSplit = "train", path: str | Path | None = None) -> UpliftDataset:
    """Starbucks promotion exercise: 84,534 (train) or 41,650 (test) customers, features V1..V7.

    ``Promotion`` Yes/No (50%) is the treatment (control "No"), ``purchase`` the outcome;
    ``ID`` is dropped. MIT licence (Udacity course repository), possibly simulated. Exercise
    economics: $10 per purchase, $0.15 per promotion sent.

    Parameters
    ----------
    split : {"train", "test"}, default "train"
        Which file of the exercise.

    path : path, optional
        The file, the folder holding it, or a parent folder with one sub-folder per data set;
        default: the data home (:func:`data_home`).

    Returns
    -------
    UpliftDataset
        Features, outcome, treatment and the raw ``frame``.

    See Also
    --------
    load_dataset : Every registered data set by its key.
    load_table : Your own experiment.

    Examples
    --------
    >>> load_starbucks(path="/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: training.csv.gz not found ...
    """
    check_literal(split, StarbucksSplit, "split")
    file = locate(path, "starbucks", {"train": "training.csv.gz", "test": "test.csv.gz"}[split])
    frame = read_identified(file, what="Starbucks split", parameter="split", requested=split,
                            published=STARBUCKS_SHA256, name_pattern=r"(train|test)")
    data = load_table(frame, treatment="Promotion", outcome="purchase", control_value="No", id="ID",
                      description=f"Starbucks promotion exercise, {split} split (MIT licence, possibly simulated).")
    data.source_files = (file,)
    return data


def load_lenta_sample(*, path: str | Path | None = None) -> UpliftDataset:
    """The 50,000-row uniform sample of Lenta BigTarget with 3 covariates (``lenta_sample50k.csv.gz``).

    ``is_treatment`` (75%) is the treatment, ``response_att`` the outcome; features
    ``food_share_15d``, ``age``, ``is_women``. For the full data use :func:`fetch_lenta`.

    Parameters
    ----------
    path : path, optional
        The file, the folder holding it, or a parent folder with one sub-folder per data set;
        default: the data home (:func:`data_home`).

    Returns
    -------
    UpliftDataset
        Features, outcome, treatment and the raw ``frame``.

    See Also
    --------
    fetch_lenta : The full data set.
    load_dataset : Every registered data set by its key.
    load_table : Your own experiment.
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

    Returns
    -------
    UpliftDataset
        ``groups`` holds the household of each voter.

    See Also
    --------
    load_dataset : Every registered data set by its key.
    load_table : Your own experiment.

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
    data.source_files = (file,)
    return data


def load_ihdp(*, replication: int = 1, path: str | Path | None = None) -> UpliftDataset:
    """IHDP semi-synthetic data (Hill 2011; NPCI replications): 747 children, 25 covariates.

    Treatment is not randomized (18.6% treated); the outcome ``y_factual`` is continuous and the
    true expected outcomes ``mu0``, ``mu1`` are known, so ``mu`` and ``tau`` are filled for PEHE.
    ``y_cfactual`` (the counterfactual draw) never enters ``X``.

    Parameters
    ----------
    replication : int, default 1
        Which NPCI replication.

    path : path, optional
        The file, the folder holding it, or a parent folder with one sub-folder per data set;
        default: the data home (:func:`data_home`).

    Returns
    -------
    UpliftDataset
        With the true ``mu`` and ``tau``.

    See Also
    --------
    load_acic2016 : Another benchmark with known effects.
    load_dataset : Every registered data set by its key.
    load_table : Your own experiment.

    References
    ----------
    Hill, J. L. (2011). Bayesian Nonparametric Modeling for Causal Inference. JCGS 20(1).
    """
    if not 1 <= replication <= 10:
        raise UpliftInputError(f"replication must be 1..10; got {replication!r}.")
    file = locate(path, "ihdp", f"ihdp_npci_{replication}.csv.gz")
    frame = read_identified(file, what="IHDP replication", parameter="replication",
                            requested=replication, published=IHDP_SHA256,
                            name_pattern=r"npci_(\d+)", header=None, names=list(IHDP_COLUMNS))
    data = load_table(frame, treatment="treatment", outcome="y_factual", control_value=0,
                      drop=["y_cfactual"], true_outcomes=["mu0", "mu1"],
                      description=f"IHDP semi-synthetic, replication {replication} (research use).")
    data.source_files = (file,)
    return data


def load_acic2016(*, instance: int = 1, path: str | Path | None = None) -> UpliftDataset:
    """ACIC 2016 challenge data (Dorie et al. 2019): 4,802 rows, 58 covariates, known mu0/mu1.

    ``x.csv`` holds the covariates (``x_2``, ``x_21``, ``x_24`` are text and one-hot encoded);
    ``zymu_<instance>.csv`` the assignment ``z``, potential outcomes and their expectations. The
    observed outcome is ``y1`` if treated else ``y0``; only it is an outcome, ``mu0``/``mu1`` fill
    ``mu`` and ``tau``. Apache-2.0 (as shipped in causallib).

    Parameters
    ----------
    instance : int, default 1
        Which of the simulated outcome files (``zymu_<instance>.csv``).

    path : path, optional
        The file, the folder holding it, or a parent folder with one sub-folder per data set;
        default: the data home (:func:`data_home`).

    Returns
    -------
    UpliftDataset
        With the true ``mu`` and ``tau``.

    See Also
    --------
    load_ihdp : Another benchmark with known effects.
    load_dataset : Every registered data set by its key.
    load_table : Your own experiment.

    References
    ----------
    Dorie, V., Hill, J., Shalit, U., Scott, M., Cervone, D. (2019). Automated versus do-it-yourself
    methods for causal inference. Statistical Science 34(1).
    """
    if not 1 <= instance <= 10:
        raise UpliftInputError(f"instance must be 1..10; got {instance!r}.")
    covariates_file = locate(path, "acic2016", "x.csv.gz")
    outcomes_file = locate(path, "acic2016", f"zymu_{instance}.csv.gz")
    covariates = read_table(covariates_file)
    outcomes = read_identified(outcomes_file, what="ACIC 2016 instance", parameter="instance",
                               requested=instance,
                               published=ACIC_ZYMU_SHA256, name_pattern=r"zymu_(\d+)")
    if len(covariates) != len(outcomes):
        raise UpliftInputError(f"ACIC 2016: x.csv has {len(covariates)} rows but zymu_{instance} has {len(outcomes)}.")
    frame = pd.concat([covariates, outcomes], axis=1)
    frame["y"] = np.where(frame["z"] == 1, frame["y1"], frame["y0"])
    data = load_table(frame, treatment="z", outcome="y", control_value=0, drop=["y0", "y1"],
                      true_outcomes=["mu0", "mu1"], description=f"ACIC 2016, instance {instance} (Apache-2.0).")
    data.source_files = (covariates_file, outcomes_file)
    return data
