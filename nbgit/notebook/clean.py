"""Normalization: strip outputs, execution counts and volatile metadata.

``clean_notebook`` is pure: it never mutates its input and shares every part it
does not change (outputs that are kept are not copied). ``clean_bytes`` adds the
byte-level guarantees the git filter needs:

* a notebook with nothing to strip comes back as the very same bytes;
* otherwise the result is written in the input's own layout (see ``io.Layout``),
  so a one-field change stays a one-hunk diff;
* hence clean is idempotent byte for byte: ``clean(clean(x)) == clean(x)``.
"""

from __future__ import annotations

import json

from nbgit.notebook.config import DEFAULT_CONFIG, Config
from nbgit.notebook.io import NotebookError, dumps_edited, dumps_exactly, layout_of, parse, parse_for_edit

KEEP_OUTPUT_TAG = "keep_output"


def clean_notebook(nb: dict, config: Config = DEFAULT_CONFIG) -> dict:
    """Return a cleaned copy of notebook ``nb`` (nbformat 3 or 4) under ``config``."""
    return _clean(nb, config)[0]


def clean_bytes(data: bytes, config: Config = DEFAULT_CONFIG) -> bytes:
    """Clean notebook bytes; raise :class:`NotebookError` for anything that is not a notebook.

    Returns ``data`` itself when there is nothing to strip.
    """
    nb, spans = parse_for_edit(data)
    cleaned, changed = _clean(nb, config)
    if not changed:
        return data
    if cleaned.get("nbformat") != nb.get("nbformat"):  # upgraded: new content, keys sorted like the file's
        return dumps_exactly(cleaned, data, layout=layout_of(data, nb))
    # Cleaning only removes keys, replaces values and drops list items, sharing every part it
    # keeps: so only what it stripped is rewritten, the rest keeps its bytes (numbers, escapes,
    # duplicate keys, compact nesting). NotebookError when that cannot be done exactly.
    return dumps_edited(data, nb, cleaned, spans)


def is_clean(nb: dict, config: Config = DEFAULT_CONFIG) -> bool:
    """True if cleaning ``nb`` would change nothing."""
    return not _clean(nb, config)[1]


def clean_cell(cell: dict, config: Config = DEFAULT_CONFIG, v3: bool = False) -> dict:
    """One cell as the clean filter leaves it (the cell itself when there is nothing to strip)."""
    new = _clean_cell(cell, config, config.cell_metadata_drops(), v3)
    return cell if new is None else new


def clean_notebook_metadata(md: dict, config: Config = DEFAULT_CONFIG) -> dict:
    """Notebook metadata as the clean filter leaves it."""
    new = _drop_paths(md, config.notebook_metadata_drops())
    return md if new is None else new


def _clean(nb: dict, config: Config) -> tuple[dict, bool]:
    """The cleaned notebook and whether anything changed (unchanged parts are shared, not copied)."""
    v3 = nb.get("nbformat") == 3
    if v3 and config.upgrade_v3:
        from nbgit.notebook.upgrade import upgrade_v3

        return _clean(upgrade_v3(nb), config)[0], True
    out = nb
    md = nb.get("metadata")
    if isinstance(md, dict):
        new_md = _drop_paths(md, config.notebook_metadata_drops())
        if new_md is not None:
            out = {**out, "metadata": new_md}
    if not v3:
        cells = nb.get("cells")
        if isinstance(cells, list):
            new_cells, cells_changed = _clean_cells(cells, config)
            if cells_changed:
                out = {**out, "cells": new_cells}
        return out, out is not nb
    # nbformat 3: cells live in worksheets; code cells have `prompt_number` and a `collapsed` key
    worksheets = nb.get("worksheets")
    if isinstance(worksheets, list):
        new_ws = []
        for ws in worksheets:
            cells = ws.get("cells")
            if isinstance(cells, list):
                new_cells, cells_changed = _clean_cells(cells, config, v3=True)
                if cells_changed:
                    ws = {**ws, "cells": new_cells}
            new_ws.append(ws)
        if any(new is not old for new, old in zip(new_ws, worksheets)):
            out = {**out, "worksheets": new_ws}
    return out, out is not nb


