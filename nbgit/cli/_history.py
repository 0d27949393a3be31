"""What ``nbgit log --cell`` and ``nbgit blame`` share: finding the notebook and its repository."""

from __future__ import annotations

import os


class Failure(Exception):
    """A message for the user (already escaped for the terminal)."""


def open_notebook(path_arg: str):
    """(repo, path relative to the work tree root) for a notebook named on the command line."""
    from nbgit._escape import term
    from nbgit.git.revisions import RevisionError, open_repo, relative_pathspec

    try:
        repo = open_repo(os.getcwd())
        rel = relative_pathspec(repo, path_arg)
    except RevisionError as exc:
        raise Failure(term(str(exc))) from None
    if not rel:
        raise Failure(f"{term(path_arg)}: name a notebook, not the work tree root")
    return repo, rel


def cell_label(cell: dict) -> str:
    from nbgit._escape import term
    from nbgit.diff.model import source_text

    first = next((line for line in source_text(cell).splitlines() if line.strip()), "")
    ctype = cell.get("cell_type", "?")
    return term(f"[{ctype}] {first[:80]}")
