"""nbgit filter-process: git's long-running filter protocol on stdin/stdout."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv:
        if argv[0] in ("-h", "--help"):
            print(
                "usage: nbgit filter-process\n\n"
                "Serve git's long-running filter protocol (filter.nbgit.process) on stdin/stdout.\n"
                "git starts this; `nbgit install` configures it. One process cleans every notebook\n"
                "of a `git add` or `git status`."
            )
            return 0
        print(f"nbgit filter-process: unexpected arguments {argv!r}", file=sys.stderr)
        return 2
    from nbgit.git.filter import main_process

    return main_process()
