"""A self-contained HTML review page: one file, no network, no notebook code that runs.

Layout: a title and a table of changed notebooks, then per notebook a summary
(cells added / removed / modified / moved, outputs changed) and its cells in
display order. Runs of unchanged cells are folded into ``<details>``; changed
cells are shown side by side (base | head) with line and word highlights,
long unchanged stretches of a source folded; markdown cells are also
rendered; outputs changed are shown side by side with a before/after flip for
pictures. Every change has an anchor; ``j``/``k`` step through changes,
``n``/``p`` through notebooks, ``t`` flips the current change's outputs.

Safety (the page shows untrusted notebooks):

* every notebook string goes through :func:`esc` (HTML-escaped, quotes too)
  before it reaches the page; element ids and classes come from indices,
  never from notebook content;
* markdown is rendered by markdown-it-py in safe mode
  (:mod:`nbgit.review.md_render`: raw HTML off, tables, math as MathML);
  raw HTML in markdown stays text; links are shown, not followed; code is
  coloured by Pygments (:mod:`nbgit.review.highlight`), as escaped text in
  ``<span class>``;
* pictures are ``data:`` URIs built from checked base64 (SVG included, which
  as an ``<img>`` never runs script); ``text/html`` outputs go into
  ``<iframe sandbox srcdoc=...>`` without ``allow-scripts``;
* a Content-Security-Policy ``<meta>`` allows nothing but the page's own
  inline style and script (by SHA-256 hash) and ``data:`` images, so even a
  mistake here could not load or run anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html as _html
import json
import re

from nbgit._escape import term
from nbgit.diff import DELETED, INSERTED, MODIFIED, MOVED, UNCHANGED, CellDiff, diff_sequences
from nbgit.review.changes import (
    ADDED,
    IMAGE_TYPES,
    REMOVED,
    RENAMED,
    NotebookChange,
    cell_id,
    cell_type,
    is_change,
    is_minor,
    is_rerun,
    output_line_diff,
    output_lines,
    outputs_of,
    strip_ansi,
)
from nbgit.review.highlight import css as highlight_css
from nbgit.review.highlight import highlight_html, line_tokens, notebook_language
from nbgit.review.html_assets import CSS, JS
from nbgit.review.md_render import markdown_to_html

CONTEXT = 3
#: Characters of one text output shown before it is cut.
MAX_TEXT = 50_000
#: Lines longer than this are highlighted as whole lines, not word by word.
MAX_WORD_DIFF_LINE = 2_000
_B64_RE = re.compile(r"^[A-Za-z0-9+/\s]*={0,2}\s*$")
_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def esc(value) -> str:
    """HTML-escape any value for text and for double-quoted attributes.

    Control characters other than tab and line ends are shown escaped (``\\x1b``,
    ``\\u202e``), like in the terminal: a bidi override cannot reorder what a reviewer
    reads, and a lone surrogate (a byte of a non-UTF-8 file name, ``"\\ud83d"`` in
    JSON), which cannot be written as UTF-8, does not fail the whole page.
    """
    return _html.escape(term(value if isinstance(value, str) else str(value), keep="\t\n\r"), quote=True)


def name(value) -> str:
    """A file name, cell id or key for HTML: one line, control characters shown escaped, then :func:`esc`."""
    return esc(term(value))


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def page_css() -> str:
    """The page's one stylesheet: nbgit's, then the Pygments colours (hashed together for the CSP)."""
    return CSS + highlight_css()


def content_security_policy() -> str:
    """The page's policy: nothing but its own inline style and script, and data: images."""
    return (
        "default-src 'none'; "
        f"script-src 'sha256-{_sha256(JS)}'; "
        f"style-src 'sha256-{_sha256(page_css())}'; "
        "img-src data:; "  # frames: none needed (srcdoc frames inherit this policy)
        "base-uri 'none'; form-action 'none'"
    )


