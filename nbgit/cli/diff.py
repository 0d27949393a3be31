"""``nbgit diff``: cell-aware diff of two notebooks, or of notebooks between revisions."""

from __future__ import annotations

import os
import sys

from nbgit.cli import fail
from nbgit.cli._term import use_color
from nbgit._escape import term

DESCRIPTION = """\
Show how notebooks changed, cell by cell: cells inserted, deleted, moved and
modified (with a line diff of the source and the words that changed), and
changes to outputs and metadata.

  nbgit diff A.ipynb B.ipynb        two files
  nbgit diff                        work tree vs index (like `git diff`)
  nbgit diff --cached [REV]         index vs HEAD (or REV)
  nbgit diff REV                    work tree vs REV
  nbgit diff REV1 REV2              REV1 vs REV2 (also REV1..REV2, REV1...REV2)
  nbgit diff ... -- PATH...         only these notebooks / directories

Notebooks read from the repository are cleaned with the repository's nbgit
config first (--no-clean to compare them as stored), so what is shown is what
would be committed. Two files given by path are compared as they are (--clean
to clean them too)."""

EPILOG = """\
exit status: 0 no differences, 1 differences shown, 2 error (the message names the file).
Colour only on a terminal (NO_COLOR respected); paged like git (GIT_PAGER, core.pager,
PAGER, `less -FRX`) when the output is a terminal."""

EMPTY_NOTEBOOK = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _parser():
    from nbgit.cli import parser

    p = parser("diff", DESCRIPTION, EPILOG)
    p.add_argument("args", nargs="*", metavar="REV|FILE", help="revisions, or two notebook files")
    p.add_argument("--cached", "--staged", action="store_true", help="compare the index with HEAD (or REV)")
    p.add_argument("--no-index", action="store_true", help="compare two files even inside a repository")
    p.add_argument(
        "--color", default="auto", choices=("always", "never", "auto"), metavar="WHEN",
        help="--color[=WHEN]: colour always, never or auto (default: auto, a terminal without NO_COLOR)",
    )
    p.add_argument("--no-color", dest="color", action="store_const", const="never", help="same as --color=never")
    p.add_argument("--outputs", dest="outputs", action="store_true", default=True, help="show output changes (default)")
    p.add_argument("--no-outputs", dest="outputs", action="store_false", help="ignore outputs and execution counts")
    p.add_argument("--metadata", dest="metadata", action="store_true", default=True, help="show metadata changes (default)")
    p.add_argument("--no-metadata", dest="metadata", action="store_false", help="ignore notebook and cell metadata")
    for short, part, what in (("s", "sources", "sources"), ("o", "outputs", "outputs and execution counts"),
                              ("a", "attachments", "attachments"), ("m", "metadata", "notebook and cell metadata"),
                              ("i", "ids", "cell ids (per cell; by default one summary line)"),
                              ("d", "details", "other changes (cell type, nbformat, other fields)")):
        p.add_argument(f"-{short}", dest="only", action="append_const", const=part, default=[],
                       help=f"show only {what} (nbdime's -{short}; combine several)")
        p.add_argument(f"-{short.upper()}", dest="ignore", action="append_const", const=part, default=[],
                       help=f"ignore {what}")
    p.add_argument("--clean", dest="clean", action="store_true", default=None,
                   help="clean both sides with the repository config first (default for revisions)")
    p.add_argument("--no-clean", dest="clean", action="store_false", help="compare notebooks exactly as stored")
    p.add_argument("-U", "--unified", type=int, default=3, metavar="N", help="lines of context (default 3)")
    p.add_argument("--json", action="store_true", help="machine-readable output (one JSON document)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing; only the exit status")
    p.add_argument("--no-pager", action="store_true", help="do not pipe the output into a pager")
    p.add_argument("--git-external", action="store_true", help=__import__("argparse").SUPPRESS)
    return p


class _Failure(Exception):
    """A per-file error: the message names the file."""


