"""The index side of ``nbgit add -p`` / ``nbgit reset -p``: reading and writing index entries.

Everything goes through git's own plumbing, so that what nbgit stages is what
``git add`` would stage:

* the work tree's version of a notebook is read through ``git hash-object -w
  --path=P --stdin``, which runs the path's clean filter (nbgit's, or any other
  the repository configures, and its line-ending rules) exactly as ``git add``
  does; the cleaned bytes are then read back from the object;
* a partly staged notebook is written with ``git hash-object -w`` and put in
  the index with ``git update-index --cacheinfo``. The work tree is never
  written.

Paths come from git (``-z`` output, relative to the work tree root) and are
checked to stay inside the work tree and to name regular files before any read.
"""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass


class StageError(RuntimeError):
    """Something about one path (or the repository) stops the command; the message names it."""


@dataclass(frozen=True)
class Entry:
    mode: str
    oid: str


@dataclass(frozen=True)
class Target:
    """One notebook to stage (or unstage) from: the old side and the new side.

    ``add``:   old = index entry, new = work tree (cleaned as ``git add`` would)
    ``reset``: old = HEAD's entry, new = index entry
    ``old``/``new`` are None where the path is absent on that side.
    """

    path: str
    old: Entry | None
    old_bytes: bytes | None
    new: Entry | None
    new_bytes: bytes | None


