"""The notebook merge engine: cell-level semantics, conflicts inside a valid notebook, properties."""

from __future__ import annotations

import copy
import json

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nbgit.merge import Labels, merge_notebooks
from nbgit.merge.blobs import merge_blobs
from nbgit.merge.conflicts import count_marker_blocks, find_conflicts, split_text_conflicts
from nbgit.notebook.config import Config
from nbgit.notebook.io import NotebookError
from nbfactory import code_cell, jupyter_bytes, markdown_cell, notebook, stream

LABELS = Labels("HEAD", "topic", "base")


def valid(nb: dict) -> None:
    nbformat.validate(nbformat.from_dict(copy.deepcopy(nb)))


def src(nb: dict) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb["cells"]]


def base_nb(n: int = 6) -> dict:
    return notebook([code_cell(f"x{i} = {i}\nprint(x{i})\n", id=f"c{i}") for i in range(n)])


def edit(nb: dict, index: int, text: str) -> dict:
    nb = copy.deepcopy(nb)
    nb["cells"][index]["source"] = text.splitlines(keepends=True)
    return nb


def merged(base, local, remote, **kw):
    result = merge_notebooks(base, local, remote, labels=LABELS, **kw)
    valid(result.notebook)
    return result


def test_edits_of_different_cells_merge_cleanly():
    b = base_nb()
    r = merged(b, edit(b, 1, "x1 = 'local'\n"), edit(b, 4, "x4 = 'remote'\n"))
    assert r.clean
    assert src(r.notebook)[1] == "x1 = 'local'\n" and src(r.notebook)[4] == "x4 = 'remote'\n"


def test_same_cell_conflict_becomes_markers_in_that_cell():
    b = base_nb()
    r = merged(b, edit(b, 2, "x2 = 'l'\nprint(x2)\n"), edit(b, 2, "x2 = 'r'\nprint(x2)\n"), marker_size=9)
    assert [(c.cell, c.kind) for c in r.conflicts] == [(2, "source")]
    assert src(r.notebook)[2] == "<<<<<<<<< HEAD\nx2 = 'l'\n=========\nx2 = 'r'\n>>>>>>>>> topic\nprint(x2)\n"
    assert str(r.conflicts[0]) == "cell 3: source (1 conflicting region)"
    assert [(c.cell, c.kind) for c in find_conflicts(r.notebook)] == [(2, "source")]


def test_identical_inserts_once_different_inserts_both_in_order():
    b = base_nb(3)
    same = markdown_cell("# same\n")
    l, r = copy.deepcopy(b), copy.deepcopy(b)
    l["cells"].insert(1, same)
    r["cells"].insert(1, copy.deepcopy(same))
    res = merged(b, l, r)
    assert res.clean and src(res.notebook).count("# same\n") == 1
    l["cells"].insert(3, markdown_cell("local new\n"))
    r["cells"].insert(3, markdown_cell("remote new\n"))
    res = merged(b, l, r)
    assert res.clean
    texts = src(res.notebook)
    assert texts.index("local new\n") + 1 == texts.index("remote new\n")
    assert len(texts) == 6


def test_deletes_and_moves():
    b = base_nb(6)
    l = copy.deepcopy(b)
    del l["cells"][1]
    r = copy.deepcopy(b)
    r["cells"].append(r["cells"].pop(3))  # move cell 3 to the end
    res = merged(b, l, r)
    assert res.clean
    assert src(res.notebook) == [src(b)[i] for i in (0, 2, 4, 5, 3)]


def test_moved_on_one_side_edited_on_the_other_keeps_both():
    b = base_nb(6)
    l = copy.deepcopy(b)
    l["cells"].insert(0, l["cells"].pop(4))
    r = edit(b, 4, "x4 = 'edited'\nprint(x4)\n")
    res = merged(b, l, r)
    assert res.clean
    assert src(res.notebook)[0] == "x4 = 'edited'\nprint(x4)\n"
    assert len(res.notebook["cells"]) == 6


