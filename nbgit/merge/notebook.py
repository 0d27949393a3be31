"""Three-way merge of notebooks, cell by cell.

The merge runs in four steps.

1. **Which cell is which.** Cells of ``local`` and of ``remote`` are matched
   against ``base`` with :func:`nbgit.diff.match.match_cells` (equal cells,
   then ids, then similarity). Each base cell becomes a *token*; a cell
   matched to it carries that token, an unmatched cell is an insertion with a
   token of its own. Insertions that are identical on both sides (same type
   and source) share one token, so they end up in the result once.

2. **Rewrites and twins** (never two versions of one cell without a flag).
   Where both sides changed the same stretch of cells, for each side the
   base cells it no longer has are aligned in order with the cells it
   inserted there (:meth:`_Merger.pair_in_regions`: similarity whatever the
   cell types, then relative position, so an insertion next to a rewrite
   does not take its place). A paired cell counts as that base cell edited:

   * rewritten on both sides -> one cell edited on both sides (its sources
     conflict inside the cell, a type change is recorded);
   * rewritten on one side, deleted on the other -> delete/modify;
   * rewritten on one side, recognisably edited on the other -> one cell.

   An insertion left over beside a paired rewrite that looks as much like
   the base cell as the paired one is a *twin* and is flagged (first line
   ``<<<<<<< nbgit: added in ...``): either may be that side's version.
   Insertions of both sides at the same place that are similar to each other
   (:data:`SIMILAR_INSERTIONS`) become one cell, merged against an empty
   stand-in base (an in-cell conflict that shows the shared lines once);
   unrelated ones are both kept.

   Before that, *splits and joins* are taken apart
   (:meth:`_Merger.merge_splits`): one base cell that became consecutive
   cells on a side (each taking most of its lines from it, together closer
   to it than any one alone), or consecutive base cells that became one, is
   merged with the other side's cells of it line by line, a separator line
   marking each cell boundary, and cut again at the separators: the other
   side's line edits are carried across the split. Used only when that line
   merge is clean (else the usual rules, a visible conflict); noted.

3. **Order.** The three token sequences are merged like lines of text
   (:func:`nbgit.merge.lines.merge_regions`). Where only one side changed the
   order, its order is taken. Where both sides changed the same stretch, the
   two stretches are aligned on the cells they share and the cells of each
   side are kept, local's first: two different insertions at the same place
   are both kept, in a stable order, with no conflict. A cell moved by both
   sides to different places goes where local put it. These two automatic
   choices are reported in :attr:`MergeResult.notes` (one line each, which
   the driver prints on stderr). Then deletions apply: a base cell removed
   by one side disappears, unless the other side edited it (*delete/modify*:
   the edited cell is kept, its first source line says which side deleted
   it, and it counts as a conflict).

4. **Content.** For a cell present on all three sides, each part is merged
   three-way: the source line by line (:func:`nbgit.merge.lines.merge_lines`,
   a real conflict becomes markers inside the source), metadata and
   attachments key by key (:mod:`nbgit.merge.values`; a conflict keeps the
   local value and is recorded in the cell's ``metadata.nbgit.conflicts``),
   the id without ever conflicting. Transient fields never conflict:
   metadata the clean filter strips by default (``ExecuteTime``,
   ``widgets``, ...) keeps local's value,
   execution counts follow the outputs, and outputs of a cell whose source
   changed come from the side whose source the result has (none if the
   source was merged). Outputs changed differently on both sides of an
   unchanged source are cleared and recorded as an ``outputs`` conflict.

Notebook metadata is merged like cell metadata (conflicts in the notebook's
``metadata.nbgit.conflicts``). ``outputs=`` / ``metadata=`` (the config's
``merge_outputs`` / ``merge_metadata``) resolve outputs and notebook metadata
changed on both sides for one side, or clear outputs, instead of a conflict;
``prefer=`` resolves every conflict for one side (``nbgit merge --ours``).

The conflict record, ``metadata.nbgit.conflicts`` (of the notebook or of a
cell), is a stable format other tools read (``nbgit mergetool``): a list of
objects with ``path`` (dotted, e.g. ``metadata.kernelspec.name``,
``outputs``, ``cell_type``; ``file`` when a side was not a notebook) and the
values present among ``base``, ``local``, ``remote``, optionally ``note``.
Keys may be added, never removed or renamed. Finally cell ids are made unique (and present
for nbformat >= 4.5), deterministically. Inputs are never modified.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from nbgit.diff.match import cell_similarity, in_order, match_cells
from nbgit.diff.sequence import diff_sequences
from nbgit.merge.lines import DEFAULT_LABELS, MERGE, Labels, merge_lines, merge_regions, split_lines
from nbgit.merge.values import MISSING, ValueConflict, merge_dicts, merge_value
from nbgit.notebook.config import DEFAULT_DROP_CELL_METADATA, DEFAULT_DROP_NOTEBOOK_METADATA

#: Where conflicts that cannot live in a cell's source are recorded (``metadata.nbgit.conflicts``).
RECORD_KEY = "nbgit"

SOURCE = "source"
DELETED = "delete/modify"
ONE_SIDED = "one side only"  # two-way merges: added on one side, or deleted on the other
METADATA = "metadata"
OUTPUTS = "outputs"
CELL = "cell"  # another cell field: cell_type, attachments, ...
TWIN = "twin"  # inserted beside a cell both sides changed: may be one side's version of it
NOTEBOOK = "notebook-metadata"


@dataclass(frozen=True)
class Conflict:
    """An unresolved conflict: ``cell`` is the 0-based index in the merged notebook (None: notebook level).

    ``str()`` numbers cells from 1, as ``nbgit conflicts`` and the messages do.
    """

    cell: int | None
    kind: str
    detail: str = ""

    def __str__(self) -> str:
        where = "notebook" if self.cell is None else f"cell {self.cell + 1}"  # people count from 1
        return f"{where}: {self.kind}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class MergeResult:
    """The merged notebook and its conflicts (empty: a clean merge)."""

    notebook: dict
    conflicts: list[Conflict] = field(default_factory=list)
    #: Automatic choices a person may want to check (one line each, for stderr); not conflicts.
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def merge_notebooks(
    base: dict | None,
    local: dict,
    remote: dict,
    labels: Labels | Sequence[str] | None = None,
    marker_size: int = 7,
    style: str = MERGE,
    outputs: str = "conflict",
    metadata: str = "conflict",
    prefer: str | None = None,
) -> MergeResult:
    """Merge notebooks ``local`` and ``remote``, both descended from ``base``.

    ``base`` None means there is no common ancestor (both sides added the
    file): matched cells are then merged against an empty source, so only
    lines both sides share merge cleanly. ``labels`` name the sides after the
    conflict markers: a :class:`~nbgit.merge.lines.Labels`, or a sequence
    ``(local, remote[, base])``. ``style`` is ``"merge"`` or ``"diff3"``
    (markers also show the base part), as git's ``merge.conflictStyle``.
    nbformat 3 inputs are upgraded to nbformat 4 first (unless they are
    already views, :mod:`nbgit.notebook.v3`).

    ``outputs`` resolves outputs changed differently on both sides of an
    unchanged source: ``"conflict"`` (cleared, recorded), ``"clear"``,
    ``"ours"``, ``"theirs"``. ``metadata`` resolves notebook metadata
    conflicts: ``"conflict"`` (ours kept, recorded), ``"ours"``, ``"theirs"``.
    ``prefer`` (``"ours"``/``"theirs"``) resolves *every* conflict for that
    side, as ``git merge-file --ours/--theirs`` does for lines.
    """
    if prefer not in (None, "ours", "theirs"):
        raise ValueError(f"prefer must be 'ours' or 'theirs', not {prefer!r}")
    labels = _labels(labels)
    local, remote = _v4(local), _v4(remote)
    if prefer is not None:
        outputs = metadata = prefer
    merger = _Merger(labels, marker_size, style, two_way=base is None, outputs=outputs, metadata=metadata, prefer=prefer)
    if base is None:
        base, matches = _two_way_base(local, remote)
        return merger.merge(base, local, remote, matches)
    return merger.merge(_v4(base), local, remote)


def _labels(labels) -> Labels:
    if labels is None:
        return DEFAULT_LABELS
    if isinstance(labels, Labels):
        return labels
    labels = list(labels)
    return Labels(*labels[:3])


def _v4(nb: dict) -> dict:
    if nb.get("nbformat") == 3 and not isinstance(nb.get("cells"), list):  # a v3 view is merged as it is
        from nbgit.notebook.upgrade import upgrade_v3

        # the upgrade's ids come from cell positions, which differ between the sides: not identities
        upgraded = upgrade_v3(nb)
        upgraded["cells"] = [{k: v for k, v in c.items() if k != "id"} for c in upgraded["cells"]]
        return upgraded
    return nb


def _cells(nb: dict) -> list[dict]:
    cells = nb.get("cells")
    return cells if isinstance(cells, list) else []


def _two_way_base(local: dict, remote: dict):
    """A stand-in ancestor for a merge without one: matched cells with empty sources.

    Returns it with the matches of its cells to local's and remote's cells.
    """
    lc, rc = _cells(local), _cells(remote)
    cells = []
    pairs = match_cells(lc, rc)
    for i, _ in pairs:
        cell = {"cell_type": lc[i].get("cell_type", "code"), "metadata": {}, "source": ""}
        if "id" in lc[i]:
            cell["id"] = lc[i]["id"]
        cells.append(cell)
    base = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": local.get("nbformat_minor", 5)}
    return base, ([(k, i) for k, (i, _) in enumerate(pairs)], [(k, j) for k, (_, j) in enumerate(pairs)])


def source_text(cell: dict) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        return "".join(src)
    return src if isinstance(src, str) else ""


def _key(cell: dict) -> tuple:
    return (cell.get("cell_type"), source_text(cell))


def _substance(cell: dict) -> dict:
    """The parts of a cell a person edits (what makes a deleted cell worth keeping)."""
    out = {k: v for k, v in cell.items() if k not in ("outputs", "execution_count", "id")}
    md = out.get("metadata")
    if isinstance(md, dict) and any(k in md for k in DEFAULT_DROP_CELL_METADATA):
        out["metadata"] = {k: v for k, v in md.items() if k not in DEFAULT_DROP_CELL_METADATA}
    return out


class _Merger:
    def __init__(self, labels: Labels, marker_size: int, style: str, two_way: bool = False,
                 outputs: str = "conflict", metadata: str = "conflict", prefer: str | None = None):
        self.two_way = two_way
        self.outputs = outputs
        self.metadata = metadata
        self.prefer = prefer
        self.notes: list[str] = []
        self.labels = labels
        self.marker_size = marker_size
        self.style = style

    # -- the notebook ---------------------------------------------------------------------

    def merge(self, base: dict, local: dict, remote: dict, matches=None) -> MergeResult:
        cells, cell_conflicts = self.merge_cells(_cells(base), _cells(local), _cells(remote), matches)
        conflicts: list[Conflict] = []
        nb_found: list[ValueConflict] = []
        out: dict = {}
        for key in _top_keys(base, local, remote):
            if key == "cells":
                out["cells"] = cells
            elif key == "metadata":
                found: list[ValueConflict] = []
                md = _merge_metadata(base.get("metadata", MISSING), local.get("metadata", MISSING), remote.get("metadata", MISSING), (), found)
                found = [c for c in found if not _transient(c.path, _TRANSIENT_NOTEBOOK)]
                if self.metadata in ("ours", "theirs"):
                    md = _resolve(md, found, self.metadata)
                    found = []
                nb_found += [ValueConflict(("metadata", *c.path), c.base, c.local, c.remote) for c in found]
                out["metadata"] = md
            elif key == "nbformat_minor":
                # never a conflict: the newer format wins when both changed it
                minors = [nb.get(key) for nb in (base, local, remote)]
                b, l, r = (m if isinstance(m, int) and not isinstance(m, bool) else 0 for m in minors)
                out[key] = l if l == r else r if b == l else l if b == r else max(l, r)
            elif key == "nbformat":
                out[key] = 4
            else:
                found = []
                value = merge_value(base.get(key, MISSING), local.get(key, MISSING), remote.get(key, MISSING), (key,), found)
                if found and self.prefer == "theirs":
                    value = remote.get(key, MISSING)
                elif not self.prefer:
                    nb_found += found
                if value is not MISSING:
                    out[key] = value
        out.setdefault("cells", cells)
        out.setdefault("metadata", {})
        if nb_found:
            out["metadata"] = _record(out["metadata"], nb_found, "")
            conflicts += [Conflict(None, NOTEBOOK, ".".join(c.path)) for c in nb_found if c.path[:2] != ("metadata", RECORD_KEY)]
        out.setdefault("nbformat", 4)
        out.setdefault("nbformat_minor", 5)
        _fix_ids(out)
        for index, kinds in cell_conflicts:
            conflicts += [Conflict(index, kind, detail) for kind, detail in kinds]
        conflicts.sort(key=lambda c: (-1 if c.cell is None else c.cell, c.kind, c.detail))
        return MergeResult(out, conflicts, self.notes)

    # -- cells: identity, order, content ---------------------------------------------------

    def merge_cells(self, bc: list[dict], lc: list[dict], rc: list[dict], matches=None):
        nb_, nl = len(bc), len(lc)
        self._next_token = nb_ + nl + len(rc)
        ltok = list(range(nb_, nb_ + nl))  # unmatched local cell i -> nb_ + i
        rtok = list(range(nb_ + nl, nb_ + nl + len(rc)))
        lpairs, rpairs = matches if matches is not None else (match_cells(bc, lc), match_cells(bc, rc))
        for k, i in lpairs:
            ltok[i] = k
        for k, j in rpairs:
            rtok[j] = k
        # Identical insertions share a token (k-th occurrence with k-th occurrence).
        free: dict[tuple, list[int]] = {}
        for i, t in enumerate(ltok):
            if t >= nb_:
                free.setdefault(_key(lc[i]), []).append(t)
        if free:
            for j, t in enumerate(rtok):
                if t >= nb_:
                    ts = free.get(_key(rc[j]))
                    if ts:
                        rtok[j] = ts.pop(0)
        btok = list(range(nb_))
        groups: dict[int, list[dict]] = {}  # anchor token -> the cells of a split or joined group
        absorbed: set[int] = set()  # tokens merged into a group (emitted with its anchor)
        if not self.two_way:
            self.merge_splits(bc, lc, rc, ltok, rtok, groups, absorbed)
        regions = list(merge_regions(btok, ltok, rtok))
        synthetic: dict[int, dict] = {}  # token -> stand-in base cell of two similar insertions
        twins: dict[int, str] = {}  # token of an insertion that may be another version of a paired cell -> side
        both_inserted: list[tuple[list[int], list[int]]] = []
        if not self.two_way and any(region[0] == "conflict" for region in regions):
            before = (list(ltok), list(rtok))
            self.pair_in_regions(nb_, ltok, rtok, bc, lc, rc, regions, synthetic, twins, both_inserted, absorbed | set(groups))
            if (ltok, rtok) != before:
                regions = list(merge_regions(btok, ltok, rtok))
        in_local = {t: i for i, t in enumerate(ltok)}
        in_remote = {t: j for j, t in enumerate(rtok)}

        def survives(t: int) -> bool:
            if t >= nb_:
                return True
            li, ri = in_local.get(t), in_remote.get(t)
            if li is not None and ri is not None:
                return True
            if li is not None:
                return _substance(lc[li]) != _substance(bc[t])
            if ri is not None:
                return _substance(rc[ri]) != _substance(bc[t])
            return False

        order, moved_twice = self.merge_order(regions, btok, ltok, rtok, survives, in_local, in_remote)
        if moved_twice:  # placed differently by the two sides: noted only if both sides really moved it
            moved = []
            for toks in (ltok, rtok):
                pairs = sorted((t, i) for i, t in enumerate(toks) if t < nb_)
                moved.append({t for t, _ in pairs} - in_order(pairs))
            moved_twice = [t for t in moved_twice if t in moved[0] and t in moved[1]]
        cells: list[dict] = []
        conflicts: list[tuple[int, list]] = []
        position: dict[int, int] = {}
        for t in order:
            if t in absorbed:
                continue
            if t in groups:
                position[t] = len(cells)
                cells.extend(groups[t])
                continue
            li, ri = in_local.get(t), in_remote.get(t)
            kinds: list[tuple[str, str]] = []
            base_cell = bc[t] if t < nb_ else synthetic.get(t)
            if base_cell is not None and li is not None and ri is not None:
                cell = self.merge_cell(base_cell, lc[li], rc[ri], kinds)
            elif t < nb_:  # delete/modify
                kept_by_local = li is not None
                cell = lc[li] if kept_by_local else rc[ri]
                if self.prefer:
                    if kept_by_local != (self.prefer == "ours"):
                        continue  # the preferred side deleted it
                else:
                    cell = self.mark_deleted(cell, kept_by_local)
                    kinds.append((DELETED, f"deleted in {self.labels.remote if kept_by_local else self.labels.local}"))
            elif li is not None and ri is not None:
                cell = lc[li]  # the same insertion on both sides
            elif li is not None:
                cell = lc[li]
                if self.two_way and not self.prefer:
                    cell = self.mark_one_sided(cell, True)
                    kinds.append((ONE_SIDED, f"only in {self.labels.local}"))
            else:
                cell = rc[ri]
                if self.two_way and not self.prefer:
                    cell = self.mark_one_sided(cell, False)
                    kinds.append((ONE_SIDED, f"only in {self.labels.remote}"))
            if t in twins and not self.prefer:
                cell = self.mark_twin(cell, twins[t])
                kinds.append((TWIN, f"added in {twins[t]} beside a cell both sides changed"))
            if kinds:
                conflicts.append((len(cells), kinds))
            position[t] = len(cells)
            cells.append(cell)
        self.note_choices(both_inserted, moved_twice, position, twins)
        return cells, conflicts

    def new_token(self) -> int:
        """A token no cell has yet (for stand-ins and the parts of a split)."""
        self._next_token += 1
        return self._next_token - 1

    def note_choices(self, both_inserted, moved_twice, position, twins) -> None:
        """One stderr line per automatic choice a person may want to check (cells numbered from 1)."""
        for ls, rs in both_inserted:
            at_l = [position[t] + 1 for t in ls if t in position and t not in twins]
            at_r = [position[t] + 1 for t in rs if t in position and t not in twins]
            if at_l and at_r:
                self.notes.append(
                    f"both sides inserted different cells at one place: kept both, {self.labels.local} first "
                    f"(cell{'s' if len(at_l) > 1 else ''} {_numbers(at_l)}, then {_numbers(at_r)})"
                )
        for t in moved_twice:
            if t in position:
                self.notes.append(
                    f"both sides moved a cell to different places: it went where {self.labels.local} put it "
                    f"(cell {position[t] + 1})"
                )

    def merge_splits(self, bc, lc, rc, ltok, rtok, groups, absorbed) -> None:
        """Cells split (one base cell -> consecutive cells) or joined (consecutive base cells -> one) by a side.

        A split is found where consecutive cells of one side, around the cell
        matched to a base cell (or in its place), each take most of their
        lines from it and together explain it better than the matched cell
        alone; a join where one cell takes most of the lines of consecutive
        base cells that side no longer has. The group (base cells, local's
        cells, remote's cells, each side's run consecutive) is merged line by
        line with a separator line between cells, so the other side's edits
        are carried across the new cell boundaries; the result is cut at the
        separators. Only a clean line merge is used; otherwise the cells are
        merged as usual (a visible conflict).
        """
        nb_ = len(bc)
        lpos = {t: i for i, t in enumerate(ltok) if t < nb_}
        rpos = {t: j for j, t in enumerate(rtok) if t < nb_}
        found = []  # (bases, local run, remote run)
        for side_cells, toks, pos, other_pos, side in ((lc, ltok, lpos, rpos, "l"), (rc, rtok, rpos, lpos, "r")):
            new_at = {i for i, t in enumerate(toks) if t >= nb_}  # where this side has new cells
            if not new_at and len(pos) == nb_:
                continue  # nothing inserted, nothing gone: no split, no join
            near_new = {j for i in new_at for j in (i - 1, i + 1)}
            before = -1  # position on this side of the last matched base cell before k
            for k in range(nb_):
                at = pos.get(k)
                # cheap tests first: a split needs a new cell beside the matched one (or two where k was),
                # a join a next base cell this side no longer has
                if at is not None and at in near_new or at is None and before + 1 in new_at and before + 2 in new_at:
                    run = _split_run(bc[k], k, side_cells, toks, pos, nb_, before)
                    if run is not None:
                        found.append((side, [k], run))
                        before = max(before, at if at is not None else -1)
                        continue
                if at is not None:
                    before = max(before, at)
                    if k + 1 < nb_ and k + 1 not in pos:
                        bases = _join_run(k, bc, side_cells, pos, nb_)
                        if bases is not None:
                            found.append((side, bases, [at]))
        used_l: set[int] = set()
        used_r: set[int] = set()
        used_b: set[int] = set()
        own = {(side, tuple(bases)): run for side, bases, run in found}
        for side, bases, run in found:
            if used_b & set(bases):
                continue
            lrun = own.get(("l", tuple(bases))) or _other_run(bases, lpos, ltok, nb_)
            rrun = own.get(("r", tuple(bases))) or _other_run(bases, rpos, rtok, nb_)
            if lrun is None or rrun is None or used_l & set(lrun) or used_r & set(rrun):
                continue
            cells = self.merge_group([bc[k] for k in bases], [lc[i] for i in lrun], [rc[j] for j in rrun])
            if cells is None:
                continue
            used_b |= set(bases)
            used_l |= set(lrun)
            used_r |= set(rrun)
            anchor = bases[0]
            for toks, run in ((ltok, lrun), (rtok, rrun)):
                for i in run:
                    if toks[i] == anchor or toks[i] in bases:  # the matcher's pick among the parts
                        toks[i] = self.new_token()
                toks[run[0]] = anchor
                absorbed.update(toks[i] for i in run[1:])
            absorbed.update(bases[1:])
            groups[anchor] = cells
            what = "split" if len(bases) == 1 else "joined"
            texts = [source_text(c) for c in cells]
            if texts == [source_text(lc[i]) for i in lrun] or texts == [source_text(rc[j]) for j in rrun]:
                continue  # one side's cells as they are: nothing carried across
            self.notes.append(f"{'a cell was split into ' + str(len(cells)) + ' cells' if what == 'split' else str(len(bases)) + ' cells were joined'}"
                              " and edited: the edits of both sides were carried across, check the result")

    def merge_group(self, bases: list[dict], lcells: list[dict], rcells: list[dict]) -> list[dict] | None:
        """Line merge of a split/joined group with separator lines; None unless clean."""
        texts = [_joined(cs) for cs in (bases, lcells, rcells)]
        merged, n = merge_lines(*(t for t, _ in texts), labels=self.labels, marker_size=self.marker_size)
        if n:
            return None
        parts: list[list[str]] = [[]]
        for line in merged:
            if line == _SEPARATOR:
                parts.append([])
            else:
                parts[-1].append(line)
        if any(not p for p in parts):
            return None
        # the cells whose fields the result keeps: a side whose cell count it has (local first)
        template = next((cs for cs in (lcells, rcells, bases) if len(cs) == len(parts)), None)
        if template is None:
            return None
        out = []
        for n_part, (cell, lines) in enumerate(zip(template, parts)):
            text = "".join(lines)
            if text.endswith("\n") and not source_text(cell).endswith("\n"):
                text = text[:-1]
            new = {**cell, "source": split_lines(text)}
            if text != source_text(cell) and new.get("cell_type") == "code":
                new["outputs"], new["execution_count"] = [], None  # a new source: no outputs belong to it
            out.append(new)
        return out

    def pair_in_regions(self, nb_, ltok, rtok, bc, lc, rc, regions, synthetic, twins, both_inserted, reserved) -> None:
        """Pair cells a side rewrote beyond recognition with their base cells; pair similar insertions.

        Where both sides changed the same stretch of cells (a conflict region
        of the token merge), for each side the base cells it no longer has are
        aligned, in order, with the cells it inserted there (score: similarity
        whatever the cell types, then position), so that

        * a cell rewritten on both sides is one cell edited on both sides
          (its sources then conflict inside the cell);
        * a rewrite against a deletion is a delete/modify conflict;
        * a rewrite against an edit the matcher recognised is one cell too.

        Insertions of one side left over in such a stretch that look as much
        like the paired base cell as the paired one are *twins*: flagged, since
        either may be that side's version of the cell. Cells inserted by both
        sides and similar to each other (:data:`SIMILAR_INSERTIONS`) become one
        cell merged against an empty stand-in base (an in-cell conflict);
        different ones are both kept (and noted).
        """
        nl = len(lc)
        has_l, has_r = set(ltok), set(rtok)  # a cell moved away is not gone: only cells a side no longer has anywhere
        where = ({t: i for i, t in enumerate(ltok) if t < nb_}, {t: j for j, t in enumerate(rtok) if t < nb_})

        def changed_by(side: str, k: int) -> bool:
            """The other side's view of base cell k: deleted, or edited (then a pairing matters)."""
            toks, cells = (ltok, lc) if side == "l" else (rtok, rc)
            i = where[0 if side == "l" else 1].get(k)
            if i is None or toks[i] != k:
                i = next((n for n, t in enumerate(toks) if t == k), None) if k in (has_l if side == "l" else has_r) else None
            return i is None or _substance(cells[i]) != _substance(bc[k])
        for kind, bpart, lpart, rpart in regions:
            if kind != "conflict":
                continue
            in_l, in_r = set(lpart), set(rpart)
            chosen = {}
            for side, part, has, cells, toks, offset in (("l", lpart, has_l, lc, ltok, nb_), ("r", rpart, has_r, rc, rtok, nb_ + nl)):
                other = "r" if side == "l" else "l"
                # only where the other side changed the cell too (deleted or edited it): a cell the other
                # side kept as it was is simply deleted here, and the new cell is an insertion
                gone = [t for t in bpart if t not in has and t not in reserved and changed_by(other, t)]
                new = [t for t in part if t >= nb_ and t not in (in_r if side == "l" else in_l) and t not in reserved]
                if not gone or not new:
                    continue
                pairs = _align(gone, new, lambda k, t: cell_similarity(bc[k], cells[t - offset], types=False),
                               len(bpart), part)
                for k, t in pairs:
                    toks[t - offset] = k
                    has.add(k)
                chosen[side] = pairs
                paired_new = {t for _, t in pairs}
                for k, t in pairs:
                    best = cell_similarity(bc[k], cells[t - offset], types=False)
                    for u in new:
                        if u not in paired_new and u not in twins:
                            score = cell_similarity(bc[k], cells[u - offset], types=False)
                            if score >= best - 0.05:  # as likely (or as unlikely) a version of k: flag it
                                twins[u] = self.labels.local if side == "l" else self.labels.remote
            # Insertions left on both sides: similar ones become one cell, the others are both kept.
            paired_l = {t for _, t in chosen.get("l", [])}
            paired_r = {t for _, t in chosen.get("r", [])}
            l_new = [t for t in lpart if t >= nb_ and t not in in_r and t not in paired_l and t not in twins and t not in reserved]
            r_new = [t for t in rpart if t >= nb_ and t not in in_l and t not in paired_r and t not in twins and t not in reserved]
            if not l_new or not r_new:
                continue
            lcells = [lc[t - nb_] for t in l_new]
            rcells = [rc[t - nb_ - nl] for t in r_new]
            similar = _similar_pairs(lcells, rcells)
            for a, b in similar:
                token = self.new_token()
                ltok[l_new[a] - nb_] = token
                rtok[r_new[b] - nb_ - nl] = token
                stand_in = {"cell_type": lcells[a].get("cell_type", "code"), "metadata": {}, "source": ""}
                synthetic[token] = stand_in
            left_l = [t for n, t in enumerate(l_new) if n not in {a for a, _ in similar}]
            left_r = [t for n, t in enumerate(r_new) if n not in {b for _, b in similar}]
            if left_l and left_r:
                both_inserted.append((left_l, left_r))

    def merge_order(self, regions, btok, ltok, rtok, survives, in_local, in_remote) -> tuple[list[int], list[int]]:
        """The merged sequence of tokens from the order regions (see the module docstring, step 2).

        Also returns the tokens both sides placed differently (kept where local put them).
        """
        emitted: list[tuple[int, int]] = []  # (token, rank): rank 0 local-sourced, 1 both, 2 remote
        for kind, _b, lpart, rpart in regions:
            if kind in ("same", "both"):
                emitted += [(t, 1) for t in lpart]
            elif kind == "local":
                emitted += [(t, 0) for t in lpart]
            elif kind == "remote":
                emitted += [(t, 2) for t in rpart]
            else:
                for tag, i1, i2, j1, j2 in diff_sequences(lpart, rpart):
                    if tag == "equal":
                        emitted += [(t, 1) for t in lpart[i1:i2]]
                    else:
                        emitted += [(t, 0) for t in lpart[i1:i2]]
                        emitted += [(t, 2) for t in rpart[j1:j2]]
        best: dict[int, tuple[int, int]] = {}  # token -> (rank, position) of the occurrence kept
        twice: set[int] = set()
        for pos, (t, rank) in enumerate(emitted):
            if t in best:
                twice.add(t)
                if best[t][0] <= rank:
                    continue
            best[t] = (rank, pos)
        # placed by local and by remote at different places: local's place wins (noted)
        moved_twice = []
        if twice:
            ranks: dict[int, set[int]] = {}
            for t, rank in emitted:
                if t in twice:
                    ranks.setdefault(t, set()).add(rank)
            moved_twice = [t for t in sorted(twice) if {0, 2} <= ranks[t] and t in in_local and t in in_remote]
        order = [t for pos, (t, _) in enumerate(emitted) if best[t][1] == pos and survives(t)]
        # Surviving tokens no region emitted: cells deleted on one side and edited on the
        # other. They go right after the nearest cell before them on the side that kept them.
        placed = set(order)
        missing = [t for t in btok if t not in placed and survives(t)]
        for t in missing:
            side, seq = (ltok, in_local) if t in in_local else (rtok, in_remote)
            anchor = None
            for p in range(seq[t] - 1, -1, -1):
                if side[p] in placed:
                    anchor = side[p]
                    break
            at = 0 if anchor is None else order.index(anchor) + 1
            order.insert(at, t)
            placed.add(t)
        return order, moved_twice

    def mark_deleted(self, cell: dict, kept_by_local: bool) -> dict:
        keeper, deleter = (self.labels.local, self.labels.remote) if kept_by_local else (self.labels.remote, self.labels.local)
        line = (
            f"{'<' * self.marker_size} nbgit: deleted in {deleter or 'one side'}, modified in {keeper or 'the other'}; "
            "delete this line to keep the cell, or delete the cell\n"
        )
        return {**cell, "source": [line, *split_lines(source_text(cell))]}

    def mark_twin(self, cell: dict, side: str) -> dict:
        line = (
            f"{'<' * self.marker_size} nbgit: added in {side or 'one side'} beside a cell both sides changed; "
            "it may be that side's version of it: compare, then delete this line (or the cell)\n"
        )
        return {**cell, "source": [line, *split_lines(source_text(cell))]}

    def mark_one_sided(self, cell: dict, in_local: bool) -> dict:
        here, there = (self.labels.local, self.labels.remote) if in_local else (self.labels.remote, self.labels.local)
        line = (
            f"{'<' * self.marker_size} nbgit: only in {here or 'one side'} (added there, or deleted in {there or 'the other'}); "
            "delete this line to keep the cell, or delete the cell\n"
        )
        return {**cell, "source": [line, *split_lines(source_text(cell))]}

    def merge_cell(self, b: dict, l: dict, r: dict, kinds: list) -> dict:
        if l == r or b == r:
            return l
        if b == l:
            return r
        out: dict = {}
        found: list[ValueConflict] = []
        source_from = None  # the side whose source the result has: "l", "r" or None (merged)
        for key in _key_order(b, l, r):
            bv, lv, rv = b.get(key, MISSING), l.get(key, MISSING), r.get(key, MISSING)
            if key == "source":
                lt, rt = source_text(l), source_text(r)
                bt = source_text(b)
                if lt == rt or bt == rt:
                    value, source_from = lv, "l"
                elif bt == lt:
                    value, source_from = rv, "r"
                else:
                    lines, n = merge_lines(
                        split_lines(bt), split_lines(lt), split_lines(rt),
                        labels=self.labels, marker_size=self.marker_size, style=self.style, favor=self.prefer,
                    )
                    value = lines
                    if n:
                        kinds.append((SOURCE, f"{n} conflicting region{'s' if n > 1 else ''}"))
                out[key] = value
            elif key in ("outputs", "execution_count"):
                continue  # after the source is known
            elif key == "id":
                value = merge_value(bv, lv, rv, (key,), [])  # an id never conflicts: local wins
                if value is not MISSING:
                    out[key] = value
            elif key == "metadata":
                value = _merge_metadata(bv, lv, rv, (key,), found)
                if value is not MISSING:
                    out[key] = value
            else:
                value = merge_value(bv, lv, rv, (key,), found)
                if value is not MISSING:
                    out[key] = value
        if "outputs" in l or "outputs" in r or "execution_count" in l or "execution_count" in r:
            self.merge_outputs(b, l, r, out, source_from, kinds)
        _conform(out)
        found = [c for c in found if not _transient(c.path, _TRANSIENT_CELL)]
        if found and self.prefer:
            out = _resolve(out, found, self.prefer)
            found = []
        if found:
            for c in found:
                if c.path[0] == "metadata":
                    kinds.append((METADATA, ".".join(c.path)))
                else:
                    kinds.append((CELL, ".".join(c.path)))
            out["metadata"] = _record(out.get("metadata", {}), found, "")
        return out

    def merge_outputs(self, b, l, r, out, source_from, kinds) -> None:
        bo, lo, ro = (_outputs_key(c.get("outputs", MISSING)) for c in (b, l, r))
        if lo == ro or bo == ro:
            take = l
        elif bo == lo:
            take = r
        elif not self.two_way and (
            source_from == "l" and source_text(l) != source_text(b) or source_from == "r" and source_text(r) != source_text(b)
        ):
            take = l if source_from == "l" else r  # outputs follow the source they were made from
        elif source_from is None:
            take = None  # merged source: no side's outputs belong to it
        elif (fine := _merge_outputs_fine(b.get("outputs"), l.get("outputs"), r.get("outputs"))) is not None:
            out["outputs"] = fine
            if "execution_count" in l or "execution_count" in r:
                out["execution_count"] = l.get("execution_count")
            return
        elif self.outputs in ("ours", "theirs", "clear"):
            take = l if self.outputs == "ours" else r if self.outputs == "theirs" else None
        else:
            take = None
            kinds.append((OUTPUTS, "changed on both sides; cleared, re-run the cell"))
            outputs = l.get("outputs", MISSING)
            entry = ValueConflict(
                ("outputs",),
                MISSING,
                f"{len(outputs)} outputs (cleared)" if isinstance(outputs, list) else MISSING,
                f"{len(r['outputs'])} outputs (cleared)" if isinstance(r.get("outputs"), list) else MISSING,
            )
            out["metadata"] = _record(out.get("metadata", {}), [entry], "")
        if take is None:
            if "outputs" in l or "outputs" in r:
                out["outputs"] = []
            if "execution_count" in l or "execution_count" in r:
                out["execution_count"] = None
            return
        for key in ("outputs", "execution_count"):
            if key in take:
                out[key] = take[key]
            elif key in l or key in r:
                out[key] = [] if key == "outputs" else None


