"""The hand-made hard triplets of tests/hard_merges.py, and the rule behind them as a property.

Never two versions of one cell without a flag: a base cell replaced on both
sides (whatever the replacements, their types, and cells inserted nearby)
never yields two unflagged cells, and neither side's version is lost.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hard_merges
from nbgit.merge import merge_notebooks
from nbgit.merge.conflicts import find_conflicts


@pytest.mark.parametrize("case", hard_merges.CASES, ids=[c[0] for c in hard_merges.CASES])
def test_hard_triplet_as_a_person_expects(case):
    name, what, b, l, r, expected = case
    result = merge_notebooks(*(hard_merges.make_notebook(c) for c in (b, l, r)))
    found = find_conflicts(result.notebook)
    assert {(c.cell, c.kind) for c in found} == {(c.cell, c.kind) for c in result.conflicts}
    flagged = {c.cell for c in found if c.cell is not None}
    texts = hard_merges.cell_texts(result.notebook)
    assert hard_merges.judge(expected, texts, flagged) == "right", (what, texts, result.conflicts)


def test_split_keeps_the_splitting_side_s_cells_and_outputs_of_unchanged_parts():
    b, l, r = ([hard_merges.IMPORTS, hard_merges.LONG, hard_merges.PLOT],
               [hard_merges.IMPORTS, hard_merges.LONG_TOP, hard_merges.LONG_BOTTOM, hard_merges.PLOT],
               [hard_merges.IMPORTS, hard_merges.LONG_R, hard_merges.PLOT])
    nbs = [hard_merges.make_notebook(c) for c in (b, l, r)]
    out = {"output_type": "stream", "name": "stdout", "text": ["x\n"]}
    nbs[1]["cells"][1]["outputs"] = [out]  # the top half is unchanged by theirs: its outputs stay
    nbs[1]["cells"][2]["outputs"] = [out]  # the bottom half gets theirs' edit: no outputs belong to it
    result = merge_notebooks(*nbs)
    assert result.clean and len(result.notes) == 1 and "split into 2 cells" in result.notes[0]
    cells = result.notebook["cells"]
    assert cells[1]["outputs"] == [out] and cells[2]["outputs"] == []
    assert "".join(cells[2]["source"]) == hard_merges.LONG_BOTTOM_R[1]


def test_split_with_a_conflicting_edit_stays_a_visible_conflict():
    top_edit = ("code", hard_merges.LONG[1].replace("mean = df.total.mean()", "mean = df.total.median()"))
    b, l, r = ([hard_merges.LONG], [("code", hard_merges.LONG_TOP[1].replace("mean()", "mean(skipna=True)")),
                                    hard_merges.LONG_BOTTOM], [top_edit])
    result = merge_notebooks(*(hard_merges.make_notebook(c) for c in (b, l, r)))
    assert not result.clean
    assert find_conflicts(result.notebook)


def test_automatic_choices_are_noted():
    cases = {c[0]: c for c in hard_merges.CASES}
    for name, words in (("different-insertions-same-place", "inserted different cells at one place"),
                        ("move-by-both", "moved a cell to different places")):
        _, _, b, l, r, _ = cases[name]
        result = merge_notebooks(*(hard_merges.make_notebook(c) for c in (b, l, r)))
        assert result.clean and len(result.notes) == 1 and words in result.notes[0]


WORDS = ["df", "plot", "x", "y", "total", "mean", "model", "fit", "data", "print", "sum", "import", "np", "pd", "loop"]


def text(draw_words) -> str:
    return "\n".join(" ".join(line) for line in draw_words) + "\n"


lines = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5), min_size=1, max_size=4).map(text)
cells = st.tuples(st.sampled_from(["code", "markdown"]), lines)
# cells inserted next to a rewrite: words of their own, so they are not another version of it
NOTE_WORDS = ["Note", "Section", "TODO", "Results"]
inserted = st.tuples(st.sampled_from(["code", "markdown"]),
                     st.lists(st.lists(st.sampled_from(NOTE_WORDS), min_size=1, max_size=4), min_size=1, max_size=2).map(text))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_cell_replaced_on_both_sides_is_never_two_unflagged_cells(data):
    base = data.draw(st.lists(cells, min_size=1, max_size=6, unique_by=lambda c: c[1]))
    k = data.draw(st.integers(0, len(base) - 1))
    sides = []
    for _ in range(2):
        replacement = data.draw(cells.filter(lambda c: c[1] not in {s for _, s in base}))
        side = list(base)
        side[k] = replacement
        if data.draw(st.booleans()):  # a cell inserted next to the rewrite
            new = data.draw(inserted)
            side.insert(data.draw(st.sampled_from([k, k + 1])), new)
        sides.append((side, replacement))
    (local, lrep), (remote, rrep) = sides
    result = merge_notebooks(*(hard_merges.make_notebook(c) for c in (base, local, remote)))
    flagged = {c.cell for c in find_conflicts(result.notebook) if c.cell is not None}
    texts = hard_merges.cell_texts(result.notebook)
    unflagged = [t for i, t in enumerate(texts) if i not in flagged]
    if lrep != rrep:
        assert not (tuple(lrep) in unflagged and tuple(rrep) in unflagged), (base, local, remote, texts)
    everything = "".join(s for _, s in texts)
    for rep in (lrep, rrep):  # neither version is lost
        assert all(line in everything for line in rep[1].splitlines()), (rep, texts)


def side_of(draw, base: list, tag: str) -> list:
    """Random edits of ``base``: rewrites, line edits, deletions, insertions and moves; new lines carry ``tag``."""
    cells = list(base)
    for n in range(draw(st.integers(0, 5))):
        op = draw(st.sampled_from(["rewrite", "edit", "delete", "insert", "move", "type"]))
        if op == "insert" or not cells:
            cells.insert(draw(st.integers(0, len(cells))), (draw(st.sampled_from(["code", "markdown"])), f"{tag} new {n}\n"))
            continue
        i = draw(st.integers(0, len(cells) - 1))
        kind, text = cells[i]
        if op == "rewrite":
            cells[i] = (draw(st.sampled_from(["code", "markdown"])), f"{tag} rewrite {n}\n{tag} more {n}\n")
        elif op == "edit":
            cells[i] = (kind, text + f"{tag} line {n}\n")
        elif op == "delete":
            del cells[i]
        elif op == "move":
            cells.insert(draw(st.integers(0, len(cells) - 1)), cells.pop(i))
        else:
            cells[i] = ("markdown" if kind == "code" else "code", text)
    return cells


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_no_line_a_side_added_is_lost(data):
    """Whatever both sides did (moves and rewrites included), every line a side wrote is in the result."""
    base = data.draw(st.lists(cells, min_size=0, max_size=6, unique_by=lambda c: c[1]))
    local, remote = side_of(data.draw, base, "ours"), side_of(data.draw, base, "theirs")
    result = merge_notebooks(*(hard_merges.make_notebook(c) for c in (base, local, remote)))
    texts = [s for _, s in hard_merges.cell_texts(result.notebook)]
    found = find_conflicts(result.notebook)
    assert {(c.cell, c.kind) for c in found} == {(c.cell, c.kind) for c in result.conflicts}
    everything = "".join(texts)
    base_lines = {line for _, s in base for line in s.splitlines()}
    for _, text in local + remote:
        for line in text.splitlines():
            if line not in base_lines:
                assert line in everything, (line, base, local, remote, texts)


def test_a_new_cell_is_not_paired_with_a_cell_the_other_side_only_moved():
    """Theirs deleted B and inserted a cell there; ours only moved B: B goes, both new cells stay, nothing is lost."""
    a, b, c, d = (("code", f"{x} = 1\n{y} = 2\n") for x, y in ("ab", "cd", "ef", "gh"))
    base, local, remote = [a, b, c, d], [a, ("code", "ours new\n"), c, d, b], [a, ("code", "theirs new\n"), c, d]
    result = merge_notebooks(*(hard_merges.make_notebook(x) for x in (base, local, remote)))
    assert result.clean
    assert hard_merges.cell_texts(result.notebook) == [a, ("code", "ours new\n"), ("code", "theirs new\n"), c, d]
    assert len(result.notes) == 1 and "inserted different cells at one place" in result.notes[0]
