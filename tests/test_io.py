"""uplift.io round trips: every learner x base-model family, saved, then loaded in a fresh process.

Fits happen once per module (tiny data, 5-tree XGBoost); one subprocess loads every saved model
with pickle disabled and writes its predictions, which must equal the in-process ones bit for bit
(``np.array_equal``, no tolerance: the same trees and coefficients give the same floats).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

from uplift import io as uplift_io
from uplift.campaign import Economics, Policy
from uplift.datasets import make_uplift_classification, make_uplift_regression
from uplift.exceptions import ModelFileError, UpliftInputError, UpliftTypeError
from uplift.learners import (
    Bootstrap,
    ClassTransformation,
    DRLearner,
    RLearner,
    SLearner,
    TLearner,
    TransformedOutcome,
    XLearner,
)

LEARNERS = ["S", "T", "X", "R", "DR", "CT", "TO"]
FAMILIES = ["xgboost", "linear", "trees"]
ARM_LABELS = np.array(["control", "email", "sms", "call"])


def _models(family: str):
    """(classifier, regressor) factories of one base-model family, tiny and single-threaded."""
    if family == "xgboost":
        from xgboost import XGBClassifier, XGBRegressor

        return (lambda: XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1, random_state=0),
                lambda: XGBRegressor(n_estimators=5, max_depth=2, n_jobs=1, random_state=0))
    if family == "linear":
        return LogisticRegression, Ridge
    return (lambda: HistGradientBoostingClassifier(max_iter=5, max_depth=2, random_state=0),
            lambda: RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0, n_jobs=1))


def make_learner(name: str, family: str, n_arms: int, *, known_propensity: bool):
    """A learner of ``name`` whose every base model is of ``family``; propensity known or estimated.

    A known propensity is the design's equal split, as a mapping by arm label with several arms.
    """
    classifier, regressor = _models(family)
    share = 1.0 / (n_arms + 1)
    known = 0.5 if n_arms == 1 else {label: share for label in ARM_LABELS[1:n_arms + 1]}
    propensity = {"propensity": known if known_propensity else None}
    control = {"control_value": "control"}
    return {
        "S": lambda: SLearner(classifier(), **control),
        "T": lambda: TLearner(classifier(), **control),
        "X": lambda: XLearner(classifier(), effect_model=regressor(), **control, **propensity),
        "R": lambda: RLearner(classifier(), effect_model=regressor(), n_folds=2, **control, **propensity),
        "DR": lambda: DRLearner(classifier(), effect_model=regressor(), n_folds=2, **control, **propensity),
        "CT": lambda: ClassTransformation(classifier(), outcome_model=classifier(), **control),
        "TO": lambda: TransformedOutcome(regressor(), outcome_model=classifier(), n_folds=2, **control,
                                         **propensity),
    }[name]()


def _case_id(name: str, family: str, n_arms: int, bootstrap: bool) -> str:
    return f"{name}-{family}-{n_arms}arm{'-boot' if bootstrap else ''}"


def _cases(slow: bool) -> list[tuple[str, str, int, bool]]:
    """Fast: every learner x family with one arm, and every learner with 3 arms + bootstrap (XGBoost).

    Slow: the rest of the product learner x family x {1, 3} arms x {with, without} bootstrap.
    """
    fast = [(n, f, 1, False) for n in LEARNERS for f in FAMILIES] + [(n, "xgboost", 3, True) for n in LEARNERS]
    if not slow:
        return fast
    full = [(n, f, a, b) for n in LEARNERS for f in FAMILIES for a in (1, 3) for b in (False, True)]
    return [case for case in full if case not in fast]


def _data(n_arms: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    data = make_uplift_classification(240 * (n_arms + 1) // 2, 4, n_arms=n_arms, random_state=n_arms)
    return data.X, data.y, ARM_LABELS[np.asarray(data.treatment)]


def _text_data() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Numeric, text and categorical features (encoded by the learner; categories stored with it)."""
    X, y, treatment = _data(1)
    rng = np.random.default_rng(0)
    X = X.assign(region=rng.choice(["north", "south", "east"], len(X)),
                 channel=pd.Categorical(rng.choice(["web", "store"], len(X))))
    return X, y, treatment


