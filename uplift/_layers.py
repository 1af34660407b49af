"""The layers of the package, bottom to top: the one statement of which module may import which.

A module may import the modules of its own unit (its subpackage, or itself for a top-level
module) and the units of every *lower* layer; never a unit of a higher layer, and never another
unit of its own layer (sideways). Another unit is used through its package, not its private
modules (the few exceptions are listed, with their reason, in :data:`PRIVATE_IMPORTS`). No two
modules may import each other, directly or through others (no cycles). Function-level imports
count like module-level ones and are kept for optional or heavy dependencies (with a comment) and
the command line. ``tests/test_layers.py`` enforces all of this on the real source, and
``docs/architecture.md`` is generated from :data:`LAYERS` and :func:`import_graph`.

This module is read by tests and documentation scripts, never imported by the package itself;
it uses the standard library only.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "LAYERS",
    "LAZY_DEPENDENCIES",
    "LAZY_OWN_IMPORTS",
    "PRIVATE_IMPORTS",
    "Import",
    "cycles",
    "import_graph",
    "layer_of",
    "unit_of",
    "violations",
]

#: Bottom to top: (layer name, the units in it). A unit is a subpackage or a top-level module.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # the root __init__ holds __version__ and resolves subpackages lazily (importlib, not an import)
    ("foundations", ("uplift", "uplift.exceptions")),
    ("result protocol", ("uplift._results",)),
    ("helpers", ("uplift._utils", "uplift._report", "uplift._layers")),
    ("options and features", ("uplift._literals", "uplift._features")),
    ("validation", ("uplift.validation",)),
    ("inference", ("uplift.inference",)),
    ("metrics and data", ("uplift.evaluation", "uplift.datasets")),
    ("learners", ("uplift.learners",)),
    ("model selection", ("uplift.model_selection",)),
    ("analysis", ("uplift.diagnostics", "uplift.campaign", "uplift.segments")),
    ("presentation and operations", ("uplift.plotting", "uplift.monitoring")),
    ("persistence", ("uplift.io",)),
    ("workflows", ("uplift.workflow", "uplift.benchmark")),
    ("applications", ("uplift.spark", "uplift.demo")),
    ("command line", ("uplift.cli",)),
)

#: Third-party modules a function may import, with a comment saying why (optional extras, or heavy
#: ones that would make ``import uplift`` slow). Everything else is imported at the top of the module.
LAZY_DEPENDENCIES = frozenset({
    "causalml", "duckdb", "matplotlib", "pyarrow", "pyspark", "skops", "sklift", "tqdm", "xgboost",
})

#: Units that may import modules of ours inside a function: the command line imports a command's
#: modules when that command runs (``uplift --help`` takes 0.2 s instead of 7 s). Elsewhere our own
#: imports are at module level, where the reader sees them.
LAZY_OWN_IMPORTS = frozenset({"uplift.cli"})

#: The private modules of another unit that a unit may import, and why. A unit is otherwise used
#: through its package (its ``__init__``): its private modules are its own business. The list is the
#: debt to pay down; the test fails on any private import not listed here.
PRIVATE_IMPORTS: dict[tuple[str, str], str] = {
    ("uplift.spark", "uplift.evaluation._checks"): "the Spark metrics reuse the in-memory arm selection and options",
    ("uplift.spark", "uplift.evaluation._curves"): "the Spark metrics run the curve kernels on per-partition sums",
    ("uplift.spark", "uplift.evaluation._ranking"): "the Spark metrics run the ranking kernels on per-partition sums",
    ("uplift.spark", "uplift.campaign._hull"): "the Spark planner runs the budget hull on aggregated customers",
    ("uplift.spark", "uplift.learners._base"): "the Spark fit needs the learners' minimum rows per arm",
    ("uplift.spark", "uplift.learners._plan"): "the Spark cross-fit runs the learners' fit plan per fold and role",
    ("uplift.spark", "uplift.learners._meta"): "the Spark cross-fit returns the X-learner's fitted state",
    ("uplift.spark", "uplift.learners._propensity"): "the Spark cross-fit uses the learners' known-propensity rules",
    ("uplift.spark", "uplift.learners._robust"): "the Spark cross-fit builds DR/R targets with the in-process kernels",
    ("uplift.spark", "uplift.campaign._plan"): "the Spark planner checks budget and caps as in-process",
    ("uplift.spark", "uplift.campaign._improve"): "the Spark polish runs the in-process fill on collected rows",
    ("uplift.spark", "uplift.campaign._optimizer"): "the Spark planner replays the in-process sample prices and repair",
    ("uplift.monitoring", "uplift.campaign._evaluate"): "champion/challenger reuses the policy evaluation's estimators",
    ("uplift.benchmark", "uplift.datasets._fetch"): "the runner checks subsamples and file modes as the loaders do",
}

_UNITS = {unit: index for index, (_, units) in enumerate(LAYERS) for unit in units}


@dataclass(frozen=True)
class Import:
    """One import statement's target, as found in the source."""

    source: str  # the importing module, e.g. "uplift.evaluation._scores"
    target: str  # the imported module (ours) or top-level package (third party)
    line: int
    in_function: bool
    commented: bool = True  # a comment on the statement or just above its block of imports

    def __str__(self) -> str:
        where = "function-level" if self.in_function else "module-level"
        return f"{self.source}:{self.line} imports {self.target} ({where})"


