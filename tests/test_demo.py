"""`uplift demo`: the report on Hillstrom answers first, with numbers that match the data's documentation."""

from __future__ import annotations

import json
import re

import pytest

from uplift.cli import main
from uplift.demo import run_demo


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    output = tmp_path_factory.mktemp("demo")
    run_demo(output, quick=True, benchmark=False)
    return output


def test_demo_summary_matches_the_documented_experiment(demo_report):
    summary = json.loads((demo_report / "summary.json").read_text())
    experiment = summary["experiment"]
    assert experiment["n"] == 64_000
    ate = experiment["ate"]["arms"]
    # ../shared/data/README.md: Womens E-Mail visit +4.52 pp, Mens E-Mail +7.66 pp; the CIs must contain them
    assert ate["Womens E-Mail"]["estimate"] == pytest.approx(0.0452, abs=1e-4)
    assert ate["Mens E-Mail"]["estimate"] == pytest.approx(0.0766, abs=1e-4)
    assert experiment["checks"]["srm"]["p_value"] == pytest.approx(0.90, abs=0.01)
    assert experiment["checks"]["verdict"] == "pass"
    numbers = summary["answer_numbers"]
    assert numbers["holdout_customers"] == 19_200  # 30% of 64,000
    assert 0 < numbers["contacts"] < 19_200  # a budget of half the free plan's spend contacts some, not all
    low, high = numbers["holdout_profit_ci"]
    assert low < numbers["holdout_profit"] < high


def test_demo_page_answers_first_in_words(demo_report):
    page = (demo_report / "index.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    answer, sections = page.split('<h2 id="experiment">', 1)
    for question in ("Is the experiment sound?", "Is there anything to target?", "Whom to contact, with which offer?",
                     "What does it earn?", "Versus the simple rules"):
        assert question in answer
    assert re.search(r"\$[\d,]+ of incremental profit on the 19,200 holdout customers \(95% CI -?\$[\d,]+ to", answer)
    assert "contact everyone (Mens E-Mail)" in answer and "rank by response (same volume)" in answer
    assert 'src="campaign_profit.png"' in answer
    # p-values printed as people read them: "p < 0.001", never "p = 0" or "p = 0.000" (p = 0.051 is fine)
    assert "p &lt; 0.001" in page and re.search(r"p = 0(?:\.0+)?(?![\d.])", page) is None
    assert "Y_t(k)" not in page  # no formula on an axis or in a caption
    assert sections.index("Appendix A") > sections.index("5. How well")  # conventions moved to the appendix


def test_demo_images_exist_and_are_referenced(demo_report):
    page = (demo_report / "index.html").read_text()
    referenced = set(re.findall(r'src="([^"]+)"', page))
    assert referenced == {p.name for p in demo_report.glob("*.png")} == {"campaign_profit.png", "ranking.png"}


def test_cli_user_error_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["demo", "--quick", "--output", str(blocker)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("uplift demo: error:") and error.count("\n") == 1
    assert "Traceback" not in error
