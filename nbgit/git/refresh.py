"""Phantom modifications: notebooks git lists as modified only because their size changed.

Why they happen. git keeps each index entry's stat data (size, mtime, ...). When a work-tree
file's *size* differs from it, git concludes "modified" without reading the file, so it never
asks the clean filter. Re-running a notebook changes its size (new outputs), so `git status`
lists it, and `git checkout`, `merge`, `pull` and `stash pop` refuse to overwrite it, although
the filter strips exactly what changed and `git diff` is empty.

What clears them. Rewriting the index's *own* entry with ``git update-index --index-info``
(``--cacheinfo``'s batch form: same mode, same blob, stage 0) zeroes its cached stat data; git
then treats the size as unknown ("racily smudged"), compares the content through the filter on
the next refresh and records the new stat data. The staged content never changes: the entry
names the same blob. :func:`refresh` does that for the notebooks where it is true that the
cleaned work-tree file is the index blob, then lets ``git update-index --refresh`` record the
stat data at once (as the next `git status` would).

Finding them cheaply. ``git diff-files`` (plumbing) compares stat data only: it runs no filter
(except on the few "racily clean" entries git must re-read anyway) and already skips
assume-unchanged and skip-worktree entries; unmerged entries show as ``U`` and intent-to-add
ones as ``A``, and only plain ``M`` entries of regular files are considered. The candidates are
then hashed by ``git hash-object --stdin-paths``: one git process, with the clean filter git
itself would run (the long-running process, attributes, line-ending conversion), so "equal"
means exactly what git will conclude.

A race with another git command (a `git add` between our read of the index and our write) is
narrowed by re-reading the entries right before the write; ``index.lock`` makes the write wait
and retry briefly (another git command is running), then give up with nothing changed.
"""

from __future__ import annotations

import os
import stat
import subprocess
import time
from dataclasses import dataclass, field

from nbgit.git.repo import GitError

#: after a failed batch, at most this many files are hashed one by one (one filter start each)
MAX_ONE_BY_ONE = 100
#: index modes of regular files (a symlink or submodule is never a notebook's content).
_REGULAR = ("100644", "100755")


class IndexLocked(GitError):
    """``index.lock`` stayed in place: another git command is running (or one crashed)."""


@dataclass
class Refresh:
    """What :func:`refresh` found and did; paths are relative to the work-tree root."""

    root: str
    refreshed: list[str] = field(default_factory=list)  #: equal after cleaning: stat data cleared
    modified: list[str] = field(default_factory=list)  #: stat-dirty and really different
    unreadable: list[str] = field(default_factory=list)  #: git could not hash them (gone, unreadable)


def _run(args: list[str], cwd: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True)
    except FileNotFoundError:
        raise GitError("git is not installed (no `git` on PATH)") from None


def _err(proc: subprocess.CompletedProcess, what: str) -> str:
    return proc.stderr.decode("utf-8", "replace").strip() or f"git {what} failed"


def _decode(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def _encode(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def pathspecs(paths: list[str], root: str, cwd: str | None = None) -> list[str]:
    """Literal, root-relative pathspecs for ``paths`` (relative to ``cwd``); ValueError outside ``root``."""
    specs = []
    real_root = os.path.realpath(root)
    for p in paths:
        absolute = os.path.abspath(os.path.join(cwd or os.getcwd(), p))
        # resolve the directories, not a final symlink (git tracks the link itself)
        absolute = os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))
        rel = os.path.relpath(absolute, real_root)
        if rel == os.curdir:
            return []  # the whole work tree
        if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
            raise ValueError(f"{p}: outside the repository ({root})")
        specs.append(":(top,literal)" + rel.replace(os.sep, "/"))
    return specs


