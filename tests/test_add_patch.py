"""`nbgit add -p/--cells` and `nbgit reset -p/--cells` through real git (and a pseudo-terminal)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import read_pty
from nbfactory import code_cell, markdown_cell, notebook, stream

A = notebook([
    code_cell("import os\nx = 1\ny = 2\nz = 3\nw = 4\nprint(x)\n", id="c1"),
    markdown_cell("# Title\n", id="c2"),
    code_cell("old()\n", id="c3"),
])
B = notebook([
    code_cell("import sys\nx = 1\ny = 2\nz = 3\nw = 4\nprint(x + 1)\n", id="c1", outputs=[stream("2\n")], count=3),
    markdown_cell("# Title\n", id="c2"),
    code_cell("new()\n", id="c4"),
])


def dump(nb: dict) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.fixture
def edited(installed_repo):
    r = installed_repo
    r.write("nb.ipynb", dump(A))
    r.commit("one", "nb.ipynb")
    r.write("nb.ipynb", dump(B))
    return r


def staged(r) -> dict:
    return json.loads(r.blob(":nb.ipynb"))


def sources(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"]]


def index_line(r, path="nb.ipynb") -> str:
    return r.out("ls-files", "-s", "--", path)


def test_add_cells_stages_only_those_cells(edited):
    before = edited.read("nb.ipynb")
    edited.nbgit("add", "--cells", "3", "nb.ipynb")
    nb = staged(edited)
    assert sources(nb) == sources(A)[:2] + ["old()\n", "new()\n"]  # insert taken, deletion (a:3) not
    edited.nbgit("add", "--cells", "a:3", "nb.ipynb")
    assert sources(staged(edited)) == sources(A)[:2] + ["new()\n"]
    assert edited.read("nb.ipynb") == before  # the work tree is never written


def test_add_patch_split_takes_one_line_run(edited):
    edited.nbgit("add", "-p", input=b"s\ny\nn\nn\ny\n")
    nb = staged(edited)
    assert sources(nb)[0] == "import sys\nx = 1\ny = 2\nz = 3\nw = 4\nprint(x)\n"
    assert sources(nb)[2:] == ["old()\n", "new()\n"]
    assert nb["cells"][0]["outputs"] == []  # cleaned as `git add` cleans
    left = edited.nbgit("diff", "--no-pager", "--no-color", check=False).stdout.decode()
    assert "+print(x + 1)" in left and "-old()" in left and "import sys" not in left


def test_accepting_all_stages_what_git_add_stages_and_none_changes_nothing(edited):
    before = index_line(edited)
    edited.nbgit("add", "-p", input=b"d\n")
    assert index_line(edited) == before
    edited.nbgit("add", "-p", input=b"n\nn\nn\n")
    assert index_line(edited) == before
    edited.nbgit("add", "-p", input=b"a\n")
    ours = index_line(edited)
    edited.git("add", "nb.ipynb")
    assert index_line(edited) == ours != before


def test_quit_keeps_earlier_answers(edited):
    edited.nbgit("add", "-p", input=b"n\ny\nq\n")  # source no, deletion yes, quit at the insertion
    assert sources(staged(edited)) == sources(A)[:2]


def test_end_of_input_quits(edited):
    before = index_line(edited)
    out = edited.nbgit("add", "-p", input=b"").stdout.decode()
    assert "Stage this hunk [y,n,q,a,d,s,?]?" in out
    assert index_line(edited) == before


def test_help_and_unknown_keys(edited):
    out = edited.nbgit("add", "-p", input=b"?\nx\nd\n").stdout.decode()
    assert out.count("s - split the current hunk into smaller hunks") == 2
    assert "y - stage this hunk" in out


def test_reset_cells_and_patch(edited):
    edited.git("add", "nb.ipynb")
    full = index_line(edited)
    edited.nbgit("reset", "--cells", "1", "nb.ipynb")
    nb = staged(edited)
    assert sources(nb)[0] == sources(A)[0] and sources(nb)[2] == "new()\n"
    edited.git("add", "nb.ipynb")
    assert index_line(edited) == full
    edited.nbgit("reset", "-p", input=b"a\n")  # unstage everything: exactly `git reset -- nb.ipynb`
    assert edited.blob(":nb.ipynb") == edited.blob("HEAD:nb.ipynb")
    edited.git("add", "nb.ipynb")
    out = edited.nbgit("reset", "-p", input=b"n\ny\nn\n").stdout.decode()
    assert "Unstage this hunk" in out
    assert sources(staged(edited)) == [sources(B)[0], sources(A)[1], "old()\n", "new()\n"]  # deletion unstaged


def test_new_file_only_when_named_and_partial(installed_repo):
    r = installed_repo
    r.write("new.ipynb", dump(B))
    r.git("commit", "-q", "--allow-empty", "-m", "empty")
    r.nbgit("add", "-p", input=b"")
    assert r.out("ls-files") == ""
    r.nbgit("add", "--cells", "2", "new.ipynb")
    nb = json.loads(r.blob(":new.ipynb"))
    assert sources(nb) == ["# Title\n"] and nb["metadata"]["kernelspec"] == B["metadata"]["kernelspec"]
    assert "version" not in nb["metadata"]["language_info"]  # cleaned as `git add` cleans
    r.nbgit("reset", "--cells", "1", "new.ipynb")  # the only staged cell: back to not tracked
    assert r.out("ls-files") == ""


def test_deleted_file(edited):
    os.unlink(edited.path / "nb.ipynb")
    out = edited.nbgit("add", "-p", input=b"y\n").stdout.decode()
    assert "Stage deletion [y,n,q,a,d,?]?" in out
    assert edited.out("ls-files") == ""
    assert edited.nbgit("reset", "-p", input=b"y\n").returncode == 0
    assert index_line(edited).strip()


def test_unmerged_is_refused(installed_repo):
    r = installed_repo
    r.write("nb.ipynb", dump(A))
    r.commit("one", "nb.ipynb")
    r.git("checkout", "-q", "-b", "other")
    r.write("nb.ipynb", dump(notebook([code_cell("theirs\n", id="c1")])))
    r.commit("theirs", "nb.ipynb")
    r.git("checkout", "-q", "main")
    r.write("nb.ipynb", dump(notebook([code_cell("ours\n", id="c1")])))
    r.commit("ours", "nb.ipynb")
    r.git("-c", "merge.nbgit.driver=false", "merge", "-q", "other", check=False)
    assert "nb.ipynb" in r.out("ls-files", "-u")
    proc = r.nbgit("add", "-p", check=False, input=b"y\n")
    assert proc.returncode == 2 and b"nbgit add: error: nb.ipynb: unmerged" in proc.stderr
    assert "nb.ipynb" in r.out("ls-files", "-u")


def test_unreadable_notebook_is_refused_and_kept(edited):
    edited.write("nb.ipynb", '{"cells": [\n<<<<<<< ours\n')
    edited.git("config", "filter.nbgit.required", "false")
    before = index_line(edited)
    proc = edited.nbgit("add", "-p", check=False, input=b"y\n")
    assert proc.returncode == 2 and b"not a readable notebook" in proc.stderr
    assert index_line(edited) == before


def test_control_characters_in_names_are_escaped(installed_repo):
    r = installed_repo
    name = "ev\x1b[31mil.ipynb"
    r.write(name, dump(A))
    r.commit("one", name)
    r.write(name, dump(B))
    out = r.nbgit("add", "-p", input=b"d\n").stdout
    assert b"\x1b[31m" not in out and b"ev\\x1b[31mil.ipynb" in out


def test_cells_errors(edited):
    proc = edited.nbgit("add", "--cells", "x", "nb.ipynb", check=False)
    assert proc.returncode == 2 and b"--cells" in proc.stderr
    proc = edited.nbgit("add", "--cells", "2", "nb.ipynb", check=False)
    assert proc.returncode == 2 and b"none of cells 2" in proc.stderr
    proc = edited.nbgit("add", "--cells", "1", check=False)
    assert proc.returncode == 2


def _run_on_pty(r, args, keys) -> bytes:
    """Run nbgit on a pseudo-terminal, typing one answer after each prompt (a key: no Enter)."""
    import select
    import time

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "nbgit", *args], cwd=r.path, stdin=slave, stdout=slave,
                            stderr=subprocess.PIPE, env={**os.environ, "TERM": "xterm"})
    os.close(slave)
    out = b""
    pending = list(keys)
    deadline = time.monotonic() + 60
    try:
        while pending and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                out += chunk
            if out.count(b"]?") > len(keys) - len(pending):  # a new prompt is waiting
                time.sleep(0.05)
                os.write(master, pending.pop(0))
    finally:
        if time.monotonic() >= deadline:
            proc.kill()
    out += read_pty(master)
    proc.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr.read()
    return out


def test_single_key_and_colour_on_a_terminal(edited):
    edited.git("config", "interactive.singleKey", "true")
    out = _run_on_pty(edited, ["add", "-p"], [b"n", b"y", b"n"])
    assert b"\x1b[1;34m(1/3) Stage this hunk [y,n,q,a,d,s,?]?" in out  # prompt: bold blue, as git
    assert b"\x1b[32m+new()" in out  # the hunk in diff colours
    assert sources(staged(edited)) == sources(A)[:2]


def test_colour_follows_color_interactive(edited):
    edited.git("config", "color.interactive", "never")
    out = _run_on_pty(edited, ["add", "-p"], [b"d\n"])
    assert b"\x1b[" not in out
    edited.git("config", "color.interactive", "always")
    out = edited.nbgit("add", "-p", input=b"d\n").stdout
    assert b"\x1b[1;34m" in out


LINES = ["a = 1\n", "b = 2\n", "print(a)\n", "# note\n", "plot(b)\n"]
cell_src = st.lists(st.sampled_from(LINES), min_size=1, max_size=4).map("".join)


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(cell_src, min_size=1, max_size=5), st.lists(cell_src, min_size=1, max_size=5), st.data())
def test_any_answers_through_git(tmp_path_factory, a_src, b_src, data):
    """Whatever the answers: a valid notebook in the index, `a` = `git add`, all `n` = nothing."""
    from conftest import Repo

    path = tmp_path_factory.mktemp("r")
    r = Repo(path)
    r.git("init", "-q", "-b", "main")
    r.nbgit("install")
    r.write("nb.ipynb", dump(notebook([code_cell(s, id=f"i{k}") for k, s in enumerate(a_src)])))
    r.commit("a", "nb.ipynb")
    r.write("nb.ipynb", dump(notebook([code_cell(s, id=f"i{k}", outputs=[stream("o\n")]) for k, s in enumerate(b_src)])))
    before = index_line(r)
    answers = data.draw(st.lists(st.sampled_from("ynsad"), max_size=12))
    r.nbgit("add", "-p", input="".join(a + "\n" for a in answers).encode())
    import nbformat

    nb = nbformat.reads(r.blob(":nb.ipynb").decode(), as_version=4)
    ids = [c["id"] for c in nb.cells]
    assert len(set(ids)) == len(ids)
    nbformat.validate(nb)
    r.git("read-tree", "HEAD")
    r.nbgit("add", "-p", input=b"n\n" * 40)
    assert index_line(r) == before
    r.nbgit("add", "-p", input=b"a\n")
    ours = index_line(r)
    r.git("add", "nb.ipynb")
    assert index_line(r) == ours


def test_symlinks_and_fifos_in_the_work_tree_are_not_read(edited, tmp_path):
    outside = tmp_path / "secret.ipynb"
    outside.write_text(dump(B))
    os.unlink(edited.path / "nb.ipynb")
    os.symlink(outside, edited.path / "nb.ipynb")
    before = index_line(edited)
    proc = edited.nbgit("add", "-p", check=False, input=b"y\ny\ny\n")
    assert proc.returncode == 2 and b"symlink" in proc.stderr
    assert index_line(edited) == before
    os.unlink(edited.path / "nb.ipynb")
    os.mkfifo(edited.path / "nb.ipynb")
    proc = edited.nbgit("add", "-p", check=False, input=b"y\n")  # must not hang on the FIFO
    assert proc.returncode == 2 and index_line(edited) == before
