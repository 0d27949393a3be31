"""nbgit merge: three-way merge of notebook files by hand or from scripts."""

from __future__ import annotations

import sys

from nbgit.cli import fail, parser as make_parser
from nbgit._escape import term


def main(argv: list[str]) -> int:
    p = make_parser(
        "merge",
        "Merge LOCAL and REMOTE, both descended from BASE, cell by cell: the same merge git\n"
        "runs through `nbgit merge-driver`. The result goes to stdout, or to OUT with -o (written\n"
        "atomically; OUT may be LOCAL). Conflicts stay inside a valid notebook: markers inside\n"
        "cell sources, metadata conflicts in metadata.nbgit.conflicts; `nbgit conflicts OUT`\n"
        "lists them. Like the driver, the inputs and the result are cleaned with the config of\n"
        "the repository you are in (use --no-clean to keep outputs and counts as they are).\n"
        "A BASE that is not a notebook (or empty) gives a two-way merge. When LOCAL or REMOTE is\n"
        "not a notebook, git's text merge (`git merge-file`) decides: its result when clean; when it\n"
        "conflicts, the side that is a notebook with the other side's text recorded as a conflict.\n"
        "--ours/--theirs resolve every conflict for one side (outputs, metadata, sources, deletions):\n"
        "git's `-X ours/theirs` does not reach merge drivers, this does.",
        epilog="exit status: 0 merged cleanly; 1 conflicts; 2 on a usage, file or config error",
    )
    p.add_argument("base", metavar="BASE", help="the common ancestor (an empty file: none)")
    p.add_argument("local", metavar="LOCAL", help="our version (its layout is kept)")
    p.add_argument("remote", metavar="REMOTE", help="their version")
    p.add_argument("-o", "--output", metavar="OUT", help="write the result here instead of stdout")
    p.add_argument("-L", "--label", action="append", default=[], metavar="NAME",
                   help="labels for the markers: up to three, for LOCAL, BASE and REMOTE (as git merge-file)")
    p.add_argument("--marker-size", type=int, default=7, metavar="N", help="length of conflict markers (default 7)")
    p.add_argument("--diff3", action="store_true", help="show the base part in conflicts (||||||| section)")
    p.add_argument("--no-clean", action="store_true", help="do not clean inputs and result with the repository's config")
    p.add_argument("-q", "--quiet", action="store_true", help="do not list the conflicts on stderr")
    side = p.add_mutually_exclusive_group()
    side.add_argument("--ours", dest="prefer", action="store_const", const="ours",
                      help="resolve every conflict for LOCAL (a clean result, exit 0)")
    side.add_argument("--theirs", dest="prefer", action="store_const", const="theirs",
                      help="resolve every conflict for REMOTE (a clean result, exit 0)")
    args = p.parse_args(argv)
    if len(args.label) > 3:
        p.error("at most three --label options (LOCAL, BASE, REMOTE)")
    if args.marker_size < 1:
        p.error("--marker-size must be at least 1")

    from nbgit._fs import atomic_write, find_worktree_root
    from nbgit.git.merge_driver import text_merge
    from nbgit.merge.blobs import SideNotANotebook, keep_notebook_side, merge_blobs
    from nbgit.merge.lines import DIFF3, MERGE, Labels
    from nbgit.notebook.config import ConfigError, load_config
    from nbgit.notebook.io import NotebookError

    names = [*args.label, *(None,) * 3][:3]
    labels = Labels(names[0] or args.local, names[2] or args.remote, names[1] or args.base)
    style = DIFF3 if args.diff3 else MERGE
    data = {}
    for key in ("base", "local", "remote"):
        name = getattr(args, key)
        try:
            with open(name, "rb") as fh:
                data[key] = fh.read()
        except OSError as exc:
            return fail("merge", f"{name}: cannot read ({exc.strerror or exc})")
    config = None
    if not args.no_clean:
        try:
            config = load_config(find_worktree_root(".") or ".")
        except ConfigError as exc:
            return fail("merge", str(exc))
    try:
        merged = merge_blobs(data["base"], data["local"], data["remote"], config=config, labels=labels,
                             marker_size=args.marker_size, style=style, prefer=args.prefer)
        out, conflicts = merged.data, merged.conflicts
        status = 0 if merged.clean else 1
        if not args.quiet:
            for note in merged.notes:
                print(term(f"nbgit merge: {note}"), file=sys.stderr)
    except SideNotANotebook as exc:
        print(term(f"nbgit merge: {exc.side} is not a notebook ({exc.side_reason}); using git's text merge"), file=sys.stderr)
        try:
            out, clean = text_merge(args.base, args.local, args.remote, labels, args.marker_size, style)
        except (OSError, RuntimeError) as err:
            return fail("merge", f"git merge-file failed: {err}")
        conflicts, status = [], 0 if clean else 1
        if not clean:
            try:
                kept = keep_notebook_side(data["local"], data["remote"], exc, labels)
            except NotebookError:
                pass  # neither side is a notebook: git's marked text
            else:
                out, conflicts = kept.data, kept.conflicts
                print(f"nbgit merge: git's text merge conflicts: kept the side that is a notebook, "
                      f"{exc.side}'s text recorded in metadata.nbgit.conflicts", file=sys.stderr)
    if args.output:
        try:
            atomic_write(args.output, out)
        except OSError as exc:
            return fail("merge", f"{args.output}: cannot write ({exc.strerror or exc}); nothing written")
    else:
        sys.stdout.buffer.write(out)
        sys.stdout.buffer.flush()
    if conflicts and not args.quiet:
        target = args.output or "<stdout>"
        for c in conflicts:
            print(term(f"{target}: {c}"), file=sys.stderr)
    return status
