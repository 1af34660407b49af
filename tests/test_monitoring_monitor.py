"""monitor(): verdicts on simulated periods, the report's formats, a saved model as input."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from uplift.campaign import Economics, Policy
from uplift.datasets import make_uplift_stream
from uplift.exceptions import UpliftInputError, UpliftTypeError
from uplift.io import load, read_manifest, save
from uplift.learners import TLearner
from uplift.monitoring import MonitorReport, monitor, reference_histograms


@pytest.fixture(scope="module")
def fitted():
    stream = make_uplift_stream(1, 6000, random_state=11)
    model = TLearner(LogisticRegression()).fit(stream.X, stream.y, treatment=stream.treatment)
    reference = reference_histograms(stream.X, scores=model.predict(stream.X))
    return model, reference


def _period(change, seed, n=6000):
    stream = make_uplift_stream(2, n, change_period=1, change=change, feature_shift=1.0, random_state=seed)
    late = stream.time == 1
    return stream.X[late].reset_index(drop=True), stream.y[late], stream.treatment[late]


def test_ok_drift_and_decay_verdicts(fitted):
    model, reference = fitted
    X, y, treatment = _period("features", seed=1)
    X_same = make_uplift_stream(1, 6000, random_state=12).X
    healthy = monitor(model, X_same, reference=reference)
    assert healthy.status == "ok" and healthy.reasons == ()
    drifted = monitor(model, X, y=y, treatment=treatment, reference=reference, n_resamples=50, random_state=0)
    assert drifted.status == "drift"
    assert {"x0", "x2"} <= set(drifted.features.loc[drifted.features["drifted"], "column"])
    assert drifted.decay is not None and not drifted.decay.decayed
    X, y, treatment = _period("effect", seed=2)
    decayed = monitor(model, X, y=y, treatment=treatment, reference=reference, n_resamples=50, random_state=0)
    assert decayed.status == "decay"
    assert not decayed.features["drifted"].any()  # the features did not move: only the holdout sees it
    # three families ran (features, scores, decay): alpha split in three, then over the decay tests
    assert decayed.decay.tests["threshold"].iloc[0] == pytest.approx(0.05 / 3 / len(decayed.decay.tests))


def test_report_formats(fitted, tmp_path):
    model, reference = fitted
    X, y, treatment = _period("effect", seed=3)
    report = monitor(model, X, y=y, treatment=treatment, reference=reference, n_resamples=30, random_state=0)
    summary = report.summary()
    assert list(summary.columns) == ["check", "statistic", "value", "threshold", "p_value", "flagged"]
    assert summary["flagged"].any() == (report.status != "ok")
    data = json.loads(report.to_json())
    assert data["status"] == report.status and data["decay"]["decayed"]
    index = report.to_html(tmp_path / "report")
    page = index.read_text()
    assert "Uplift model monitoring" in page and "<svg" in page and "DECAY" in page.upper()
    assert json.loads((tmp_path / "report" / "summary.json").read_text())["status"] == "decay"
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign"):
        report.status = "ok"  # type: ignore[misc]


def test_policy_saved_to_a_file_brings_its_reference(fitted, tmp_path):
    model, _ = fitted
    train = make_uplift_stream(1, 3000, random_state=13).X
    policy = Policy(model, Economics(value=10.0, contact_cost=0.3)).fit(train)
    path = save(policy, tmp_path / "policy", reference=train)
    loaded, reference = load(path), read_manifest(path)["reference"]
    report = monitor(loaded, make_uplift_stream(1, 3000, random_state=14).X, reference=reference)
    assert isinstance(report, MonitorReport)
    assert report.assignment is not None and not report.assignment.drifted
    assert report.status == "ok"
    shifted, _, _ = _period("features", seed=4, n=3000)
    assert monitor(loaded, shifted, reference=reference).status == "drift"
    # monitoring sits below the persistence layer: a path is refused with the way to load it
    with pytest.raises(UpliftTypeError, match=r"not a path .*uplift\.io\.load\(path\)"):
        monitor(path, shifted, reference=reference)


def test_bad_inputs(fitted):
    model, reference = fitted
    X = pd.DataFrame(np.zeros((4, 5)), columns=[f"x{j}" for j in range(5)])
    with pytest.raises(UpliftInputError, match="no reference histograms"):
        monitor(model, X)
    with pytest.raises(UpliftInputError, match="y and treatment together"):
        monitor(model, X, y=np.zeros(4), reference=reference)
    with pytest.raises(UpliftInputError, match="alpha must lie in"):
        monitor(model, X, reference=reference, alpha=1.5)
    with pytest.raises(UpliftTypeError, match="model must be a fitted uplift learner"):
        monitor(object(), X, reference=reference)
    with pytest.raises(UpliftInputError, match="labels other than the model's control"):
        monitor(model, X, y=np.zeros(4), treatment=[0, 1, 2, 1], reference=reference)


def test_cli_monitor_writes_the_report(fitted, tmp_path, capsys):
    pytest.importorskip("uplift.io")
    from uplift.cli import main
    from uplift.io import save

    model, _ = fitted
    train = make_uplift_stream(1, 3000, random_state=13).X
    save(model, tmp_path / "model", reference=train)
    X, y, treatment = _period("effect", seed=5)
    X.assign(bought=y, offer=treatment).to_csv(tmp_path / "new.csv", index=False)
    code = main(["monitor", str(tmp_path / "model"), str(tmp_path / "new.csv"), "--outcome", "bought",
                 "--treatment", "offer", "--output", str(tmp_path / "out")])
    assert code == 0
    assert "status: decay" in capsys.readouterr().out
    assert (tmp_path / "out" / "index.html").is_file()
    assert main(["monitor", str(tmp_path / "model"), str(tmp_path / "new.csv"), "--outcome", "nope",
                 "--treatment", "offer"]) == 2
    assert "lacks column(s) ['nope']" in capsys.readouterr().err
