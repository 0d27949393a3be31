"""Match the cells read from a text file to the cells of the notebook they came from (pure).

When the text side of a pair is carried over to the notebook, every text cell
that corresponds to a notebook cell keeps that cell's id, outputs, execution
count, attachments and the metadata the text does not show. Matching:

1. *anchors*: cells equal in type and source, aligned in order
   (:class:`difflib.SequenceMatcher` over ``(type, source)`` keys, no autojunk);
2. inside each gap between anchors, an edited cell is matched to the most
   similar cell of the same type in the notebook's gap, keeping order, when
   the similarity ratio is at least :data:`MIN_RATIO`; a gap where both sides
   have the same number of cells with the same types is matched position by
   position (a cell rewritten beyond recognition still keeps its id).

Gaps larger than :data:`MAX_GAP_PAIRS` (text cells x notebook cells) skip the
similarity step and are matched by position only, so no input costs O(n*m)
ratio computations.
"""

from __future__ import annotations

from difflib import SequenceMatcher

MIN_RATIO = 0.5
MAX_GAP_PAIRS = 2500

Key = tuple  # (cell_type, source)


def match_cells(text_cells: list[Key], nb_cells: list[Key]) -> list[int | None]:
    """For each text cell, the index of its notebook cell, or None for a new cell. Order is preserved."""
    result: list[int | None] = [None] * len(text_cells)
    sm = SequenceMatcher(None, nb_cells, text_cells, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                result[j1 + k] = i1 + k
        elif tag == "replace":
            for j, i in _match_gap(text_cells[j1:j2], nb_cells[i1:i2]):
                result[j1 + j] = i1 + i
    return result


def _match_gap(text: list[Key], nb: list[Key]) -> list[tuple[int, int]]:
    if len(text) == len(nb) and all(t[0] == n[0] for t, n in zip(text, nb)):
        return [(k, k) for k in range(len(text))]
    if len(text) * len(nb) > MAX_GAP_PAIRS:
        return [(k, k) for k in range(min(len(text), len(nb))) if text[k][0] == nb[k][0]]
    pairs = []
    start = 0
    for j, (ttype, tsrc) in enumerate(text):
        best, best_ratio = None, MIN_RATIO
        for i in range(start, len(nb)):
            ntype, nsrc = nb[i]
            if ntype != ttype:
                continue
            sm = SequenceMatcher(None, nsrc, tsrc, autojunk=False)
            if sm.real_quick_ratio() < best_ratio or sm.quick_ratio() < best_ratio:
                continue
            ratio = sm.ratio()
            if ratio >= best_ratio and (best is None or ratio > best_ratio):
                best, best_ratio = i, ratio
        if best is not None:
            pairs.append((j, best))
            start = best + 1
    return pairs
