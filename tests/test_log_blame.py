"""`nbgit log --cell` and `nbgit blame` on real histories (moves, id changes, edits, renames, merges)."""

from __future__ import annotations

import json

import pytest

from nbfactory import code_cell, markdown_cell, notebook, stream


def dump(cells) -> str:
    return json.dumps(notebook(cells), indent=1, sort_keys=True) + "\n"


@pytest.fixture
def history(installed_repo):
    r = installed_repo
    steps = [
        ("create", "nb.ipynb", [code_cell("import numpy as np\n", id="a1"), markdown_cell("# Data\n", id="a2"),
                                code_cell("x = np.arange(10)\nprint(x)\n", id="a3")]),
        ("edit x", "nb.ipynb", [code_cell("import numpy as np\n", id="a1"), markdown_cell("# Data\n", id="a2"),
                                code_cell("x = np.arange(20)\nprint(x)\n", id="a3")]),
        ("move x up", "nb.ipynb", [code_cell("x = np.arange(20)\nprint(x)\n", id="a3"),
                                   code_cell("import numpy as np\n", id="a1"), markdown_cell("# Data\n", id="a2")]),
        ("rename", "analysis.ipynb", None),
        ("new id", "analysis.ipynb", [code_cell("x = np.arange(20)\nprint(x)\n", id="zz"),
                                      code_cell("import numpy as np\n", id="a1"), markdown_cell("# Data\n", id="a2")]),
        ("sum", "analysis.ipynb", [code_cell("x = np.arange(20)\nprint(x.sum())\n", id="zz", outputs=[stream("190\n")]),
                                   code_cell("import numpy as np\n", id="a1"), markdown_cell("# Data\n", id="a2"),
                                   code_cell("y = 1\n", id="n1")]),
    ]
    ids = {}
    for message, path, cells in steps:
        if cells is None:
            r.git("mv", "nb.ipynb", path)
        else:
            r.write(path, dump(cells))
            r.git("add", path)
        r.git("commit", "-q", "-m", message)
        ids[message] = r.out("rev-parse", "HEAD").strip()
    r.ids = ids
    return r


def log_json(r, *args) -> dict:
    return json.loads(r.nbgit("log", *args).stdout)


def test_log_follows_a_cell_through_move_id_change_edit_and_rename(history):
    doc = log_json(history, "--follow", "--json", "--", "analysis.ipynb", "--cell", "1")
    subjects = [c["subject"] for c in doc["commits"]]
    assert subjects == ["sum", "new id", "move x up", "edit x", "create"]
    assert [c["kind"] for c in doc["commits"]] == ["changed", "changed", "moved", "changed", "created"]
    moved = doc["commits"][2]
    assert (moved["parent_index"], moved["index"], moved["path"]) == (3, 1, "nb.ipynb")
    created = doc["commits"][-1]
    assert created["path"] == "nb.ipynb" and created["index"] == 3 and created["commit"] == history.ids["create"]
    assert doc["commits"][1]["diff"]["changed"] == ["id"]
    # the same cell by id
    assert log_json(history, "--follow", "--json", "--", "analysis.ipynb", "--cell", "zz") == doc


def test_log_without_follow_stops_at_the_rename_and_ranges_stop_early(history):
    doc = log_json(history, "--json", "--", "analysis.ipynb", "--cell", "1")
    assert [c["subject"] for c in doc["commits"]] == ["sum", "new id", "rename"]
    assert doc["commits"][-1]["kind"] == "created"
    doc = log_json(history, f"{history.ids['new id']}..HEAD", "--json", "--", "analysis.ipynb", "--cell", "1")
    assert [c["subject"] for c in doc["commits"]] == ["sum"]


def test_log_text(history):
    out = history.nbgit("log", "--follow", "--", "analysis.ipynb", "--cell", "zz").stdout.decode()
    assert f"commit {history.ids['sum']}" in out
    assert "-print(x)\n+print(x.sum())" in out
    assert "cell 3 of nb.ipynb" in out and "created here, as cell 3 of nb.ipynb" in out
    assert "moved: cell 3 -> cell 1, unchanged" in out
    assert "(renamed from nb.ipynb)" not in out or "analysis.ipynb" in out


def test_log_errors(history):
    for args in (["--", "analysis.ipynb", "--cell", "9"], ["--", "missing.ipynb", "--cell", "1"],
                 ["nope", "--", "analysis.ipynb", "--cell", "1"]):
        proc = history.nbgit("log", *args, check=False)
        assert proc.returncode == 2 and proc.stderr.startswith(b"nbgit log: error: ")


