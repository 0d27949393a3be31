"""Unit tests of the diff core: line diff opcodes, cell matching, diff/apply on small notebooks."""

from __future__ import annotations

import pytest

from nbfactory import code_cell, markdown_cell, notebook, stream
from nbgit.diff import apply_diff, diff_notebooks
from nbgit.diff.match import match_cells
from nbgit.diff.sequence import diff_lines, diff_sequences, longest_increasing_run


def rebuild(a, b, ops):
    out, i_prev, j_prev = [], 0, 0
    for tag, i1, i2, j1, j2 in ops:
        assert (i1, j1) == (i_prev, j_prev)
        assert tag in ("equal", "replace", "delete", "insert")
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
            out += a[i1:i2]
        else:
            out += b[j1:j2]
        i_prev, j_prev = i2, j2
    assert (i_prev, j_prev) == (len(a), len(b))
    return out


@pytest.mark.parametrize(
    "a,b",
    [
        ("", ""),
        ("abc", ""),
        ("", "abc"),
        ("abcabba", "cbabac"),  # the example of Myers' paper: D = 5
        ("xaxbxc", "abc"),
    ],
)
def test_sequence_opcodes_rebuild_b(a, b):
    ops = diff_sequences(list(a), list(b))
    assert rebuild(list(a), list(b), ops) == list(b)


