"""nbgit check: fail on notebooks that are not clean, invalid, conflicted or out of sync.

Made for CI and pre-commit: one line per problem (``path:line: problem``),
GitHub Actions annotations when ``GITHUB_ACTIONS=true``, exit 1 when any
notebook has a problem. ``--fix`` cleans notebooks in place (atomically); the
other problems need a person.

"Clean" is checked on what git will commit. Where nbgit's clean filter is in
effect (the notebook's ``filter`` attribute is nbgit and this clone has the
filter configured), the work-tree file may keep its outputs: git commits it
cleaned. There the staged blob is checked instead (it can be unclean when it
was added before the filter was installed), and ``--fix`` never deletes the
outputs of the working copy. Conflicts, invalid JSON and pairs out of sync are
checked in the work-tree file everywhere: the filter passes those through.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass

from nbgit.cli import fail, parser as make_parser
from nbgit._escape import term

#: The opening marker nbgit's merge driver writes into a conflicted cell source (any length from 3).
_SOURCE_MARKER_RE = re.compile(r"^<{3,}(?: |$)", re.MULTILINE)
_FILE_MARKER_RE = re.compile(rb"^(?:<{7}|>{7}|={7})(?:[ \r\n]|$)", re.MULTILINE)

UNCLEAN, INVALID, SCHEMA, CONFLICT, PAIR = "not clean", "invalid", "invalid nbformat", "conflict", "out of sync"
STAGED_UNCLEAN = "staged version not clean"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a notebook file; ``line`` is 1-based in the file (for annotations)."""

    kind: str
    message: str
    line: int = 1
    fixable: bool = False


@dataclass
class Result:
    path: str
    problems: list[Problem]
    fixed: bytes | None = None  # cleaned bytes, when the only fixable problem is "not clean"
    readable: bool = True  # False: conflict markers in the file, or not a notebook at all


def check_bytes(data: bytes, config, validate: bool = True) -> Result:
    """All problems of one notebook's bytes under ``config`` (pure: no I/O); never raises.

    Anything unexpected (RecursionError, MemoryError, a bug) is the file's problem, reported
    with the others: a check never stops at one notebook with a traceback.
    """
    try:
        return _check_bytes(data, config, validate)
    except Exception as exc:
        message = str(exc)
        message = message if len(message) <= 160 else message[:157] + "..."
        return Result("", [Problem(INVALID, f"cannot be checked ({type(exc).__name__}: {message})")])


def _check_bytes(data: bytes, config, validate: bool) -> Result:
    from nbgit.notebook.clean import clean_bytes
    from nbgit.notebook.io import NotebookError, parse

    problems: list[Problem] = []
    m = _FILE_MARKER_RE.search(data)
    if m is not None:
        line = data.count(b"\n", 0, m.start()) + 1
        problems.append(Problem(CONFLICT, "git conflict markers in the file (resolve them, or try `nbgit fix`)", line))
        return Result("", problems, readable=False)
    try:
        nb = parse(data)
    except NotebookError as exc:
        problems.append(Problem(INVALID, exc.reason, _error_line(exc.reason)))
        return Result("", problems, readable=False)
    if validate:
        err = schema_error(nb)
        if err:
            problems.append(Problem(SCHEMA, err))
    problems += _merge_conflicts(nb, data)
    try:
        cleaned = clean_bytes(data, config)
    except NotebookError as exc:  # it would have to be rewritten whole, and that would change it
        problems.append(Problem(UNCLEAN, f"cannot be cleaned without changing what it keeps: {exc.reason}"))
        return Result("", problems)
    fixed = None
    if cleaned != data:
        fixed = cleaned
        problems.append(
            Problem(UNCLEAN, _unclean_message(nb, config), _first_difference_line(data, cleaned), fixable=True)
        )
    return Result("", problems, fixed)


