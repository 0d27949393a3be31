"""Following cells back through a notebook's history (pure: the history comes in as callbacks).

``nbgit log --cell`` and ``nbgit blame`` both ask, for some cells of the
notebook at a starting commit, which commits changed each of them and where
each was created. :func:`trace_cells` answers in one walk over the commits, in
an order where every commit comes before its parents (git's topological order):

* A commit whose notebook is the very same blob in a parent (git calls that
  parent TREESAME) changed nothing: every tracked cell passes to that parent
  unchanged, as ``git log``'s history simplification does.
* Otherwise the commit's cells are matched against each parent's by the one
  cell matcher (:func:`nbgit.diff.match.match_cells`, which follows a cell
  through edits, moves and id changes). A tracked cell equal to its match in
  some parent passes to that parent; a cell that differs from its matches in
  every parent was changed by this commit (an :class:`Event` ``changed``), and
  passes on to every parent it matched, to be followed further; a cell no
  parent has was ``created`` by this commit.

Each notebook version is asked for once per (commit, path) and each (commit,
parent) pair is matched once, for all tracked cells together. With
``stop_at_first`` (blame) a cell is dropped after its first event.

Renames are the callback's business: ``parents(commit, path)`` returns each
parent with the path the notebook had there (``--follow``) or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable, Iterable

from nbgit.diff.match import match_cells

CHANGED = "changed"
CREATED = "created"
MOVED = "moved"


@dataclass(frozen=True)
class Event:
    """``key`` (a tracked cell) was changed (or created) by ``commit``.

    ``index``: the cell's position in ``commit``'s notebook (at ``path``); for
    ``changed``, ``parent``/``parent_path``/``parent_index`` say which version it
    was compared with (the first parent that has the cell). ``moved`` (only with
    ``moves=True``): the cell came unchanged from that parent but left the order of the
    cells around it there (a move as ``nbgit diff`` reports it).
    """

    kind: str
    key: Hashable
    commit: Hashable
    path: str
    index: int
    parent: Hashable | None = None
    parent_path: str | None = None
    parent_index: int | None = None


#: parents(commit, path) -> [(parent, path in parent or None, blob id in parent or None), ...]
Parents = Callable[[Hashable, str], list]
#: cells(commit, path, blob id) -> the list of cells of that notebook (None: not a readable notebook)
Cells = Callable[[Hashable, str, Hashable], "list[dict] | None"]


def trace_cells(
    order: Iterable[Hashable],
    start: Hashable,
    path: str,
    blob: Hashable,
    tracked: dict[int, Hashable],
    parents: Parents,
    cells: Cells,
    stop_at_first: bool = False,
    moves: bool = False,
) -> list[Event]:
    """Events for the ``tracked`` cells (index in ``start``'s notebook -> key), newest first.

    ``order``: commits reachable from ``start``, each before its parents.
    """
    pending: dict[Hashable, dict[tuple[str, Hashable], dict[int, set]]] = {start: {(path, blob): {i: {k} for i, k in tracked.items()}}}
    events: list[Event] = []
    done: set = set()
    for commit in order:
        states = pending.pop(commit, None)
        if not states:
            continue
        for (cpath, cblob), cells_here in states.items():
            cells_here = {i: keys - done for i, keys in cells_here.items()}
            cells_here = {i: keys for i, keys in cells_here.items() if keys}
            if not cells_here:
                continue
            _step(commit, cpath, cblob, cells_here, parents, cells, pending, events, done, stop_at_first, moves)
        if not pending:
            break
    return events


def _pass(pending, parent, ppath, pblob, idx: int, keys: set) -> None:
    slot = pending.setdefault(parent, {}).setdefault((ppath, pblob), {})
    slot.setdefault(idx, set()).update(keys)


def _step(commit, cpath, cblob, tracked, parents, cells, pending, events, done, stop_at_first, moves) -> None:
    plist = parents(commit, cpath)
    for parent, ppath, pblob in plist:
        if pblob is not None and pblob == cblob:  # TREESAME: nothing changed here
            for idx, keys in tracked.items():
                _pass(pending, parent, ppath, pblob, idx, keys)
            return
    mine = cells(commit, cpath, cblob) or []
    matched: list[tuple] = []  # per parent: (parent, ppath, pblob, child idx -> (parent idx, equal))
    for parent, ppath, pblob in plist:
        if pblob is None:
            continue
        theirs = cells(parent, ppath, pblob)
        if theirs is None:
            continue
        matches = match_cells(theirs, mine)
        pairs = {j: (i, theirs[i] == mine[j]) for i, j in matches}
        kept = None
        if moves:
            from nbgit.diff.match import in_order

            kept = in_order(matches, [pairs[j][1] for _, j in matches])
        matched.append((parent, ppath, pblob, pairs, kept))
    for idx, keys in tracked.items():
        same = next((m for m in matched if idx in m[3] and m[3][idx][1]), None)
        if same is not None:
            pidx = same[3][idx][0]
            if moves and same is matched[0] and pidx not in same[4]:
                for key in sorted(keys, key=repr):
                    events.append(Event(MOVED, key, commit, cpath, idx, same[0], same[1], pidx))
            _pass(pending, same[0], same[1], same[2], pidx, keys)
            continue
        having = [m for m in matched if idx in m[3]]
        for key in sorted(keys, key=repr):
            if having:
                first = having[0]
                events.append(Event(CHANGED, key, commit, cpath, idx, first[0], first[1], first[3][idx][0]))
            else:
                events.append(Event(CREATED, key, commit, cpath, idx))
        if stop_at_first:
            done.update(keys)
            continue
        for parent, ppath, pblob, pairs, _kept in having:
            _pass(pending, parent, ppath, pblob, pairs[idx][0], keys)


__all__ = ["trace_cells", "Event", "CHANGED", "CREATED", "MOVED"]