def test_myers_finds_shortest_edit_script():
    ops = diff_sequences(list("abcabba"), list("cbabac"))
    edits = sum((i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")
    assert edits == 5


def test_diff_lines_keeps_unique_lines_anchored():
    a = [f"line {k}\n" for k in range(200)]
    b = a[:50] + ["new\n"] + a[50:150] + a[151:]
    ops = diff_lines(a, b)
    assert [op[0] for op in ops] == ["equal", "insert", "equal", "delete", "equal"]
    assert rebuild(a, b, ops) == b


def test_longest_increasing_run():
    values = [3, 1, 4, 1, 5, 9, 2, 6]
    run = [values[k] for k in longest_increasing_run(values)]
    assert len(run) == 4 and run == sorted(run) and len(set(run)) == 4


def test_match_cells_without_ids_by_content():
    a = [code_cell(f"x{k} = {k}\n") for k in range(5)]
    b = [a[0], a[2], code_cell("x1 = 100\n"), a[3], a[4], code_cell("brand new\n")]
    # x1 edited and moved after x2: without ids it is a deletion plus an insertion or a match
    pairs = match_cells(a, b)
    assert (0, 0) in pairs and (2, 1) in pairs and (3, 3) in pairs and (4, 4) in pairs
    assert all(j != 5 for _, j in pairs)


def test_match_cells_by_id_across_the_notebook():
    a = [code_cell("import os\n", id="a"), code_cell("print(1)\n", id="b"), markdown_cell("# Title\n", id="c")]
    b = [markdown_cell("# Title\n", id="c"), code_cell("something else entirely\n", id="a"), code_cell("print(1)\n", id="b")]
    assert match_cells(a, b) == [(0, 1), (1, 2), (2, 0)]


def test_similar_cell_is_modified_not_replaced():
    a = notebook([code_cell("import numpy as np\nx = np.arange(10)\n"), markdown_cell("# End\n")])
    b = notebook([code_cell("import numpy as np\nx = np.arange(20)\n"), markdown_cell("# End\n")])
    d = diff_notebooks(a, b)
    assert [c.kind for c in d.cells] == ["modified", "unchanged"]
    assert d.cells[0].changed == ("source",)
    assert d.cells[0].source == (("equal", 0, 1, 0, 1), ("replace", 1, 2, 1, 2))
    assert apply_diff(a, d) == b


def test_parts_changed_and_roundtrip():
    a = notebook([code_cell("x = 1\n", outputs=[stream("1\n")], count=1, metadata={"tags": ["t"]})])
    b = notebook([code_cell("x = 1\n", outputs=[stream("2\n")], count=2, metadata={})])
    b["metadata"]["authors"] = ["me"]
    b["nbformat_minor"] = 4
    d = diff_notebooks(a, b)
    assert d.cells[0].kind == "modified"
    assert d.cells[0].changed == ("outputs", "execution_count", "metadata")
    assert d.metadata_changed == ("authors",)
    assert d.nbformat == ((4, 5), (4, 4))
    assert not d.is_empty()
    assert apply_diff(a, d) == b
    assert diff_notebooks(a, a).is_empty()


def test_move_is_reported_as_move():
    cells = [code_cell(f"cell_{k}()\n") for k in range(6)]
    a = notebook(cells)
    b = notebook(cells[1:4] + cells[:1] + cells[4:])
    d = diff_notebooks(a, b)
    assert [c.kind for c in d.cells].count("moved") == 1
    moved = next(c for c in d.cells if c.kind == "moved")
    assert (moved.a_index, moved.b_index) == (0, 3)
    assert apply_diff(a, d) == b


def test_deleted_cells_shown_where_they_stood():
    a = notebook([code_cell("a\n"), code_cell("b\n"), code_cell("c\n")])
    b = notebook([code_cell("a\n"), code_cell("zzz qqq\n"), code_cell("c\n")])
    d = diff_notebooks(a, b)
    assert [(c.kind, c.a_index, c.b_index) for c in d.cells] == [
        ("unchanged", 0, 0),
        ("deleted", 1, None),
        ("inserted", None, 1),
        ("unchanged", 2, 2),
    ]


def test_nbformat3_is_refused():
    with pytest.raises(ValueError, match="nbformat 3"):
        diff_notebooks({"nbformat": 3, "worksheets": []}, notebook([]))


def test_similarity_calls_are_bounded_on_a_large_gap(monkeypatch):
    """A notebook rewritten from scratch is one big gap: similarity calls stay O(WINDOW * (n + m))."""
    from nbgit.diff import match

    calls = 0
    real = match.similarity

    def counting(x, y, ids_reliable=False):
        nonlocal calls
        calls += 1
        return real(x, y, ids_reliable)

    monkeypatch.setattr(match, "similarity", counting)
    n, m = 700, 900
    a = [code_cell(f"alpha_{k} = compute({k}, 'a')\n") for k in range(n)]
    b = [code_cell(f"beta_{k} = other({k}, 'b')\n") for k in range(m)]
    pairs = match.match_cells(a, b)
    assert calls <= (2 * match.WINDOW + 1) * max(n, m) + match.LEFTOVER_LIMIT
    assert calls < n * m // 10
    assert all(0 <= i < n and 0 <= j < m for i, j in pairs)


def _versions(ids: bool):
    cells = []
    for k in range(120):
        src = f"# step {k}\nvalue_{k} = transform(value_{k - 1}, {k * 7 % 13})\nplot(value_{k})\n"
        cells.append(code_cell(src, id=f"c{k}" if ids else None) if k % 3 else markdown_cell(f"## Part {k}\n", id=f"c{k}" if ids else None))
    b = [dict(c) for c in cells]
    for k in (5, 40, 77):  # edited
        b[k] = {**b[k], "source": b[k]["source"] + ["extra()\n"]}
    moved = b.pop(10)
    b.insert(90, moved)
    del b[60]
    b.insert(30, code_cell("completely_new_cell(True)\n", id="new" if ids else None))
    return notebook(cells), notebook(b)


def test_notebooks_without_ids_align_like_with_ids():
    with_ids = diff_notebooks(*_versions(True))
    without = diff_notebooks(*_versions(False))
    shape = lambda d: [(c.kind, c.a_index, c.b_index, c.moved) for c in d.cells]  # noqa: E731
    assert shape(with_ids) == shape(without)
    assert with_ids.counts() == {"unchanged": 115, "modified": 3, "moved": 1, "inserted": 1, "deleted": 1}


def test_line_diff_of_blocks_with_nothing_in_common_is_one_replacement():
    # Myers' worst case (D = N + M) used to take O(N * M) steps here: seconds for a rewritten cell.
    from nbgit.diff.sequence import diff_lines

    a = [f"old {i}\n" for i in range(5000)]
    b = [f"new {i}\n" for i in range(4000)]
    assert diff_lines(a, b) == [("replace", 0, 5000, 0, 4000)]
    # a shared item in the middle still anchors
    a[2500] = b[2000] = "shared\n"
    ops = diff_lines(a, b)
    assert ("equal", 2500, 2501, 2000, 2001) in ops


def test_non_string_source_items_diff_without_crashing():
    from nbgit.diff import apply_diff, diff_notebooks

    def nb(src):
        return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": "code", "source": src, "metadata": {}, "outputs": [], "execution_count": None}]}

    a, b = nb(["x = 1\n", 3]), nb(["x = 2\n", None])
    assert apply_diff(a, diff_notebooks(a, b)) == b
    assert diff_notebooks(a, a).is_empty()
