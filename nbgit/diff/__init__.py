"""Notebook diff: cell matching plus line diffs of sources (pure: dicts in, dicts out).

>>> d = diff_notebooks(a, b)          # doctest: +SKIP
>>> for cell in d.cells:              # display order, see nbgit.diff.model
...     print(cell.kind, cell.a_index, cell.b_index, cell.changed)
>>> apply_diff(a, d) == b             # always True
True

Cells are aligned by :func:`nbgit.diff.match.match_cells` (equal cells first,
then ids, then similarity inside the remaining gaps); sources of modified cells
are diffed line by line with :func:`nbgit.diff.sequence.diff_lines` (Myers'
O(ND) algorithm with patience anchors). Outputs, metadata and attachments are
compared as JSON values, each once per matched pair.

Both notebooks must be nbformat 4 dicts as ``json.loads`` gives them; upgrade
nbformat 3 first (``nbgit.notebook.upgrade.upgrade_v3``).
"""

from __future__ import annotations

import copy
from bisect import bisect_left

from nbgit.diff.match import in_order, match_cells
from nbgit.diff.model import (
    CELL_PARTS,
    DELETED,
    INSERTED,
    MODIFIED,
    MOVED,
    UNCHANGED,
    CellDiff,
    NotebookDiff,
    source_lines,
    source_text,
)
from nbgit.diff.sequence import diff_lines, diff_sequences

_MISSING = object()


def diff_notebooks(a: dict, b: dict) -> NotebookDiff:
    """The cell-by-cell difference between nbformat 4 notebooks ``a`` and ``b``.

    The cyclic garbage collector is paused while the diff is computed: the diff
    makes many small objects and no reference cycles, and on large notebooks
    the collector's full passes over both notebooks would otherwise cost more
    than the diff itself.
    """
    import gc

    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _diff_notebooks(a, b)
    finally:
        if paused:
            gc.enable()


def _diff_notebooks(a: dict, b: dict) -> NotebookDiff:
    ca = _cells(a, "a")
    cb = _cells(b, "b")
    pairs = match_cells(ca, cb)
    equal = [ca[i] == cb[j] for i, j in pairs]
    kept = in_order(pairs, equal)
    a_equal = {i for (i, _), e in zip(pairs, equal) if e}
    b_to_a = {j: i for i, j in pairs}

    # Deleted cells are shown right after the in-order cell they followed in a.
    spine = sorted(kept)
    matched_a = {i for i, _ in pairs}
    after: dict[int, list[int]] = {}
    for i in range(len(ca)):
        if i not in matched_a:
            k = bisect_left(spine, i) - 1
            after.setdefault(spine[k] if k >= 0 else -1, []).append(i)

    out: list[CellDiff] = [_deleted(i, ca[i]) for i in after.get(-1, ())]
    for j, cell in enumerate(cb):
        i = b_to_a.get(j)
        if i is None:
            out.append(CellDiff(INSERTED, None, j, b_cell=cell))
            continue
        out.append(_pair(i, j, ca[i], cell, i not in kept, i in a_equal))
        dels = after.get(i)
        if dels and i in kept:
            out.extend([_deleted(d, ca[d]) for d in dels])

    md_a = a.get("metadata", {})
    md_b = b.get("metadata", {})
    md_a = md_a if isinstance(md_a, dict) else {}
    md_b = md_b if isinstance(md_b, dict) else {}
    fmt_a = (a.get("nbformat"), a.get("nbformat_minor"))
    fmt_b = (b.get("nbformat"), b.get("nbformat_minor"))
    skip = {"cells", "metadata", "nbformat", "nbformat_minor"}
    top_a = {k: v for k, v in a.items() if k not in skip}
    top_b = {k: v for k, v in b.items() if k not in skip}
    return NotebookDiff(
        cells=tuple(out),
        metadata_changed=tuple(_changed_keys(md_a, md_b)),
        nbformat=None if fmt_a == fmt_b else (fmt_a, fmt_b),
        other_changed=tuple(_changed_keys(top_a, top_b)),
        a=a,
        b=b,
    )


