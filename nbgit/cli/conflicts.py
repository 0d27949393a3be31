"""nbgit conflicts: list unresolved merge conflicts inside notebooks."""

from __future__ import annotations

import os
import sys

from nbgit.cli import fail, parser as make_parser
from nbgit._escape import term


def main(argv: list[str]) -> int:
    p = make_parser(
        "conflicts",
        "List the merge conflicts left inside notebooks: marker blocks in cell sources\n"
        "(<<<<<<< / ======= / >>>>>>>), cells deleted on one side and edited on the other, cells of\n"
        "one side only (two-way merges) and twins of a cell both sides changed (their first line\n"
        "says so), and metadata, output or whole-file conflicts recorded in metadata.nbgit.conflicts.\n"
        "Notebooks whose JSON has git's text conflict markers are reported too (`nbgit fix` repairs\n"
        "them). nbformat 3 and 4. Cells are numbered from 1 (all worksheets, in order).\n\n"
        "Without PATH: the notebooks git reports as unmerged, or else every tracked notebook.",
        epilog="exit status: 0 no conflicts; 1 conflicts found; 2 on an error (unreadable file, not a repository)",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="notebooks (or directories) to check")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the output (default: auto)")
    args = p.parse_args(argv)

    from nbgit._fs import find_worktree_root, read_regular
    from nbgit.cli._term import Painter, use_color
    from nbgit.merge.conflicts import find_conflicts
    from nbgit.notebook.io import NotebookError, has_conflict_markers, parse

    paint = Painter(use_color(sys.stdout, args.color))
    paths = _expand(args.paths) if args.paths else _default_paths()
    if paths is None:
        return 2
    status = 0
    found_any = False
    for path in paths:
        try:
            # regular files inside the tree only (a committed link to /dev/zero or out of the tree)
            data = read_regular(path, root=find_worktree_root(os.path.dirname(os.path.abspath(path)))
                                or os.path.dirname(os.path.abspath(path)))
        except OSError as exc:
            status = fail("conflicts", f"{path}: cannot read ({exc.strerror or exc})")
            continue
        try:
            nb = parse(data)
        except NotebookError as exc:
            if has_conflict_markers(data):
                found_any = True
                print(f"{paint(term(path), 'bold')}: {paint('text conflict markers', 'red')} in the JSON "
                      f"(the file does not open; run `nbgit fix {term(path)}`)")
            else:
                status = fail("conflicts", f"{path}: not a notebook ({exc.reason})")
            continue
        for c in find_conflicts(nb):
            found_any = True
            where = "notebook" if c.cell is None else f"cell {c.cell + 1}"
            detail = f" ({c.detail})" if c.detail else ""
            print(f"{paint(term(path), 'bold')}: {where}: {paint(term(c.kind), 'red')}{term(detail)}")
    if status:
        return status
    return 1 if found_any else 0


def _expand(paths: list[str]) -> list[str]:
    import os

    out = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
                out += [os.path.join(root, f) for f in sorted(files) if f.endswith(".ipynb")]
        else:
            out.append(path)
    return out


def _default_paths() -> list[str] | None:
    from nbgit.git.repo import GitError, git, toplevel

    try:
        toplevel()
        unmerged = git("diff", "--name-only", "--diff-filter=U", "-z", "--relative")
        names = [n for n in unmerged.split("\0") if n.endswith(".ipynb")]
        if not names:
            tracked = git("ls-files", "-z", "--", "*.ipynb")
            names = [n for n in tracked.split("\0") if n]
    except GitError as exc:
        fail("conflicts", f"{exc} (or name the notebooks to check)")
        return None
    return sorted(dict.fromkeys(names))