def test_delete_versus_edit_keeps_edited_cell_marked():
    b = base_nb(4)
    l = copy.deepcopy(b)
    del l["cells"][2]
    r = edit(b, 2, "x2 = 'kept'\n")
    res = merged(b, l, r)
    assert [(c.cell, c.kind) for c in res.conflicts] == [(2, "delete/modify")]
    first, rest = src(res.notebook)[2].split("\n", 1)
    assert first.startswith("<<<<<<< nbgit: deleted in HEAD, modified in topic")
    assert rest == "x2 = 'kept'\n"
    assert [c.kind for c in find_conflicts(res.notebook)] == ["delete/modify"]
    # a cell deleted on one side and untouched on the other is simply deleted
    assert merged(b, l, b).notebook["cells"] == l["cells"]


def test_metadata_conflict_keeps_local_and_records_both():
    b = base_nb(2)
    l, r = copy.deepcopy(b), copy.deepcopy(b)
    l["metadata"]["kernelspec"]["display_name"] = "Local"
    r["metadata"]["kernelspec"]["display_name"] = "Remote"
    r["metadata"]["authors"] = ["me"]
    l["cells"][0]["metadata"]["tags"] = ["a"]
    r["cells"][0]["metadata"]["tags"] = ["b"]
    l["cells"][1]["metadata"]["k"] = 1
    r["cells"][1]["metadata"]["k"] = 2
    res = merged(b, l, r)
    md = res.notebook["metadata"]
    assert md["kernelspec"]["display_name"] == "Local" and md["authors"] == ["me"]
    assert md["nbgit"]["conflicts"] == [
        {"path": "metadata.kernelspec.display_name", "base": "Python 3", "local": "Local", "remote": "Remote"}
    ]
    assert res.notebook["cells"][0]["metadata"]["tags"] == ["a", "b"]  # tags both added: union, no conflict
    assert res.notebook["cells"][1]["metadata"]["nbgit"]["conflicts"] == [{"path": "metadata.k", "local": 1, "remote": 2}]
    kinds = {(c.cell, c.kind) for c in res.conflicts}
    assert kinds == {(None, "notebook-metadata"), (1, "metadata")}
    assert {(c.cell, c.kind) for c in find_conflicts(res.notebook)} == kinds


def test_transient_fields_never_conflict():
    b = notebook([code_cell("a = 1\n", id="a"), code_cell("b = 2\n", id="b")])
    l, r = copy.deepcopy(b), copy.deepcopy(b)
    l["cells"][0].update(execution_count=3, outputs=[stream("1\n")])
    r["cells"][0].update(execution_count=7, outputs=[stream("1\n")])
    # source changed on one side, outputs changed on both: outputs follow the source's side
    l["cells"][1].update(source=["b = 3\n"], execution_count=1, outputs=[stream("3\n")])
    r["cells"][1].update(execution_count=2, outputs=[stream("2\n")])
    # volatile metadata (what the clean filter strips) keeps local's value
    l["cells"][0]["metadata"]["ExecuteTime"] = {"end_time": "1"}
    r["cells"][0]["metadata"]["ExecuteTime"] = {"end_time": "2"}
    l["metadata"]["widgets"] = {"state": 1}
    r["metadata"]["widgets"] = {"state": 2}
    res = merged(b, l, r)
    assert res.notebook["cells"][0]["metadata"] == {"ExecuteTime": {"end_time": "1"}}
    assert res.clean
    assert res.notebook["cells"][1]["outputs"] == [stream("3\n")]