def main(argv: list[str]) -> int:
    argv = list(argv)
    if "--git-external" in argv:
        # git appends its 7 or 9 arguments after the configured command: taken verbatim, never
        # as options (the first is the notebook's path, which may start with `-`: `-rf.ipynb`)
        cut = argv.index("--git-external") + 1
        argv, external = argv[:cut], argv[cut:]
        argv = ["--color=always" if arg == "--color" else arg for arg in argv]
        return _git_external(_parser().parse_args(argv), external)
    paths: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, paths = argv[:cut], argv[cut + 1 :]
    argv = ["--color=always" if arg == "--color" else arg for arg in argv]  # git's --color[=WHEN]
    args = _parser().parse_args(argv)
    if args.git_external:
        return _git_external(args, args.args + paths)

    from nbgit.notebook.config import ConfigError

    try:
        if args.no_index or (len(args.args) == 2 and not paths and all(_is_file(p) for p in args.args)):
            if len(args.args) != 2:
                return _error("--no-index takes exactly two files")
            config = _config_near(os.getcwd()) if args.clean else None
            jobs = [_files_job(args.args[0], args.args[1])]
            clean = bool(args.clean)
        else:
            jobs, config = _revision_jobs(args, paths)
            clean = args.clean is not False
        args.view = _view(args, config)
    except ConfigError as exc:
        return _error(str(exc))
    except _Failure as exc:
        return _error(str(exc))

    return _run(jobs, args, config if clean else None)


def _view(args, config):
    """What to show: -s/-o/-a/-m/-i/-d and their capitals, else ``[tool.nbgit] diff_only/diff_ignore``."""
    from nbgit.diff.view import view_from_options

    if not args.only and not args.ignore and config is None:
        config = _config_near(os.getcwd())
    return view_from_options(args.only, args.ignore, config)


# --- what to compare -------------------------------------------------------------------------


class _Job:
    """One notebook to compare: labels and a way to get each side's bytes (None: absent)."""

    def __init__(self, path: str, a_label: str, b_label: str, a_name: str, b_name: str, a_bytes, b_bytes, status: str):
        self.path = path
        self.a_label, self.b_label = a_label, b_label
        self.a_name, self.b_name = a_name, b_name
        self.a_bytes, self.b_bytes = a_bytes, b_bytes
        self.status = status


def _is_file(path: str) -> bool:
    return path == "/dev/null" or os.path.isfile(path)


def _read_file(path: str) -> bytes | None:
    if path == "/dev/null":
        return None
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise _Failure(f"{path}: cannot read ({exc.strerror or exc})") from None


def _files_job(a: str, b: str) -> _Job:
    a_bytes, b_bytes = _read_file(a), _read_file(b)
    status = "added" if a_bytes is None else "deleted" if b_bytes is None else "modified"
    return _Job(b if b != "/dev/null" else a, a, b, a, b, a_bytes, b_bytes, status)


def _config_near(cwd: str):
    """The nbgit config of the work tree around ``cwd`` (defaults outside one); no pygit2 needed."""
    from nbgit._fs import find_worktree_root
    from nbgit.notebook.config import DEFAULT_CONFIG, load_config

    root = find_worktree_root(cwd)
    return DEFAULT_CONFIG if root is None else load_config(root)


