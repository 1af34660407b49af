"""Every public function and class has the numpydoc sections a reader of the API reference needs.

The public API is the ``__all__`` of each public subpackage (one API page each, ``docs/api/``).
What is checked, parsed with numpydoc's own parser:

- a public **function**: ``Parameters`` naming every parameter (when it takes any), ``Returns`` (or
  ``Yields``), ``See Also``;
- a public **class**: ``Parameters`` (or ``Attributes``, for records) naming every constructor
  parameter, and ``See Also``;
- the public **methods** those classes define in this package (``fit``, ``predict``,
  ``summary``, ``from_predictions``, ...): ``Parameters`` naming every parameter and ``Returns``.
  Properties are left out (their docstring is the one line the reference shows).

Names still missing sections are listed in ``tests/docstring_allowlist.txt``; the list only
shrinks: a listed name that now has its sections (or no longer exists) fails the test until it is
removed from the list, and a name missing a section that the list does not grant fails it too.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

docscrape = pytest.importorskip(
    "numpydoc.docscrape", reason="numpydoc is in the docs extra (make test installs it)"
)

ROOT = Path(__file__).resolve().parents[1]
ALLOWLIST = Path(__file__).with_name("docstring_allowlist.txt")
# the public subpackages (modules): every unit of uplift/ without a leading underscore, but the CLI,
# whose interface is the command line (docs/workflow.md, `uplift --help`)
NOT_API = {"cli"}
PUBLIC = sorted(
    ({path.stem for path in (ROOT / "uplift").glob("*.py") if not path.stem.startswith("_")}
     | {path.name for path in (ROOT / "uplift").iterdir() if (path / "__init__.py").exists()})
    - NOT_API
)


def _doc(obj: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sections numpydoc does not know ("Fitted attributes") are kept
        return docscrape.NumpyDocString(inspect.getdoc(obj) or "")


def _names(doc: Any, *sections: str) -> set[str]:
    return {name.strip().lstrip("*") for section in sections for item in doc[section] for name in item.name.split(",")}


def _parameters(obj: Any) -> list[str]:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [name for name in signature.parameters if name not in ("self", "cls")]


def _own_init(cls: type) -> bool:
    """Whether the constructor is ours (not object's, an exception's or another library's)."""
    init = getattr(cls, "__init__", None)
    return (getattr(init, "__module__", "") or "").startswith("uplift") or (
        getattr(init, "__qualname__", "").startswith(cls.__name__ + ".")  # dataclass-made
    )


def missing_sections(obj: Any, kind: str) -> list[str]:
    """The sections ``obj``'s docstring lacks; ``kind`` is "function", "class" or "method"."""
    doc = _doc(obj)
    missing = []
    if kind == "class":
        wanted = _parameters(obj) if _own_init(obj) else []
        documented = _names(doc, "Parameters", "Attributes")
    else:
        wanted = _parameters(obj)
        documented = _names(doc, "Parameters")
    absent = [name for name in wanted if name not in documented]
    if absent:
        missing.append("Parameters" if not documented else f"Parameters ({', '.join(absent)})")
    if kind != "class" and not (doc["Returns"] or doc["Yields"]):
        missing.append("Returns")
    if kind != "method" and not doc["See Also"]:
        missing.append("See Also")
    return missing


def _methods(cls: type) -> list[tuple[str, Any]]:
    found = []
    for name, member in inspect.getmembers(cls, lambda v: inspect.isfunction(v) or inspect.ismethod(v)):
        if name.startswith("_") or not (getattr(member, "__module__", "") or "").startswith("uplift"):
            continue
        found.append((name, member))
    return found


def public_objects() -> dict[str, tuple[Any, str]]:
    """Qualified name -> (object, kind) for every public function, class and method, each once."""
    objects: dict[str, tuple[Any, str]] = {}
    seen: set[int] = set()
    for unit in PUBLIC:
        module = importlib.import_module(f"uplift.{unit}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if id(obj) in seen or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            seen.add(id(obj))
            if inspect.isfunction(obj):
                objects[f"uplift.{unit}.{name}"] = (obj, "function")
                continue
            objects[f"uplift.{unit}.{name}"] = (obj, "class")
            for method_name, method in _methods(obj):
                key = getattr(method, "__func__", method)
                if id(key) not in seen:  # an inherited method is checked once, on the first class
                    seen.add(id(key))
                    objects[f"uplift.{unit}.{name}.{method_name}"] = (method, "method")
    return objects


def read_allowlist() -> dict[str, str]:
    allowed = {}
    for line in ALLOWLIST.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, sections = line.partition(":")
            allowed[name.strip()] = sections.strip()
    return allowed


def test_public_api_has_numpydoc_sections():
    allowed = read_allowlist()
    current = {name: "; ".join(missing) for name, (obj, kind) in public_objects().items()
               if (missing := missing_sections(obj, kind))}
    new = {name: missing for name, missing in current.items() if allowed.get(name) != missing}
    fixed = sorted(name for name in allowed if name not in current)
    assert not new, (
        "public docstrings missing numpydoc sections (add them; the allow-list only shrinks):\n"
        + "\n".join(f"  {name}: {missing}" for name, missing in sorted(new.items()))
    )
    assert not fixed, (
        "these names now have their sections (or are gone): remove them from tests/docstring_allowlist.txt:\n  "
        + "\n  ".join(fixed)
    )


def test_the_check_finds_missing_sections():
    def complete(a: int, b: int) -> int:
        """Add.

        Parameters
        ----------
        a, b : int
            The numbers.

        Returns
        -------
        int
            Their sum.

        See Also
        --------
        sum : Python's.
        """
        return a + b

    def bare(a: int, b: int) -> int:
        """Add.

        Parameters
        ----------
        a : int
            The first.
        """
        return a + b

    class Record:
        """A record.

        Parameters
        ----------
        value : float
            The value.
        """

        def __init__(self, value: float) -> None:
            self.value = value

        def double(self, factor: int = 2) -> float:
            """Twice the value."""
            return self.value * factor

    Record.__init__.__module__ = Record.double.__module__ = "uplift.fake"
    assert missing_sections(complete, "function") == []
    assert missing_sections(bare, "function") == ["Parameters (b)", "Returns", "See Also"]
    assert missing_sections(Record, "class") == ["See Also"]
    assert missing_sections(Record.double, "method") == ["Parameters", "Returns"]
    assert _methods(Record) == [("double", Record.double)]


def test_every_public_subpackage_has_an_api_page_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for unit in PUBLIC:
        page = ROOT / "docs" / "api" / f"{unit}.md"
        assert page.exists(), f"docs/api/{unit}.md is missing: add '::: uplift.{unit}' and list it in mkdocs.yml"
        assert re.search(rf"^::: uplift\.{unit}$", page.read_text(encoding="utf-8"), flags=re.M), page
        assert f"api/{unit}.md" in nav, f"mkdocs.yml does not list api/{unit}.md in its nav"


def test_the_site_shows_sphinx_roles_as_code():
    path = ROOT / "docs" / "tools" / "griffe_sphinx_roles.py"
    spec = importlib.util.spec_from_file_location("griffe_sphinx_roles", path)
    assert spec is not None and spec.loader is not None
    roles = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(roles)
    text = "See :func:`uplift.io.save`, :class:`~uplift.campaign.Policy` and :meth:`Estimate.summary`."
    assert roles.plain_roles(text) == "See `uplift.io.save`, `Policy` and `Estimate.summary`."
    assert roles.plain_roles("no role, `code` and a :colon:") == "no role, `code` and a :colon:"
