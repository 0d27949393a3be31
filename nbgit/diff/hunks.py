"""Hunks of a notebook diff, and applying only some of them (pure: dicts in, dicts out).

``nbgit add -p`` and ``nbgit reset -p`` ask one question per *hunk*; what the
user accepts is applied to the old notebook by :func:`apply_selection`. A hunk
is a tuple of *atoms*, the smallest changes that can be taken or left:

``("meta", key)``          one top-level key of the notebook ``metadata``
``("nbformat",)``          the nbformat version
``("field", key)``         another top-level notebook key
``("cell", k, part)``      part ``part`` of the cell shown at ``diff.cells[k]``:
                           ``inserted``/``deleted``/``moved`` for a whole cell, else a
                           group of changed keys of a modified cell (see :func:`part_groups`)
``("line", k, n)``         the ``n``-th opcode of a modified cell's source line diff

:func:`hunks` gives one hunk per notebook-level change, per inserted, deleted
or moved cell, and per changed part of a modified cell (the source as one hunk
holding all its line atoms); :func:`split` cuts a source hunk into its line
hunks (one per run of changed lines, as git's ``s`` does).

Where cells land when only some changes are taken: the cells matched in order
(the "spine" of the diff, cells neither inserted, deleted nor moved) keep their
order on both sides and cut both notebooks into gaps. A cell that stays where
it was in ``a`` (a deletion or a move not taken) goes into its gap by its
``a`` position, a cell taken from ``b`` (an insertion or a move taken) into its
gap by its ``b`` position, after the ``a`` ones. Taking nothing gives ``a``'s
order, taking everything ``b``'s: ``apply_selection(a, d, all_atoms(d)) ==
apply_diff(a, d)`` and ``apply_selection(a, d, ()) == a``.
"""

from __future__ import annotations

import copy

from nbgit.diff import apply_diff
from nbgit.diff.model import DELETED, INSERTED, MODIFIED, MOVED, UNCHANGED, CellDiff, NotebookDiff, source_lines

Atom = tuple
Hunk = tuple  # of atoms

#: Keys of a cell whose change goes with a change of ``cell_type`` (a markdown cell has no outputs).
_TYPE_BOUND = ("outputs", "execution_count", "attachments")


def part_groups(cd: CellDiff) -> list[tuple[str, tuple[str, ...]]]:
    """The parts of a modified cell asked about separately: ``(name, keys)`` in display order.

    ``source``, ``outputs`` (with the execution count), ``metadata``, ``id``,
    ``attachments``, then any other key on its own. A change of ``cell_type``
    takes the outputs, count, attachments and other keys with it, so that every
    choice leaves a cell that is valid for its type.
    """
    changed = list(cd.changed)
    groups: list[tuple[str, tuple[str, ...]]] = []
    if "cell_type" in changed:
        keys = tuple(k for k in changed if k not in ("source", "metadata", "id"))
        groups.append(("cell_type", keys))
        changed = [k for k in changed if k in ("source", "metadata", "id")]
    if "source" in changed:
        groups.append(("source", ("source",)))
    out_keys = tuple(k for k in ("outputs", "execution_count") if k in changed)
    if out_keys:
        groups.append(("outputs", out_keys))
    for key in changed:
        if key not in ("source", "outputs", "execution_count"):
            groups.append((key, (key,)))
    return groups


def hunks(diff: NotebookDiff) -> list[Hunk]:
    """Every change of ``diff`` as a hunk (notebook-level ones first, then cells in display order)."""
    out: list[Hunk] = [(("meta", key),) for key in diff.metadata_changed]
    if diff.nbformat is not None:
        out.append((("nbformat",),))
    out += [(("field", key),) for key in diff.other_changed]
    for k, cd in enumerate(diff.cells):
        out += cell_hunks(diff, k)
    return out


def cell_hunks(diff: NotebookDiff, k: int) -> list[Hunk]:
    """The hunks of the cell shown at ``diff.cells[k]`` (none when it is unchanged)."""
    cd = diff.cells[k]
    if cd.kind in (INSERTED, DELETED, MOVED):
        return [(("cell", k, cd.kind),)]
    if cd.kind != MODIFIED:
        return []
    out: list[Hunk] = []
    if cd.moved:
        out.append((("cell", k, "moved"),))
    for name, _keys in part_groups(cd):
        if name == "source" and cd.source:
            out.append(tuple(("line", k, n) for n, op in enumerate(cd.source) if op[0] != "equal"))
        else:
            out.append((("cell", k, name),))
    return out