def render_html(changes: list[NotebookChange], *, base: str = "base", head: str = "head") -> str:
    """The review page for ``changes`` (see the module docstring)."""
    title = f"Notebook review: {base} → {head}"
    out = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        f'<meta http-equiv="Content-Security-Policy" content="{esc(content_security_policy())}">\n',
        '<meta name="referrer" content="no-referrer">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{name(title)}</title>\n<style>{page_css()}</style>\n</head>\n<body>\n<main>\n",
        f'<h1>Notebook review: <code>{name(base)}</code> → <code>{name(head)}</code></h1>\n',
        _totals(changes),
        '<p class="keys">Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous change · <kbd>n</kbd>/<kbd>p</kbd> '
        "next/previous notebook · <kbd>t</kbd> flip outputs before/after</p>\n",
    ]
    if not changes:
        out.append("<p>No notebook changed.</p>\n")
    else:
        out.append(_toc(changes))
        for n, change in enumerate(changes, 1):
            out.append(_notebook_section(change, n))
    out.append(f"</main>\n<script>{JS}</script>\n</body>\n</html>\n")
    return "".join(out)


# --- page parts ------------------------------------------------------------------------------


def _totals(changes: list[NotebookChange]) -> str:
    tot = {k: sum(c.summary.get(k, 0) for c in changes) for k in ("added", "removed", "modified", "moved", "outputs")}
    n = len(changes)
    return (
        f'<p class="muted">{n} notebook{"s" if n != 1 else ""} changed · cells: {tot["added"]} added, '
        f'{tot["removed"]} removed, {tot["modified"]} modified, {tot["moved"]} moved · '
        f'{tot["outputs"]} with changed outputs</p>\n'
    )


def _status(change: NotebookChange) -> str:
    if change.status == RENAMED and change.old_path:
        return f"renamed from <code>{name(change.old_path)}</code>"
    return {ADDED: "added", REMOVED: "deleted"}.get(change.status, change.status)


def _toc(changes: list[NotebookChange]) -> str:
    rows = [
        '<table class="toc"><thead><tr><th>Notebook</th><th>Status</th><th>Added</th><th>Removed</th>'
        "<th>Modified</th><th>Moved</th><th>Outputs changed</th></tr></thead><tbody>\n"
    ]
    for n, c in enumerate(changes, 1):
        s = c.summary
        status = _status(c) + (" (unreadable)" if c.error else "")
        rows.append(
            f'<tr><td class="path"><a href="#nb{n}">{name(c.path)}</a></td><td class="status">{status}</td>'
            + "".join(f"<td>{s.get(k, 0)}</td>" for k in ("added", "removed", "modified", "moved", "outputs"))
            + "</tr>\n"
        )
    rows.append("</tbody></table>\n")
    return "".join(rows)


def _chips(change: NotebookChange) -> str:
    s = change.summary
    items = []
    for key, word, cls in (
        ("added", "added", "add"),
        ("removed", "removed", "del"),
        ("modified", "modified", "mod"),
        ("moved", "moved", "mod"),
        ("outputs", "outputs changed", "mod"),
        ("counts", "new execution counts only", ""),
        ("rerun", "re-run only", ""),
        ("unchanged", "unchanged", ""),
    ):
        if s.get(key):
            items.append(f'<li class="{cls}">{s[key]} {word}</li>')
    return f'<ul class="chips">{"".join(items)}</ul>' if items else ""


