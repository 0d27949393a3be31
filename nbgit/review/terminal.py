"""Render a :class:`~nbgit.diff.NotebookDiff` as cell-aware text for a terminal.

Layout (``nbgit diff``)::

    nbgit diff a/analysis.ipynb b/analysis.ipynb
    --- a/analysis.ipynb
    +++ b/analysis.ipynb
    @@ notebook metadata: kernelspec @@
    ...
    @@ cell 3 [code] id 1a2b3c: modified (source, outputs) @@
     unchanged context line
    -old line
    +new line
      outputs:
    -  [stdout] 1
    +  [stdout] 2
    ... 12 unchanged cells
    @@ cell 7 [markdown]: moved from cell 2 @@
    @@ cell 9 [code]: inserted @@
    +print("new")

Cells are numbered from 1 by their position in ``b`` (deleted cells by their
position in ``a``, shown as ``a:N``). With colour on, removed and added lines
are red and green, the words that changed inside a line are highlighted
(reverse video, like git's diff-highlight), cell headers are cyan and moves
magenta. Outputs are summarized (text kept, rich data as
``<image/png 12.3 kB sha1:...>``), never dumped. Every string from the notebooks
(names, ids, keys, source and output text) goes through :func:`nbgit._escape.term`:
control characters are shown escaped, never sent to the terminal (ANSI colour and
title sequences in outputs are dropped first, so tracebacks stay readable).
"""

from __future__ import annotations

import json
import re

from nbgit._escape import term
from nbgit.diff.model import DELETED, INSERTED, MOVED, UNCHANGED, CellDiff, NotebookDiff
from nbgit.diff.sequence import diff_lines, diff_sequences
from nbgit.diff.view import DEFAULT_VIEW, DiffView
from nbgit.notebook.outputs import mime_summary, render_output

#: unchanged source lines shown around a change
CONTEXT = 3

_STYLES = {
    "bold": "1",
    "red": "31",
    "green": "32",
    "cyan": "36",
    "magenta": "35",
    "dim": "2",
    "hl_red": "7;31",
    "hl_green": "7;32",
    "yellow": "33",
}
_WORD_RE = re.compile(r"\w+|\s+|[^\w\s]")
_ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


class _Style:
    def __init__(self, color: bool):
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        if not self.color or not text:
            return text
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"


def render_notebook_diff(
    diff: NotebookDiff,
    *,
    a_label: str = "a",
    b_label: str = "b",
    color: bool = False,
    outputs: bool = True,
    metadata: bool = True,
    context: int = CONTEXT,
    view: DiffView | None = None,
) -> list[str]:
    """Lines (without newlines) showing ``diff``; empty when nothing shown changed.

    ``view`` (:class:`nbgit.diff.view.DiffView`, default: everything, cell ids
    as one summary line) says which parts of the changes are shown; cells
    whose only changes are hidden are shown as unchanged. ``outputs=False`` /
    ``metadata=False`` also hide changes to outputs (and execution counts) /
    to metadata.
    """
    diff = effective_view(view, outputs, metadata).apply(diff)
    st = _Style(color)
    body: list[str] = [st(f"@@ {note} @@", "cyan") for note in diff.notes]
    if metadata and diff.metadata_changed:
        body.append(st(term(f"@@ notebook metadata: {', '.join(diff.metadata_changed)} @@"), "cyan"))
        md_a = diff.a.get("metadata", {})
        md_b = diff.b.get("metadata", {})
        keys = diff.metadata_changed
        body += _diff_block(
            _json_lines({k: md_a[k] for k in keys if k in md_a}),
            _json_lines({k: md_b[k] for k in keys if k in md_b}),
            st,
            context,
            indent="",
        )
    if diff.nbformat is not None:
        (ma, na), (mb, nb) = diff.nbformat
        body.append(st(term(f"@@ nbformat {ma}.{na} -> {mb}.{nb} @@"), "cyan"))
    for key in diff.other_changed:
        body.append(st(f"@@ notebook field {key!r} changed @@", "cyan"))

    skipped = 0
    for cd in diff.cells:
        shown = _cell_lines(cd, st, outputs, metadata, context)
        if not shown:
            skipped += 1
            continue
        if skipped:
            body.append(st(f"... {skipped} unchanged cell{'s' if skipped != 1 else ''}", "dim"))
            skipped = 0
        body += shown
    if not body:
        return []
    if skipped and body:
        body.append(st(f"... {skipped} unchanged cell{'s' if skipped != 1 else ''}", "dim"))
    head = [
        st(term(f"nbgit diff {a_label} {b_label}"), "bold"),
        st(term(f"--- {a_label}"), "bold"),
        st(term(f"+++ {b_label}"), "bold"),
    ]
    return head + body


