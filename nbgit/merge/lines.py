"""Three-way merge of line sequences, with git's diff3 semantics.

Given the common ancestor ``base`` and two descendants ``local`` and
``remote``, the two edit scripts ``base -> local`` and ``base -> remote`` are
computed (:func:`nbgit.diff.sequence.diff_lines`) and walked side by side, as
git's ``xdl_merge`` does (xdiff/xmerge.c):

* a hunk of one side that neither overlaps nor *touches* a hunk of the other
  side is taken as is. Touching counts as a conflict, exactly as in git: an
  edit of line 3 on one side and of line 4 on the other conflict, because
  nobody has seen the two edits together;
* hunks that overlap or touch are chained into one region (transitively);
  if both sides made the very same change there, it is taken once;
* otherwise the region is a conflict. In the default ``merge`` style the
  conflict is then refined as git's ``XDL_MERGE_ZEALOUS`` level does: the two
  sides of the region are diffed against each other, lines they share are
  emitted once, and only the parts that really differ are left between
  markers. The ``diff3`` style keeps the whole region and shows the base part
  between ``|||||||`` and ``=======`` (git refines no further there either).

Lines are strings that keep their line ending; the last line of a text may
lack one. Before a marker line a missing final newline is added, so markers
always start a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from nbgit.diff.sequence import diff_lines

MERGE = "merge"
DIFF3 = "diff3"


@dataclass(frozen=True)
class Labels:
    """Names written after the conflict markers (empty string: marker only)."""

    local: str = "ours"
    remote: str = "theirs"
    base: str = "base"


DEFAULT_LABELS = Labels()


def merge_lines(
    base: Sequence[str],
    local: Sequence[str],
    remote: Sequence[str],
    *,
    labels: Labels = DEFAULT_LABELS,
    marker_size: int = 7,
    style: str = MERGE,
    favor: str | None = None,
) -> tuple[list[str], int]:
    """Merge ``local`` and ``remote``, both descended from ``base``.

    ``favor`` ``"ours"``/``"theirs"`` resolves each conflicting region for that
    side (as ``git merge-file --ours/--theirs``) instead of writing markers.

    Returns the merged lines and the number of conflict regions written
    between markers (0: the merge is clean).
    """
    if local == remote:
        return list(local), 0
    if base == local:
        return list(remote), 0
    if base == remote:
        return list(local), 0
    # Segments: ("text", lines, None, None, blocking) or ("conflict", local, remote, base, _).
    segs: list[tuple] = []
    for kind, b, lc, rc in merge_regions(base, local, remote):
        if kind in ("same", "both"):
            segs.append(("text", lc, None, None, False))
        elif kind == "local":
            segs.append(("text", lc, None, None, True))
        elif kind == "remote":
            segs.append(("text", rc, None, None, True))
        elif style == DIFF3:
            segs.append(("conflict", lc, rc, b, True))
        else:
            segs.extend(_refine(lc, rc))
    if style != DIFF3:
        segs = _simplify(segs)
    out: list[str] = []
    conflicts = 0
    for kind, lc, rc, b, _ in segs:
        if kind == "text":
            out.extend(lc)
        elif favor == "ours":
            out.extend(lc)
        elif favor == "theirs":
            out.extend(rc)
        else:
            _write_conflict(out, lc, rc, b, labels, marker_size)
            conflicts += 1
    return out, conflicts


def _refine(lc, rc) -> list[tuple]:
    """Split a conflict where its two sides agree (git's ``XDL_MERGE_ZEALOUS``)."""
    if not lc or not rc:
        return [("conflict", lc, rc, None, True)]
    segs = []
    for tag, i1, i2, j1, j2 in diff_lines(lc, rc):
        if tag == "equal":
            segs.append(("text", lc[i1:i2], None, None, False))
        else:
            segs.append(("conflict", lc[i1:i2], rc[j1:j2], None, True))
    return segs


def _simplify(segs: list[tuple]) -> list[tuple]:
    """Join conflicts separated by at most 3 untouched lines, as git does.

    The lines in between go into both sides of the joined conflict: a
    conflict of that size is easier to read than two conflicts around a
    couple of shared lines.
    """
    out: list[tuple] = []
    i = 0
    while i < len(segs):
        seg = segs[i]
        if seg[0] == "conflict" and out:
            # Look back: conflict, then plain (non-blocking) text of <= 3 lines.
            between: list[str] = []
            k = len(out) - 1
            while k >= 0 and out[k][0] == "text" and not out[k][4]:
                between = list(out[k][1]) + between
                k -= 1
            if k >= 0 and out[k][0] == "conflict" and len(between) <= 3:
                prev = out[k]
                base = None
                if prev[3] is not None and seg[3] is not None:
                    base = [*prev[3], *between, *seg[3]]
                merged = (
                    "conflict",
                    [*prev[1], *between, *seg[1]],
                    [*prev[2], *between, *seg[2]],
                    base,
                    True,
                )
                del out[k:]
                out.append(merged)
                i += 1
                continue
        out.append(seg)
        i += 1
    return out


def merge_regions(base: Sequence[str], local: Sequence[str], remote: Sequence[str]):
    """Yield ``(kind, base_part, local_part, remote_part)`` covering all three inputs in order.

    ``kind`` is ``"same"`` (no side changed it; parts equal), ``"local"`` /
    ``"remote"`` (only that side changed it; ``local_part`` holds the lines to
    take), ``"both"`` (both made the same change; ``local_part`` holds it) or
    ``"conflict"``.
    """
    h1 = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in diff_lines(base, local) if tag != "equal"]
    h2 = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in diff_lines(base, remote) if tag != "equal"]
    # Offsets (side position - base position) at the current base position.
    pos = 0  # next base line not yet emitted
    d1 = d2 = 0
    p1 = p2 = 0
    while p1 < len(h1) or p2 < len(h2):
        # Start a region with the hunk that begins first.
        if p2 >= len(h2) or (p1 < len(h1) and h1[p1][0] <= h2[p2][0]):
            start = h1[p1][0]
        else:
            start = h2[p2][0]
        if start > pos:
            yield "same", base[pos:start], local[pos + d1 : start + d1], remote[pos + d2 : start + d2]
        # Chain hunks that overlap or touch (closed intervals), alternately from both sides.
        end = start
        first1, first2 = p1, p2
        while True:
            if p1 < len(h1) and h1[p1][0] <= end:
                end = max(end, h1[p1][1])
                p1 += 1
            elif p2 < len(h2) and h2[p2][0] <= end:
                end = max(end, h2[p2][1])
                p2 += 1
            else:
                break
        # Side ranges of base[start:end]: positions map through the side's offsets.
        s1, e1, nd1 = _side_range(h1, first1, p1, start, end, d1)
        s2, e2, nd2 = _side_range(h2, first2, p2, start, end, d2)
        b = base[start:end]
        lc = local[s1:e1]
        rc = remote[s2:e2]
        if p2 == first2:
            yield "local", b, lc, rc
        elif p1 == first1:
            yield "remote", b, lc, rc
        elif lc == rc:
            yield "both", b, lc, rc
        else:
            yield "conflict", b, lc, rc
        d1, d2 = nd1, nd2
        pos = end
    if pos < len(base):
        yield "same", base[pos:], local[pos + d1 :], remote[pos + d2 :]