def _outputs(model, X) -> dict[str, np.ndarray]:
    out = {"predict": model.predict(X), "outcomes": model.predict_outcomes(X)}
    if getattr(model, "inference_", None) is not None:
        out["low"], out["high"] = model.effect_interval(X)
    return out


#: Loads every model listed in argv[1] (JSON: id -> path) with pickle made unusable, writes outputs.
LOADER = textwrap.dedent('''
    import pickle, _pickle, sys, json, warnings
    def refuse(*args, **kwargs):
        raise RuntimeError("pickle was used while loading a model")
    class Refused:
        def __init__(self, *args, **kwargs):
            refuse()
    for module in (pickle, _pickle):
        module.load = module.loads = refuse
        module.Unpickler = Refused
    warnings.simplefilter("error")
    import numpy as np, pandas as pd
    from uplift import io
    jobs = json.loads(open(sys.argv[1]).read())
    X = {arms: pd.read_parquet(path) for arms, path in jobs["X"].items()}
    results = {}
    for case, (path, arms) in jobs["models"].items():
        model = io.load(path)
        if hasattr(model, "decide"):
            frame = model.decide(X[arms])
            for column in frame.columns:
                values = frame[column].to_numpy()
                results[f"{case}/{column}"] = values.astype(str) if values.dtype == object else values
            continue
        results[f"{case}/predict"] = model.predict(X[arms])
        results[f"{case}/outcomes"] = model.predict_outcomes(X[arms])
        if model.inference_ is not None:
            results[f"{case}/low"], results[f"{case}/high"] = model.effect_interval(X[arms])
    np.savez(sys.argv[2], **results)
''')