def _run(root: str, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
    try:
        proc = subprocess.run(["git", *args], cwd=root, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise StageError("git is not installed (no `git` on PATH)") from None
    if check and proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed"
        raise StageError(msg)
    return proc.stdout


def worktree_root(cwd: str | None = None) -> str:
    try:
        out = _run(cwd or os.getcwd(), "rev-parse", "--show-toplevel")
    except StageError:
        raise StageError("not inside a git work tree") from None
    return os.path.realpath(out.decode("utf-8", "surrogateescape").rstrip("\n"))


def root_pathspecs(root: str, specs: list[str], cwd: str | None = None) -> list[str]:
    """Command-line paths (relative to ``cwd``) as literal pathspecs relative to ``root``."""
    cwd = cwd or os.getcwd()
    out = []
    for spec in specs:
        full = os.path.realpath(os.path.join(cwd, spec))
        rel = os.path.relpath(full, root)
        if rel == ".":
            rel = ""
        elif rel == ".." or rel.startswith(".." + os.sep):
            raise StageError(f"{spec}: outside the repository at {root}")
        out.append(":(literal)" + rel.replace(os.sep, "/") if rel else ":/")
    return out


def names_nothing(root: str, spec: str, head: bool = False) -> bool:
    """True when pathspec ``spec`` names no index entry (nor, with ``head``, none of HEAD's)."""
    if _paths(_run(root, "ls-files", "-z", "--", spec)):
        return False
    return not (head and head_entries(root, [spec]))


def _paths(raw: bytes) -> list[str]:
    return [p.decode("utf-8", "surrogateescape") for p in raw.split(b"\0") if p]


def unmerged_paths(root: str, specs: list[str]) -> set[str]:
    out = set()
    for rec in _paths(_run(root, "ls-files", "-z", "-u", "--", *specs)):
        out.add(rec.split("\t", 1)[1])
    return out


def index_entries(root: str, specs: list[str]) -> dict[str, Entry]:
    """Stage-0 index entries under ``specs``: path -> entry."""
    out = {}
    for rec in _paths(_run(root, "ls-files", "-z", "-s", "--", *specs)):
        meta, path = rec.split("\t", 1)
        mode, oid, stage_no = meta.split()
        if stage_no == "0":
            out[path] = Entry(mode, oid)
    return out


def head_entries(root: str, specs: list[str]) -> dict[str, Entry]:
    """HEAD's entries under ``specs`` (nothing before the first commit)."""
    if not _run(root, "rev-parse", "-q", "--verify", "HEAD^{commit}", check=False).strip():
        return {}
    out = {}
    for rec in _paths(_run(root, "ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", *specs)):
        meta, path = rec.split("\t", 1)
        mode, kind, oid = meta.split()
        if kind == "blob":
            out[path] = Entry(mode, oid)
    return out


def changed_in_worktree(root: str, specs: list[str]) -> list[str]:
    """Tracked paths whose work tree file differs from the index (modified or deleted)."""
    return _paths(_run(root, "diff-files", "-z", "--name-only", "--", *specs))


def changed_in_index(root: str, specs: list[str]) -> list[str]:
    """Paths whose index entry differs from HEAD (all index entries before the first commit)."""
    if not _run(root, "rev-parse", "-q", "--verify", "HEAD^{commit}", check=False).strip():
        return _paths(_run(root, "ls-files", "-z", "--", *specs))
    return _paths(_run(root, "diff-index", "-z", "--cached", "--name-only", "HEAD", "--", *specs))


def untracked(root: str, specs: list[str]) -> list[str]:
    return _paths(_run(root, "ls-files", "-z", "--others", "--exclude-standard", "--", *specs))


def read_blob(root: str, oid: str) -> bytes:
    return _run(root, "cat-file", "blob", oid)


def read_worktree(root: str, path: str) -> bytes | None:
    """The work tree file at ``path`` (None when absent); StageError if it is not a regular
    file inside the work tree (a symlink, which git would stage as a link, a directory, a FIFO,
    a path through a symlink out of the tree...). Reads go through nbgit's one containment
    helper (:func:`nbgit._fs.read_regular`)."""
    from nbgit._fs import PathRefused, read_regular

    full = os.path.join(root, *path.split("/"))
    try:
        if stat.S_ISLNK(os.lstat(full).st_mode):
            raise StageError(f"{path}: a symlink in the work tree; stage it with git add")
        return read_regular(path, root=root)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        raise StageError(f"{path}: a directory in the work tree; not read") from None
    except PathRefused as exc:
        raise StageError(str(exc)) from None


def clean_as_git_add(root: str, path: str, data: bytes) -> tuple[str, bytes]:
    """(oid, bytes) of the blob ``git add`` would make of ``data`` at ``path`` (its filters run)."""
    oid = _run(root, "hash-object", "-w", f"--path={path}", "--stdin", input=data).decode().strip()
    return oid, read_blob(root, oid)


def write_blob(root: str, path: str, data: bytes, filters: bool) -> str:
    args = ["hash-object", "-w", "--stdin"]
    args.insert(2, f"--path={path}" if filters else "--no-filters")
    return _run(root, *args, input=data).decode().strip()


def set_entry(root: str, path: str, entry: Entry) -> None:
    _run(root, "update-index", "--add", "--cacheinfo", f"{entry.mode},{entry.oid},{path}")


def remove_entry(root: str, path: str) -> None:
    _run(root, "update-index", "--force-remove", "-z", "--stdin", input=path.encode("utf-8", "surrogateescape") + b"\0")


def add_targets(root: str, specs: list[str], explicit_files: set[str], suffix: str = ".ipynb") -> tuple[list[Target], list[str]]:
    """Notebooks whose work tree differs from the index, plus untracked notebooks named explicitly.

    Returns (targets, problems): problems are messages for paths skipped (unmerged...).
    """
    problems = [f"{p}: unmerged (a merge is in progress): resolve the conflict first" for p in sorted(unmerged_paths(root, specs)) if p.endswith(suffix)]
    unmerged = unmerged_paths(root, specs)
    entries = index_entries(root, specs)
    paths = [p for p in changed_in_worktree(root, specs) if p.endswith(suffix) and p not in unmerged]
    paths += [p for p in untracked(root, specs) if p in explicit_files and p.endswith(suffix)]
    targets = []
    for path in sorted(set(paths)):
        entry = entries.get(path)
        if entry is not None and not entry.mode.startswith("100"):
            problems.append(f"{path}: not a regular file in the index (mode {entry.mode}); skipped")
            continue
        try:
            data = read_worktree(root, path)
        except StageError as exc:
            problems.append(str(exc))
            continue
        old_bytes = read_blob(root, entry.oid) if entry else None
        new = new_bytes = None
        if data is not None:
            oid, new_bytes = clean_as_git_add(root, path, data)
            mode = entry.mode if entry else ("100755" if os.access(os.path.join(root, path), os.X_OK) else "100644")
            new = Entry(mode, oid)
            if entry is not None and oid == entry.oid:
                continue  # only the stat info differed: nothing to stage
        targets.append(Target(path, entry, old_bytes, new, new_bytes))
    return targets, problems


def reset_targets(root: str, specs: list[str], suffix: str = ".ipynb") -> tuple[list[Target], list[str]]:
    """Notebooks whose index entry differs from HEAD's."""
    unmerged = unmerged_paths(root, specs)
    problems = [f"{p}: unmerged (a merge is in progress): resolve the conflict first" for p in sorted(unmerged) if p.endswith(suffix)]
    heads = head_entries(root, specs)
    entries = index_entries(root, specs)
    targets = []
    for path in sorted(set(changed_in_index(root, specs))):
        if not path.endswith(suffix) or path in unmerged:
            continue
        old, new = heads.get(path), entries.get(path)
        if old == new:
            continue
        if any(e is not None and not e.mode.startswith("100") for e in (old, new)):
            problems.append(f"{path}: not a regular file in HEAD or the index; skipped")
            continue
        targets.append(Target(path, old, read_blob(root, old.oid) if old else None, new,
                              read_blob(root, new.oid) if new else None))
    return targets, problems


__all__ = [
    "StageError",
    "Entry",
    "Target",
    "worktree_root",
    "root_pathspecs",
    "add_targets",
    "reset_targets",
    "write_blob",
    "set_entry",
    "remove_entry",
    "read_blob",
]