def _side_range(hunks, first, last, start, end, delta):
    """Range of one side covering base[start:end], given its hunks[first:last] inside it."""
    if first == last:  # this side did not touch the region
        return start + delta, end + delta, delta
    i1, _, j1, _ = hunks[first]
    _, i2, _, j2 = hunks[last - 1]
    # Before its first hunk and after its last one, the side equals base.
    s = j1 - (i1 - start)
    new_delta = j2 - i2
    e = end + new_delta
    return s, e, new_delta


def _write_conflict(out: list[str], lc, rc, base, labels: Labels, marker_size: int) -> None:
    _terminate(out)
    out.append(_marker("<", marker_size, labels.local))
    out.extend(lc)
    _terminate(out)
    if base is not None:
        out.append(_marker("|", marker_size, labels.base))
        out.extend(base)
        _terminate(out)
    out.append("=" * marker_size + "\n")
    out.extend(rc)
    _terminate(out)
    out.append(_marker(">", marker_size, labels.remote))


def _marker(ch: str, size: int, label: str) -> str:
    return ch * size + (" " + label if label else "") + "\n"


def _terminate(out: list[str]) -> None:
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"


def split_lines(text: str) -> list[str]:
    """Lines of ``text`` with their endings (``\\n`` only, as notebook sources use)."""
    lines = text.split("\n")
    result = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result


__all__ = ["Labels", "DEFAULT_LABELS", "MERGE", "DIFF3", "merge_lines", "merge_regions", "split_lines"]
