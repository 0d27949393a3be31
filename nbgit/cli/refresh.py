"""nbgit refresh: clear phantom modifications (notebooks git lists as modified only because their size changed)."""

from __future__ import annotations

import os
import sys

from nbgit.cli import parser as make_parser


def main(argv: list[str]) -> int:
    p = make_parser(
        "refresh",
        "Re-running a notebook changes its file size, and git lists a file whose size changed as\n"
        "modified without asking the clean filter: `git status` shows it, `git checkout`, `merge`,\n"
        "`pull` and `stash pop` refuse to overwrite it, although `git diff` is empty.\n\n"
        "For each tracked notebook routed to nbgit that git sees as changed by its stat data,\n"
        "refresh hashes the work-tree file through the filter git runs; where that equals the\n"
        "staged blob, it rewrites the index entry with itself (same blob), which clears git's cached\n"
        "stat data so that git compares content from then on. Staged content never changes;\n"
        "unmerged, skip-worktree, assume-unchanged and intent-to-add entries are left alone.\n\n"
        "nbgit's Jupyter server extension does this after every save, and `nbgit install --hooks`\n"
        "after checkouts, merges and commits; run it by hand after re-running notebooks elsewhere.",
        epilog="exit status: 0 done (also when there was nothing to do); 2 the index stayed locked by\n"
        "another git command (nothing changed), git failed, not inside a git work tree, a usage error or a\n"
        "PATH outside the repository or matching no file (with --hook: always 0)",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="notebooks or directories (default: the whole work tree)")
    p.add_argument("-n", "--dry-run", action="store_true", help="only list the notebooks that would be refreshed")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing unless something went wrong")
    p.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                   help="how long to retry while another git command holds index.lock (default: 2; 0.5 with --hook)")
    p.add_argument("--hook", action="store_true", help="run from a git hook: quiet, never fails the hook")
    args = p.parse_args(argv)
    if args.wait is None:
        args.wait = 0.5 if args.hook else 2.0
    if args.wait < 0:
        p.error("--wait must not be negative")

    from nbgit._escape import term as safe_text
    from nbgit.cli import fail
    from nbgit.git.refresh import IndexLocked, pathspecs, refresh
    from nbgit.git.repo import GitError, git, toplevel

    quiet = args.quiet or args.hook
    try:
        root = toplevel()
        try:
            specs = pathspecs(args.paths, root)
        except ValueError as exc:
            return 0 if args.hook else fail("refresh", str(exc))
        for path, spec in zip(args.paths, specs):  # a mistyped PATH is an error, not "0 refreshed"
            if not os.path.lexists(path) and not git("ls-files", "-z", "--", spec, cwd=root):
                return 0 if args.hook else fail("refresh", f"{path}: did not match any file")
        result = refresh(root, specs, dry_run=args.dry_run, wait=args.wait)
    except IndexLocked as exc:
        if args.hook:
            print(f"nbgit refresh: warning: {safe_text(str(exc))}", file=sys.stderr)
            return 0
        return fail("refresh", str(exc))
    except GitError as exc:
        return 0 if args.hook else fail("refresh", str(exc))
    if not quiet:
        verb = "would refresh" if args.dry_run else "refreshed"
        for path in result.refreshed:
            print(f"{verb}: {safe_text(path)}")
        for path in result.unreadable:
            print(f"nbgit refresh: warning: {safe_text(path)}: git could not read it; left alone", file=sys.stderr)
        n = len(result.refreshed)
        summary = f"nbgit refresh: {n} notebook{'s' if n != 1 else ''} {verb}"
        if result.modified:
            m = len(result.modified)
            summary += f"; {m} really modified (left as they are)"
        print(summary, file=sys.stderr)
    return 0

