"""Option sets declared once as ``Literal`` aliases and checked at run time from the same alias."""

from __future__ import annotations

from typing import Any, Literal, get_args

from .exceptions import UpliftInputError

OutcomeType = Literal["auto", "binary", "continuous"]
HillstromOutcome = Literal["visit", "conversion", "spend"]
HillstromArms = Literal["womens", "mens", "all"]
Alternative = Literal["two-sided", "greater", "less"]
"""Alternative hypothesis of a p-value: ``estimate != null_value``, ``> null_value`` or ``< null_value``."""


def check_literal(value: Any, alias: Any, name: str) -> Any:
    """Return ``value`` if it is one of the options of ``alias``; raise a clear error otherwise.

    >>> check_literal("binary", OutcomeType, "outcome_type")
    'binary'
    """
    options = get_args(alias)
    if value not in options:
        raise UpliftInputError(
            f"{name} must be one of {list(options)}; got {value!r}."
        )
    return value
