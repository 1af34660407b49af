"""Benchmark runner: config validation, honest splits, resumable results, summaries with intervals."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from uplift.benchmark import (
    ResultsStore,
    aggregate,
    build_learner,
    load_benchmark_dataset,
    make_splits,
    parse_config,
    parse_metrics,
    run_benchmark,
    summarize,
)
from uplift.benchmark._learners import RandomScores
from uplift.datasets import load_table, make_uplift_classification
from uplift.exceptions import UpliftInputError
from uplift.validation import check_treatment

LOGISTIC = {"class": "sklearn.linear_model:LogisticRegression", "params": {"max_iter": 200}}


def _config(tmp_path: Path, **overrides) -> dict:
    frame = make_uplift_classification(600, n_features=4, random_state=0)
    table = frame.X.assign(t=frame.treatment, y=frame.y)
    table.to_csv(tmp_path / "tiny.csv", index=False)
    raw = {
        "name": "tiny", "seeds": [0, 1], "n_folds": 3, "n_resamples": 20,
        "metrics": ["qini_auc:sklift", "rate:AUTOC"],
        "datasets": [{"name": "tiny", "table": {"path": "tiny.csv", "treatment": "t", "outcome": "y"}}],
        "learners": [{"key": "random"}, {"name": "t_logistic", "key": "t_learner",
                                         "params": {"outcome_model": LOGISTIC}}],
    }
    raw.update(overrides)
    return raw


# ---------------------------------------------------------------- bad configs

@pytest.mark.parametrize(("change", "match"), [
    ({"datasets": [{"key": "hilstrom"}]}, "unknown key 'hilstrom'"),
    ({"learners": [{"key": "t_lerner"}]}, "unknown learner 't_lerner'"),
    ({"learners": [{"class": "sklearn.no_such_module:Thing"}]}, "'sklearn.no_such_module:Thing' does not import"),
    ({"learners": [{"class": "sklearn.linear_model:NoSuchModel"}]}, "has no 'NoSuchModel'"),
    ({"metrics": ["qini_auc:sklearn"]}, "convention must be one of"),
    ({"metrics": ["accuracy"]}, "unknown metric 'accuracy'"),
])
def test_bad_config_entries_fail_before_any_task(tmp_path, change, match):
    with pytest.raises(UpliftInputError, match=match):  # at config load (unknown data set) or at run start
        run_benchmark(parse_config(_config(tmp_path, **change), base_dir=tmp_path), output_dir=tmp_path / "out")
    assert not (tmp_path / "out" / "results.jsonl").exists()


def test_config_naming_a_missing_column(tmp_path):
    raw = _config(tmp_path)
    raw["datasets"][0]["table"]["group"] = "household"
    config = parse_config(raw, base_dir=tmp_path)
    with pytest.raises(UpliftInputError, match=r"data set 'tiny': group column\(s\) \['household'\] not found"):
        run_benchmark(config, output_dir=tmp_path / "out")


@pytest.mark.parametrize(("raw", "match"), [
    ({"datasets": [{"key": "synthetic"}]}, "no learners"),
    ({"learners": [{"key": "random"}], "datasets": [{"key": "synthetic", "table": {}}]}, "exactly one of key"),
    ({"learners": [{"key": "random"}, {"key": "random"}], "datasets": [{"key": "synthetic"}]}, "must be unique"),
    ({"learners": [{"key": "random"}], "datasets": [{"key": "synthetic"}], "n_folds": 1}, "between 2 and 100"),
    ({"learners": [{"key": "random"}], "datasets": [{"key": "synthetic"}], "seed": [0]}, r"unknown entries \['seed'\]"),
])
def test_config_structure_errors(raw, match):
    with pytest.raises(UpliftInputError, match=match):
        parse_config(raw)


def test_existing_results_need_resume(tmp_path):
    config = parse_config(_config(tmp_path, seeds=[0], learners=[{"key": "random"}]), base_dir=tmp_path)
    run_benchmark(config, output_dir=tmp_path / "out")
    with pytest.raises(UpliftInputError, match="pass --resume"):
        run_benchmark(config, output_dir=tmp_path / "out")


# ---------------------------------------------------------------- splits

def test_grouped_split_keeps_households_together():
    rng = np.random.default_rng(0)
    households = np.repeat(np.arange(150), 2)
    frame = pd.DataFrame({"hh": households, "t": np.repeat(rng.integers(0, 2, 150), 2),
                          "y": rng.integers(0, 2, 300), "x": rng.normal(size=300)})
    data = load_table(frame, treatment="t", outcome="y", group="hh")
    codes = check_treatment(data.treatment).codes
    for train, test in make_splits(data, codes, "grouped", 3, seed=0):
        assert not set(households[train]) & set(households[test])


def test_time_split_with_an_empty_arm_names_the_fold():
    # periods 0-3 have both arms; in periods 4-5 nobody was treated, so the last test block lacks the arm
    time = np.repeat(np.arange(6), 20)
    treatment = np.where(time < 4, np.tile([0, 1], 60), 0)
    frame = pd.DataFrame({"day": time, "t": treatment, "y": np.tile([0, 1, 1, 0], 30), "x": np.arange(120.0)})
    data = load_table(frame, treatment="t", outcome="y", time="day")
    codes = check_treatment(data.treatment).codes
    with pytest.raises(UpliftInputError, match=r"data set 'late': fold 2 of 2 \(test times 4 to 5\).*treated arm"):
        make_splits(data, codes, "temporal", 2, seed=0, name="late")


# ---------------------------------------------------------------- resumable, never duplicated

def _keys(path: Path) -> list[str]:
    return [json.loads(line)["key"] for line in path.read_text().splitlines()]


def test_killed_run_resumes_without_duplicates(tmp_path, monkeypatch):
    config = parse_config(_config(tmp_path), base_dir=tmp_path)
    assert config.n_tasks == 12
    calls = {"n": 0}
    original = RandomScores.fit

    def dies_on_the_eighth_fit(self, X, y, *, treatment):
        calls["n"] += 1
        if calls["n"] == 4:  # the 4th random fit is the 8th task (seed 1, fold 1)
            raise KeyboardInterrupt
        return original(self, X, y, treatment=treatment)

    monkeypatch.setattr(RandomScores, "fit", dies_on_the_eighth_fit)
    output = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(config, output_dir=output)
    results = output / "results.jsonl"
    finished = results.read_bytes()
    assert len(_keys(results)) == 6  # seed 0: 3 random + 3 T-learner tasks
    # a torn line, as a kill during a write would leave
    results.write_bytes(finished + b'{"key": "tiny|random|seed=1|fold=0|abc", "scor')
    monkeypatch.setattr(RandomScores, "fit", original)
    run = run_benchmark(config, output_dir=output, resume=True)
    assert (run.n_run, run.n_skipped) == (6, 6)
    keys = _keys(results)
    assert len(keys) == len(set(keys)) == 12
    assert results.read_bytes().startswith(finished)  # finished rows untouched
    again = run_benchmark(config, output_dir=output, resume=True)
    assert (again.n_run, again.n_skipped) == (0, 12)
    assert len(_keys(results)) == 12


def test_store_ignores_a_duplicate_key_and_rejects_garbage(tmp_path):
    store = ResultsStore(tmp_path / "r.jsonl")
    store.append({"key": "a", "v": 1})
    ResultsStore(tmp_path / "r.jsonl").append({"key": "a", "v": 2})
    assert [r["v"] for r in ResultsStore(tmp_path / "r.jsonl").records()] == [1]
    (tmp_path / "bad.jsonl").write_text('{"key": "a"}\nnot json\n')
    with pytest.raises(UpliftInputError, match="line 2 is not valid JSON"):
        ResultsStore(tmp_path / "bad.jsonl").records()


# ---------------------------------------------------------------- summaries

def test_summary_files_and_known_truth_metrics(tmp_path):
    raw = _config(tmp_path, seeds=[0], metrics=["qini_auc:sklift", "uplift_at_k:0.3"],
                  datasets=[{"key": "synthetic", "params": {"n_samples": 900, "n_features": 4, "random_state": 0}}])
    run = run_benchmark(parse_config(raw, base_dir=tmp_path), output_dir=tmp_path / "out")
    table = summarize(run.output_dir)
    for name in ("summary.md", "summary.csv", "qini_synthetic.png", "bars_synthetic.png"):
        assert (tmp_path / "out" / name).is_file()
    metrics = set(table["metric"])
    assert {"qini_auc:sklift", "uplift_at_k:0.3", "pehe"} <= metrics
    assert "oracle (true effect)" in set(table["learner"])
    pehe = table.set_index(["learner", "metric"])["mean"]
    # a logistic T-learner recovers the effect better than random scores in [0, 1]
    assert pehe[("t_logistic", "pehe")] < pehe[("random", "pehe")]
    csv = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert len(csv) == len(table)


def test_interval_and_best_marking_exact():
    rows = []
    for learner, values in {"a": [1.0, 2.0, 3.0], "b": [10.0, 10.5, 11.0], "c": [9.0, 10.0, 11.0]}.items():
        for fold, value in enumerate(values):
            rows.append({"dataset": "d", "arm": "1", "learner": learner, "metric": "m", "seed": 0, "fold": fold,
                         "value": value, "std_error": None, "n_train": 2, "n_test": 1})
    table = aggregate(pd.DataFrame(rows)).set_index("learner")
    # a: mean 2, sd 1, corrected SE = 1 * sqrt(1/3 + 1/2); t(0.975, 2) = 4.3027
    half = stats.t.ppf(0.975, 2) * np.sqrt(1 / 3 + 1 / 2)
    np.testing.assert_allclose(table.loc["a", ["mean", "ci_low", "ci_high"]].astype(float), [2, 2 - half, 2 + half])
    assert not table["best"].any()  # b's interval overlaps c's: no winner marked
    rows = [r | {"value": r["value"] + (20 if r["learner"] == "b" else 0)} for r in rows]
    assert aggregate(pd.DataFrame(rows)).set_index("learner")["best"].to_dict() == {"a": False, "b": True,
                                                                                    "c": False}


def test_metric_names_are_normalised():
    assert [m.name for m in parse_metrics(["qini_auc", "uplift_at_k:.25", "rate:qini"])] == [
        "qini_auc:uplift", "uplift_at_k:0.25", "rate:QINI"]


# ---------------------------------------------------------------- reference data and peers

def test_reference_configs_parse_and_load(shared_data):
    configs = sorted(Path(__file__).resolve().parents[1].joinpath("benchmarks", "configs").glob("*.toml"))
    assert len(configs) >= 6
    from uplift.benchmark import load_config

    gerber = load_config(Path(__file__).resolve().parents[1] / "benchmarks/configs/gerber2008.toml")
    data = load_benchmark_dataset(gerber.datasets[0], shared_data)
    assert data.groups is not None and data.n_arms == 4
    for path in configs:
        for spec in load_config(path).learners:
            if spec.key.startswith(("sklift", "causalml")):
                continue
            build_learner(spec, random_state=0)


@pytest.mark.peers
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # matplotlib, when causalml imports it
def test_peer_adapters_multi_arm_and_parity():
    pytest.importorskip("sklift", reason="scikit-uplift is an optional peer (causalml extra)")
    pytest.importorskip("causalml", reason="causalml is an optional peer (causalml extra)")
    from sklearn.linear_model import LogisticRegression

    from uplift.benchmark import LearnerSpec
    from uplift.learners import TLearner

    data = make_uplift_classification(800, n_features=4, n_arms=2, random_state=1)
    codes = check_treatment(data.treatment).codes
    for key in ("sklift_two_models", "sklift_solo_model", "causalml_t", "causalml_x"):
        learner = build_learner(LearnerSpec(key, key=key, params={"model": LOGISTIC}), random_state=0)
        assert learner.fit(data.X, data.y, treatment=codes).predict(data.X).shape == (800, 2)
    # identical base models: sklift's TwoModels and causalml's T-learner equal our T-learner
    ours = TLearner(LogisticRegression(max_iter=200)).fit(data.X, data.y, treatment=codes).predict(data.X)
    for key in ("sklift_two_models", "causalml_t"):
        peer = build_learner(LearnerSpec(key, key=key, params={"model": LOGISTIC}), random_state=0)
        np.testing.assert_allclose(peer.fit(data.X, data.y, treatment=codes).predict(data.X), ours, rtol=1e-6,
                                   err_msg=key)


def test_sigkill_mid_run_then_resume(tmp_path):
    """A real `kill -9` of the CLI during a run: the restart skips finished tasks, no row twice."""
    import os
    import signal
    import subprocess
    import sys
    import time

    config = tmp_path / "kill.toml"
    config.write_text(
        'name = "kill"\nseeds = [0, 1]\nn_folds = 5\nn_resamples = 50\nmetrics = ["qini_auc:sklift", "rate:AUTOC"]\n'
        '[[datasets]]\nkey = "synthetic"\nparams = { n_samples = 3000, n_features = 4, random_state = 0 }\n'
        '[[learners]]\nkey = "random"\n[[learners]]\nname = "t"\nkey = "t_learner"\n'
        'params = { outcome_model = { class = "sklearn.linear_model:LogisticRegression" } }\n'
    )
    output = tmp_path / "out"
    results = output / "results.jsonl"
    command = [sys.executable, "-m", "uplift.cli", "benchmark", str(config), "--output", str(output), "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=dict(os.environ))  # conftest set OMP_WAIT_POLICY
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if results.exists() and results.read_bytes().count(b"\n") >= 3:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    killed_at = results.read_bytes()
    rerun = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ))  # conftest set OMP_WAIT_POLICY
    assert rerun.returncode == 0, rerun.stderr
    keys = _keys(results)
    assert len(keys) == len(set(keys)) == 20
    finished = killed_at[: killed_at.rfind(b"\n") + 1]
    assert results.read_bytes().startswith(finished)
    n_finished = finished.count(b"\n")
    assert f"{20 - n_finished} task(s) run, {n_finished} already finished" in rerun.stdout


# ---------------------------------------------------------------- issue 9: the config is checked against a schema

_MINIMAL = {"datasets": [{"key": "synthetic"}], "learners": [{"key": "random"}]}
_TABLE = {"path": "t.csv", "treatment": "t", "outcome": "y"}


@pytest.mark.parametrize(("change", "match"), [
    ({"n_resamples": -5}, r"n_resamples must be at least 20 .*got -5"),  # was: RATE silently dropped, exit 0
    ({"n_resamples": 2.5}, r"n_resamples must be an integer; got 2.5"),
    ({"output": 5}, r"output must be a folder path as text.*got 5 \(int\)"),  # was: TypeError
    ({"data_dir": ["a"]}, r"data_dir must be a folder path as text"),
    ({"datasets": [{"key": "synthetic", "name": "a/b"}]}, r"datasets\[0\]: name 'a/b' cannot name files"),
    ({"learners": [{"key": "random", "name": "x|y"}]}, r"learners\[0\]: name 'x\|y' cannot name files"),
    ({"name": ".."}, r"name '\.\.' cannot name files"),
    ({"seeds": [True]}, r"seeds must be a non-empty list of integers"),
    ({"seeds": [-1]}, r"seeds must be a non-empty list of integers in \[0, 2\*\*32\)"),
    ({"seeds": [0, 0]}, r"seeds must be distinct"),
    ({"n_folds": "3"}, r"n_folds must be an integer; got '3'"),
    ({"metrics": ["qini_auc:sklearn"]}, r"metrics: unknown metric 'qini_auc:sklearn'"),
    ({"description": 5}, r"description must be text"),
    ({"datasets": [{"key": "synthetic", "params": {"n_sample": 10}}]},
     r"datasets\[0\]: params: data set 'synthetic' takes no parameter\(s\) \['n_sample'\]"),
    ({"datasets": [{"key": "criteo", "params": {"subsample": 1}}]}, r"datasets\[0\]: .*subsample=1 is ambiguous"),
    ({"datasets": [{"key": "synthetic", "split": 5}]}, r"datasets\[0\]: split must be one of"),
    ({"datasets": [{"key": 5}]}, r"datasets\[0\]: key must be text"),
    ({"datasets": [{"table": _TABLE | {"features": "age"}}]}, r"table.features must be a list"),
    ({"datasets": [{"table": _TABLE | {"max_categories": 0}}]}, r"table.max_categories must be at least 1"),
    ({"datasets": [{"table": _TABLE | {"treatment": 1}}]}, r"table.treatment must be text"),
    ({"datasets": [{"table": _TABLE, "params": {"a": 1}}]}, r"params apply to a registered data set"),
    ({"learners": [{"key": "t_learner", "params": {"outcome_model": {
        "class": "sklearn.linear_model:LogisticRegression", "param": {}}}}]}, r"takes 'class' and 'params' only"),
    ({"learners": [{"class": "sklearn.linear_model:LogisticRegression()"}]}, r"class must look like"),
])
def test_config_schema_names_the_offending_key(change, match):
    with pytest.raises(UpliftInputError, match=match):
        parse_config(_MINIMAL | change)


def test_valid_config_entries_pass_the_schema():
    config = parse_config(_MINIMAL | {"n_resamples": 20, "output": "out", "seeds": [0, 2**32 - 1], "datasets": [
        {"name": "crit.eo-1", "key": "criteo", "params": {"subsample": 1.0}},
        {"table": _TABLE | {"id": "cid", "features": ["a"], "max_categories": 3, "control_value": "No"}}]})
    assert [d.name for d in config.datasets] == ["crit.eo-1", "t"] and config.output == Path("out")


# ---------------------------------------------------------------- issue 9: a config is code (allow-list)

def _payload(target: Path) -> dict:
    return {"class": "subprocess:Popen", "params": {"args": ["touch", str(target)]}}


def test_config_class_outside_the_allow_list_never_runs(tmp_path):
    target = tmp_path / "pwned"
    learner = _payload(target) | {"name": "evil"}
    nested = {"key": "t_learner", "params": {"outcome_model": _payload(target)}}
    for learners in ([learner], [nested]):
        with pytest.raises(UpliftInputError, match=r"'subprocess:Popen' is not imported.*--allow-import subprocess"):
            parse_config(_MINIMAL | {"learners": learners})
    # a spec built in Python skips parse_config: the builder checks again before importing anything
    from uplift.benchmark import LearnerSpec

    with pytest.raises(UpliftInputError, match="is not imported"):
        build_learner(LearnerSpec(name="evil", class_path="subprocess:Popen", params={"args": ["touch", str(target)]}),
                      random_state=0)
    # allowed by the user, a function is still refused: a config names classes
    config = parse_config(_MINIMAL | {"learners": [{"class": "subprocess:run",
                                                    "params": {"args": ["touch", str(target)]}}]},
                          allow_imports=["subprocess"])
    with pytest.raises(UpliftInputError, match="is a function, not a class"):
        run_benchmark(config, output_dir=tmp_path / "out")
    assert not target.exists()


def test_allow_import_lets_a_trusted_module_in(tmp_path):
    raw = _MINIMAL | {"learners": [{"class": "collections:OrderedDict"}]}
    with pytest.raises(UpliftInputError, match="is not imported"):
        parse_config(raw)
    config = parse_config(raw, allow_imports=["collections"])
    with pytest.raises(UpliftInputError, match="has no fit/predict methods"):  # imported and built
        run_benchmark(config, output_dir=tmp_path / "out")
    with pytest.raises(UpliftInputError, match="allow_imports must hold module names"):
        parse_config(raw, allow_imports=["os; rm"])


# ---------------------------------------------------------------- issue 9: results never mix

def test_resume_after_the_data_file_changed_is_refused(tmp_path):
    config = parse_config(_config(tmp_path, seeds=[0], learners=[{"key": "random"}]), base_dir=tmp_path)
    output = tmp_path / "out"
    run_benchmark(config, output_dir=output)
    results = output / "results.jsonl"
    before, metadata = results.read_bytes(), (output / "run.json").read_bytes()
    record = json.loads(before.splitlines()[0])
    assert record["data"]["rows"] == 600 and record["data"]["files"][0]["path"].endswith("tiny.csv")
    assert json.loads((output / "run.json").read_text())["datasets"]["tiny"]["sha256"] == record["data"]["sha256"]
    table = pd.read_csv(tmp_path / "tiny.csv")
    changed = table.assign(y=1 - table["y"])
    changed.to_csv(tmp_path / "tiny.csv", index=False)
    with pytest.raises(UpliftInputError, match=r"data set 'tiny' changed since .*results.jsonl was written: 3 "
                                               r"finished task\(s\).*tiny.csv.*would mix results"):
        run_benchmark(config, output_dir=output, resume=True)
    assert results.read_bytes() == before and (output / "run.json").read_bytes() == metadata
    table.to_csv(tmp_path / "tiny.csv", index=False)  # the same content again, a new mtime: accepted
    assert run_benchmark(config, output_dir=output, resume=True).n_skipped == 3


def _lenta_folder(root: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    folder = root / "lenta"
    folder.mkdir(parents=True)
    pd.DataFrame({"is_treatment": np.tile([0, 1], 40), "response_att": rng.integers(0, 2, 80),
                  "food_share_15d": rng.uniform(size=80), "age": rng.integers(20, 30, 80),
                  "is_women": rng.integers(0, 2, 80)}).to_csv(folder / "lenta_sample50k.csv.gz", index=False)
    return root


def test_resume_after_data_dir_changed_is_refused(tmp_path):
    raw = {"seeds": [0], "n_folds": 2, "n_resamples": 20, "metrics": ["qini_auc:sklift"],
           "datasets": [{"key": "lenta_sample"}], "learners": [{"key": "random"}]}
    first, second = _lenta_folder(tmp_path / "a", 0), _lenta_folder(tmp_path / "b", 1)
    run_benchmark(parse_config(raw, data_dir=first), output_dir=tmp_path / "out")
    with pytest.raises(UpliftInputError, match=r"data set 'lenta_sample' changed since"):
        run_benchmark(parse_config(raw, data_dir=second), output_dir=tmp_path / "out", resume=True)


def test_a_second_run_on_one_folder_is_refused(tmp_path):
    from uplift.benchmark._integrity import output_lock

    config = parse_config(_config(tmp_path, seeds=[0], learners=[{"key": "random"}]), base_dir=tmp_path)
    output = tmp_path / "out"
    with output_lock(output):  # as a run in another process would hold it
        with pytest.raises(UpliftInputError, match=rf"another benchmark run \(pid {os.getpid()} since .*\) is "
                                                   r"writing to .*out; .*another --output folder"):
            run_benchmark(config, output_dir=output)
        assert not (output / "results.jsonl").exists()
    assert run_benchmark(config, output_dir=output).n_run == 3  # released


# ---------------------------------------------------------------- issue 9: result lines

@pytest.mark.parametrize(("content", "match"), [
    (b'{"key": "a"}\n\xff\xfe garbage\n', r"line 2 is not UTF-8 text"),
    (b'[1, 2]\n', r"line 1 is a JSON list, not an object"),
    (b'"text"\n', r"line 1 is a JSON str"),
    (b'{"key": 5}\n', r"line 1 lacks \['a text key'\]"),
])
def test_unreadable_result_lines_are_named(tmp_path, content, match):
    (tmp_path / "results.jsonl").write_bytes(content)
    with pytest.raises(UpliftInputError, match=match + r".*remove that line"):
        ResultsStore(tmp_path / "results.jsonl")


def test_a_result_line_without_scores_is_named_on_resume_and_summarize(tmp_path):
    config = parse_config(_config(tmp_path, seeds=[0], learners=[{"key": "random"}]), base_dir=tmp_path)
    output = tmp_path / "out"
    run_benchmark(config, output_dir=output)
    lines = (output / "results.jsonl").read_text().splitlines()
    broken = json.loads(lines[1])
    del broken["scores"]
    (output / "results.jsonl").write_text("\n".join([lines[0], json.dumps(broken), *lines[2:]]) + "\n")
    with pytest.raises(UpliftInputError, match=r"line 2 lacks \['scores'\]"):
        summarize(output)  # was: KeyError
    with pytest.raises(UpliftInputError, match=r"line 2 lacks \['scores'\]"):
        run_benchmark(config, output_dir=output, resume=True)


def test_a_valid_last_line_without_newline_is_kept(tmp_path):
    config = parse_config(_config(tmp_path, seeds=[0], learners=[{"key": "random"}]), base_dir=tmp_path)
    output = tmp_path / "out"
    run_benchmark(config, output_dir=output)
    results = output / "results.jsonl"
    results.write_bytes(results.read_bytes().rstrip(b"\n"))
    again = run_benchmark(config, output_dir=output, resume=True)
    assert (again.n_run, again.n_skipped) == (0, 3)  # was: the third task dropped as torn and run again
    assert results.read_bytes().endswith(b"}\n") and len(_keys(results)) == 3


def test_output_files_follow_the_umask(tmp_path):
    config = parse_config(_config(tmp_path, seeds=[0], learners=[{"key": "random"}]), base_dir=tmp_path)
    previous = os.umask(0o027)
    try:
        run = run_benchmark(config, output_dir=tmp_path / "out")
        summarize(run.output_dir, figures=False)
    finally:
        os.umask(previous)
    for name in ("results.jsonl", "run.json", "summary.md", "summary.csv"):
        assert stat.S_IMODE((tmp_path / "out" / name).stat().st_mode) == 0o640, name  # was 0600 from mkstemp


def test_results_without_a_data_fingerprint_resume_with_a_warning(tmp_path, caplog):
    config = parse_config(_config(tmp_path, seeds=[0], learners=[{"key": "random"}]), base_dir=tmp_path)
    output = tmp_path / "out"
    run_benchmark(config, output_dir=output)
    results = output / "results.jsonl"
    older = [json.loads(line) for line in results.read_text().splitlines()]
    results.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "data"}) + "\n" for r in older))
    with caplog.at_level("WARNING", logger="uplift.benchmark._integrity"):
        assert run_benchmark(config, output_dir=output, resume=True).n_skipped == 3
    assert "3 finished task(s) of data set 'tiny' were written without a data fingerprint" in caplog.text
