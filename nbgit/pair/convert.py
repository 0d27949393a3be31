"""The jupytext glue: notebook -> text, and text carried into a notebook.

jupytext (and with it nbformat) is imported inside the functions: a sync with
nothing to do never pays for it. Notebooks are plain dicts as
:func:`nbgit.notebook.io.parse` gives them; sources may be strings or lists of
lines, and come back in the form the notebook used.
"""

from __future__ import annotations

import copy
import json
import uuid

from nbgit.pair.match import match_cells


class ConversionError(ValueError):
    """jupytext could not read or write a side of a pair; the message says why in a few words."""


def _joined(source) -> str:
    return "".join(source) if isinstance(source, list) else (source or "")


def _node(nb: dict, outputs: bool = False):
    """An nbformat NotebookNode of ``nb`` with joined sources (what jupytext expects)."""
    import nbformat

    cells = []
    for cell in nb.get("cells", []):
        c = {k: v for k, v in cell.items() if outputs or k not in ("outputs", "execution_count")}
        c["source"] = _joined(cell.get("source"))
        c.setdefault("metadata", {})
        if cell.get("cell_type") == "code":
            c.setdefault("outputs", [])
            c.setdefault("execution_count", None)
        cells.append(c)
    return nbformat.from_dict({**nb, "cells": cells, "metadata": copy.deepcopy(nb.get("metadata", {}))})


def _check_v4(nb: dict) -> None:
    if nb.get("nbformat") != 4:
        raise ConversionError(
            f"nbformat {nb.get('nbformat')} notebook: upgrade it to nbformat 4 first "
            "(set upgrade_v3 = true under [tool.nbgit] and run `nbgit clean`, or re-save it in Jupyter)"
        )


def render(nb: dict, fmt: str) -> bytes:
    """The text jupytext writes for ``nb`` in ``fmt`` (``"py:percent"``), as bytes ending in a newline."""
    import jupytext

    _check_v4(nb)
    try:
        text = jupytext.writes(_node(nb), fmt)
    except Exception as exc:
        raise ConversionError(f"jupytext cannot write it as {fmt}: {exc}") from None
    if not text.endswith("\n"):
        text += "\n"  # as jupytext.write does for files
    return text.encode("utf-8")


def read_text(data: bytes, fmt: str):
    import jupytext

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConversionError(f"not UTF-8 (byte {exc.start})") from None
    try:
        return jupytext.reads(text, fmt)
    except Exception as exc:
        raise ConversionError(f"jupytext cannot read it as {fmt}: {exc}") from None


def _plain(node) -> object:
    return json.loads(json.dumps(node))


def _cell_metadata_filter(fmt: str, text_nb, nb_metadata: dict):
    """The cell metadata filter jupytext's combine_inputs_with_outputs would apply."""
    from jupytext.formats import long_form_one_format

    f = long_form_one_format(fmt)
    text_repr = text_nb.metadata.get("jupytext", {}).get("text_representation", {})
    ext = f.get("extension") or text_repr.get("extension")
    name = f.get("format_name") or text_repr.get("format_name")
    md_v1 = ext in (".md", ".markdown", ".Rmd") and text_repr.get("format_version") == "1.0"
    if name in ("nomarker", "sphinx", "marimo") or md_v1:
        return "-all", name
    return nb_metadata.get("jupytext", {}).get("cell_metadata_filter"), name


def _loose(source: str) -> str:
    """A cell source up to the whitespace jupytext does not round-trip (trailing blanks, blank lines at either end)."""
    return "\n".join(line.rstrip() for line in source.splitlines()).strip("\n")


def _visible(metadata: dict) -> dict:
    """Cell metadata without the keys jupytext adds to describe the text layout (lines_to_next_cell, ...)."""
    from jupytext.cell_metadata import _JUPYTEXT_CELL_METADATA

    return {k: v for k, v in metadata.items() if k not in _JUPYTEXT_CELL_METADATA}


def carry_text(data: bytes, fmt: str, nb: dict) -> dict:
    """``nb`` with the edits of the text ``data`` (format ``fmt``) carried over.

    Where jupytext's ``fmt`` reads back the notebook's own text exactly, this is
    :func:`_carry`. Where it does not (e.g. ``md`` merges a markdown cell holding a
    fenced block with its neighbour), carrying the text over cell by cell would
    change cells nobody edited. Then only the *edits* are carried: a three-way
    merge (nbgit's merge engine) of the notebook with what the edited text makes
    of it, against what the unedited text makes of it. Unedited cells stay exactly
    as they are; if the edits touch the cells jupytext cannot round-trip (a merge
    conflict), the cell-by-cell result is used.
    """
    carried = _carry(data, fmt, nb)
    unedited = _carry(render(nb, fmt), fmt, nb)
    if unedited["cells"] == nb.get("cells", []):
        return carried
    from nbgit.merge import merge_notebooks

    result = merge_notebooks(unedited, nb, carried)
    if not result.clean:
        return carried
    return {**result.notebook, "metadata": carried["metadata"]}