def split(hunk: Hunk) -> list[Hunk]:
    """A source hunk cut into its line hunks; any other hunk as it is."""
    if len(hunk) > 1 and all(atom[0] == "line" for atom in hunk):
        return [(atom,) for atom in hunk]
    return [hunk]


def can_split(hunk: Hunk) -> bool:
    return len(split(hunk)) > 1


def all_atoms(diff: NotebookDiff) -> set[Atom]:
    return {atom for h in hunks(diff) for atom in h}


def apply_selection(a: dict, diff: NotebookDiff, accepted) -> dict:
    """``a`` with only the ``accepted`` atoms of ``diff`` (made from ``a``) applied; a new notebook."""
    accepted = set(accepted)
    everything = all_atoms(diff)
    if everything <= accepted:
        return apply_diff(a, diff)
    out = {k: copy.deepcopy(v) for k, v in a.items() if k != "cells"}
    b = diff.b
    md_b = b.get("metadata") if isinstance(b.get("metadata"), dict) else {}
    for key in diff.metadata_changed:
        if ("meta", key) in accepted:
            md = out.setdefault("metadata", {})
            if key in md_b:
                md[key] = copy.deepcopy(md_b[key])
            else:
                md.pop(key, None)
    if diff.nbformat is not None and ("nbformat",) in accepted:
        for key, value in zip(("nbformat", "nbformat_minor"), diff.nbformat[1]):
            if value is None:
                out.pop(key, None)
            else:
                out[key] = value
    for key in diff.other_changed:
        if ("field", key) in accepted:
            if key in b:
                out[key] = copy.deepcopy(b[key])
            else:
                out.pop(key, None)
    cells = _unique_ids([cell for _, cell in sorted(_placed_cells(diff, accepted), key=lambda t: t[0])])
    if "cells" not in a:
        return {**out, "cells": cells}
    # the keys in a's order, so that a file written in that order changes only where cells did
    ordered = {k: (cells if k == "cells" else out[k]) for k in a if k == "cells" or k in out}
    ordered.update((k, v) for k, v in out.items() if k not in ordered)
    return ordered


def _unique_ids(cells: list[dict]) -> list[dict]:
    """Cell ids made unique (nbformat 4.5 requires it): a kept old cell and a taken new one can
    share an id when the id moved from one cell to the other. The later one gets a new id,
    derived from the old one and its position (deterministic)."""
    import hashlib

    seen: set = set()
    for pos, cell in enumerate(cells):
        cid = cell.get("id")
        if not isinstance(cid, str):
            continue
        n = 0
        while cid in seen:
            cid = hashlib.sha1(f"{cell['id']}:{pos}:{n}".encode("utf-8", "surrogatepass")).hexdigest()[:8]
            n += 1
        cell["id"] = cid
        seen.add(cid)
    return cells


def _placed_cells(diff: NotebookDiff, accepted: set) -> list[tuple[tuple, dict]]:
    """(sort key, cell) of every cell the result holds (see the module docstring for the order)."""
    spine_a: list[int] = []
    spine_b: list[int] = []
    for cd in diff.cells:
        if cd.kind == UNCHANGED or (cd.kind == MODIFIED and not cd.moved):
            spine_a.append(cd.a_index)  # type: ignore[arg-type]
            spine_b.append(cd.b_index)  # type: ignore[arg-type]
    spine_a.sort()
    spine_b.sort()
    from bisect import bisect_left

    placed: list[tuple[tuple, dict]] = []
    for k, cd in enumerate(diff.cells):
        if cd.kind == INSERTED:
            if ("cell", k, INSERTED) in accepted:
                placed.append(((bisect_left(spine_b, cd.b_index), 1, cd.b_index), copy.deepcopy(cd.b_cell)))
            continue
        if cd.kind == DELETED:
            if ("cell", k, DELETED) not in accepted:
                placed.append(((bisect_left(spine_a, cd.a_index), 0, cd.a_index), copy.deepcopy(cd.a_cell)))
            continue
        cell = copy.deepcopy(cd.a_cell)
        if cd.kind == MODIFIED:
            _patch(cell, cd, k, accepted)
        if cd.kind == UNCHANGED or (cd.kind == MODIFIED and not cd.moved):
            key = (bisect_left(spine_a, cd.a_index), 2, 0)
        elif ("cell", k, "moved") in accepted:
            key = (bisect_left(spine_b, cd.b_index), 1, cd.b_index)
        else:
            key = (bisect_left(spine_a, cd.a_index), 0, cd.a_index)
        placed.append((key, cell))
    return placed


