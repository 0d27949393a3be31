"""``nbgit review``: review material (an HTML page, PR-comment markdown) for notebook changes."""

from __future__ import annotations

import os
import sys
from nbgit._escape import term

DESCRIPTION = """\
Write review material for the notebooks changed between two revisions:

  nbgit review                          work tree vs HEAD (uncommitted changes)
  nbgit review BASE..HEAD               BASE vs HEAD (also BASE HEAD)
  nbgit review BASE...HEAD              merge base of BASE and HEAD vs HEAD (what a PR shows)
  nbgit review REV                      work tree vs REV
  nbgit review ... -- PATH...           only these notebooks / directories

  --html FILE      one self-contained page: summary per notebook, side-by-side cells, line and
                   word highlights, rendered markdown, images before/after; no network, and no
                   notebook content runs (strict Content-Security-Policy, sandboxed HTML outputs)
  --markdown FILE  GitHub-flavoured markdown for `gh pr comment --body-file FILE`, kept under
                   GitHub's 65,536-character comment limit

With neither option the markdown goes to stdout. FILE may be `-` for stdout.
Notebooks are compared as they are stored in each revision (not cleaned again), so a
repository that keeps outputs gets its images and text outputs reviewed too; in a
repository whose filter strips outputs there are none to show. Work-tree notebooks
are compared as `git add` would store them (cleaned where the nbgit filter applies)."""

EPILOG = """\
exit status: 0 written (also when nothing changed); 2 usage error, unknown revision, or a file
that cannot be written (the message says which)."""


def _parser():
    from nbgit.cli import parser

    p = parser("review", DESCRIPTION, EPILOG)
    p.add_argument("revs", nargs="*", metavar="REV", help="BASE..HEAD, BASE...HEAD, BASE HEAD or REV (default: HEAD)")
    p.add_argument("--html", metavar="FILE", help="write the HTML review page to FILE")
    p.add_argument("--markdown", "--md", metavar="FILE", help="write the PR-comment markdown to FILE")
    p.add_argument(
        "--max-chars", type=int, default=None, metavar="N",
        help="upper bound for the markdown's length (default 65000, under GitHub's limit)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    return p


def _error(message: str) -> int:
    from nbgit.cli import fail

    return fail("review", message)


def main(argv: list[str]) -> int:
    argv = list(argv)
    paths: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, paths = argv[:cut], argv[cut + 1 :]
    args = _parser().parse_args(argv)
    if args.max_chars is not None and args.max_chars < 2000:
        return _error("--max-chars must be at least 2000")

    from nbgit.notebook.config import ConfigError
    from nbgit.git.revisions import INDEX, WORKTREE, RevisionError, changed_notebooks, open_repo, relative_pathspec, sides_for

    try:
        repo = open_repo(os.getcwd())
        revs = args.revs or ["HEAD"]
        sides = sides_for(repo, revs)  # one REV: REV vs the work tree
        if sides.old == INDEX:
            return _error("the base must be a revision")
        specs = [relative_pathspec(repo, p) for p in paths]
        pairs = changed_notebooks(repo, sides, specs)
        base_label = _label(repo, sides.old)
        head_label = "working tree" if sides.new == WORKTREE else "index" if sides.new == INDEX else _label(repo, sides.new)
    except RevisionError as exc:
        return _error(str(exc))

    if sides.new == WORKTREE:
        try:
            pairs = _as_git_would_add(repo.workdir, pairs)
        except ConfigError as exc:
            return _error(str(exc))

    from nbgit.diff.view import view_from_options
    from nbgit.notebook.config import load_config
    from nbgit.review.changes import notebook_change

    try:
        view = view_from_options(config=load_config(repo.workdir))
    except ConfigError as exc:
        return _error(str(exc))

    from nbgit.cli._term import progress_bar

    progress = progress_bar("reviewing") if len(pairs) > 1 else None
    changes = []
    for done, fp in enumerate(pairs, 1):
        changes.append(notebook_change(fp.path, fp.old, fp.new, fp.old_path if fp.old_path != fp.new_path else None,
                                       view=view))
        if progress is not None:
            progress(done, len(pairs))

    outputs = []
    if args.html:
        from nbgit.review.html import render_html

        outputs.append((args.html, render_html(changes, base=base_label, head=head_label)))
    if args.markdown or not args.html:
        from nbgit.review.markdown import DEFAULT_MAX_CHARS, render_markdown

        hint = "the HTML review" if args.html else None
        text = render_markdown(
            changes, base=base_label, head=head_label, max_chars=args.max_chars or DEFAULT_MAX_CHARS, html_hint=hint
        )
        outputs.append((args.markdown or "-", text))
    for target, text in outputs:
        status = _write(target, text)
        if status:
            return status
    if not args.quiet:
        unreadable = sum(1 for c in changes if c.error)
        msg = f"nbgit review: {len(changes)} notebook{'s' if len(changes) != 1 else ''} changed ({base_label} → {head_label})"
        if unreadable:
            msg += f", {unreadable} unreadable"
        written = [t for t, _ in outputs if t != "-"]
        if written:
            msg += "; wrote " + ", ".join(written)
        print(term(msg), file=sys.stderr)
    return 0


def _as_git_would_add(root: str, pairs: list) -> list:
    """Work-tree notebooks as ``git add`` would store them: cleaned where the nbgit filter applies.

    Revisions are compared as stored; without this, a repository whose filter
    strips outputs would show every local output as a change that can never be
    committed.
    """
    import dataclasses

    from nbgit.git.repo import GitError, git
    from nbgit.notebook.clean import clean_bytes
    from nbgit.notebook.config import load_config
    from nbgit.notebook.io import NotebookError

    paths = [fp.new_path for fp in pairs if fp.new is not None]
    if not paths:
        return pairs
    try:
        out = git(
            "check-attr", "-z", "--stdin", "filter", cwd=root,
            input=b"\0".join(map(os.fsencode, paths)) + b"\0", errors="surrogateescape",
        )
    except GitError:
        return pairs
    fields = out.split("\0")
    filtered = {fields[i] for i in range(0, len(fields) - 2, 3) if fields[i + 2] == "nbgit"}
    if not filtered:
        return pairs
    config = load_config(root)
    result = []
    for fp in pairs:
        if fp.new is not None and fp.new_path in filtered:
            try:
                cleaned = clean_bytes(fp.new, config)
            except Exception:  # NotebookError or anything unexpected: reviewed as it is
                cleaned = fp.new
            if cleaned == fp.old:
                continue  # only outputs changed: nothing git would commit
            fp = dataclasses.replace(fp, new=cleaned)
        result.append(fp)
    return result


def _label(repo, spec: str) -> str:
    """A revision as the user named it, with its short commit id."""
    import pygit2

    try:
        commit = repo.revparse_single(spec).peel(pygit2.Commit)
        short = str(commit.id)[:7]
    except Exception:
        return spec
    if spec == str(commit.id):
        return short
    return f"{spec} ({short})"


def _write(target: str, text: str) -> int:
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate from a notebook: shown escaped
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    from nbgit._fs import write_output

    try:
        write_output(target, text.encode("utf-8"))
    except OSError as exc:
        return _error(f"{target}: cannot write ({exc.strerror or exc})")
    return 0