def _notebook_section(change: NotebookChange, n: int) -> str:
    out = [
        f'<section class="nb" id="nb{n}">\n<header><h2><a class="path" href="#nb{n}">{name(change.path)}</a>'
        f'<span class="status">{_status(change)}</span></h2>\n{_chips(change)}\n'
    ]
    diff = change.diff
    for note in diff.notes if diff is not None else ():
        out.append(f'<div class="muted">{esc(note)}</div>\n')
    if diff is not None and diff.metadata_changed:
        keys = ", ".join(f"<code>{name(k)}</code>" for k in diff.metadata_changed)
        out.append(f'<div class="muted">notebook metadata changed: {keys}</div>\n')
    if diff is not None and diff.nbformat is not None:
        (a1, a2), (b1, b2) = diff.nbformat
        out.append(f'<div class="muted">nbformat {name(a1)}.{name(a2)} → {name(b1)}.{name(b2)}</div>\n')
    out.append('</header>\n<div class="cells">\n')
    lang = notebook_language(diff.b) if diff is not None else None
    if change.error or diff is None:
        out.append(f'<p class="error-box">Cannot show a diff: {esc(change.error)}</p>\n')
    else:
        run: list[CellDiff] = []
        rerun: list[CellDiff] = []  # outputs changed only by a re-run: grouped apart, after the real changes
        for cd in diff.cells:
            if is_rerun(cd):
                rerun.append(cd)
                continue
            if cd.kind == UNCHANGED or is_minor(cd):
                run.append(cd)
                continue
            out.append(_fold(run, n, lang))
            run = []
            out.append(_cell(cd, n, lang))
        out.append(_fold(run, n, lang))
        out.append(_rerun_group(rerun, n))
        if diff.cells and not any(is_change(cd) for cd in diff.cells) and not rerun:
            minor = change.summary.get("counts", 0)
            out.append(f'<p class="note">{"Only execution counts changed." if minor else "No cell changed."}</p>\n')
    out.append("</div>\n</section>\n")
    return "".join(out)


def _rerun_group(cells: list[CellDiff], n: int) -> str:
    """Cells whose outputs changed only because the notebook was re-run, with their output changes."""
    if not cells:
        return ""
    body = "".join(
        f'<article class="cell rerun" id="{_cell_anchor(cd, n)}">{_cell_header(cd, n, "outputs changed by a re-run only")}'
        f'{_outputs_block(cd, _cell_anchor(cd, n))}</article>\n'
        for cd in cells
    )
    plural = "s" if len(cells) != 1 else ""
    return (
        f'<details class="fold rerun"><summary>{len(cells)} cell{plural} whose outputs changed only because the '
        "notebook was re-run (execution counts, timestamps, memory addresses, lines in another order)</summary>\n"
        f"{body}</details>\n"
    )


def _fold(run: list[CellDiff], n: int, lang: str | None = None) -> str:
    if not run:
        return ""
    first, last = run[0].b_index + 1, run[-1].b_index + 1
    where = f"cell {first}" if first == last else f"cells {first}–{last}"
    body = "".join(_unchanged_cell(cd, n, lang) for cd in run)
    plural = "s" if len(run) != 1 else ""
    minor = sum(1 for cd in run if cd.kind != UNCHANGED)
    if minor:
        where += f"; {minor} with only a new execution count"
    return f'<details class="fold"><summary>{len(run)} unchanged cell{plural} ({where})</summary>\n{body}</details>\n'


def _cell_anchor(cd: CellDiff, n: int) -> str:
    if cd.b_index is not None:
        return f"nb{n}-c{cd.b_index + 1}"
    return f"nb{n}-d{cd.a_index + 1}"


def _cell_header(cd: CellDiff, n: int, note: str) -> str:
    anchor = _cell_anchor(cd, n)
    label = f"cell {cd.b_index + 1}" if cd.b_index is not None else f"cell {cd.a_index + 1} of base"
    cell = cd.cell
    cid = cell_id(cell)
    bits = [
        f'<a class="anchor" href="#{anchor}">{label}</a>',
        f'<span class="kind">{name(cell_type(cell))}</span>',
    ]
    if cid:
        bits.append(f'<span class="muted">id <code>{name(cid)}</code></span>')
    if note:
        bits.append(f"<span>{note}</span>")
    return f"<header>{''.join(bits)}</header>\n"


def _code_language(cell: dict | None, lang: str | None) -> str | None:
    """The lexer for ``cell``: the notebook's language for code cells, none for markdown and raw."""
    return lang if cell_type(cell) == "code" else None