def _load_elsewhere(folder: Path, models: dict[str, tuple[str, str]], frames: dict[str, pd.DataFrame]):
    paths = {}
    for arms, frame in frames.items():
        paths[arms] = str(folder / f"X{arms}.parquet")
        frame.to_parquet(paths[arms])
    jobs = folder / "jobs.json"
    jobs.write_text(json.dumps({"X": paths, "models": models}))
    result = folder / "results.npz"
    run = subprocess.run([sys.executable, "-c", LOADER, str(jobs), str(result)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    with np.load(result) as archive:
        return {key: archive[key] for key in archive.files}


def _round_trip(tmp_path_factory, slow: bool):
    folder = tmp_path_factory.mktemp("models")
    frames = {str(a): _data(a)[0] for a in (1, 3)}
    expected, models = {}, {}
    for i, (name, family, n_arms, bootstrap) in enumerate(_cases(slow)):
        X, y, treatment = _data(n_arms)
        learner = make_learner(name, family, n_arms, known_propensity=i % 2 == 0)
        learner.fit(X, y, treatment=treatment,
                    inference=Bootstrap(n_resamples=2, random_state=0) if bootstrap else None)
        case = _case_id(name, family, n_arms, bootstrap)
        path = uplift_io.save(learner, folder / (case + (".zip" if i % 2 else "")))
        models[case] = (str(path), str(n_arms))
        expected.update({f"{case}/{key}": value for key, value in _outputs(learner, X).items()})
    if not slow:
        policy = _policy()
        models["policy"] = (str(uplift_io.save(policy, folder / "policy.zip")), "3")
        expected.update(_decisions("policy", policy.decide(frames["3"])))
        X, y, treatment = _text_data()
        frames["text"] = X
        for name, family in (("T", "xgboost"), ("S", "linear")):
            learner = make_learner(name, family, 1, known_propensity=False).fit(X, y, treatment=treatment)
            case = f"{name}-{family}-text"
            models[case] = (str(uplift_io.save(learner, folder / f"{case}.zip")), "text")
            expected.update({f"{case}/{key}": value for key, value in _outputs(learner, X).items()})
    return expected, _load_elsewhere(folder, models, frames)


def _policy() -> Policy:
    X, y, treatment = _data(3)
    learner = make_learner("T", "xgboost", 3, known_propensity=False).fit(X, y, treatment=treatment)
    economics = Economics(value=10.0, contact_cost={"email": 0.1, "sms": 0.2, "call": 1.5}, conversion_cost=1.0)
    return Policy(learner, economics, budget=40.0, arm_max={"call": 20}).fit(X)


def _decisions(case: str, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    out = {}
    for column in frame.columns:
        values = frame[column].to_numpy()
        out[f"{case}/{column}"] = values.astype(str) if values.dtype == object else values
    return out


@pytest.fixture(scope="module")
def fast_round_trip(tmp_path_factory):
    return _round_trip(tmp_path_factory, slow=False)


@pytest.fixture(scope="module")
def slow_round_trip(tmp_path_factory):
    return _round_trip(tmp_path_factory, slow=True)


def _assert_identical(expected, loaded, case):
    keys = [key for key in expected if key.startswith(case + "/")]
    assert keys, f"no outputs recorded for {case}"
    for key in keys:
        assert key in loaded, f"{key} missing after load"
        assert loaded[key].dtype == expected[key].dtype and np.array_equal(loaded[key], expected[key]), key


@pytest.mark.parametrize("case", _cases(slow=False), ids=lambda case: _case_id(*case))
def test_round_trip_in_a_fresh_process_is_bit_identical(fast_round_trip, case):
    _assert_identical(*fast_round_trip, _case_id(*case))


@pytest.mark.parametrize("case", ["T-xgboost-text", "S-linear-text"])
def test_text_and_categorical_features_round_trip(fast_round_trip, case):
    _assert_identical(*fast_round_trip, case)


def test_policy_decides_identically_after_load_in_a_fresh_process(fast_round_trip):
    expected, _ = fast_round_trip
    assert set(np.unique(expected["policy/arm"])) > {"control"}, "the policy should contact someone"
    _assert_identical(*fast_round_trip, "policy")


@pytest.mark.slow
@pytest.mark.parametrize("case", _cases(slow=True), ids=lambda case: _case_id(*case))
def test_round_trip_full_matrix(slow_round_trip, case):
    _assert_identical(*slow_round_trip, _case_id(*case))


# -- in-process behaviour: manifest, parameters, state, errors ------------------------------------


@pytest.fixture(scope="module")
def fitted():
    X, y, treatment = _data(1)
    learner = make_learner("X", "xgboost", 1, known_propensity=False).fit(X, y, treatment=treatment)
    return learner, X


def test_manifest_describes_the_model(fitted, tmp_path):
    learner, X = fitted
    summary = {"rows": np.int64(len(X)), "qini": np.float64(0.12), "interval": np.array([0.1, np.nan])}
    path = uplift_io.save(learner, tmp_path / "model", reference=X, summary=summary)
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["format"] == "uplift-model" and manifest["format_version"] == 1
    assert manifest["class"] == "learner/XLearner"
    assert manifest["model"]["features"]["names"] == ["x0", "x1", "x2", "x3"]
    assert manifest["model"]["arm_labels"] == ["email"] and manifest["model"]["control_value"] == "control"
    assert manifest["model"]["outcome_type"] == "binary"
    assert manifest["training"] == {"rows": len(X), "qini": 0.12, "interval": [0.1, None]}
    assert manifest["reference"]["n_rows"] == len(X)
    assert sorted(manifest["reference"]["features"]) == ["x0", "x1", "x2", "x3"]
    assert "scores" in manifest["reference"]
    assert {"uplift", "numpy", "scikit-learn", "xgboost", "skops"} <= set(manifest["versions"])
    assert {"xgboost", "skops"} <= set(manifest["libraries"])  # XGBoost models, a skops propensity pipeline
    files = sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())
    assert files == sorted(["manifest.json", *manifest["files"]])
    assert any(name.endswith(".ubj") for name in files) and any(name.endswith(".skops") for name in files)
    assert uplift_io.read_manifest(path)["reference"] == manifest["reference"]


def test_reference_as_computed_histograms_is_stored_as_is(fitted, tmp_path):
    learner = fitted[0]
    histograms = {"n_rows": 3, "features": {}}
    path = uplift_io.save(learner, tmp_path / "model.zip", reference=histograms)
    assert uplift_io.read_manifest(path)["reference"] == histograms
    with pytest.raises(UpliftInputError, match="reference must be the reference features"):
        uplift_io.save(learner, tmp_path / "other", reference={"n_rows": 3})
    assert uplift_io.read_manifest(uplift_io.save(learner, tmp_path / "none"))["reference"] is None
    learner.reference_histograms_ = histograms  # an object may keep its own reference
    try:
        assert uplift_io.read_manifest(uplift_io.save(learner, tmp_path / "kept"))["reference"] == histograms
    finally:
        del learner.reference_histograms_


def test_parameters_survive_including_base_models_and_mappings(tmp_path):
    X, y, treatment = _data(3)
    learner = make_learner("DR", "linear", 3, known_propensity=True).set_params(random_state=7)
    loaded = uplift_io.load(uplift_io.save(learner, tmp_path / "unfitted"))  # unfitted: parameters only
    assert not hasattr(loaded, "models_")
    params, loaded_params = learner.get_params(deep=False), loaded.get_params(deep=False)
    assert loaded_params["propensity"] == params["propensity"] and loaded_params["random_state"] == 7
    assert type(loaded_params["outcome_model"]) is LogisticRegression
    assert loaded.get_params(deep=True)["outcome_model__C"] == params["outcome_model"].C
    loaded.fit(X, y, treatment=treatment)  # the loaded parameters fit like the originals
    np.testing.assert_array_equal(loaded.predict(X), learner.fit(X, y, treatment=treatment).predict(X))


def test_unfitted_xgboost_and_random_state_objects_round_trip(tmp_path):
    learner = make_learner("S", "xgboost", 1, known_propensity=False).set_params(
        random_state=np.random.RandomState(3))
    loaded = uplift_io.load(uplift_io.save(learner, tmp_path / "m"))
    params, loaded_params = learner.outcome_model.get_params(), loaded.outcome_model.get_params()
    assert np.isnan(params.pop("missing")) and np.isnan(loaded_params.pop("missing"))  # NaN != NaN
    assert loaded_params == params
    assert loaded.random_state.randint(1000) == learner.random_state.randint(1000)


def test_extra_plain_attributes_are_saved_generically(tmp_path):
    X, y, treatment = _data(1)
    learner = make_learner("T", "linear", 1, known_propensity=False).fit(X, y, treatment=treatment)
    # what another version may add: any attribute made of plain data
    learner.column_dtypes_ = {"x0": np.dtype("float64"), "x1": np.dtype("<M8[ns]"), "x2": np.dtype(object)}
    learner.levels_ = {"region": np.array(["north", "south"], dtype=object), "size": [1.5, np.nan]}
    loaded = uplift_io.load(uplift_io.save(learner, tmp_path / "m"))
    assert loaded.column_dtypes_ == {"x0": np.dtype("float64"), "x1": np.dtype("<M8[ns]"), "x2": np.dtype(object)}
    assert loaded.levels_["region"].tolist() == ["north", "south"]
    assert loaded.levels_["size"][0] == 1.5 and np.isnan(loaded.levels_["size"][1])


def test_manifest_describes_text_and_categorical_features(tmp_path):
    X, y, treatment = _text_data()
    learner = make_learner("T", "linear", 1, known_propensity=False).fit(X, y, treatment=treatment)
    features = uplift_io.read_manifest(uplift_io.save(learner, tmp_path / "m"))["model"]["features"]
    assert features["names"] == ["x0", "x1", "x2", "x3", "region", "channel"]
    assert features["dtypes"] == learner.feature_dtypes_ and features["dtypes"][-1] == "category"
    assert features["categories"] == {"region": ["east", "north", "south"], "channel": ["store", "web"]}


def test_continuous_outcome_and_array_features(tmp_path):
    data = make_uplift_regression(200, random_state=0)
    X = np.asarray(data.X)
    learner = TLearner(LinearRegression()).fit(X, data.y, treatment=data.treatment)
    loaded = uplift_io.load(uplift_io.save(learner, tmp_path / "m.zip"))
    assert np.array_equal(loaded.predict(X), learner.predict(X))
    assert loaded.outcome_type_ == "continuous" and not hasattr(loaded, "feature_names_in_")
    assert uplift_io.read_manifest(tmp_path / "m.zip")["model"]["features"]["names"] is None


def test_economics_round_trip(tmp_path):
    economics = Economics(value=12.5, contact_cost={"email": 0.1}, discount_rate=0.1, fixed_cost=50.0)
    assert uplift_io.load(uplift_io.save(economics, tmp_path / "economics.zip")) == economics


def test_saved_files_respect_the_umask(fitted, tmp_path):
    import os

    previous = os.umask(0o022)
    try:
        folder = uplift_io.save(fitted[0], tmp_path / "m")
        archive = uplift_io.save(fitted[0], tmp_path / "m.zip")
    finally:
        os.umask(previous)
    assert (folder.stat().st_mode & 0o777) == 0o755
    assert ((folder / "manifest.json").stat().st_mode & 0o777) == 0o644
    assert (archive.stat().st_mode & 0o777) == 0o644


class HomeMadeRegressor(RegressorMixin, BaseEstimator):
    """A base model that is neither scikit-learn's nor XGBoost's: uplift.io cannot store it safely."""

    def fit(self, X, y, sample_weight=None):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


def test_save_refuses_what_it_cannot_store_without_code(tmp_path):
    X, y, treatment = _data(1)
    data = make_uplift_regression(200, random_state=0)
    learner = TLearner(HomeMadeRegressor()).fit(data.X, data.y, treatment=data.treatment)
    refused = r"cannot save TLearner parameter outcome_model.*HomeMadeRegressor.*not supported"
    with pytest.raises(UpliftTypeError, match=refused):
        uplift_io.save(learner, tmp_path / "m")
    assert not (tmp_path / "m").exists()
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from xgboost import XGBClassifier

    pipeline = make_pipeline(StandardScaler(), XGBClassifier(n_estimators=2, n_jobs=1))
    wrapped = TLearner(pipeline, control_value="control")
    wrapped.fit(X, y, treatment=treatment)
    with pytest.raises(UpliftTypeError, match="does not trust when loading"):
        uplift_io.save(wrapped, tmp_path / "m")
    with pytest.raises(UpliftTypeError, match="save takes an uplift learner"):
        uplift_io.save(LogisticRegression(), tmp_path / "m")
    with pytest.raises(UpliftTypeError, match=r"summary\['when'\] must be plain JSON.*got object"):
        uplift_io.save(Economics(value=1.0), tmp_path / "m", summary={"when": object()})


def test_save_does_not_replace_silently(fitted, tmp_path):
    path = uplift_io.save(fitted[0], tmp_path / "m")
    with pytest.raises(UpliftInputError, match="already exists; pass overwrite=True"):
        uplift_io.save(fitted[0], path)
    assert uplift_io.save(Economics(value=2.0), path, overwrite=True) == path
    assert uplift_io.load(path) == Economics(value=2.0)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    with pytest.raises(UpliftInputError, match="does not hold a saved model"):
        uplift_io.save(fitted[0], tmp_path / "notes", overwrite=True)
    assert (tmp_path / "notes" / "todo.txt").read_text() == "keep me"


def test_load_refuses_what_is_not_a_model(tmp_path):
    with pytest.raises(ModelFileError, match="the path does not exist"):
        uplift_io.load(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelFileError, match=r"has no manifest\.json"):
        uplift_io.load(tmp_path / "empty")
    (tmp_path / "model.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ModelFileError, match="is not a saved model"):
        uplift_io.load(tmp_path / "model.csv")


def test_calibrated_learner_round_trip(tmp_path):
    from uplift import learners

    X, y, treatment = _data(1)
    inner = make_learner("T", "xgboost", 1, known_propensity=False)
    learner = learners.CalibratedLearner(inner, cv=2).fit(X, y, treatment=treatment)
    loaded = uplift_io.load(uplift_io.save(learner, tmp_path / "calibrated.zip"))
    for key, value in _outputs(learner, X).items():
        assert np.array_equal(_outputs(loaded, X)[key], value), key
    # the fold maps (one per repeat and arm) and the all-rows maps predict applies come back as saved
    assert all(
        np.array_equal(a.values, b.values) and np.array_equal(a.knots, b.knots)
        and np.array_equal(a.index_weights, b.index_weights)
        for saved, back in zip(learner.fold_maps_, loaded.fold_maps_, strict=True)
        for a, b in zip(saved, back, strict=True))
    for a, b in zip(learner.calibration_maps_, loaded.calibration_maps_, strict=True):
        assert np.array_equal(a.values, b.values) and np.array_equal(a.knots, b.knots)
    for a, b in zip(learner.effect_levels_, loaded.effect_levels_, strict=True):
        assert np.array_equal(a, b)
    # the per-repeat record the forecast's bootstrap refits the maps from
    saved, back = learner.cross_fit_.repeats, loaded.cross_fit_.repeats
    for name in ("fold", "centred", "pseudo", "pair_propensity", "control"):
        assert np.array_equal(getattr(saved, name), getattr(back, name), equal_nan=True), name
    assert (back.method, back.n_bins, back.binary) == (saved.method, saved.n_bins, saved.binary)


def test_calibrated_learner_with_forecast_blocks_round_trip(tmp_path):
    """The block refits (``forecast_blocks``) come back as saved, NaN included, and give the same forecast."""
    from uplift import learners
    from uplift.campaign import Economics, forecast_profit, plan_campaign

    X, y, treatment = _data(1)
    learner = learners.CalibratedLearner(make_learner("T", "linear", 1, known_propensity=False), cv=2, n_repeats=1,
                                         forecast_blocks=3).fit(X, y, treatment=treatment)
    loaded = uplift_io.load(uplift_io.save(learner, tmp_path / "blocks.zip"))
    saved, back = learner.cross_fit_, loaded.cross_fit_
    assert np.array_equal(saved.block, back.block)
    assert np.array_equal(saved.block_outcomes, back.block_outcomes, equal_nan=True)
    assert loaded.get_params()["forecast_blocks"] == 3
    plan = plan_campaign(learner.predict_outcomes(X), Economics(value=30.0, contact_cost=0.5))
    assert forecast_profit(plan, loaded).forecast == forecast_profit(plan, learner).forecast


def _records(node, key: str):
    """Every record of class ``key`` in a manifest's object tree (the dicts themselves, to edit in place)."""
    if isinstance(node, dict):
        if node.get("class") == key:
            yield node
        for value in node.values():
            yield from _records(value, key)
    elif isinstance(node, list):
        for value in node:
            yield from _records(value, key)


def _saved_without(tmp_path: Path, n_repeats: int, key: str, field: str):
    """A CalibratedLearner saved, its record ``key`` stripped of ``field`` (a file from before the field was kept),
    and loaded back: ``(X, learner, loaded, path, manifest, record)``, the last three to strip more."""
    from uplift import learners

    X, y, treatment = _data(1)
    learner = learners.CalibratedLearner(make_learner("T", "linear", 1, known_propensity=False), cv=2,
                                         n_repeats=n_repeats).fit(X, y, treatment=treatment)
    path = uplift_io.save(learner, tmp_path / "calibrated")
    manifest = json.loads((path / "manifest.json").read_text())
    (record,) = _records(manifest["object"], key)
    del record["fields"][field]
    (path / "manifest.json").write_text(json.dumps(manifest))
    return X, learner, uplift_io.load(path), path, manifest, record


def test_a_cross_fit_saved_without_its_repeats_loads_and_forecasts_with_a_warning(tmp_path):
    """A CalibratedLearner saved before the cross-fit kept its per-repeat record loads; its forecast says that it
    cannot widen the interval for the maps' noise (an UpliftWarning, and the method says so), and n_draws=0
    takes the interval of independent rows without a warning."""
    from uplift.campaign import Economics, forecast_profit, plan_campaign
    from uplift.exceptions import UpliftWarning

    X, _, older, *_ = _saved_without(tmp_path, 2, "state/CrossFit", "repeats")
    assert older.cross_fit_.repeats is None
    plan = plan_campaign(older.predict_outcomes(X), Economics(value=30.0, contact_cost=0.5))
    with pytest.warns(UpliftWarning, match="n_draws=0"):
        result = forecast_profit(plan, older)
    assert result.inflation == 1.0 and "independent rows" in result.method
    assert forecast_profit(plan, older, n_draws=0).forecast.std_error == result.forecast.std_error


def test_a_calibrated_state_without_fold_maps_loads_and_one_without_maps_is_refused(tmp_path):
    """A CalibratedLearner saved before the fold maps were kept (no ``fold_maps``) loads and predicts the same:
    predict does not use them. A state missing a field it needs (``maps``) is refused by name."""
    X, learner, older, path, manifest, state = _saved_without(tmp_path, 1, "state/CalibratedState", "fold_maps")
    assert older.fold_maps_ is None
    np.testing.assert_array_equal(older.predict(X), learner.predict(X))
    # saved before the effects were centred (no ``levels``): its maps were fitted on raw effects, so they take
    # the raw effects as they did then
    del state["fields"]["levels"]
    (path / "manifest.json").write_text(json.dumps(manifest))
    oldest = uplift_io.load(path)
    assert oldest.effect_levels_ is None
    (model,) = oldest.estimators_
    raw = model.predict(np.asarray(X, dtype=np.float64))
    control = np.clip(model.predict_outcomes(np.asarray(X, dtype=np.float64))[:, 0], 0.0, 1.0)
    np.testing.assert_allclose(oldest.predict(X), np.clip(oldest.calibration_maps_[0](raw), -control, 1 - control),
                               rtol=0, atol=1e-12)
    del state["fields"]["maps"]
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match=r"lacks CalibratedState field\(s\) \['maps'\].*older version"):
        uplift_io.load(path)


def test_auto_learner_round_trip_with_its_report(tmp_path):
    from sklearn.linear_model import LogisticRegression

    from uplift import learners

    X, y, treatment = _data(3)
    candidates = {"S": learners.SLearner(LogisticRegression(), interactions=True),
                  "T": make_learner("T", "xgboost", 3, known_propensity=False)}
    auto = learners.AutoLearner(
        candidates,
        outcome_model=LogisticRegression(), control_value=ARM_LABELS[0], random_state=0,
    ).fit(X, y, treatment=treatment)
    loaded = uplift_io.load(uplift_io.save(auto, tmp_path / "auto"))
    for key, value in _outputs(auto, X).items():
        assert np.array_equal(_outputs(loaded, X)[key], value), key
    assert loaded.report_.to_dict() == auto.report_.to_dict()
