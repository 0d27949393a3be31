"""Jupytext pairing with content-based sync.

A notebook ``nb.ipynb`` is *paired* with a text file (``nb.py`` in jupytext's
``py:percent`` format, say) when its metadata says so the way jupytext records
it: ``metadata.jupytext.formats = "ipynb,py:percent"``. Jupyter's jupytext
extension reads the same entry, so both tools agree on what is paired.

``nbgit sync`` decides which side of a pair to carry over by *content*, never
by modification time: :mod:`nbgit.pair.state` remembers, per pair, digests of
both sides as they were at the last sync, and :func:`nbgit.pair.decide.decide`
compares the sides with that record:

=====================  =====================  ==========================================
notebook since record  text since record      action
=====================  =====================  ==========================================
unchanged              unchanged              nothing
changed                unchanged              notebook -> text
unchanged              changed                text -> notebook (outputs and ids kept)
changed                changed                in sync if the text equals the notebook's
                                              rendering, else a conflict: nothing written
no record              no record              in sync if equal, else reported, not guessed
=====================  =====================  ==========================================

Modules: :mod:`~nbgit.pair.formats` (formats and paired paths, stdlib only),
:mod:`~nbgit.pair.state` (the sync record), :mod:`~nbgit.pair.decide` (digests
and the decision, pure), :mod:`~nbgit.pair.match` (cell matching, pure),
:mod:`~nbgit.pair.convert` (the jupytext glue, imported only when a
conversion is needed), :mod:`~nbgit.pair.sync` (finding pairs, reading and
writing files).
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=64)
def _repo_of(directory: str):
    from nbgit.pair.sync import locate_repo

    return locate_repo(directory)


def check_pair(path: str) -> str | None:
    """Why notebook ``path`` is out of sync with its paired text file, or None (also when it is not paired).

    Used by ``nbgit check``; writes nothing (not even the sync record).
    """
    import os

    from nbgit.pair.state import Stores
    from nbgit.pair.sync import Found, Locator, sync_pair

    path = os.path.abspath(path)
    toplevel, git_dir = _repo_of(os.path.dirname(path))
    stores = Stores(git_dir, toplevel)
    found = Found()
    Locator(stores).notebook(path, found)
    if found.problems:
        return found.problems[0].problem
    if not found.pairs:
        return None
    pair = found.pairs[0]
    outcome = sync_pair(pair, stores, check=True, files=found.files.get(pair.ipynb))
    if outcome.problem:
        return outcome.problem.splitlines()[0]
    if outcome.wrote:
        text = os.path.relpath(pair.text)
        return f"out of sync with {text} (run `nbgit sync {os.path.relpath(path)}`)"
    return None