def _source_pre(cell: dict | None, lang: str | None) -> str:
    """A whole source, coloured when it is code (``lang`` None: plain, as for the folded unchanged cells,
    whose colours would cost most of the page's time: Pygments' lexers are pure Python)."""
    text = _source(cell)
    colored = highlight_html(text, _code_language(cell, lang))
    return f'<pre class="single src hl">{colored if colored is not None else esc(text)}</pre>'


def _unchanged_cell(cd: CellDiff, n: int, lang: str | None = None) -> str:
    anchor = _cell_anchor(cd, n)
    note = "unchanged"
    if cd.kind != UNCHANGED:
        ca, cb = (cd.a_cell or {}).get("execution_count"), (cd.b_cell or {}).get("execution_count")
        note = f"execution count {esc(ca)} → {esc(cb)}"
    return (
        f'<article class="cell unchanged" id="{anchor}">{_cell_header(cd, n, note)}'
        f"{_source_pre(cd.b_cell, None)}</article>\n"
    )


def _source(cell: dict | None) -> str:
    src = (cell or {}).get("source", "")
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else json.dumps(src)


def _cell(cd: CellDiff, n: int, lang: str | None = None) -> str:
    anchor = _cell_anchor(cd, n)
    notes = []
    if cd.kind == INSERTED:
        notes.append("added")
    elif cd.kind == DELETED:
        notes.append("deleted")
    elif cd.kind == MODIFIED:
        notes.append("modified: " + ", ".join(name(p) for p in cd.changed))
    if cd.moved or cd.kind == MOVED:
        notes.append(f"moved from cell {cd.a_index + 1}")
    out = [f'<article class="cell change {cd.kind}" id="{anchor}">', _cell_header(cd, n, " · ".join(notes))]
    a_lines = cd.a_lines if cd.a_cell is not None else []
    b_lines = cd.b_lines if cd.b_cell is not None else []
    langs = (_code_language(cd.a_cell, lang), _code_language(cd.b_cell, lang))
    if cd.kind == INSERTED:
        out.append(_source_table([], b_lines, [("insert", 0, 0, 0, len(b_lines))] if b_lines else [], langs))
    elif cd.kind == DELETED:
        out.append(_source_table(a_lines, [], [("delete", 0, len(a_lines), 0, 0)] if a_lines else [], langs))
    elif cd.kind == MODIFIED and cd.source:
        a_shown, b_shown, ops = cd.display_source()  # an appended line is one added line
        out.append(_source_table(a_shown, b_shown, ops, langs))
    else:
        out.append(_source_pre(cd.cell, lang))
    if cd.kind == MODIFIED and "cell_type" in cd.changed:
        out.append(f'<p class="note">cell type: {name(cell_type(cd.a_cell))} → {name(cell_type(cd.b_cell))}</p>')
    if cell_type(cd.cell) == "markdown" or cell_type(cd.a_cell) == "markdown":
        out.append(_markdown_pair(cd, anchor))
    out.append(_outputs_block(cd, anchor))
    if cd.kind == MODIFIED and "metadata" in cd.changed:
        out.append(_metadata_note(cd))
    out.append("</article>\n")
    return "".join(out)


def _metadata_note(cd: CellDiff) -> str:
    ma, mb = (cd.a_cell or {}).get("metadata"), (cd.b_cell or {}).get("metadata")
    ma, mb = (ma if isinstance(ma, dict) else {}), (mb if isinstance(mb, dict) else {})
    missing = object()
    keys = sorted(k for k in set(ma) | set(mb) if ma.get(k, missing) != mb.get(k, missing))
    return f'<p class="note">cell metadata changed: {", ".join(f"<code>{name(k)}</code>" for k in keys)}</p>'


# --- side-by-side source ------------------------------------------------------------------------


def _row(ln_a, html_a: str, cls_a: str, ln_b, html_b: str, cls_b: str) -> str:
    return (
        f'<tr><td class="ln">{ln_a if ln_a is not None else ""}</td><td class="{cls_a}">{html_a}</td>'
        f'<td class="ln">{ln_b if ln_b is not None else ""}</td><td class="b-side {cls_b}">{html_b}</td></tr>\n'
    )


