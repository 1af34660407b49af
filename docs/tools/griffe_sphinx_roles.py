"""A griffe extension for the site: Sphinx roles in our docstrings read as code.

The docstrings follow numpydoc, which refers to other objects with Sphinx roles
(``:func:`qini_auc_score```, ``:class:`~uplift.campaign.Policy```). mkdocstrings renders Markdown,
where a role would show as ``:func:`` before the name. This extension rewrites each role to a code
span of the name (the last part for ``~``), as Sphinx displays it. ``mkdocs.yml`` loads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|data|attr|obj|exc|const):`(~?)([^`]+)`")


def plain_roles(text: str) -> str:
    """``text`` with every Sphinx role replaced by a code span of its target.

    >>> plain_roles("See :func:`uplift.io.save` and :class:`~uplift.campaign.Policy`.")
    'See `uplift.io.save` and `Policy`.'
    """
    return ROLE.sub(lambda match: f"`{match[2].rsplit('.', 1)[-1] if match[1] else match[2]}`", text)


def _objects(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _objects(member)  # type: ignore[arg-type]


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring of a package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = plain_roles(obj.docstring.value)
