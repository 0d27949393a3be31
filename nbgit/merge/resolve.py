"""Settling the conflicts that a merge left inside a notebook, one choice per conflict.

This is the pure model behind ``nbgit mergetool``: dicts in, dicts out, no I/O.

:func:`conflict_blocks` lists every conflict in a (nbformat 4) notebook as a
:class:`Block`, in notebook order, with what each side has:

* ``source``: a marker block inside a cell's source (``<<<<<<<`` ours
  ``|||||||`` base ``=======`` theirs ``>>>>>>>``). Choices: ``ours``,
  ``theirs``, ``both`` (ours then theirs), ``both-reversed``, ``base`` (when
  the block has a base part, or a base is supplied through ``base_hints``) and
  ``edit`` (a hand-written text).
* ``delete/modify`` and ``one side only``: a cell whose first line is nbgit's
  note (deleted on one side, edited on the other; or, in a two-way merge,
  present on one side only). Choices: ``keep`` (the note line goes), ``delete``
  (the cell goes), ``edit`` (the cell is kept with the text given).
* ``record``: an entry of ``metadata.nbgit.conflicts`` (of the notebook or of a
  cell) with the values the sides had at ``path``. Choices: ``ours``,
  ``theirs``, ``base`` where the record holds them, and ``edit`` (a JSON
  value). An ``outputs`` record whose outputs were cleared has one choice,
  ``clear``: the outputs stay cleared (re-run the cell); so has a notebook's
  ``file`` record (one side was not a notebook, its text is in the record):
  the notebook stays as it is and the record goes.

:func:`resolve` applies choices given by block key and returns the new
notebook and the number of conflicts left. A key names a conflict by where it
is (``c3.s1``: cell index 3, second marker block), so choices must be made on
blocks listed from the same notebook. Blocks without a choice stay exactly as
they were (markers, note lines and records kept), so a partial resolution is
still a notebook whose remaining conflicts ``nbgit conflicts`` finds.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from nbgit.merge.conflicts import NOTE_RE, cell_text, conflict_records, marker_blocks, source_lines
from nbgit.merge.notebook import DELETED, ONE_SIDED, RECORD_KEY, SOURCE
from nbgit.merge.values import MISSING

RECORD = "record"
NOTE = "note"  # a note line of another kind than delete/modify or one-sided: keep or delete the cell
#: Choices for each kind of block (``base`` only where the base is known).
SOURCE_CHOICES = ("ours", "theirs", "both", "both-reversed", "base", "edit")
CELL_CHOICES = ("keep", "delete", "edit")
RECORD_CHOICES = ("ours", "theirs", "base", "edit")

#: nbgit's note on a cell's first line (deleted on one side, present on one side only, ...).
_NOTE_RE = NOTE_RE


class ResolveError(ValueError):
    """A choice that cannot be applied (unknown block, choice not offered, edit that is not JSON)."""


@dataclass
class MarkerBlock:
    """One ``<<<<<<<`` ... ``>>>>>>>`` block of a cell source: the sides' lines (with newlines)."""

    ours: str
    base: str | None
    theirs: str
    ours_label: str = ""
    base_label: str = ""
    theirs_label: str = ""
    raw: str = ""  # the block's lines as they stand, markers included


@dataclass
class Block:
    """One conflict to settle. ``cell`` is the 0-based index of the cell in the notebook (None: notebook level)."""

    key: str
    cell: int | None
    kind: str
    detail: str
    choices: tuple[str, ...]
    ours: Any = MISSING
    theirs: Any = MISSING
    base: Any = MISSING
    labels: dict = field(default_factory=dict)
    path: str = ""


def split_source(text: str) -> list[str | MarkerBlock]:
    """A cell source as plain text runs and complete :class:`MarkerBlock` s, in order.

    Lines of an unterminated block stay plain text (they are not a conflict
    nbgit can settle). The blocks are those ``nbgit conflicts`` and ``nbgit check`` count
    (one reader: :func:`nbgit.merge.conflicts.read_marker_block`).
    """
    out: list[str | MarkerBlock] = []
    lines = source_lines(text)
    i = 0
    for start, found in marker_blocks(lines):
        if start > i:
            out.append("".join(lines[i:start]))
        *sides, end = found
        out.append(MarkerBlock(*sides, raw="".join(lines[start:end])))
        i = end
    if i < len(lines):
        out.append("".join(lines[i:]))
    return out


