"""The layer rule (issue 10): imports go down the layers of ``uplift/_layers.py``, never up, sideways or round.

The package's own source is read with ``ast`` (module-level and function-level imports, relative
and absolute); nothing is imported to find the edges, so an import hidden inside a function counts
like any other.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import uplift
from uplift._layers import LAYERS, PRIVATE_IMPORTS, Import, cycles, import_graph, layer_of, unit_of, violations

PACKAGE = Path(uplift.__file__).parent


@functools.cache
def _graph() -> list[Import]:
    # a function, not a fixture: a failure then shows the offending imports, not the whole graph
    return import_graph(PACKAGE)


def test_every_module_belongs_to_a_declared_unit():
    graph = _graph()
    modules = {edge.source for edge in graph} | {
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in PACKAGE.rglob("*.py")
    }
    # a module that falls through to the root package has no place in the map: add its unit to LAYERS
    unplaced = sorted(m for m in modules if unit_of(m) == "uplift" and m != "uplift")
    assert unplaced == []
    units = [unit for _, layer in LAYERS for unit in layer]
    assert len(units) == len(set(units)), "a unit is listed in two layers"
    for unit in units:
        path = PACKAGE.parent.joinpath(*unit.split("."))
        assert path.is_dir() or path.with_suffix(".py").is_file() or unit == "uplift", f"{unit} does not exist"


def test_imports_only_go_down_the_layers():
    graph = _graph()
    assert violations(graph) == []


def test_no_import_cycles_between_modules():
    graph = _graph()
    assert cycles(graph) == []


def test_the_scan_sees_function_level_and_relative_imports():
    graph = _graph()
    # edges the package really has, one of each kind: a relative module-level import, a
    # `from .. import module`, and a function-level import of an optional dependency
    edges = {(edge.source, edge.target, edge.in_function) for edge in graph}
    assert ("uplift.diagnostics._signal", "uplift.model_selection", False) in edges
    assert ("uplift.model_selection._validation", "uplift.evaluation", False) in edges
    assert ("uplift.plotting._base", "matplotlib", True) in edges


def test_the_checker_reports_an_upward_import(tmp_path):
    # a synthetic package: evaluation imports model_selection inside a function (the cycle of issue 10)
    package = tmp_path / "uplift"
    for module in ("__init__", "evaluation/__init__", "evaluation/_scores", "model_selection/__init__"):
        (package / module).parent.mkdir(parents=True, exist_ok=True)
        (package / f"{module}.py").write_text("")
    (package / "evaluation" / "_scores.py").write_text(
        "def score():\n    from ..model_selection import cross_val_uplift\n"
    )
    (package / "evaluation" / "__init__.py").write_text("from ._scores import score\n")
    (package / "model_selection" / "__init__.py").write_text("from ..evaluation import score\n")
    graph = import_graph(package)
    problems = violations(graph)
    assert problems == [
        "uplift.evaluation._scores:2 imports uplift.model_selection (function-level): "
        "import modules of ours at the top of the module",
        "uplift.evaluation._scores:2 imports uplift.model_selection (function-level): "
        "up from layer 6 (metrics and data) to layer 8 (model selection)",
    ]
    assert cycles(graph) == [["uplift.evaluation", "uplift.evaluation._scores", "uplift.model_selection",
                              "uplift.evaluation"]]


def test_the_checker_reports_sideways_imports_and_unexplained_lazy_ones():
    sideways = Import("uplift.campaign._plan", "uplift.segments", 7, False)
    [problem] = violations([sideways])
    assert problem.endswith("sideways within layer 9 (analysis), uplift.campaign -> uplift.segments")
    heavy = Import("uplift.plotting._base", "matplotlib", 3, True, commented=False)
    assert violations([heavy]) == [
        "uplift.plotting._base:3 imports matplotlib (function-level): "
        "say why in a comment (which extra, or why it is heavy)"
    ]
    light = Import("uplift.monitoring._champion", "pandas", 5, True)
    assert "import it at the top of the module" in violations([light])[0]
    # the command line may defer its commands' imports; within a unit anything goes
    assert violations([Import("uplift.cli", "uplift.workflow", 9, True),
                       Import("uplift.evaluation._scores", "uplift.evaluation._checks", 1, False)]) == []


def test_other_units_are_used_through_their_package():
    graph = _graph()
    private = Import("uplift.plotting._curves", "uplift.evaluation._scores", 4, False)
    [problem] = violations([private])
    assert "a private module of uplift.evaluation" in problem
    # every listed exception is still used (a paid-off debt leaves the list)
    used = {(unit_of(edge.source), edge.target) for edge in graph}
    assert sorted(set(PRIVATE_IMPORTS) - used) == []


def test_utils_imports_nothing_of_ours():
    graph = _graph()
    assert [str(edge) for edge in graph if edge.source == "uplift._utils" and edge.target.startswith("uplift")] == []
    assert layer_of("uplift._utils") < layer_of("uplift.validation") < layer_of("uplift.evaluation")


def test_layers_module_is_never_imported_by_the_package():
    graph = _graph()
    assert [str(edge) for edge in graph if edge.target == "uplift._layers"] == []
    # and it stays standard-library only, so a docs script can read it without the package's dependencies
    tree = ast.parse((PACKAGE / "_layers.py").read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "ast", "collections", "dataclasses", "pathlib"}
