"""The contract of the diff core, as properties (hypothesis)."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nbfactory import code_cell, markdown_cell, notebook, stream
from nbgit.diff import apply_diff, diff_notebooks
from nbgit.diff.match import in_order, match_cells
from nbgit.diff.sequence import diff_lines, diff_sequences

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Few distinct lines, so that cells repeat, resemble each other and collide.
LINES = ["x = 1\n", "x = 2\n", "print(x)\n", "\n", "import numpy as np\n", "# note\n", "y = x + 1\n", "plot(y)"]


@st.composite
def cells(draw, with_ids=None):
    lines = draw(st.lists(st.sampled_from(LINES), max_size=5))
    src = "".join(lines)
    ids = draw(st.booleans()) if with_ids is None else with_ids
    cid = draw(st.sampled_from(["a", "b", "c", "d", "e", "f"])) if ids else None
    if draw(st.booleans()):
        outs = draw(st.lists(st.sampled_from(["1\n", "2\n", "err\n"]).map(stream), max_size=2))
        cell = code_cell(src, outputs=outs, count=draw(st.none() | st.integers(1, 3)), id=cid)
    else:
        cell = markdown_cell(src, id=cid)
    if draw(st.integers(0, 5)) == 0:
        cell["metadata"] = {"tags": [draw(st.sampled_from(["t", "u"]))]}
    if draw(st.integers(0, 7)) == 0:
        cell["source"] = src  # the single-string form nbformat also allows
    return cell


notebooks = st.lists(cells(), max_size=12).map(notebook)


@st.composite
def edited_pair(draw):
    """A notebook and a version of it after random edits (a realistic diff input)."""
    a = draw(notebooks)
    b_cells = copy.deepcopy(a["cells"])
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["insert", "delete", "move", "edit", "outputs", "meta"]))
        if op == "insert" or not b_cells:
            b_cells.insert(draw(st.integers(0, len(b_cells))), draw(cells()))
            continue
        k = draw(st.integers(0, len(b_cells) - 1))
        if op == "delete":
            del b_cells[k]
        elif op == "move":
            cell = b_cells.pop(k)
            b_cells.insert(draw(st.integers(0, len(b_cells))), cell)
        elif op == "edit":
            lines = "".join(b_cells[k]["source"]).splitlines(keepends=True)
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(LINES)))
            b_cells[k]["source"] = lines
        elif op == "outputs" and b_cells[k]["cell_type"] == "code":
            b_cells[k]["outputs"] = [stream("changed\n")]
        else:
            b_cells[k]["metadata"] = {"collapsed": True}
    b = notebook(b_cells)
    if draw(st.booleans()):
        b["metadata"]["authors"] = ["someone"]
    return a, b


@SETTINGS
@given(notebooks, notebooks)
def test_roundtrip_any_pair(a, b):
    d = diff_notebooks(a, b)
    assert apply_diff(a, d) == b
    assert d.is_empty() == (a == b)


@SETTINGS
@given(edited_pair())
def test_roundtrip_edited(pair):
    a, b = pair
    a_before = copy.deepcopy(a)
    d = diff_notebooks(a, b)
    result = apply_diff(a, d)
    assert result == b
    assert a == a_before  # never mutates its input
    # every cell of either side is shown exactly once
    assert sorted(c.a_index for c in d.cells if c.a_index is not None) == list(range(len(a["cells"])))
    assert sorted(c.b_index for c in d.cells if c.b_index is not None) == list(range(len(b["cells"])))


@SETTINGS
@given(notebooks)
def test_diff_with_itself_is_empty(a):
    d = diff_notebooks(a, copy.deepcopy(a))
    assert d.is_empty()
    assert all(c.kind == "unchanged" and c.a_index == c.b_index for c in d.cells)


@SETTINGS
@given(edited_pair())
def test_deterministic(pair):
    a, b = pair
    assert diff_notebooks(a, b).to_json() == diff_notebooks(copy.deepcopy(a), copy.deepcopy(b)).to_json()
    assert match_cells(a["cells"], b["cells"]) == match_cells(copy.deepcopy(a["cells"]), copy.deepcopy(b["cells"]))


@st.composite
def unique_edits(draw):
    """Unique cells; b keeps some untouched, edits others (new unique text), inserts and deletes some."""
    n = draw(st.integers(1, 15))
    ids = draw(st.booleans())
    a_cells = [code_cell(f"step_{k} = compute({k})\nshow(step_{k})\n", id=f"c{k}" if ids else None) for k in range(n)]
    b_cells: list[tuple[int | None, dict]] = []
    for k, cell in enumerate(a_cells):
        op = draw(st.sampled_from(["keep", "keep", "edit", "delete"]))
        if op == "keep":
            b_cells.append((k, cell))
        elif op == "edit":
            edited = copy.deepcopy(cell)
            edited["source"].append(f"extra_{k}()\n")
            b_cells.append((None, edited))
    for t in range(draw(st.integers(0, 3))):
        pos = draw(st.integers(0, len(b_cells)))
        b_cells.insert(pos, (None, markdown_cell(f"Inserted text number {t}\n")))
    if draw(st.booleans()) and len(b_cells) > 1:
        src = draw(st.integers(0, len(b_cells) - 1))
        item = b_cells.pop(src)
        b_cells.insert(draw(st.integers(0, len(b_cells))), item)
    return a_cells, b_cells


@SETTINGS
@given(unique_edits())
def test_unchanged_cell_is_matched_to_itself(case):
    a_cells, b_items = case
    b_cells = [c for _, c in b_items]
    pairs = set(match_cells(a_cells, b_cells))
    for j, (i, _) in enumerate(b_items):
        if i is not None:
            assert (i, j) in pairs


@SETTINGS
@given(st.lists(st.integers(0, 10**6), min_size=2, max_size=30, unique=True), st.data())
def test_pure_move_is_a_move(keys, data):
    a = notebook([code_cell(f"value_{k} = load({k})\n", id=None) for k in keys])
    cells = copy.deepcopy(a["cells"])
    src = data.draw(st.integers(0, len(cells) - 1))
    dst = data.draw(st.integers(0, len(cells) - 1).filter(lambda x: x != src))
    cell = cells.pop(src)
    cells.insert(dst, cell)
    b = notebook(cells)
    d = diff_notebooks(a, b)
    kinds = [c.kind for c in d.cells]
    assert kinds.count("moved") == 1
    assert kinds.count("unchanged") == len(keys) - 1
    assert apply_diff(a, d) == b


@SETTINGS
@given(notebooks, st.data())
def test_inserting_k_unrelated_cells_gives_k_inserts(a, data):
    k = data.draw(st.integers(0, 5))
    cells = copy.deepcopy(a["cells"])
    for t in range(k):
        pos = data.draw(st.integers(0, len(cells)))
        cells.insert(pos, code_cell(f"qqzz{t} wwvv{t}\n", id=f"new{t}"))
    b = notebook(cells)
    d = diff_notebooks(a, b)
    counts = d.counts()
    assert counts["inserted"] == k
    assert counts["unchanged"] == len(a["cells"])
    assert counts["deleted"] == counts["modified"] == counts["moved"] == 0


@SETTINGS
@given(st.lists(st.sampled_from("abcdef"), max_size=40), st.lists(st.sampled_from("abcdef"), max_size=40))
def test_line_opcodes_rebuild_b(a, b):
    ops = diff_sequences(a, b)
    out, pi, pj = [], 0, 0
    for tag, i1, i2, j1, j2 in ops:
        assert (i1, j1) == (pi, pj) and (i1 < i2 or j1 < j2)
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
        else:
            assert tag == {(True, True): "replace", (True, False): "delete", (False, True): "insert"}[(i1 < i2, j1 < j2)]
        out += b[j1:j2]
        pi, pj = i2, j2
    assert (pi, pj) == (len(a), len(b)) and out == b


def _lcs(a, b):
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


@SETTINGS
@given(st.lists(st.sampled_from("abcd"), max_size=30), st.lists(st.sampled_from("abcd"), max_size=30))
def test_line_diff_is_a_shortest_edit_script(a, b):
    lines_a = [x + "\n" for x in a]
    lines_b = [x + "\n" for x in b]
    equal = sum(i2 - i1 for tag, i1, i2, _, _ in diff_lines(lines_a, lines_b) if tag == "equal")
    assert equal == _lcs(a, b)


@SETTINGS
@given(st.lists(st.integers(0, 50), max_size=200), st.lists(st.integers(0, 50), max_size=200))
def test_long_inputs_use_anchors_and_stay_valid(a, b):
    a = a + list(range(100, 160))  # long enough for patience anchoring
    b = list(range(100, 160)) + b
    ops = diff_sequences(a, b)
    out = []
    for tag, i1, i2, j1, j2 in ops:
        out += a[i1:i2] if tag == "equal" else b[j1:j2]
    assert out == b


@SETTINGS
@given(edited_pair())
def test_moves_are_the_pairs_outside_the_longest_run(pair):
    a, b = pair
    pairs = match_cells(a["cells"], b["cells"])
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    kept = in_order(pairs, [a["cells"][i] == b["cells"][j] for i, j in pairs])
    assert len(kept) == len(in_order(pairs))  # still a longest run
    kept_js = [j for i, j in pairs if i in kept]
    assert kept_js == sorted(kept_js)
    d = diff_notebooks(a, b)
    moved = {c.a_index for c in d.cells if c.moved or c.kind == "moved"}
    assert moved == {i for i, _ in pairs} - kept