def test_conflicting_outputs_cleared_and_recorded():
    b = notebook([code_cell("a = 1\n", id="a")])
    l, r = copy.deepcopy(b), copy.deepcopy(b)
    l["cells"][0]["outputs"] = [stream("local\n")]
    r["cells"][0]["outputs"] = [stream("remote\n")]
    res = merged(b, l, r)
    assert [(c.cell, c.kind) for c in res.conflicts] == [(0, "outputs")]
    cell = res.notebook["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert cell["metadata"]["nbgit"]["conflicts"][0]["path"] == "outputs"


def test_id_only_differences_never_conflict_and_duplicates_are_renamed():
    b = base_nb(3)
    l, r = copy.deepcopy(b), copy.deepcopy(b)
    l["cells"][0]["id"] = "local-id"
    r["cells"][0]["id"] = "remote-id"
    r["cells"].append(code_cell("new\n", id="c1"))  # an id that exists already
    res = merged(b, l, r)
    assert res.clean
    ids = [c["id"] for c in res.notebook["cells"]]
    assert ids[0] == "local-id" and len(set(ids)) == len(ids) and ids[1] == "c1"
    assert merged(b, l, r).notebook == res.notebook  # deterministic


def test_ids_added_on_one_side_upgrade_minor():
    b = notebook([code_cell("a = 1\nprint(a)\n"), code_cell("b = 2\nprint(b)\n")], minor=4)
    l = copy.deepcopy(b)
    l["nbformat_minor"] = 5
    for i, c in enumerate(l["cells"]):
        c["id"] = f"id{i}"
    r = edit(b, 1, "b = 3\nprint(b)\n")
    res = merged(b, l, r)
    assert res.clean and res.notebook["nbformat_minor"] == 5
    assert [c["id"] for c in res.notebook["cells"]] == ["id0", "id1"]


def test_v3_and_v4_inputs_are_merged_as_v4():
    from nbfactory import v3_notebook

    v3 = v3_notebook()
    from nbgit.notebook.upgrade import upgrade_v3

    v4 = upgrade_v3(v3)
    v4["cells"].append(markdown_cell("added\n", id="added"))
    res = merged(v3, v3, v4)
    assert res.clean and res.notebook["nbformat"] == 4
    assert src(res.notebook)[-1] == "added\n"


def test_two_way_merge_flags_cells_on_one_side_only():
    l = base_nb(3)
    r = edit(l, 1, "x1 = 'r'\nprint(x1)\n")
    r["cells"].append(markdown_cell("only remote\n", id="m"))
    res = merged(None, l, r)
    kinds = [(c.cell, c.kind) for c in res.conflicts]
    assert kinds == [(1, "source"), (3, "one side only")]
    assert src(res.notebook)[0] == src(l)[0]


def test_inputs_are_not_modified():
    b = base_nb()
    l, r = edit(b, 1, "l\n"), edit(b, 1, "r\n")
    copies = copy.deepcopy((b, l, r))
    merge_notebooks(b, l, r)
    assert (b, l, r) == copies


def test_merge_blobs_cleans_and_keeps_local_layout():
    b = base_nb(2)
    l = edit(b, 0, "local\n")
    l["cells"][0].update(execution_count=5, outputs=[stream("x\n")])
    r = edit(b, 1, "remote\n")
    local_bytes = json.dumps(l, indent=2).encode()  # not Jupyter's layout: indent 2, keys unsorted
    out = merge_blobs(jupyter_bytes(b), local_bytes, jupyter_bytes(r), config=Config())
    assert out.clean
    nb = json.loads(out.data)
    assert nb["cells"][0]["outputs"] == [] and nb["cells"][0]["execution_count"] is None
    assert out.data.startswith(b'{\n  "cells"') and not out.data.endswith(b"\n")
    kept = merge_blobs(jupyter_bytes(b), local_bytes, jupyter_bytes(r), config=Config(keep_outputs=True))
    assert json.loads(kept.data)["cells"][0]["outputs"] == [stream("x\n")]
    with pytest.raises(NotebookError, match="theirs"):
        merge_blobs(jupyter_bytes(b), local_bytes, b"{not json")


def test_split_text_conflicts_rebuilds_both_sides():
    text = "a\n<<<<<<< HEAD\nl\n||||||| base\nb\n=======\nr\n>>>>>>> topic\nz\n"
    assert split_text_conflicts(text) == ("a\nl\nz\n", "a\nb\nz\n", "a\nr\nz\n", ("HEAD", "base", "topic"))
    assert split_text_conflicts("<<<<<<< a\nx\n=======\ny\n>>>>>>> b\n")[1] is None
    assert count_marker_blocks("<<<<<<< a\nx\n=======\ny\n>>>>>>> b\nfoo\n<<<<\n====\n>>>>\n") == 2
    assert count_marker_blocks("<<<<<<< a\nno separator\n") == 0


# -- properties ----------------------------------------------------------------------------

WORDS = ["alpha", "beta", "gamma", "delta", "plot(x)", "x = 1", "", "# note", "for i in range(3):", "    pass"]


@st.composite
def base_notebooks(draw):
    n = draw(st.integers(0, 8))
    cells = []
    for i in range(n):
        lines = [f"cell{i} {w}\n" for w in draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))]
        kind = draw(st.sampled_from(["code", "code", "markdown"]))
        cell = code_cell("".join(lines), id=f"id{i}") if kind == "code" else markdown_cell("".join(lines), id=f"id{i}")
        if draw(st.booleans()):
            cell["metadata"] = {"tags": draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=2, unique=True))}
        cells.append(cell)
    return notebook(cells)


