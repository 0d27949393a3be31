"""The contract of partial staging (nbgit.diff.hunks), as properties (hypothesis)."""

from __future__ import annotations

import copy
import itertools
import json

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nbfactory import code_cell, markdown_cell, notebook, stream
from nbgit.diff import apply_diff, diff_notebooks
from nbgit.diff.hunks import (
    all_atoms,
    apply_selection,
    atoms_of_cells,
    hunks,
    parse_cell_numbers,
    split,
)
from nbgit.diff.model import DELETED, INSERTED
from nbgit.notebook.io import dumps, parse

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LINES = ["x = 1\n", "x = 2\n", "print(x)\n", "\n", "import numpy as np\n", "# note\n", "y = x + 1\n", "plot(y)"]


@st.composite
def cell(draw, distinct=False):
    src = "".join(draw(st.lists(st.sampled_from(LINES), max_size=5)))
    if distinct:
        n = next(_IDS)  # words of its own, enough to keep unrelated cells dissimilar
        src = "# " + " ".join(f"w{n}_{k}" for k in range(20)) + "\n" + src
    if draw(st.booleans()):
        outs = draw(st.lists(st.sampled_from(["1\n", "2\n", "err\n"]).map(stream), max_size=2))
        c = code_cell(src, outputs=outs, count=draw(st.none() | st.integers(1, 3)))
    else:
        c = markdown_cell(src)
    if draw(st.integers(0, 5)) == 0:
        c["metadata"] = {"tags": [draw(st.sampled_from(["t", "u"]))]}
    if draw(st.integers(0, 7)) == 0:
        c["source"] = src
    return c


_IDS = itertools.count()


def _with_ids(cells: list, draw) -> list:
    """Unique ids (nbformat 4.5), most kept from the original cell."""
    seen = set()
    for n, c in enumerate(cells):
        cid = c.get("id") or f"c{next(_IDS)}"  # never reused, as Jupyter's random ids
        seen.add(cid)
        c["id"] = cid
    return cells


@st.composite
def edited_pair(draw, distinct=False):
    """A notebook and a version of it after random edits (inserts, deletes, moves, edits, outputs, type).

    ``distinct``: every cell starts with a line of words of its own, so no two cells have the
    same content and a cell is only ever similar to its own edits.
    """
    a_cells = _with_ids(draw(st.lists(cell(distinct), max_size=10)), draw)
    b_cells = copy.deepcopy(a_cells)
    for _ in range(draw(st.integers(0, 7))):
        op = draw(st.sampled_from(["insert", "delete", "move", "edit", "unedit", "outputs", "meta", "type"]))
        if op == "insert" or not b_cells:
            b_cells.insert(draw(st.integers(0, len(b_cells))), draw(cell(distinct)))
            continue
        k = draw(st.integers(0, len(b_cells) - 1))
        c = b_cells[k]
        if op == "delete":
            del b_cells[k]
        elif op == "move":
            b_cells.insert(draw(st.integers(0, len(b_cells) - 1)), b_cells.pop(k))
        elif op in ("edit", "unedit"):
            lines = "".join(c["source"]).splitlines(keepends=True)
            if op == "edit" or not lines:
                lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(LINES)))
            else:
                del lines[draw(st.integers(0, len(lines) - 1))]
            c["source"] = lines
        elif op == "outputs" and c["cell_type"] == "code":
            c["outputs"] = [stream("changed\n")]
            c["execution_count"] = 7
        elif op == "type":
            new = markdown_cell("".join(c["source"])) if c["cell_type"] == "code" else code_cell("".join(c["source"]), outputs=[stream("1\n")])
            if "id" in c:
                new["id"] = c["id"]
            b_cells[k] = new
        else:
            c["metadata"] = {"collapsed": True}
    b_cells = _with_ids(b_cells, draw)
    b = notebook(b_cells)
    a = notebook(a_cells)
    if draw(st.booleans()):
        b["metadata"]["authors"] = ["someone"]
    if draw(st.booleans()):
        del b["metadata"]["language_info"]
    return a, b


@st.composite
def pair_and_choice(draw, distinct=False):
    a, b = draw(edited_pair(distinct))
    d = diff_notebooks(a, b)
    hs = [piece for h in hunks(d) for piece in (split(h) if draw(st.booleans()) else [h])]
    chosen = [h for h in hs if draw(st.booleans())]
    return a, b, d, hs, chosen


def _valid(nb: dict) -> None:
    parse(dumps(nb))  # nbgit's own reading of a notebook
    ids = [c["id"] for c in nb["cells"] if "id" in c]
    assert len(ids) == len(set(ids)), ids  # nbformat.validate only warns (and renames)
    nbformat.validate(nbformat.from_dict(copy.deepcopy(nb)))