def effective_view(view: DiffView | None, outputs: bool = True, metadata: bool = True) -> DiffView:
    """``view`` narrowed by the older ``--no-outputs`` / ``--no-metadata`` switches."""
    view = view or DEFAULT_VIEW
    if outputs and metadata:
        return view
    only = set(view.shown)
    if not outputs:
        only.discard("outputs")
    if not metadata:
        only.discard("metadata")
    if view.ids == "show":
        only |= {"ids"}
    return DiffView(only, ("ids",) if view.ids == "ignore" else ())


def visible_change(diff: NotebookDiff, *, outputs: bool = True, metadata: bool = True,
                   view: DiffView | None = None) -> bool:
    """True if rendering with these switches would show anything."""
    diff = effective_view(view, outputs, metadata).apply(diff)
    if diff.notes:
        return True
    if metadata and diff.metadata_changed:
        return True
    if diff.nbformat is not None or diff.other_changed:
        return True
    return any(_cell_parts(cd, outputs, metadata) for cd in diff.cells)


def _cell_parts(cd: CellDiff, outputs: bool, metadata: bool) -> tuple[str, ...] | None:
    """The changes of ``cd`` that are shown (None: nothing to show for this cell)."""
    if cd.kind in (INSERTED, DELETED, MOVED):
        return (cd.kind,)
    if cd.kind == UNCHANGED:
        return None
    hidden = set()
    if not outputs:
        hidden |= {"outputs", "execution_count"}
    if not metadata:
        hidden |= {"metadata"}
    parts = tuple(p for p in cd.changed if p not in hidden)
    if not parts and not cd.moved:
        return None
    return parts or ("moved",)


def _header(cd: CellDiff, what: str, st: _Style) -> str:
    cell = cd.cell
    ctype = cell.get("cell_type", "?")
    where = f"cell {cd.b_index + 1}" if cd.b_index is not None else f"cell a:{cd.a_index + 1}"
    cid = cell.get("id")
    ident = f" id {cid}" if isinstance(cid, str) else ""
    return st(term(f"@@ {where} [{ctype}]{ident}: {what} @@"), "magenta" if "moved" in what else "cyan")


def _cell_lines(cd: CellDiff, st: _Style, outputs: bool, metadata: bool, context: int) -> list[str]:
    parts = _cell_parts(cd, outputs, metadata)
    if parts is None:
        return []
    if cd.kind == INSERTED:
        lines = [_header(cd, "inserted", st)]
        lines += [st("+" + _clip(line), "green") for line in _strip_nl(cd.b_lines)]
        if outputs:
            lines += [st("+" + line, "green") for line in _output_lines(cd.b_cell)]
        return lines
    if cd.kind == DELETED:
        lines = [_header(cd, "deleted", st)]
        lines += [st("-" + _clip(line), "red") for line in _strip_nl(cd.a_lines)]
        if outputs:
            lines += [st("-" + line, "red") for line in _output_lines(cd.a_cell)]
        return lines
    moved = f"moved from cell {cd.a_index + 1}" if cd.moved else ""
    if cd.kind == MOVED:
        return [_header(cd, moved, st)]
    shown = [p for p in parts if p != "moved"]
    what = "modified (" + ", ".join(shown) + ")" if shown else ""
    lines = [_header(cd, ", ".join(w for w in (moved, what) if w), st)]
    a, b = cd.a_cell or {}, cd.b_cell or {}
    if "cell_type" in shown:
        lines.append(st(term(f"  cell type: {a.get('cell_type')} -> {b.get('cell_type')}"), "yellow"))
    if "id" in shown:
        lines.append(st(term(f"  id: {a.get('id')} -> {b.get('id')}"), "yellow"))
    if "source" in shown:
        if cd.source:
            a_lines, b_lines, ops = cd.display_source()
            if all(op[0] == "equal" for op in ops):
                lines.append(st("  (only the final newline changed)", "dim"))
            else:
                lines += _render_opcodes(a_lines, b_lines, ops, st, context, "")
        else:
            lines.append(st("  (same text, stored as a string / list of lines)", "dim"))
    if "execution_count" in shown:
        lines.append(st(term(f"  execution count: {a.get('execution_count')} -> {b.get('execution_count')}"), "yellow"))
    if "outputs" in shown:
        lines.append("  outputs:")
        lines += _diff_block(_output_lines(a, "  "), _output_lines(b, "  "), st, context, indent="")
    if "metadata" in shown:
        lines.append("  metadata:")
        lines += _diff_block(
            _json_lines(a.get("metadata", {}), "  "), _json_lines(b.get("metadata", {}), "  "), st, context, indent=""
        )
    if "attachments" in shown:
        lines.append("  attachments:")
        lines += _diff_block(_attachment_lines(a), _attachment_lines(b), st, context, indent="")
    for part in shown:
        if part not in ("cell_type", "id", "source", "execution_count", "outputs", "metadata", "attachments"):
            lines.append("  " + term(part) + ":")
            lines += _diff_block(_json_lines(a.get(part), "  "), _json_lines(b.get(part), "  "), st, context, indent="")
    return lines


