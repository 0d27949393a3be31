"""Finding unresolved merge conflicts in a notebook, and splitting text conflict markers.

Two kinds of leftovers are recognised:

* nbgit's own conflicts, inside a valid notebook (:func:`find_conflicts`):
  marker blocks inside a cell's source (``<<<<<<<`` ... ``=======`` ...
  ``>>>>>>>``, any marker length from 3 up, the ``|||||||`` base part
  optional), the first line nbgit writes into a cell deleted on one side and
  edited on the other, and entries in ``metadata.nbgit.conflicts`` of the
  notebook or of a cell;
* git's *text* conflict markers in the file itself (a text merge of the JSON,
  which leaves a file that no longer parses): :func:`split_text_conflicts`
  rebuilds the two (or three) versions from the marker regions, for
  ``nbgit fix``.
"""

from __future__ import annotations

import re

from nbgit.notebook.v3 import cells_of
from nbgit.merge.notebook import CELL, DELETED, METADATA, NOTEBOOK, ONE_SIDED, OUTPUTS, RECORD_KEY, SOURCE, TWIN, Conflict

#: nbgit's note on a cell (delete/modify, one side only, a twin): the first line of its source,
#: ``<<<<<<< nbgit: ...``. The one definition, for nbgit conflicts, check and the merge tool.
NOTE_RE = re.compile(r"^(<{3,}) nbgit: ")
_STRAY_NOTE_RE = re.compile(r"\n<{3,} nbgit: ")


def cell_text(cell) -> str:
    """A cell's source as one string, for the readers of conflicts: items that are not strings
    (not valid nbformat, but committed files can hold anything) are skipped, never a crash."""
    if not isinstance(cell, dict):
        return ""
    src = cell.get("source", "")
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def note_kind(said: str) -> str:
    """The kind of conflict a note line says (the text after ``nbgit: ``)."""
    return DELETED if said.startswith("deleted in") else ONE_SIDED if said.startswith("only in") else TWIN
_OPEN_RE = re.compile(r"^(<{3,})(?: .*)?$")


def find_conflicts(nb: dict) -> list[Conflict]:
    """Unresolved conflicts left in notebook ``nb``, in cell order.

    nbformat 3 is read through :func:`nbgit.notebook.v3.cells_of`: the cells of
    all worksheets numbered in order, a code cell's ``input`` as its source.
    """
    found: list[Conflict] = []
    md = nb.get("metadata")
    for entry in conflict_records(md):
        found.append(Conflict(None, NOTEBOOK, _path(entry)))
    for index, cell in enumerate(cells_of(nb)):
        if not isinstance(cell, dict):
            continue
        text = cell_text(cell)
        note = NOTE_RE.match(text)
        if note:
            found.append(Conflict(index, note_kind(text[note.end():]), "see the cell's first line"))
        if _STRAY_NOTE_RE.search(text):  # nbgit never writes one there: a leftover to settle by hand
            found.append(Conflict(index, SOURCE, "an nbgit note line inside the source (not its first line)"))
        blocks = count_marker_blocks(text)
        if blocks:
            found.append(Conflict(index, SOURCE, f"{blocks} conflicting region{'s' if blocks > 1 else ''}"))
        for entry in conflict_records(cell.get("metadata")):
            path = _path(entry)
            kind = OUTPUTS if path == "outputs" else METADATA if path.startswith("metadata") else CELL
            found.append(Conflict(index, kind, path))
    return found


def count_marker_blocks(text: str) -> int:
    """Complete conflict marker blocks in ``text`` (open, separator, close of one length)."""
    return sum(1 for _ in marker_blocks(source_lines(text)))


def marker_blocks(lines: list[str]):
    """``(start, block)`` for each complete conflict block in ``lines``, in order (``block`` as
    :func:`read_marker_block` returns it). Linear in the lines: once a block opened with markers
    of one length finds no end, no later opener of that length can (the separator and closing
    lines after it are the same ones), so a source of many unterminated openers is read once."""
    dead: set[int] = set()
    i = 0
    while i < len(lines):
        m = _OPEN_RE.match(lines[i].rstrip("\r\n"))
        if m is None or len(m.group(1)) in dead:
            i += 1
            continue
        block = read_marker_block(lines, i)
        if block is None:
            if not NOTE_RE.match(lines[i]):
                dead.add(len(m.group(1)))
            i += 1
            continue
        yield i, block
        i = block[-1]