def _tokens(lines: list[str], lang: str | None) -> list | None:
    return line_tokens([line.rstrip("\r\n") for line in lines], lang) if lang and lines else None


def paint(text: str, tokens: list[tuple[str, str]] | None = None, marks: list[tuple[bool, str]] | None = None,
          tag: str = "del") -> str:
    """One line as escaped HTML: Pygments colours (``tokens``) with word-diff marks laid over them.

    ``tokens`` and ``marks`` each cover ``text`` exactly (``(class, piece)`` and ``(changed,
    piece)``); a changed stretch is wrapped in ``<del class="w">``/``<ins class="w">`` (``tag``),
    colours stay inside it as ``<span class>``. Every piece of text is escaped.
    """
    toks = tokens if tokens is not None and "".join(t for _, t in tokens) == text else [("", text)]
    mks = marks if marks is not None else [(False, text)]
    out: list[str] = []
    ti = mi = 0
    t_left = len(toks[0][1]) if toks else 0
    m_left = len(mks[0][1]) if mks else 0
    pos = 0
    open_mark = False
    while pos < len(text):
        while t_left == 0:
            ti += 1
            t_left = len(toks[ti][1])
        while m_left == 0:
            mi += 1
            m_left = len(mks[mi][1])
        step = min(t_left, m_left)
        changed = mks[mi][0]
        if changed != open_mark:
            out.append(f'<{tag} class="w">' if changed else f"</{tag}>")
            open_mark = changed
        piece = esc(text[pos : pos + step])
        cls = toks[ti][0]
        out.append(f'<span class="{cls}">{piece}</span>' if cls else piece)
        pos += step
        t_left -= step
        m_left -= step
    if open_mark:
        out.append(f"</{tag}>")
    return "".join(out)


def _source_table(a: list[str], b: list[str], opcodes: list, langs: tuple[str | None, str | None] = (None, None)) -> str:
    """Side-by-side table; equal stretches longer than 2*CONTEXT+1 lines are folded (click to open)."""
    ta, tb = _tokens(a, langs[0]), _tokens(b, langs[1])

    def la(i: int) -> str:
        return paint(a[i].rstrip("\r\n"), ta[i] if ta else None)

    def lb(j: int) -> str:
        return paint(b[j].rstrip("\r\n"), tb[j] if tb else None)

    out = ['<table class="sbs src hl"><colgroup><col class="ln"><col><col class="ln"><col></colgroup>\n<tbody>\n']
    last = len(opcodes) - 1
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            lead = CONTEXT if k > 0 else 0
            trail = CONTEXT if k < last else 0
            n = i2 - i1
            if n > lead + trail + 1:
                for d in range(lead):
                    out.append(_row(i1 + d + 1, la(i1 + d), "", j1 + d + 1, lb(j1 + d), ""))
                hidden_from = lead
                hidden_to = n - trail
                out.append(
                    f'</tbody><tbody><tr class="skip"><td colspan="4">⋯ {hidden_to - hidden_from} unchanged '
                    f"line{'s' if hidden_to - hidden_from != 1 else ''} (click to show)</td></tr></tbody>\n"
                    '<tbody class="hidden">\n'
                )
                for d in range(hidden_from, hidden_to):
                    out.append(_row(i1 + d + 1, la(i1 + d), "", j1 + d + 1, lb(j1 + d), ""))
                out.append("</tbody><tbody>\n")
                for d in range(hidden_to, n):
                    out.append(_row(i1 + d + 1, la(i1 + d), "", j1 + d + 1, lb(j1 + d), ""))
            else:
                for d in range(n):
                    out.append(_row(i1 + d + 1, la(i1 + d), "", j1 + d + 1, lb(j1 + d), ""))
            continue
        na, nb = i2 - i1, j2 - j1
        for d in range(max(na, nb)):
            i = i1 + d if d < na else None
            j = j1 + d if d < nb else None
            if i is not None and j is not None:
                ha, hb = word_diff(a[i].rstrip("\r\n"), b[j].rstrip("\r\n"), ta[i] if ta else None, tb[j] if tb else None)
                out.append(_row(i + 1, ha, "del", j + 1, hb, "ins"))
            elif i is not None:
                out.append(_row(i + 1, la(i), "del", None, "", "void"))
            else:
                out.append(_row(None, "", "void", j + 1, lb(j), "ins"))
    out.append("</tbody></table>\n")
    return "".join(out)


