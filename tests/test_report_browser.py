"""The report in a real browser (headless Chromium): every image loads, nothing overflows at 1280 px.

A screenshot of the first screen is written for review: into ``$UPLIFT_SCREENSHOT_DIR`` when set
(CI keeps it), otherwise into the test's temporary folder. The test skips, saying why, where
Chromium is not installed (``.ci/run`` installs Debian's package).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from uplift.datasets import make_uplift_classification
from uplift.demo import run_report

WIDTH = 1280

#: Runs after the page (and its images) loaded; writes what it found into the DOM for --dump-dom.
_CHECKS = """
<script>
window.addEventListener("load", function () {
  var width = document.documentElement.clientWidth;
  var images = Array.prototype.slice.call(document.images);
  var broken = images.filter(function (img) { return !(img.complete && img.naturalWidth > 0); })
                     .map(function (img) { return img.getAttribute("src"); });
  var overflowing = [];
  document.querySelectorAll("body *").forEach(function (element) {
    var box = element.getBoundingClientRect();
    var scrolls = element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX !== "visible";
    if (box.right > width + 1 || scrolls) {
      overflowing.push(element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
                       (element.className ? "." + element.className : ""));
    }
  });
  var result = {width: width, scroll_width: document.documentElement.scrollWidth, images: images.length,
                broken: broken, overflowing: overflowing.slice(0, 20)};
  var output = document.createElement("pre");
  output.id = "browser-checks";
  output.textContent = JSON.stringify(result);
  document.body.appendChild(output);
});
</script>
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; "
                                                         ".ci/run installs it)")


def _browser(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={profile}", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    data = make_uplift_classification(3000, n_arms=2, random_state=0)
    frame = data.X.assign(customer_id=range(3000), offer=[("none", "letter", "call")[t] for t in data.treatment],
                          converted=data.y)
    index = run_report(frame, output_dir=folder / "report", treatment="offer", outcome="converted", control="none",
                       id_column="customer_id", economics=None, quick=True, title="Browser check")
    return index


def _checks(page: Path, profile: Path) -> dict:
    check_page = page.with_name("browser-check.html")
    check_page.write_text(page.read_text().replace("</body>", _CHECKS + "</body>"))
    result = _browser(profile, "--dump-dom", "--virtual-time-budget=10000", f"--window-size={WIDTH},2000",
                      check_page.as_uri())
    found = re.search(r'<pre id="browser-checks">(.*?)</pre>', result.stdout, re.DOTALL)
    assert found, f"the check script did not run; chromium said: {result.stderr[-2000:]}"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def test_the_checks_catch_a_broken_image_and_a_wide_table(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><body><img src="missing.png"><div class="table-wrap" '
                    'style="overflow-x:auto"><table style="width:3000px"><tr><td>x</td></tr></table></div>'
                    "</body></html>")
    checks = _checks(page, tmp_path / "profile")
    assert checks["broken"] == ["missing.png"]
    assert "div.table-wrap" in checks["overflowing"] and "table" in checks["overflowing"]


def test_every_image_loads_and_nothing_overflows_at_1280_px(report, tmp_path):
    page = report.read_text()
    checks = _checks(report, tmp_path / "profile")
    assert checks["width"] == WIDTH
    assert checks["images"] == len(re.findall(r"<img ", page)) >= 2
    assert checks["broken"] == []
    assert checks["overflowing"] == [] and checks["scroll_width"] <= WIDTH


def test_screenshot_for_review(report, tmp_path):
    folder = Path(os.environ.get("UPLIFT_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "report_1280.png"
    result = _browser(tmp_path / "profile", f"--screenshot={shot}", f"--window-size={WIDTH},1600", report.as_uri())
    assert shot.is_file(), result.stderr[-2000:]
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert (width, height) == (WIDTH, 1600)