def source_lines(text: str) -> list[str]:
    """``text`` as lines with their ends, split where git splits (``\\n`` only: a form feed or
    U+2028 inside a line does not start a marker line)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def read_marker_block(lines: list[str], start: int) -> tuple | None:
    """The complete conflict block that ``lines[start]`` opens, or None.

    The one reader of git's text markers in a cell source, for ``nbgit conflicts``, ``nbgit
    check`` and the merge tool alike: ``<<<<<<<`` (any length from 3, the same length for the
    block's other markers; not nbgit's own ``<<<<<<< nbgit:`` note), an optional diff3 base part
    (``|||||||``), ``=======``, ``>>>>>>>``. A line's ``\\r`` before its newline is ignored.
    Returns (ours, base or None, theirs, ours label, base label, theirs label, end) with the
    sides' lines (ends kept) and the index after the closing marker.
    """
    m = _OPEN_RE.match(lines[start].rstrip("\r\n"))
    if m is None or NOTE_RE.match(lines[start]):
        return None
    size = len(m.group(1))
    ours_label = lines[start].rstrip("\r\n")[size + 1 :]
    mid, sep, close = "|" * size, "=" * size, ">" * size
    parts: dict[str, list[str]] = {"ours": [], "base": [], "theirs": []}
    part = "ours"
    has_base = False
    base_label = ""
    for j in range(start + 1, len(lines)):
        body = lines[j].rstrip("\r\n")
        if part == "ours" and (body == mid or body.startswith(mid + " ")):
            part, has_base, base_label = "base", True, body[size + 1 :]
            continue
        if part in ("ours", "base") and body == sep:
            part = "theirs"
            continue
        if part == "theirs" and (body == close or body.startswith(close + " ")):
            return ("".join(parts["ours"]), "".join(parts["base"]) if has_base else None, "".join(parts["theirs"]),
                    ours_label, base_label, body[size + 1 :], j + 1)
        parts[part].append(lines[j])
    return None


def conflict_records(md) -> list:
    """The entries of ``metadata.nbgit.conflicts`` in metadata ``md`` (a list; empty when there are none)."""
    if not isinstance(md, dict):
        return []
    ours = md.get(RECORD_KEY)
    if not isinstance(ours, dict):
        return []
    entries = ours.get("conflicts")
    return entries if isinstance(entries, list) else []


def _path(entry) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("path"), str):
        return entry["path"]
    return "?"


# -- git's text markers in the JSON -----------------------------------------------------------


class NoMarkers(ValueError):
    """The text has no complete conflict marker block."""


def split_text_conflicts(text: str) -> tuple[str, str | None, str, tuple[str, str, str]]:
    """Rebuild ``(local, base or None, remote, (local label, base label, remote label))`` from marked text.

    Lines outside the marker blocks belong to every version; inside a block the
    part after ``<<<<<<<`` is local's, the part after ``|||||||`` (if any)
    base's, the part after ``=======`` remote's. The marker length is taken
    from the first opening marker (7 unless ``conflict-marker-size`` was set).
    The base is returned only if every block has a base part. Raises
    :class:`NoMarkers` when there is no block, :class:`ValueError` for an
    unterminated one.
    """
    lines = text.splitlines(keepends=True)
    size = None
    for line in lines:
        m = _OPEN_RE.match(line.rstrip("\r\n"))
        if m:
            size = len(m.group(1))
            break
    if size is None:
        raise NoMarkers("no conflict markers")
    opener, mid, sep, closer = "<" * size, "|" * size, "=" * size, ">" * size

    def is_marker(line: str, mark: str, labelled: bool = True) -> bool:
        body = line.rstrip("\r\n")
        return body == mark or (labelled and body.startswith(mark + " ") and not body.startswith(mark + mark[0]))

    local: list[str] = []
    base: list[str] = []
    remote: list[str] = []
    labels = ["", "", ""]
    state = "out"
    blocks = 0
    all_have_base = True
    block_has_base = False
    for line in lines:
        if state == "out":
            if is_marker(line, opener):
                state = "local"
                block_has_base = False
                labels[0] = labels[0] or line.rstrip("\r\n")[size + 1 :]
                continue
            local.append(line)
            base.append(line)
            remote.append(line)
        elif state == "local":
            if is_marker(line, mid):
                state = "base"
                block_has_base = True
                labels[1] = labels[1] or line.rstrip("\r\n")[size + 1 :]
            elif is_marker(line, sep, labelled=False):
                state = "remote"
            else:
                local.append(line)
        elif state == "base":
            if is_marker(line, sep, labelled=False):
                state = "remote"
            else:
                base.append(line)
        else:  # remote
            if is_marker(line, closer):
                state = "out"
                blocks += 1
                all_have_base = all_have_base and block_has_base
                labels[2] = labels[2] or line.rstrip("\r\n")[size + 1 :]
            else:
                remote.append(line)
    if state != "out":
        raise ValueError("a conflict marker block is not closed")
    if not blocks:
        raise NoMarkers("no complete conflict marker block")
    return "".join(local), ("".join(base) if all_have_base else None), "".join(remote), (labels[0], labels[1], labels[2])


__all__ = ["find_conflicts", "conflict_records", "count_marker_blocks", "marker_blocks", "note_kind", "NOTE_RE", "read_marker_block", "source_lines",
           "split_text_conflicts", "NoMarkers"]