def conflict_blocks(nb: dict, base_hints: dict[tuple[str, str], str] | None = None) -> list[Block]:
    """Every conflict in ``nb`` (nbformat 4), notebook-level records first, then cell by cell.

    ``base_hints`` maps ``(ours text, theirs text)`` of a marker block to its
    base text, for blocks written without a base part (git's default
    ``merge`` conflict style): see :func:`base_hints_from`.
    """
    hints = base_hints or {}
    blocks = [_record_block(entry, None, f"n.r{k}") for k, entry in enumerate(conflict_records(nb.get("metadata")))]
    for index, cell in enumerate(_cells(nb)):
        text = _source_text(cell)
        note = _NOTE_RE.match(text)
        if note:
            first, _, rest = text.partition("\n")
            said = first[note.end():]
            kind = DELETED if said.startswith("deleted in") else ONE_SIDED if said.startswith("only in") else NOTE
            blocks.append(Block(f"c{index}.n", index, kind, said.split(";")[0], CELL_CHOICES, ours=rest, theirs=None))
        k = 0
        for piece in split_source(text[len(text.partition("\n")[0]) + 1 :] if note else text):
            if isinstance(piece, MarkerBlock):
                base = piece.base if piece.base is not None else hints.get((piece.ours, piece.theirs))
                choices = tuple(c for c in SOURCE_CHOICES if c != "base" or base is not None)
                labels = {"ours": piece.ours_label or "ours", "theirs": piece.theirs_label or "theirs",
                          "base": piece.base_label or "base"}
                blocks.append(Block(f"c{index}.s{k}", index, SOURCE, "conflicting lines", choices,
                                    ours=piece.ours, theirs=piece.theirs, base=MISSING if base is None else base, labels=labels))
                k += 1
        for r, entry in enumerate(conflict_records(cell.get("metadata") if isinstance(cell, dict) else None)):
            blocks.append(_record_block(entry, index, f"c{index}.r{r}"))
    return blocks


def _record_block(entry: Any, cell: int | None, key: str) -> Block:
    if not isinstance(entry, dict):
        return Block(key, cell, RECORD, "unreadable conflict record", ("ours",), ours=entry, path="")
    path = entry.get("path") if isinstance(entry.get("path"), str) else "?"
    values = {"ours": entry.get("local", MISSING), "theirs": entry.get("remote", MISSING), "base": entry.get("base", MISSING)}
    if path == "file" and cell is None:
        # one side was not a notebook (merge driver): the other side's notebook was kept; the text is for reading
        note = entry.get("note") if isinstance(entry.get("note"), str) else "one side was not a notebook"
        return Block(key, cell, RECORD, note, ("clear",), path=path, **values)
    if path == "outputs" and not any(isinstance(v, list) for v in values.values()):
        return Block(key, cell, RECORD, "outputs changed on both sides; cleared, re-run the cell", ("clear",),
                     path=path, **values)
    choices = tuple(c for c in RECORD_CHOICES if c != "base" or "base" in entry)
    return Block(key, cell, RECORD, path, choices, path=path, **values)


def base_hints_from(nb: dict) -> dict[tuple[str, str], str]:
    """``(ours, theirs) -> base`` for every marker block with a base part in ``nb`` (a diff3-style merge)."""
    hints: dict[tuple[str, str], str] = {}
    for cell in _cells(nb):
        for piece in split_source(_source_text(cell)):
            if isinstance(piece, MarkerBlock) and piece.base is not None:
                hints.setdefault((piece.ours, piece.theirs), piece.base)
    return hints


def resolve(nb: dict, choices: dict[str, tuple[str, Any]], base_hints: dict | None = None) -> tuple[dict, int]:
    """Apply ``choices`` (block key -> ``(choice, edited value or None)``); returns (notebook, conflicts left).

    Raises :class:`ResolveError` for a key that names no conflict of ``nb``, a
    choice the block does not offer, or an edit of the wrong type.
    """
    blocks = {b.key: b for b in conflict_blocks(nb, base_hints)}
    for key, (choice, _) in choices.items():
        block = blocks.get(key)
        if block is None:
            raise ResolveError(f"no conflict {key!r} in this notebook (was it changed since the page was opened?)")
        if choice not in block.choices:
            raise ResolveError(f"{key}: {choice!r} is not a choice here")
    out = copy.deepcopy(nb)
    _settle_records(out, [b for b in blocks.values() if b.cell is None], choices)
    cells = _cells(out)
    new_cells = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict):
            new_cells.append(cell)
            continue
        mine = [b for b in blocks.values() if b.cell == index]
        if not mine:
            new_cells.append(cell)
            continue
        cell = _settle_cell(cell, index, mine, choices)
        if cell is not None:
            new_cells.append(cell)
    if isinstance(out.get("cells"), list):
        out["cells"] = new_cells
    return out, len(conflict_blocks(out))