def _carry(data: bytes, fmt: str, nb: dict) -> dict:
    """``nb`` with the cells and metadata of the text ``data`` (format ``fmt``).

    Notebook cells that match a text cell (:func:`nbgit.pair.match.match_cells`)
    keep their id, outputs, execution count, attachments and the metadata the
    text does not carry; new cells get fresh ids (nbformat >= 4.5). A cell whose
    text differs from the notebook's only in the whitespace jupytext does not
    round-trip (trailing blanks, blank lines at either end) keeps the notebook's source, and
    metadata that differs only in jupytext's layout keys keeps the notebook's:
    carrying over an unedited text changes no cell.
    Notebook metadata is combined the way jupytext does it; the pairing
    (``jupytext.formats``) and the kernelspec stay even if the text lost its header.
    """
    from jupytext.cell_metadata import _IGNORE_CELL_METADATA
    from jupytext.combine import combine_inputs_with_outputs
    from jupytext.metadata_filter import restore_filtered_metadata

    _check_v4(nb)
    text_nb = read_text(data, fmt)
    try:
        combined = combine_inputs_with_outputs(copy.deepcopy(text_nb), _node(nb), fmt)
    except Exception as exc:
        raise ConversionError(f"jupytext cannot combine it with the notebook: {exc}") from None
    metadata = _plain(combined.metadata)
    old_meta = nb.get("metadata", {})
    for key in ("kernelspec",):
        if key in old_meta and key not in metadata:
            metadata[key] = copy.deepcopy(old_meta[key])
    formats = old_meta.get("jupytext", {}).get("formats") if isinstance(old_meta.get("jupytext"), dict) else None
    if formats and not metadata.get("jupytext", {}).get("formats"):
        metadata.setdefault("jupytext", {})["formats"] = formats

    cell_filter, format_name = _cell_metadata_filter(fmt, text_nb, metadata)
    old_cells = nb.get("cells", [])
    mapping = match_cells(
        [(c.cell_type, c.source) for c in text_nb.cells],
        [(c.get("cell_type"), _joined(c.get("source"))) for c in old_cells],
    )
    as_list = any(isinstance(c.get("source"), list) for c in old_cells) or not old_cells
    want_ids = (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5)
    used_ids = {c.get("id") for c in old_cells}
    cells = []
    for text_cell, j in zip(text_nb.cells, mapping):
        source = text_cell.source
        if j is not None:
            cell = copy.deepcopy(old_cells[j])
            if _loose(source) != _loose(_joined(cell.get("source"))):
                cell["source"] = source.splitlines(keepends=True) if isinstance(cell.get("source"), list) else source
            filt = "-all" if format_name == "spin" and text_cell.cell_type != "code" else cell_filter
            cell_md = _plain(
                restore_filtered_metadata(text_cell.metadata, cell.get("metadata", {}), filt, _IGNORE_CELL_METADATA)
            )
            if _visible(cell_md) != _visible(cell.get("metadata", {})):
                cell["metadata"] = cell_md
        else:
            cell = {
                "cell_type": text_cell.cell_type,
                "metadata": _plain(text_cell.metadata),
                "source": source.splitlines(keepends=True) if as_list else source,
            }
            if text_cell.cell_type == "code":
                cell["execution_count"] = None
                cell["outputs"] = []
            if want_ids:
                new_id = uuid.uuid4().hex[:8]
                while new_id in used_ids:
                    new_id = uuid.uuid4().hex[:8]
                used_ids.add(new_id)
                cell["id"] = new_id
        cells.append(cell)
    return {**nb, "cells": cells, "metadata": metadata}


def with_formats(nb: dict, formats: str) -> dict:
    """``nb`` with ``metadata.jupytext.formats`` set (other jupytext settings kept)."""
    metadata = copy.deepcopy(nb.get("metadata", {}))
    jt = metadata.get("jupytext")
    if not isinstance(jt, dict):
        jt = {}
    jt = {**jt, "formats": formats}
    jt.pop("text_representation", None)
    metadata["jupytext"] = jt
    return {**nb, "metadata": metadata}


def new_notebook(data: bytes, fmt: str) -> dict:
    """A notebook from a text file alone (its notebook does not exist yet), laid out as Jupyter does."""
    nb = _plain(read_text(data, fmt))
    for cell in nb.get("cells", []):
        cell["source"] = cell.get("source", "").splitlines(keepends=True)
    jt = nb.get("metadata", {}).get("jupytext")
    if isinstance(jt, dict):
        jt.pop("text_representation", None)
        if not jt:
            nb["metadata"].pop("jupytext")
    return nb


def round_trip_issue(nb: dict, fmt: str, text: bytes) -> str | None:
    """Where carrying the unedited text back would change the notebook (jupytext's limits), or None."""
    try:
        carried = _carry(text, fmt, nb)["cells"]
    except ConversionError as exc:
        return str(exc)
    old = nb.get("cells", [])
    if fmt.startswith("py:light"):  # an extra empty cell after a cell ending in blank lines is harmless
        carried = [c for c in carried if _joined(c.get("source")).strip()]
        old = [c for c in old if _joined(c.get("source")).strip()]
    for i, (a, b) in enumerate(zip(carried, old)):
        if a != b:
            return f"jupytext's {fmt} does not round-trip cell {i + 1} exactly; sync carries only your edits, but an edit inside that cell may change it"
    if len(carried) != len(old):
        return f"jupytext's {fmt} reads back {len(carried)} cells for {len(old)}; sync carries only your edits, but an edit inside those cells may change them"
    return None