def unit_of(module: str) -> str:
    """The unit of a module of ours: the longest unit of :data:`LAYERS` that is it or contains it.

    >>> unit_of("uplift.evaluation._scores"), unit_of("uplift"), unit_of("uplift.cli")
    ('uplift.evaluation', 'uplift', 'uplift.cli')
    """
    candidates = [unit for unit in _UNITS if module == unit or module.startswith(unit + ".")]
    return max(candidates, key=len)


def layer_of(module: str) -> int:
    """Index in :data:`LAYERS` (0 = bottom) of a module's unit.

    >>> layer_of("uplift.exceptions") < layer_of("uplift.evaluation") < layer_of("uplift.cli")
    True
    """
    return _UNITS[unit_of(module)]


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def import_graph(package: Path) -> list[Import]:
    """Every import statement in the package at ``package`` (a folder), module and function level.

    ``from pkg import name`` counts as an import of ``pkg.name`` when that is a module of ours,
    else of ``pkg``. Imports under ``if TYPE_CHECKING:`` count too (they are edges of the design).
    """
    package = Path(package)
    files = {_module_name(path, package): path for path in sorted(package.rglob("*.py"))}
    found: list[Import] = []
    for module, path in files.items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tree = ast.parse(text, filename=str(path))
        in_function = {id(node) for function in ast.walk(tree)
                       if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
                       for node in ast.walk(function)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node, module, path.name == "__init__.py")
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                           for alias in node.names]
            else:
                continue
            for target in dict.fromkeys(targets):
                if target.split(".")[0] != package.name:
                    target = target.split(".")[0]
                found.append(Import(module, target, node.lineno, id(node) in in_function,
                                    _commented(lines, node.lineno, node.end_lineno or node.lineno)))
    return found


def _commented(lines: list[str], first: int, last: int) -> bool:
    """Whether the import on lines ``first..last`` (1-based) or its block of imports carries a comment."""
    if any("#" in line for line in lines[first - 1:last]):
        return True
    above = first - 2
    while above >= 0:
        line = lines[above].strip()
        if line.startswith("#"):
            return True
        if not line.startswith(("import ", "from ")):
            return False
        if "#" in line:
            return True
        above -= 1
    return False


def violations(imports: Iterable[Import], package: str = "uplift") -> list[str]:
    """The imports that break the layer rule, each as a sentence (empty when all is well).

    >>> [problem] = violations([Import("uplift.evaluation._scores", "uplift.model_selection", 3, False)])
    >>> problem.split(": ")[1]
    'up from layer 6 (metrics and data) to layer 8 (model selection)'
    """
    problems = []
    for edge in imports:
        if edge.target.split(".")[0] != package:
            if edge.in_function and edge.target not in LAZY_DEPENDENCIES:
                problems.append(f"{edge}: only optional heavy dependencies ({', '.join(sorted(LAZY_DEPENDENCIES))}) "
                                "may be imported inside a function; import it at the top of the module")
            elif edge.in_function and not edge.commented:
                problems.append(f"{edge}: say why in a comment (which extra, or why it is heavy)")
            continue
        source, target = unit_of(edge.source), unit_of(edge.target)
        if edge.in_function and source not in LAZY_OWN_IMPORTS:
            problems.append(f"{edge}: import modules of ours at the top of the module")
        if source == target:
            continue
        if edge.target != target and (source, edge.target) not in PRIVATE_IMPORTS:
            problems.append(f"{edge}: a private module of {target}; import from {target} itself (make the name "
                            f"public there) or list the pair in PRIVATE_IMPORTS with the reason")
        low, high = layer_of(edge.source), layer_of(edge.target)
        if high > low:
            problems.append(f"{edge}: up from layer {low} ({LAYERS[low][0]}) to layer {high} ({LAYERS[high][0]})")
        elif high == low:
            problems.append(f"{edge}: sideways within layer {low} ({LAYERS[low][0]}), {source} -> {target}")
    return problems


def cycles(imports: Iterable[Import], package: str = "uplift") -> list[list[str]]:
    """Import cycles between modules of ours, each as the list of modules around it (first = last).

    >>> cycles([Import("uplift.a", "uplift.b", 1, False), Import("uplift.b", "uplift.a", 1, True)])
    [['uplift.a', 'uplift.b', 'uplift.a']]
    """
    graph: dict[str, set[str]] = {}
    for edge in imports:
        if edge.target.split(".")[0] == package and edge.target != edge.source:
            graph.setdefault(edge.source, set()).add(edge.target)
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for following in sorted(graph.get(node, ())):
            if state.get(following) == 1:
                found.append([*path[path.index(following):], following])
            elif following not in state:
                visit(following)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found
