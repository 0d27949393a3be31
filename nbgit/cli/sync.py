"""nbgit sync: sync paired notebooks and text files by content, never losing an edit."""

from __future__ import annotations

import os
import sys

from nbgit.cli import fail, parser as make_parser
from nbgit._escape import term

DESCRIPTION = """\
Sync notebooks with their jupytext text files (paired with `nbgit pair`, or by jupytext).

nbgit remembers what each pair looked like at its last sync and decides by content, not by
file times: the side that changed since then is carried over to the other; a side that was
only touched, or rewritten with the same content by a checkout, is no change. Carrying the
text over keeps the notebook's outputs and cell ids. When both sides changed, nothing is
written: nbgit names both files and exits 1; choose a side with --use. A pair with no record
(a fresh clone) is in sync when both sides agree, and reported otherwise, never guessed.

With no PATH: every pair in the repository (or under the current directory outside git).
A PATH may be a notebook, its text file, or a directory. When [tool.nbgit] sets
pair = "FORMAT", notebooks that are not paired yet are paired (not with --check or --hook)."""

EPILOG = """\
exit status: 0 everything in sync (or synced); 1 a conflict, a pair nbgit will not guess, or
  with --check anything out of sync; 2 a usage or config error, a PATH that does not exist or is
  not paired, a file of a pair that cannot be read or used (invalid, conflict markers, leading
  outside the repository), or the sync record cannot be written; with --hook always 0
the record of the last sync is .git/nbgit/sync.json (outside git: .nbgit-sync.json beside
  the notebooks); deleting it is safe"""

_IN_PROGRESS = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "BISECT_LOG", "rebase-merge", "rebase-apply")


def main(argv: list[str]) -> int:
    p = make_parser("sync", DESCRIPTION, EPILOG)
    p.add_argument("paths", nargs="*", metavar="PATH", help="notebooks, text files or directories (default: all pairs)")
    p.add_argument("--check", action="store_true", help="only report pairs out of sync (exit 1 if any); change nothing")
    p.add_argument(
        "--use",
        metavar="SIDE",
        choices=("ipynb", "py", "md", "text"),
        help="settle conflicts (and pairs without a record that differ): ipynb, or the text file "
        "(py, md or text) wins; pairs where only one side changed sync as usual",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    p.add_argument("--hook", action="store_true", help="run from a git hook: quiet, never pairs new notebooks, does "
                   "nothing during a merge, rebase, cherry-pick or bisect, and always exits 0")
    args = p.parse_args(argv)

    from nbgit.notebook.config import ConfigError, load_config
    from nbgit.pair.state import Stores
    from nbgit.pair.sync import find_pairs, locate_repo, pair_notebook, sync_pair

    toplevel, git_dir = locate_repo(".")
    if args.hook and git_dir and any(os.path.exists(os.path.join(git_dir, n)) for n in _IN_PROGRESS):
        return 0
    quiet = args.quiet or args.hook
    try:
        config = load_config(toplevel or ".")
    except ConfigError as exc:
        code = fail("sync", str(exc))
        return 0 if args.hook else code
    missing = [a for a in args.paths if not os.path.lexists(a)]
    if missing:  # a mistyped PATH: nothing is synced (as git refuses a pathspec that matches nothing)
        code = fail("sync", f"{missing[0]}: no such file or directory")
        return 0 if args.hook else code
    use = {"ipynb": "ipynb", None: None}.get(args.use, "text")
    stores = Stores(git_dir, toplevel)
    found = find_pairs(args.paths, stores, toplevel)

    outcomes = list(found.problems)
    not_paired = []
    usage_error = False
    named = {os.path.abspath(a) for a in args.paths}
    unused = _unused_pairs(found.pairs, named, stores, toplevel, config)
    if unused and not quiet:
        shown = ", ".join(f"{os.path.relpath(p.ipynb)} ({os.path.relpath(p.text)})" for p in unused[:5])
        more = f" and {len(unused) - 5} more" if len(unused) > 5 else ""
        print(term(f"nbgit sync: not synced: {len(unused)} notebook{'s' if len(unused) != 1 else ''} whose jupytext "
                   f"metadata names a text file the repository does not use (not tracked, never paired here): "
                   f"{shown}{more}; `nbgit pair NOTEBOOK` or `nbgit sync NOTEBOOK` to use one"), file=sys.stderr)
    unused_set = set(unused)
    for pair in found.pairs:
        if pair in unused_set:
            continue
        outcomes.append(sync_pair(pair, stores, use=use, check=args.check, files=found.files.get(pair.ipynb)))
    for path in found.unpaired:
        if config.pair and not args.hook:
            outcomes.append(pair_notebook(path, config.pair, stores, check=args.check))
            if args.check:
                not_paired.append(path)
        elif path in named:
            rel = os.path.relpath(path)
            fail("sync", f"{rel}: not paired (run `nbgit pair {rel}`)")
            usage_error = True
    if not args.check:
        try:
            stores.save()
        except OSError as exc:
            code = fail("sync", f"cannot write the sync record: {exc}")
            return 0 if args.hook else code
    status = _report(outcomes, not_paired, args.check, quiet, hook=args.hook)
    return 2 if usage_error and not args.hook else status


def _unused_pairs(pairs, named: set, stores, toplevel: str | None, config) -> list:
    """Pairs found only through a notebook's jupytext ``formats`` metadata that this repository does
    not use: the notebook is tracked but its text file is not, nbgit never synced the pair here and ``[tool.nbgit] pair``
    does not ask for it. Syncing them would write untracked text files nobody asked for (a repository
    whose notebooks carry ``formats`` but whose text files were never committed). Named PATHs and pairs
    outside git are always synced."""
    if toplevel is None:
        return []
    import subprocess

    proc = subprocess.run(["git", "ls-files", "-z"], cwd=toplevel, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if proc.returncode != 0:
        return []
    top = os.path.realpath(toplevel)
    tracked = {os.path.join(top, n) for n in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if n}

    def real(path: str) -> str:  # the directory resolved as git resolves the work tree, the name as is
        return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))

    unused = []
    for pair in pairs:
        if pair.ipynb in named or pair.text in named or real(pair.text) in tracked or config.pair == pair.fmt:
            continue
        if real(pair.ipynb) not in tracked:
            continue  # a new notebook, committed nowhere yet: its formats metadata is this user's own pairing
        if stores.for_notebook(pair.ipynb).get(pair.ipynb) is not None:
            continue  # paired by `nbgit pair`, or synced here before
        unused.append(pair)
    return unused


