"""The review model: one :class:`NotebookChange` per changed notebook, and what to show of it.

Pure (no git, no I/O): the ``nbgit review`` command reads both sides' bytes
and hands them to :func:`notebook_change`; the HTML and markdown renderers
only read the resulting objects. Both sides are compared as they are stored
(raw, not cleaned), so outputs a repository keeps can be reviewed too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from nbgit.diff.view import DEFAULT_VIEW
from nbgit.diff import DELETED, INSERTED, MODIFIED, MOVED, UNCHANGED, CellDiff, NotebookDiff, diff_lines, diff_notebooks

ADDED, REMOVED, CHANGED, RENAMED = "added", "deleted", "modified", "renamed"

EMPTY_NOTEBOOK: dict = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}

#: Lines of one side's outputs that are diffed and shown; the rest is summarised in one line.
MAX_OUTPUT_LINES = 2000
#: Above this many lines, two texts sharing almost no line are shown as replaced, not diffed.
REWRITE_THRESHOLD = 400

#: MIME types shown as pictures (always as ``data:`` URIs; SVG only ever inside ``<img>``).
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml")


@dataclass
class NotebookChange:
    """A notebook that differs between the two sides of a review.

    ``status`` is added / deleted / modified / renamed. ``diff`` is None when
    a side could not be read; ``error`` then says which and why.
    """

    path: str
    status: str
    diff: NotebookDiff | None
    old_path: str | None = None
    error: str | None = None
    summary: dict = field(default_factory=dict)


def read_side(data: bytes | None, label: str) -> tuple[dict | None, str | None]:
    """Parse one side (None: the file does not exist there); nbformat 3 is upgraded to 4."""
    from nbgit.notebook.io import NotebookError, parse

    if data is None:
        return EMPTY_NOTEBOOK, None
    try:
        nb = parse(data)
    except NotebookError as exc:
        return None, f"{label}: {exc.reason}"
    except Exception as exc:  # MemoryError, a bug: this notebook is unreadable, the review goes on
        return None, f"{label}: cannot be read ({type(exc).__name__})"
    if nb.get("nbformat") == 3:
        from nbgit.notebook.upgrade import upgrade_v3

        try:
            nb = upgrade_v3(nb)
        except Exception as exc:  # nbformat's converter on a broken v3 file
            return None, f"{label}: cannot upgrade nbformat 3 ({exc})"
    return nb, None


def notebook_change(path: str, a: bytes | None, b: bytes | None, old_path: str | None = None,
                    view=None) -> NotebookChange:
    """Compare the bytes of two sides of a notebook (None: absent on that side).

    ``view`` (:class:`nbgit.diff.view.DiffView`; default: everything, cell ids
    as one summary line) says which changes the review shows.
    """
    if a is None:
        status = ADDED
    elif b is None:
        status = REMOVED
    elif old_path and old_path != path:
        status = RENAMED
    else:
        status = CHANGED
    nb_a, err_a = read_side(a, "base")
    nb_b, err_b = read_side(b, "head")
    if nb_a is None or nb_b is None:
        return NotebookChange(path, status, None, old_path, "; ".join(e for e in (err_a, err_b) if e))
    try:
        diff = (view or DEFAULT_VIEW).apply(diff_notebooks(nb_a, nb_b))
    except Exception as exc:  # a notebook of an odd shape (or a deep one: RecursionError) must not stop a review
        return NotebookChange(path, status, None, old_path, f"cannot diff ({type(exc).__name__}: {exc})")
    return NotebookChange(path, status, diff, old_path, None, summarize(diff))


def is_minor(cd: CellDiff) -> bool:
    """A cell changed only by a re-run: a new execution count, or outputs that differ only in
    what a re-run changes by chance (see :func:`is_rerun`). Shown apart from the real changes."""
    if cd.kind != MODIFIED or cd.moved or not cd.changed:
        return False
    if set(cd.changed) <= {"execution_count"}:
        return True
    return is_rerun(cd)


def is_rerun(cd: CellDiff) -> bool:
    """Outputs changed, but only in execution counts, timestamps, memory addresses or line order
    (:func:`nbgit.notebook.outputs.rerun_key`): the notebook was re-run, the code did nothing new."""
    if cd.kind != MODIFIED or "outputs" not in cd.changed or not set(cd.changed) <= {"outputs", "execution_count"}:
        return False
    from nbgit.notebook.outputs import rerun_key

    return rerun_key((cd.a_cell or {}).get("outputs")) == rerun_key((cd.b_cell or {}).get("outputs"))


def summarize(diff: NotebookDiff) -> dict:
    """Counts for the summary table: cells added/removed/modified/moved, outputs changed."""
    out = {"added": 0, "removed": 0, "modified": 0, "moved": 0, "outputs": 0, "unchanged": 0, "counts": 0, "rerun": 0}
    for cd in diff.cells:
        if is_minor(cd):
            out["rerun" if "outputs" in cd.changed else "counts"] += 1
            continue
        if cd.kind == INSERTED:
            out["added"] += 1
        elif cd.kind == DELETED:
            out["removed"] += 1
        elif cd.kind == MODIFIED:
            if set(cd.changed) - {"outputs", "execution_count"} or not cd.changed:
                out["modified"] += 1
            if "outputs" in cd.changed:
                out["outputs"] += 1
        elif cd.kind == UNCHANGED:
            out["unchanged"] += 1
        if cd.moved or cd.kind == MOVED:
            out["moved"] += 1
    out["metadata"] = list(diff.metadata_changed)
    out["notes"] = list(diff.notes)
    return out


def is_change(cd: CellDiff) -> bool:
    """True for the cells a reviewer steps through (not unchanged, not only a new execution count)."""
    return cd.kind != UNCHANGED and not is_minor(cd)


def cell_label(cd: CellDiff) -> str:
    """``cell 4`` (head numbering), ``cell 3 of base`` for a deleted cell."""
    if cd.b_index is not None:
        return f"cell {cd.b_index + 1}"
    return f"cell {cd.a_index + 1} of base"


def cell_type(cell: dict | None) -> str:
    t = (cell or {}).get("cell_type")
    return t if isinstance(t, str) else "?"


def cell_id(cell: dict | None) -> str | None:
    i = (cell or {}).get("id")
    return i if isinstance(i, str) else None


def outputs_of(cell: dict | None) -> list:
    outs = (cell or {}).get("outputs")
    return [o for o in outs if isinstance(o, dict)] if isinstance(outs, list) else []


def _text(value) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def output_mimetype_text(output: dict) -> tuple[str, str] | None:
    """The best plain-text view of an output: (label, text), or None when it has none."""
    kind = output.get("output_type")
    if kind == "stream":
        return str(output.get("name", "stream")), _text(output.get("text", ""))
    if kind == "error":
        tb = output.get("traceback")
        head = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
        if isinstance(tb, list) and tb:
            return "error", strip_ansi("\n".join(t for t in tb if isinstance(t, str)))
        return "error", head
    data = output.get("data")
    if isinstance(data, dict):
        for mime in ("text/plain", "text/markdown", "application/json", "text/latex"):
            if mime in data:
                return mime, _text(data[mime])
    return None


def output_lines(outputs: list) -> list[str]:
    """Outputs as text lines, for line diffs: text as is, images and rich data as one line each."""
    lines: list[str] = []
    for out in outputs:
        kind = out.get("output_type", "?")
        data = out.get("data") if isinstance(out.get("data"), dict) else {}
        for mime in data:
            if mime in IMAGE_TYPES or mime.startswith("image/"):
                lines.append(f"[{mime} {_size(_text(data[mime]))}, sha1 {_digest(data[mime])}]\n")
            elif mime in ("text/html", "application/javascript") or mime.startswith("application/vnd."):
                lines.append(f"[{mime} {_size(_text(data[mime]))}, sha1 {_digest(data[mime])}]\n")
        tv = output_mimetype_text(out)
        if tv is not None:
            label, text = tv
            text_lines = text.splitlines(keepends=True) or [""]
            if not text_lines[-1].endswith("\n"):
                text_lines[-1] += "\n"
            lines.append(f"[{kind}: {label}]\n")
            lines += text_lines
        elif not data:
            lines.append(f"[{kind}]\n")
    if len(lines) > MAX_OUTPUT_LINES:
        lines = lines[:MAX_OUTPUT_LINES] + [f"[… {len(lines) - MAX_OUTPUT_LINES} more output lines not shown]\n"]
    return lines


def output_line_diff(a: list[str], b: list[str]) -> list:
    """Line opcodes for output text: a wholesale replace when the two share (almost) no line.

    Outputs such as training logs are often long and entirely different between
    runs; a shortest-edit-script search costs O((N+M)·D) there and shows
    nothing a "replaced" would not.
    """
    if not a or not b:
        return diff_lines(a, b)
    if len(a) + len(b) > REWRITE_THRESHOLD:
        common = len(set(a) & set(b))
        if common * 10 < min(len(a), len(b)):
            return [("replace", 0, len(a), 0, len(b))]
    return diff_lines(a, b)


def strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def _digest(value) -> str:
    return hashlib.sha1(_text(value).encode("utf-8", "replace")).hexdigest()[:8]


def _size(text: str) -> str:
    n = len(text)
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} kB"


__all__ = [
    "NotebookChange",
    "notebook_change",
    "summarize",
    "read_side",
    "output_lines",
    "images_of",
    "cell_label",
    "ADDED",
    "REMOVED",
    "CHANGED",
    "RENAMED",
]