def schema_error(nb: dict) -> str | None:
    """nbformat's schema verdict on ``nb`` (None when valid). nbformat is imported only here."""
    import warnings

    try:
        from nbformat.validator import ValidationError, validate
    except ImportError:  # pragma: no cover - nbformat is a dependency
        return None
    version = nb.get("nbformat")
    minor = nb.get("nbformat_minor")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            validate(nb, version=version, version_minor=minor if isinstance(minor, int) else None)
        except ValidationError as exc:
            where = "/".join(str(p) for p in getattr(exc, "absolute_path", ()) or ())
            msg = str(getattr(exc, "message", exc)).splitlines()[0]
            if len(msg) > 160:
                msg = msg[:157] + "..."
            return f"nbformat {version}.{minor} schema: {msg}" + (f" (at {where})" if where else "")
        except Exception as exc:  # an unknown minor version, a schema that cannot load...
            return f"nbformat {version}.{minor}: cannot validate ({type(exc).__name__}: {exc})"
    return None


def _merge_conflicts(nb: dict, data: bytes) -> list[Problem]:
    """nbgit's own unresolved conflicts (markers in cell sources, conflict records in metadata)."""
    from nbgit.merge.conflicts import find_conflicts
    from nbgit.notebook.v3 import cells_of

    conflicts = find_conflicts(nb)
    if not conflicts:
        return []
    text = data.decode("utf-8", "replace")
    cells = cells_of(nb)  # nbformat 3 too: all worksheets, a code cell's `input` as its source
    problems = []
    pos = 0
    for conflict in conflicts:
        line = 1
        needle = None
        if conflict.cell is not None and conflict.kind in ("source", "delete/modify"):
            src = cells[conflict.cell].get("source", "")
            src = "".join(src) if isinstance(src, list) else str(src)
            m = _SOURCE_MARKER_RE.search(src)
            if m:
                needle = src[m.start():].split("\n", 1)[0]
        else:
            needle = '"conflicts"'
        if needle:
            encoded = needle if needle.startswith('"') else json.dumps(needle, ensure_ascii=False)[1:-1]
            at = text.find(encoded, pos)
            if at < 0 and not needle.startswith('"'):
                at = text.find(json.dumps(needle)[1:-1], pos)
            if at >= 0:
                line = text.count("\n", 0, at) + 1
                pos = at + 1
        problems.append(Problem(CONFLICT, f"unresolved merge conflict: {conflict} (see `nbgit conflicts`)", line))
    return problems


def _unclean_message(nb: dict, config) -> str:
    cells = nb.get("cells") if isinstance(nb.get("cells"), list) else []
    outputs = sum(1 for c in cells if c.get("cell_type") == "code" and c.get("outputs"))
    counts = sum(1 for c in cells if c.get("cell_type") == "code" and c.get("execution_count") is not None)
    what = []
    if outputs and not config.keep_outputs:
        what.append(f"{outputs} cell{'s' if outputs != 1 else ''} with outputs")
    if counts and not config.keep_count:
        what.append(f"{counts} execution count{'s' if counts != 1 else ''}")
    detail = ", ".join(what) if what else "volatile metadata"
    return f"not clean ({detail}); run `nbgit clean` or `nbgit check --fix`"


def _first_difference_line(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b))
    lo, hi = 0, n
    # binary search on prefix equality: fast even for large notebooks
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return a.count(b"\n", 0, lo) + 1


def _error_line(reason: str) -> int:
    m = re.search(r"at line (\d+)", reason)
    return int(m.group(1)) if m else 1


# --- the command -------------------------------------------------------------------------


def default_paths(cwd: str = ".") -> list[str]:
    """Tracked notebooks under ``cwd`` in a git work tree, else every ``*.ipynb`` under it."""
    from nbgit.git.repo import GitError, git

    try:
        out = git("ls-files", "-z", "--", "*.ipynb", cwd=cwd, errors="surrogateescape")  # names need not be UTF-8
    except GitError:
        return _walk(cwd)
    # dict.fromkeys: during a merge an unmerged notebook is listed once per stage (1, 2, 3).
    # Deleted in the work tree: skipped; a committed symlink to a device or out of the tree is
    # kept, so that it is reported as unreadable instead of silently passing
    return [p for p in dict.fromkeys(out.split("\0"))
            if p and os.path.lexists(os.path.join(cwd, p)) and not os.path.isdir(os.path.join(cwd, p))]


def _walk(top: str) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in ("node_modules", "__pycache__"))
        for name in sorted(filenames):
            if name.endswith(".ipynb"):
                found.append(os.path.normpath(os.path.join(dirpath, name)))
    return found