def word_diff(a: str, b: str, tokens_a: list | None = None, tokens_b: list | None = None) -> tuple[str, str]:
    """Escaped HTML of two lines with the changed words wrapped in ``<del class=w>``/``<ins class=w>``
    (and coloured by ``tokens_a``/``tokens_b`` when given, see :func:`paint`)."""
    if len(a) > MAX_WORD_DIFF_LINE or len(b) > MAX_WORD_DIFF_LINE:
        return paint(a, tokens_a), paint(b, tokens_b, tag="ins")
    ta, tb = _TOKEN_RE.findall(a), _TOKEN_RE.findall(b)
    ops = diff_sequences(ta, tb)
    equal = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal" and not "".join(ta[i1:i2]).isspace())
    if equal == 0:  # nothing in common: whole-line highlight reads better than confetti
        return paint(a, tokens_a), paint(b, tokens_b, tag="ins")
    ma: list[tuple[bool, str]] = []
    mb: list[tuple[bool, str]] = []
    for tag, i1, i2, j1, j2 in ops:
        sa, sb = "".join(ta[i1:i2]), "".join(tb[j1:j2])
        if sa:
            ma.append((tag != "equal", sa))
        if sb:
            mb.append((tag != "equal", sb))
    return paint(a, tokens_a, ma, "del"), paint(b, tokens_b, mb, "ins")


# --- markdown ----------------------------------------------------------------------------------


def _markdown_pair(cd: CellDiff, anchor: str) -> str:
    a = markdown_to_html(_source(cd.a_cell), _attachments(cd.a_cell)) if cell_type(cd.a_cell) == "markdown" else ""
    b = markdown_to_html(_source(cd.b_cell), _attachments(cd.b_cell)) if cell_type(cd.b_cell) == "markdown" else ""
    if cd.kind == INSERTED:
        return f'<div class="pair"><div class="side a"></div><div class="side b md-render">{b}</div></div>'
    if cd.kind == DELETED:
        return f'<div class="pair"><div class="side a md-render">{a}</div><div class="side b"></div></div>'
    if cd.kind == MOVED or a == b:
        return f'<div class="md-render side">{b or a}</div>'
    return (
        f'<div class="pair" id="{anchor}-md"><div class="side a md-render"><div class="label">rendered before</div>{a}</div>'
        f'<div class="side b md-render"><div class="label">rendered after</div>{b}</div></div>'
    )


def _attachments(cell: dict | None) -> dict:
    att = (cell or {}).get("attachments")
    return att if isinstance(att, dict) else {}


# --- outputs -----------------------------------------------------------------------------------


def data_uri(mime: str, payload) -> str | None:
    """A ``data:`` URI for a picture, or None when the payload is not what it claims to be."""
    if isinstance(payload, list):
        payload = "".join(p for p in payload if isinstance(p, str))
    if not isinstance(payload, str) or not payload:
        return None
    if mime == "image/svg+xml":
        raw = payload.encode("utf-8")
        return "data:image/svg+xml;base64," + base64.b64encode(raw).decode("ascii")
    if mime not in IMAGE_TYPES or not _B64_RE.match(payload):
        return None
    compact = "".join(payload.split())
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    return f"data:{mime};base64,{compact}"


def _text_value(value) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=1, ensure_ascii=False)


def _pre(text: str, cls: str = "") -> str:
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + f"\n… ({len(text) - MAX_TEXT} more characters not shown)"
    return f'<pre class="{cls}">{esc(text)}</pre>'


