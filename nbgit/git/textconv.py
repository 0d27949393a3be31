"""git's ``diff.<driver>.textconv``: a notebook as readable, cell-by-cell text.

git calls ``nbgit textconv PATH`` once per side of a diff (per blob, cached with
``diff.nbgit.cachetextconv``) and diffs, blames or shows the text it prints. The
text is built to keep diffs of small changes small:

* one block per cell, opened by a header line ``# %% [code] df = pd.read_csv(...)``
  that ``diff.nbgit.xfuncname`` (``^# %% .*$``) picks up, so git's hunk headers
  name the cell by its first line. git takes the last such line *above the
  hunk's first context line* (three lines by default), so the header is kept
  :data:`HEADER_GAP` lines above the source (tags and metadata lines, then
  blank lines): a change in the second or third line of a cell is still named
  after that cell, not the one before. (A change of the first line changes
  the header too: the hunk then shows the old and new header.) Headers carry no position (inserting a cell
  does not renumber every header below it; ``numbers=True`` adds ``cell N``
  for a person reading a single notebook) and no cell id;
* cell ids as one line for the whole notebook (``# cell ids: 12 of 12 cells,
  sha1 ...``): JupyterLab adds an id to every cell on its first save, and that
  must not change every block of the text. ``[tool.nbgit] diff_only = ["ids",
  ...]`` puts them back into the headers;
* sources exactly as they are; outputs summarized on ``#> `` lines (the
  reprex convention): text truncated with a note that carries a hash of the
  text, images and other rich data as ``<image/png 12.3 kB sha1:...>``,
  errors as ``ename: evalue`` (no traceback), ANSI colour codes and
  carriage-return progress bars reduced to what a terminal would show;
* volatile fields left out: execution counts, output metadata, widget model
  ids, ``language_info`` details;
* what is shown is what would be committed: the notebook is cleaned with the
  repository's config first (git hands textconv the working-tree form).

Anything that is not a readable notebook (conflict markers, invalid JSON, not
UTF-8, empty) is passed through byte for byte: textconv never fails, so git
never says ``fatal: unable to read files to diff``.

nbformat 3 notebooks are rendered directly (their cells mapped to the v4
shape); nbformat is imported only when the config asks clean to upgrade them.
Only the standard library is imported here (plus the clean code): this runs
once per blob.
"""

from __future__ import annotations

from nbgit.notebook.config import DEFAULT_CONFIG, Config
from nbgit.notebook.outputs import (
    MAX_LINE_CHARS,
    MAX_OUTPUT_LINES,
    OUTPUT_PREFIX,
    clip,
    compact,
    join_text,
    mime_summary,
    one_line,
    render_output,
)



_V3_MIMES = {
    "text": "text/plain",
    "html": "text/html",
    "markdown": "text/markdown",
    "latex": "text/latex",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "svg": "image/svg+xml",
    "json": "application/json",
    "javascript": "application/javascript",
    "pdf": "application/pdf",
}
_V3_OUTPUT_TYPES = {"pyout": "execute_result", "pyerr": "error"}

#: Lines between a cell's header and its first source line, so that git's hunk header (searched
#: from above the hunk's three context lines) names the cell holding a change in its first lines.
HEADER_GAP = 2
#: A cell's name in its header: its first non-blank source line, cut to this many characters.
NAME_CHARS = 60

TYPE_CHECKING = False  # `typing` costs milliseconds of start-up, once per blob
if TYPE_CHECKING:
    from typing import TextIO


# --- entry point at git's boundary --------------------------------------------------------


