"""nbgit renormalize: re-add committed notebooks through the current clean filter."""

from __future__ import annotations

import os
import sys

from nbgit.cli import parser as make_parser
from nbgit._escape import term


def main(argv: list[str]) -> int:
    p = make_parser(
        "renormalize",
        "Stage notebooks again through nbgit's clean filter (`git add --renormalize`), after\n"
        "installing nbgit in an existing repository or changing [tool.nbgit]. By default only\n"
        "the tracked notebooks whose staged content is not clean under the current config;\n"
        "commit the result. Like `git add`, it stages each notebook as it is in the work tree.",
        epilog="exit status: 0 done (or nothing to do); 1 git failed",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="limit to notebooks under these paths")
    p.add_argument("--all", dest="everything", action="store_true",
                   help="re-add every tracked notebook, not only the ones that are not clean")
    p.add_argument("-n", "--dry-run", action="store_true", help="only list the notebooks that would be re-added")
    args = p.parse_args(argv)

    from nbgit.cli._term import progress_bar
    from nbgit.git.doctor import notebooks_to_renormalize, renormalize
    from nbgit.git.repo import GitError, toplevel
    from nbgit.notebook.config import ConfigError

    from nbgit.cli import fail

    for path in args.paths:
        if not os.path.exists(path):
            return fail("renormalize", f"{path}: no such file or directory")
        if os.path.isfile(path) and not path.endswith(".ipynb"):
            return fail("renormalize", f"{path}: not a notebook (.ipynb)")
    try:
        root = toplevel(".")
        paths = notebooks_to_renormalize(".", args.paths, everything=args.everything)
    except (GitError, ConfigError) as exc:
        return fail("renormalize", str(exc))
    if not paths:
        where = " under " + ", ".join(args.paths) if args.paths else ""
        print(term(f"nbgit renormalize: every notebook{where} is already clean; nothing to do"))
        return 0
    if args.dry_run:
        for path in paths:
            print(term(path))
        return 0
    bar = progress_bar("nbgit renormalize")
    try:
        edited = renormalize(paths, root, batches=20 if bar else 1, progress=bar)
    except (GitError, ConfigError) as exc:  # --all reads the config only here
        return fail("renormalize", str(exc))
    for path in edited:
        print(term(f"note: {path} had unstaged edits; they are staged now too (`git diff --cached -- {path}`)"))
    print(term(f"nbgit renormalize: re-added {len(paths)} notebook(s); commit them: git commit -m 'Renormalize notebooks'"))
    return 0