def _report(outcomes, not_paired, check: bool, quiet: bool, hook: bool) -> int:
    from nbgit.pair.decide import Action

    out, err = sys.stdout, sys.stderr
    bad = errors = 0
    changed = 0
    for o in outcomes:
        rel_nb, rel_text = os.path.relpath(o.pair.ipynb), os.path.relpath(o.pair.text)
        if o.error:
            bad += 1
            errors += 1
            fail("sync", o.problem)
        elif o.action in (Action.CONFLICT, Action.UNKNOWN):
            bad += 1
            kind = "conflict" if o.action is Action.CONFLICT else "not synced"
            print(term(f"nbgit sync: {kind}: {o.problem}"), file=err)
        elif o.wrote:
            changed += 1
            if o.pair.ipynb in not_paired:
                print(term(f"{rel_nb}: not paired (would pair it with {rel_text})"), file=out)
            elif check:
                src, dst = (rel_text, rel_nb) if o.wrote == o.pair.ipynb else (rel_nb, rel_text)
                print(term(f"{dst}: out of sync with {src} (nbgit sync would update {dst})"), file=out)
            elif not quiet or hook:
                src, dst = (rel_text, rel_nb) if o.wrote == o.pair.ipynb else (rel_nb, rel_text)
                print(term(f"nbgit sync: {src} -> {dst}"), file=out)
            if o.problem:
                print(term(f"nbgit sync: {o.problem}"), file=out)
    n = len(outcomes)
    if not quiet and not bad:
        if check:
            summary = f"{changed} of {n} pairs out of sync" if changed else f"{n} pair{'s' if n != 1 else ''} in sync"
        else:
            summary = f"{n} pair{'s' if n != 1 else ''} in sync" + (f" ({changed} updated)" if changed else "")
        print(term(f"nbgit sync: {summary}"), file=err)
    if hook:
        return 0
    if errors:  # a file of a pair could not be read or used: sync could not do its job there
        return 2
    if bad or (check and changed):
        return 1
    return 0