def stat_dirty(root: str, specs: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(mode, index blob, path) of entries git sees as modified by their stat data alone."""
    proc = _run(["diff-files", "-z", "--", *(specs or [])], root)
    if proc.returncode != 0:
        # git re-checks racily clean entries through the clean filter while listing: a filter that
        # cannot start fails here, before any notebook can be named
        raise GitError(f"{_err(proc, 'diff-files')}; `nbgit doctor` says what to fix")
    fields = proc.stdout.split(b"\0")
    entries = []
    for meta, path in zip(fields[0::2], fields[1::2]):
        parts = _decode(meta).lstrip(":").split()
        if len(parts) < 5:
            continue
        src_mode, dst_mode, src_blob, _, status = parts[:5]
        # M only: U (unmerged), A (intent-to-add), D (deleted), T (type change) are left alone
        if status == "M" and src_mode == dst_mode and src_mode in _REGULAR:
            entries.append((src_mode, src_blob, _decode(path)))
    return entries


def routed_to_nbgit(paths: list[str], root: str) -> set[str]:
    """The ``paths`` whose ``filter`` attribute is nbgit."""
    if not paths:
        return set()
    from nbgit.git.doctor import attributes_of

    attrs = attributes_of(paths, root, ("filter",))
    return {p for p in paths if attrs.get(p, {}).get("filter") == "nbgit"}


def _quote_path(path: str) -> bytes:
    """A path as one line of ``--stdin-paths`` (C-quoted when git's reader would misread it)."""
    raw = _encode(path)
    if b"\n" in raw or raw.startswith(b'"'):
        raw = b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n") + b'"'
    return raw


def hash_through_filter(paths: list[str], root: str) -> dict[str, str | None]:
    """{path: blob id git would store for the work-tree file now} (None: git could not hash it)."""
    result: dict[str, str | None] = {}
    for p in paths:  # gone or replaced (by a directory, a link...) since git listed it
        try:
            regular = stat.S_ISREG(os.lstat(os.path.join(root, p)).st_mode)
        except OSError:
            regular = False
        if not regular:
            result[p] = None
    paths = [p for p in paths if p not in result]
    if not paths:
        return result
    data = b"".join(_quote_path(p) + b"\n" for p in paths)
    proc = _run(["hash-object", "--stdin-paths"], root, input=data)
    ids = _decode(proc.stdout).split()
    if proc.returncode == 0 and len(ids) == len(paths):
        result.update(zip(paths, ids))
        return result
    if len(paths) == 1 or len(paths) > MAX_ONE_BY_ONE:  # the filter itself fails: do not start it once per file
        raise GitError(_hash_failed(paths, proc))
    # one file failed (deleted meanwhile, unreadable...): hash the rest one by one
    for p in paths:
        one = _run(["hash-object", "--", p], root)
        result[p] = _decode(one.stdout).strip() if one.returncode == 0 else None
    if all(result[p] is None for p in paths):
        raise GitError(_hash_failed(paths, proc))
    return result


def _hash_failed(paths: list[str], proc: subprocess.CompletedProcess) -> str:
    named = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    message = " / ".join(_err(proc, "hash-object").splitlines())
    return f"git could not pass {named} through the clean filter ({message}); `nbgit doctor` says what to fix"


def _index_entries(paths: list[str], root: str) -> dict[str, tuple[str, str]]:
    """{path: (mode, blob)} of the stage-0 index entries of ``paths`` as they are now."""
    if not paths:
        return {}
    wanted = set(paths)
    specs = [":(top,literal)" + p for p in paths]
    proc = _run(["ls-files", "-s", "-z", "--", *specs], root) if len(specs) < 2000 else _run(["ls-files", "-s", "-z"], root)
    if proc.returncode != 0:
        raise GitError(_err(proc, "ls-files"))
    entries: dict[str, tuple[str, str]] = {}
    for rec in _decode(proc.stdout).split("\0"):
        meta, _, path = rec.partition("\t")
        if path not in wanted:
            continue
        mode, blob, stage = meta.split()
        if stage == "0":
            entries[path] = (mode, blob)
        else:
            entries.pop(path, None)
            wanted.discard(path)  # unmerged now: leave it alone
    return entries


def _locked(proc: subprocess.CompletedProcess) -> bool:
    return b"index.lock" in proc.stderr


def rewrite_entries(entries: list[tuple[str, str, str]], root: str, wait: float = 2.0) -> list[str]:
    """Rewrite each (mode, blob, path) index entry with itself (stat data cleared).

    Only entries still exactly (mode, blob) at stage 0 are written. Retries for ``wait``
    seconds while ``index.lock`` exists, then raises :class:`IndexLocked`.
    """
    deadline = time.monotonic() + wait
    delay = 0.05
    while True:
        current = _index_entries([p for _, _, p in entries], root)
        todo = [(m, b, p) for m, b, p in entries if current.get(p) == (m, b)]
        if not todo:
            return []
        data = b"".join(_encode(f"{m} {b}\t{p}") + b"\0" for m, b, p in todo)
        proc = _run(["update-index", "-z", "--index-info"], root, input=data)
        if proc.returncode == 0:
            return [p for _, _, p in todo]
        if not _locked(proc):
            raise GitError(_err(proc, "update-index --index-info"))
        if time.monotonic() >= deadline:
            raise IndexLocked(_lock_message(root))
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def _lock_message(root: str) -> str:
    proc = _run(["rev-parse", "--git-path", "index.lock"], root)
    lock = os.path.join(root, _decode(proc.stdout).strip()) if proc.returncode == 0 else "index.lock"
    return (
        f"the index is locked ({os.path.normpath(lock)} exists): another git command is running; "
        "nothing was changed. Run `nbgit refresh` again when it is done (if no git command is "
        "running, a crashed one left the lock behind: remove that file)"
    )


def record_stat(root: str) -> None:
    """``git update-index -q --refresh``: re-read the cleared entries through the filter and
    record their stat data now, as the next `git status` would (a locked index: left to it)."""
    _run(["update-index", "-q", "--refresh"], root)


def refresh(root: str, specs: list[str] | None = None, *, dry_run: bool = False, wait: float = 2.0) -> Refresh:
    """Clear the phantom modifications of nbgit notebooks under ``specs`` (all when empty)."""
    result = Refresh(root)
    dirty = stat_dirty(root, specs)
    routed = routed_to_nbgit([p for _, _, p in dirty], root)
    dirty = [e for e in dirty if e[2] in routed]
    if not dirty:
        return result
    hashes = hash_through_filter([p for _, _, p in dirty], root)
    equal = []
    for mode, blob, path in dirty:
        now = hashes.get(path)
        if now is None:
            result.unreadable.append(path)
        elif now == blob:
            equal.append((mode, blob, path))
        else:
            result.modified.append(path)
    if dry_run or not equal:
        result.refreshed = [p for _, _, p in equal]
        return result
    result.refreshed = rewrite_entries(equal, root, wait)
    if result.refreshed:
        record_stat(root)
    return result


__all__ = ["IndexLocked", "Refresh", "pathspecs", "refresh", "stat_dirty"]