_counter = iter(range(10**9))


def _apply(draw, nb: dict, owned) -> dict:
    """Random edits of ``nb`` touching only cells whose base index satisfies ``owned``."""
    nb = copy.deepcopy(nb)
    cells = [(i, c) for i, c in enumerate(nb["cells"])]
    out = []
    for i, cell in cells:
        if not owned(i):
            out.append(cell)
            continue
        op = draw(st.sampled_from(["keep", "edit", "delete", "insert_after", "meta", "edit_line", "id"]))
        if op == "delete":
            continue
        if op == "edit":
            cell["source"] = [*cell["source"], f"edited {next(_counter)}\n"]
        elif op == "edit_line" and cell["source"]:
            cell["source"] = [f"changed {next(_counter)}\n", *cell["source"][1:]]
        elif op == "meta":
            cell["metadata"] = {**cell["metadata"], "k": next(_counter)}
        elif op == "id":
            cell["id"] = f"new{next(_counter)}"
        out.append(cell)
        if op == "insert_after":
            out.append(markdown_cell(f"inserted {next(_counter)}\n", id=f"ins{next(_counter)}"))
    nb["cells"] = out
    return nb


@st.composite
def any_edit(draw, nb, unique_ids=True):
    """Unconstrained edits: any cell, moves, inserts anywhere, notebook metadata (and duplicate ids unless ``unique_ids``)."""
    nb = copy.deepcopy(nb)
    cells = nb["cells"]
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["edit", "delete", "insert", "move", "meta", "nbmeta", "outputs", "type"]))
        if op == "insert" or not cells:
            cells.insert(draw(st.integers(0, len(cells))),
                         code_cell(draw(st.sampled_from(["new\n", "x = 1\n", "cell0 alpha\n"])),
                                   id=f"u{next(_counter)}" if unique_ids else draw(st.sampled_from(["id0", "idn", "zz"]))))
            continue
        i = draw(st.integers(0, len(cells) - 1))
        if op == "edit":
            cells[i]["source"] = [draw(st.sampled_from(WORDS)) + "\n", *cells[i]["source"]]
        elif op == "delete":
            del cells[i]
        elif op == "move":
            cells.insert(draw(st.integers(0, len(cells) - 1)), cells.pop(i))
        elif op == "meta":
            cells[i]["metadata"] = {"tags": [draw(st.sampled_from(["x", "y"]))], "v": draw(st.integers(0, 2))}
        elif op == "nbmeta":
            nb["metadata"]["value"] = draw(st.integers(0, 2))
        elif op == "outputs" and cells[i]["cell_type"] == "code":
            cells[i]["outputs"] = [stream(draw(st.sampled_from(["1\n", "2\n"])))]
            cells[i]["execution_count"] = draw(st.integers(1, 3))
        elif op == "type":
            c = cells[i]
            cells[i] = markdown_cell("".join(c["source"]), id=c["id"]) if c["cell_type"] == "code" else code_cell("".join(c["source"]), id=c["id"])
    return nb


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.data())
def test_merge_identities(data):
    base = data.draw(base_notebooks())
    x = data.draw(any_edit(base))
    assert merge_notebooks(base, x, base).notebook == x
    assert merge_notebooks(base, base, x).notebook == x
    assert merge_notebooks(base, x, x).notebook == x