def _align(gone: list[int], new: list[int], score, base_len: int, part: list[int]) -> list[tuple[int, int]]:
    """Order-preserving pairs of ``gone`` base tokens and ``new`` tokens with the largest total score.

    Every pair scores 1 (as many pairs as possible), plus its similarity, plus
    a little for a similar relative position in the region (a rewrite stays in
    place; an insertion beside it does not take its place).
    """
    n, m = len(gone), len(new)
    if n * m > 4096:  # a large rewritten stretch: in order, no scoring (bounded cost)
        return list(zip(gone, new))
    pos = {t: i for i, t in enumerate(part)}

    def rel(i: int, size: int) -> float:
        return 0.5 if size <= 1 else i / (size - 1)

    def pair_score(a: int, b: int) -> float:
        closeness = 1.0 - abs(rel(a, n) - rel(pos[new[b]], len(part)))
        return 1.0 + score(gone[a], new[b]) + 0.1 * closeness

    # DP over (a, b): best total using gone[:a] and new[:b]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(1, n + 1):
        for b in range(1, m + 1):
            best[a][b] = max(best[a - 1][b], best[a][b - 1], best[a - 1][b - 1] + pair_score(a - 1, b - 1))
    pairs = []
    a, b = n, m
    while a and b:
        if best[a][b] == best[a - 1][b]:
            a -= 1
        elif best[a][b] == best[a][b - 1]:
            b -= 1
        else:
            pairs.append((gone[a - 1], new[b - 1]))
            a, b = a - 1, b - 1
    return pairs[::-1]