def _diff_block(a: list[str], b: list[str], st: _Style, context: int, indent: str) -> list[str]:
    return _render_opcodes(a, b, diff_lines(a, b), st, context, indent)


def _render_opcodes(a: list[str], b: list[str], ops: list, st: _Style, context: int, indent: str) -> list[str]:
    """Unified-diff style lines for opcodes over ``a``/``b``, with ``context`` lines around changes."""
    out: list[str] = []
    last = len(ops) - 1
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            n = i2 - i1
            head = context if k > 0 else 0
            tail = context if k < last else 0
            if n <= head + tail:
                out += [" " + indent + _clip(line) for line in a[i1:i2]]
            else:
                out += [" " + indent + _clip(line) for line in a[i1 : i1 + head]]
                hidden = n - head - tail
                out.append(st(f" {indent}... {hidden} unchanged line{'s' if hidden != 1 else ''}", "dim"))
                out += [" " + indent + _clip(line) for line in a[i2 - tail : i2]]
            continue
        old = a[i1:i2]
        new = b[j1:j2]
        if tag == "replace" and st.color:
            pairs = min(len(old), len(new))
            hl_old, hl_new = [], []
            for x, y in zip(old[:pairs], new[:pairs]):
                hx, hy = _word_highlight(_clip(x), _clip(y), st)
                hl_old.append(hx)
                hl_new.append(hy)
            out += [st("-" + indent, "red") + line for line in hl_old]
            out += [st("-" + indent + _clip(line), "red") for line in old[pairs:]]
            out += [st("+" + indent, "green") + line for line in hl_new]
            out += [st("+" + indent + _clip(line), "green") for line in new[pairs:]]
        else:
            out += [st("-" + indent + _clip(line), "red") for line in old]
            out += [st("+" + indent + _clip(line), "green") for line in new]
    return out


def _word_highlight(x: str, y: str, st: _Style) -> tuple[str, str]:
    """The two lines coloured, with the words that differ highlighted (only when they share some)."""
    tx = _WORD_RE.findall(x)
    ty = _WORD_RE.findall(y)
    ops = diff_sequences(tx, ty)
    same = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal" and "".join(tx[i1:i2]).strip())
    if not same:  # nothing in common: highlighting everything would only add noise
        return st(x, "red"), st(y, "green")
    ox: list[str] = []
    oy: list[str] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            ox.append(st("".join(tx[i1:i2]), "red"))
            oy.append(st("".join(ty[j1:j2]), "green"))
        else:
            ox.append(st("".join(tx[i1:i2]), "hl_red"))
            oy.append(st("".join(ty[j1:j2]), "hl_green"))
    return "".join(ox), "".join(oy)


def _strip_nl(lines: list[str]) -> list[str]:
    return [line[:-1] if line.endswith("\n") else line for line in lines]


def _clip(line: str) -> str:
    """A line as shown: never cut (a diff never hides source; outputs are summarized before), controls escaped."""
    line = term(_ANSI_RE.sub("", line).replace("\r", ""), keep="\t")
    return line


def _json_lines(value, indent: str = "") -> list[str]:
    if value is None:
        return []
    text = json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)
    return [indent + term(line, keep="\t") for line in text.split("\n")]