@SETTINGS
@given(st.data())
def test_non_overlapping_edits_commute(data):
    base = data.draw(base_notebooks())
    # local owns cells 0, 4, 8, ...; remote owns 2, 6, ...: never adjacent, so never overlapping
    x = _apply(data.draw, base, lambda i: i % 4 == 0)
    y = _apply(data.draw, base, lambda i: i % 4 == 2)
    xy = merge_notebooks(base, x, y)
    yx = merge_notebooks(base, y, x)
    assert xy.clean and yx.clean
    assert xy.notebook["cells"] == yx.notebook["cells"]


@SETTINGS
@given(st.data())
def test_result_is_always_a_valid_notebook(data):
    base = data.draw(base_notebooks())
    x = data.draw(any_edit(base, unique_ids=False))
    y = data.draw(any_edit(base, unique_ids=False))
    style = data.draw(st.sampled_from(["merge", "diff3"]))
    result = merge_notebooks(base, x, y, labels=LABELS, marker_size=data.draw(st.integers(3, 12)), style=style)
    valid(result.notebook)
    found = {(c.cell, c.kind) for c in find_conflicts(result.notebook)}
    assert {(c.cell, c.kind) for c in result.conflicts} == found
    assert result.clean == (not found)
    two_way = merge_notebooks(None, x, y)
    valid(two_way.notebook)


def test_cell_rewritten_on_both_sides_is_a_conflict_not_two_cells():
    b = notebook([code_cell("import numpy\n", id="i"), code_cell("end = 0.5\n", id="e"), code_cell("plot(end)\n", id="p")])
    res = merged(b, edit(b, 1, "end = 3*pi\n"), edit(b, 1, "end = 10*pi\n"))
    assert src(res.notebook) == ["import numpy\n", "<<<<<<< HEAD\nend = 3*pi\n=======\nend = 10*pi\n>>>>>>> topic\n", "plot(end)\n"]
    assert [(c.cell, c.kind) for c in res.conflicts] == [(1, "source")]


def test_all_v3_inputs_stay_v3_unless_config_upgrades():
    from nbfactory import v3_notebook

    b = v3_notebook()
    l, r = copy.deepcopy(b), copy.deepcopy(b)
    l["worksheets"][0]["cells"][2]["source"] = "Some *text* local"
    r["worksheets"][0]["cells"][1]["input"] = "x = 2\nprint(x)"
    out = merge_blobs(jupyter_bytes(b), jupyter_bytes(l), jupyter_bytes(r), config=Config())
    nb = json.loads(out.data)
    assert out.clean and nb["nbformat"] == 3 and nb["metadata"] == {"name": "old"}
    nbformat.validate(nbformat.from_dict(nb))
    cells = nb["worksheets"][0]["cells"]
    # merged as v3 through a lossless view: order kept, sources as strings as in the files
    assert [c["cell_type"] for c in cells] == ["heading", "code", "markdown"]
    assert cells[2]["source"] == "Some *text* local" and cells[1]["input"] == "x = 2\nprint(x)"
    assert "prompt_number" not in cells[1]  # cleaned as the v3 clean filter does
    upgraded = merge_blobs(jupyter_bytes(b), jupyter_bytes(l), jupyter_bytes(r), config=Config(upgrade_v3=True))
    assert json.loads(upgraded.data)["nbformat"] == 4


def test_unresolved_conflict_records_merge_as_a_set():
    b = base_nb(2)
    rec = {"path": "metadata.k", "local": 1, "remote": 2}
    old = {"path": "metadata.old", "local": 0}
    b["metadata"]["nbgit"] = {"conflicts": [old]}
    l, r = copy.deepcopy(b), copy.deepcopy(b)
    l["metadata"]["nbgit"]["conflicts"] = []  # resolved on local
    r["metadata"]["nbgit"]["conflicts"].append(rec)  # a new one committed on remote
    l["cells"][0]["metadata"]["nbgit"] = {"conflicts": [rec]}
    r["cells"][0]["metadata"]["nbgit"] = {"conflicts": [old]}
    res = merged(b, l, r)
    assert res.notebook["metadata"]["nbgit"]["conflicts"] == [rec]
    assert res.notebook["cells"][0]["metadata"]["nbgit"]["conflicts"] == [rec, old]
    assert {(c.cell, c.kind) for c in find_conflicts(res.notebook)} == {(None, "notebook-metadata"), (0, "metadata")}


