"""nbgit merge, nbgit fix and nbgit conflicts as commands."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import nbformat

from nbfactory import code_cell, jupyter_bytes, markdown_cell, notebook, stream


def nbgit(cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgit", *args], cwd=cwd, capture_output=True)


def base() -> dict:
    return notebook([markdown_cell("# T\n", id="t"), code_cell("a = 1\nprint(a)\n", id="a"), code_cell("b = 2\n", id="b")])


def variant(nb: dict, index: int, text: str) -> dict:
    nb = copy.deepcopy(nb)
    nb["cells"][index]["source"] = text.splitlines(keepends=True)
    return nb


def write(tmp_path, **nbs) -> None:
    for name, nb in nbs.items():
        (tmp_path / f"{name}.ipynb").write_bytes(nb if isinstance(nb, bytes) else jupyter_bytes(nb))


def valid(data: bytes) -> dict:
    nb = json.loads(data)
    nbformat.validate(nbformat.from_dict(nb))
    return nb


def test_merge_clean_to_stdout_and_file(tmp_path):
    b = base()
    local = variant(b, 0, "# Local\n")
    local["cells"][1]["outputs"] = [stream("1\n")]
    write(tmp_path, base=b, local=local, remote=variant(b, 2, "b = 3\n"))
    proc = nbgit(tmp_path, "merge", "base.ipynb", "local.ipynb", "remote.ipynb")
    assert proc.returncode == 0 and proc.stderr == b""
    nb = valid(proc.stdout)
    assert nb["cells"][0]["source"] == ["# Local\n"] and nb["cells"][2]["source"] == ["b = 3\n"]
    assert nb["cells"][1]["outputs"] == []  # cleaned like the driver does
    kept = nbgit(tmp_path, "merge", "--no-clean", "base.ipynb", "local.ipynb", "remote.ipynb", "-o", "local.ipynb")
    assert kept.returncode == 0 and kept.stdout == b""
    assert valid((tmp_path / "local.ipynb").read_bytes())["cells"][1]["outputs"] == [stream("1\n")]


def test_merge_conflict_labels_and_exit_code(tmp_path):
    b = base()
    write(tmp_path, base=b, local=variant(b, 2, "b = 'l'\n"), remote=variant(b, 2, "b = 'r'\n"))
    proc = nbgit(tmp_path, "merge", "-L", "mine", "-L", "orig", "-L", "yours", "--diff3", "--marker-size", "4",
                 "base.ipynb", "local.ipynb", "remote.ipynb", "-o", "out.ipynb")
    assert proc.returncode == 1
    assert proc.stderr.decode() == "out.ipynb: cell 3: source (1 conflicting region)\n"
    nb = valid((tmp_path / "out.ipynb").read_bytes())
    assert "".join(nb["cells"][2]["source"]) == "<<<< mine\nb = 'l'\n|||| orig\nb = 2\n====\nb = 'r'\n>>>> yours\n"
    listed = nbgit(tmp_path, "conflicts", "out.ipynb")
    assert listed.returncode == 1 and listed.stdout.decode() == "out.ipynb: cell 3: source (1 conflicting region)\n"


def test_merge_errors(tmp_path):
    b = base()
    write(tmp_path, base=b, local=b)
    proc = nbgit(tmp_path, "merge", "base.ipynb", "local.ipynb", "nope.ipynb")
    assert proc.returncode == 2 and proc.stderr.decode() == "nbgit merge: error: nope.ipynb: cannot read (No such file or directory)\n"
    (tmp_path / "broken.ipynb").write_bytes(b"{\n")
    proc = nbgit(tmp_path, "merge", "base.ipynb", "local.ipynb", "broken.ipynb")
    # ours did not change the file: git's text merge is clean (theirs' bytes), and that is the result
    assert proc.returncode == 0 and b"using git's text merge" in proc.stderr and proc.stdout == b"{\n"
    write(tmp_path, local=variant(b, 2, "b = 'ours'\n"))
    proc = nbgit(tmp_path, "merge", "base.ipynb", "local.ipynb", "broken.ipynb")
    assert proc.returncode == 1 and b"recorded in metadata.nbgit.conflicts" in proc.stderr
    assert valid(proc.stdout)["metadata"]["nbgit"]["conflicts"][0]["remote"] == "{\n"


def test_merge_ours_theirs_resolve_every_conflict(tmp_path):
    b = base()
    b["metadata"]["k"] = 0
    local, remote = variant(b, 1, "a = 'l'\nprint(a)\n"), variant(b, 1, "a = 'r'\nprint(a)\n")
    local["metadata"]["k"], remote["metadata"]["k"] = 1, 2
    local["cells"].pop(2)
    remote["cells"][2]["source"] = ["b = 'edited'\n"]
    write(tmp_path, base=b, local=local, remote=remote)
    plain = nbgit(tmp_path, "merge", "base.ipynb", "local.ipynb", "remote.ipynb")
    assert plain.returncode == 1
    for flag, a, k, cells in (("--ours", "a = 'l'\nprint(a)\n", 1, 2), ("--theirs", "a = 'r'\nprint(a)\n", 2, 3)):
        proc = nbgit(tmp_path, "merge", flag, "base.ipynb", "local.ipynb", "remote.ipynb")
        assert proc.returncode == 0, proc.stderr
        nb = valid(proc.stdout)
        assert "".join(nb["cells"][1]["source"]) == a and nb["metadata"]["k"] == k and len(nb["cells"]) == cells
        assert "nbgit" not in nb["metadata"]


def test_fix_repairs_a_text_merged_notebook(tmp_path):
    b = base()
    write(tmp_path, base=b, local=variant(b, 1, "a = 'l'\nprint(a)\n"), remote=variant(b, 1, "a = 'r'\nprint(a)\n"))
    for style in ([], ["--diff3"]):
        text = subprocess.run(
            ["git", "merge-file", "-p", *style, "-L", "HEAD", "-L", "base", "-L", "topic",
             "local.ipynb", "base.ipynb", "remote.ipynb"], cwd=tmp_path, capture_output=True,
        ).stdout
        assert b"<<<<<<< HEAD" in text
        (tmp_path / "broken.ipynb").write_bytes(text)
        listed = nbgit(tmp_path, "conflicts", "broken.ipynb")
        assert listed.returncode == 1 and b"nbgit fix broken.ipynb" in listed.stdout
        proc = nbgit(tmp_path, "fix", "--backup", "broken.ipynb")
        assert proc.returncode == 1, proc.stderr
        nb = valid((tmp_path / "broken.ipynb").read_bytes())
        assert "".join(nb["cells"][1]["source"]) == "<<<<<<< HEAD\na = 'l'\n=======\na = 'r'\n>>>>>>> topic\nprint(a)\n"
        assert [c["source"] for c in nb["cells"][::2]] == [["# T\n"], ["b = 2\n"]]
        assert (tmp_path / "broken.ipynb.orig").read_bytes() == text
        (tmp_path / "broken.ipynb.orig").unlink()
    assert nbgit(tmp_path, "fix", "broken.ipynb").returncode == 0  # already valid: nothing to do


def test_fix_refuses_and_leaves_file_unchanged(tmp_path):
    text = b'{\n "cells": [\n<<<<<<< HEAD\n  {"cell_type": \n=======\n  1,\n>>>>>>> topic\n ]\n}\n'
    (tmp_path / "x.ipynb").write_bytes(text)
    proc = nbgit(tmp_path, "fix", "x.ipynb")
    assert proc.returncode == 2 and b"left unchanged" in proc.stderr
    assert (tmp_path / "x.ipynb").read_bytes() == text
    (tmp_path / "y.ipynb").write_bytes(b"not json at all\n")
    proc = nbgit(tmp_path, "fix", "y.ipynb")
    assert proc.returncode == 2 and b"no git conflict markers" in proc.stderr


def test_conflicts_defaults_to_tracked_notebooks(repo):
    b = base()
    repo.write("ok.ipynb", jupyter_bytes(b))
    bad = variant(b, 1, "<<<<<<< nbgit: deleted in theirs, modified in ours; delete this line\na = 1\n")
    bad["metadata"]["nbgit"] = {"conflicts": [{"path": "metadata.kernelspec", "local": 1, "remote": 2}]}
    repo.write("sub/bad.ipynb", jupyter_bytes(bad))
    repo.commit("add")
    proc = repo.nbgit("conflicts", check=False)
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines() == [
        "sub/bad.ipynb: notebook: notebook-metadata (metadata.kernelspec)",
        "sub/bad.ipynb: cell 2: delete/modify (see the cell's first line)",
    ]
    assert repo.nbgit("conflicts", "ok.ipynb", check=False).returncode == 0
    assert repo.nbgit("conflicts", "missing.ipynb", check=False).returncode == 2
