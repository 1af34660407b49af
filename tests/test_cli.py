"""The `uplift` command line: benchmark and datasets commands (demo: tests/test_demo.py)."""

from __future__ import annotations

import pytest

from uplift.cli import main


@pytest.mark.parametrize("argv", [["--help"], ["benchmark", "--help"], ["datasets", "--help"],
                                  ["datasets", "list", "--help"], ["datasets", "fetch", "--help"]])
def test_help_everywhere(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "usage: uplift" in capsys.readouterr().out


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
