"""`uplift demo`: the report on Hillstrom answers first, with numbers that match the data's documentation."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest
from scipy import stats

from uplift._report import Report
from uplift.cli import main
from uplift.demo import run_demo
from uplift.demo._forecast import RARE_OUTCOME, rare_outcome_note


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
    assert sections.index("Appendix A") > sections.index("8. Who are the persuadables")  # conventions at the end
    assert re.search(r"Forecast before sending, from calibrated, cross-fitted effects: \$[\d,]+ \(95% interval "
                     r"-?\$[\d,]+ to -?\$[\d,]+; section 5\)", answer)


def test_demo_images_exist_and_are_referenced(demo_report):
    page = (demo_report / "index.html").read_text()
    referenced = set(re.findall(r'src="([^"]+)"', page))
    assert referenced == {p.name for p in demo_report.glob("*.png")} == {
        "campaign_profit.png", "forecast.png", "ranking.png", "calibration.png", "segments.png", "drivers.png"}


def test_cli_user_error_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["demo", "--quick", "--output", str(blocker)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("uplift demo: error:") and error.count("\n") == 1
    assert "Traceback" not in error


# -- the sections of issue 14: forecast, calibration with GATES, segments and drivers ---------------------------
def _section(page: str, anchor: str) -> str:
    """The HTML of one section: from its heading to the next heading."""
    start = page.index(f'<h2 id="{anchor}">')
    end = page.find("<h2", start + 1)
    return page[start:end if end > 0 else len(page)]


def _cells(markup: str) -> list[list[str]]:
    """The body rows of the tables in ``markup``, as text cells."""
    return [[html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", markup) if "<td" in row]


def _money(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


def _interval(text: str) -> tuple[float, float, float]:
    """"7.44 [5.99, 8.90]" -> (7.44, 5.99, 8.90)."""
    found = re.match(r"(-?[\d.,]+) \[(-?[\d.,]+), (-?[\d.,]+)\]", text)
    assert found, text
    return tuple(float(value.replace(",", "")) for value in found.groups())  # type: ignore[return-value]


def test_forecast_section_states_the_calibrated_forecast_with_its_interval(demo_report):
    page = (demo_report / "index.html").read_text()
    summary = json.loads((demo_report / "summary.json").read_text())
    section = _section(page, "forecast")
    found = re.search(r"forecast to earn (\$[\d,]+) of incremental profit compared with contacting nobody "
                      r"\(95% interval (-?\$[\d,]+) to (-?\$[\d,]+)\)\. The forecast uses calibrated, cross-fitted "
                      r"effects", section)
    assert found, section[:2000]
    estimate, low, high = (_money(value) for value in found.groups())
    forecast = summary["forecast"]["forecast"]
    assert (estimate, low, high) == tuple(round(forecast[key]) for key in ("estimate", "ci_low", "ci_high"))
    assert low < estimate < high
    choice = re.search(r"Other models of the same cross-fit would have picked slightly different customers; the "
                       r"interval allows for that too \((\$[\d,]+) of standard error\)", section)
    assert choice and _money(choice.group(1)) == round(summary["forecast"]["model_choice_std_error"]), section[:2000]
    assert "Check on the holdout" in section and 'src="forecast.png"' in section
    rows = _cells(section)
    assert [row[0] for row in rows] == ["Mens E-Mail", "Womens E-Mail", "all arms"]
    # per-arm forecasts add up to the total (each printed to the dollar, so within 2 dollars of rounding)
    per_arm = [_interval(row[-1].replace("$", "")) for row in rows]
    assert all(low <= value <= high for value, low, high in per_arm)
    assert abs(per_arm[0][0] + per_arm[1][0] - per_arm[2][0]) <= 2
    # Hillstrom's visits (about 15%) are not rare: no warning that the interval runs narrow
    assert summary["forecast"]["rare_outcome"] is False and "are rare here" not in section


def test_rare_outcome_note_only_for_a_binary_outcome_below_the_threshold():
    below = int(RARE_OUTCOME * 10_000) - 1  # ones among 10,000 customers, just below the threshold
    note = rare_outcome_note([1] * below + [0] * (10_000 - below), "purchases")
    assert note.startswith(f"Purchases are rare here ({below / 100:.1f}% of the training customers), and with a "
                           "rare outcome this interval is too narrow")
    assert "Read it as an interval of about 90%." in note and "A rare outcome" in note
    at = int(RARE_OUTCOME * 10_000)
    assert rare_outcome_note([1] * at + [0] * (10_000 - at)) == ""
    assert rare_outcome_note([0.0] * 999 + [12.5]) == ""  # a continuous outcome (spend): no conversion rate
    assert rare_outcome_note([0] * 999 + [2]) == ""  # counts, not conversions
    assert rare_outcome_note([]) == ""
    measured = rare_outcome_note([1] * below + [0] * (10_000 - below), "purchases", n_blocks=5)
    assert measured.startswith(f"Purchases are rare here ({below / 100:.1f}% of the training customers). Single "
                               "buyers then move the models")
    assert "fitted 5 more times, each time without a different fifth of the training customers" in measured
    assert "too narrow" not in measured and "A rare outcome" in measured
    assert rare_outcome_note([1] * at + [0] * (10_000 - at), n_blocks=5) == ""


def test_the_report_refits_without_blocks_only_for_a_rare_outcome():
    from types import SimpleNamespace

    from uplift.demo._forecast import RARE_BLOCKS, _widened, forecast_blocks_for

    below, at = int(RARE_OUTCOME * 10_000) - 1, int(RARE_OUTCOME * 10_000)
    assert forecast_blocks_for([1] * below + [0] * (10_000 - below)) == RARE_BLOCKS == 5
    assert forecast_blocks_for([1] * at + [0] * (10_000 - at)) == 0
    assert forecast_blocks_for([0.0] * 999 + [12.5]) == 0
    # the forecast section's clause: the standard error over the one without the measured covariance (5 over 4)
    forecast = SimpleNamespace(n_blocks=5, n_draws=0, selection_covariance=9.0, forecast=SimpleNamespace(
        std_error=5.0))
    assert _widened(forecast) == (", widened by 25% for how the training customers' outcomes move one another's "
                                  "selection (measured by re-fitting the model without each of 5 blocks of them)")
    none = SimpleNamespace(n_blocks=5, n_draws=0, selection_covariance=0.0, forecast=SimpleNamespace(std_error=5.0))
    assert "measured no positive covariance between them, so nothing was added" in _widened(none)


def test_answer_quotes_the_rare_outcome_caveat_with_the_forecast_interval():
    from types import SimpleNamespace

    from uplift.demo._answer import _forecast_text
    from uplift.demo._context import money

    interval = SimpleNamespace(estimate=373.0, ci_low=48.0, ci_high=698.0)
    for rare, blocks, covariance, caveat in (
            (True, 0, 0.0, "; with an outcome this rare it is too narrow, read it as about 90%"),
            (True, 5, 12.0, "; widened for an outcome this rare"),
            (True, 5, 0.0, "; refits for an outcome this rare found nothing to widen it by"), (False, 0, 0.0, "")):
        plan = SimpleNamespace(forecast=SimpleNamespace(forecast=interval, n_blocks=blocks,
                                                        selection_covariance=covariance))
        context = SimpleNamespace(money=money, report=SimpleNamespace(summary={"forecast": {"rare_outcome": rare}}))
        assert _forecast_text(context, plan) == ("Forecast before sending, from calibrated, cross-fitted effects: "
                                                 f"$373 (95% interval $48 to $698{caveat}; section 5).")


def test_calibration_section_reads_the_blp_slope_and_shows_gates(demo_report):
    page = (demo_report / "index.html").read_text()
    summary = json.loads((demo_report / "summary.json").read_text())["calibration"]
    section = _section(page, "calibration")
    slopes = re.findall(r"slope (?:is )?(-?\d+\.\d\d) \(standard error (\d+\.\d\d)\)", section)
    assert len(slopes) == 4  # raw and calibrated, for each of the two arms
    expected = [(summary[arm][key]["slope"]["estimate"], summary[arm][key]["slope"]["std_error"])
                for arm in ("Mens E-Mail", "Womens E-Mail") for key in ("blp_raw", "blp_calibrated")]
    for (slope, std_error), (true_slope, true_std_error) in zip(slopes, expected, strict=True):
        assert float(slope) == pytest.approx(true_slope, abs=0.005)
        assert float(std_error) == pytest.approx(true_std_error, abs=0.005) and true_std_error > 0
    assert "1 means calibrated" in section and "0 means the model captured no differences" in section
    assert 'src="calibration.png"' in section
    rows = _cells(section)
    for arm in ("Mens E-Mail", "Womens E-Mail"):
        groups = [row for row in rows if row[0] == arm]
        assert groups[0][1] == "lowest" and groups[-1][1] == "highest minus lowest"
        assert len(groups) == len(summary[arm]["gates_calibrated"]["groups"]) + 1
        for row, group in zip(groups, summary[arm]["gates_calibrated"]["groups"], strict=False):
            effect, low, high = _interval(row[4])
            assert low <= effect <= high
            assert effect == pytest.approx(100 * group["effect"], abs=0.005)  # extra visits per 100 customers
            assert int(row[2].replace(",", "")) == group["n"]


def test_segments_section_gives_rules_with_held_out_intervals_and_drivers(demo_report):
    page = (demo_report / "index.html").read_text()
    summary = json.loads((demo_report / "summary.json").read_text())
    section = _section(page, "segments")
    rows = _cells(section)
    for arm in ("Mens E-Mail", "Womens E-Mail"):
        segments = [row for row in rows if row[0] == arm]
        tree = summary["segments"][arm]
        assert len(segments) == len(tree["segments"]) >= 2
        assert sum(int(row[3].replace(",", "")) for row in segments) == tree["n_holdout"]
        for row in segments:
            assert re.fullmatch(r"[\w ]+ (≤|>|=) -?[\d.]+( and [\w ]+ (≤|>|=) -?[\d.]+){0,2}", row[2]), row[2]
            effect, low, high = _interval(row[4])
            assert low <= effect <= high
            assert row[5] == ("contact with " + arm if low > 0 else "do not contact (the offer hurts)" if high < 0
                              else "unclear (the interval includes 0)")
    assert 'src="segments.png"' in section and 'src="drivers.png"' in section
    columns = {"recency", "history", "mens", "womens", "newbie", "zip_code_rural", "zip_code_surburban",
               "zip_code_urban", "channel_multichannel", "channel_phone", "channel_web"}
    for arm in ("Mens E-Mail", "Womens E-Mail"):
        importances = summary["importance"][arm]["importances"]
        assert {row["feature"] for row in importances} == columns
        assert all(row["ci_low"] <= row["ci_high"] for row in importances)
        drivers = summary["importance"][arm]
        assert (drivers["interval"], drivers["n_resamples"]) == ("bootstrap", 50)  # quick
        # measured for the calibrated learner whose effects make the plan: its unshuffled Qini is the ranking's
        assert drivers["baseline"] == pytest.approx(summary["ranking"][arm]["estimate"], abs=1e-12)
    assert "resamples of the holdout" in section and "one cross-fitting fold" not in section


def test_report_on_a_users_file_has_the_same_sections(tmp_path):
    from uplift.datasets import make_uplift_classification
    from uplift.demo import run_report

    data = make_uplift_classification(2000, n_arms=2, random_state=0)
    frame = data.X.assign(offer=[("none", "letter", "call")[t] for t in data.treatment], converted=data.y)
    index = run_report(frame, output_dir=tmp_path, treatment="offer", outcome="converted", control="none",
                       economics=None, quick=True)
    page = index.read_text()
    for anchor in ("forecast", "calibration", "segments"):
        assert f'<h2 id="{anchor}">' in page
    assert re.search(r"forecast to (earn|lose) [\d,]+ incremental converted customers compared with contacting nobody "
                     r"\(95% interval -?[\d,]+ to -?[\d,]+\)", page)
    assert "extra converted customers per 100 customers" in page


@pytest.mark.parametrize(("slope", "std_error", "words"), [
    (1.0, 0.1, "calibrated: the differences between customers are real"),  # 1 inside [0.80, 1.20], 0 outside
    (0.9, 0.5, "not distinguishable from calibrated, but 0 is inside"),  # [-0.08, 1.88] holds 0 and 1
    (0.4, 0.1, "over-confident"),  # [0.20, 0.60]: above 0, below 1
    (2.0, 0.2, "too flat"),  # [1.61, 2.39]: above 1
    (0.05, 0.1, "no differences between customers captured"),  # [-0.15, 0.25]: holds 0, not 1
])
def test_the_blp_slope_is_read_in_words(slope, std_error, words):
    from uplift.demo._calibration import read_slope
    from uplift.evaluation import BLPResult
    from uplift.inference import Estimate

    estimate = Estimate.from_normal(slope, std_error, 0.05, name="BLP slope")
    ate = Estimate.from_normal(0.05, 0.01, 0.05, name="ATE")
    p_one = 2 * stats.norm.sf(abs(slope - 1) / std_error)
    assert read_slope(BLPResult(ate, estimate, p_one, 1000, 0.05)).startswith(words)


def test_report_tables_left_align_text_columns(tmp_path):
    import pandas as pd


    report = Report(tmp_path, "t")
    report.table(pd.DataFrame({"offer": ["a"], "rule": ["x ≤ 1 & y"], "effect": [0.5]}), text_columns=("rule",))
    assert ('<thead><tr><th>offer</th><th class="text">rule</th><th>effect</th></tr></thead><tbody><tr><td>a</td>'
            '<td class="text">x ≤ 1 &amp; y</td><td>0.5000</td></tr></tbody>') in report.parts[-1]


def _rare_context(tmp_path):
    """A small experiment with 1% converters, its report context (quick) and its training rows' outcomes."""
    import pandas as pd

    from uplift.campaign import Economics
    from uplift.demo._context import ReportContext
    from uplift.workflow import read_experiment

    rng = np.random.default_rng(0)
    n = 3000
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                          "t": np.where(rng.random(n) < 0.5, "mail", "none")})
    frame["y"] = (rng.random(n) < np.where(frame["t"] == "mail", 0.013, 0.007)).astype(int)
    table = read_experiment(frame, treatment="t", outcome="y", control="none")
    return ReportContext(table=table, economics=Economics(value=10.0, contact_cost=0.05),
                         report=Report(tmp_path, "t"), outcome_name="purchase", quick=True)


def test_the_model_section_refits_without_blocks_for_a_rare_outcome_and_falls_back_when_they_fail(tmp_path,
                                                                                                  monkeypatch):
    from uplift.demo._model import model_section
    from uplift.exceptions import UpliftInputError
    from uplift.learners import CalibratedLearner

    context = _rare_context(tmp_path)
    model_section(context)
    assert context.results["learner"].cross_fit_.block_outcomes.shape[0] == 5
    assert context.report.summary["model"]["forecast_blocks"] == 5

    def fail(*args, **kwargs):
        raise UpliftInputError("the outcome model sees only one outcome value")

    monkeypatch.setattr(CalibratedLearner, "_block_refits", fail)
    context = _rare_context(tmp_path)
    model_section(context)  # the refits fail: the fit without them, said so
    assert context.results["learner"].cross_fit_.block_outcomes is None
    assert context.report.summary["model"]["forecast_blocks"] == 0
