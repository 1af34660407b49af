"""`uplift demo` writes a complete report: index.html and summary.json with the experiment's figures."""

from __future__ import annotations

import json

import pytest

from uplift.cli import main


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    output = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--quick", "--output", str(output)]) == 0
    return output


def test_demo_writes_report_and_summary(demo_report):
    html = (demo_report / "index.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "Sample ratio" in html
    summary = json.loads((demo_report / "summary.json").read_text())
    experiment = summary["experiment"]
    assert experiment["data"]["n"] == 42_693
    ate = experiment["ate"]["arms"]["1"]
    # data/README.md: Womens E-Mail visit +4.52 pp; the CI must contain it
    assert ate["estimate"] == pytest.approx(0.0452, abs=1e-4)
    assert ate["ci_low"] < 0.0452 < ate["ci_high"]
    assert experiment["srm_all_arms"]["p_value"] == pytest.approx(0.90, abs=0.01)
    assert experiment["checks"]["verdict"] == "pass"


def test_demo_images_exist(demo_report):
    html = (demo_report / "index.html").read_text()
    for name in (p.name for p in demo_report.glob("*.png")):
        assert name in html


def test_cli_user_error_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["demo", "--quick", "--output", str(blocker)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("uplift demo: error:") and error.count("\n") == 1
    assert "Traceback" not in error