@SETTINGS
@given(pair_and_choice())
def test_any_choice_gives_a_valid_notebook(case):
    a, b, d, _hs, chosen = case
    _valid(a)
    _valid(b)
    _valid(apply_selection(a, d, {atom for h in chosen for atom in h}))


@SETTINGS
@given(edited_pair())
def test_all_gives_b_and_none_gives_a(pair):
    a, b = pair
    d = diff_notebooks(a, b)
    assert apply_selection(a, d, all_atoms(d)) == b
    assert apply_selection(a, d, set()) == a
    assert apply_selection(a, d, all_atoms(d)) == apply_diff(a, d)


def _descriptions(d, atoms, result_cells=None) -> set:
    """What each atom changes, in terms that survive re-diffing: the b-side cell it leads to."""
    out = set()
    for atom in atoms:
        if atom[0] != "cell" and atom[0] != "line":
            out.add(atom)
            continue
        cd = d.cells[atom[1]]
        if cd.kind == DELETED:
            out.add(("deleted", json.dumps(cd.a_cell, sort_keys=True)))
        elif cd.kind == INSERTED:
            out.add(("inserted", cd.b_index))
        elif atom[0] == "line":
            out.add(("source", cd.b_index))
        elif atom[2] == "moved":
            # which of two swapped cells "moved" is a matter of description: what must
            # agree is whether the cells are still out of b's order
            out.add(("moved",))
        else:
            out.add((atom[2], cd.b_index))
    return out


@SETTINGS
@given(pair_and_choice(distinct=True))
def test_what_is_left_is_what_was_declined(case):
    """After staging the chosen hunks, the diff to the work tree shows exactly the others.

    Cells here are told apart by their content. The cell matcher is a heuristic: with several
    cells of the same content (a notebook with two empty cells), or a cell that is about as
    similar to another as to its own old version, the diff after staging may pair cells the
    other way round: the same changes, described as other hunks (git's add -p does the same
    with repeated lines). Staging what is left always gives the work tree's notebook.
    """
    a, b, d, hs, chosen = case
    accepted = {atom for h in chosen for atom in h}
    staged = apply_selection(a, d, accepted)
    left = diff_notebooks(staged, b)
    declined = all_atoms(d) - accepted
    assert _descriptions(left, all_atoms(left)) == _descriptions(d, declined)
    assert apply_selection(staged, left, all_atoms(left)) == b


def test_parse_cell_numbers():
    assert parse_cell_numbers("3,5-7, a:2") == ["3", "5", "6", "7", "a:2"]
    for bad in ("x", "0", "3-1", "", "a:"):
        with pytest.raises(ValueError):
            parse_cell_numbers(bad)


def test_cells_select_every_part_of_those_cells():
    a = notebook([code_cell("x = 1\n", id="p"), markdown_cell("# t\n", id="q"), code_cell("y\n", id="r")])
    b = notebook([code_cell("x = 2\n", id="p", outputs=[stream("2\n")], count=1), markdown_cell("# t\n", id="q")])
    d = diff_notebooks(a, b)
    staged = apply_selection(a, d, atoms_of_cells(d, ["1"]))
    assert staged["cells"][0] == b["cells"][0]
    assert len(staged["cells"]) == 3  # the deletion (a:3) was not chosen
    staged = apply_selection(a, d, atoms_of_cells(d, ["a:3"]))
    assert [c["id"] for c in staged["cells"]] == ["p", "q"] and staged["cells"][0] == a["cells"][0]


def test_an_id_that_moved_to_another_cell_stays_unique():
    a = notebook([code_cell("first cell here\n", id="i0"), code_cell("second one\n", id="i1")])
    b = notebook([code_cell("second one\n", id="i0"), code_cell("third and new\n", id="i1")])
    d = diff_notebooks(a, b)
    inserted = [h for h in hunks(d) if h[0][2:] == ("inserted",)]
    staged = apply_selection(a, d, set(inserted[0]))  # the insertion, without the id change
    _valid(staged)
    assert [c["id"] for c in staged["cells"]][:2] == ["i0", "i1"]


def test_split_source_takes_one_line_run():
    a = notebook([code_cell("a\nb\nc\nd\ne\n", id="p")])
    b = notebook([code_cell("A\nb\nc\nd\nE\n", id="p")])
    d = diff_notebooks(a, b)
    (source,) = hunks(d)
    first, second = split(source)
    assert apply_selection(a, d, set(first))["cells"][0]["source"] == ["A\n", "b\n", "c\n", "d\n", "e\n"]
    assert apply_selection(a, d, set(second))["cells"][0]["source"] == ["a\n", "b\n", "c\n", "d\n", "E\n"]
