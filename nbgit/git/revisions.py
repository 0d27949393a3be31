"""Reading notebooks from a repository's revisions, index and work tree (pygit2).

:func:`changed_notebooks` mirrors the sides ``git diff`` compares:

=======================  ===========================  ======================
``git diff``             old side                     new side
=======================  ===========================  ======================
(no revision)            index                        work tree
``--cached``             HEAD (or REV)                index
``REV``                  REV                          work tree
``REV1 REV2``            REV1                         REV2
``REV1..REV2``           REV1                         REV2
``REV1...REV2``          merge base of REV1 and REV2  REV2
=======================  ===========================  ======================

Only tracked files are compared (as git does); renames are detected between
trees and index. The bytes are returned as stored: cleaning them (so that what
is shown is what would be committed) is the caller's business.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass

from nbgit._fs import PathRefused, worktree_bytes

WORKTREE = "worktree"
INDEX = "index"


class RevisionError(ValueError):
    """A revision or repository cannot be read; the message says which and why."""


@dataclass(frozen=True)
class FilePair:
    """One changed file: its path on each side (None where absent) and the bytes."""

    path: str  # new path (old path when deleted), relative to the work tree root, '/'-separated
    old_path: str | None
    new_path: str | None
    old: bytes | None
    new: bytes | None
    #: the index holds a conflict for this path (a merge in progress). Against the work tree
    #: the old side is then "ours" (stage 2); against the index there is nothing to compare.
    unmerged: bool = False


@dataclass(frozen=True)
class Sides:
    """What to compare: each side is a commit-ish string, :data:`INDEX` or :data:`WORKTREE`."""

    old: str
    new: str


def open_repo(cwd: str | os.PathLike = "."):
    """The pygit2 repository containing ``cwd``; :class:`RevisionError` outside one."""
    import pygit2

    path = pygit2.discover_repository(os.fspath(cwd))
    if path is None:
        raise RevisionError("not inside a git repository")
    repo = pygit2.Repository(path)
    if repo.is_bare:
        raise RevisionError("the repository is bare (no work tree)")
    return repo


def sides_for(repo, revs: list[str], cached: bool = False) -> Sides:
    """The two sides ``git diff [--cached] REVS...`` compares (see the module docstring)."""
    if len(revs) == 1 and "..." in revs[0]:
        left, right = revs[0].split("...", 1)
        left, right = left or "HEAD", right or "HEAD"
        base = repo.merge_base(_commit(repo, left).id, _commit(repo, right).id)
        if base is None:
            raise RevisionError(f"{left} and {right} have no common ancestor")
        return Sides(str(base), right)
    if len(revs) == 1 and ".." in revs[0]:
        left, right = revs[0].split("..", 1)
        return Sides(left or "HEAD", right or "HEAD")
    if len(revs) > 2:
        raise RevisionError("at most two revisions")
    if cached:
        if len(revs) == 2:
            raise RevisionError("--cached takes at most one revision")
        return Sides(revs[0] if revs else "HEAD", INDEX)
    if not revs:
        return Sides(INDEX, WORKTREE)
    if len(revs) == 1:
        return Sides(revs[0], WORKTREE)
    return Sides(revs[0], revs[1])


def is_revision(repo, spec: str) -> bool:
    """True if ``spec`` names a commit (or a range of commits)."""
    for part in spec.replace("...", "..").split(".."):
        if not part:
            continue
        try:
            _commit(repo, part)
        except RevisionError:
            return False
    return True


def changed_notebooks(repo, sides: Sides, pathspecs: list[str] | None = None, suffix: str = ".ipynb") -> list[FilePair]:
    """Files ending in ``suffix`` that differ between the two sides, sorted by path.

    ``pathspecs`` are paths relative to the work tree root (a file, a directory,
    or a glob pattern); none means every file.
    """
    import pygit2

    old, new = sides.old, sides.new
    flags = pygit2.enums.DiffOption.NORMAL
    if old == INDEX and new == WORKTREE:
        diff = repo.index.diff_to_workdir(flags)
    elif new == WORKTREE:
        return _tree_to_worktree(repo, _tree(repo, old), pathspecs, suffix, flags)
    elif new == INDEX:
        diff = _tree(repo, old).diff_to_index(repo.index, flags)
    elif old in (INDEX, WORKTREE):
        raise RevisionError("the old side must be a revision or the index")
    else:
        diff = _tree(repo, old).diff_to_tree(_tree(repo, new), flags)
    if new != WORKTREE:
        _find_renames(diff)
    root = repo.workdir
    conflicts = _conflicted_paths(repo)
    out: list[FilePair] = []
    for patch_delta in diff.deltas:
        status = patch_delta.status_char()
        old_path = patch_delta.old_file.path if status != "A" else None
        new_path = patch_delta.new_file.path if status != "D" else None
        path = new_path or old_path or ""
        if not (path.endswith(suffix) or (old_path or "").endswith(suffix)):
            continue
        if pathspecs and not any(_matches(p, spec) for p in (old_path, new_path) if p for spec in pathspecs):
            continue
        if status == "U" or path in conflicts:
            if new != WORKTREE:
                out.append(FilePair(path, old_path, new_path, None, None, unmerged=True))
                continue
            old_bytes = _ours(repo, conflicts, path)
        else:
            old_bytes = _blob(repo, patch_delta.old_file.id) if old_path else None
        if new_path is None:
            new_bytes = None
        elif new == WORKTREE:
            try:
                new_bytes = worktree_bytes(root, new_path)  # a symlink is its target's name, as git sees it
            except (FileNotFoundError, IsADirectoryError, PathRefused):
                new_bytes, new_path = None, None
        else:
            new_bytes = _blob(repo, patch_delta.new_file.id)
        out.append(FilePair(path, old_path, new_path, old_bytes, new_bytes))
    out.sort(key=lambda fp: fp.path)
    return out


def _tree_to_worktree(repo, tree, pathspecs, suffix, flags) -> list[FilePair]:
    """REV vs work tree for tracked files, as ``git diff REV``: tree -> index -> work tree composed."""
    staged = tree.diff_to_index(repo.index, flags)
    _find_renames(staged)
    unstaged = repo.index.diff_to_workdir(flags)
    old_of: dict[str, str | None] = {}  # index path -> its path in the tree (None: added)
    deleted: list[str] = []
    for d in staged.deltas:
        status = d.status_char()
        if status == "D":
            deleted.append(d.old_file.path)
        else:
            old_of[d.new_file.path] = None if status == "A" else d.old_file.path
    candidates = set(old_of) | set(deleted) | {d.new_file.path for d in unstaged.deltas} | {
        d.old_file.path for d in unstaged.deltas
    }
    root = repo.workdir
    conflicts = _conflicted_paths(repo)
    out: list[FilePair] = []
    for path in sorted(candidates | conflicts):
        old_path = old_of.get(path, path) if path not in deleted else path
        if not ((old_path or "").endswith(suffix) or path.endswith(suffix)):
            continue
        if pathspecs and not any(_matches(p, spec) for p in (old_path, path) if p for spec in pathspecs):
            continue
        old_bytes = None
        if old_path is not None:
            try:
                old_bytes = _blob(repo, tree[old_path].id)
            except KeyError:
                old_path = None
        new_bytes = None
        new_path: str | None = path
        if path in deleted or (path not in repo.index and path not in conflicts):
            new_path = None
        else:
            try:
                new_bytes = worktree_bytes(root, path)  # a symlink is its target's name, as git sees it
            except (FileNotFoundError, IsADirectoryError, PathRefused):
                new_path = None
        if old_bytes == new_bytes and old_path == new_path:
            continue
        if old_path is None and new_path is None:
            continue
        out.append(FilePair(path, old_path, new_path, old_bytes, new_bytes))
    return out


#: libgit2's similarity score runs higher than git's on notebooks (their JSON boilerplate
#: is shared), so a rename needs a little more than git's default 50%.
RENAME_THRESHOLD = 60


def _find_renames(diff) -> None:
    import pygit2

    diff.find_similar(flags=pygit2.enums.DiffFind.FIND_RENAMES, rename_threshold=RENAME_THRESHOLD)


def relative_pathspec(repo, spec: str, cwd: str | os.PathLike = ".") -> str:
    """A command-line path (relative to ``cwd``) as a path relative to the work tree root."""
    root = os.path.realpath(repo.workdir)
    full = os.path.realpath(os.path.join(os.fspath(cwd), spec))
    rel = os.path.relpath(full, root)
    if rel == ".":
        return ""
    if rel.startswith(".."):
        raise RevisionError(f"{spec}: outside the repository at {root}")
    return rel.replace(os.sep, "/")


def _matches(path: str, spec: str) -> bool:
    spec = spec.rstrip("/")
    if not spec:
        return True
    if path == spec or path.startswith(spec + "/"):
        return True
    return any(ch in spec for ch in "*?[") and fnmatch.fnmatchcase(path, spec)


def _commit(repo, spec: str):
    import pygit2

    try:
        obj = repo.revparse_single(spec)
        return obj.peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise RevisionError(f"unknown revision {spec!r}") from None


def _tree(repo, spec: str):
    import pygit2

    if spec == "HEAD" and repo.head_is_unborn:
        return repo[repo.TreeBuilder().write()]  # the empty tree: nothing committed yet
    try:
        obj = repo.revparse_single(spec)
        return obj.peel(pygit2.Tree)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise RevisionError(f"unknown revision {spec!r}") from None


def _blob(repo, oid) -> bytes:
    return repo[oid].data


def _conflicted_paths(repo) -> set[str]:
    conflicts = repo.index.conflicts
    if conflicts is None:
        return set()
    paths = set()
    for ancestor, ours, theirs in conflicts:
        for entry in (ours, theirs, ancestor):
            if entry is not None:
                paths.add(entry.path)
                break
    return paths


def _ours(repo, conflicts: set[str], path: str) -> bytes | None:
    """Stage 2 ("ours") of a conflicted path, None if that side has no such file."""
    try:
        _ancestor, ours, _theirs = repo.index.conflicts[path]
    except (KeyError, TypeError):
        return None
    return None if ours is None else _blob(repo, ours.id)


__all__ = [
    "FilePair",
    "Sides",
    "RevisionError",
    "INDEX",
    "WORKTREE",
    "open_repo",
    "sides_for",
    "is_revision",
    "changed_notebooks",
    "relative_pathspec",
]
