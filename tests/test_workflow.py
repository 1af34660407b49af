"""The CLI workflow on a generated CSV: check -> train -> score -> plan -> report, outputs read back."""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat

import numpy as np
import pandas as pd
import pytest

from uplift.cli import main
from uplift.datasets import make_uplift_classification
from uplift.io import load, read_manifest

N_ROWS = 2000


def _experiment(with_strings: bool) -> pd.DataFrame:
    # 40% persuadables: with the default 20%, the report's quick S-learner found no profitable customer
    # on 4 of 6 holdout splits of these 2,000 rows (an empty plan), so the test hung on one lucky split
    data = make_uplift_classification(N_ROWS, n_arms=2, type_shares=(0.4, 0.15, 0.3, 0.15), random_state=3)
    frame = data.X.copy()
    frame.insert(0, "customer_id", np.arange(50_000, 50_000 + N_ROWS))
    if with_strings:
        frame["region"] = np.array(["north", "south", "east"])[np.arange(N_ROWS) % 3]
    frame["offer"] = np.array(["none", "email", "sms"])[data.treatment]
    frame["bought"] = data.y.astype(int)
    return frame


def _run(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    assert code == 0, err.getvalue()
    return out.getvalue()


@pytest.fixture(scope="module", params=["numeric", "strings"])
def workflow(request, tmp_path_factory):
    """Every step of the workflow, run once per kind of file; returns the folder and what was printed."""
    tmp_path = tmp_path_factory.mktemp(request.param)
    previous = os.umask(0o022)
    frame = _experiment(request.param == "strings")
    frame.to_csv(tmp_path / "experiment.csv", index=False)
    new = frame.drop(columns=["offer", "bought"]).iloc[:500]
    new.to_parquet(tmp_path / "next_week.parquet", index=False)
    flags = ["--treatment", "offer", "--outcome", "bought", "--control", "none"]
    printed = {
        "check": _run("check", str(tmp_path / "experiment.csv"), *flags, "--splits", "2", "--no-progress"),
        # no --id: customer_id is found as an identifier, left out of the features and keys the outputs
        "train": _run("train", str(tmp_path / "experiment.csv"), *flags, "--folds", "2", "--output",
                      str(tmp_path / "model"), "--no-progress"),
        "score": _run("score", str(tmp_path / "model"), str(tmp_path / "next_week.parquet"), "--output",
                      str(tmp_path / "scores.csv"), "--chunksize", "128", "--no-progress"),
        "plan": _run("plan", str(tmp_path / "model"), str(tmp_path / "next_week.parquet"), "--value", "30",
                     "--contact-cost", "email=0.5,sms=1.5", "--budget", "100", "--output",
                     str(tmp_path / "contacts.csv"), "--no-progress"),
        "report": _run("report", str(tmp_path / "experiment.csv"), *flags, "--id", "customer_id", "--value",
                       "30", "--contact-cost", "0.5", "--quick", "--output", str(tmp_path / "report")),
    }
    os.umask(previous)
    return tmp_path, new, printed


def test_check_reports_the_experiment_and_the_id_column(workflow):
    folder, _, printed = workflow
    out = printed["check"]
    if folder.name.startswith("strings"):
        assert "not checked (text): region" in out
    assert "2,000 rows; treatment 'offer' (control 'none', arms 'email', 'sms')" in out
    assert "Not used as features (identifiers): customer_id." in out
    assert "Experiment checks: " in out and "Sample ratio: chi2(2)" in out
    assert "Arm 'email' versus control 'none':" in out and "Arm 'sms' versus control 'none':" in out


def test_train_prints_and_stores_cross_validated_qini(workflow):
    folder, _, printed = workflow
    training = read_manifest(folder / "model")["training"]
    assert training["id_column"] == "customer_id" and "customer_id" not in training["features"]
    assert training["dropped_id_columns"] == ["customer_id"]
    assert training["n_rows"] == N_ROWS and training["n_folds"] == 2
    for arm in ("email", "sms"):
        qini = training["cross_validated_qini_auc"][arm]
        assert qini["ci_low"] <= qini["estimate"] <= qini["ci_high"]
        assert f"Arm '{arm}': cross-validated Qini AUC (2 folds" in printed["train"]
        assert f"{qini['estimate']:.4f}" in printed["train"]


def test_score_writes_effects_keyed_by_the_training_id(workflow):
    folder, new, printed = workflow
    scores = pd.read_csv(folder / "scores.csv")
    assert list(scores.columns) == ["customer_id", "effect_email", "effect_sms", "outcome_none", "outcome_email",
                                    "outcome_sms"]
    assert scores["customer_id"].tolist() == new["customer_id"].tolist()  # every row once, in order, 4 chunks
    learner = load(folder / "model")
    outcomes = learner.predict_outcomes(new[list(learner.feature_names_in_)])
    np.testing.assert_allclose(scores[["outcome_none", "outcome_email", "outcome_sms"]], outcomes, rtol=1e-6)
    np.testing.assert_allclose(scores["effect_sms"], outcomes[:, 2] - outcomes[:, 0], rtol=1e-6, atol=1e-9)
    assert "Scored 500 rows" in printed["score"]


def test_plan_writes_the_contact_list_and_a_policy(workflow):
    folder, new, printed = workflow
    contacts = pd.read_csv(folder / "contacts.csv")
    assert list(contacts.columns) == ["customer_id", "arm", "expected_incremental_profit", "expected_spend"]
    assert set(contacts["arm"]) <= {"email", "sms"} and len(contacts) > 0
    assert set(contacts["customer_id"]) <= set(new["customer_id"])
    assert contacts["expected_spend"].sum() <= 100 + 1e-6  # the budget holds
    assert (contacts["expected_incremental_profit"] > 0).all()
    policy = load(folder / "contacts.policy")
    assert policy.reference_plan_summary_["n_contacts"] == len(contacts)
    decided = policy.decide(new[list(policy.learner.feature_names_in_)])
    assert set(decided["arm"]) <= {"none", "email", "sms"}
    assert f"Contact {len(contacts):,} of 500 customers" in printed["plan"]


def test_report_answers_first_and_outputs_are_readable_by_the_team(workflow):
    folder, _, _ = workflow
    page = (folder / "report" / "index.html").read_text()
    assert page.index("The answer") < page.index("1. The experiment")
    for question in ("Is the experiment sound?", "Is there anything to target?", "Whom to contact",
                     "What does it earn?", "contact everyone (email)", "rank by response"):
        assert question in page
    summary = json.loads((folder / "report" / "summary.json").read_text())
    numbers = summary["answer_numbers"]
    assert numbers["holdout_customers"] == 600  # 30% of 2,000
    low, high = numbers["holdout_profit_ci"]
    assert low <= numbers["holdout_profit"] <= high
    for name in ("scores.csv", "contacts.csv", "report/index.html", "report/summary.json",
                 "report/campaign_profit.png", "model/manifest.json"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o644, name  # umask 022 respected


@pytest.mark.parametrize(("argv", "message"), [
    (["check", "{csv}", "--treatment", "arm", "--outcome", "bought"], "--treatment 'arm' is not a column"),
    (["check", "{csv}", "--treatment", "offer", "--outcome", "bought", "--control", "post"],
     "--control 'post' is not a value of treatment column 'offer'"),
    (["check", "{folder}/missing.csv", "--treatment", "offer", "--outcome", "bought"], "does not exist"),
    (["check", "{folder}/data.xlsx", "--treatment", "offer", "--outcome", "bought"], "must be a .csv"),
    (["score", "{folder}/no_model", "{csv}", "--output", "{folder}/s.csv"], "does not exist"),
    (["check", "{folder}/broken.parquet", "--treatment", "offer", "--outcome", "bought"], "could not be read"),
    (["check", "{folder}/empty.csv", "--treatment", "offer", "--outcome", "bought"], "could not be read"),
])
def test_user_mistakes_end_in_one_line_and_exit_code_2(tmp_path, capsys, argv, message):
    _experiment(False).iloc[:200].to_csv(tmp_path / "e.csv", index=False)
    (tmp_path / "data.xlsx").write_text("x")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    (tmp_path / "empty.csv").write_text("")
    code = main([a.format(csv=tmp_path / "e.csv", folder=tmp_path) for a in argv])
    error = capsys.readouterr().err
    assert code == 2
    assert message in error and error.count("\n") == 1 and "Traceback" not in error
