"""GitHub-flavoured markdown review, sized for a pull-request comment.

``gh pr comment --body-file review.md`` posts it. Layout: a title, a summary
table (one row per notebook), then one collapsible ``<details>`` block per
notebook with a fenced ```` ```diff ```` block per changed cell.

Safety and size (a pull request's notebooks are untrusted; the comment is
posted under the reviewer's name):

* every repository string outside a code fence (paths, cell ids, cell types,
  metadata keys, nbformat versions, error messages) goes through
  :func:`md_text`: one line, control characters shown escaped, markdown and
  HTML punctuation as character references, and an invisible word joiner
  after ``@`` and ``#``. It renders as the literal text: it cannot end a
  ``<details>`` block or a table row, and makes no HTML, image, link,
  autolink, ``@mention`` or ``#123`` reference. Names are shown inside
  ``<code>``, which GitHub also never scans for mentions;
* a code fence is always longer than the longest backtick run inside it, so
  cell content can never close it; lines inside it are single lines with
  control characters shown escaped;
* ``tests/test_review_markdown_gfm.py`` parses the output of arbitrary notebook
  strings with two GFM parsers (markdown-it-py with linkify, and cmark-gfm,
  GitHub's own) and checks that the structure is exactly the one emitted here;
* the whole text stays under ``max_chars`` (GitHub rejects comments of 65,536
  characters or more): long cells are cut, and when notebooks do not fit they
  are left out with a note that says how many and points to the HTML page.
"""

from __future__ import annotations

import re

from nbgit._escape import term
from nbgit.diff import DELETED, INSERTED, MODIFIED, MOVED, CellDiff
from nbgit.review.changes import (
    ADDED,
    REMOVED,
    RENAMED,
    NotebookChange,
    cell_id,
    cell_label,
    cell_type,
    is_minor,
    output_line_diff,
    output_lines,
    outputs_of,
)

#: GitHub's limit for a comment body is 65,536 characters; stay clear of it.
GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_MAX_CHARS = 65_000
#: Lines of one cell's diff shown before it is cut.
MAX_CELL_LINES = 120
CONTEXT = 3

_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|<>&~@:\"'=$^]")
#: U+2060 WORD JOINER after ``@``, ``#`` and ``-``: GitHub finds mentions and issue references
#: (``@user``, ``#12``, ``GH-12``) in the rendered text, entities decoded, so a character reference
#: alone would not stop them. Not inside ``<code>``, which GitHub does not scan (names stay copyable).
_JOIN = {"@": "&#64;&#8288;", "#": "&#35;&#8288;", "-": "&#45;&#8288;"}


def _one_line(s: object) -> str:
    """One line: whitespace runs (newlines included) become one space, other controls show escaped."""
    return term(" ".join(str(s).split()))


#: GitHub's parser (cmark-gfm) turns ``a@b.example``, ``https://...`` and ``www.x.y`` in text into
#: links after character references are decoded, inside an HTML ``<code>`` too: a ``<wbr>`` (an
#: empty element, invisible, allowed by GitHub) after ``@`` and ``:`` and inside ``www.`` splits
#: the text where the autolink would start.
_NO_AUTOLINK = {"@": "&#64;<wbr>", ":": "&#58;<wbr>"}
_WWW = re.compile(r"(www)(&#46;)", re.I)


def md_text(s: object) -> str:
    """``s`` as literal inline text (markdown or HTML context): one line, punctuation as character
    references, no mention, reference or autolink; see the module docstring."""
    out = _SPECIAL.sub(lambda m: _JOIN.get(m.group()) or _NO_AUTOLINK.get(m.group()) or f"&#{ord(m.group())};", _one_line(s))
    return _WWW.sub(r"\1<wbr>\2", out)


def md_code(s: object) -> str:
    """``s`` as literal text inside ``<code>`` (names, ids, keys): like :func:`md_text`, without the
    joiners (GitHub looks for no mention in code; only the invisible autolink breaks)."""
    out = _SPECIAL.sub(lambda m: _NO_AUTOLINK.get(m.group()) or f"&#{ord(m.group())};", _one_line(s))
    return "<code>" + _WWW.sub(r"\1<wbr>\2", out) + "</code>"