def _patch(cell: dict, cd: CellDiff, k: int, accepted: set) -> None:
    b_cell = cd.b_cell or {}
    for name, keys in part_groups(cd):
        if name == "source":
            _patch_source(cell, cd, k, accepted)
            continue
        if ("cell", k, name) not in accepted:
            continue
        for key in keys:
            if key in b_cell:
                cell[key] = copy.deepcopy(b_cell[key])
            else:
                cell.pop(key, None)


def _patch_source(cell: dict, cd: CellDiff, k: int, accepted: set) -> None:
    b_cell = cd.b_cell or {}
    if not cd.source:  # same text in another JSON form, or the key removed: one atom
        if ("cell", k, "source") in accepted:
            if "source" in b_cell:
                cell["source"] = copy.deepcopy(b_cell["source"])
            else:
                cell.pop("source", None)
        return
    taken = [op[0] == "equal" or ("line", k, n) in accepted for n, op in enumerate(cd.source)]
    if all(taken):
        cell["source"] = copy.deepcopy(b_cell["source"])
        return
    if not any(t for t, op in zip(taken, cd.source) if op[0] != "equal"):
        return
    old = source_lines(cd.a_cell)
    new = source_lines(b_cell)
    lines: list[str] = []
    for use_new, (tag, i1, i2, j1, j2) in zip(taken, cd.source):
        lines += new[j1:j2] if use_new and tag != "equal" else old[i1:i2]
    # A line taken from b without its final newline, followed by more lines: the text
    # would run into the next line. Keep the line break the old side had there.
    for n in range(len(lines) - 1):
        if not lines[n].endswith(("\n", "\r")):
            lines[n] += "\n"
    text = "".join(lines)
    if isinstance(cell.get("source"), list):
        cell["source"] = text.splitlines(keepends=True)
    else:
        cell["source"] = text


def atoms_of_cells(diff: NotebookDiff, numbers) -> set[Atom]:
    """Every atom of the cells named by ``numbers`` (``"3"``: cell 3 as ``nbgit diff`` shows it,
    i.e. the 3rd cell of ``b``; ``"a:3"``: the deleted 3rd cell of ``a``)."""
    wanted = set(numbers)
    out: set[Atom] = set()
    for k, cd in enumerate(diff.cells):
        label = display_number(cd)
        if label in wanted:
            for h in cell_hunks(diff, k):
                out.update(h)
    return out


def display_number(cd: CellDiff) -> str:
    """How ``nbgit diff`` numbers a cell: its 1-based position in ``b``, ``a:N`` for a deleted cell."""
    return str(cd.b_index + 1) if cd.b_index is not None else f"a:{cd.a_index + 1}"


def parse_cell_numbers(spec: str) -> list[str]:
    """``"3,5-7,a:2"`` -> ``["3", "5", "6", "7", "a:2"]``; ValueError with a readable message."""
    out: list[str] = []
    for piece in spec.split(","):
        piece = piece.strip()
        if not piece:
            continue
        prefix = ""
        body = piece
        if body.startswith("a:"):
            prefix, body = "a:", body[2:]
        lo, sep, hi = body.partition("-")
        try:
            start = int(lo)
            end = int(hi) if sep else start
        except ValueError:
            raise ValueError(f"{piece!r} is not a cell number or range (like 3, 5-7 or a:2)") from None
        if start < 1 or end < start:
            raise ValueError(f"{piece!r} is not a valid cell range (cells are numbered from 1)")
        if end - start > 100_000:
            raise ValueError(f"{piece!r}: range too large")
        out += [f"{prefix}{n}" for n in range(start, end + 1)]
    if not out:
        raise ValueError("no cell numbers given")
    return out


__all__ = [
    "Atom",
    "Hunk",
    "hunks",
    "cell_hunks",
    "split",
    "can_split",
    "all_atoms",
    "apply_selection",
    "atoms_of_cells",
    "display_number",
    "parse_cell_numbers",
    "part_groups",
]
