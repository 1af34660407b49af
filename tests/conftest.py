"""Shared test fixtures. Plots render with the Agg backend; nothing touches the network."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest

#: The workplace's reference data (read-only), beside the repository; absent elsewhere.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """Path of ../shared/data, or skip the test with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data folder {SHARED_DATA} is absent (it exists only in the workplace)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _close_figures():
    """Close matplotlib figures a test opened, so they never pile up across tests."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="session")
def light():
    """Factory of every learner with light, deterministic base models (logistic / linear).

    ``light(name, kind)`` with ``name`` in S, T, X, R, DR, CT, TO, CAL, AUTO and ``kind`` "binary"
    or "continuous" (CAL: a CalibratedLearner around the light S-learner, 3 folds; AUTO: an
    AutoLearner stacking the light S and T). R estimates its propensity (the cross-fitted logistic
    default); X, DR, TO and AUTO use the known design propensity 0.5, as in a randomized experiment.
    """
    from sklearn.linear_model import LinearRegression, LogisticRegression

    from uplift.learners import (
        AutoLearner,
        CalibratedLearner,
        ClassTransformation,
        DRLearner,
        RLearner,
        SLearner,
        TLearner,
        TransformedOutcome,
        XLearner,
    )

    def make(name: str, kind: str = "binary"):
        outcome = LogisticRegression() if kind == "binary" else LinearRegression()
        effect = LinearRegression()
        return {
            "S": lambda: SLearner(outcome, interactions=True),
            "T": lambda: TLearner(outcome),
            "X": lambda: XLearner(outcome, effect_model=effect, propensity=0.5),
            "R": lambda: RLearner(outcome, effect_model=effect, random_state=0),
            "DR": lambda: DRLearner(outcome, effect_model=effect, propensity=0.5, random_state=0),
            "CT": lambda: ClassTransformation(LogisticRegression(), outcome_model=LogisticRegression()),
            "TO": lambda: TransformedOutcome(effect, outcome_model=outcome, propensity=0.5),
            "CAL": lambda: CalibratedLearner(SLearner(outcome, interactions=True), cv=3),
            "AUTO": lambda: AutoLearner({"S": SLearner(outcome, interactions=True), "T": TLearner(outcome)},
                                        outcome_model=outcome, propensity=0.5, random_state=0),
        }[name]()

    return make


def _spark_missing() -> str | None:
    """Why Spark tests cannot run here (no pyspark, no Java), or None."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'uplift[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime on PATH or JAVA_HOME (Spark needs Java 17 or later)"
    return None


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for every Spark test: 2 cores, no UI, loopback only, 2 shuffle partitions."""
    reason = _spark_missing()
    if reason:
        pytest.skip(reason)
    import sys

    from pyspark.sql import SparkSession

    # executors run this interpreter, with this checkout first on their path
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), *filter(None, [os.environ.get("PYTHONPATH")])])
    session = (SparkSession.builder.master("local[2]").appName("uplift-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.python.worker.reuse", "true")
               .config("spark.driver.memory", "1g")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.session.timeZone", "UTC")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
