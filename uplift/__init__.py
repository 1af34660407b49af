"""uplift: estimate the effect of a marketing action on each customer and target by profit.

The subpackages are imported on first use, so ``import uplift`` stays fast and never imports
matplotlib or xgboost until they are needed.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {
    "benchmark", "campaign", "datasets", "diagnostics", "evaluation", "exceptions", "inference", "io",
    "learners", "model_selection", "monitoring", "plotting", "segments", "spark", "validation", "workflow",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    # the package's API: its version and subpackages (not the names this module uses, such as Any)
    return sorted([*(name for name in globals() if name.startswith("__")), *_SUBMODULES])
