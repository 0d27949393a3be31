"""``nbgit reset -p`` / ``nbgit reset --cells``: unstage part of a notebook, cell by cell."""

from __future__ import annotations

DESCRIPTION = """\
Unstage some of a notebook's staged changes, like `git reset -p` but by cell:
one question per change between HEAD and the index (y n q a d s ?, as git).

  nbgit reset -p [PATH...]            ask about each staged change
  nbgit reset --cells 3,5-7 nb.ipynb  unstage every change of these cells

Cells are numbered as `nbgit diff --cached` shows them (by position in the
index's notebook, `a:N` for a cell deleted from HEAD's). Unstaging every
change gives exactly what `git reset -- PATH` gives. The work tree is never
written."""

EPILOG = """\
Colour and keys as git's reset -p: color.interactive (then color.ui), interactive.singleKey.
exit status: 0 done, 2 a file could not be unstaged by parts (the message says why) or another error."""


def main(argv: list[str]) -> int:
    from nbgit.cli import parser
    from nbgit.cli._stage import run

    p = parser("reset", DESCRIPTION, EPILOG)
    p.add_argument("paths", nargs="*", metavar="PATH", help="notebooks or directories (default: all)")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("-p", "--patch", action="store_true", help="choose the changes to unstage interactively")
    how.add_argument("--cells", metavar="LIST", help="unstage these cells' changes (e.g. 3,5-7,a:2)")
    args = p.parse_args(argv)
    return run("reset", args.paths, args.patch, args.cells)
