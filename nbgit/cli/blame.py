"""``nbgit blame``: per cell, the commit, author and date of its last change."""

from __future__ import annotations

import sys

DESCRIPTION = """\
One line a cell: the commit that last changed it (following the cell through
moves, id changes, edits and renames of the notebook, as `nbgit log --follow
--cell` does), its author and date,
the cell's number (as `nbgit diff` numbers cells) and its first line.

  nbgit blame nb.ipynb              at HEAD
  nbgit blame REV -- nb.ipynb       at REV (or nbgit blame nb.ipynb REV)
  nbgit blame --lines nb.ipynb      git's own per-line blame of the textconv text"""

EPILOG = """\
A cell changed only in outputs or metadata counts as changed (what git stores changed).
exit status: 0 shown, 2 error."""


def _parser():
    from nbgit.cli import parser

    p = parser("blame", DESCRIPTION, EPILOG)
    p.add_argument("args", nargs="+", metavar="[REV] PATH")
    p.add_argument("--lines", action="store_true", help="git blame --textconv: per line of the cell-by-cell text")
    p.add_argument("--json", action="store_true", help="one JSON document for tools")
    return p


def main(argv: list[str]) -> int:
    argv = [a for a in argv if a != "--"] if "--" in argv else list(argv)
    args = _parser().parse_args(argv)
    rev = None
    import os

    if len(args.args) == 1:
        path = args.args[0]
    elif len(args.args) == 2:
        # REV PATH or PATH REV: whichever names an existing file is the path
        first, second = args.args
        path, rev = (second, first) if not os.path.exists(first) else (first, second)
    else:
        return _error("usage: nbgit blame [REV] PATH")
    if args.lines:
        return _lines(rev, path)
    from nbgit.cli._history import Failure

    try:
        return _run(args, rev, path)
    except Failure as exc:
        return _error(str(exc))


def _lines(rev: str | None, path: str) -> int:
    import subprocess

    cmd = ["git", "blame", "--textconv"] + ([rev] if rev else []) + ["--", path]
    try:
        return subprocess.call(cmd)
    except FileNotFoundError:
        return _error("git is not installed (no `git` on PATH)")


def _run(args, rev: str | None, path_arg: str) -> int:
    import pygit2

    from nbgit._escape import term
    from nbgit.cli._history import Failure, cell_label, open_notebook
    from nbgit.git.history import History, resolve_range, trace
    from nbgit.git.revisions import RevisionError

    repo, path = open_notebook(path_arg)
    try:
        start, hidden = resolve_range(repo, rev)
        probe = History(repo)
        blob = probe.blob_at(start, path)
        if blob is None:
            raise Failure(f"{term(path)}: no such notebook at {term(rev or 'HEAD')}")
        cells = probe.cells(start, path, blob)
        if cells is None:
            raise Failure(term(next(iter(probe.errors.values()), f"{path}: not a readable notebook")))
        # like git blame, always through renames of the whole notebook
        events, history = trace(repo, start, hidden, path, {k: k for k in range(len(cells))}, True,
                                stop_at_first=True)
    except RevisionError as exc:
        raise Failure(term(str(exc))) from None
    except pygit2.GitError as exc:
        raise Failure(f"cannot read the repository: {term(str(exc))}") from None
    for message in history.errors.values():
        print(f"nbgit blame: warning: {term(message)}", file=sys.stderr)
    last = {e.key: e for e in events}
    infos: dict = {}
    rows = []
    for k, cell in enumerate(cells):
        e = last.get(k)
        info = None
        if e is not None:
            info = infos.get(e.commit) or infos.setdefault(e.commit, history.info(e.commit))
        rows.append((k, cell, e, info))
    if args.json:
        import json

        doc = {"path": path, "start": str(start), "cells": [
            {"index": k + 1, "id": cell.get("id"), "cell_type": cell.get("cell_type"),
             "commit": info.id if info else None, "author": info.author if info else None,
             "email": info.email if info else None, "date": info.date() if info else None,
             "kind": e.kind if e else None, "path": e.path if e else None}
            for k, cell, e, info in rows]}
        sys.stdout.write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        return 0
    width = max((len(term(i.author)) for _, _, _, i in rows if i), default=1)
    width = min(width, 20)
    num = len(str(len(cells)))
    lines = []
    for k, cell, e, info in rows:
        if info is None:  # outside the range given (A..B): changed before A
            head = f"^{str(start)[:7]} ({'':<{width}} {'':<25}"
        else:
            author = term(info.author)[:width]
            head = f"{info.id[:8]} ({author:<{width}} {info.date()}"
        lines.append(f"{head} {k + 1:>{num}}) {cell_label(cell)}")
    sys.stdout.write("\n".join(lines) + ("\n" if lines else ""))
    return 0


def _error(message: str) -> int:
    from nbgit.cli import fail

    return fail("blame", message)