_MARKER_LINES = st.sampled_from(["<<<<<<< ours\n", "<<<<<<< nbgit: deleted in theirs\n", "||||||| base\n",
                                 "=======\n", ">>>>>>> theirs\n", "<<<<\n", "====\n", ">>>>\n", "=======\r\n",
                                 "<<<<<<<\r\n", ">>>>>>>\r\n", "x = 1\n", "a\u2028<<<<<<< b\n", "\f=======\n", ""])


@settings(max_examples=300, deadline=None)
@given(st.lists(_MARKER_LINES, max_size=14).map("".join))
def test_one_reader_of_marker_blocks(text):
    """nbgit conflicts/check (count_marker_blocks) and the merge tool (split_source) see the same
    blocks, and the merge tool's pieces put back together are the source."""
    from nbgit.merge.resolve import MarkerBlock, split_source

    pieces = split_source(text)
    assert "".join(p.raw if isinstance(p, MarkerBlock) else p for p in pieces) == text
    assert count_marker_blocks(text) == sum(isinstance(p, MarkerBlock) for p in pieces)
    for p in pieces:
        if isinstance(p, MarkerBlock):
            assert p.raw.startswith("<" * 4) and p.raw.rstrip("\r\n").split("\n")[-1].startswith(">" * 4)


def test_note_lines_are_read_alike_by_conflicts_and_the_merge_tool():
    """A note line is nbgit's first line of a cell, whatever it says; one anywhere else is a
    leftover that nbgit conflicts/check report (attacker review: the two readers disagreed)."""
    from nbgit.merge.resolve import conflict_blocks

    def nb_of(src):
        return {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": src}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}

    odd = nb_of(["<<<<<<< nbgit: hello there\n", "x = 1\n"])
    assert len(find_conflicts(odd)) == 1 and len(conflict_blocks(odd)) == 1
    stray = nb_of(["print(1)\n", "<<<<<<< nbgit: deleted in theirs; edited in ours\n", "x = 1\n"])
    assert [c.kind for c in find_conflicts(stray)] == ["source"]


def test_a_source_item_that_is_not_a_string_is_read_not_a_crash(tmp_path):
    """nbgit conflicts on a committed file whose source list holds a number: no traceback."""
    import subprocess
    import sys

    data = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                       "source": ["<<<<<<< ours\n", 1, "=======\n", "b\n", ">>>>>>> theirs\n"]}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "n.ipynb").write_text(json.dumps(data))
    proc = subprocess.run([sys.executable, "-m", "nbgit", "conflicts", "n.ipynb"], cwd=tmp_path, capture_output=True)
    assert b"Traceback" not in proc.stderr and proc.returncode == 1, proc.stderr
    assert b"source" in proc.stdout


def test_many_unterminated_openers_are_read_once(monkeypatch):
    """A committed source of thousands of `<<<<<<<` lines with no end: each opener length is
    scanned to the end once, not once per opener (which made check and conflicts quadratic)."""
    from nbgit.merge import conflicts

    calls = []
    real = conflicts.read_marker_block
    monkeypatch.setattr(conflicts, "read_marker_block", lambda lines, start: calls.append(start) or real(lines, start))
    text = "<<<<<<< x\n=======\n" * 2000 + "<<<< y\n"
    assert count_marker_blocks(text) == 0
    assert len(calls) == 2  # one scan for the 7-marker openers, one for the 4-marker one
    calls.clear()
    assert count_marker_blocks("<<<<<<< a\nx\n=======\ny\n>>>>>>> b\n" * 3 + "<<<<<<< c\n" * 500) == 3
    assert len(calls) == 4