def apply_diff(a: dict, diff: NotebookDiff) -> dict:
    """Apply ``diff`` (made by :func:`diff_notebooks` from ``a``) to ``a``; returns a new notebook.

    ``a`` is not modified and the result shares nothing with it or with the diff.
    """
    ca = _cells(a, "a")
    new_cells: list[tuple[int, dict]] = []
    for cd in diff.cells:
        if cd.kind == DELETED:
            continue
        if cd.b_index is None:
            raise ValueError("diff entry without a b-index")
        if cd.kind == INSERTED:
            cell = copy.deepcopy(cd.b_cell)
        else:
            if cd.a_index is None or cd.a_index >= len(ca):
                raise ValueError(f"diff does not fit this notebook (no cell {cd.a_index})")
            cell = copy.deepcopy(ca[cd.a_index])
            if cd.kind == MODIFIED:
                _patch_cell(cell, cd)
        new_cells.append((cd.b_index, cell))
    new_cells.sort(key=lambda t: t[0])

    out = {k: copy.deepcopy(v) for k, v in a.items() if k != "cells"}
    out["cells"] = [c for _, c in new_cells]
    b = diff.b
    if diff.metadata_changed:
        md = out.setdefault("metadata", {})
        md_b = b.get("metadata", {})
        for key in diff.metadata_changed:
            if key in md_b:
                md[key] = copy.deepcopy(md_b[key])
            else:
                md.pop(key, None)
    if diff.nbformat is not None:
        for key, value in zip(("nbformat", "nbformat_minor"), diff.nbformat[1]):
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
    for key in diff.other_changed:
        if key in b:
            out[key] = copy.deepcopy(b[key])
        else:
            out.pop(key, None)
    return out


def diff_cells(x: dict, y: dict, a_index: int, b_index: int) -> CellDiff:
    """The entry :func:`diff_notebooks` gives two matched cells (``x`` at ``a_index`` in ``a``,
    ``y`` at ``b_index`` in ``b``), for a caller that matched them itself (not marked as moved)."""
    return _pair(a_index, b_index, x, y, False, x == y)


def _cells(nb: dict, side: str) -> list[dict]:
    if not isinstance(nb, dict):
        raise TypeError(f"notebook {side} is not a dict")
    if nb.get("nbformat") == 3:
        raise ValueError(f"notebook {side} is nbformat 3: upgrade it first (nbgit.notebook.upgrade.upgrade_v3)")
    cells = nb.get("cells", [])
    if not isinstance(cells, list):
        raise ValueError(f"notebook {side} has no 'cells' list")
    return cells


def _deleted(i: int, cell: dict) -> CellDiff:
    return CellDiff(DELETED, i, None, a_cell=cell)


def _changed_keys(x: dict, y: dict) -> list[str]:
    keys = [k for k in x if x[k] != y.get(k, _MISSING)]
    keys += [k for k in y if k not in x]
    return sorted(keys)


def _pair(i: int, j: int, x: dict, y: dict, moved: bool, equal: bool) -> CellDiff:
    if equal:
        return CellDiff(MOVED if moved else UNCHANGED, i, j, moved, (), (), x, y)
    changed = set(_changed_keys(x, y))
    order = [p for p in CELL_PARTS if p in changed] + sorted(changed.difference(CELL_PARTS))
    ops: tuple = ()
    if "source" in changed:
        la, lb = source_lines(x), source_lines(y)
        if la != lb:
            ops = tuple(diff_lines(la, lb))
    return CellDiff(MODIFIED, i, j, moved=moved, source=ops, changed=tuple(order), a_cell=x, b_cell=y)


def _patch_cell(cell: dict, cd: CellDiff) -> None:
    b_cell = cd.b_cell or {}
    for part in cd.changed:
        if part == "source":
            continue
        if part in b_cell:
            cell[part] = copy.deepcopy(b_cell[part])
        else:
            cell.pop(part, None)
    if "source" in cd.changed:
        if "source" not in b_cell:
            cell.pop("source", None)
            return
        old = source_lines(cell)
        new_lines = source_lines(b_cell)
        lines: list[str] = []
        if cd.source:
            for tag, i1, i2, j1, j2 in cd.source:
                lines += old[i1:i2] if tag == "equal" else new_lines[j1:j2]
        else:
            lines = old  # same text, different JSON form
        text = "".join(lines)
        src_b = b_cell["source"]
        if isinstance(src_b, list):
            # keep b's own split of the text into list items
            cell["source"] = list(src_b) if source_text(b_cell) == text else text.splitlines(keepends=True)
        else:
            cell["source"] = text


__all__ = [
    "diff_notebooks",
    "diff_cells",
    "apply_diff",
    "NotebookDiff",
    "CellDiff",
    "match_cells",
    "diff_lines",
    "diff_sequences",
    "source_lines",
    "source_text",
    "UNCHANGED",
    "MOVED",
    "MODIFIED",
    "INSERTED",
    "DELETED",
]