def render_output(output: dict) -> str:
    """One output as safe HTML: pictures as data: URIs, HTML in a script-less sandbox, text escaped."""
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name")
        return f'<div class="output">{_pre(_text_value(output.get("text", "")), "stderr" if name == "stderr" else "")}</div>'
    if kind == "error":
        tb = output.get("traceback")
        text = (
            strip_ansi("\n".join(t for t in tb if isinstance(t, str)))
            if isinstance(tb, list) and tb
            else f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
        )
        return f'<div class="output">{_pre(text, "error")}</div>'
    data = output.get("data")
    if not isinstance(data, dict):
        return f'<div class="output"><span class="mime">[{esc(kind or "unknown")} output]</span></div>'
    for mime in IMAGE_TYPES:
        if mime in data:
            uri = data_uri(mime, data[mime])
            if uri:
                alt = esc(_text_value(data.get("text/plain", mime))[:200])
                return f'<div class="output"><img alt="{alt}" src="{esc(uri)}"></div>'
            return f'<div class="output"><span class="mime">[{esc(mime)}: not valid image data]</span></div>'
    if "text/html" in data:
        doc = _text_value(data["text/html"])
        if len(doc) <= 2 * MAX_TEXT:
            return (
                '<div class="output"><span class="mime">text/html (sandboxed, scripts off)</span>'
                f'<iframe sandbox="" referrerpolicy="no-referrer" loading="lazy" title="HTML output" '
                f'srcdoc="{esc(doc)}"></iframe></div>'
            )
    if "text/markdown" in data:
        return f'<div class="output md-render">{markdown_to_html(_text_value(data["text/markdown"]))}</div>'
    for mime in ("text/plain", "text/latex", "application/json"):
        if mime in data:
            return f'<div class="output">{_pre(_text_value(data[mime]))}</div>'
    mimes = ", ".join(esc(m) for m in data)
    return f'<div class="output"><span class="mime">[{mimes}: not shown]</span></div>'


def _outputs_html(outputs: list) -> str:
    if not outputs:
        return '<span class="muted">(no output)</span>'
    return "".join(render_output(o) for o in outputs)


def _has_image(outputs: list) -> bool:
    return any(isinstance(o.get("data"), dict) and any(m in o["data"] for m in IMAGE_TYPES) for o in outputs)


def _is_rich(outputs: list) -> bool:
    """True if some output is best seen rendered (a picture, HTML, markdown) rather than as text lines."""
    rich = (*IMAGE_TYPES, "text/html", "text/markdown")
    return any(isinstance(o.get("data"), dict) and any(m in o["data"] for m in rich) for o in outputs)


def _outputs_block(cd: CellDiff, anchor: str) -> str:
    oa, ob = outputs_of(cd.a_cell), outputs_of(cd.b_cell)
    if cd.kind == INSERTED:
        return f'<div class="pair"><div class="side a"></div><div class="side b">{_outputs_html(ob)}</div></div>' if ob else ""
    if cd.kind == DELETED:
        return f'<div class="pair"><div class="side a">{_outputs_html(oa)}</div><div class="side b"></div></div>' if oa else ""
    if cd.kind != MODIFIED or "outputs" not in cd.changed:
        if ob:
            return f'<p class="note">{len(ob)} output{"s" if len(ob) != 1 else ""} unchanged</p>'
        return ""
    if not (_is_rich(oa) or _is_rich(ob)):
        la, lb = output_lines(oa), output_lines(ob)
        return '<div class="toolbar">outputs changed</div>' + _source_table(la, lb, output_line_diff(la, lb))
    pid = f"{anchor}-out"
    if not (_has_image(oa) or _has_image(ob)):
        return (
            f'<div class="toolbar">outputs changed</div><div class="pair outputs" id="{pid}"><div class="side a">'
            f'<div class="label">before</div>{_outputs_html(oa)}</div><div class="side b"><div class="label">after</div>'
            f"{_outputs_html(ob)}</div></div>"
        )
    # pictures are compared picture by picture; the other outputs side by side, when they differ
    from nbgit.notebook.outputs import rerun_key

    na, nb = _without_images(oa), _without_images(ob)
    out = []
    if rerun_key(na) != rerun_key(nb):
        out.append(
            f'<div class="toolbar">outputs changed <button type="button" class="flip" data-target="{pid}" '
            'aria-pressed="false">flip: side by side</button></div>'
            f'<div class="pair outputs" id="{pid}"><div class="side a"><div class="label">before</div>'
            f'{_outputs_html(na)}</div><div class="side b"><div class="label">after</div>{_outputs_html(nb)}</div></div>'
        )
    elif na or nb:
        out.append(f'<p class="note">other outputs unchanged (but for a re-run)</p>')
    out.append(_image_comparisons(oa, ob, anchor))
    return "".join(out)


