"""nbgit textconv: a notebook as readable cell-by-cell text (git's diff.nbgit.textconv)."""

from __future__ import annotations

import sys
from nbgit._escape import term

DESCRIPTION = (
    "Print a notebook as readable text, one block per cell: a `# %% [code] (id ...)` header,\n"
    "the source as is, outputs summarized on `#> ` lines (text truncated, images as\n"
    "<image/png 12.3 kB sha1:...>, errors as `ename: evalue`). The notebook is cleaned with the\n"
    "repository's config first, so what you see is what would be committed.\n\n"
    "git runs this for `git diff`, `git log -p`, `git show` and `git blame` once `nbgit install`\n"
    "has set diff.nbgit.textconv. A file that is not a readable notebook (conflict markers,\n"
    "invalid JSON, not UTF-8, empty) is printed unchanged, with a warning on stderr."
)
EPILOG = "exit status: 0 done (also for unreadable notebooks, printed raw); 2 on a missing file or usage error"


def main(argv: list[str]) -> int:
    parsed = parse_args(argv)
    if isinstance(parsed, int):
        return parsed
    path, clean, numbers = parsed

    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        print(term(f"nbgit textconv: error: {path}: {exc.strerror or exc}"), file=sys.stderr)
        return 2

    from nbgit.git.textconv import convert

    try:
        config = _load_config() if clean else None
        out = convert(data, config, path=path, stderr=sys.stderr, numbers=numbers)
    except Exception as exc:  # convert never raises; this is the last line of defence: git gets the raw text
        from nbgit.git.filter import describe_error, warn

        warn(sys.stderr, f"warning: {path}: could not show it ({describe_error(exc)}); shown as raw text")
        out = data
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0


_FLAGS = ("--no-clean", "--numbers")


def parse_args(argv: list[str]) -> tuple[str, bool, bool] | int:
    """(path, clean, numbers), or an exit status after --help or a usage error.

    git calls ``COMMAND PATH`` with the notebook's name, which may start with ``-``
    (``-rf.ipynb``): an argument that is not one of textconv's own flags is always the
    path, never an option, and everything after ``--`` is a path. One argument (git's
    form, also for configs written by older nbgit) skips argparse: this runs once per blob.
    """
    if len(argv) == 1 and argv[0] not in ("-h", "--help"):
        return argv[0], True, False
    clean, numbers, paths = True, False, []
    for i, arg in enumerate(argv):
        if arg == "--":
            paths += argv[i + 1 :]
            break
        if arg == "--no-clean":
            clean = False
        elif arg == "--numbers":
            numbers = True
        elif arg in ("-h", "--help"):
            paths = None
            break
        else:
            paths.append(arg)
    if paths is not None and len(paths) == 1:
        return paths[0], clean, numbers
    from nbgit.cli import parser as make_parser

    p = make_parser("textconv", DESCRIPTION, EPILOG)
    p.add_argument("path", metavar="PATH", help="the notebook to show ('-' reads stdin; any other name is a path, "
                   "even one starting with '-')")
    p.add_argument("--no-clean", action="store_true", help="show the notebook as it is, without cleaning it first")
    p.add_argument("--numbers", action="store_true", help="number the cells in their headers (`cell 3`)")
    if paths is None:
        p.print_help()
        return 0
    p.print_usage(sys.stderr)
    print(f"nbgit textconv: error: expected one PATH, got {len(paths)}", file=sys.stderr)
    return 2


def _load_config():
    """The config of the work tree git runs us in (its root); on an error, a warning and the defaults."""
    import os

    from nbgit.notebook.config import DEFAULT_CONFIG, load_config

    if os.path.exists(".git"):  # git runs textconv at the work tree root
        root = "."
    else:  # by hand, from a subfolder
        from nbgit._fs import find_worktree_root

        root = find_worktree_root(".") or "."
    try:
        return load_config(root)
    except Exception as exc:  # ConfigError, or anything unexpected: textconv must still print
        print(term(f"nbgit: warning: {exc}; textconv uses the default config"), file=sys.stderr, flush=True)
        return DEFAULT_CONFIG

