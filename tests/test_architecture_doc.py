"""docs/architecture.md shows the real import graph: regenerated here, and stale means a failure."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "tools" / "import_graph.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


graph = _load_script()


def test_architecture_doc_is_up_to_date():
    current = graph.DOC.read_text(encoding="utf-8")
    assert graph.update(current, graph.render()) == current, (
        "docs/architecture.md is stale: the import graph changed. Run python docs/tools/import_graph.py"
    )


def test_check_mode_reports_a_stale_page(tmp_path, monkeypatch):
    page = tmp_path / "architecture.md"
    page.write_text(f"# A\n\n{graph.START}\nold picture\n{graph.END}\n\ntext after\n", encoding="utf-8")
    monkeypatch.setattr(graph, "DOC", page)
    assert graph.main(["--check"]) == 1
    assert graph.main([]) == 0
    rewritten = page.read_text(encoding="utf-8")
    assert "old picture" not in rewritten and "```mermaid" in rewritten and rewritten.endswith("\n\ntext after\n")
    assert graph.main(["--check"]) == 0


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "uplift" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "uplift"


FAKE_LAYERS = (
    ("base", ("uplift", "uplift.exceptions")),
    ("checks", ("uplift.validation",)),
    ("metrics", ("uplift.evaluation",)),
    ("models", ("uplift.learners",)),
    ("plots", ("uplift.plotting",)),
)


def test_scan_reads_every_kind_of_import(tmp_path, monkeypatch):
    monkeypatch.setattr(graph, "LAYERS", FAKE_LAYERS)
    package = _write(tmp_path, {
        "__init__.py": "",
        "exceptions.py": "",
        "validation.py": "from .exceptions import E\n",
        "evaluation/__init__.py": "from ._curves import curve\n",
        # a relative import two levels up, and one inside a function (deferred)
        "evaluation/_curves.py": "from ..validation import check\n\ndef f():\n    from ..learners import L\n",
        "learners/__init__.py": (
            "from typing import TYPE_CHECKING\nfrom uplift import evaluation\n"
            "if TYPE_CHECKING:\n    from ..plotting import Display\n"
        ),
        "learners/_base.py": "import uplift.exceptions\nimport numpy\n\ndef g():\n    from .. import evaluation\n",
        "plotting.py": "def h():\n    import matplotlib\n    from uplift.learners import L\n",
    })
    assert graph.units(package) == ["uplift", "uplift.evaluation", "uplift.exceptions", "uplift.learners",
                                    "uplift.plotting", "uplift.validation"]
    edges = {(edge.source, edge.target): edge.deferred for edge in graph.import_edges(package)}
    assert edges == {
        ("uplift.validation", "uplift.exceptions"): False,
        ("uplift.evaluation", "uplift.validation"): False,
        ("uplift.evaluation", "uplift.learners"): True,     # only inside a function
        ("uplift.learners", "uplift.evaluation"): False,    # eager in __init__ wins over the deferred one in _base
        ("uplift.learners", "uplift.exceptions"): False,
        ("uplift.learners", "uplift.plotting"): False,      # under TYPE_CHECKING: still an edge of the design
        ("uplift.plotting", "uplift.learners"): True,
    }                                                       # numpy and matplotlib are not ours: no edge


def test_an_upward_import_is_a_violation_and_drawn_red(tmp_path, monkeypatch):
    package = _write(tmp_path, {
        "__init__.py": "",
        "exceptions.py": "",
        "evaluation.py": "from .exceptions import E\n\ndef f():\n    from .model_selection import split\n",
        "model_selection.py": "from .evaluation import score\n",
    })
    monkeypatch.setattr(graph, "LAYERS", (("base", ("uplift", "uplift.exceptions")),
                                          ("metrics", ("uplift.evaluation",)),
                                          ("models", ("uplift.model_selection",))))
    monkeypatch.setattr(graph, "FOUNDATIONS", ("base",))
    edges = graph.import_edges(package)
    assert [(e.source, e.target) for e in graph.violations(edges)] == [("uplift.evaluation", "uplift.model_selection")]
    block = graph.render(package)
    assert "uplift_evaluation -.-> uplift_model_selection" in block
    # links 0 and 1 are the invisible ones stacking the three layers; evaluation -> exceptions goes
    # into the foundations and is not drawn, so the upward arrow is link 2 (sorted first)
    assert "linkStyle 2 stroke:#d62728" in block
    assert "uplift_evaluation --> uplift_exceptions" not in block
    assert "| metrics | `evaluation` | `exceptions`, `model_selection` (deferred) **against the layers** |" in block


def test_a_unit_without_a_layer_is_refused(tmp_path, monkeypatch):
    package = _write(tmp_path, {"__init__.py": "", "exceptions.py": "", "newthing.py": ""})
    monkeypatch.setattr(graph, "LAYERS", (("base", ("uplift", "uplift.exceptions")),))
    with pytest.raises(SystemExit, match=r"units without a layer .*\['uplift.newthing'\]"):
        graph.render(package)


def test_the_picture_uses_the_layer_map_of_the_package():
    from uplift import _layers

    assert graph.LAYERS is _layers.LAYERS
    assert graph.FOUNDATIONS[-1] == next(name for name, units in _layers.LAYERS if "uplift.inference" in units)