def code_span(s: str) -> str:
    """``s`` as an inline code span (literal text), or as :func:`md_text` when it holds a backtick."""
    s = _one_line(s).strip()
    return f"`{s}`" if s and "`" not in s else md_text(s)


def fence_for(body: str, info: str = "diff") -> tuple[str, str]:
    """Opening and closing fence longer than any backtick run in ``body``."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return ticks + info, ticks


def render_markdown(
    changes: list[NotebookChange],
    *,
    base: str = "base",
    head: str = "head",
    max_chars: int = DEFAULT_MAX_CHARS,
    html_hint: str | None = "the HTML review",
) -> str:
    """The review of ``changes`` as GitHub-flavoured markdown of fewer than ``max_chars`` characters."""
    if max_chars < 2000:
        raise ValueError("max_chars must be at least 2000")
    footer_reserve = 600
    budget = max_chars - footer_reserve
    parts: list[str] = []
    parts.append(f"## Notebook review: {code_span(base)} → {code_span(head)}\n\n")
    parts.append(_totals_line(changes) + "\n\n")
    if not changes:
        parts.append("No notebook changed.\n")
        return "".join(parts)

    table, table_rows = _table(changes, limit=budget // 3)
    parts.append(table + "\n")
    used = sum(map(len, parts))

    shown_full = 0
    omitted_notebooks = 0
    cut_notebooks = 0
    for n, change in enumerate(changes):
        pieces = _notebook_pieces(change, n)
        block = "".join(pieces)
        if used + len(block) <= budget:
            parts.append(block)
            used += len(block)
            shown_full += 1
            continue
        # Fit what we can of this notebook, then stop: the rest is in the HTML page.
        head_piece, cells, tail = pieces[0], pieces[1:-1], pieces[-1]
        note_len = 120
        if used + len(head_piece) + len(tail) + note_len <= budget:
            parts.append(head_piece)
            used += len(head_piece)
            kept = 0
            for piece in cells:
                if used + len(piece) + len(tail) + note_len > budget:
                    break
                parts.append(piece)
                used += len(piece)
                kept += 1
            note = f"_… {len(cells) - kept} more changed cell(s) of this notebook not shown._\n\n"
            parts.append(note + tail)
            used += len(note) + len(tail)
            cut_notebooks = 1
            omitted_notebooks = len(changes) - n - 1
        else:
            omitted_notebooks = len(changes) - n
        break

    if omitted_notebooks or cut_notebooks or table_rows < len(changes):
        where = f"; {html_hint} has everything" if html_hint else ""
        what = []
        if cut_notebooks:
            what.append("1 notebook cut short")
        if omitted_notebooks:
            what.append(f"{omitted_notebooks} notebook(s) not shown")
        if table_rows < len(changes):
            what.append(f"{len(changes) - table_rows} row(s) left out of the table")
        parts.append(
            f"\n> [!NOTE]\n> Truncated to stay under GitHub's {GITHUB_COMMENT_LIMIT:,}-character comment limit: "
            f"{', '.join(what)}{where}.\n"
        )
    text = "".join(parts)
    if len(text) >= max_chars:  # cannot happen with the reserves above; never post a rejected comment
        text = text[: max_chars - 200] + "\n\n_(cut at the comment size limit)_\n"
    return text


def _totals_line(changes: list[NotebookChange]) -> str:
    tot = {"added": 0, "removed": 0, "modified": 0, "moved": 0, "outputs": 0}
    for c in changes:
        for k in tot:
            tot[k] += c.summary.get(k, 0)
    n = len(changes)
    return (
        f"**{n} notebook{'s' if n != 1 else ''} changed** · cells: {tot['added']} added, "
        f"{tot['removed']} removed, {tot['modified']} modified, {tot['moved']} moved · "
        f"{tot['outputs']} with changed outputs"
    )


def _table(changes: list[NotebookChange], limit: int) -> tuple[str, int]:
    lines = [
        "| Notebook | Status | Added | Removed | Modified | Moved | Outputs changed |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    size = sum(len(x) + 1 for x in lines)
    rows = 0
    for change in changes:
        s = change.summary
        status = change.status
        if change.status == RENAMED and change.old_path:
            status = f"renamed from {md_code(change.old_path)}"
        if change.error:
            row = f"| {md_code(change.path)} | {status}: unreadable ({md_text(change.error)}) | | | | | |"
        else:
            row = (
                f"| {md_code(change.path)} | {status} | {s.get('added', 0)} | {s.get('removed', 0)} | "
                f"{s.get('modified', 0)} | {s.get('moved', 0)} | {s.get('outputs', 0)} |"
            )
        if size + len(row) + 1 > limit:
            break
        lines.append(row)
        size += len(row) + 1
        rows += 1
    if rows < len(changes):
        lines.append(f"| _… {len(changes) - rows} more_ | | | | | | |")
    return "\n".join(lines) + "\n", rows


def _notebook_pieces(change: NotebookChange, n: int) -> list[str]:
    """[opening of the <details> block, one piece per changed cell..., closing]."""
    s = change.summary
    bits = []
    for key, word in (("added", "added"), ("removed", "removed"), ("modified", "modified"), ("moved", "moved")):
        if s.get(key):
            bits.append(f"{s[key]} {word}")
    if s.get("outputs"):
        bits.append(f"{s['outputs']} output change{'s' if s['outputs'] != 1 else ''}")
    if s.get("counts"):
        bits.append(f"{s['counts']} new execution count{'s' if s['counts'] != 1 else ''} only")
    if s.get("rerun"):
        bits.append(f"{s['rerun']} re-run only")
    status = {ADDED: " (new notebook)", REMOVED: " (deleted notebook)"}.get(change.status, "")
    if change.status == RENAMED and change.old_path:
        status = f" (renamed from {md_code(change.old_path)})"
    summary = f"{md_code(change.path)}{status}"
    if bits:
        summary += " — " + ", ".join(bits)
    opening = f"<details><summary>{summary}</summary>\n\n"
    closing = "</details>\n\n"
    pieces = [opening]
    if change.error:
        pieces.append(f"Cannot show a diff: {md_text(change.error)}.\n\n")
        return pieces + [closing]
    diff = change.diff
    for note in diff.notes:
        pieces.append(f"{md_text(note)}.\n\n")
    if diff.metadata_changed:
        keys = ", ".join(f"{md_code(k)}" for k in diff.metadata_changed)
        pieces.append(f"Notebook metadata changed: {keys}\n\n")
    if diff.nbformat is not None:
        (a1, a2), (b1, b2) = diff.nbformat
        pieces.append(f"nbformat {md_text(a1)}&#46;{md_text(a2)} → {md_text(b1)}&#46;{md_text(b2)}\n\n")
    shown = 0
    for cd in diff.cells:
        piece = cell_piece(cd)
        if piece:
            pieces.append(piece)
            shown += 1
    if s.get("rerun"):
        n_rerun = s["rerun"]
        pieces.append(
            f"{n_rerun} cell{'s' if n_rerun != 1 else ''} with outputs changed only by a re-run (execution counts, "
            "timestamps, memory addresses, lines in another order): not shown.\n\n"
        )
    if shown == 0 and not diff.metadata_changed and diff.nbformat is None and not diff.notes and not s.get("rerun"):
        if s.get("counts"):
            pieces.append("Only execution counts changed.\n\n")
        else:
            pieces.append("No cell changed (only the JSON form of the file differs).\n\n")
    return pieces + [closing]


def cell_piece(cd: CellDiff) -> str:
    """The markdown of one changed cell: a heading line and a fenced diff (empty for unchanged cells)."""
    if cd.kind not in (MODIFIED, MOVED, INSERTED, DELETED) or is_minor(cd):
        return ""
    cell = cd.cell
    label = f"**{cell_label(cd).capitalize()}** ({md_text(cell_type(cell))}"
    cid = cell_id(cell)
    if cid:
        label += f", id {md_code(cid)}"
    label += ")"
    notes = []
    if cd.kind == INSERTED:
        notes.append("added")
    elif cd.kind == DELETED:
        notes.append("deleted")
    if cd.moved or cd.kind == MOVED:
        notes.append(f"moved from cell {cd.a_index + 1}")
    if cd.kind == MODIFIED:
        parts = [p for p in cd.changed if p != "source" or cd.source]
        if "source" in cd.changed and not cd.source:
            parts.append("source JSON form")
        notes.append("changed: " + ", ".join(md_text(p) for p in dict.fromkeys(parts)))
    head = f"{label} — {'; '.join(notes)}\n\n"
    lines = diff_body(cd)
    if not lines:
        return head
    cut = len(lines) - MAX_CELL_LINES
    if cut > 0:
        lines = lines[:MAX_CELL_LINES] + [f"@@ … {cut} more line(s) not shown @@\n"]
    body = "".join(lines)
    open_f, close_f = fence_for(body)
    return f"{head}{open_f}\n{body}{close_f}\n\n"


def diff_body(cd: CellDiff) -> list[str]:
    """Unified-diff lines (``' '``, ``'-'``, ``'+'``, ``'@@'``) for a cell's source and outputs."""
    if cd.kind == INSERTED:
        src = _prefixed("+", cd.b_lines)
        outs = output_lines(outputs_of(cd.b_cell))
        return src + (["@@ outputs @@\n"] + _prefixed("+", outs) if outs else [])
    if cd.kind == DELETED:
        src = _prefixed("-", cd.a_lines)
        outs = output_lines(outputs_of(cd.a_cell))
        return src + (["@@ outputs @@\n"] + _prefixed("-", outs) if outs else [])
    if cd.kind != MODIFIED:
        return []
    lines: list[str] = []
    if cd.source:
        lines += unified(*cd.display_source())  # an appended line is one added line
    if "cell_type" in cd.changed:
        lines.append(f"@@ cell type @@\n-{_one_line(cell_type(cd.a_cell))}\n+{_one_line(cell_type(cd.b_cell))}\n")
    if "outputs" in cd.changed:
        oa, ob = output_lines(outputs_of(cd.a_cell)), output_lines(outputs_of(cd.b_cell))
        body = unified(oa, ob, output_line_diff(oa, ob), header="outputs")
        lines += body or ["@@ outputs @@\n", " (only output metadata changed)\n"]
    if "metadata" in cd.changed:
        ma, mb = (cd.a_cell or {}).get("metadata"), (cd.b_cell or {}).get("metadata")
        ma, mb = (ma if isinstance(ma, dict) else {}), (mb if isinstance(mb, dict) else {})
        keys = sorted(k for k in set(ma) | set(mb) if ma.get(k, _NONE) != mb.get(k, _NONE))
        lines.append(f"@@ metadata: {_one_line(', '.join(keys))} @@\n")
    return lines


