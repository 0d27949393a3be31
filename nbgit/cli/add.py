"""``nbgit add -p`` / ``nbgit add --cells``: stage part of a notebook, cell by cell."""

from __future__ import annotations

DESCRIPTION = """\
Stage some of a notebook's changes, like `git add -p` but by cell: one
question per inserted, deleted, moved or modified cell (the source, outputs
and metadata of a modified cell asked about separately; `s` splits a source
into its runs of changed lines).

  nbgit add -p [PATH...]            ask about each change (y n q a d s ?, as git)
  nbgit add --cells 3,5-7 nb.ipynb  stage every change of these cells

Cells are numbered as `nbgit diff` shows them: by position in the work tree's
notebook, `a:N` for a cell deleted from the index's. The new index entry is
the index's notebook with the chosen changes applied, cleaned by the
repository's filter as `git add` would clean it; taking every change stages
exactly what `git add` would. The work tree is never written. Untracked
notebooks are taken only when named."""

EPILOG = """\
Colour and keys as git's add -p: color.interactive (then color.ui), interactive.singleKey.
exit status: 0 done, 2 a file could not be staged by parts (the message says why) or another error."""


def main(argv: list[str]) -> int:
    from nbgit.cli import parser
    from nbgit.cli._stage import run

    p = parser("add", DESCRIPTION, EPILOG)
    p.add_argument("paths", nargs="*", metavar="PATH", help="notebooks or directories (default: all)")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("-p", "--patch", action="store_true", help="choose the changes to stage interactively")
    how.add_argument("--cells", metavar="LIST", help="stage these cells' changes (e.g. 3,5-7,a:2)")
    args = p.parse_args(argv)
    return run("add", args.paths, args.patch, args.cells)
