"""What a notebook diff says, for renderers and the merge engine.

A :class:`NotebookDiff` lists one :class:`CellDiff` per cell of either side,
in *display order*: the order of ``b``, with each deleted cell placed where it
stood in ``a`` (right after the cell it followed there). Cells keep references
(never copies) to the cell dicts of both notebooks, so a renderer has the full
content at hand without re-reading anything.

Kinds of cell entries:

``unchanged``  matched, equal, in order (``a_index``/``b_index`` both set)
``moved``      matched, equal, but out of order relative to the longest run
               of matched cells that kept their order
``modified``   matched, some part differs (``changed`` says which; ``moved``
               is True when it also left the order)
``inserted``   only in ``b`` (``a_index`` is None)
``deleted``    only in ``a`` (``b_index`` is None)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nbgit.diff.sequence import Opcode, diff_lines
from nbgit.notebook.outputs import join_text

#: Parts of a cell, in the order ``CellDiff.changed`` lists them (other keys follow, sorted).
CELL_PARTS = ("cell_type", "source", "outputs", "execution_count", "metadata", "attachments", "id")

UNCHANGED = "unchanged"
MOVED = "moved"
MODIFIED = "modified"
INSERTED = "inserted"
DELETED = "deleted"


def source_text(cell: dict | None) -> str:
    """A cell's source as one string (nbformat allows a string or a list of lines)."""
    if cell is None:
        return ""
    src = cell.get("source", "")
    if isinstance(src, str):
        return src
    if isinstance(src, list):
        try:
            return "".join(src)
        except TypeError:
            pass  # invalid but seen: non-string items, shown as JSON below, never a crash
    return join_text(src)


def source_lines(cell: dict | None) -> list[str]:
    """A cell's source split into lines, each keeping its line ending."""
    return source_text(cell).splitlines(keepends=True)


def _strip_endings(lines: list[str]) -> list[str]:
    return [line[:-1] if line.endswith("\n") else line for line in lines]


@dataclass(slots=True)
class CellDiff:
    """One cell of the display: see the module docstring for ``kind``. Treat it as read-only.

    ``source`` holds line opcodes ``(tag, i1, i2, j1, j2)`` over
    :func:`source_lines` of ``a_cell`` and ``b_cell`` (only for ``modified``
    cells whose source text changed; empty otherwise). ``changed`` names the
    parts that differ for ``modified`` cells, in :data:`CELL_PARTS` order
    (then any other cell key, sorted); ``"source"`` is listed also when only
    the JSON form of the source differs (string vs list of lines).
    """

    kind: str
    a_index: int | None
    b_index: int | None
    moved: bool = False
    source: tuple[Opcode, ...] = ()
    changed: tuple[str, ...] = ()
    a_cell: dict | None = field(default=None, repr=False, compare=False)
    b_cell: dict | None = field(default=None, repr=False, compare=False)

    @property
    def a_lines(self) -> list[str]:
        return source_lines(self.a_cell)

    @property
    def b_lines(self) -> list[str]:
        return source_lines(self.b_cell)

    @property
    def cell(self) -> dict:
        """The cell as it is shown: ``b``'s version, or ``a``'s for a deleted cell."""
        return self.b_cell if self.b_cell is not None else self.a_cell  # type: ignore[return-value]

    def display_source(self) -> tuple[list[str], list[str], list[Opcode]]:
        """Both sources as lines without line endings, and line opcodes over them, for display.

        ``source`` compares lines with their endings (that is what ``apply_diff``
        needs), so appending a line to a source without a final newline would
        show its previous last line as changed (``-print(x)`` / ``+print(x)``).
        A person sees no change there: the opcodes are recomputed on the lines
        without endings when a source lacks its final newline.
        """
        a, b = self.a_lines, self.b_lines
        ops = list(self.source)
        if a and b and not (a[-1].endswith("\n") and b[-1].endswith("\n")):
            a, b = _strip_endings(a), _strip_endings(b)
            return a, b, diff_lines(a, b)
        return _strip_endings(a), _strip_endings(b), ops

    def to_json(self) -> dict:
        """A JSON-ready summary (used by ``nbgit diff --json``)."""
        out: dict = {"kind": self.kind, "a_index": self.a_index, "b_index": self.b_index}
        if self.moved:
            out["moved"] = True
        if self.changed:
            out["changed"] = list(self.changed)
        if self.source:
            out["source"] = [list(op) for op in self.source]
        cell = self.cell
        if cell is not None:
            out["cell_type"] = cell.get("cell_type")
            if isinstance(cell.get("id"), str):
                out["id"] = cell["id"]
        return out


@dataclass(frozen=True)
class NotebookDiff:
    """The difference between notebooks ``a`` and ``b`` (both nbformat 4 dicts).

    ``cells``: :class:`CellDiff` entries in display order.
    ``metadata_changed``: top-level keys of the notebook ``metadata`` that were
    added, removed or changed (sorted).
    ``nbformat``: ``((major, minor) of a, (major, minor) of b)`` when they differ, else None.
    ``other_changed``: other top-level notebook keys that differ (sorted).
    ``a`` / ``b``: the notebooks themselves (references).
    ``notes``: one-line summaries of changes a view left out of the cells
    (``ids added to 202 cells``, see :mod:`nbgit.diff.view`).
    """

    cells: tuple[CellDiff, ...]
    metadata_changed: tuple[str, ...] = ()
    nbformat: tuple[tuple, tuple] | None = None
    other_changed: tuple[str, ...] = ()
    a: dict = field(default_factory=dict, repr=False, compare=False)
    b: dict = field(default_factory=dict, repr=False, compare=False)
    notes: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        """True when ``a`` and ``b`` are the same notebook."""
        return (
            not self.metadata_changed
            and not self.notes
            and self.nbformat is None
            and not self.other_changed
            and all(c.kind == UNCHANGED for c in self.cells)
        )

    def counts(self) -> dict[str, int]:
        """How many cells of each kind (``moved`` counts modified+moved cells too)."""
        out = {k: 0 for k in (UNCHANGED, MODIFIED, MOVED, INSERTED, DELETED)}
        for c in self.cells:
            out[c.kind] += 1
            if c.kind == MODIFIED and c.moved:
                out[MOVED] += 1
        return out

    def to_json(self) -> dict:
        """A JSON-ready summary (used by ``nbgit diff --json``)."""
        out: dict = {
            "empty": self.is_empty(),
            "counts": self.counts(),
            "cells": [c.to_json() for c in self.cells],
            "metadata_changed": list(self.metadata_changed),
        }
        if self.nbformat is not None:
            out["nbformat"] = [list(v) for v in self.nbformat]
        if self.other_changed:
            out["other_changed"] = list(self.other_changed)
        if self.notes:
            out["notes"] = list(self.notes)
        return out


__all__ = [
    "CELL_PARTS",
    "CellDiff",
    "NotebookDiff",
    "source_lines",
    "source_text",
    "UNCHANGED",
    "MOVED",
    "MODIFIED",
    "INSERTED",
    "DELETED",
]
