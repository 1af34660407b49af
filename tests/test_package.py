"""Package hygiene: light imports, no import-time side effects, typed, no pickle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import uplift

PACKAGE = Path(uplift.__file__).parent


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()


def test_import_is_light_and_has_no_side_effects():
    out = _run(
        "import logging, sys, numpy as np\n"
        "state = np.random.get_state()[1].copy()\n"
        "handlers = list(logging.getLogger().handlers)\n"
        "import uplift, uplift.datasets, uplift.diagnostics, uplift.validation, uplift.inference\n"
        "print(sorted(m for m in ('matplotlib', 'xgboost', 'causalml', 'sklift') if m in sys.modules),"
        " bool((np.random.get_state()[1] == state).all()), logging.getLogger().handlers == handlers)"
    )
    assert out == "[] True True"


def test_package_is_typed():
    assert (PACKAGE / "py.typed").is_file()


def test_bundled_data_is_shipped():
    assert (PACKAGE / "datasets" / "data" / "hillstrom.csv.gz").is_file()


def test_no_pickle_and_no_print_in_library_code():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        if "import pickle" in text or "pickle.load" in text:
            offenders.append(f"{path}: pickle")
        if path.name != "cli.py" and any(line.lstrip().startswith("print(") for line in text.splitlines()):
            offenders.append(f"{path}: print")
    assert offenders == []


def test_version_and_lazy_submodules():
    assert uplift.__version__ == "0.1.0"
    assert uplift.datasets.load_hillstrom is not None
    assert "diagnostics" in dir(uplift)


def test_every_subpackage_supports_star_import():
    names = ["benchmark", "campaign", "datasets", "diagnostics", "evaluation", "exceptions", "inference",
             "io", "learners", "model_selection", "plotting", "validation"]
    code = "\n".join(f"from uplift.{name} import *" for name in names)
    _run(code + "\nprint('ok')")


def test_evaluation_loads_no_plotting_boosting_or_model_selection():
    out = _run(
        "import sys, uplift, uplift.evaluation\n"
        "print([m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'xgboost')],"
        " [m for m in sys.modules if m.startswith(('sklearn.model_selection', 'uplift.model_selection',"
        " 'uplift.learners', 'uplift.diagnostics'))])"
    )
    assert out == "[] []"


def test_dir_of_the_package_lists_only_its_api():
    # issue 10: dir(uplift) listed Any, annotations and importlib (names the module uses)
    assert {"Any", "annotations", "importlib"}.isdisjoint(dir(uplift))
    assert {"evaluation", "learners", "diagnostics", "__version__"} <= set(dir(uplift))
