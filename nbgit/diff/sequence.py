"""Sequence diff: Myers' O(ND) algorithm in linear space, with patience anchoring.

The shortest edit script between two sequences ``a`` (length N) and ``b``
(length M) is found with the algorithm of

    Eugene W. Myers, "An O(ND) Difference Algorithm and Its Variations",
    Algorithmica 1 (1986), pp. 251-266.

D is the number of inserted plus deleted items. The edit graph has a vertex
``(x, y)`` for every pair of prefixes; horizontal edges delete ``a[x]``,
vertical edges insert ``b[y]``, and diagonal edges ("snakes" when chained)
follow equal items for free. Myers' greedy algorithm extends, for
``d = 0, 1, 2, ...``, the furthest-reaching d-path on every diagonal
``k = x - y``; the first d at which a path reaches ``(N, M)`` is D, so the
work is O((N + M) D): fast when the sequences are similar, which is the
common case for revisions of one file.

To use O(N + M) memory instead of keeping one frontier per d, the *middle
snake* variant (section 4b of the paper) runs the search from both corners at
once; where the forward and the backward frontiers overlap lies a snake of
an optimal path. The problem splits there into two independent halves
(Hirschberg's divide and conquer), handled here with an explicit stack.

Before Myers runs, the common prefix and suffix are stripped, and long
inputs are first anchored on items that occur exactly once in both sides
(Bram Cohen's *patience diff*: the longest increasing subsequence of the
unique common items, found in O(K log K) by patience sorting). Myers then only
works inside the gaps between anchors, which keeps D small and the result
closer to what a person would choose (braces and blank lines do not pull
unrelated blocks together).

Results are difflib-style opcodes ``(tag, i1, i2, j1, j2)`` with tag in
``'equal' | 'replace' | 'delete' | 'insert'``: ``a[i1:i2]`` becomes
``b[j1:j2]``; the opcodes cover both sequences completely and in order.
Only the standard library is used; items need only be hashable.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Hashable, Sequence

Opcode = tuple[str, int, int, int, int]

#: Gaps with more than this many items (N + M) are first anchored patience-style.
PATIENCE_THRESHOLD = 64


def diff_lines(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """Opcodes turning the lines ``a`` into the lines ``b`` (see the module docstring)."""
    return diff_sequences(a, b)


def diff_sequences(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """Opcodes turning ``a`` into ``b`` for any hashable items (a shortest edit script)."""
    return opcodes_from_blocks(matching_blocks(a, b), len(a), len(b))


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int, int]]:
    """Maximal runs ``(i, j, size)`` with ``a[i:i+size] == b[j:j+size]``, ascending, non-overlapping."""
    n, m = len(a), len(b)
    head = 0
    while head < n and head < m and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < n - head and tail < m - head and a[n - 1 - tail] == b[m - 1 - tail]:
        tail += 1
    if head == n or head == m:  # what is left is a pure insertion or deletion
        blocks = [(0, 0, head)] if head else []
        if tail:
            blocks.append((n - tail, m - tail, tail))
        return blocks
    # Map items to small ints once: comparisons in the inner loop become int compares.
    ids: dict = {}
    ai = [ids.setdefault(x, len(ids)) for x in a]
    bi = [ids.setdefault(x, len(ids)) for x in b]
    pairs: list[tuple[int, int]] = []  # matched (i, j), one per equal item
    _diff(ai, bi, pairs)
    pairs.sort()
    blocks = []
    for i, j in pairs:
        if blocks:
            bi0, bj0, size = blocks[-1]
            if bi0 + size == i and bj0 + size == j:
                blocks[-1] = (bi0, bj0, size + 1)
                continue
        blocks.append((i, j, 1))
    return blocks


def opcodes_from_blocks(blocks: Sequence[tuple[int, int, int]], n: int, m: int) -> list[Opcode]:
    """difflib-style opcodes from ascending matching blocks of sequences of lengths ``n`` and ``m``."""
    ops: list[Opcode] = []
    i = j = 0
    for bi, bj, size in [*blocks, (n, m, 0)]:
        if i < bi and j < bj:
            ops.append(("replace", i, bi, j, bj))
        elif i < bi:
            ops.append(("delete", i, bi, j, j))
        elif j < bj:
            ops.append(("insert", i, i, j, bj))
        if size:
            ops.append(("equal", bi, bi + size, bj, bj + size))
        i, j = bi + size, bj + size
    return ops


def longest_increasing_run(values: Sequence[int], prefer: Sequence[bool] | None = None) -> list[int]:
    """Indexes into ``values`` of a longest strictly increasing subsequence.

    Patience sorting gives, in O(K log K), each element's *level* (the length
    of the longest increasing run ending there) and, run backwards, the length
    of the longest run starting there; an element lies on some longest run
    exactly when the two add up to the maximum. A longest run takes one such
    element per level, and within a level they come in increasing position and
    non-increasing value, so the elements of level l that may precede a given
    element of level l+1 form a contiguous window. A sliding-window maximum
    then picks, among all longest runs, one with the most ``prefer``-flagged
    elements, in linear time after the sorting. Ties go to the earliest
    elements: the result is deterministic.
    """
    n = len(values)
    if n == 0:
        return []
    if all(x < y for x, y in zip(values, values[1:])):
        return list(range(n))
    if prefer is None or all(prefer):
        return _patience_run(values)
    run = _patience_run(values)
    if len(run) == n or not any(prefer[k] for k in set(range(n)).difference(run)):
        # Another longest run swaps some of these elements for left-out ones; when no
        # left-out element is preferred, no swap can gain a preferred one.
        return run
    level = [0] * n
    tails: list = []
    for k, v in enumerate(values):
        p = bisect_left(tails, v)
        if p == len(tails):
            tails.append(v)
        else:
            tails[p] = v
        level[k] = p
    top = len(tails)
    levels: list[list[int]] = [[] for _ in range(top)]
    tails = []
    for k in range(n - 1, -1, -1):
        v = -values[k]
        p = bisect_left(tails, v)
        if p == len(tails):
            tails.append(v)
        else:
            tails[p] = v
        if level[k] + p + 1 == top:  # on some longest run
            levels[level[k]].append(k)
    score: dict[int, int] = {}
    back: dict[int, int] = {}
    prev = levels[0][::-1]
    for k in prev:
        score[k] = 1 if prefer is not None and prefer[k] else 0
    for lvl in range(1, top):
        cur = levels[lvl][::-1]
        window: deque[int] = deque()  # positions in prev, scores non-increasing
        lo = hi = 0
        for c in cur:
            while hi < len(prev) and prev[hi] < c:
                s_new = score[prev[hi]]
                while window and score[prev[window[-1]]] < s_new:
                    window.pop()
                window.append(hi)
                hi += 1
            vc = values[c]
            while lo < len(prev) and values[prev[lo]] >= vc:
                lo += 1
            while window[0] < lo:
                window.popleft()
            p = prev[window[0]]
            score[c] = score[p] + (1 if prefer is not None and prefer[c] else 0)
            back[c] = p
        prev = cur
    k = max(prev, key=lambda x: (score[x], -x))
    out = [k]
    while k in back:
        k = back[k]
        out.append(k)
    out.reverse()
    return out


def _patience_run(values: Sequence[int]) -> list[int]:
    """A longest increasing run in one pass of patience sorting (back-pointers per pile)."""
    tails: list = []
    tail_idx: list[int] = []
    back = [-1] * len(values)
    for idx, v in enumerate(values):
        k = bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_idx.append(idx)
        else:
            tails[k] = v
            tail_idx[k] = idx
        if k:
            back[idx] = tail_idx[k - 1]
    out: list[int] = []
    idx = tail_idx[-1]
    while idx != -1:
        out.append(idx)
        idx = back[idx]
    out.reverse()
    return out


def _diff(a: list[int], b: list[int], pairs: list[tuple[int, int]]) -> None:
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        # Common prefix and suffix cost nothing.
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            pairs.append((alo, blo))
            alo += 1
            blo += 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
            pairs.append((ahi, bhi))
        if alo == ahi or blo == bhi:
            continue
        if (ahi - alo) + (bhi - blo) > PATIENCE_THRESHOLD:
            anchors = _unique_anchors(a, b, alo, ahi, blo, bhi)
            if not anchors:
                # Nothing in common: the gap is one replacement. (Myers would find the
                # same after O(N * M) steps: its worst case, a rewritten block.)
                continue
            pi, pj = alo, blo
            for i, j in anchors:
                pairs.append((i, j))
                stack.append((pi, i, pj, j))
                pi, pj = i + 1, j + 1
            stack.append((pi, ahi, pj, bhi))
            continue
        split = _middle_snake(a, b, alo, ahi, blo, bhi)
        if split is None:
            continue  # nothing in common
        x, y = split
        stack.append((alo, x, blo, y))
        stack.append((x, ahi, y, bhi))


def _unique_anchors(a, b, alo, ahi, blo, bhi) -> list[tuple[int, int]]:
    """Patience anchors: items unique in both ranges, longest run in the same order.

    Falls back to the occurrences of the rarest common item (histogram diff) when
    no item is unique in both; returns [] only when the ranges share nothing.
    """
    seg_a = a[alo:ahi]
    seg_b = b[blo:bhi]
    count_a = Counter(seg_a)
    count_b = Counter(x for x in seg_b if x in count_a)
    pos_a = {x: i for i, x in enumerate(seg_a, alo)}  # for a unique item: its only position
    pos_b = {x: j for j, x in enumerate(seg_b, blo)}
    cands = sorted((pos_a[x], pos_b[x]) for x, c in count_b.items() if c == 1 and count_a[x] == 1)
    if not cands:
        if not count_b:
            return []
        # No unique common item: anchor on the rarest common one instead (the
        # idea of git's histogram diff), pairing its occurrences in order. This
        # keeps Myers from running on large gaps full of repeated items.
        rare = min(count_b, key=lambda x: (max(count_a[x], count_b[x]), x))
        ia = [i for i in range(alo, ahi) if a[i] == rare]
        jb = [j for j in range(blo, bhi) if b[j] == rare]
        return list(zip(ia, jb))
    keep = longest_increasing_run([j for _, j in cands])
    return [cands[k] for k in keep]


def _middle_snake(a, b, alo, ahi, blo, bhi) -> tuple[int, int] | None:
    """A split point ``(x, y)`` on an optimal edit path (Myers 1986, section 4b).

    Returns None when the two ranges have nothing in common. Written after the
    bisection of Neil Fraser's diff-match-patch: forward frontier ``v1`` from
    the top-left corner, backward frontier ``v2`` from the bottom-right one,
    both indexed by diagonal.
    """
    n = ahi - alo
    m = bhi - blo
    max_d = (n + m + 1) // 2
    v_off = max_d
    v_len = 2 * max_d + 2
    v1 = [-1] * v_len
    v2 = [-1] * v_len
    v1[v_off + 1] = 0
    v2[v_off + 1] = 0
    delta = n - m
    front = delta % 2 != 0
    k1start = k1end = k2start = k2end = 0
    for d in range(max_d):
        for k1 in range(-d + k1start, d + 1 - k1end, 2):
            k1o = v_off + k1
            if k1 == -d or (k1 != d and v1[k1o - 1] < v1[k1o + 1]):
                x1 = v1[k1o + 1]
            else:
                x1 = v1[k1o - 1] + 1
            y1 = x1 - k1
            while x1 < n and y1 < m and a[alo + x1] == b[blo + y1]:
                x1 += 1
                y1 += 1
            v1[k1o] = x1
            if x1 > n:
                k1end += 2
            elif y1 > m:
                k1start += 2
            elif front:
                k2o = v_off + delta - k1
                if 0 <= k2o < v_len and v2[k2o] != -1 and x1 >= n - v2[k2o]:
                    return alo + x1, blo + y1
        for k2 in range(-d + k2start, d + 1 - k2end, 2):
            k2o = v_off + k2
            if k2 == -d or (k2 != d and v2[k2o - 1] < v2[k2o + 1]):
                x2 = v2[k2o + 1]
            else:
                x2 = v2[k2o - 1] + 1
            y2 = x2 - k2
            while x2 < n and y2 < m and a[ahi - x2 - 1] == b[bhi - y2 - 1]:
                x2 += 1
                y2 += 1
            v2[k2o] = x2
            if x2 > n:
                k2end += 2
            elif y2 > m:
                k2start += 2
            elif not front:
                k1o = v_off + delta - k2
                if 0 <= k1o < v_len and v1[k1o] != -1:
                    x1 = v1[k1o]
                    y1 = v_off + x1 - k1o
                    if x1 >= n - x2:
                        return alo + x1, blo + y1
    return None


__all__ = [
    "Opcode",
    "diff_lines",
    "diff_sequences",
    "matching_blocks",
    "opcodes_from_blocks",
    "longest_increasing_run",
]
