"""A small static HTML report: sections of text, tables and figures, plus a JSON summary.

Shared by the demo and the monitoring report (one look for every report of the package); it
imports only the bottom layer (`_results`), so any layer may use it.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ._results import jsonable

__all__ = ["Report", "write_atomic"]

#: Permissions a new file gets before the umask (as ``open()`` and every other tool creates files).
_FILE_MODE = 0o666


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current

_STYLE = """
body { font-family: system-ui, -apple-system, Segoe UI, sans-serif; max-width: 1000px;
       margin: 2em auto; color: #1f2933; line-height: 1.45; padding: 0 1em; }
.answer { background: #f7fafc; border: 1px solid #cbd2d9; border-radius: 6px; padding: .4em 1.2em 1em; }
.answer h2 { margin-top: .6em; }
.answer dl { display: grid; grid-template-columns: 15em 1fr; gap: .5em 1em; margin: .5em 0; }
.answer dt { font-weight: 600; } .answer dd { margin: 0; }
.badge { display: inline-block; min-width: 3.5em; text-align: center; border-radius: 3px; padding: 0 .4em;
         margin-right: .4em; color: white; font-size: .85em; font-weight: 600; }
.badge-pass { background: #1e7d32; } .badge-warn { background: #b26a00; } .badge-fail { background: #c62828; }
.badge-info { background: #486581; }
.table-wrap { overflow-x: auto; }
nav.toc { font-size: .92em; } nav.toc li { display: inline; margin-right: 1em; }
h1 { border-bottom: 2px solid #3e4c59; padding-bottom: .2em; }
h2 { margin-top: 2em; color: #243b53; }
table { border-collapse: collapse; margin: 1em 0; font-size: .92em; }
th, td { border: 1px solid #cbd2d9; padding: .3em .6em; text-align: right; }
th { background: #f0f4f8; } td:first-child, th:first-child { text-align: left; }
.verdict-pass { color: #1e7d32; font-weight: 600; } .verdict-warn { color: #b26a00; font-weight: 600; }
.verdict-fail { color: #c62828; font-weight: 600; }
pre { background: #f5f7fa; padding: .8em; overflow-x: auto; font-size: .88em; }
img { max-width: 100%; border: 1px solid #e4e7eb; margin: .5em 0; }
.note { color: #52606d; font-size: .9em; }
"""


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as handle:
            handle.write(data)
        # mkstemp creates 0600 files; give the file what the umask allows, like any file the user creates
        os.chmod(tmp, _FILE_MODE & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class Report:
    """Collects sections and writes ``index.html`` and ``summary.json`` into ``output_dir``."""

    output_dir: Path
    title: str
    parts: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    #: The first screen (the answer), written above every section whatever order it was filled in.
    lead: list[str] = field(default_factory=list)
    subtitle: str = ""

    def __post_init__(self) -> None:
        self.output_dir = Path(self.output_dir)
        self.output_dir.mkdir(parents=True, exist_ok=True)

    def heading(self, text: str, *, anchor: str | None = None) -> None:
        attribute = f' id="{html.escape(anchor)}"' if anchor else ""
        self.parts.append(f"<h2{attribute}>{html.escape(text)}</h2>")

    def raw(self, markup: str, *, lead: bool = False) -> None:
        """Append HTML built by the caller (every piece of text in it already escaped)."""
        (self.lead if lead else self.parts).append(markup)

    def paragraph(self, text: str, *, css_class: str | None = None) -> None:
        attribute = f' class="{css_class}"' if css_class else ""
        self.parts.append(f"<p{attribute}>{html.escape(text)}</p>")

    def verdict(self, label: str, verdict: str, text: str) -> None:
        self.parts.append(
            f'<p><span class="verdict-{html.escape(verdict)}">{html.escape(label)}: '
            f"{html.escape(verdict.upper())}</span> {html.escape(text)}</p>"
        )

    def preformatted(self, text: str) -> None:
        self.parts.append(f"<pre>{html.escape(text)}</pre>")

    def table(self, frame: pd.DataFrame, *, float_format: str = "{:.4f}", caption: str | None = None) -> None:
        formatted = frame.copy()
        for column in formatted.columns:
            if pd.api.types.is_float_dtype(formatted[column]):
                formatted[column] = formatted[column].map(lambda v: "" if pd.isna(v) else float_format.format(v))
        table = '<div class="table-wrap">' + formatted.to_html(index=False, escape=True, border=0) + "</div>"
        if caption:
            table = f'<p class="note">{html.escape(caption)}</p>' + table
        self.parts.append(table)

    def save_figure(self, fig: Any, name: str) -> Path:
        """Save a matplotlib figure as PNG next to the report (embed it with :meth:`image`)."""
        path = self.output_dir / f"{name}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        os.chmod(path, _FILE_MODE & ~_umask())
        return path

    def image(self, path: Path, *, caption: str | None = None, lead: bool = False) -> None:
        """Embed a saved image (in the answer, the first screen, with ``lead``)."""
        alt = html.escape(caption or path.stem)
        target = self.lead if lead else self.parts
        target.append(f'<img src="{html.escape(path.name)}" alt="{alt}">')
        if caption:
            target.append(f'<p class="note">{html.escape(caption)}</p>')

    def figure(self, fig: Any, name: str, *, caption: str | None = None, lead: bool = False) -> Path:
        """Save a matplotlib figure as PNG next to the report and embed it (in the answer with ``lead``)."""
        path = self.save_figure(fig, name)
        alt = html.escape(caption or name)
        target = self.lead if lead else self.parts
        target.append(f'<img src="{html.escape(path.name)}" alt="{alt}">')
        if caption:
            target.append(f'<p class="note">{html.escape(caption)}</p>')
        return path

    def svg(self, markup: str, *, caption: str | None = None) -> None:
        """Embed an inline SVG drawing (built by the caller from numbers only, never from user text)."""
        self.parts.append(markup)
        if caption:
            self.parts.append(f'<p class="note">{html.escape(caption)}</p>')

    def link(self, href: str, text: str) -> None:
        self.parts.append(f'<p><a href="{html.escape(href)}">{html.escape(text)}</a></p>')

    def write(self) -> Path:
        body = "\n".join(self.parts)
        lead = f'<section class="answer">\n{"".join(self.lead)}\n</section>\n' if self.lead else ""
        subtitle = f'<p class="note">{html.escape(self.subtitle)}</p>' if self.subtitle else ""
        page = (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head>"
            f"<body><h1>{html.escape(self.title)}</h1>{subtitle}\n{lead}{body}\n</body></html>\n"
        )
        write_atomic(self.output_dir / "summary.json",
                     json.dumps(jsonable(self.summary), indent=2, sort_keys=False, allow_nan=False) + "\n")
        index = self.output_dir / "index.html"
        write_atomic(index, page)
        return index
