"""One notebook's history for ``nbgit log --cell`` and ``nbgit blame`` (pygit2 reads).

:func:`trace` walks the commits reachable from a starting revision in git's
topological order and hands :func:`nbgit.diff.trace.trace_cells` two
callbacks: the parents of a commit with the notebook's blob in each (following
a rename when asked, as ``git log --follow`` does), and the cells of a blob.
Each blob is read and parsed once (cached by object id).
"""

from __future__ import annotations

from dataclasses import dataclass

from nbgit.git.revisions import RevisionError


@dataclass(frozen=True)
class CommitInfo:
    id: str
    author: str
    email: str
    time: int
    offset: int  # minutes east of UTC
    subject: str

    def date(self) -> str:
        """``YYYY-MM-DD HH:MM:SS +hhmm`` in the author's own time zone (git blame's format)."""
        import datetime

        tz = datetime.timezone(datetime.timedelta(minutes=self.offset))
        return datetime.datetime.fromtimestamp(self.time, tz).strftime("%Y-%m-%d %H:%M:%S %z")

    def rfc_date(self) -> str:
        """git log's default date format."""
        import datetime

        tz = datetime.timezone(datetime.timedelta(minutes=self.offset))
        return datetime.datetime.fromtimestamp(self.time, tz).strftime("%a %b %-d %H:%M:%S %Y %z")


class History:
    """Reads of one repository, cached: blobs parsed once, rename lookups once per commit pair."""

    def __init__(self, repo, follow: bool = False):
        self.repo = repo
        self.follow = follow
        self._cells: dict = {}
        self.errors: dict[str, str] = {}

    def blob_at(self, commit_id, path: str):
        commit = self.repo[commit_id]
        try:
            entry = commit.tree[path]
        except KeyError:
            return None
        if entry.type_str != "blob" or entry.filemode not in (0o100644, 0o100755):
            return None
        return entry.id

    def parents(self, commit_id, path: str) -> list:
        commit = self.repo[commit_id]
        out = []
        for parent in commit.parents:
            ppath = path
            blob = self.blob_at(parent.id, path)
            if blob is None and self.follow and self.blob_at(commit_id, path) is not None:
                ppath = self._renamed_from(parent, commit, path)
                blob = self.blob_at(parent.id, ppath) if ppath else None
            out.append((parent.id, ppath if blob is not None else None, blob))
        return out

    def _renamed_from(self, parent, commit, path: str) -> str | None:
        import pygit2

        diff = parent.tree.diff_to_tree(commit.tree)
        diff.find_similar(flags=pygit2.enums.DiffFind.FIND_RENAMES, rename_threshold=50)
        for delta in diff.deltas:
            if delta.status_char() == "R" and delta.new_file.path == path:
                return delta.old_file.path
        return None

    def cells(self, commit_id, path: str, blob) -> list | None:
        if blob in self._cells:
            return self._cells[blob]
        from nbgit.notebook.io import NotebookError, parse

        cells = None
        try:
            nb = parse(self.repo[blob].data)
            if nb.get("nbformat") == 3:
                from nbgit.notebook.upgrade import upgrade_v3

                nb = upgrade_v3(nb)
            cells = nb.get("cells")
            if not isinstance(cells, list):
                cells = None
        except NotebookError as exc:
            self.errors[str(commit_id)] = f"{path} at {str(commit_id)[:12]}: not a readable notebook ({exc.reason})"
        except Exception as exc:  # a broken nbformat 3 file
            self.errors[str(commit_id)] = f"{path} at {str(commit_id)[:12]}: cannot read ({exc})"
        self._cells[blob] = cells
        return cells

    def info(self, commit_id) -> CommitInfo:
        c = self.repo[commit_id]
        subject = c.message.split("\n", 1)[0] if c.message else ""
        return CommitInfo(str(c.id), c.author.name, c.author.email, c.author.time, c.author.offset, subject)


def resolve_range(repo, spec: str | None) -> tuple:
    """(start commit id, [hidden commit ids]) for ``REV`` or ``A..B`` (default HEAD)."""
    from nbgit.git.revisions import _commit

    spec = spec or "HEAD"
    if ".." in spec and "..." not in spec:
        left, right = spec.split("..", 1)
        return _commit(repo, right or "HEAD").id, [_commit(repo, left or "HEAD").id]
    if "..." in spec:
        raise RevisionError(f"{spec}: symmetric ranges (A...B) are not supported; use A..B")
    if repo.head_is_unborn and spec == "HEAD":
        raise RevisionError("no commits yet")
    return _commit(repo, spec).id, []


def walk(repo, start, hidden: list):
    """Commits reachable from ``start`` (not from ``hidden``), each before its parents."""
    import pygit2

    walker = repo.walk(start, pygit2.enums.SortMode.TOPOLOGICAL | pygit2.enums.SortMode.TIME)
    for h in hidden:
        walker.hide(h)
    for commit in walker:
        yield commit.id


def trace(repo, start, hidden: list, path: str, tracked: dict, follow: bool, stop_at_first: bool, moves: bool = False):
    """Events of :func:`nbgit.diff.trace.trace_cells` for ``tracked`` cells of ``path`` at ``start``."""
    from nbgit.diff.trace import trace_cells

    history = History(repo, follow=follow)
    blob = history.blob_at(start, path)
    if blob is None:
        raise RevisionError(f"{path}: no such notebook at {str(start)[:12]}")
    events = trace_cells(walk(repo, start, hidden), start, path, blob, tracked, history.parents, history.cells,
                         stop_at_first=stop_at_first, moves=moves)
    return events, history


__all__ = ["History", "CommitInfo", "resolve_range", "walk", "trace"]