def expand(paths: list[str]) -> list[str]:
    out: list[str] = []
    for p in paths:
        out.extend(_walk(p) if os.path.isdir(p) else [p])
    return list(dict.fromkeys(out))


def _annotation(path: str, problem: Problem) -> str:
    def prop(s: str) -> str:
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")

    msg = problem.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::error file={prop(path)},line={problem.line},title={prop('nbgit check: ' + problem.kind)}::{msg}"


def _pair_problems(path: str) -> list[Problem]:
    """Pairs out of sync, when this nbgit ships pairing (``nbgit.pair.check_pair``)."""
    try:
        from nbgit.pair import check_pair  # type: ignore[attr-defined]
    except ImportError:
        return []
    try:
        message = check_pair(path)
    except Exception as exc:  # a broken pair file must not hide the other results
        return [Problem(PAIR, f"cannot check its pair: {exc}")]
    return [Problem(PAIR, message)] if message else []


@dataclass(frozen=True)
class Committed:
    """How git will commit one notebook: through nbgit's filter or not, and what is staged now."""

    filtered: bool
    staged: bytes | None = None  #: the stage-0 index blob (None: not in the index, or not filtered)


def what_git_commits(paths: list[str]) -> dict[str, Committed]:
    """{path: Committed} for ``paths`` inside git work trees whose clone runs nbgit's filter.

    Paths outside a repository, in a clone without ``filter.nbgit`` config, or not routed to
    nbgit by the attributes are absent: git commits them as they are.
    """
    from nbgit._fs import find_worktree_root
    from nbgit.git.doctor import _cat_blobs, attributes_of
    from nbgit.git.repo import GitError, config_get_all, git

    by_root: dict[str, dict[str, str]] = {}
    for path in paths:
        if os.path.islink(path):
            continue  # git tracks the link itself, not a notebook's bytes
        absolute = os.path.abspath(path)
        root = find_worktree_root(os.path.dirname(absolute))
        if root is None:
            continue
        rel = os.path.relpath(os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute)),
                              os.path.realpath(root))
        if rel.startswith(os.pardir):
            continue
        by_root.setdefault(root, {})[rel.replace(os.sep, "/")] = path
    result: dict[str, Committed] = {}
    for root, rels in by_root.items():
        try:
            configured = {k for _, k, _ in config_get_all(r"^filter\.nbgit\.(process|clean)$", cwd=root)}
            if not configured:
                continue
            attrs = attributes_of(list(rels), root, ("filter",))
            routed = [rel for rel in rels if attrs.get(rel, {}).get("filter") == "nbgit"]
            if not routed:
                continue
            specs = [":(top,literal)" + r for r in routed] if len(routed) <= 1000 else []  # else: the whole index
            listed = git("ls-files", "-s", "-z", "--", *specs, cwd=root, errors="surrogateescape")
            wanted = set(routed)
            staged: dict[str, str] = {}
            for rec in listed.split("\0"):
                meta, _, rel = rec.partition("\t")
                fields = meta.split()
                if len(fields) == 3 and fields[2] == "0" and fields[0] in ("100644", "100755") and rel in wanted:
                    staged[rel] = fields[1]
            blobs = dict(zip(staged, _cat_blobs(list(staged.values()), root))) if staged else {}
        except (GitError, OSError):
            continue  # git cannot tell: check the file as it is
        for rel in routed:
            result[rels[rel]] = Committed(True, blobs.get(rel))
    return result


def _staged_problems(committed: Committed, config) -> list[Problem]:
    """Problems of the staged blob that the work-tree file's check cannot see (it gets cleaned)."""
    if committed.staged is None:
        return []
    staged = check_bytes(committed.staged, config, validate=False)
    if not any(pr.kind == UNCLEAN for pr in staged.problems):
        return []
    from nbgit.notebook.io import parse

    detail = _unclean_message(parse(committed.staged), config).split(";")[0].removeprefix("not clean ")
    return [Problem(STAGED_UNCLEAN, f"staged version not clean {detail}: it was added without nbgit's filter; "
                    "`nbgit renormalize PATH` stages it again through the filter (the working copy keeps its outputs)")]


