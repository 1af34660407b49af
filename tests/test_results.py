"""The one result protocol (issue 10): every result class, built from a small real computation.

Each result is frozen (assigning a field raises, array fields are read-only), ``summary()`` is a
non-empty DataFrame, ``to_dict()`` survives ``json.dumps(..., allow_nan=False)`` and a JSON round
trip unchanged, ``repr`` is one short line and ``str`` a non-empty text. A last test fails when a
new result class is added without a builder here.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import json
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

import uplift
from uplift._results import Result, frozen_array, jsonable
from uplift.campaign import Economics, Policy, evaluate_policy, forecast_profit, plan_campaign
from uplift.datasets import make_uplift_classification
from uplift.exceptions import UpliftTypeError
from uplift.inference import Estimate

N = 600


@functools.cache
def _data() -> Any:
    return make_uplift_classification(N, n_features=4, random_state=0)


@functools.cache
def _learner() -> Any:
    from uplift.learners import TLearner

    data = _data()
    return TLearner(outcome_model=LogisticRegression()).fit(data.X, data.y, treatment=data.treatment)


@functools.cache
def _calibrated() -> Any:
    from uplift.learners import CalibratedLearner, TLearner

    data = _data()
    learner = CalibratedLearner(TLearner(outcome_model=LogisticRegression()), cv=2, random_state=0)
    return learner.fit(data.X, data.y, treatment=data.treatment)


ECONOMICS = Economics(value=10.0, contact_cost=0.2)


@functools.cache
def _plan() -> Any:
    return plan_campaign(_learner().predict_outcomes(_data().X), ECONOMICS, budget=20.0)


def _policy(**constraints: Any) -> Any:
    return Policy(_learner(), ECONOMICS, **constraints).fit(_data().X)


def _pseudo_outcome() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    tau = rng.normal(size=400)
    return tau + rng.normal(size=400), tau


def _estimate() -> Result:
    return Estimate.from_normal(0.0452, 0.0031, name="ATE")


def _ate() -> Result:
    from uplift.inference import average_treatment_effect

    return average_treatment_effect(_data().y, treatment=_data().treatment)


def _srm() -> Result:
    from uplift.diagnostics import srm_test

    return srm_test([0] * 500 + [1] * 520)


def _balance() -> Result:
    from uplift.diagnostics import covariate_balance

    return covariate_balance(_data().X, treatment=_data().treatment)


def _predictability() -> Result:
    from uplift.diagnostics import treatment_predictability

    return treatment_predictability(_data().X, treatment=_data().treatment, model=LogisticRegression(), cv=2)


def _experiment() -> Result:
    from uplift.diagnostics import check_experiment

    return check_experiment(_data().X, _data().y, treatment=_data().treatment, predictability=False)


@functools.cache
def _signal() -> Result:
    from uplift.diagnostics import signal_check

    data = _data()
    return signal_check(data.X, data.y, treatment=data.treatment, n_repeats=2, n_folds=2, n_resamples=20,
                        random_state=0)


def _cross_val() -> Result:
    from uplift.learners import TLearner
    from uplift.model_selection import cross_val_uplift

    data = make_uplift_classification(N, n_features=4, random_state=1)
    learner = TLearner(outcome_model=LinearRegression())
    return cross_val_uplift(learner, data.X, data.y, treatment=data.treatment, cv=2, random_state=0)


def _blp() -> Result:
    from uplift.evaluation import blp_test

    return blp_test(*_pseudo_outcome())


def _gates() -> Result:
    from uplift.evaluation import gates

    return gates(*_pseudo_outcome(), n_groups=3)


def _stacking() -> Result:
    from uplift.learners import AutoLearner, SLearner, TLearner

    data = _data()
    candidates = {"S": SLearner(LogisticRegression()), "T": TLearner(LogisticRegression())}
    auto = AutoLearner(candidates, outcome_model=LogisticRegression(), propensity=0.5, n_folds=2, random_state=0)
    auto.fit(data.X, data.y, treatment=data.treatment)
    return auto.report_


def _bootstrap() -> Result:
    from uplift.learners import Bootstrap, TLearner

    data = _data()
    learner = TLearner(outcome_model=LinearRegression()).fit(
        data.X, data.y, treatment=data.treatment, inference=Bootstrap(n_resamples=3, random_state=0))
    return learner.inference_


def _forecast() -> Result:
    learner = _calibrated()
    plan = plan_campaign(learner.predict_outcomes(_data().X), ECONOMICS, budget=20.0)
    return forecast_profit(plan, learner)


def _evaluation() -> Result:
    data = _data()
    return evaluate_policy(_plan(), data.y, treatment=data.treatment, economics=ECONOMICS,
                           outcomes=_learner().predict_outcomes(data.X))


@functools.cache
def _segments() -> Any:
    from uplift.segments import explain_uplift

    data = _data()
    return explain_uplift(_calibrated(), data.X, data.y, treatment=data.treatment, X_test=data.X, y_test=data.y,
                          treatment_test=data.treatment, max_depth=2, n_repeats=2)


def _decay() -> Result:
    from uplift.monitoring import uplift_decay

    data = _data()
    return uplift_decay(data.y, _learner().predict(data.X), treatment=data.treatment, n_resamples=20, random_state=0)


def _drift() -> Result:
    from uplift.monitoring import assignment_drift

    return assignment_drift({0: 0.5, 1: 0.5}, [0] * 60 + [1] * 40)


def _monitor() -> Result:
    from uplift.monitoring import monitor, reference_histograms

    data, learner = _data(), _learner()
    reference = reference_histograms(data.X, scores=learner.predict(data.X))
    return monitor(learner, data.X, y=data.y, treatment=data.treatment, reference=reference, n_resamples=20,
                   random_state=0)


def _comparison() -> Result:
    from uplift.monitoring import compare_policies

    data = _data()
    return compare_policies(_policy(), _policy(max_contacts=50), data.X, data.y, treatment=data.treatment)


def _table() -> pd.DataFrame:
    data = _data()
    frame = data.X.copy()
    frame["treatment"], frame["y"] = data.treatment, data.y
    return frame


def _check() -> Result:
    from uplift.workflow import check

    return check(_table(), treatment="treatment", outcome="y", n_repeats=2)


@functools.cache
def _train(folder: Path) -> Any:
    from uplift.workflow import train

    return train(_table(), treatment="treatment", outcome="y", learner="t_learner", n_folds=2, n_resamples=20,
                 output=folder / "model")


def _score(folder: Path) -> Result:
    from uplift.workflow import score

    path = folder / "customers.csv"
    _data().X.to_csv(path, index=False)
    return score(_train(folder).path, path, output=folder / "scores.csv")


def _workflow_plan(folder: Path) -> Result:
    from uplift.workflow import plan

    return plan(_train(folder).path, _data().X, economics=ECONOMICS, budget=20.0, output=folder / "plan.csv")


def _benchmark(folder: Path) -> Result:
    from uplift.benchmark import BenchmarkConfig, DatasetSpec, LearnerSpec, run_benchmark

    config = BenchmarkConfig(
        name="contract", datasets=(DatasetSpec(name="synthetic", key="synthetic", params={"n_samples": 300}),),
        learners=(LearnerSpec(name="random", key="random"),), n_folds=2, seeds=(0,), metrics=("qini_auc:uplift",),
        n_resamples=20)
    return run_benchmark(config, output_dir=folder / "benchmark")


def _spark_plan() -> Result:
    from uplift.spark import SparkCampaignPlan

    # the totals as uplift.spark.plan_campaign computes them; the lazy Spark frame is not read by the protocol
    totals = {"customers": 10, "contacts": 4, "contacts_per_arm": {np.int64(1): 4}, "expected_spend": 2.0,
              "expected_incremental_profit": float("nan"), "fixed_cost": 0.0}
    return SparkCampaignPlan(frame=None, budget_price=0.5, totals=totals, arm_labels=np.array([1]), passes=2)


#: class name -> builder (a builder taking a folder writes files there).
BUILDERS: dict[str, Callable[..., Any]] = {
    "Estimate": _estimate,
    "ATEResult": _ate,
    "SRMResult": _srm,
    "BalanceResult": _balance,
    "PredictabilityResult": _predictability,
    "ExperimentReport": _experiment,
    "SignalCheckResult": _signal,
    "CrossValUpliftResult": _cross_val,
    "BLPResult": _blp,
    "GATESResult": _gates,
    "StackingReport": _stacking,
    "BootstrapResult": _bootstrap,
    "CampaignPlan": _plan,
    "Solution": lambda: _plan().solution,
    "ProfitForecast": _forecast,
    "PolicyEvaluation": _evaluation,
    "UpliftExplanation": _segments,
    "SegmentTree": lambda: _segments().segments,
    "PermutationImportance": lambda: _segments().importance,
    "DecayResult": _decay,
    "AssignmentDrift": _drift,
    "MonitorReport": _monitor,
    "PolicyComparison": _comparison,
    "CheckResult": _check,
    "TrainResult": _train,
    "ScoreResult": _score,
    "PlanResult": _workflow_plan,
    "BenchmarkRun": _benchmark,
    "SparkCampaignPlan": _spark_plan,
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("results")


def _build(name: str, folder: Path) -> Any:
    builder = BUILDERS[name]
    return builder(folder) if inspect.signature(builder).parameters else builder()


@pytest.mark.filterwarnings("ignore::uplift.exceptions.UpliftWarning")  # small data: overlap, empty plans
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_result_follows_the_protocol(name: str, folder: Path) -> None:
    result = _build(name, folder)
    assert type(result).__name__ == name
    assert isinstance(result, Result) and dataclasses.is_dataclass(result)
    first = dataclasses.fields(result)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, first, None)
    for item in dataclasses.fields(result):
        value = getattr(result, item.name)
        if isinstance(value, np.ndarray) and value.size:
            with pytest.raises(ValueError, match="read-only"):
                value.flat[0] = value.flat[0]
    table = result.summary()
    assert isinstance(table, pd.DataFrame) and len(table) > 0
    data = result.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data  # keys are text and every number finite or None: a round trip changes nothing
    line = repr(result)
    assert "\n" not in line and len(line) < 200 and line.startswith(f"{name}(")
    assert str(result).strip()


def _result_classes() -> set[str]:
    for module in pkgutil.walk_packages(uplift.__path__, "uplift."):
        importlib.import_module(module.name)

    def below(cls: type) -> set[type]:
        return {cls, *(c for sub in cls.__subclasses__() for c in below(sub))}

    return {cls.__name__ for cls in below(Result) if cls is not Result and cls.__module__.startswith("uplift.")}


def test_every_result_class_has_a_builder_here() -> None:
    assert _result_classes() == set(BUILDERS)


def test_jsonable_turns_missing_numbers_into_null_and_refuses_objects() -> None:
    value = {"p": np.float64("nan"), "x": np.array([1.0, np.inf, -np.inf]), "n": np.int32(2), 3: (1, "a"),
             "frame": pd.DataFrame({"a": [1.0, np.nan]}), "when": pd.Timestamp("2024-01-02"), "path": Path("a/b"),
             "missing": [pd.NA, pd.NaT], "arms": {np.int64(2), np.int64(1)}}
    assert jsonable(value) == {"p": None, "x": [1.0, None, None], "n": 2, "3": [1, "a"],
                               "frame": [{"a": 1.0}, {"a": None}], "when": "2024-01-02T00:00:00", "path": "a/b",
                               "missing": [None, None], "arms": [1, 2]}
    with pytest.raises(UpliftTypeError, match="LinearRegression has no JSON form"):
        jsonable({"model": LinearRegression()})


def test_frozen_array_is_a_read_only_copy() -> None:
    source = np.arange(3)
    array = frozen_array(source)
    source[0] = 7
    assert array.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="read-only"):
        array[0] = 1


def test_a_plan_is_changed_only_by_building_a_new_one() -> None:
    plan = _plan()
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.forecast = None  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        plan.arm[0] = 1
    nobody = dataclasses.replace(plan, arm=np.zeros_like(plan.arm))
    assert nobody.n_contacts == 0 and plan.n_contacts > 0
    assert repr(plan).startswith("CampaignPlan(customers=600, contacts=")


def test_policy_evaluation_summary_is_its_comparisons() -> None:
    evaluation = _evaluation()
    table = evaluation.summary()
    assert table["policy"].tolist()[:2] == ["plan", "treat none"]
    assert table.loc[0, "estimate"] == pytest.approx(evaluation.value.estimate)
    assert "plan - treat none" in str(evaluation)
    assert evaluation.to_dict()["comparisons"][1]["policy"] == "treat none"


def test_signal_check_states_its_one_sided_p_values() -> None:
    result = _signal()
    table = result.summary()
    assert table["alternative"].tolist() == ["two-sided", "greater", "greater"]
    assert (result.qini.alternative, result.rate.alternative) == ("greater", "greater")
    assert "one-sided p" in str(result)