def convert(data: bytes, config: Config | None = DEFAULT_CONFIG, *, path: str = "<notebook>",
            stderr: TextIO | None = None, numbers: bool = False, view=None) -> bytes:
    """Notebook bytes -> textconv bytes; anything unreadable comes back unchanged.

    ``config`` None renders the notebook as it is (no cleaning); ``view`` (a
    :class:`nbgit.diff.view.DiffView`, by default the one of ``config``'s
    ``diff_only`` / ``diff_ignore``) says which parts are shown. A notebook
    that cannot be parsed, or that trips a bug in the renderer, is passed
    through byte for byte with one warning line on ``stderr`` (if given).
    """
    from nbgit.git.filter import describe_error
    from nbgit.notebook.io import NotebookError, parse

    try:
        nb = parse(data)
    except NotebookError as exc:
        _warn(stderr, f"warning: {path}: {exc.reason}; shown as raw text")
        return data
    except Exception as exc:  # MemoryError, a bug: git must still get a text
        _warn(stderr, f"warning: {path}: could not read it ({describe_error(exc)}); shown as raw text")
        return data
    try:
        if config is not None:
            from nbgit.notebook.clean import clean_notebook

            nb = clean_notebook(nb, config)
        if view is None and config is not None and (config.diff_only or config.diff_ignore):
            from nbgit.diff.view import DiffView

            view = DiffView(config.diff_only, config.diff_ignore)
        text = render_notebook(nb, numbers=numbers, view=view)
    except Exception as exc:  # a bug must not make git fail: show the raw file instead
        _warn(stderr, f"warning: {path}: could not render ({describe_error(exc)}); shown as raw text")
        return data
    return text.encode("utf-8", "backslashreplace")


def _warn(stderr: TextIO | None, message: str) -> None:
    if stderr is not None:
        from nbgit.git.filter import warn

        warn(stderr, message)  # escapes control characters, never fails


# --- the renderer (pure: dict in, str out) -------------------------------------------------


class _Parts:
    """What to show (a DiffView's parts, without importing it: this runs once per blob)."""

    def __init__(self, view):
        shown = view.shown if view is not None else ("sources", "outputs", "metadata", "attachments", "details")
        self.sources = "sources" in shown
        self.outputs = "outputs" in shown
        self.metadata = "metadata" in shown
        self.attachments = "attachments" in shown
        self.ids = view.ids if view is not None else "summary"


def render_notebook(nb: dict, *, numbers: bool = False, view=None) -> str:
    """Render a notebook dict (nbformat 3 or 4) as cell-by-cell text."""
    if nb.get("nbformat") == 3:
        nb = _v3_as_v4(nb)
    parts = _Parts(view)
    lines: list[str] = []
    cells = nb.get("cells")
    if not isinstance(cells, list):
        cells = []
    _render_header(nb, lines, parts)
    if parts.ids == "summary":
        _render_ids(cells, lines)
    for index, cell in enumerate(cells, 1):
        lines.append("")
        if isinstance(cell, dict):
            _render_cell(cell, index if numbers else None, lines, parts)
        else:
            lines.append(f"# %% [invalid cell] {clip(compact(cell))}")
    return "\n".join(lines) + "\n"


def _render_ids(cells: list, lines: list[str]) -> None:
    """One line for all cell ids: how many cells have one, and a hash of them all (in order)."""
    ids = [c.get("id") if isinstance(c, dict) else None for c in cells]
    present = [i for i in ids if i is not None]
    if not present:
        return
    import hashlib

    digest = hashlib.sha1(compact(ids).encode("utf-8", "backslashreplace")).hexdigest()[:12]
    lines.append(f"# cell ids: {len(present)} of {len(cells)} cells, sha1 {digest}")


def _cell_name(source: str) -> str:
    for line in source.split("\n"):
        line = line.strip()
        if line:
            name = one_line(line)
            return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"
    return ""


def _render_header(nb: dict, lines: list[str], shown: _Parts) -> None:
    md = nb.get("metadata")
    md = md if isinstance(md, dict) else {}
    parts = [f"nbformat {nb.get('nbformat')}.{nb.get('nbformat_minor', 0)}"]
    kernelspec = md.get("kernelspec")
    if isinstance(kernelspec, dict):
        name = kernelspec.get("name")
        display = kernelspec.get("display_name")
        kernel = f"kernel {one_line(name)}" if name else "kernel"
        if display and display != name:
            kernel += f" ({one_line(display)})"
        parts.append(kernel)
    language = None
    language_info = md.get("language_info")
    if isinstance(language_info, dict):
        language = language_info.get("name")
    if not language and isinstance(kernelspec, dict):
        language = kernelspec.get("language")
    if language:
        parts.append(f"language {one_line(language)}")
    lines.append("# notebook: " + ", ".join(parts))
    if not shown.metadata:
        return
    for key in sorted(k for k in md if k not in ("kernelspec", "language_info")):
        lines.append(f"# metadata.{one_line(key)}: {clip(compact(md[key]))}")


