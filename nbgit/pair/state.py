"""Where the sync record lives, and reading/writing it.

Inside a git repository the record is ``$GIT_DIR/nbgit/sync.json`` (per work
tree: a linked worktree has its own git dir). It describes the files of *this*
clone at its last sync, so it must never be committed: another clone's files
are in another state. The git dir is never checked out, never shown by
``git status``, and survives checkouts, merges and stashes, which are exactly
the events sync has to see through. Outside a repository there is no such
place, so the record is a ``.nbgit-sync.json`` beside the notebooks (one per
directory).

Keys are notebook paths relative to the work tree (or the directory), with
``/`` separators. Losing the record is safe: a pair without a record is in
sync when both sides agree, and reported (never guessed) otherwise. A stale
record is safe too: it can only make a side look changed, which leads to a
carry that changes nothing or to a reported conflict.
"""

from __future__ import annotations

import json
import os

from nbgit._fs import atomic_write
from nbgit.pair.decide import Record

RECORD_NAME = ".nbgit-sync.json"
VERSION = 1


class RecordStore:
    """The sync records of one file, keyed by notebook path relative to ``base``."""

    def __init__(self, path: str, base: str):
        self.path = path
        self.base = base
        self._records: dict[str, Record] | None = None
        self._changes: dict[str, Record | None] = {}

    def key(self, ipynb_path: str) -> str:
        return os.path.relpath(os.path.abspath(ipynb_path), self.base).replace(os.sep, "/")

    def _load(self) -> dict[str, Record]:
        try:
            with open(self.path, "rb") as fh:
                raw = json.loads(fh.read().decode("utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            return {}
        except (OSError, ValueError):
            return {}  # unreadable record: every pair is treated as never synced (safe)
        pairs = raw.get("pairs") if isinstance(raw, dict) else None
        if not isinstance(pairs, dict):
            return {}
        records = {}
        for key, value in pairs.items():
            rec = Record.from_json(value)
            if rec is not None:
                records[key] = rec
        return records

    def get(self, ipynb_path: str) -> Record | None:
        key = self.key(ipynb_path)
        if key in self._changes:
            return self._changes[key]
        if self._records is None:
            self._records = self._load()
        return self._records.get(key)

    def put(self, ipynb_path: str, record: Record | None) -> None:
        if self.get(ipynb_path) != record:
            self._changes[self.key(ipynb_path)] = record

    @property
    def dirty(self) -> bool:
        return bool(self._changes)

    def save(self) -> None:
        """Write the changes made through :meth:`put` on top of the file as it is now."""
        if not self._changes:
            return
        records = self._load()  # another sync may have written other pairs meanwhile
        for key, rec in self._changes.items():
            if rec is None:
                records.pop(key, None)
            else:
                records[key] = rec
        doc = {
            "version": VERSION,
            "about": "nbgit sync record: the state of each jupytext pair at its last sync (safe to delete)",
            "pairs": {k: records[k].to_json() for k in sorted(records)},
        }
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        atomic_write(self.path, (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode("utf-8"))
        self._records = records
        self._changes = {}


class Stores:
    """Finds the record store of a notebook: one per repository, or one per directory outside git."""

    def __init__(self, git_dir: str | None, toplevel: str | None):
        self.git_dir = git_dir
        self.toplevel = toplevel
        self._stores: dict[str, RecordStore] = {}

    def for_notebook(self, ipynb_path: str) -> RecordStore:
        path = os.path.abspath(ipynb_path)
        if self.git_dir and self.toplevel and _inside(path, self.toplevel):
            where, base = os.path.join(self.git_dir, "nbgit", "sync.json"), self.toplevel
        else:
            base = os.path.dirname(path)
            where = os.path.join(base, RECORD_NAME)
        store = self._stores.get(where)
        if store is None:
            store = self._stores[where] = RecordStore(where, base)
        return store

    def save(self) -> None:
        for store in self._stores.values():
            store.save()


def _inside(path: str, root: str) -> bool:
    root = os.path.join(os.path.abspath(root), "")
    return path.startswith(root)