def _settle_cell(cell: dict, index: int, blocks: list[Block], choices: dict) -> dict | None:
    text = _source_text(cell)
    note_key = f"c{index}.n"
    note_choice = choices.get(note_key)
    if note_choice is not None:
        choice, value = note_choice
        if choice == "delete":
            return None
        if choice == "edit":
            if not isinstance(value, str):
                raise ResolveError(f"{note_key}: an edit is a text")
            return _with_records(_with_source(cell, value), cell, index, blocks, choices)
        text = text.partition("\n")[2] if "\n" in text else ""
        note_line = ""
    else:
        note_line = text.partition("\n")[0] + "\n" if _NOTE_RE.match(text) else ""
        text = text[len(note_line):]
    pieces = split_source(text)
    parts: list[str] = []
    k = 0
    for n, piece in enumerate(pieces):
        if not isinstance(piece, MarkerBlock):
            parts.append(piece)
            continue
        key = f"c{index}.s{k}"
        k += 1
        chosen = choices.get(key)
        if chosen is None:
            parts.append(piece.raw)
            continue
        choice, value = chosen
        block = next(b for b in blocks if b.key == key)
        if choice == "edit":
            if not isinstance(value, str):
                raise ResolveError(f"{key}: an edit is a text")
            body = value if value.endswith("\n") or not value else value + "\n"
        else:
            body = {
                "ours": block.ours,
                "theirs": block.theirs,
                "base": block.base,
                "both": block.ours + block.theirs,
                "both-reversed": block.theirs + block.ours,
            }[choice]
        if n == len(pieces) - 1 and body.endswith("\n"):
            body = body[:-1]  # the block closed the source: Jupyter sources have no final newline
        parts.append(body)
    new = note_line + "".join(parts)
    return _with_records(_with_source(cell, new), cell, index, blocks, choices)


def _with_source(cell: dict, text: str) -> dict:
    from nbgit.merge.lines import split_lines

    return {**cell, "source": split_lines(text) if isinstance(cell.get("source"), list) else text}


def _with_records(new: dict, old: dict, index: int, blocks: list[Block], choices: dict) -> dict:
    records = [b for b in blocks if b.kind == RECORD]
    if records:
        _settle_records(new, records, choices)
    return new


def _settle_records(holder: dict, blocks: list[Block], choices: dict) -> None:
    """Apply the chosen record entries to ``holder`` (a cell or the notebook, changed in place) and drop them from its record."""
    md = holder.get("metadata")
    ours = md.get(RECORD_KEY) if isinstance(md, dict) else None
    if not isinstance(ours, dict) or not isinstance(ours.get("conflicts"), list):
        return
    by_key = {b.key: b for b in blocks}
    prefix = blocks[0].key.rsplit(".", 1)[0] if blocks else ""
    keep = []
    for r, entry in enumerate(ours["conflicts"]):
        block = by_key.get(f"{prefix}.r{r}")
        chosen = choices.get(block.key) if block is not None else None
        if chosen is None:
            keep.append(entry)
            continue
        choice, value = chosen
        if choice == "clear" or block.path in ("", "?"):
            continue
        if choice == "edit":
            if not isinstance(value, str):
                raise ResolveError(f"{block.key}: an edit is a JSON text")
            try:
                new_value = json.loads(value) if value.strip() else MISSING
            except ValueError as exc:
                raise ResolveError(f"{block.key}: not JSON ({exc})") from None
        else:
            new_value = getattr(block, choice)
        _set_path(holder, block.path, new_value)
    md = holder.get("metadata")
    if not isinstance(md, dict):
        return
    rest = {k: v for k, v in ours.items() if k != "conflicts"}
    if keep:
        rest["conflicts"] = keep
    if rest:
        md[RECORD_KEY] = rest
    else:
        md.pop(RECORD_KEY, None)


def _set_path(root: dict, path: str, value: Any) -> None:
    """Set (or with MISSING remove) the value at a dotted ``path``; keys holding dots are matched whole first."""
    node: Any = root
    rest = path
    while True:
        if not isinstance(node, dict):
            return
        key = _longest_key(node, rest)
        if key == rest:
            if value is MISSING:
                node.pop(key, None)
            else:
                node[key] = value
            return
        rest = rest[len(key) + 1 :]
        if not isinstance(node.get(key), dict):
            if value is MISSING:
                return
            node[key] = {}
        node = node[key]


def _longest_key(node: dict, path: str) -> str:
    for key in sorted((k for k in node if isinstance(k, str)), key=len, reverse=True):
        if path == key or path.startswith(key + "."):
            return key
    return path.split(".", 1)[0] if "." in path else path


def _cells(nb: dict) -> list:
    cells = nb.get("cells")
    return cells if isinstance(cells, list) else []


def _source_text(cell: Any) -> str:
    return cell_text(cell)


__all__ = ["Block", "MarkerBlock", "ResolveError", "base_hints_from", "conflict_blocks", "resolve", "split_source"]
