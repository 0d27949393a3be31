"""One notebook being resolved: where its versions come from, what the page shows, how a save is written.

The file is read once when the session starts (``original``); nothing is
written until :meth:`Session.save`. A notebook that a text merge left with
markers in its JSON is first rebuilt into a notebook with in-cell conflicts
(from git's index stages when the path is unmerged, else from the markers, as
`nbgit fix` does); that rebuilt notebook is what the page shows and what a save
starts from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from nbgit.merge.resolve import Block, base_hints_from, conflict_blocks, resolve
from nbgit.notebook.io import NotebookError, check_notebook, dumps, layout_of, parse


class SessionError(RuntimeError):
    """The notebook cannot be opened in the tool (the message names the file)."""


@dataclass
class Versions:
    """The three versions a merge started from (bytes; ``base`` may be empty: no common ancestor)."""

    base: bytes
    local: bytes
    remote: bytes
    filtered: bool = False  # already clean: git's index blobs (files from `git mergetool` are smudged)


@dataclass
class Session:
    path: str  # as given (relative to the work tree root when git gave it)
    display: str
    original: bytes
    notebook: dict  # nbformat 4 view of what the page shows
    layout: object
    v3_inputs: list | None = None  # the nbformat 3 originals, when the file is nbformat 3
    versions: Versions | None = None
    config: object = None
    hints: dict = field(default_factory=dict)
    rebuilt: str = ""  # how a text-conflicted file was turned into a notebook ("" if it was one)
    saved: bool = False
    root: str | None = None  # the work tree the file must stay inside
    sides: tuple = (None, None, None)  # base, ours, theirs parsed (nbformat 4, cleaned), where known

    @property
    def blocks(self) -> list[Block]:
        return conflict_blocks(self.notebook, self.hints)

    def save(self, choices: dict) -> int:
        """Apply ``choices``, write the file (atomic, cleaned, in its layout); returns conflicts left."""
        from nbgit._fs import atomic_write, write_contained

        resolved, left = resolve(self.notebook, choices, self.hints)
        check_notebook(resolved)
        out = resolved
        if self.v3_inputs is not None:
            from nbgit.merge.blobs import _downgrade

            out = _downgrade(resolved, self.v3_inputs * 3)  # base, local, remote: the file itself
        if self.config is not None:
            from nbgit.notebook.clean import clean_notebook

            out = clean_notebook(out, self.config)
        data = dumps(out, self.layout)
        check_notebook(parse(data))
        if self.root is not None:
            write_contained(self.root, os.path.abspath(self.path), data)
        else:
            atomic_write(self.path, data)
        self.notebook, self.saved = resolved, True
        return left


def open_session(path: str, display: str | None = None, versions: Versions | None = None, config=None,
                 root: str | None = None) -> Session:
    """Read ``path`` and prepare what the page shows; :class:`SessionError` when it cannot be shown.

    With ``root``, the file must be a regular file inside that work tree (no symlink out).
    """
    from nbgit._fs import read_regular

    display = display if display is not None else path
    try:
        data = read_regular(os.path.abspath(path), root=root)
    except OSError as exc:
        raise SessionError(f"{display}: {exc.strerror or exc}") from None
    rebuilt = ""
    try:
        nb = parse(data)
    except NotebookError as exc:
        nb, rebuilt = _rebuild(data, display, versions, config, exc)
    layout = layout_of(data, nb) if not rebuilt else layout_of(versions.local if versions and versions.local.strip() else b"{}", {})
    v3 = None
    if nb.get("nbformat") == 3:
        from nbgit.notebook.upgrade import upgrade_v3

        v3 = [nb]
        nb = upgrade_v3(nb)
    sides = parsed_sides(versions, config)
    return Session(path, display, data, nb, layout, v3, versions, config, _hints(sides), rebuilt, root=root, sides=sides)


def _rebuild(data: bytes, display: str, versions: Versions | None, config, exc: NotebookError):
    """A notebook with in-cell conflicts for a file that a text merge left unreadable."""
    from nbgit.merge.blobs import merge_blobs, merge_text_conflicts

    if versions is not None:
        try:
            merged = merge_blobs(versions.base, versions.local, versions.remote, config=config)
            return parse(merged.data), "merged again cell by cell from git's three versions"
        except NotebookError:
            pass
    try:
        merged, three_way = merge_text_conflicts(data)
    except (NotebookError, ValueError, UnicodeDecodeError) as err:
        raise SessionError(f"{display}: not a notebook ({exc.reason}) and not repairable ({err})") from None
    how = "three-way" if three_way else "two-way"
    return parse(merged.data), f"rebuilt from git's text conflict markers ({how}, as `nbgit fix` does)"


def parsed_sides(versions: Versions | None, config) -> tuple[dict | None, dict | None, dict | None]:
    """base, ours, theirs as nbformat 4 dicts, cleaned by ``config`` (None where a side is missing or not a notebook)."""
    if versions is None:
        return None, None, None
    out = []
    for data in (versions.base, versions.local, versions.remote):
        try:
            nb = parse(data) if data.strip() else None
        except NotebookError:
            nb = None
        if nb is not None and nb.get("nbformat") == 3:
            from nbgit.notebook.upgrade import upgrade_v3

            nb = upgrade_v3(nb)
        if nb is not None and config is not None and not versions.filtered:
            from nbgit.notebook.clean import clean_notebook

            nb = clean_notebook(nb, config)
        out.append(nb)
    return out[0], out[1], out[2]


def _hints(sides) -> dict:
    """Base parts for marker blocks written without one: the same merge again, in diff3 style."""
    base, local, remote = sides
    if base is None or local is None or remote is None:
        return {}
    from nbgit.merge.notebook import merge_notebooks

    try:
        merged = merge_notebooks(base, local, remote, style="diff3")
    except (NotebookError, ValueError):
        return {}
    return base_hints_from(merged.notebook)


def stages(path: str) -> Versions | None:
    """The base/ours/theirs versions of an unmerged ``path`` from git's index (None if not unmerged)."""
    from nbgit.git.repo import GitError, git

    try:
        listing = git("ls-files", "-u", "-z", "--", path)
    except GitError:
        return None
    entries = {}
    for record in filter(None, listing.split("\0")):
        meta, _, _name = record.partition("\t")
        _mode, sha, stage = meta.split()
        entries[stage] = sha
    if "2" not in entries or "3" not in entries:
        return None
    import subprocess

    def blob(sha: str | None) -> bytes:
        if sha is None:
            return b""
        return subprocess.run(["git", "cat-file", "blob", sha], capture_output=True, check=True).stdout

    return Versions(blob(entries.get("1")), blob(entries["2"]), blob(entries["3"]), filtered=True)


def read_versions(base: str, local: str, remote: str) -> Versions:
    """The three files `git mergetool` hands over ($BASE may be missing or empty: no ancestor)."""
    from nbgit._fs import read_regular

    def read(p: str) -> bytes:
        try:
            return read_regular(p) if p and os.path.exists(p) else b""
        except OSError:
            return b""

    return Versions(read(base), read(local), read(remote))


__all__ = ["Session", "SessionError", "Versions", "open_session", "read_versions", "stages"]
