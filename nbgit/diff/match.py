"""Cell matching: which cell of notebook ``a`` became which cell of ``b``.

:func:`match_cells` pairs cells in five passes, cheapest and surest first, so
that the expensive similarity pass only ever sees the few cells left over:

1. **Equal cells, in order.** Every cell is reduced to a key, the hash of its
   ``cell_type`` and source text. The two key sequences are aligned by the
   sequence diff of :mod:`nbgit.diff.sequence` (prefix/suffix stripping,
   patience anchors on keys unique to both sides, Myers' O(ND) diff inside
   the gaps, histogram-style anchors when a gap is large and has no unique
   key). Matching cells by content means notebooks without ids, or with
   regenerated ids, align just as well as notebooks with stable ids.
2. **Equal cells, out of order (moves).** Cells whose key is still unmatched
   on both sides are paired, k-th occurrence with k-th occurrence. Linear.
3. **Cell ids.** Still-unmatched cells with the same ``id`` on both sides
   (unique on each side) are paired: an edited cell keeps its id, even when
   it also moved. Linear.
4. **Similarity inside the gaps.** The matched pairs that keep their order
   (the longest increasing run of b-indices, by patience sorting) cut both
   notebooks into gaps. Inside each gap, cells of ``a`` and ``b`` are scored
   by the Dice coefficient of the word multisets of their sources (a
   different cell type costs a factor of 0.8; different ids cost a factor of
   0.6 when the notebook's equal cells kept their ids, i.e. ids are reliable
   there rather than regenerated), and the in-order chain of candidate pairs
   with the largest total score is kept (a sparse weighted LCS, O(K log K)
   with a Fenwick tree over K candidates). Pairs
   scoring below :data:`SIMILARITY_THRESHOLD` are never matched: such cells
   are reported as a deletion plus an insertion.
5. **Edited and moved cells.** If few cells are still unmatched (at most
   :data:`LEFTOVER_LIMIT` combinations), the most similar leftover pairs above
   :data:`LEFTOVER_THRESHOLD` are matched wherever they are (greedy, best
   first): a cell both moved and edited in a notebook without ids.

**The bound.** A gap of ``n`` a-cells and ``m`` b-cells with ``n * m <=``
:data:`FULL_COMPARE_LIMIT` compares every pair. A larger gap compares each
cell of the longer side only with the ``2 * WINDOW + 1`` cells of the other
side nearest to its proportional position, so a gap costs at most
``(2 * WINDOW + 1) * max(n, m)`` similarity calls, and the whole pass
``O(WINDOW * (N + M))`` calls, never ``O(n * m)``; pass 5 adds at most
:data:`LEFTOVER_LIMIT` calls. Each similarity call is linear in the two
sources (token multisets are computed once per cell). Outputs take no part in
matching: they are compared only for the final pairs.

Result: pairs ``(i, j)`` sorted by ``i``; each index appears at most once.
Unmatched cells of ``a`` are deletions, unmatched cells of ``b`` insertions;
matched pairs outside the longest increasing run (:func:`in_order`) are moves.
The result is deterministic: nothing depends on set or hash-seed iteration order.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter

from nbgit.diff.model import source_text
from nbgit.diff.sequence import longest_increasing_run, matching_blocks

#: Minimum similarity (0..1) for two different cells to count as one cell edited.
SIMILARITY_THRESHOLD = 0.5
#: Gaps with at most this many (a-cell, b-cell) combinations are compared exhaustively.
FULL_COMPARE_LIMIT = 1024
#: Otherwise each cell is compared with this many neighbours on each side of its position.
WINDOW = 16
#: Cells left unmatched anywhere are compared pairwise only up to this many combinations ...
LEFTOVER_LIMIT = 4096
#: ... and paired (as edited and moved) only above this similarity, with at least this many tokens.
LEFTOVER_THRESHOLD = 0.7
LEFTOVER_MIN_TOKENS = 3
#: Similarity factor for two cells with different ids, when the notebook's ids are reliable.
ID_PENALTY = 0.6
#: Similarity factor applied when the cell types differ.
CELL_TYPE_PENALTY = 0.8

_WORD_RE = re.compile(r"\w+")
_CHAR_RE = re.compile(r"\S")


def cell_key(cell: dict) -> tuple[str, str]:
    """What makes two cells "the same cell" for anchoring: type and source text."""
    ctype = cell.get("cell_type")
    return (ctype if isinstance(ctype, str) else "", source_text(cell))


def _keys(cells: list[dict]) -> list[tuple]:
    """:func:`cell_key` of every cell (inlined: this runs once per cell of both notebooks)."""
    out = []
    append = out.append
    for cell in cells:
        src = cell.get("source", "")
        if type(src) is not str:
            src = source_text(cell)
        ctype = cell.get("cell_type")
        append((ctype if type(ctype) is str else "", src))
    return out


def match_cells(a: list[dict], b: list[dict]) -> list[tuple[int, int]]:
    """Matched cell pairs ``(index in a, index in b)``, sorted by a-index (see the module docstring)."""
    ka = _keys(a)
    kb = _keys(b)
    a_to_b: dict[int, int] = {}

    # 1. equal cells, in order
    for i, j, size in matching_blocks(ka, kb):
        for t in range(size):
            a_to_b[i + t] = j + t
    if len(a_to_b) == min(len(a), len(b)):
        return sorted(a_to_b.items())
    b_used = set(a_to_b.values())
    free_a = [i for i in range(len(a)) if i not in a_to_b]
    free_b = [j for j in range(len(b)) if j not in b_used]

    # 2. equal cells, out of order
    by_key: dict[tuple[str, str], list[int]] = {}
    for j in free_b:
        by_key.setdefault(kb[j], []).append(j)
    taken: dict[tuple[str, str], int] = {}
    for i in free_a:
        k = ka[i]
        js = by_key.get(k)
        if js is not None:
            t = taken.get(k, 0)
            if t < len(js):
                a_to_b[i] = js[t]
                taken[k] = t + 1
    if taken:
        free_a, free_b = _still_free(free_a, free_b, a_to_b)

    ids_reliable = _ids_reliable(a, b, a_to_b)

    # 3. cell ids
    if free_a and free_b:
        ids_b = _unique_ids(b, free_b)
        if ids_b:
            found = False
            for cid, i in _unique_ids(a, free_a).items():
                j = ids_b.get(cid)
                if j is not None:
                    a_to_b[i] = j
                    found = True
            if found:
                free_a, free_b = _still_free(free_a, free_b, a_to_b)

    # 4. similarity inside the gaps left between in-order pairs
    cache: dict = {}
    if free_a and free_b:
        gap_pairs = _match_gaps(a, b, a_to_b, free_a, free_b, cache, ids_reliable)
        if gap_pairs:
            a_to_b.update(gap_pairs)
            free_a, free_b = _still_free(free_a, free_b, a_to_b)

    # 5. edited *and* moved cells, when few cells are left over
    if free_a and free_b:
        a_to_b.update(_match_leftovers(a, b, free_a, free_b, cache, ids_reliable))

    return sorted(a_to_b.items())


def _still_free(free_a: list[int], free_b: list[int], a_to_b: dict[int, int]) -> tuple[list[int], list[int]]:
    used_b = {a_to_b[i] for i in free_a if i in a_to_b}
    return [i for i in free_a if i not in a_to_b], [j for j in free_b if j not in used_b]


def in_order(pairs: list[tuple[int, int]], equal: list[bool] | None = None) -> set[int]:
    """The a-indices of the pairs that keep their order; the other pairs are moves.

    That is a longest increasing run of the b-indices (``pairs`` sorted by
    a-index). With ``equal`` (one flag per pair: the two cells are equal), ties
    between runs of the same length go to the run with more equal cells, so an
    edited cell is reported as the one that moved rather than an unchanged one.
    """
    keep = longest_increasing_run([j for _, j in pairs], equal)
    return {pairs[k][0] for k in keep}


def _unique_ids(cells: list[dict], free: list[int]) -> dict[str, int]:
    """id -> index for the ``free`` cells whose id no other free cell shares (in index order)."""
    seen: dict[str, int] = {}
    dup: set[str] = set()
    for idx in free:
        cid = cells[idx].get("id")
        if not isinstance(cid, str) or not cid:
            continue
        if cid in seen:
            dup.add(cid)
        else:
            seen[cid] = idx
    return {cid: idx for cid, idx in seen.items() if cid not in dup}


def _ids_reliable(a, b, a_to_b: dict[int, int]) -> bool:
    """Do equal cells keep their ids here? (Not when ids were regenerated, or are absent.)"""
    with_ids = same = 0
    for seen, (i, j) in enumerate(a_to_b.items()):
        if seen == 1024 and not with_ids:
            break
        x, y = a[i].get("id"), b[j].get("id")
        if isinstance(x, str) and isinstance(y, str):
            with_ids += 1
            same += x == y
            if with_ids == 256:  # a sample is enough to tell kept ids from regenerated ones
                break
    return with_ids > 0 and 2 * same >= with_ids


def _match_leftovers(a, b, left_a: list[int], left_b: list[int], cache, ids_reliable) -> list[tuple[int, int]]:
    """Pair cells left over anywhere that are very similar (edited and moved), best pairs first.

    Only when ``len(left_a) * len(left_b) <= LEFTOVER_LIMIT``: a bounded number of calls.
    """
    if len(left_a) * len(left_b) > LEFTOVER_LIMIT:
        return []
    profiles_b = [(j, _profile(b[j], "b", j, cache)) for j in left_b]
    profiles_b = [(j, pb) for j, pb in profiles_b if pb[1] >= LEFTOVER_MIN_TOKENS]
    scored = []
    for i in left_a:
        pa = _profile(a[i], "a", i, cache)
        na = pa[1]
        if na < LEFTOVER_MIN_TOKENS:
            continue
        for j, pb in profiles_b:
            if ids_reliable and pa[3] is not None and pb[3] is not None and pa[3] != pb[3]:
                continue  # ID_PENALTY < LEFTOVER_THRESHOLD: two cells with their own ids never pair here
            nb = pb[1]
            if 2 * min(na, nb) < LEFTOVER_THRESHOLD * (na + nb):
                continue  # the sizes alone keep the Dice coefficient below the threshold
            s = similarity(pa, pb, ids_reliable)
            if s >= LEFTOVER_THRESHOLD:
                scored.append((-s, i, j))
    scored.sort()
    out = []
    taken_a: set[int] = set()
    taken_b: set[int] = set()
    for _, i, j in scored:
        if i not in taken_a and j not in taken_b:
            taken_a.add(i)
            taken_b.add(j)
            out.append((i, j))
    return out


def _match_gaps(a, b, a_to_b: dict[int, int], free_a: list[int], free_b: list[int], cache: dict,
                ids_reliable: bool) -> list[tuple[int, int]]:
    pairs = sorted(a_to_b.items())
    spine = [pairs[k] for k in longest_increasing_run([j for _, j in pairs])]
    spine_a = [i for i, _ in spine]
    spine_b = [j for _, j in spine]
    # gap g lies between spine[g-1] and spine[g]; only gaps holding free cells on both sides matter
    gaps_a: dict[int, list[int]] = {}
    for i in free_a:
        gaps_a.setdefault(bisect_left(spine_a, i), []).append(i)
    gaps_b: dict[int, list[int]] = {}
    for j in free_b:
        g = bisect_left(spine_b, j)
        if g in gaps_a:
            gaps_b.setdefault(g, []).append(j)
    out: list[tuple[int, int]] = []
    for g, ga in gaps_a.items():
        gb = gaps_b.get(g)
        if gb:
            out += _match_gap(a, b, ga, gb, cache, ids_reliable)
    return out


def _profile(cell: dict, side: str, idx: int, cache: dict) -> tuple:
    key = (side, idx)
    prof = cache.get(key)
    if prof is None:
        text = source_text(cell)
        toks = Counter(_WORD_RE.findall(text) or _CHAR_RE.findall(text))
        ctype = cell.get("cell_type")
        cid = cell.get("id")
        prof = (toks, sum(toks.values()), ctype if isinstance(ctype, str) else "", cid if isinstance(cid, str) else None)
        cache[key] = prof
    return prof


def similarity(x: tuple, y: tuple, ids_reliable: bool = False) -> float:
    """Dice coefficient of the word multisets of two sources (1.0 for two empty sources).

    Sources without any word are compared by their non-blank characters. Times
    :data:`CELL_TYPE_PENALTY` when the cell types differ, and times
    :data:`ID_PENALTY` when ``ids_reliable`` and both cells have different ids.
    """
    tx, nx, cx, ix = x
    ty, ny, cy, iy = y
    if nx == 0 and ny == 0:
        score = 1.0
    elif nx == 0 or ny == 0:
        return 0.0
    else:
        if len(tx) > len(ty):
            tx, ty = ty, tx
        common = 0
        for tok, c in tx.items():
            d = ty.get(tok)
            if d:
                common += c if c < d else d
        score = 2.0 * common / (nx + ny)
    if cx != cy:
        score *= CELL_TYPE_PENALTY
    if ids_reliable and ix is not None and iy is not None and ix != iy:
        score *= ID_PENALTY
    return score


def cell_similarity(x: dict, y: dict, types: bool = True) -> float:
    """:func:`similarity` of two cells (their ids ignored); ``types`` False: whatever their cell types."""
    px, py = _profile(x, "a", 0, {}), _profile(y, "b", 0, {})
    if not types:
        py = (py[0], py[1], px[2], None)
    return similarity(px[:3] + (None,), py[:3] + (None,))


def _candidates(n: int, m: int):
    """(ia, ib) index pairs to score in an n x m gap, at most (2*WINDOW+1)*max(n, m) of them."""
    if n * m <= FULL_COMPARE_LIMIT:
        for x in range(n):
            for y in range(m):
                yield x, y
        return
    if n >= m:
        for x in range(n):
            c = (x * m) // n
            for y in range(max(0, c - WINDOW), min(m, c + WINDOW + 1)):
                yield x, y
    else:
        seen_rows: dict[int, list[int]] = {}
        for y in range(m):
            c = (y * n) // m
            for x in range(max(0, c - WINDOW), min(n, c + WINDOW + 1)):
                seen_rows.setdefault(x, []).append(y)
        for x in sorted(seen_rows):
            for y in seen_rows[x]:
                yield x, y


def _match_gap(a, b, ga: list[int], gb: list[int], cache: dict, ids_reliable: bool) -> list[tuple[int, int]]:
    """The in-order chain of similar pairs with the largest total score (sparse weighted LCS)."""
    cands: list[tuple[int, int, float]] = []
    for x, y in _candidates(len(ga), len(gb)):
        i, j = ga[x], gb[y]
        s = similarity(_profile(a[i], "a", i, cache), _profile(b[j], "b", j, cache), ids_reliable)
        if s >= SIMILARITY_THRESHOLD:
            cands.append((x, y, s))
    if not cands:
        return []
    m = len(gb)
    # Fenwick tree over y: prefix maximum of (score, candidate index) of chains ending before y.
    tree: list[tuple[float, int]] = [(0.0, -1)] * (m + 1)
    best: list[tuple[float, int]] = [(0.0, -1)] * len(cands)  # (chain score, previous candidate)
    k = 0
    while k < len(cands):
        row = cands[k][0]
        end = k
        while end < len(cands) and cands[end][0] == row:
            end += 1
        for c in range(k, end):  # query the whole row before updating: one pair per a-cell
            _, y, s = cands[c]
            q = (0.0, -1)
            pos = y  # prefix [0, y)
            while pos > 0:
                if tree[pos] > q:
                    q = tree[pos]
                pos -= pos & -pos
            best[c] = (q[0] + s, q[1])
        for c in range(k, end):
            _, y, _s = cands[c]
            val = (best[c][0], c)
            pos = y + 1
            while pos <= m:
                if val > tree[pos]:
                    tree[pos] = val
                pos += pos & -pos
        k = end
    top = max(range(len(cands)), key=lambda c: (best[c][0], -c))
    out: list[tuple[int, int]] = []
    c = top
    while c != -1:
        x, y, _ = cands[c]
        out.append((ga[x], gb[y]))
        c = best[c][1]
    out.reverse()
    return out


__all__ = ["match_cells", "in_order", "cell_key", "similarity", "cell_similarity", "SIMILARITY_THRESHOLD", "WINDOW", "FULL_COMPARE_LIMIT"]
