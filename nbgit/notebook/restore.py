"""Put stripped parts (outputs, execution counts, volatile metadata) back into a clean notebook.

Pure: dicts in, dicts out. The git side (nbgit/git/store.py) keeps, per clone, the
working-copy notebooks the clean filter stripped; on checkout it hands this module the
clean notebook git is writing and the stored originals of that path.

A cell of the clean notebook takes its stripped parts from the newest stored cell with the
same content that had something stripped, matched by key (:func:`cell_keys`):

* a cell with an ``id``: the same cell type, id and source;
* a cell without one: the same type and source at the same position, or else the same
  type and source as the k-th cell with that source (so inserting a cell above it does
  not lose its outputs).

A cell whose source differs from everything stored comes out clean. Each restored cell
must clean back to exactly the clean cell (checked here, cell by cell); the caller checks
the whole file again byte for byte.
"""

from __future__ import annotations

import json

from nbgit.notebook.clean import clean_cell, clean_notebook_metadata
from nbgit.notebook.config import DEFAULT_CONFIG, Config

#: top-level cell keys the clean filter removes or replaces (besides metadata)
_STRIPPED_CELL_KEYS = ("outputs", "execution_count", "prompt_number", "collapsed")


def notebook_cells(nb: dict) -> list:
    """All cells of a notebook in order (nbformat 4 ``cells``, or nbformat 3 worksheets)."""
    if nb.get("nbformat") == 3:
        cells = []
        for ws in nb.get("worksheets") or ():
            if isinstance(ws, dict) and isinstance(ws.get("cells"), list):
                cells.extend(ws["cells"])
        return cells
    cells = nb.get("cells")
    return cells if isinstance(cells, list) else []


def _with_cells(nb: dict, cells: list) -> dict:
    """A copy of ``nb`` whose cells (in :func:`notebook_cells` order) are ``cells``."""
    if nb.get("nbformat") != 3:
        return {**nb, "cells": cells}
    it = iter(cells)
    worksheets = []
    for ws in nb.get("worksheets") or ():
        if isinstance(ws, dict) and isinstance(ws.get("cells"), list):
            ws = {**ws, "cells": [next(it) for _ in ws["cells"]]}
        worksheets.append(ws)
    return {**nb, "worksheets": worksheets}


def _source(cell: dict) -> str:
    src = cell.get("source", cell.get("input", ""))  # nbformat 3 code cells keep source in `input`
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else json.dumps(src)


def cell_keys(cells: list) -> list[tuple]:
    """The keys each cell can be found by, best first (see the module docstring)."""
    keys: list[tuple] = []
    seen: dict[tuple, int] = {}
    for position, cell in enumerate(cells):
        if not isinstance(cell, dict):
            keys.append(())
            continue
        ctype = cell.get("cell_type")
        src = _source(cell)
        cid = cell.get("id")
        if isinstance(cid, str):
            keys.append((("id", ctype, cid, src),))
            continue
        k = seen.get((ctype, src), 0)
        seen[(ctype, src)] = k + 1
        keys.append((("pos", ctype, src, position), ("nth", ctype, src, k)))
    return keys


def _same_json(a, b) -> bool:
    """Equal as JSON text, key order included (dict equality ignores key order)."""
    if a is b:
        return True
    try:
        return json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return False


def _cleans_to(candidate: dict, clean: dict, config: Config, v3: bool) -> bool:
    cleaned = clean_cell(candidate, config, v3=v3)
    return _same_json(cleaned, clean)


def _graft_metadata(clean_md, original_md, drops) -> dict | None:
    """``clean_md`` plus the values of the stripped paths ``original_md`` has (where they fit)."""
    if not isinstance(clean_md, dict) or not isinstance(original_md, dict):
        return None
    out = clean_md
    for path in drops:
        src = original_md
        for part in path:
            if not isinstance(src, dict) or part not in src:
                break
            src = src[part]
        else:
            # set the leaf where its parent already exists in the clean metadata
            parents = [out]
            for part in path[:-1]:
                nxt = parents[-1].get(part)
                if not isinstance(nxt, dict):
                    break
                parents.append(nxt)
            else:
                if path[-1] in parents[-1]:
                    continue
                new = {**parents[-1], path[-1]: src}
                for depth in range(len(path) - 2, -1, -1):
                    new = {**parents[depth], path[depth]: new}
                out = new
    return None if out is clean_md else out


def restore_cell(clean: dict, original: dict, config: Config = DEFAULT_CONFIG, v3: bool = False) -> dict | None:
    """``clean`` with the stripped parts of ``original`` put back, or None if none fit.

    The result cleans back to exactly ``clean``. The original cell itself is used when it
    does (the working copy as it was, key order and all); else only the stripped keys and
    metadata paths are grafted onto ``clean`` (e.g. a pull changed the cell's tags).
    """
    cleaned = clean_cell(original, config, v3=v3)
    if cleaned is original:  # nothing was stripped from it: nothing to give back
        return None
    if _same_json(cleaned, clean):
        return original
    graft = dict(clean)
    for key in _STRIPPED_CELL_KEYS:
        if key in original and (key not in clean or original[key] != clean[key]):
            graft[key] = original[key]
    md = _graft_metadata(clean.get("metadata"), original.get("metadata"), config.cell_metadata_drops())
    if md is not None:
        graft["metadata"] = md
    if _same_json(graft, clean) or not _cleans_to(graft, clean, config, v3):
        return None
    return graft


def restore_notebook(clean: dict, originals: list[dict], config: Config = DEFAULT_CONFIG) -> tuple[dict, int]:
    """Put back into notebook ``clean`` what the clean filter stripped from ``originals``.

    ``originals`` are working-copy notebooks (newest first) whose cells may match cells of
    ``clean``. Returns the restored notebook and the number of cells that got something back.
    """
    v3 = clean.get("nbformat") == 3
    index: dict[tuple, dict] = {}
    for original in originals:
        if original.get("nbformat") != clean.get("nbformat"):
            continue
        cells = notebook_cells(original)
        for cell, keys in zip(cells, cell_keys(cells)):
            if clean_cell(cell, config, v3=v3) is cell:
                continue  # nothing was stripped from it: it must not hide an older cell's outputs
            for key in keys:
                index.setdefault(key, cell)
    clean_cells = notebook_cells(clean)
    restored_cells = []
    count = 0
    for cell, keys in zip(clean_cells, cell_keys(clean_cells)):
        new = None
        for key in keys:
            original = index.get(key)
            if original is not None:
                new = restore_cell(cell, original, config, v3)
                if new is not None:
                    break
        if new is None:
            restored_cells.append(cell)
        else:
            restored_cells.append(new)
            count += 1
    out = _with_cells(clean, restored_cells) if count else clean
    md = _restore_notebook_metadata(clean, originals, config)
    if md is not None:
        out = {**out, "metadata": md}
    return out, count


def _restore_notebook_metadata(clean: dict, originals: list[dict], config: Config) -> dict | None:
    """The newest original's notebook metadata (widget state...) if it cleans to ``clean``'s."""
    md = clean.get("metadata")
    if not isinstance(md, dict):
        return None
    for original in originals:
        omd = original.get("metadata")
        if not isinstance(omd, dict) or _same_json(omd, md):
            continue
        if _same_json(clean_notebook_metadata(omd, config), md):
            return omd
    return None


__all__ = ["cell_keys", "notebook_cells", "restore_cell", "restore_notebook"]