def test_blame_one_line_a_cell(history):
    out = history.nbgit("blame", "analysis.ipynb").stdout.decode().splitlines()
    assert len(out) == 4
    assert out[0].startswith(history.ids["sum"][:8]) and out[0].endswith(" 1) [code] x = np.arange(20)")
    assert out[1].startswith(history.ids["create"][:8]) and "import numpy as np" in out[1]  # through the rename
    assert out[2].startswith(history.ids["create"][:8]) and out[3].startswith(history.ids["sum"][:8])
    doc = json.loads(history.nbgit("blame", "--json", "analysis.ipynb").stdout)
    assert [c["commit"] for c in doc["cells"]] == [history.ids[s] for s in ("sum", "create", "create", "sum")]
    assert doc["cells"][0]["author"] == "Test"
    at = json.loads(history.nbgit("blame", "--json", history.ids["edit x"], "nb.ipynb").stdout)
    assert [c["commit"] for c in at["cells"]] == [history.ids[s] for s in ("create", "create", "edit x")]


def test_blame_agrees_with_log(history):
    doc = json.loads(history.nbgit("blame", "--json", "analysis.ipynb").stdout)
    for cell in doc["cells"]:
        log = log_json(history, "--follow", "--json", "--", "analysis.ipynb", "--cell", str(cell["index"]))
        last = next(c for c in log["commits"] if c["kind"] != "moved")  # blame: changes, not moves
        assert last["commit"] == cell["commit"]


def test_blame_through_a_merge(installed_repo):
    r = installed_repo
    base = [code_cell("a = 1\n", id="p"), code_cell("b = 2\n", id="q")]
    r.write("nb.ipynb", dump(base))
    r.commit("base", "nb.ipynb")
    r.git("checkout", "-q", "-b", "side")
    r.write("nb.ipynb", dump([code_cell("a = 10\n", id="p"), base[1]]))
    r.commit("side edits a", "nb.ipynb")
    side = r.out("rev-parse", "HEAD").strip()
    r.git("checkout", "-q", "main")
    r.write("nb.ipynb", dump([base[0], code_cell("b = 20\n", id="q")]))
    r.commit("main edits b", "nb.ipynb")
    main = r.out("rev-parse", "HEAD").strip()
    r.git("merge", "-q", "--no-edit", "side")
    doc = json.loads(r.nbgit("blame", "--json", "nb.ipynb").stdout)
    assert [c["commit"] for c in doc["cells"]] == [side, main]


def test_blame_lines_is_gits_textconv_blame(history):
    out = history.nbgit("blame", "--lines", "analysis.ipynb").stdout.decode()
    assert "print(x.sum())" in out and history.ids["sum"][:8] in out


def test_blame_escapes_cell_text(installed_repo):
    r = installed_repo
    r.write("nb.ipynb", dump([code_cell("print('\x1b[31mred')\n", id="p")]))
    r.commit("c", "nb.ipynb")
    out = r.nbgit("blame", "nb.ipynb").stdout
    assert b"\x1b[31m" not in out and b"\\x1b[31m" in out


def test_trace_cells_pure():
    """The core walk on a hand-made DAG: root -> c1 (edit) -> c2 (move only) -> c3 (merge of c2 and side)."""
    from nbgit.diff.trace import CHANGED, CREATED, trace_cells

    x0, y0 = code_cell("x = 1\nshow(x)\n", id="x"), code_cell("y = 2\nshow(y)\n", id="y")
    x1 = code_cell("x = 10\nshow(x)\n", id="x")
    versions = {"root": [x0, y0], "c1": [x1, y0], "c2": [y0, x1], "side": [x1, y0], "c3": [y0, x1]}
    parents = {"root": [], "c1": ["root"], "c2": ["c1"], "side": ["c1"], "c3": ["c2", "side"]}

    def parent_list(commit, path):
        return [(p, path, p) for p in parents[commit]]  # blob id = commit name: every version differs

    def cells(commit, path, blob):
        return versions[blob]

    order = ["c3", "side", "c2", "c1", "root"]
    events = trace_cells(order, "c3", "nb", "c3", {1: "x", 0: "y"}, parent_list, cells)
    got = [(e.kind, e.key, e.commit) for e in events]
    assert ("changed", "x", "c1") in got and ("created", "x", "root") in got and ("created", "y", "root") in got
    assert all(e.commit not in ("c2", "c3", "side") for e in events)  # moves and merges that kept it equal
    with_moves = trace_cells(order, "c3", "nb", "c3", {1: "x", 0: "y"}, parent_list, cells, moves=True)
    assert [(e.kind, e.key) for e in with_moves if e.commit == "c2"] in ([("moved", "x")], [("moved", "y")])
    blame = trace_cells(order, "c3", "nb", "c3", {1: "x", 0: "y"}, parent_list, cells, stop_at_first=True)
    assert {e.key: (e.kind, e.commit) for e in blame} == {"x": (CHANGED, "c1"), "y": (CREATED, "root")}