def _clean_cells(cells: list, config: Config, v3: bool = False) -> tuple[list, bool]:
    drops = config.cell_metadata_drops()
    new_cells = []
    changed = False
    for cell in cells:
        new = _clean_cell(cell, config, drops, v3) if isinstance(cell, dict) else None
        if new is None:
            new_cells.append(cell)
        else:
            new_cells.append(new)
            changed = True
    return new_cells, changed


def keeps_output(cell: dict) -> bool:
    """True if the cell asks to keep its outputs: ``keep_output`` tag or metadata flag, or
    ``init_cell: true`` (the init-cell extension runs such cells when the notebook opens; nbstripout
    keeps their outputs too)."""
    md = cell.get("metadata")
    if not isinstance(md, dict):
        return False
    if md.get(KEEP_OUTPUT_TAG) is True or md.get("init_cell") is True:
        return True
    tags = md.get("tags")
    return isinstance(tags, list) and KEEP_OUTPUT_TAG in tags


def _clean_cell(cell: dict, config: Config, drops, v3: bool) -> dict | None:
    """Return the cleaned cell, or None when the cell has nothing to strip."""
    updates: dict = {}
    removals: list[str] = []
    md = cell.get("metadata")
    if isinstance(md, dict) and md:
        new_md = _drop_paths(md, drops)
        if new_md is not None:
            updates["metadata"] = new_md
    if cell.get("cell_type") == "code":
        tagged = keeps_output(cell)
        outputs = cell.get("outputs")
        if isinstance(outputs, list) and outputs:
            if not (config.keep_outputs or tagged):
                updates["outputs"] = []
            else:
                new_outputs = _kept_outputs(outputs, config, limit=not tagged)
                if new_outputs is not None:
                    updates["outputs"] = new_outputs
        if not config.keep_count:
            count_key = "prompt_number" if v3 else "execution_count"
            if v3:
                if count_key in cell:
                    removals.append(count_key)
            elif cell.get(count_key) is not None:
                updates[count_key] = None
        if v3 and "collapsed" in cell:
            removals.append("collapsed")
    if not updates and not removals:
        return None
    new = {k: v for k, v in cell.items() if k not in removals}
    new.update(updates)
    return new


def _kept_outputs(outputs: list, config: Config, limit: bool) -> list | None:
    """Outputs of a cell that keeps them: counts normalized, oversized ones dropped."""
    changed = False
    result = []
    for out in outputs:
        if not isinstance(out, dict):
            result.append(out)
            continue
        if limit and config.max_output_size is not None:
            size = len(json.dumps(out, ensure_ascii=False).encode("utf-8"))
            if size > config.max_output_size:
                changed = True
                continue
        if not config.keep_count:
            for key in ("execution_count", "prompt_number"):
                if out.get(key) is not None:
                    out = {**out, key: None}
                    changed = True
        result.append(out)
    return result if changed else None


def _drop_paths(d: dict, paths) -> dict | None:
    """Return a copy of ``d`` without the dotted ``paths``, or None if none is present."""
    out = d
    for path in paths:
        dropped = _drop_path(out, path)
        if dropped is not None:
            out = dropped
    return None if out is d else out


def _drop_path(d: dict, path: tuple[str, ...]) -> dict | None:
    head = path[0]
    if head not in d:
        return None
    if len(path) == 1:
        return {k: v for k, v in d.items() if k != head}
    child = d[head]
    if not isinstance(child, dict):
        return None
    new_child = _drop_path(child, path[1:])
    if new_child is None:
        return None
    return {**d, head: new_child}


__all__ = ["clean_notebook", "clean_bytes", "clean_cell", "clean_notebook_metadata", "is_clean", "keeps_output", "NotebookError"]