#: The line put between the cells of a split/joined group for the line merge.
_SEPARATOR = "\x00nbgit cell boundary\x00\n"


def _joined(cells: list[dict]) -> tuple[list[str], None]:
    lines: list[str] = []
    for n, cell in enumerate(cells):
        if n:
            lines.append(_SEPARATOR)
        part = split_lines(source_text(cell))
        if part and not part[-1].endswith("\n"):
            part[-1] += "\n"
        lines += part
    return lines, None


def _content_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _covered(part: list[str], whole) -> float:
    """Share of ``part``'s lines found in the multiset ``whole`` (a Counter)."""
    if not part:
        return 0.0
    from collections import Counter

    have = Counter(part)
    return sum(min(c, whole.get(line, 0)) for line, c in have.items()) / len(part)


def _dice_lines(a: list[str], b: list[str]) -> float:
    from collections import Counter

    if not a or not b:
        return 0.0
    ca, cb = Counter(a), Counter(b)
    return 2.0 * sum(min(c, cb.get(x, 0)) for x, c in ca.items()) / (len(a) + len(b))


def _split_run(base: dict, k: int, cells: list[dict], toks: list[int], pos: dict, nb_: int, before: int) -> list[int] | None:
    """Indices of consecutive ``cells`` that are base cell ``k`` split in two or more, or None.

    ``before``: this side's position of the last matched base cell before ``k``.
    """
    from collections import Counter

    if k in pos:
        start = end = pos[k]
        # cheap test first: a split needs a new cell next to the matched one
        if not any(0 <= i < len(cells) and toks[i] >= nb_ for i in (start - 1, start + 1)):
            return None
    else:  # k unmatched: the new cells where it was (after its matched predecessor)
        start = end = before + 1
        if start >= len(cells) or toks[start] < nb_ or start + 1 >= len(cells) or toks[start + 1] < nb_:
            return None
    blines = _content_lines(source_text(base))
    if len(blines) < 2:
        return None
    whole = Counter(blines)
    if k not in pos and _covered(_content_lines(source_text(cells[start])), whole) < 0.5:
        return None
    def fits(i: int) -> bool:
        return 0 <= i < len(cells) and toks[i] >= nb_ and _covered(_content_lines(source_text(cells[i])), whole) >= 0.5

    while fits(end + 1):
        end += 1
    while fits(start - 1):
        start -= 1
    if end == start:
        return None
    run = list(range(start, end + 1))
    joined = [line for i in run for line in _content_lines(source_text(cells[i]))]
    alone = _dice_lines(blines, _content_lines(source_text(cells[pos[k]]))) if k in pos else 0.0
    together = _dice_lines(blines, joined)
    return run if together >= 0.5 and together > alone else None


