"""``nbgit difftool``: the review page for one pair of notebooks, opened in the browser.

``nbgit install`` registers it as a git difftool (``difftool.nbgit.cmd``), so
``git difftool --tool=nbgit [REV...] [-- PATH...]`` opens one page per changed notebook;
git hands over each pair as ``$LOCAL $REMOTE $MERGED`` (two temporary files and the path).
"""

from __future__ import annotations

import os
import sys

from nbgit._escape import term

DESCRIPTION = """\
Write the review page (the HTML of `nbgit review`) comparing two notebook files and open it
in the browser:

  nbgit difftool OLD.ipynb NEW.ipynb [NAME]
  git difftool --tool=nbgit [REV [REV]] [-- PATH...]     (after `nbgit install`)

The page is written to a new temporary directory (its path is printed); --no-browser only
prints it. NAME is the notebook's path shown on the page (git passes $MERGED)."""

EPILOG = "exit status: 0 page written; 2 a file cannot be read or the page cannot be written"


def main(argv: list[str]) -> int:
    from nbgit.cli import fail, parser

    p = parser("difftool", DESCRIPTION, EPILOG)
    p.add_argument("old", metavar="OLD", help="the old version ('/dev/null': none)")
    p.add_argument("new", metavar="NEW", help="the new version ('/dev/null': none)")
    p.add_argument("name", nargs="?", metavar="NAME", help="the path to show (default: NEW)")
    p.add_argument("--no-browser", action="store_true", help="print the page's path instead of opening it")
    p.add_argument("-o", "--output", metavar="FILE", help="write the page to FILE (default: a new temporary file)")
    args = p.parse_args(argv)

    sides = []
    for path in (args.old, args.new):
        if path == "/dev/null":
            sides.append(None)
            continue
        try:
            with open(path, "rb") as fh:
                sides.append(fh.read())
        except OSError as exc:
            return fail("difftool", f"{path}: cannot read ({exc.strerror or exc})")
    name = args.name or (args.new if args.new != "/dev/null" else args.old)

    from nbgit.diff.view import view_from_options
    from nbgit.review.changes import notebook_change
    from nbgit.review.html import render_html

    view = view_from_options(config=_config())
    change = notebook_change(name, sides[0], sides[1], view=view)
    page = render_html([change], base=_label(args.old, "old"), head=_label(args.new, "new"))

    from nbgit._fs import atomic_write

    if args.output:
        target = os.path.abspath(args.output)
    else:
        import tempfile

        stem = os.path.splitext(os.path.basename(name))[0] or "notebook"
        target = os.path.join(tempfile.mkdtemp(prefix="nbgit-difftool-"), f"{stem}.review.html")
    try:
        atomic_write(target, page.encode("utf-8"))
    except OSError as exc:
        return fail("difftool", f"{target}: cannot write ({exc.strerror or exc})")
    print(target, flush=True)
    if not args.no_browser:
        import webbrowser
        from pathlib import Path

        try:
            opened = webbrowser.open(Path(target).as_uri())
        except Exception:  # noqa: BLE001 - any browser failure: the path is printed already
            opened = False
        if not opened:
            print("nbgit difftool: warning: no browser could be opened; open the file above", file=sys.stderr)
    return 0


def _label(path: str, fallback: str) -> str:
    """git's temporary copies have names like /tmp/abc_nb.ipynb: the side, not the file, matters."""
    return fallback if path == "/dev/null" or os.path.basename(path).startswith(("tmp", ".")) else path


def _config():
    """The repository config around the current directory, for the diff view (defaults on error)."""
    from nbgit._fs import find_worktree_root
    from nbgit.notebook.config import DEFAULT_CONFIG, ConfigError, load_config

    root = find_worktree_root(os.getcwd())
    try:
        return DEFAULT_CONFIG if root is None else load_config(root)
    except ConfigError as exc:
        print(term(f"nbgit difftool: warning: {exc}; using the defaults"), file=sys.stderr)
        return DEFAULT_CONFIG