def _render_cell(cell: dict, number: int | None, lines: list[str], parts: _Parts) -> None:
    cell_type = cell.get("cell_type")
    label = one_line(cell_type) if isinstance(cell_type, str) else "unknown"
    if cell_type == "heading":  # nbformat 3
        label = f"heading {cell.get('level', 1)}"
    header = f"# %% [{label}]"
    if number is not None:
        header += f" cell {number}"
    source = join_text(cell.get("source"))
    name = _cell_name(source)
    if name:
        header += " " + name
    cell_id = cell.get("id")
    if cell_id is not None and parts.ids == "show":
        header += f" (id {one_line(cell_id)})"
    lines.append(header)
    opened = len(lines)

    md = cell.get("metadata")
    if isinstance(md, dict) and md and parts.metadata:
        tags = md.get("tags")
        if isinstance(tags, list) and tags and all(isinstance(t, str) for t in tags):
            lines.append("# tags: " + ", ".join(one_line(t) for t in tags))
            md = {k: v for k, v in md.items() if k != "tags"}
        if md:
            lines.append(f"# metadata: {clip(compact(md))}")

    if source and parts.sources:
        lines.extend([""] * (HEADER_GAP - (len(lines) - opened)))
        lines.extend(source.split("\n") if not source.endswith("\n") else source[:-1].split("\n"))

    attachments = cell.get("attachments")
    if isinstance(attachments, dict) and parts.attachments:
        for name in sorted(attachments):
            bundle = attachments[name]
            if isinstance(bundle, dict):
                for mime in sorted(bundle):
                    lines.append(f"# attachment {one_line(name)}: {mime_summary(mime, bundle[mime])}")
            else:
                lines.append(f"# attachment {one_line(name)}: {clip(compact(bundle))}")

    outputs = cell.get("outputs")
    if isinstance(outputs, list) and parts.outputs:
        for output in outputs:
            if isinstance(output, dict):
                render_output(output, lines)
            else:
                lines.append(OUTPUT_PREFIX + clip(compact(output)))


# --- nbformat 3, read directly ---------------------------------------------------------------


def _v3_as_v4(nb: dict) -> dict:
    """The v4 shape of a v3 notebook, for rendering only (no ids invented, nothing validated)."""
    cells = []
    for ws in nb.get("worksheets") or []:
        if not isinstance(ws, dict):
            continue
        for cell in ws.get("cells") or []:
            if not isinstance(cell, dict):
                cells.append(cell)
                continue
            new = {k: v for k, v in cell.items() if k not in ("input", "prompt_number", "language", "collapsed", "outputs")}
            if cell.get("cell_type") == "code":
                new["source"] = cell.get("input", "")
                outputs = cell.get("outputs")
                if isinstance(outputs, list):
                    new["outputs"] = [_v3_output(o) if isinstance(o, dict) else o for o in outputs]
            cells.append(new)
    return {
        "cells": cells,
        "metadata": nb.get("metadata", {}),
        "nbformat": 3,
        "nbformat_minor": nb.get("nbformat_minor", 0),
    }


def _v3_output(output: dict) -> dict:
    kind = output.get("output_type")
    kind = _V3_OUTPUT_TYPES.get(kind, kind)
    if kind == "stream":
        return {"output_type": "stream", "name": output.get("stream", "stdout"), "text": output.get("text", "")}
    if kind == "error":
        return {"output_type": "error", "ename": output.get("ename", ""), "evalue": output.get("evalue", "")}
    data = {_V3_MIMES[k]: v for k, v in output.items() if k in _V3_MIMES}
    return {"output_type": kind, "data": data}


__all__ = ["convert", "render_notebook", "MAX_OUTPUT_LINES", "MAX_LINE_CHARS", "HEADER_GAP"]
