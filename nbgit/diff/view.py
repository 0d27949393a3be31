"""What a diff view shows: nbdime's ``-s/-o/-a/-m/-i/-d`` selection, and cell ids as one summary.

A :class:`DiffView` says which parts of a notebook change a person wants to
see. :meth:`DiffView.apply` turns a :class:`~nbgit.diff.model.NotebookDiff`
into the diff of what is shown: hidden parts are dropped from each cell's
``changed`` list, and a cell whose only changes are hidden becomes
``unchanged`` (or ``moved``). Renderers (terminal, HTML, markdown) then only
read the result, so every view agrees on what counts as a change.

Parts (the names of nbdime's options): ``sources``, ``outputs`` (with
execution counts), ``metadata`` (notebook and cell metadata), ``attachments``,
``ids`` and ``details`` (everything else: cell type changes, nbformat, other
notebook and cell fields).

Cell ids are a special case. JupyterLab 4 adds an id to every cell on its
first save, and some tools regenerate them: such a change is not one a
reviewer cares about, so by default an added, removed or changed id is never
shown per cell and the cell counts as unchanged; the diff carries one summary
line instead (``ids added to 202 cells``, :attr:`NotebookDiff.notes`). Select
``ids`` explicitly to see them per cell, ignore them to drop the summary too.

Pure: no I/O; imported by textconv (stdlib only).
"""

from __future__ import annotations

PARTS = ("sources", "outputs", "metadata", "attachments", "ids", "details")

#: Cell fields (``CellDiff.changed`` names) -> the part they belong to; any other field is a detail.
_FIELD_PART = {
    "source": "sources",
    "outputs": "outputs",
    "execution_count": "outputs",
    "metadata": "metadata",
    "attachments": "attachments",
    "id": "ids",
}


class DiffView:
    """Which parts are shown. ``only``: show just these parts (nbdime's lowercase options);
    ``ignore``: never show these (nbdime's uppercase options). Ids are summarized unless
    selected in ``only`` (shown per cell), or left out of ``only`` or listed in ``ignore``
    (not mentioned at all)."""

    __slots__ = ("shown", "ids")

    def __init__(self, only=(), ignore=()):
        for name in (*only, *ignore):
            if name not in PARTS:
                raise ValueError(f"unknown diff part {name!r} (known: {', '.join(PARTS)})")
        shown = set(only) if only else set(PARTS) - {"ids"}
        shown -= set(ignore)
        if "ids" in ignore or (only and "ids" not in only):
            ids = "ignore"
        elif "ids" in shown:
            ids = "show"
        else:
            ids = "summary"
        object.__setattr__(self, "shown", frozenset(shown))
        object.__setattr__(self, "ids", ids)

    def __setattr__(self, name, value):
        raise AttributeError("DiffView is immutable")

    def __eq__(self, other) -> bool:
        return isinstance(other, DiffView) and (self.shown, self.ids) == (other.shown, other.ids)

    def __hash__(self) -> int:
        return hash((self.shown, self.ids))

    def __repr__(self) -> str:
        return f"DiffView(shown={sorted(self.shown)}, ids={self.ids!r})"

    def shows(self, part: str) -> bool:
        return part in self.shown

    def shown_fields(self, changed) -> tuple[str, ...]:
        """The cell fields of ``changed`` that this view shows (order kept)."""
        shown = self.shown
        return tuple(f for f in changed if _FIELD_PART.get(f, "details") in shown)

    def apply(self, diff):
        """The diff of what this view shows (see the module docstring); ``diff`` is not modified."""
        from nbgit.diff.model import MODIFIED, MOVED, UNCHANGED, CellDiff, NotebookDiff

        cells = []
        added = removed = changed_ids = 0
        for cd in diff.cells:
            if cd.kind != MODIFIED:
                cells.append(cd)
                continue
            if "id" in cd.changed:
                x = (cd.a_cell or {}).get("id")
                y = (cd.b_cell or {}).get("id")
                if x is None:
                    added += 1
                elif y is None:
                    removed += 1
                else:
                    changed_ids += 1
            fields = self.shown_fields(cd.changed)
            if fields == cd.changed:
                cells.append(cd)
            elif fields:
                source = cd.source if "source" in fields else ()
                cells.append(CellDiff(MODIFIED, cd.a_index, cd.b_index, cd.moved, source, fields, cd.a_cell, cd.b_cell))
            else:
                kind = MOVED if cd.moved else UNCHANGED
                cells.append(CellDiff(kind, cd.a_index, cd.b_index, cd.moved, (), (), cd.a_cell, cd.b_cell))
        notes = list(diff.notes)
        if self.ids == "summary":
            notes += id_summary(added, removed, changed_ids)
        return NotebookDiff(
            cells=tuple(cells),
            metadata_changed=diff.metadata_changed if "metadata" in self.shown else (),
            nbformat=diff.nbformat if "details" in self.shown else None,
            other_changed=diff.other_changed if "details" in self.shown else (),
            a=diff.a,
            b=diff.b,
            notes=tuple(notes),
        )


def id_summary(added: int, removed: int, changed: int) -> list[str]:
    """``["ids added to 202 cells"]`` and the like; empty when no id changed."""

    def cells(n: int) -> str:
        return f"{n} cell{'s' if n != 1 else ''}"

    out = []
    if added:
        out.append(f"ids added to {cells(added)}")
    if removed:
        out.append(f"ids removed from {cells(removed)}")
    if changed:
        out.append(f"ids changed on {cells(changed)}")
    return out


DEFAULT_VIEW = DiffView()


def view_from_options(only=(), ignore=(), config=None) -> DiffView:
    """The view for command-line selections, falling back to ``[tool.nbgit] diff`` / ``diff_ignore``."""
    if not only and not ignore and config is not None:
        only = getattr(config, "diff_only", ()) or ()
        ignore = getattr(config, "diff_ignore", ()) or ()
    return DiffView(only, ignore)


__all__ = ["DiffView", "DEFAULT_VIEW", "PARTS", "id_summary", "view_from_options"]
