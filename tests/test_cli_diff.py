"""`nbgit diff` end to end: two files, revisions of real git repositories, git's external diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import read_pty
from nbfactory import code_cell, image, jupyter_bytes, markdown_cell, notebook, stream

BASE = notebook(
    [
        markdown_cell("# Analysis\nSome words here.\n", id="m1"),
        code_cell("import numpy as np\nx = np.arange(10)\nprint(x)\n", id="c1"),
        code_cell("def f(a, b):\n    return a + b\n", id="c2"),
        code_cell("to_be_deleted()\n", id="c3"),
    ]
)


def edited() -> dict:
    nb = json.loads(json.dumps(BASE))
    cells = nb["cells"]
    cells[1]["source"] = ["import numpy as np\n", "x = np.arange(20)\n", "print(x)\n"]
    del cells[3]
    cells.append(code_cell("brand_new_cell()\n", id="c4"))
    return nb


def with_outputs(nb: dict) -> dict:
    nb = json.loads(json.dumps(nb))
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            cell["outputs"] = [stream(f"run {k}\n"), image(k)]
            cell["execution_count"] = k
    return nb


@pytest.fixture
def files(tmp_path):
    a = tmp_path / "a.ipynb"
    b = tmp_path / "b.ipynb"
    a.write_bytes(jupyter_bytes(BASE))
    b.write_bytes(jupyter_bytes(edited()))
    return tmp_path, a, b


def run(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "nbgit", "diff", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        env={**os.environ, **(env or {})},
    )


def test_two_files(files):
    tmp, a, b = files
    proc = run(a, b, cwd=tmp)
    out = proc.stdout.decode()
    assert proc.returncode == 1, proc.stderr
    assert "@@ cell 2 [code] id c1: modified (source) @@" in out
    assert "-x = np.arange(10)\n+x = np.arange(20)\n" in out
    assert "@@ cell a:4 [code] id c3: deleted @@\n-to_be_deleted()" in out
    assert "@@ cell 4 [code] id c4: inserted @@\n+brand_new_cell()" in out
    assert "\x1b[" not in out  # not a terminal: no colour
    same = run(a, a, cwd=tmp)
    assert same.returncode == 0 and same.stdout == b""


def test_colour_word_highlight_and_no_color(files):
    tmp, a, b = files
    coloured = run("--color=always", a, b, cwd=tmp).stdout.decode()
    assert "\x1b[31m" in coloured and "\x1b[32m" in coloured
    # only the changed number is highlighted inside the changed line
    assert "\x1b[7;31m10\x1b[0m" in coloured and "\x1b[7;32m20\x1b[0m" in coloured
    assert "\x1b[" not in run("--color=never", a, b, cwd=tmp).stdout.decode()
    assert "\x1b[" in run("--color", a, b, cwd=tmp).stdout.decode()  # git's bare --color means always
    assert "\x1b[" not in run("--color=auto", a, b, cwd=tmp, env={"NO_COLOR": "1"}).stdout.decode()


def test_moved_cell_is_shown_as_a_move(tmp_path):
    a = tmp_path / "a.ipynb"
    b = tmp_path / "b.ipynb"
    cells = [code_cell(f"step_{k}()\n") for k in range(5)]  # no ids: aligned by content
    a.write_bytes(jupyter_bytes(notebook(cells)))
    b.write_bytes(jupyter_bytes(notebook(cells[1:4] + cells[:1] + cells[4:])))
    proc = run(a, b)
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert "@@ cell 4 [code]: moved from cell 1 @@" in out
    assert "inserted" not in out and "deleted" not in out


def test_outputs_and_metadata_switches(tmp_path):
    a = tmp_path / "a.ipynb"
    b = tmp_path / "b.ipynb"
    nb = with_outputs(BASE)
    a.write_bytes(jupyter_bytes(nb))
    changed = json.loads(json.dumps(nb))
    changed["cells"][1]["outputs"] = [stream("different\n")]
    changed["cells"][2]["metadata"] = {"tags": ["slow"]}
    b.write_bytes(jupyter_bytes(changed))
    full = run(a, b)
    out = full.stdout.decode()
    assert full.returncode == 1
    assert "-    run 1\n" in out and "+    different\n" in out
    assert "-    <image/png 66 B sha1:" in out  # images summarized (decoded size), never dumped
    assert "iVBOR" not in out
    assert '"slow"' in out
    no_out = run("--no-outputs", a, b).stdout.decode()
    assert "different" not in no_out and '"slow"' in no_out
    quiet = run("--no-outputs", "--no-metadata", a, b)
    assert quiet.returncode == 0 and quiet.stdout == b""


def test_json_output(files):
    tmp, a, b = files
    proc = run("--json", a, b, cwd=tmp)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["different"] is True
    (entry,) = doc["files"]
    kinds = [c["kind"] for c in entry["diff"]["cells"]]
    assert kinds == ["unchanged", "modified", "unchanged", "deleted", "inserted"]
    modified = entry["diff"]["cells"][1]
    assert modified["changed"] == ["source"] and modified["id"] == "c1"
    assert ["replace", 1, 2, 1, 2] in modified["source"]
    same = json.loads(run("--json", a, a, cwd=tmp).stdout)
    assert same == {"different": False, "files": []}


def test_unreadable_notebook_is_a_one_line_error(files):
    tmp, a, _ = files
    bad = tmp / "conflicted.ipynb"
    bad.write_text('{\n<<<<<<< HEAD\n "cells": []\n=======\n>>>>>>> other\n}\n')
    proc = run(a, bad, cwd=tmp)
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert err.count("\n") == 1 and "conflicted.ipynb" in err and "conflict markers" in err
    assert "Traceback" not in err


def test_revisions_outside_a_repository(tmp_path):
    proc = run("HEAD", cwd=tmp_path)
    assert proc.returncode == 2
    assert "not inside a git repository" in proc.stderr.decode()


def test_worktree_index_and_revisions(installed_repo):
    repo = installed_repo
    repo.write("nb.ipynb", jupyter_bytes(with_outputs(BASE)))
    repo.write("other/o.ipynb", jupyter_bytes(BASE))
    repo.commit("base")

    # only outputs changed in the work tree: cleaned, nothing would be committed
    rerun = with_outputs(BASE)
    rerun["cells"][1]["outputs"] = [stream("another run\n")]
    repo.write("nb.ipynb", jupyter_bytes(rerun))
    proc = repo.nbgit("diff", check=False)
    assert proc.returncode == 0 and proc.stdout == b"", proc.stderr
    assert repo.nbgit("diff", "--no-clean", check=False).returncode == 1  # as stored, it differs

    repo.write("nb.ipynb", jupyter_bytes(with_outputs(edited())))
    repo.write("other/o.ipynb", jupyter_bytes(edited()))
    proc = repo.nbgit("diff", check=False)
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert "nbgit diff a/nb.ipynb b/nb.ipynb" in out and "nbgit diff a/other/o.ipynb b/other/o.ipynb" in out
    assert "run 1" not in out  # outputs were cleaned away on both sides

    only = repo.nbgit("diff", "--", "other", check=False).stdout.decode()
    assert "other/o.ipynb" in only and "a/nb.ipynb" not in only

    repo.git("add", "nb.ipynb")
    assert "a/nb.ipynb" not in repo.nbgit("diff", check=False).stdout.decode()  # staged now
    cached = repo.nbgit("diff", "--cached", check=False)
    assert cached.returncode == 1 and "nbgit diff a/nb.ipynb b/nb.ipynb" in cached.stdout.decode()
    assert "a/nb.ipynb" in repo.nbgit("diff", "HEAD", check=False).stdout.decode()  # work tree vs HEAD

    repo.git("add", "-A")
    repo.commit("edit")
    for args in (("HEAD~1", "HEAD"), ("HEAD~1..HEAD",), ("HEAD~1...HEAD",)):
        proc = repo.nbgit("diff", *args, check=False)
        assert proc.returncode == 1, args
        assert "-x = np.arange(10)" in proc.stdout.decode()
    back = repo.nbgit("diff", "HEAD", "HEAD~1", "--", "nb.ipynb", check=False).stdout.decode()
    assert "+x = np.arange(10)" in back and "o.ipynb" not in back
    assert repo.nbgit("diff", "HEAD", "HEAD", check=False).returncode == 0


def test_added_deleted_and_renamed_notebooks(repo):
    repo.write("keep.ipynb", jupyter_bytes(BASE))
    repo.write("gone.ipynb", jupyter_bytes(edited()))
    repo.commit("one")
    repo.git("rm", "-q", "gone.ipynb")
    repo.git("mv", "keep.ipynb", "renamed.ipynb")
    repo.write("new.ipynb", jupyter_bytes(notebook([markdown_cell("hello\n")])))
    repo.git("add", "new.ipynb")
    doc = json.loads(repo.nbgit("diff", "--cached", "--json", check=False).stdout)
    status = {f["path"]: f["status"] for f in doc["files"]}
    assert status == {"gone.ipynb": "deleted", "new.ipynb": "added", "renamed.ipynb": "renamed"}
    out = repo.nbgit("diff", "--cached", check=False).stdout.decode()
    assert "nbgit diff /dev/null b/new.ipynb" in out and "+hello" in out
    assert "nbgit diff a/gone.ipynb /dev/null" in out


def test_unknown_revision_names_it(repo):
    repo.write("nb.ipynb", jupyter_bytes(BASE))
    repo.commit("one")
    proc = repo.nbgit("diff", "no-such-branch", check=False)
    assert proc.returncode == 2
    assert proc.stderr.decode() == "nbgit diff: error: no-such-branch: unknown revision or path not in the working tree\n"


def test_nbformat3_notebook_is_upgraded(tmp_path):
    v3 = {
        "metadata": {"name": ""},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1", "language": "python", "metadata": {},
                                   "outputs": [], "prompt_number": 1}], "metadata": {}}],
    }
    a = tmp_path / "old.ipynb"
    a.write_text(json.dumps(v3))
    b = tmp_path / "new.ipynb"
    b.write_bytes(jupyter_bytes(notebook([code_cell("x = 2\n")])))
    proc = run(a, b)
    assert proc.returncode == 1, proc.stderr
    assert "-x = 1" in proc.stdout.decode() and "+x = 2" in proc.stdout.decode()


def test_pager_only_on_a_terminal(files):
    tmp, a, b = files
    env = {"GIT_PAGER": f"{sys.executable} -c \"import sys; sys.stdout.write('PAGED:' + sys.stdin.read())\""}
    piped = run(a, b, cwd=tmp, env=env)
    assert not piped.stdout.startswith(b"PAGED:")  # not a terminal: no pager
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nbgit", "diff", "--color=never", str(a), str(b)],
        stdin=slave, stdout=slave, stderr=slave, cwd=tmp, env={**os.environ, **env},
    )
    os.close(slave)
    out = read_pty(master)
    proc.wait()
    assert out.startswith(b"PAGED:nbgit diff")


def test_install_diff_command_and_git_external_diff(repo):
    proc = repo.nbgit("install", "--diff-command")
    assert proc.returncode == 0
    command = repo.out("config", "--get", "diff.nbgit.command").strip()
    assert command.endswith("-m nbgit diff --git-external")
    repo.write("nb.ipynb", jupyter_bytes(BASE))
    repo.commit("one")
    repo.write("nb.ipynb", jupyter_bytes(edited()))
    out = repo.out("diff")
    assert "nbgit diff a/nb.ipynb b/nb.ipynb" in out  # the 7-argument form
    assert "@@ cell 2 [code] id c1: modified (source) @@" in out
    repo.git("add", "nb.ipynb")
    repo.git("mv", "nb.ipynb", "moved.ipynb")
    out = repo.out("diff", "--cached", "-M", "HEAD")
    assert "nbgit diff a/nb.ipynb b/moved.ipynb" in out  # the 9-argument (rename) form
    assert "+brand_new_cell()" in out
    # textconv again with --no-ext-diff; plain `nbgit install` leaves the command alone
    assert "# %%" in repo.out("diff", "--cached", "--no-ext-diff", "HEAD")
    repo.nbgit("install")
    assert repo.out("config", "--get", "diff.nbgit.command").strip() == command
    repo.nbgit("uninstall")
    assert repo.git("config", "--get", "diff.nbgit.command", check=False).returncode == 1


def test_git_external_diff_falls_back_to_text(repo, tmp_path):
    old = tmp_path / "old"
    old.write_text('{"broken": \n')
    new = tmp_path / "new"
    new.write_bytes(jupyter_bytes(BASE))
    proc = repo.nbgit("diff", "--git-external", "x.ipynb", str(old), "0" * 40, "100644", str(new), "1" * 40,
                      "100644", check=False)
    assert proc.returncode == 0  # git stops the whole diff when an external diff fails
    assert b"--- a/x.ipynb" in proc.stdout and b'-{"broken":' in proc.stdout
    assert b"x.ipynb (old): not a readable notebook" in proc.stderr
    wrong = repo.nbgit("diff", "--git-external", "x.ipynb", check=False)
    assert wrong.returncode == 2


def _conflicting_branches(repo) -> None:
    repo.write("nb.ipynb", jupyter_bytes(BASE))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "other")
    theirs = json.loads(json.dumps(BASE))
    theirs["cells"][1]["source"] = ["import numpy as np\n", "x = np.arange(11)\n", "print(x)\n"]
    repo.write("nb.ipynb", jupyter_bytes(theirs))
    repo.commit("theirs")
    repo.git("checkout", "-q", "main")
    ours = json.loads(json.dumps(BASE))
    ours["cells"][1]["source"] = ["import numpy as np\n", "x = np.arange(12)\n", "print(x)\n"]
    repo.write("nb.ipynb", jupyter_bytes(ours))
    repo.commit("ours")
    assert repo.git("merge", "-q", "other", check=False).returncode != 0


def test_during_a_merge_conflict(repo):
    _conflicting_branches(repo)  # no nbgit merge driver: git writes markers into the JSON
    cached = repo.nbgit("diff", "--cached", check=False)
    assert cached.returncode == 1 and cached.stdout.decode() == "* Unmerged path nb.ipynb\n"
    work = repo.nbgit("diff", check=False)
    assert work.returncode == 2
    assert work.stderr.decode() == "nbgit diff: error: nb.ipynb (work tree): not a readable notebook (contains git conflict markers)\n"


def test_during_a_merge_conflict_with_the_merge_driver(installed_repo):
    _conflicting_branches(installed_repo)  # the merge driver leaves a valid notebook
    proc = installed_repo.nbgit("diff", check=False)
    out = proc.stdout.decode()
    assert proc.returncode == 1, proc.stderr
    assert "nbgit diff a/nb.ipynb b/nb.ipynb" in out  # work tree against "ours" (stage 2)
    assert "+<<<<<<<" in out and " x = np.arange(12)" in out
