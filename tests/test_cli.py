"""The `uplift` command line: benchmark and datasets commands (demo: tests/test_demo.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from uplift.cli import main


@pytest.mark.parametrize("argv", [["--help"], ["benchmark", "--help"], ["datasets", "--help"],
                                  ["datasets", "list", "--help"], ["datasets", "fetch", "--help"]])
def test_help_everywhere(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "usage: uplift" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["check", "train", "score", "plan", "report", "demo", "benchmark", "monitor",
                                     "retrain"])
def test_every_command_help_reads_as_written(command, capsys):
    """argparse %-formats help strings but not descriptions: a description written with "%%" printed it twice
    ("fit an uplift model on 70%% of it")."""
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0 and "usage: uplift" in out and "%%" not in out


def test_datasets_list(capsys):
    assert main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    for key in ("hillstrom", "criteo", "lenta", "x5", "megafon", "gerber2008", "ihdp", "acic2016"):
        assert f"\n{key} " in f"\n{out}"


@pytest.mark.parametrize(("argv", "match"), [
    (["datasets", "fetch", "hilstrom"], "unknown data set 'hilstrom'"),
    (["datasets", "fetch", "criteo", "--path", "/nonexistent/criteo.csv.gz"], "no file at /nonexistent"),
    (["benchmark", "/nonexistent/config.toml"], "no benchmark config at"),
])
def test_user_mistakes_are_one_line_and_exit_2(argv, match, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert match in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_invalid_toml_is_a_user_error(tmp_path, capsys):
    config = tmp_path / "bad.toml"
    config.write_text("name = \n")
    assert main(["benchmark", str(config)]) == 2
    assert "is not valid TOML" in capsys.readouterr().err


def test_datasets_fetch_reads_a_local_file(shared_data, capsys):
    assert main(["datasets", "fetch", "ihdp", "--path", str(shared_data)]) == 0
    assert "n=747" in capsys.readouterr().out


def test_benchmark_end_to_end_and_resume(tmp_path, capsys):
    config = tmp_path / "tiny.toml"
    config.write_text(
        'name = "tiny"\nseeds = [0]\nn_folds = 2\nmetrics = ["qini_auc:sklift"]\n'
        '[[datasets]]\nkey = "synthetic"\nparams = { n_samples = 400, n_features = 4, random_state = 0 }\n'
        '[[learners]]\nkey = "random"\n'
    )
    output = tmp_path / "out"
    assert main(["benchmark", str(config), "--output", str(output)]) == 0
    captured = capsys.readouterr()
    assert "2 task(s) run" in captured.out and "2/2" in captured.err  # progress bar on stderr
    assert (output / "summary.md").is_file()
    assert main(["benchmark", str(config), "--output", str(output)]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["benchmark", str(config), "--output", str(output), "--resume", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "0 task(s) run, 2 already finished" in captured.out and captured.err == ""


# ---------------------------------------------------------------- issue 9

_TINY = ('seeds = [0]\nn_folds = 2\nmetrics = ["qini_auc:sklift"]\n'
         '[[datasets]]\nkey = "synthetic"\nparams = { n_samples = 200, n_features = 4, random_state = 0 }\n')


def test_every_task_failing_exits_non_zero_without_a_summary_path(tmp_path, capsys):
    config = tmp_path / "fails.toml"
    # LogisticRegression.fit takes no treatment=: every task fails (TypeError), none finishes
    config.write_text(_TINY + '[[learners]]\nclass = "sklearn.linear_model:LogisticRegression"\n')
    assert main(["benchmark", str(config), "--output", str(tmp_path / "out"), "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "Summary:" not in captured.out and not (tmp_path / "out" / "summary.md").exists()
    assert "no task finished, so no summary was written" in captured.err
    assert "failed: synthetic / LogisticRegression: TypeError" in captured.err


def test_a_config_payload_is_refused_and_never_runs(tmp_path, capsys):
    target = tmp_path / "pwned"
    config = tmp_path / "evil.toml"
    config.write_text(_TINY + '[[learners]]\nclass = "subprocess:Popen"\n'
                      f'params = {{ args = ["touch", "{target}"] }}\n')
    assert main(["benchmark", str(config), "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "is not imported" in err and "--allow-import subprocess" in err and len(err.strip().splitlines()) == 1
    assert not target.exists()


def _lenta_sample(root: Path) -> Path:
    folder = root / "lenta"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    pd.DataFrame({"is_treatment": np.tile([0, 1], 30), "response_att": rng.integers(0, 2, 60),
                  "food_share_15d": rng.uniform(size=60), "age": rng.integers(20, 30, 60),
                  "is_women": rng.integers(0, 2, 60)}).to_csv(folder / "lenta_sample50k.csv.gz", index=False)
    return root


def test_data_dir_flag_and_data_home(tmp_path, monkeypatch, capsys):
    # a shipped config names no folder: --data-dir (or UPLIFT_DATA_HOME) says where the files are
    config = tmp_path / "configs" / "lenta.toml"
    config.parent.mkdir()
    config.write_text('seeds = [0]\nn_folds = 2\nmetrics = ["qini_auc:sklift"]\n[[datasets]]\nkey = "lenta_sample"\n'
                      '[[learners]]\nkey = "random"\n')
    monkeypatch.setenv("UPLIFT_DATA_HOME", str(tmp_path / "empty_home"))
    assert main(["benchmark", str(config), "--output", str(tmp_path / "a"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "data set 'lenta_sample'" in err and "--data-dir" in err and "UPLIFT_DATA_HOME" in err
    assert "pass path=" not in err  # impossible on the command line
    data = _lenta_sample(tmp_path / "data")
    assert main(["benchmark", str(config), "--output", str(tmp_path / "b"), "--no-progress", "--data-dir",
                 str(data)]) == 0
    monkeypatch.setenv("UPLIFT_DATA_HOME", str(data))
    assert main(["benchmark", str(config), "--output", str(tmp_path / "c"), "--no-progress"]) == 0


def test_shipped_configs_run_from_a_fresh_clone():
    from uplift.benchmark import load_config

    folder = Path(__file__).resolve().parents[1] / "benchmarks" / "configs"
    paths = sorted(folder.glob("*.toml"))
    assert len(paths) >= 8
    for path in paths:
        text = path.read_text()
        assert "shared/data" not in text and "data_dir" not in text, path.name  # no folder outside the clone
        config = load_config(path)
        assert config.data_dir is None
        if config.description:  # hillstrom.toml said "5-fold" with n_folds = 3
            assert f"{config.n_folds}-fold" in config.description, path.name