def _revision_jobs(args, paths: list[str]):
    from nbgit.git.revisions import RevisionError, changed_notebooks, is_revision, open_repo, relative_pathspec, sides_for
    from nbgit.notebook.config import load_config

    try:
        repo = open_repo(os.getcwd())
    except RevisionError as exc:
        missing = [p for p in args.args if not _is_file(p)]
        if missing:  # outside a repository an argument can only be a file
            raise _Failure(f"{missing[0]}: no such file (and not inside a git repository)") from None
        if args.args:
            raise _Failure(f"{len(args.args)} files given; nbgit diff compares two: nbgit diff A.ipynb B.ipynb") from None
        raise _Failure(f"{exc} (to compare two files: nbgit diff A.ipynb B.ipynb)") from None
    revs: list[str] = []
    for arg in args.args:
        if is_revision(repo, arg):
            revs.append(arg)
        elif os.path.exists(arg):
            paths.append(arg)
        else:
            raise _Failure(f"{arg}: unknown revision or path not in the working tree")
    import pygit2

    try:
        specs = [relative_pathspec(repo, p) for p in paths]
        sides = sides_for(repo, revs, cached=args.cached)
        pairs = changed_notebooks(repo, sides, specs)
    except RevisionError as exc:
        raise _Failure(str(exc)) from None
    except (pygit2.GitError, OSError) as exc:
        raise _Failure(f"cannot read the repository at {repo.workdir}: {exc}") from None
    config = load_config(repo.workdir)
    old_name = {"index": "index", "worktree": "work tree"}.get(sides.old, sides.old)
    new_name = {"index": "index", "worktree": "work tree"}.get(sides.new, sides.new)
    jobs = []
    for fp in pairs:
        a_label = f"a/{fp.old_path}" if fp.old_path else "/dev/null"
        b_label = f"b/{fp.new_path}" if fp.new_path else "/dev/null"
        if fp.unmerged:
            jobs.append(_Job(fp.path, "", "", "", "", None, None, "unmerged"))
            continue
        if fp.old_path is None:
            status = "added"
        elif fp.new_path is None:
            status = "deleted"
        elif fp.old_path != fp.new_path:
            status = "renamed"
        else:
            status = "modified"
        jobs.append(_Job(fp.path, a_label, b_label, f"{fp.old_path} ({old_name})", f"{fp.new_path} ({new_name})",
                         fp.old, fp.new, status))
    return jobs, config


# --- comparing and showing -------------------------------------------------------------------


def _load(data: bytes | None, name: str, config) -> dict:
    """Parse (and clean, when ``config`` is given) one side; nbformat 3 is upgraded."""
    from nbgit.notebook.io import NotebookError, parse

    if data is None:
        return EMPTY_NOTEBOOK
    try:
        nb = parse(data)
    except NotebookError as exc:
        raise _Failure(f"{name}: not a readable notebook ({exc.reason})") from None
    if config is not None:
        from nbgit.notebook.clean import clean_notebook

        nb = clean_notebook(nb, config)
    if nb.get("nbformat") == 3:
        from nbgit.notebook.upgrade import upgrade_v3

        try:
            nb = upgrade_v3(nb)
        except Exception as exc:  # nbformat's converter on a broken v3 file
            raise _Failure(f"{name}: cannot upgrade nbformat 3 ({exc})") from None
    if nb.get("nbformat", 4) < 4:
        raise _Failure(f"{name}: unsupported nbformat {nb.get('nbformat')}")
    return nb


def _run(jobs: list[_Job], args, config) -> int:
    from nbgit.diff import diff_notebooks
    from nbgit.review.terminal import effective_view, render_notebook_diff, visible_change

    color = use_color(sys.stdout, args.color) and not args.json
    errors = 0
    differ = 0
    text: list[str] = []
    records: list[dict] = []
    for job in jobs:
        if job.status == "unmerged":  # a merge in progress: the index has no single version
            differ += 1
            records.append({"path": job.path, "status": "unmerged"})
            if not args.json and not args.quiet:
                text.append(term(f"* Unmerged path {job.path}"))
            continue
        try:
            a = _load(job.a_bytes, job.a_name, config)
            b = _load(job.b_bytes, job.b_name, config)
        except _Failure as exc:
            errors += 1
            fail("diff", str(exc))
            records.append({"path": job.path, "status": job.status, "error": str(exc)})
            continue
        d = diff_notebooks(a, b)
        if not visible_change(d, outputs=args.outputs, metadata=args.metadata, view=args.view):
            if job.status == "renamed":  # nothing changed inside, but the file moved
                differ += 1
                if args.json:
                    records.append({"path": job.path, "a": job.a_label, "b": job.b_label, "status": job.status,
                                    "diff": d.to_json()})
                elif not args.quiet:
                    text += [term(f"nbgit diff {job.a_label} {job.b_label}"), "renamed; the notebooks are the same"]
            continue
        differ += 1
        if args.json:
            shown = effective_view(args.view, args.outputs, args.metadata).apply(d)
            records.append({"path": job.path, "a": job.a_label, "b": job.b_label, "status": job.status,
                            "diff": shown.to_json()})
        elif not args.quiet:
            text += render_notebook_diff(d, a_label=job.a_label, b_label=job.b_label, color=color,
                                         outputs=args.outputs, metadata=args.metadata, context=max(args.unified, 0),
                                         view=args.view)
    if args.json and not args.quiet:
        import json

        text = [json.dumps({"different": differ > 0, "files": records}, indent=1, ensure_ascii=False)]
    if text:
        _emit("\n".join(text) + "\n", pager=not args.no_pager and not args.quiet)
    if errors:
        return 2
    return 1 if differ else 0


