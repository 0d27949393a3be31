"""nbgit merge-driver: git's merge driver for notebooks (configured by `nbgit install`)."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]) or not 3 <= len(argv) <= 8:
        from nbgit.cli import parser as make_parser

        p = make_parser(
            "merge-driver",
            "git's merge driver for notebooks: merges %B into %A cell by cell, with %O as the\n"
            "common ancestor. Conflicts stay inside a valid notebook: markers inside the\n"
            "cell's source (of %L characters, labelled with %X/%Y when git passes them), and\n"
            "metadata conflicts in metadata.nbgit.conflicts. Files that are not notebooks get\n"
            "git's text merge. `nbgit install` configures it as:\n\n"
            "  merge.nbgit.driver = PYTHON -m nbgit merge-driver %O %A %B %L %P %S %X %Y\n"
            "  merge.nbgit.recursive = binary",
            epilog="exit status: 0 merged cleanly; 1 conflicts (or an error: %A is then left as our version)",
        )
        p.add_argument("base", metavar="%O", help="the common ancestor's version (empty: none)")
        p.add_argument("local", metavar="%A", help="our version; the result is written here")
        p.add_argument("remote", metavar="%B", help="their version")
        p.add_argument("marker_size", metavar="%L", nargs="?", help="conflict marker size (default 7)")
        p.add_argument("path", metavar="%P", nargs="?", help="the path being merged (for messages)")
        p.add_argument("labels", metavar="%S %X %Y", nargs="*", help="labels of base, ours and theirs (git >= 2.44)")
        if argv[:1] in (["-h"], ["--help"]):
            p.print_help()
            return 0
        p.print_usage(sys.stderr)
        print("nbgit merge-driver: expected %O %A %B [%L [%P [%S %X %Y]]]", file=sys.stderr)
        return 2

    from nbgit.git.merge_driver import labels_from_args, marker_size_from_arg, run

    base, local, remote, *rest = argv
    marker = rest[0] if len(rest) > 0 else None
    path = rest[1] if len(rest) > 1 and rest[1] not in ("", "%P") else None
    s, x, y = (rest[2:5] + [None, None, None])[:3]
    return run(base, local, remote, marker_size_from_arg(marker), path, labels_from_args(s, x, y))