def _output_lines(cell: dict | None, indent: str = "") -> list[str]:
    """A cell's outputs as summary lines, the way textconv shows them (see nbgit.notebook.outputs)."""
    lines: list[str] = []
    for out in (cell or {}).get("outputs") or []:
        if isinstance(out, dict):
            render_output(out, lines, indent, indent + "  ")
    return [term(_ANSI_RE.sub("", line), keep="\t") for line in lines]


def _attachment_lines(cell: dict) -> list[str]:
    att = cell.get("attachments") or {}
    lines = []
    if isinstance(att, dict):
        for name in sorted(att):
            bundle = att[name]
            if isinstance(bundle, dict):
                for mime in sorted(bundle):
                    lines.append(term(f"  {name}: {mime_summary(mime, bundle[mime])}"))
    return lines


__all__ = ["render_notebook_diff", "render_hunk", "render_cell_diff", "visible_change", "effective_view", "CONTEXT"]


def render_cell_diff(cd: CellDiff, *, color: bool = False, context: int = CONTEXT) -> list[str]:
    """Lines showing one cell's change (``nbgit log --cell``): the cell part of the diff view."""
    return _cell_lines(cd, _Style(color), True, True, context)


def render_hunk(diff: NotebookDiff, hunk: tuple, *, color: bool = False, context: int = CONTEXT) -> list[str]:
    """Lines showing one hunk of :mod:`nbgit.diff.hunks` (what ``nbgit add -p`` asks about)."""
    from dataclasses import replace

    from nbgit.diff.hunks import part_groups

    st = _Style(color)
    atom = hunk[0]
    if atom[0] == "meta":
        key = atom[1]
        md_a = diff.a.get("metadata", {}) if isinstance(diff.a.get("metadata"), dict) else {}
        md_b = diff.b.get("metadata", {}) if isinstance(diff.b.get("metadata"), dict) else {}
        lines = [st(f"@@ notebook metadata: {_clip(key)} @@", "cyan")]
        return lines + _diff_block(_json_lines({key: md_a[key]} if key in md_a else None),
                                   _json_lines({key: md_b[key]} if key in md_b else None), st, context, "")
    if atom[0] == "nbformat":
        (ma, na), (mb, nb) = diff.nbformat  # type: ignore[misc]
        return [st(f"@@ nbformat {ma}.{na} -> {mb}.{nb} @@", "cyan")]
    if atom[0] == "field":
        lines = [st(f"@@ notebook field {_clip(repr(atom[1]))} @@", "cyan")]
        return lines + _diff_block(_json_lines(diff.a.get(atom[1])), _json_lines(diff.b.get(atom[1])), st, context, "")
    cd = diff.cells[atom[1]]
    if atom[0] == "line":
        if len(hunk) > 1:
            part = replace(cd, changed=("source",), moved=False)
            return _cell_lines(part, st, True, True, context)
        return _line_hunk(cd, atom[2], st, context)
    name = atom[2]
    if name in (INSERTED, DELETED) or cd.kind == MOVED:
        return _cell_lines(cd, st, True, True, context)
    if name == "moved":
        return [_header(cd, f"moved from cell {cd.a_index + 1}", st)]
    keys = dict(part_groups(cd)).get(name, (name,))
    return _cell_lines(replace(cd, changed=keys, moved=False), st, True, True, context)


def _line_hunk(cd: CellDiff, n: int, st: _Style, context: int) -> list[str]:
    """One run of changed source lines with its context (a hunk after ``s``plit)."""
    a, b = _strip_nl(cd.a_lines), _strip_nl(cd.b_lines)
    tag, i1, i2, j1, j2 = cd.source[n]
    if i2 - i1 > 1:
        what = f"source lines {i1 + 1}-{i2}"
    else:
        what = f"source line {i1 + 1}" if i2 > i1 else f"source, after line {i1}"
    lines = [_header(cd, what, st)]
    before = cd.source[n - 1] if n > 0 and cd.source[n - 1][0] == "equal" else None
    after = cd.source[n + 1] if n + 1 < len(cd.source) and cd.source[n + 1][0] == "equal" else None
    if before is not None:  # context: unchanged lines only, never a neighbouring change
        lines += [" " + _clip(line) for line in a[max(before[1], i1 - context) : i1]]
    lines += [st("-" + _clip(line), "red") for line in a[i1:i2]]
    lines += [st("+" + _clip(line), "green") for line in b[j1:j2]]
    if after is not None:
        lines += [" " + _clip(line) for line in a[i2 : min(after[2], i2 + context)]]
    return lines