def _join_run(k: int, bc: list[dict], cells: list[dict], pos: dict, nb_: int) -> list[int] | None:
    """Consecutive base cells from ``k`` that this side joined into its cell matched to ``k``, or None."""
    from collections import Counter

    if k not in pos or k + 1 >= nb_ or k + 1 in pos:
        return None
    cell = cells[pos[k]]
    whole = Counter(_content_lines(source_text(cell)))
    bases = [k]
    nxt = k + 1
    while nxt < nb_ and nxt not in pos and _covered(_content_lines(source_text(bc[nxt])), whole) >= 0.5:
        bases.append(nxt)
        nxt += 1
    if len(bases) < 2:
        return None
    joined = [line for t in bases for line in _content_lines(source_text(bc[t]))]
    clines = _content_lines(source_text(cell))
    if _dice_lines(clines, joined) < 0.5 or _dice_lines(clines, joined) <= _dice_lines(clines, _content_lines(source_text(bc[k]))):
        return None
    return bases


def _other_run(bases: list[int], pos: dict, toks: list[int], nb_: int) -> list[int] | None:
    """The other side's cells of a group: its cells of ``bases``, consecutive, or a split run of its own."""
    if not all(k in pos for k in bases):
        return None
    run = [pos[k] for k in bases]
    if run != list(range(run[0], run[0] + len(run))):
        return None
    return run