_NONE = object()


def unified(a: list[str], b: list[str], opcodes, context: int = CONTEXT, header: str = "") -> list[str]:
    """Unified-diff body of ``a`` -> ``b`` from opcodes: changes with ``context`` lines around them.

    Runs of equal lines longer than the context are replaced by one ``@@ … @@``
    line; ``header`` (e.g. ``outputs``) opens the body as ``@@ header @@``.
    """
    if all(op[0] == "equal" for op in opcodes):
        return []
    out: list[str] = [f"@@ {header} @@\n"] if header else []
    last = len(opcodes) - 1
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag != "equal":
            out += _prefixed("-", a[i1:i2])
            out += _prefixed("+", b[j1:j2])
            continue
        lead = context if k > 0 else 0  # lines after the previous change
        trail = context if k < last else 0  # lines before the next change
        if i2 - i1 <= lead + trail:
            out += _prefixed(" ", a[i1:i2])
            continue
        out += _prefixed(" ", a[i1 : i1 + lead])
        if k > 0 and k < last:
            out.append("@@ … @@\n")
        out += _prefixed(" ", a[i2 - trail : i2])
    return out


def _prefixed(prefix: str, lines: list[str]) -> list[str]:
    """One fenced line each: controls inside a line (a lone CR would end it for a markdown reader) escaped."""
    return [f"{prefix}{term(line.rstrip(chr(13) + chr(10)), keep=chr(9))}\n" for line in lines]
