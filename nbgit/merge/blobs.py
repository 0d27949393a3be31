"""Merge notebook *files*: bytes in, bytes out, clean and in the local file's layout.

This is what the merge driver and ``nbgit merge`` run; it adds to
:func:`nbgit.merge.merge_notebooks` the parts that depend on bytes and on the
repository's configuration (still pure: no git, no file system):

* the three inputs are parsed (:class:`nbgit.notebook.io.NotebookError` for
  anything that is not a notebook: the caller falls back to a text merge);
* they are cleaned with the repository's config before the merge, so that
  fields the clean filter strips (outputs, counts, volatile metadata) cannot
  conflict, and the result is cleaned again: git stores the driver's output
  as is, without running the clean filter;
* an empty base means "no common ancestor" (git passes an empty ``%O`` for
  add/add conflicts);
* the result is written in the layout of the local file; when all three
  inputs are nbformat 3 (and the config does not upgrade them) the result is
  converted back to nbformat 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nbgit.merge.lines import MERGE, Labels
from nbgit.merge.notebook import Conflict, merge_notebooks
from nbgit.notebook.clean import clean_notebook
from nbgit.notebook.config import DEFAULT_CONFIG, Config
from nbgit.notebook.io import NotebookError, dumps, parse, read


@dataclass
class BlobMerge:
    data: bytes
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def merge_blobs(
    base: bytes,
    local: bytes,
    remote: bytes,
    *,
    config: Config | None = DEFAULT_CONFIG,
    labels: Labels | None = None,
    marker_size: int = 7,
    style: str = MERGE,
) -> BlobMerge:
    """Merge notebook bytes; raises :class:`NotebookError` (naming the side) if one is not a notebook.

    ``config`` None: do not clean (inputs and result keep every field).
    """
    local_nb, layout = _read("ours", local)
    remote_nb = _parse("theirs", remote)
    base_nb = None if not base.strip() else _parse("base", base)
    all_v3 = all(nb is None or nb.get("nbformat") == 3 for nb in (base_nb, local_nb, remote_nb))
    if config is not None:
        local_nb = clean_notebook(local_nb, config)
        remote_nb = clean_notebook(remote_nb, config)
        if base_nb is not None:
            base_nb = clean_notebook(base_nb, config)
    result = merge_notebooks(base_nb, local_nb, remote_nb, labels=labels, marker_size=marker_size, style=style)
    merged = result.notebook
    if all_v3 and not (config is not None and config.upgrade_v3):
        merged = _downgrade(merged, [nb for nb in (base_nb, local_nb, remote_nb)])
    if config is not None:
        merged = clean_notebook(merged, config)
    return BlobMerge(dumps(merged, layout), result.conflicts)


def merge_text_conflicts(data: bytes, marker_size: int = 7) -> tuple[BlobMerge, bool]:
    """Rebuild a notebook from a file whose JSON a text merge filled with git's conflict markers.

    Both versions (and the base, when every block has a ``|||||||`` part) are
    rebuilt from the marker regions and merged cell by cell, without cleaning
    (outputs and counts are kept). Returns the merge and whether it was
    three-way. Raises ``UnicodeDecodeError`` (not UTF-8),
    :class:`nbgit.merge.conflicts.NoMarkers`, ``ValueError`` (an unterminated
    block) or :class:`NotebookError` naming the side that is not a notebook.
    """
    from nbgit.merge.conflicts import split_text_conflicts

    local, base, remote, names = split_text_conflicts(data.decode("utf-8"))
    labels = Labels(names[0].strip() or "ours", names[2].strip() or "theirs", names[1].strip() or "base")
    try:
        merged = merge_blobs(
            (base or "").encode("utf-8"), local.encode("utf-8"), remote.encode("utf-8"),
            config=None, labels=labels, marker_size=marker_size,
        )
    except NotebookError as exc:
        side, _, reason = exc.reason.partition(":")
        side = {"ours": labels.local, "theirs": labels.remote}.get(side, side)
        raise NotebookError(f"the version rebuilt from the markers is not a notebook ({reason.strip()}; side: {side})") from None
    return merged, base is not None


def _read(side: str, data: bytes):
    try:
        return read(data)
    except NotebookError as exc:
        raise NotebookError(f"{side}: {exc.reason}") from None


def _parse(side: str, data: bytes) -> dict:
    try:
        return parse(data)
    except NotebookError as exc:
        raise NotebookError(f"{side}: {exc.reason}") from None


def _downgrade(nb: dict, inputs: list) -> dict:
    """nbformat 4 -> 3 for repositories that keep nbformat 3 files (nbformat imported only here).

    The notebook ``name`` (dropped by the v4 format) is merged from the v3 inputs and put back.
    """
    import json

    import nbformat

    from nbgit.merge.values import MISSING, merge_value

    node = nbformat.reads(json.dumps(nb), as_version=4)  # sources as strings, as the converter wants
    v3 = json.loads(nbformat.writes(nbformat.convert(node, 3), version=3))
    names = [nb.get("metadata", {}).get("name", MISSING) if nb is not None else MISSING for nb in inputs]
    name = merge_value(*names, ("name",), [])
    md = {**nb.get("metadata", {}), **v3.get("metadata", {})}
    if name is MISSING:
        md.pop("name", None)
    else:
        md["name"] = name
    for key in ("orig_nbformat", "orig_nbformat_minor"):  # added by the upgrade, not by anyone's edit
        if not any(nb is not None and key in nb.get("metadata", {}) for nb in inputs):
            md.pop(key, None)
    v3["metadata"] = md
    return v3


__all__ = ["BlobMerge", "merge_blobs", "merge_text_conflicts"]
