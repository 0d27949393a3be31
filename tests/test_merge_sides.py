"""Merges where a side is odd (issue 12 part 1, issue 10 item 11): nbformat 3, a side or a base that is not a notebook.

Every conflict the driver writes must be found by ``nbgit conflicts`` and
``nbgit check``; a side that is not a notebook gets git's own text merge when
that is clean; a merge whose both sides are notebooks always writes a notebook.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import nbformat
import pytest

from nbfactory import code_cell, jupyter_bytes, markdown_cell, notebook, v3_notebook
from nbgit.merge.blobs import SideNotANotebook, keep_notebook_side, merge_blobs
from nbgit.merge.conflicts import find_conflicts
from nbgit.notebook.config import Config
from nbgit.notebook.v3 import from_view, to_view

NB = "nb.ipynb"


def run(cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgit", *args], cwd=cwd, capture_output=True)


def valid(data: bytes) -> dict:
    nb = json.loads(data)
    nbformat.validate(nbformat.from_dict(nb))
    return nb


def v3(*inputs: str) -> dict:
    """A v3 notebook: a heading, then one code cell per input, then a markdown cell."""
    nb = v3_notebook()
    code = nb["worksheets"][0]["cells"][1]
    cells = [nb["worksheets"][0]["cells"][0]]
    for text in inputs:
        cells.append({**copy.deepcopy(code), "input": text})
    cells.append(nb["worksheets"][0]["cells"][2])
    nb["worksheets"][0]["cells"] = cells
    return nb


# -- nbformat 3 -----------------------------------------------------------------------------------


def test_v3_view_round_trips_exactly():
    nb = v3("a = 1\n", "b = 2")
    nb["worksheets"].append({"metadata": {"w": 2}, "cells": [{"cell_type": "raw", "source": "r", "metadata": {}}]})
    view = to_view(nb)
    assert [c.get("source") for c in view["cells"]][1:3] == ["a = 1\n", "b = 2"]
    back = from_view(view)
    assert back == nb and json.dumps(back) == json.dumps(nb)  # key order too


def test_v3_conflicts_are_found_by_conflicts_and_check(tmp_path):
    b = v3("x = 1\n", "y = 1\n")
    l, r = v3("x = 2\n", "y = 2\n"), v3("x = 3\n", "y = 3\n")
    out = merge_blobs(jupyter_bytes(b), jupyter_bytes(l), jupyter_bytes(r), config=Config())
    nb = valid(out.data)
    assert nb["nbformat"] == 3
    assert [(c.cell, c.kind) for c in out.conflicts] == [(1, "source"), (2, "source")]
    assert [(c.cell, c.kind) for c in find_conflicts(nb)] == [(1, "source"), (2, "source")]
    (tmp_path / NB).write_bytes(out.data)
    listed = run(tmp_path, "conflicts", NB)
    assert listed.returncode == 1
    assert listed.stdout.decode().splitlines() == [f"{NB}: cell 2: source (1 conflicting region)",
                                                  f"{NB}: cell 3: source (1 conflicting region)"]
    checked = run(tmp_path, "check", "--no-validate", NB)
    assert checked.returncode == 1
    assert checked.stdout.decode().count("unresolved merge conflict") == 2


def test_v3_delete_modify_and_metadata_conflicts_are_found():
    b = v3("x = 1\n", "y = 1\n")
    b["metadata"]["kernel"] = "a"
    l, r = copy.deepcopy(b), v3("y = 1\n")
    l["worksheets"][0]["cells"][1]["input"] = "x = 1\nx += 1\n"
    l["metadata"]["kernel"], r["metadata"]["kernel"] = "b", "c"
    out = merge_blobs(jupyter_bytes(b), jupyter_bytes(l), jupyter_bytes(r), config=Config())
    nb = valid(out.data)
    assert {(c.cell, c.kind) for c in out.conflicts} == {(None, "notebook-metadata"), (1, "delete/modify")}
    assert {(c.cell, c.kind) for c in find_conflicts(nb)} == {(None, "notebook-metadata"), (1, "delete/modify")}


def test_v3_merge_in_a_repository(installed_repo):
    repo = installed_repo
    repo.write(NB, jupyter_bytes(v3("x = 1\n", "y = 1\n")))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write(NB, jupyter_bytes(v3("x = 3\n", "y = 1\n")))
    repo.commit("theirs")
    repo.git("checkout", "-q", "main")
    repo.write(NB, jupyter_bytes(v3("x = 2\n", "y = 1\n")))
    repo.commit("ours")
    proc = repo.git("merge", "topic", check=False)
    assert proc.returncode == 1
    nb = valid(repo.read(NB))
    assert nb["nbformat"] == 3
    assert repo.nbgit("conflicts", check=False).stdout.decode() == f"{NB}: cell 2: source (1 conflicting region)\n"
    assert repo.nbgit("check", NB, check=False).returncode == 1


# -- a side that is not a notebook ----------------------------------------------------------------


def base_nb() -> dict:
    return notebook([markdown_cell(f"# part {i}\n", id=f"m{i}") for i in range(3)]
                    + [code_cell(f"x{i} = {i}\n", id=f"c{i}") for i in range(6)])


def edit(nb: dict, index: int, text: str) -> dict:
    nb = copy.deepcopy(nb)
    nb["cells"][index]["source"] = text.splitlines(keepends=True)
    return nb


def driver(tmp_path, base: bytes, local: bytes, remote: bytes) -> tuple[subprocess.CompletedProcess, bytes]:
    for name, data in (("O", base), ("A", local), ("B", remote)):
        (tmp_path / name).write_bytes(data)
    proc = run(tmp_path, "merge-driver", "O", "A", "B", "7", NB)
    return proc, (tmp_path / "A").read_bytes()


def git_merge_file(tmp_path, base: bytes, local: bytes, remote: bytes) -> tuple[bytes, int]:
    for name, data in (("o", base), ("a", local), ("b", remote)):
        (tmp_path / name).write_bytes(data)
    proc = subprocess.run(["git", "merge-file", "-p", "-L", "ours", "-L", "base", "-L", "theirs", "a", "o", "b"],
                          cwd=tmp_path, capture_output=True)
    return proc.stdout, proc.returncode


def bad_escape(data: bytes) -> bytes:
    """A committed notebook with an invalid JSON escape in its last cell (as seen in real repositories)."""
    return data.replace(b'"x5 = 5\\n"', b'"x5 = \\\\5\\q\\n"')


def test_invalid_side_with_clean_text_merge_returns_git_s_result(tmp_path):
    b = base_nb()
    base = jupyter_bytes(b)
    local = jupyter_bytes(edit(b, 0, "# ours\n"))
    remote = bad_escape(jupyter_bytes(b))
    assert remote != jupyter_bytes(b)
    expected, status = git_merge_file(tmp_path, base, local, remote)
    assert status == 0
    proc, out = driver(tmp_path, base, local, remote)
    assert proc.returncode == 0, proc.stderr
    assert out == expected
    assert b"theirs is not a notebook" in proc.stderr and b"clean" in proc.stderr


def test_invalid_side_with_conflicting_text_merge_keeps_a_notebook(tmp_path):
    b = base_nb()
    base = jupyter_bytes(b)
    local = jupyter_bytes(edit(b, 8, "x5 = 'ours'\n"))
    remote = bad_escape(jupyter_bytes(b))
    _, status = git_merge_file(tmp_path, base, local, remote)
    assert status == 1
    proc, out = driver(tmp_path, base, local, remote)
    assert proc.returncode == 1
    nb = valid(out)
    assert b"<<<<<<<" not in out
    assert "".join(nb["cells"][8]["source"]) == "x5 = 'ours'\n"
    record = nb["metadata"]["nbgit"]["conflicts"][0]
    assert record["path"] == "file" and "\\q" in record["remote"] and "theirs is not a notebook" in record["note"]
    (tmp_path / NB).write_bytes(out)
    assert run(tmp_path, "conflicts", NB).stdout.decode() == f"{NB}: notebook: notebook-metadata (file)\n"
    assert run(tmp_path, "check", NB).returncode == 1


@pytest.mark.parametrize("side", ["ours", "theirs"])
def test_empty_side_never_leaves_text_markers(tmp_path, side):
    b = base_nb()
    base = jupyter_bytes(b)
    edited = jupyter_bytes(edit(b, 3, "x0 = 'edited'\n"))
    local, remote = (b"", edited) if side == "ours" else (edited, b"")
    proc, out = driver(tmp_path, base, local, remote)
    assert proc.returncode == 1
    nb = valid(out)
    assert "".join(nb["cells"][3]["source"]) == "x0 = 'edited'\n"
    assert nb["metadata"]["nbgit"]["conflicts"][0]["note"].startswith(f"{side} is empty")


def test_neither_side_a_notebook_is_git_s_text_merge(tmp_path):
    proc, out = driver(tmp_path, b"a\nb\nc\n", b"a\nB1\nc\n", b"a\nB2\nc\n")
    assert proc.returncode == 1 and b"<<<<<<< ours" in out


@pytest.mark.parametrize("base", [b"", b"{ not json\n", b'{"cells": 3}\n', b"<<<<<<< a\n=======\n>>>>>>> b\n"])
def test_base_not_a_notebook_is_a_two_way_merge(tmp_path, base):
    b = base_nb()
    local = jupyter_bytes(edit(b, 3, "x0 = 'ours'\n"))
    remote = jupyter_bytes(edit(b, 8, "x5 = 'theirs'\n"))
    proc, out = driver(tmp_path, base, local, remote)
    assert proc.returncode == 1
    nb = valid(out)
    assert b"<<<<<<<" in out  # conflicts inside cells ...
    texts = ["".join(c["source"]) for c in nb["cells"]]
    assert texts[:3] == ["# part 0\n", "# part 1\n", "# part 2\n"]  # ... unchanged cells merged once
    assert len(nb["cells"]) == 9
    found = find_conflicts(nb)
    assert {c.cell for c in found} == {3, 8}
    if base.strip():
        assert b"common ancestor is not a notebook" in proc.stderr


def test_keep_notebook_side_names_the_side():
    nb = jupyter_bytes(base_nb())
    kept = keep_notebook_side(b"{", nb, SideNotANotebook("ours", "bad"))
    record = json.loads(kept.data)["metadata"]["nbgit"]["conflicts"][0]
    assert record["local"] == "{" and record["note"].startswith("ours is not a notebook (bad)")


# -- merge_outputs / merge_metadata ---------------------------------------------------------------


def outputs_case():
    from nbfactory import stream

    b = notebook([code_cell("x = 1\n", outputs=[stream("1\n")], count=1, id="a")], metadata={"k": 0})
    l, r = copy.deepcopy(b), copy.deepcopy(b)
    l["cells"][0]["outputs"], r["cells"][0]["outputs"] = [stream("ours\n")], [stream("theirs\n")]
    l["metadata"]["k"], r["metadata"]["k"] = 1, 2
    return [jupyter_bytes(nb) for nb in (b, l, r)]


@pytest.mark.parametrize("mode, text, clean", [("conflict", None, False), ("clear", None, True),
                                               ("ours", "ours\n", True), ("theirs", "theirs\n", True)])
def test_merge_outputs_setting(mode, text, clean):
    out = merge_blobs(*outputs_case(), config=Config(keep_outputs=True, merge_outputs=mode, merge_metadata="ours"))
    nb = valid(out.data)
    assert out.clean == clean and nb["metadata"]["k"] == 1
    outputs = nb["cells"][0]["outputs"]
    assert (["".join(o["text"]) for o in outputs] if text else outputs) == ([text] if text else [])


def test_merge_metadata_setting_and_config_checks(tmp_path):
    from nbgit.notebook.config import ConfigError, config_from_dict

    out = merge_blobs(*outputs_case(), config=Config(keep_outputs=True, merge_outputs="ours", merge_metadata="theirs"))
    assert out.clean and valid(out.data)["metadata"]["k"] == 2
    conflicted = merge_blobs(*outputs_case(), config=Config(keep_outputs=True, merge_outputs="ours"))
    assert [c.detail for c in conflicted.conflicts] == ["metadata.k"]
    assert config_from_dict({"merge_outputs": "theirs", "merge_metadata": "ours"}).merge_outputs == "theirs"
    for bad in ({"merge_outputs": "mine"}, {"merge_metadata": "clear"}, {"merge_outputs": 1}):
        with pytest.raises(ConfigError):
            config_from_dict(bad)
    (tmp_path / "pyproject.toml").write_text('[tool.nbgit]\nkeep_outputs = true\nmerge_outputs = "theirs"\n')
    data = outputs_case()
    for name, d in zip("OAB", data):
        (tmp_path / name).write_bytes(d)
    proc = run(tmp_path, "merge-driver", "O", "A", "B", "7", NB)
    nb = valid((tmp_path / "A").read_bytes())
    assert proc.returncode == 1  # the metadata conflict is left
    assert "".join(nb["cells"][0]["outputs"][0]["text"]) == "theirs\n"


def test_v3_with_line_lists_merges_as_v3_and_upgrades():
    """v3 files as IPython wrote them: sources and output texts as lists of lines."""
    from nbgit.notebook.upgrade import upgrade_v3

    def lines(nb):
        for cell in nb["worksheets"][0]["cells"]:
            for key in ("input", "source"):
                if isinstance(cell.get(key), str):
                    cell[key] = cell[key].splitlines(keepends=True)
            for out in cell.get("outputs", []):
                if isinstance(out.get("text"), str):
                    out["text"] = out["text"].splitlines(keepends=True)
        return nb

    b = lines(v3("x = 1\ny = 2\n", "z = 3\n"))
    l = lines(v3("x = 1\ny = 20\n", "z = 3\n"))
    r = lines(v3("x = 1\ny = 2\n", "z = 30\n"))
    out = merge_blobs(jupyter_bytes(b), jupyter_bytes(l), jupyter_bytes(r), config=Config(keep_outputs=True))
    nb = valid(out.data)
    assert out.clean and nb["nbformat"] == 3
    assert [c.get("input") for c in nb["worksheets"][0]["cells"][1:3]] == [["x = 1\n", "y = 20\n"], ["z = 30\n"]]
    assert nb["worksheets"][0]["cells"][1]["outputs"] == b["worksheets"][0]["cells"][1]["outputs"]
    upgraded = upgrade_v3(b)
    assert upgraded["nbformat"] == 4 and "".join(upgraded["cells"][1]["source"]) == "x = 1\ny = 2\n"
    mixed = merge_blobs(jupyter_bytes(b), jupyter_bytes(l), jupyter_bytes(upgrade_v3(r)), config=Config())
    assert mixed.clean and valid(mixed.data)["nbformat"] == 4


def test_driver_prints_automatic_choices_on_stderr(tmp_path):
    b = base_nb()
    l, r = copy.deepcopy(b), copy.deepcopy(b)
    l["cells"].insert(4, code_cell("ours_new = fetch('a')\n", id="n1"))
    r["cells"].insert(4, markdown_cell("A paragraph about something else entirely.\n", id="n2"))
    proc, out = driver(tmp_path, jupyter_bytes(b), jupyter_bytes(l), jupyter_bytes(r))
    assert proc.returncode == 0
    assert len(valid(out)["cells"]) == 11
    assert proc.stderr.decode().splitlines() == [
        f"nbgit: {NB}: both sides inserted different cells at one place: kept both, ours first (cell 5, then 6)"]


def test_mergetool_model_settles_a_file_record_by_dropping_it():
    from nbgit.merge.resolve import conflict_blocks, resolve

    kept = json.loads(keep_notebook_side(b"{", jupyter_bytes(base_nb()), SideNotANotebook("ours", "bad")).data)
    blocks = conflict_blocks(kept)
    assert [(b.path, b.choices) for b in blocks] == [("file", ("clear",))]
    settled, left = resolve(kept, {blocks[0].key: ("clear", None)})
    assert left == 0 and "nbgit" not in settled["metadata"] and "file" not in settled
    valid(json.dumps(settled).encode())
