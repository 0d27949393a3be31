"""git's merge driver for notebooks: ``nbgit merge-driver %O %A %B %L %P %S %X %Y``.

git writes the three versions to temporary files, runs the driver, and takes
``%A`` as the result: exit 0 means merged cleanly, any other status means
conflicts (git then records the path as unmerged and keeps ``%A`` in the work
tree). Here:

* notebooks are merged cell by cell (:func:`nbgit.merge.blobs.merge_blobs`):
  clean with the repository's config, in the layout of ``%A``;
* a base that is not a notebook (or empty: no common ancestor) while both
  sides are gives a two-way merge, conflicts inside cells (one note on stderr);
* ours or theirs not a notebook (invalid JSON, git conflict markers already in
  the file, an empty file): git's own text merge (``git merge-file``) decides.
  Clean: its result is used, exit 0, with a warning. Conflicting: the side
  that is a notebook is kept, with the other side's text recorded in
  ``metadata.nbgit.conflicts`` (never JSON full of text markers), exit 1;
  only when neither side is a notebook is git's marked text written;
* lines the merge wants a person to check (automatic choices) go to stderr;
* on any internal error ``%A`` is left as it is (the local version), one
  line goes to stderr and the exit status is 1: a conflict, never a loss.

``%S %X %Y`` (the base, ours and theirs labels) are expanded by git 2.44 and
later; older versions pass them through literally, which is detected.
``%L`` is the conflict marker size (``conflict-marker-size`` attribute).
"""

from __future__ import annotations

import sys
from typing import TextIO

from nbgit.merge.lines import DIFF3, MERGE, Labels

DEFAULT_LABELS = Labels("ours", "theirs", "base")


def labels_from_args(base: str | None, ours: str | None, theirs: str | None) -> Labels:
    """Labels from git's ``%S %X %Y``; placeholders git did not expand fall back to ours/theirs/base."""

    def pick(value: str | None, default: str) -> str:
        if value is None or not value.strip() or (value.startswith("%") and len(value) == 2):
            return default
        return value

    return Labels(pick(ours, DEFAULT_LABELS.local), pick(theirs, DEFAULT_LABELS.remote), pick(base, DEFAULT_LABELS.base))


def marker_size_from_arg(value: str | None) -> int:
    try:
        size = int(value) if value is not None else 7
    except ValueError:
        return 7
    return size if size > 0 else 7


