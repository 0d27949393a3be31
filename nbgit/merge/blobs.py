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
  add/add conflicts); a base that is not a notebook is treated the same way
  (a two-way merge: conflicts inside cells, never text markers in the JSON);
* the result is written in the layout of the local file; when all inputs
  are nbformat 3 (and the config does not upgrade them) they are merged as
  nbformat 3 through :mod:`nbgit.notebook.v3`'s lossless view (no nbformat
  import, no conversion; nbformat's converter only for several worksheets);
* the config's ``merge_outputs`` / ``merge_metadata`` choose how outputs and
  notebook metadata changed on both sides are resolved;
* when ours or theirs is not a notebook, :class:`SideNotANotebook` says which:
  the caller runs git's text merge and, only if that conflicts, writes
  :func:`keep_notebook_side` (a valid notebook with a findable record).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nbgit.merge.lines import MERGE, Labels
from nbgit.merge.notebook import Conflict, merge_notebooks
from nbgit.notebook.clean import clean_notebook
from nbgit.notebook.config import DEFAULT_CONFIG, Config
from nbgit.notebook.io import NotebookError, dumps, parse, read
from nbgit.notebook.v3 import _WORKSHEETS, from_view, is_v3, to_view, viewable


class SideNotANotebook(NotebookError):
    """``side`` ("ours" or "theirs") is not a notebook; the caller falls back to git's text merge."""

    def __init__(self, side: str, reason: str):
        super().__init__(f"{side}: {reason}")
        self.side = side
        self.side_reason = reason


@dataclass
class BlobMerge:
    """The merged bytes, the conflicts left in them, and notes: one line each for stderr.

    ``notes`` say what a person may want to check although nothing conflicts
    (an automatic choice of the merge, a base that was not a notebook).
    """

    data: bytes
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

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
    prefer: str | None = None,
) -> BlobMerge:
    """Merge notebook bytes; raises :class:`SideNotANotebook` if ours or theirs is not a notebook.

    ``config`` None: do not clean (inputs and result keep every field). A
    base that is not a notebook (or empty: git's "no common ancestor") gives a
    two-way merge, with a note. ``prefer`` ("ours"/"theirs") resolves every
    conflict for that side (``nbgit merge --ours/--theirs``).
    """
    local_nb, layout = _read("ours", local)
    remote_nb = _parse("theirs", remote)
    notes: list[str] = []
    base_nb = None
    if base.strip():
        try:
            base_nb = parse(base)
        except NotebookError as exc:
            notes.append(f"the common ancestor is not a notebook ({exc.reason}): merged two-way, "
                         "every cell that differs is a conflict")
    if config is not None:
        local_nb = clean_notebook(local_nb, config)
        remote_nb = clean_notebook(remote_nb, config)
        if base_nb is not None:
            base_nb = clean_notebook(base_nb, config)
    inputs = [nb for nb in (base_nb, local_nb, remote_nb) if nb is not None]
    options = _options(config, prefer)
    if all(is_v3(nb) and viewable(nb) and len(nb["worksheets"]) <= 1 for nb in inputs):
        # nbformat 3 merged as it is, through a lossless view (no nbformat, no validation)
        views = [None if nb is None else to_view(nb) for nb in (base_nb, local_nb, remote_nb)]
        shapes = views[1].pop(_WORKSHEETS)
        for v in (views[0], views[2]):
            if v is not None:
                v.pop(_WORKSHEETS)
        result = merge_notebooks(*views, labels=labels, marker_size=marker_size, style=style, **options)
        merged = from_view(result.notebook, shapes)
    else:
        all_v3 = all(is_v3(nb) for nb in inputs)
        result = merge_notebooks(base_nb, local_nb, remote_nb, labels=labels, marker_size=marker_size, style=style, **options)
        merged = result.notebook
        if all_v3:  # several worksheets: nbformat's converter, both ways
            merged = _downgrade(merged, [base_nb, local_nb, remote_nb])
    if config is not None:
        merged = clean_notebook(merged, config)
    return BlobMerge(dumps(merged, layout), result.conflicts, notes + result.notes)


def _options(config: Config | None, prefer: str | None) -> dict:
    options = {}
    if config is not None:
        options["outputs"] = config.merge_outputs
        options["metadata"] = config.merge_metadata
    if prefer is not None:
        options["prefer"] = prefer
    return options


#: The largest text of a side that is not a notebook copied into the conflict record.
MAX_RECORDED_TEXT = 256 * 1024


def keep_notebook_side(local: bytes, remote: bytes, bad: SideNotANotebook, labels: Labels | None = None) -> BlobMerge:
    """A conflict when one side is not a notebook and git's text merge conflicts: a valid notebook still.

    The result is the side that is a notebook, with a record in the notebook's
    ``metadata.nbgit.conflicts`` (``path`` ``"file"``) holding the other
    side's text (up to :data:`MAX_RECORDED_TEXT` characters) and a note, so
    that ``nbgit conflicts`` and ``nbgit check`` find it. Raises
    :class:`NotebookError` if the notebook side does not parse either.
    """
    from nbgit.merge.lines import DEFAULT_LABELS
    from nbgit.merge.notebook import NOTEBOOK, RECORD_KEY

    labels = labels or DEFAULT_LABELS
    good, broken = (remote, local) if bad.side == "ours" else (local, remote)
    nb, layout = read(good)
    text = broken.decode("utf-8", "replace")
    cut = len(text) > MAX_RECORDED_TEXT
    name_bad, name_good = (labels.local, labels.remote) if bad.side == "ours" else (labels.remote, labels.local)
    what = "is empty" if not broken.strip() else f"is not a notebook ({bad.side_reason})"
    entry = {
        "path": "file",
        "note": f"{name_bad} {what}; this is {name_good}'s notebook. Take what you need from "
                f"{name_bad}'s text (here{', cut' if cut else ''}; all of it: `git show :{2 if bad.side == 'ours' else 3}:PATH`), "
                "then delete this record",
        "local" if bad.side == "ours" else "remote": text[:MAX_RECORDED_TEXT],
    }
    md = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    ours = md.get(RECORD_KEY) if isinstance(md.get(RECORD_KEY), dict) else {}
    records = ours.get("conflicts") if isinstance(ours.get("conflicts"), list) else []
    nb = {**nb, "metadata": {**md, RECORD_KEY: {**ours, "conflicts": [*records, entry]}}}
    return BlobMerge(dumps(nb, layout), [Conflict(None, NOTEBOOK, "file")])


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
        raise SideNotANotebook(side, exc.reason) from None


def _parse(side: str, data: bytes) -> dict:
    try:
        return parse(data)
    except NotebookError as exc:
        raise SideNotANotebook(side, exc.reason) from None


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


__all__ = ["BlobMerge", "merge_blobs", "merge_text_conflicts", "keep_notebook_side", "SideNotANotebook"]