def _pager_command() -> str | None:
    pager = os.environ.get("GIT_PAGER")
    if pager is None:
        try:
            from nbgit.git.repo import git

            pager = git("config", "core.pager", check=False) or None
        except Exception:
            pager = None
    if pager is None:
        pager = os.environ.get("PAGER")
    if pager is None:
        pager = "less"
    pager = pager.strip()
    return None if pager in ("", "cat") else pager


def _emit(text: str, pager: bool) -> None:
    command = _pager_command() if pager and sys.stdout.isatty() else None
    if command is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    sys.stdout.flush()
    try:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        sys.stdout.write(text)
        return
    try:
        proc.communicate(text.encode("utf-8", "replace"))
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    proc.wait()


def _error(message: str) -> int:
    return fail("diff", message)


# --- git's GIT_EXTERNAL_DIFF / diff.<driver>.command calling convention ----------------------


def _git_external(args, argv: list[str]) -> int:
    """``path old-file old-hex old-mode new-file new-hex new-mode [new-path rename-info]``.

    Always exits 0 after printing something (git stops the whole diff when an
    external diff fails): a file that is not a readable notebook is shown as a
    plain text diff with a note.
    """
    if len(argv) not in (7, 9):
        return _error(f"--git-external expects git's 7 or 9 arguments, got {len(argv)}")
    path, old_file, _old_hex, _old_mode, new_file, _new_hex, _new_mode = argv[:7]
    new_path = argv[7] if len(argv) == 9 else path
    config = _config_near(os.getcwd())
    args.view = _view(args, config)
    a_label = "/dev/null" if old_file == "/dev/null" else f"a/{path}"
    b_label = "/dev/null" if new_file == "/dev/null" else f"b/{new_path}"
    try:
        a_bytes = _read_file(old_file)
        b_bytes = _read_file(new_file)
    except _Failure as exc:
        print(term(f"nbgit diff: {exc}"), file=sys.stderr)
        return 0
    status = "added" if a_bytes is None else "deleted" if b_bytes is None else "modified"
    if len(argv) == 9 and new_path != path:
        status = "renamed"
    job = _Job(new_path, a_label, b_label, f"{path} (old)", f"{new_path} (new)", a_bytes, b_bytes, status)
    args.no_pager = True  # git pages the whole diff itself
    try:
        _load(a_bytes, job.a_name, config)
        _load(b_bytes, job.b_name, config)
    except _Failure as exc:
        _text_fallback(job, str(exc))
        return 0
    _run([job], args, config)
    return 0


def _text_fallback(job: _Job, why: str) -> None:
    import difflib

    print(term(f"nbgit diff: {why}; showing a text diff"), file=sys.stderr)
    a = (job.a_bytes or b"").decode("utf-8", "replace").splitlines(keepends=True)
    b = (job.b_bytes or b"").decode("utf-8", "replace").splitlines(keepends=True)
    sys.stdout.writelines(difflib.unified_diff(a, b, job.a_label, job.b_label))
    sys.stdout.flush()