def conflict_style(cwd: str | None = None) -> str:
    """git's ``merge.conflictStyle`` (``diff3``/``zdiff3`` -> diff3, else merge)."""
    import subprocess  # only when there is a conflict: not on the clean path

    try:
        proc = subprocess.run(
            ["git", "config", "--get", "merge.conflictStyle"], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
    except OSError:
        return MERGE
    value = proc.stdout.decode("utf-8", "replace").strip().lower()
    return DIFF3 if value in ("diff3", "zdiff3") else MERGE


def text_merge(base: str, local: str, remote: str, labels: Labels, marker_size: int, style: str = MERGE) -> tuple[bytes, bool]:
    """git's own line merge of three files: (merged bytes, clean?). Raises OSError/RuntimeError if git fails."""
    import subprocess

    cmd = ["git", "merge-file", "-p", f"--marker-size={marker_size}"]
    if style == DIFF3:
        cmd.append("--diff3")
    cmd += ["-L", labels.local, "-L", labels.base, "-L", labels.remote, local, base, remote]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode < 0 or proc.returncode > 127:
        raise RuntimeError(proc.stderr.decode("utf-8", "replace").strip() or "git merge-file failed")
    return proc.stdout, proc.returncode == 0


def run(
    base_path: str,
    local_path: str,
    remote_path: str,
    marker_size: int = 7,
    path: str | None = None,
    labels: Labels = DEFAULT_LABELS,
    stderr: TextIO = sys.stderr,
) -> int:
    """Merge into ``local_path`` (git's ``%A``); returns the exit status for git (0 clean, 1 conflicts)."""
    name = path or local_path
    try:
        return _run(base_path, local_path, remote_path, marker_size, name, labels, stderr)
    except Exception as exc:  # never lose the local version, never show a traceback
        _say(stderr, f"nbgit: {name}: merge failed ({type(exc).__name__}: {exc}); kept our version, marked as a conflict")
        return 1


def _run(base_path, local_path, remote_path, marker_size, name, labels, stderr) -> int:
    from nbgit._fs import atomic_write, find_worktree_root
    from nbgit.merge.blobs import SideNotANotebook, merge_blobs
    from nbgit.notebook.config import ConfigError, load_config

    with open(base_path, "rb") as fh:
        base = fh.read()
    with open(local_path, "rb") as fh:
        local = fh.read()
    with open(remote_path, "rb") as fh:
        remote = fh.read()
    root = find_worktree_root(".") or "."
    try:
        config = load_config(root)
    except ConfigError as exc:
        _say(stderr, f"nbgit: {name}: not merged, the nbgit config is invalid ({exc}); kept our version")
        return 1
    try:
        merged = merge_blobs(base, local, remote, config=config, labels=labels, marker_size=marker_size)
        if not merged.clean:
            style = conflict_style()
            if style != MERGE:
                merged = merge_blobs(base, local, remote, config=config, labels=labels, marker_size=marker_size, style=style)
    except SideNotANotebook as exc:
        return _not_a_notebook(exc, base_path, local_path, remote_path, local, remote, name, labels, marker_size, stderr)
    for note in merged.notes:
        _say(stderr, f"nbgit: {name}: {note}")
    if merged.data != local:
        atomic_write(local_path, merged.data)
    if merged.clean:
        return 0
    cells = sorted({c.cell + 1 for c in merged.conflicts if c.cell is not None})
    where = []
    if cells:
        shown = ", ".join(map(str, cells[:8])) + (", ..." if len(cells) > 8 else "")
        where.append(f"cell{'s' if len(cells) > 1 else ''} {shown}")
    if any(c.cell is None for c in merged.conflicts):
        where.append("notebook metadata")
    n = len(merged.conflicts)
    _say(
        stderr,
        f"nbgit: {name}: {n} conflict{'s' if n > 1 else ''} in {' and '.join(where)} "
        f"(inside the notebook; `nbgit conflicts {name}` lists them)",
    )
    return 1


def _not_a_notebook(exc, base_path, local_path, remote_path, local, remote, name, labels, marker_size, stderr) -> int:
    """Ours or theirs is not a notebook: git's own text merge when it is clean, else a notebook still."""
    from nbgit._fs import atomic_write
    from nbgit.merge.blobs import keep_notebook_side
    from nbgit.notebook.io import NotebookError

    data, clean = text_merge(base_path, local_path, remote_path, labels, marker_size, conflict_style())
    if clean:
        atomic_write(local_path, data)
        _say(stderr, f"nbgit: {name}: {exc.side} is not a notebook ({exc.side_reason}); "
                     "git's text merge of the file is clean and was used, check the result")
        return 0
    try:
        kept = keep_notebook_side(local, remote, exc, labels)
    except NotebookError:  # neither side is a notebook: git's text merge, markers and all
        atomic_write(local_path, data)
        _say(stderr, f"nbgit: {name}: not a notebook on either side ({exc.side_reason}); used git's text merge (conflicts)")
        return 1
    if kept.data != local:
        atomic_write(local_path, kept.data)
    other = "theirs" if exc.side == "ours" else "ours"
    _say(stderr, f"nbgit: {name}: {exc.side} is not a notebook ({exc.side_reason}) and git's text merge conflicts: "
                 f"kept {other} (a notebook) with {exc.side}'s text in metadata.nbgit.conflicts; "
                 f"`nbgit conflicts {name}` lists it")
    return 1


def _say(stderr: TextIO, line: str) -> None:
    from nbgit._escape import term

    try:
        print(term(line), file=stderr)
        stderr.flush()
    except (OSError, ValueError):
        pass


__all__ = ["run", "labels_from_args", "marker_size_from_arg", "conflict_style", "text_merge", "DEFAULT_LABELS"]