def main(argv: list[str]) -> int:
    p = make_parser(
        "check",
        "Check notebooks for CI and pre-commit: each must be clean under the repository's config\n"
        "([tool.nbgit]), valid JSON and nbformat, free of conflict markers (git's in the file, or\n"
        "nbgit's inside cell sources) and, when paired, in sync with its text file.\n\n"
        "With no PATH: the notebooks git tracks under the current directory, or every *.ipynb\n"
        "under it outside a repository. A directory PATH is searched for *.ipynb.\n"
        "When GITHUB_ACTIONS=true, problems are also printed as GitHub Actions annotations.\n\n"
        "Where nbgit's clean filter is in effect (attributes route the notebook to nbgit and this\n"
        "clone has the filter), outputs in the working copy are fine: git commits it cleaned. There\n"
        "the staged version is checked for cleanliness instead.",
        epilog="exit status: 0 all good; 1 a notebook has a problem; 2 a usage or config error, or a PATH\n"
        "that cannot be read",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="notebooks or directories (default: tracked notebooks)")
    p.add_argument("--fix", action="store_true", help="clean notebooks that are not clean, in place (atomic write); "
                   "never where nbgit's filter strips them on commit anyway")
    p.add_argument("--no-validate", action="store_true", help="skip the nbformat schema validation")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when all notebooks pass")
    args = p.parse_args(argv)

    from nbgit._fs import PathRefused, find_worktree_root, read_regular, write_contained
    from nbgit.notebook.config import ConfigError, load_config

    paths = expand(args.paths) if args.paths else default_paths(".")
    committed = what_git_commits(paths)
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    configs: dict[str, object] = {}
    status = 0
    n_bad = n_fixed = n_unread = 0
    for path in paths:
        root = find_worktree_root(os.path.dirname(os.path.abspath(path))) or os.path.dirname(os.path.abspath(path))
        if root not in configs:
            try:
                configs[root] = load_config(root)
            except ConfigError as exc:
                return fail("check", str(exc))
        try:
            data = read_regular(path, root=root)  # regular files inside the tree only
        except OSError as exc:
            status = fail("check", f"{path}: {exc.strerror or exc}")
            n_unread += 1
            continue
        result = check_bytes(data, configs[root], validate=not args.no_validate)
        if path in committed:  # git commits it cleaned: its outputs are no problem, the staged blob may be
            result.problems = [pr for pr in result.problems if pr.kind != UNCLEAN]
            result.fixed = None
            result.problems += _staged_problems(committed[path], configs[root])
        # an unreadable notebook cannot be compared with its pair: its problem is said once
        problems = result.problems + (_pair_problems(path) if result.readable else [])
        if args.fix and result.fixed is not None:
            try:
                # through a symlink that stays inside the tree (not over it); never one leading out
                write_contained(root, path, result.fixed)
            except PathRefused as exc:
                status = fail("check", f"{path}: {exc.strerror}; not cleaned")
            except OSError as exc:
                status = fail("check", f"{path}: cannot write ({exc.strerror or exc}); left as it was")
            else:
                n_fixed += 1
                print(term(f"{path}: cleaned"))
                problems = [pr for pr in problems if not pr.fixable]
        if not problems:
            continue
        n_bad += 1
        for pr in problems:
            print(term(f"{path}:{pr.line}: {pr.message}"))
            if github:
                print(term(_annotation(_workspace_relative(path), pr)))
    if not args.quiet or n_bad or n_unread:
        checked = len(paths) - n_unread
        summary = f"nbgit check: {checked} notebook{'s' if checked != 1 else ''} checked"
        if n_unread:
            summary += f", {n_unread} could not be read"
        if n_fixed:
            summary += f", {n_fixed} cleaned"
        summary += f", {n_bad} with problems" if n_bad else ("" if n_unread else ", all good")
        print(summary, file=sys.stderr)
    if status:
        return status
    return 1 if n_bad else 0


def _workspace_relative(path: str) -> str:
    """Annotations want paths relative to the repository root (GITHUB_WORKSPACE)."""
    base = os.environ.get("GITHUB_WORKSPACE") or os.getcwd()
    rel = os.path.relpath(os.path.abspath(path), base)
    return path if rel.startswith("..") else rel.replace(os.sep, "/")
