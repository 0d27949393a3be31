"""nbformat 3 seen through nbformat 4's shape, losslessly (no nbformat import, no validation).

An nbformat 3 notebook keeps its cells in ``worksheets`` and a code cell's text
in ``input`` (its count in ``prompt_number``). Code that works on nbformat 4
dicts (the merge, conflict finding) can run on a v3 notebook through a *view*:

* :func:`to_view`: the cells of every worksheet in one ``cells`` list, each
  code cell with ``input`` renamed ``source`` and ``prompt_number`` renamed
  ``execution_count`` (in place in the key order); every other field, heading
  cells and v3 outputs included, is kept as it is;
* :func:`from_view`: the exact inverse, so ``from_view(to_view(nb)) == nb``
  (key order included) for every v3 notebook :func:`viewable` accepts.

This is not nbformat's v3 -> v4 upgrade (:mod:`nbgit.notebook.upgrade`, which
rewrites heading cells and outputs and validates): a view is only a change of
names, cheap enough for the merge driver's hot path and exact in both
directions. The worksheet boundaries are kept in the view under
``"worksheets"`` (the worksheets without their cells, plus the cell count of
each) so that :func:`from_view` can cut the cells back into them.
"""

from __future__ import annotations

#: Key of the view holding the v3 worksheets (without cells) and their cell counts.
_WORKSHEETS = "nbgit_v3_worksheets"


def is_v3(nb) -> bool:
    return isinstance(nb, dict) and nb.get("nbformat") == 3


def viewable(nb: dict) -> bool:
    """True if ``nb`` is a v3 notebook of the expected shape (else: use the full upgrade)."""
    worksheets = nb.get("worksheets")
    if not isinstance(worksheets, list):
        return False
    for ws in worksheets:
        if not isinstance(ws, dict) or not isinstance(ws.get("cells", []), list):
            return False
        for cell in ws.get("cells", []):
            if not isinstance(cell, dict):
                return False
            if cell.get("cell_type") == "code" and ("source" in cell or "execution_count" in cell):
                return False  # the renames would collide
    return True


def _rename(cell: dict, names: dict) -> dict:
    if cell.get("cell_type") != "code":
        return cell
    return {names.get(k, k): v for k, v in cell.items()}


_TO = {"input": "source", "prompt_number": "execution_count"}
_FROM = {v: k for k, v in _TO.items()}


def to_view(nb: dict) -> dict:
    """The nbformat-4-shaped view of v3 notebook ``nb`` (which :func:`viewable` accepts)."""
    cells: list = []
    shapes = []
    for ws in nb.get("worksheets", []):
        ws_cells = ws.get("cells", [])
        cells += [_rename(c, _TO) for c in ws_cells]
        shapes.append(({k: v for k, v in ws.items() if k != "cells"}, list(ws), len(ws_cells)))
    view = {}
    for key, value in nb.items():
        if key == "worksheets":
            view["cells"] = cells
        else:
            view[key] = value
    view[_WORKSHEETS] = shapes
    return view


def cells_of(nb: dict) -> list:
    """The cells of a notebook of any format, code cells' text under ``source`` (a view for v3)."""
    if is_v3(nb) and viewable(nb):
        return to_view(nb)["cells"]
    cells = nb.get("cells")
    return cells if isinstance(cells, list) else []


def from_view(view: dict, shapes=None) -> dict:
    """The v3 notebook of a view (possibly merged: code cells renamed back, cells cut into worksheets).

    ``shapes`` are the worksheets to cut into (default: the view's own); cells
    beyond them go into the last worksheet.
    """
    shapes = view.get(_WORKSHEETS) if shapes is None else shapes
    if not shapes:
        shapes = [({"metadata": {}}, ["cells", "metadata"], None)]
    cells = [_rename(c, _FROM) for c in view.get("cells", [])]
    cells = [_v3_code(c) for c in cells]
    worksheets = []
    at = 0
    for n, (ws, keys, count) in enumerate(shapes):
        last = n == len(shapes) - 1
        part = cells[at:] if last or count is None else cells[at : at + count]
        at += len(part)
        out = {key: part if key == "cells" else ws[key] for key in keys if key == "cells" or key in ws}
        if "cells" not in out and part:
            out = {"cells": part, **out}
        worksheets.append(out)
    nb = {}
    for key, value in view.items():
        if key == _WORKSHEETS:
            continue
        if key == "cells":
            nb["worksheets"] = worksheets
        else:
            nb[key] = value
    nb.setdefault("worksheets", worksheets)
    nb["nbformat"] = 3
    return nb


def _v3_code(cell: dict) -> dict:
    """Fields a merged code cell must have in v3: ``language``; no v4-only ``execution_count``/``id``."""
    if not isinstance(cell, dict):
        return cell
    if "id" in cell:
        cell = {k: v for k, v in cell.items() if k != "id"}
    if cell.get("cell_type") == "code":
        if "language" not in cell:
            cell = {**cell, "language": "python"}
        if "input" not in cell:
            cell = {**cell, "input": []}
    return cell


__all__ = ["is_v3", "viewable", "to_view", "from_view", "cells_of"]