#: Two cells inserted at one place by both sides at least this similar are one cell (in conflict).
SIMILAR_INSERTIONS = 0.6


def _similar_pairs(lcells: list[dict], rcells: list[dict]) -> list[tuple[int, int]]:
    """In-order pairs of cells (one per side) at least :data:`SIMILAR_INSERTIONS` alike, best first."""
    if len(lcells) * len(rcells) > 4096:  # bounded cost: large insertions on both sides are all kept
        return []
    scored = sorted(
        ((cell_similarity(x, y), a, b) for a, x in enumerate(lcells) for b, y in enumerate(rcells)),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    pairs: list[tuple[int, int]] = []
    for score, a, b in scored:
        if score < SIMILAR_INSERTIONS:
            break
        if all(a != x and b != y and (a < x) == (b < y) for x, y in pairs):
            pairs.append((a, b))
    return sorted(pairs)


def _numbers(ns: list[int]) -> str:
    return ", ".join(map(str, ns))


def _merge_metadata(b, l, r, path: tuple[str, ...], found: list[ValueConflict]):
    """Merge metadata objects; nbgit's own conflict records merge as a set.

    Records present on one side only stay (an unresolved conflict committed on
    one branch is not forgotten); records removed on one side (resolved) go.
    """
    if not (isinstance(l, dict) and isinstance(r, dict) and (b is MISSING or isinstance(b, dict))):
        return merge_value(b, l, r, path, found)
    b = b if isinstance(b, dict) else {}
    recs = [_records_of(x) for x in (b, l, r)]
    if recs[1] is None or recs[2] is None or recs[0] is None:  # an odd nbgit entry: no special treatment
        return merge_dicts(b, l, r, path, found)
    strip = lambda d: {k: v for k, v in d.items() if k != RECORD_KEY}  # noqa: E731
    md = merge_dicts(strip(b), strip(l), strip(r), path, found)
    import json

    keys = [[json.dumps(x, sort_keys=True) for x in rs] for rs in recs]
    kb, kl, kr = keys
    removed = (set(kb) - set(kl)) | (set(kb) - set(kr))
    merged_keys = [k for k in dict.fromkeys([*kl, *kr]) if k not in removed]
    if not merged_keys:  # nothing left to record: the entry merges like any value (local wins)
        entry = merge_value(b.get(RECORD_KEY, MISSING), l.get(RECORD_KEY, MISSING), r.get(RECORD_KEY, MISSING), (), [])
        if entry is not MISSING:
            md[RECORD_KEY] = entry
        return md
    ours = {k: v for k, v in l.get(RECORD_KEY, r.get(RECORD_KEY, {})).items() if k != "conflicts"}
    ours["conflicts"] = [json.loads(k) for k in merged_keys]
    md[RECORD_KEY] = ours
    return md


def _resolve(value: dict, found: list[ValueConflict], side: str) -> dict:
    """``value`` with each conflict of ``found`` (paths relative to it) resolved for ``side``."""
    if side != "theirs" or not found:
        return value  # a conflict already keeps ours
    out = _copy_dicts(value)
    for c in found:
        node = out
        for key in c.path[:-1]:
            nxt = node.get(key)
            if not isinstance(nxt, dict):
                nxt = node[key] = {}
            node = nxt
        if c.remote is MISSING:
            node.pop(c.path[-1], None)
        else:
            node[c.path[-1]] = c.remote
    return out


def _copy_dicts(value):
    return {k: _copy_dicts(v) for k, v in value.items()} if isinstance(value, dict) else value


def _records_of(md: dict) -> list | None:
    """nbgit's conflict records in ``md`` ([] if none), or None when the entry has an unexpected shape."""
    entry = md.get(RECORD_KEY, {})
    if not isinstance(entry, dict):
        return None
    records = entry.get("conflicts", [])
    return records if isinstance(records, list) else None


#: Metadata the clean filter strips by default: it never conflicts (local's value is kept).
_TRANSIENT_NOTEBOOK = tuple(tuple(p.split(".")) for p in DEFAULT_DROP_NOTEBOOK_METADATA)
_TRANSIENT_CELL = tuple(("metadata", *p.split(".")) for p in DEFAULT_DROP_CELL_METADATA)


def _transient(path: tuple[str, ...], transient: tuple[tuple[str, ...], ...]) -> bool:
    return any(path[: len(t)] == t for t in transient)


def _conform(cell: dict) -> None:
    """Fields as the schema wants them for the merged ``cell_type`` (one side may have changed it)."""
    if cell.get("cell_type") == "code":
        cell.pop("attachments", None)
        if not isinstance(cell.get("outputs"), list):
            cell["outputs"] = []
        if "execution_count" not in cell:
            cell["execution_count"] = None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def _merge_outputs_fine(bo, lo, ro) -> list | None:
    """Output by output, key by key (stream text line by line); None unless that is clean."""
    if not (isinstance(bo, list) and isinstance(lo, list) and isinstance(ro, list)):
        return None
    if not len(bo) == len(lo) == len(ro):
        return None
    found: list[ValueConflict] = []
    merged = [merge_value(x, y, z, (), found) for x, y, z in zip(bo, lo, ro)]
    return None if found or MISSING in merged else merged


def _outputs_key(outputs):
    """Outputs compared without their execution counts (those change on every run)."""
    if not isinstance(outputs, list):
        return outputs
    return [
        {k: v for k, v in o.items() if k not in ("execution_count", "prompt_number")} if isinstance(o, dict) else o
        for o in outputs
    ]


def _dict(x: Any) -> dict:
    return x if isinstance(x, dict) else {}


def _key_order(b: dict, l: dict, r: dict) -> list:
    keys = list(l)
    seen = set(keys)
    for key in (*r, *b):
        if key not in seen:
            keys.append(key)
            seen.add(key)
    return keys


def _top_keys(base: dict, local: dict, remote: dict) -> list:
    return _key_order(base, local, remote)


def _record(metadata: dict, found: list[ValueConflict], prefix: str) -> dict:
    """A copy of ``metadata`` with the conflicts appended to ``metadata.nbgit.conflicts``.

    Nothing is dropped on the way: metadata that is not an object, or an
    ``nbgit`` entry that is not one, is kept inside the record.
    """
    records: list = []
    if isinstance(metadata, dict):
        md = dict(metadata)
    else:
        md = {}
        if metadata is not None:
            records.append({"path": "metadata (not an object)", "local": metadata})
    current = md.get(RECORD_KEY)
    ours = dict(current) if isinstance(current, dict) else ({} if current is None else {"value": current})
    existing = ours.get("conflicts")
    if isinstance(existing, list):
        records = [*existing, *records]
    elif existing is not None:
        records.insert(0, {"path": "nbgit.conflicts (not a list)", "local": existing})
    records += [c.record(prefix) for c in found if RECORD_KEY not in c.path[:2]]
    ours["conflicts"] = records
    md[RECORD_KEY] = ours
    return md


def _fix_ids(nb: dict) -> None:
    """Cell ids: present and unique for nbformat >= 4.5, absent before (both as the schema wants).

    A duplicate keeps its id on its first occurrence; later ones get an id
    derived from the old id and the cell position (deterministic).
    """
    cells = nb["cells"]
    minor = nb.get("nbformat_minor")
    if not isinstance(minor, int) or minor < 5:
        if any("id" in c for c in cells):
            nb["cells"] = [{k: v for k, v in c.items() if k != "id"} for c in cells]
        return
    seen: set[str] = set()
    for c in cells:
        cid = c.get("id")
        if isinstance(cid, str) and _valid_id(cid) and cid not in seen:
            seen.add(cid)
    used: set[str] = set()
    for index, c in enumerate(cells):
        cid = c.get("id")
        if isinstance(cid, str) and _valid_id(cid) and cid not in used:
            used.add(cid)
            continue
        seed = f"{cid}\0{index}\0{source_text(c)}"
        new = hashlib.sha1(seed.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        while new in seen or new in used:
            new = hashlib.sha1(new.encode()).hexdigest()[:8]
        used.add(new)
        cells[index] = {**c, "id": new}


_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _valid_id(cid: str) -> bool:
    """nbformat 4.5: 1-64 characters of letters, digits, ``-`` and ``_``."""
    return _ID_RE.fullmatch(cid) is not None


__all__ = ["merge_notebooks", "MergeResult", "Conflict", "SOURCE", "DELETED", "ONE_SIDED", "TWIN", "METADATA", "OUTPUTS", "CELL", "NOTEBOOK"]