def _without_images(outputs: list) -> list:
    return [o for o in outputs if not (isinstance(o.get("data"), dict) and any(m in o["data"] for m in IMAGE_TYPES))]


def _image_comparisons(oa: list, ob: list, anchor: str) -> str:
    """The k-th picture of the old outputs against the k-th of the new ones."""
    from nbgit.review.images import image_bytes, image_outputs

    ia, ib = image_outputs(oa, IMAGE_TYPES), image_outputs(ob, IMAGE_TYPES)
    out = []
    for k in range(max(len(ia), len(ib))):
        a = ia[k] if k < len(ia) else None
        b = ib[k] if k < len(ib) else None
        raw_a = image_bytes(*a) if a else None
        raw_b = image_bytes(*b) if b else None
        if a and b and raw_a is not None and raw_a == raw_b:
            out.append(f'<div class="img-same"><div class="toolbar">picture unchanged ({esc(_describe(raw_a))})</div>'
                       f'<div class="output">{_img(*b)}</div></div>')
        elif a and b:
            out.append(_image_widget(a, b, raw_a, raw_b, f"{anchor}-img{k + 1}"))
        else:
            mime, payload = a or b
            word, raw = ("removed", raw_a) if a else ("added", raw_b)
            out.append(f'<div class="img-{word}"><div class="toolbar">picture {word} ({esc(_describe(raw))})</div>'
                       f'<div class="output">{_img(mime, payload)}</div></div>')
    return "".join(out)


def _describe(raw) -> str:
    from nbgit.review.images import describe

    return describe(raw)


def _img(mime: str, payload) -> str:
    uri = data_uri(mime, payload)
    if uri is None:
        return f'<span class="mime">[{esc(mime)}: not valid image data]</span>'
    return f'<img alt="{esc(mime)}" src="{esc(uri)}">'


def _image_widget(a, b, raw_a, raw_b, wid: str) -> str:
    """Before/after of one changed picture: side by side, swipe, onion skin, pixel difference."""
    from nbgit.review.images import size_change

    modes = (("side", "side by side"), ("swipe", "swipe"), ("onion", "onion skin"), ("diff", "difference"))
    buttons = "".join(
        f'<button type="button" class="imgmode" data-mode="{m}" aria-pressed="{str(m == "side").lower()}">{label}</button>'
        for m, label in modes
    )
    return (
        f'<div class="imgcmp" id="{wid}" data-mode="side"><div class="toolbar">picture changed: '
        f'{esc(size_change(raw_a, raw_b))} {buttons}'
        '<input type="range" class="imgslider" min="0" max="100" value="50" aria-label="position" hidden>'
        '<span class="imgdiffnote"></span></div>'
        f'<div class="imgstage"><figure class="before">{_img(*a)}<figcaption>before</figcaption></figure>'
        f'<figure class="after">{_img(*b)}<figcaption>after</figcaption></figure>'
        '<canvas class="imgdiff"></canvas></div></div>'
    )


__all__ = ["render_html", "markdown_to_html", "render_output", "word_diff", "esc", "data_uri", "content_security_policy"]
