"""nbgit pair / nbgit sync in real git repositories: content decides, edits are never lost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import contextlib
import io

import pytest
from conftest import Repo
from nbfactory import code_cell, jupyter_bytes, markdown_cell, notebook, stream

from nbgit.cli import main as nbgit_main


def run(repo, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`nbgit ARGS` in ``repo`` in this process (jupytext is imported once per test run, not per call)."""
    path = repo.path if isinstance(repo, Repo) else repo
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(path)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = nbgit_main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(cwd)
    proc = subprocess.CompletedProcess(["nbgit", *args], code, out.getvalue().encode(), err.getvalue().encode())
    if check and code != 0:
        raise AssertionError(f"nbgit {' '.join(args)} failed ({code}):\n{out.getvalue()}\n{err.getvalue()}")
    return proc


def make_nb(*sources: str) -> bytes:
    cells = [markdown_cell("# Analysis\n", id="md-0")]
    for i, src in enumerate(sources):
        cells.append(code_cell(src, id=f"code-{i}", count=i + 1, outputs=[stream(f"out {i}\n")]))
    return jupyter_bytes(notebook(cells))


def cells_of(data: bytes) -> list[dict]:
    return json.loads(data)["cells"]


def sources(data: bytes) -> list[str]:
    return ["".join(c["source"]) for c in cells_of(data)]


def bump_mtime(path) -> None:
    """Make a file look newer than everything else (what a checkout or a stash pop does)."""
    later = time.time() + 10
    os.utime(path, (later, later))


@pytest.fixture
def paired(repo: Repo) -> Repo:
    repo.write("nb.ipynb", make_nb("x = 1\nprint(x)", "y = x * 2"))
    run(repo, "pair", "nb.ipynb")
    repo.commit("paired notebook")
    return repo


def edit_py(repo: Repo, old: str, new: str, name: str = "nb.py") -> None:
    text = repo.read(name).decode()
    assert old in text
    repo.write(name, text.replace(old, new))


def edit_ipynb_source(repo: Repo, index: int, new: str, name: str = "nb.ipynb") -> None:
    nb = json.loads(repo.read(name))
    nb["cells"][index]["source"] = new.splitlines(keepends=True)
    repo.write(name, jupyter_bytes(nb))


# --- pairing ------------------------------------------------------------------------------------


def test_pair_writes_text_like_jupytext_and_records_formats(repo):
    import jupytext

    repo.write("nb.ipynb", make_nb("x = 1"))
    out = run(repo, "pair", "nb.ipynb").stdout.decode()
    assert "paired nb.ipynb with nb.py (py:percent)" in out
    nb = json.loads(repo.read("nb.ipynb"))
    assert nb["metadata"]["jupytext"] == {"formats": "ipynb,py:percent"}
    assert nb["cells"][1]["outputs"] == [stream("out 0\n")] and nb["cells"][1]["id"] == "code-0"
    expected = jupytext.writes(jupytext.reads(repo.read("nb.ipynb").decode(), "ipynb"), "py:percent")
    assert repo.read("nb.py").decode() == expected + ("" if expected.endswith("\n") else "\n")
    record = json.loads((repo.path / ".git" / "nbgit" / "sync.json").read_text())
    assert record["pairs"]["nb.ipynb"]["text_path"] == "nb.py"
    assert "sync.json" not in repo.out("status", "--porcelain", "--ignored")
    # jupytext itself agrees the pair is in sync: its --sync rewrites nothing
    before = (repo.read("nb.ipynb"), repo.read("nb.py"))
    subprocess.run([sys.executable, "-m", "jupytext", "--sync", "nb.ipynb"], cwd=repo.path, capture_output=True, check=True)
    assert (repo.read("nb.ipynb"), repo.read("nb.py")) == before


@pytest.mark.parametrize("fmt, name", [("py:light", "nb.py"), ("md", "nb.md"), ("md:myst", "nb.md")])
def test_pair_other_formats(repo, fmt, name):
    repo.write("nb.ipynb", make_nb("x = 1"))
    run(repo, "pair", "--format", fmt, "nb.ipynb")
    assert json.loads(repo.read("nb.ipynb"))["metadata"]["jupytext"]["formats"] == f"ipynb,{fmt}"
    assert b"x = 1" in repo.read(name)
    assert run(repo, "sync", "--check").returncode == 0


def test_pair_never_overwrites_an_existing_text_file(repo):
    repo.write("nb.ipynb", make_nb("x = 1"))
    repo.write("nb.py", "def helper():\n    return 42\n")
    before = (repo.read("nb.ipynb"), repo.read("nb.py"))
    proc = run(repo, "pair", "nb.ipynb", check=False)
    assert proc.returncode == 2
    assert b"nbgit pair: error: nb.py: already exists and is not the text of nb.ipynb" in proc.stderr
    assert (repo.read("nb.ipynb"), repo.read("nb.py")) == before


def test_pair_again_is_a_sync(paired):
    before = (paired.read("nb.ipynb"), paired.read("nb.py"))
    out = run(paired, "pair", "nb.ipynb").stdout.decode()
    assert "already paired with nb.py, in sync" in out
    assert (paired.read("nb.ipynb"), paired.read("nb.py")) == before


def test_config_pair_pairs_every_notebook(repo):
    repo.write(".nbgit.toml", 'pair = "md"\n')
    repo.write("a.ipynb", make_nb("a = 1"))
    repo.write("sub/b.ipynb", make_nb("b = 1"))
    run(repo, "pair")
    assert (repo.path / "a.md").exists() and (repo.path / "sub" / "b.md").exists()
    repo.write("c.ipynb", make_nb("c = 1"))
    check = run(repo, "sync", "--check", check=False)
    assert check.returncode == 1 and b"c.ipynb: not paired" in check.stdout
    assert not (repo.path / "c.md").exists()
    run(repo, "sync")
    assert b"c = 1" in repo.read("c.md")
    assert run(repo, "sync", "--check").returncode == 0


def test_pair_without_notebooks_or_config_is_a_usage_error(repo):
    proc = run(repo, "pair", check=False)
    assert proc.returncode == 2 and b'pair = "py:percent"' in proc.stderr


# --- the edit-loss scenario ---------------------------------------------------------------------


def test_edit_py_then_touch_ipynb_keeps_the_edit(paired):
    edit_py(paired, "y = x * 2", "y = x * 3  # edited in the .py")
    bump_mtime(paired.path / "nb.ipynb")  # the notebook now looks newer than the edit
    run(paired, "sync")
    assert b"y = x * 3  # edited in the .py" in paired.read("nb.py")
    cells = cells_of(paired.read("nb.ipynb"))
    assert "".join(cells[2]["source"]) == "y = x * 3  # edited in the .py"
    assert cells[2]["id"] == "code-1" and cells[2]["outputs"] == [stream("out 1\n")]  # outputs and ids survive
    assert cells[1]["outputs"] == [stream("out 0\n")]


def test_jupytext_sync_loses_that_edit(paired):
    """What nbgit fixes: jupytext --sync trusts modification times, so the .py edit is overwritten."""
    edit_py(paired, "y = x * 2", "y = x * 3  # edited in the .py")
    bump_mtime(paired.path / "nb.ipynb")
    subprocess.run([sys.executable, "-m", "jupytext", "--sync", "nb.ipynb"], cwd=paired.path, capture_output=True, check=True)
    assert b"y = x * 3" not in paired.read("nb.py")  # jupytext's behaviour (1.19): the edit is gone


def test_checkout_rewriting_the_notebook_is_not_a_change(tmp_path):
    repo = Repo(tmp_path / "r")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    run(repo, "install")  # clean filter: the committed notebook has no outputs
    repo.write(".nbgit.toml", "restore_outputs = false\n")  # the output store would put them back
    repo.write("nb.ipynb", make_nb("x = 1", "y = 2"))
    run(repo, "pair", "nb.ipynb")
    repo.commit("paired")
    edit_py(repo, "y = 2", "y = 20")
    (repo.path / "nb.ipynb").unlink()
    # same inputs, outputs gone (the output store off for this checkout): other bytes
    repo.git("checkout", "--", "nb.ipynb", env={"NBGIT_RESTORE_OUTPUTS": "0"})
    assert cells_of(repo.read("nb.ipynb"))[1]["outputs"] == []
    proc = run(repo, "sync")
    assert b"nb.py -> nb.ipynb" in proc.stdout
    assert sources(repo.read("nb.ipynb"))[2] == "y = 20"


def test_running_the_notebook_while_editing_the_py_is_not_a_conflict(paired):
    edit_py(paired, "x = 1", "x = 5")
    nb = json.loads(paired.read("nb.ipynb"))
    nb["cells"][1]["outputs"] = [stream("fresh output\n")]
    nb["cells"][1]["execution_count"] = 42
    nb["cells"][1]["metadata"]["ExecuteTime"] = {"end_time": "now"}
    paired.write("nb.ipynb", jupyter_bytes(nb))
    run(paired, "sync")
    cell = cells_of(paired.read("nb.ipynb"))[1]
    assert "".join(cell["source"]).startswith("x = 5")
    assert cell["outputs"] == [stream("fresh output\n")] and cell["execution_count"] == 42


def test_notebook_edit_goes_to_the_text(paired):
    edit_ipynb_source(paired, 2, "y = x * 7")
    assert b"nb.ipynb -> nb.py" in run(paired, "sync").stdout
    assert b"y = x * 7" in paired.read("nb.py")
    assert run(paired, "sync", "--check").returncode == 0


# --- both sides edited --------------------------------------------------------------------------


def test_both_edited_is_refused_and_changes_nothing(paired):
    edit_py(paired, "x = 1", "x = 'from py'")
    edit_ipynb_source(paired, 1, "x = 'from ipynb'\nprint(x)")  # the same cell: no merge
    before = (paired.read("nb.ipynb"), paired.read("nb.py"))
    record_before = (paired.path / ".git" / "nbgit" / "sync.json").read_bytes()
    proc = run(paired, "sync", check=False)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "both nb.ipynb and nb.py changed since the last sync" in err
    assert "nbgit sync --use py nb.py" in err and "nbgit sync --use ipynb nb.ipynb" in err
    assert (paired.read("nb.ipynb"), paired.read("nb.py")) == before
    assert (paired.path / ".git" / "nbgit" / "sync.json").read_bytes() == record_before
    assert run(paired, "sync", "--check", check=False).returncode == 1

    run(paired, "sync", "--use", "py", "nb.py")
    assert sources(paired.read("nb.ipynb"))[1] == "x = 'from py'\nprint(x)"
    assert sources(paired.read("nb.ipynb"))[2] == "y = x * 2"
    assert run(paired, "sync", "--check").returncode == 0


def test_both_edited_in_different_cells_merge_three_way(paired):
    edit_py(paired, "x = 1", "x = 'from py'")
    edit_ipynb_source(paired, 2, "y = 'from ipynb'")
    proc = run(paired, "sync")
    assert b"merged cell by cell into both files" in proc.stdout
    assert sources(paired.read("nb.ipynb"))[1:] == ["x = 'from py'\nprint(x)", "y = 'from ipynb'"]
    text = paired.read("nb.py").decode()
    assert "x = 'from py'" in text and "y = 'from ipynb'" in text
    assert json.loads(paired.read("nb.ipynb"))["cells"][1]["outputs"]  # the notebook's outputs stay
    assert run(paired, "sync", "--check").returncode == 0


def test_use_ipynb_resolves_toward_the_notebook(paired):
    edit_py(paired, "x = 1", "x = 'from py'")
    edit_ipynb_source(paired, 2, "y = 'from ipynb'")
    run(paired, "sync", "--use", "ipynb")
    assert b"y = 'from ipynb'" in paired.read("nb.py") and b"from py" not in paired.read("nb.py")


def test_both_edited_the_same_way_is_in_sync(paired):
    edit_ipynb_source(paired, 2, "y = 3")
    edit_py(paired, "y = x * 2", "y = 3")
    proc = run(paired, "sync")
    assert proc.returncode == 0 and b"->" not in proc.stdout


def test_text_with_conflict_markers_is_refused(paired):
    edit_py(paired, "y = x * 2", "<<<<<<< HEAD\ny = 1\n=======\ny = 2\n>>>>>>> other")
    before = paired.read("nb.ipynb")
    proc = run(paired, "sync", check=False)
    assert proc.returncode == 2 and b"nbgit sync: error: nb.py: has git conflict markers" in proc.stderr
    assert paired.read("nb.ipynb") == before


def test_unreadable_notebook_is_named(paired):
    paired.write("nb.ipynb", b'{"cells": [')
    proc = run(paired, "sync", check=False)
    assert proc.returncode == 2 and b"nbgit sync: error: nb.ipynb: invalid JSON" in proc.stderr


# --- --check ------------------------------------------------------------------------------------


def test_check_exit_codes_and_writes_nothing(paired):
    assert run(paired, "sync", "--check").returncode == 0
    edit_py(paired, "x = 1", "x = 2")
    before = (paired.read("nb.ipynb"), paired.read("nb.py"))
    proc = run(paired, "sync", "--check", check=False)
    assert proc.returncode == 1 and b"nb.ipynb: out of sync with nb.py" in proc.stdout
    assert (paired.read("nb.ipynb"), paired.read("nb.py")) == before
    run(paired, "sync")
    assert run(paired, "sync", "--check").returncode == 0


def test_nbgit_check_reports_pairs_out_of_sync(paired):
    edit_py(paired, "x = 1", "x = 2")
    proc = run(paired, "check", "--no-validate", "nb.ipynb", check=False)
    assert proc.returncode == 1 and b"out of sync with nb.py" in proc.stdout


# --- clones, pulls, merges ----------------------------------------------------------------------


def clone(origin: Repo, dest) -> Repo:
    subprocess.run(["git", "clone", "-q", str(origin.path), str(dest)], check=True, capture_output=True)
    return Repo(dest)


def test_fresh_clone_equal_sides_are_in_sync(paired, tmp_path):
    other = clone(paired, tmp_path / "clone")
    assert not (other.path / ".git" / "nbgit").exists()
    assert run(other, "sync", "--check").returncode == 0
    run(other, "sync")
    assert (other.path / ".git" / "nbgit" / "sync.json").exists()


def test_fresh_clone_where_git_shows_the_last_sync_carries_the_newer_side(paired, tmp_path):
    edit_py(paired, "x = 1", "x = 99")  # committed without syncing: the notebook last changed when in sync
    paired.commit("edit py only")
    other = clone(paired, tmp_path / "clone")
    proc = run(other, "sync")
    assert b"nb.py -> nb.ipynb" in proc.stdout
    assert sources(other.read("nb.ipynb"))[1] == "x = 99\nprint(x)"


def test_branch_switch_without_hooks_carries_the_py_that_changed(paired):
    paired.git("checkout", "-q", "-b", "topic")
    edit_py(paired, "y = x * 2", "y = x * 3")
    paired.commit("py only on topic")
    paired.git("checkout", "-q", "main")
    run(paired, "sync")
    paired.git("checkout", "-q", "topic")
    assert b"nb.py -> nb.ipynb" in run(paired, "sync").stdout
    assert sources(paired.read("nb.ipynb"))[2] == "y = x * 3"


def test_fresh_clone_different_sides_are_reported_not_guessed(paired, tmp_path):
    nb = json.loads(paired.read("nb.ipynb"))
    nb["cells"][1]["source"] = ["x = 'never in sync'"]
    paired.write("nb.ipynb", jupyter_bytes(nb))
    edit_py(paired, "y = x * 2", "y = 'neither'")
    paired.commit("both edited apart, never synced")  # the last commit touching them holds them out of sync
    other = clone(paired, tmp_path / "clone")
    before = (other.read("nb.ipynb"), other.read("nb.py"))
    proc = run(other, "sync", check=False)
    assert proc.returncode == 1 and b"no record of their last sync" in proc.stderr
    assert (other.read("nb.ipynb"), other.read("nb.py")) == before
    run(other, "sync", "--use", "py")
    assert sources(other.read("nb.ipynb"))[2] == "y = 'neither'"


def test_clone_of_a_repository_that_commits_only_the_text(repo, tmp_path):
    repo.write("nb.ipynb", make_nb("x = 1"))
    run(repo, "pair", "nb.ipynb")
    repo.write(".gitignore", "*.ipynb\n")
    repo.commit("text only")
    other = clone(repo, tmp_path / "clone")
    assert not (other.path / "nb.ipynb").exists()
    assert b"nb.py -> nb.ipynb" in run(other, "sync").stdout
    assert sources(other.read("nb.ipynb")) == sources(repo.read("nb.ipynb"))
    edit_py(other, "x = 1", "x = 3")  # the ignored notebook is still found through its text
    run(other, "sync")
    assert sources(other.read("nb.ipynb"))[1] == "x = 3"


def test_pull_of_synced_changes_needs_nothing(paired, tmp_path):
    other = clone(paired, tmp_path / "clone")
    run(other, "sync")
    edit_py(paired, "y = x * 2", "y = x * 5")
    run(paired, "sync")
    paired.commit("edit")
    other.git("pull", "-q")
    proc = run(other, "sync")
    assert b"->" not in proc.stdout  # both sides changed, and they agree: only the record moves
    assert run(other, "sync", "--check").returncode == 0


@pytest.mark.parametrize("ipynb_merge", ["binary", "git text merge"])
def test_merge_story_merge_the_py_then_sync(paired, tmp_path, ipynb_merge):
    """Two people edit different cells; git merges the .py; the notebook takes our side; sync carries the text."""
    other = clone(paired, tmp_path / "clone")
    run(other, "sync")
    edit_py(paired, "x = 1", "x = 'theirs'")
    run(paired, "sync")
    paired.commit("their edit")
    edit_py(other, "y = x * 2", "y = 'ours'")
    run(other, "sync")
    nb = json.loads(other.read("nb.ipynb"))
    nb["cells"][2]["outputs"] = [stream("our output\n")]
    other.write("nb.ipynb", jupyter_bytes(nb))
    other.commit("our edit")
    if ipynb_merge == "binary":
        (other.path / ".git" / "info").mkdir(exist_ok=True)
        (other.path / ".git" / "info" / "attributes").write_text("*.ipynb -merge\n")  # never line-merge JSON
    merge = other.git("pull", "-q", "--no-rebase", check=False)
    assert b"x = 'theirs'" in other.read("nb.py") and b"y = 'ours'" in other.read("nb.py")  # the .py merged
    if other.out("ls-files", "-u", "nb.ipynb"):  # the notebook conflicted: take our side of it
        assert merge.returncode != 0
        other.git("checkout", "--ours", "nb.ipynb")
    elif ipynb_merge == "binary":
        raise AssertionError("a -merge notebook changed on both sides must conflict")
    run(other, "sync")
    cells = cells_of(other.read("nb.ipynb"))
    assert ["".join(c["source"]) for c in cells[1:]] == ["x = 'theirs'\nprint(x)", "y = 'ours'"]
    assert cells[2]["outputs"] == [stream("our output\n")] and cells[2]["id"] == "code-1"
    other.git("add", "nb.ipynb", "nb.py")
    if merge.returncode != 0:
        other.git("commit", "-q", "--no-edit")
    assert run(other, "sync", "--check").returncode == 0


def test_outside_a_repository_the_record_lives_beside(tmp_path):
    d = tmp_path / "plain"
    d.mkdir()
    (d / "nb.ipynb").write_bytes(make_nb("x = 1"))
    run(d, "pair", "nb.ipynb")
    assert (d / ".nbgit-sync.json").exists()
    (d / "nb.py").write_text((d / "nb.py").read_text().replace("x = 1", "x = 2"))
    bump_mtime(d / "nb.ipynb")
    run(d, "sync")
    assert sources((d / "nb.ipynb").read_bytes())[1] == "x = 2"


# --- hooks --------------------------------------------------------------------------------------


def test_hooks_sync_on_checkout_and_merge(paired):
    run(paired, "install", "--hooks")
    hook = paired.path / ".git" / "hooks" / "post-checkout"
    assert os.access(hook, os.X_OK) and sys.executable in hook.read_text()
    paired.git("checkout", "-q", "-b", "feature")
    edit_py(paired, "y = x * 2", "y = 'feature'")  # committed without syncing
    paired.commit("py only", "nb.py")
    paired.git("checkout", "-q", "main")
    assert sources(paired.read("nb.ipynb"))[2] == "y = x * 2"
    paired.git("checkout", "-q", "feature")  # post-checkout: the .py changed, the notebook follows
    assert sources(paired.read("nb.ipynb"))[2] == "y = 'feature'"
    assert cells_of(paired.read("nb.ipynb"))[2]["outputs"] == [stream("out 1\n")]
    paired.git("checkout", "-q", "-f", "main")
    run(paired, "sync", "--use", "ipynb")
    paired.git("merge", "-q", "feature")  # post-merge (fast-forward)
    assert sources(paired.read("nb.ipynb"))[2] == "y = 'feature'"


def test_hook_conflict_does_not_fail_the_checkout(paired):
    run(paired, "install", "--hooks")
    edit_py(paired, "x = 1", "x = 'py'")
    edit_ipynb_source(paired, 1, "x = 'ipynb'\nprint(x)")  # the same cell on both sides: a conflict
    before = (paired.read("nb.ipynb"), paired.read("nb.py"))
    proc = paired.git("checkout", "-q", "-b", "other")
    assert b"both nb.ipynb and nb.py changed" in proc.stderr
    assert (paired.read("nb.ipynb"), paired.read("nb.py")) == before


def test_hooks_keep_an_existing_shell_hook_and_refuse_others(repo):
    hooks = repo.path / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    mine = "#!/usr/bin/env bash\necho mine >> hook.log\nexec true\n"
    (hooks / "post-checkout").write_text(mine)
    run(repo, "install", "--hooks")
    text = (hooks / "post-checkout").read_text()
    assert text.startswith("#!/usr/bin/env bash\n# >>> nbgit") and text.endswith("echo mine >> hook.log\nexec true\n")
    run(repo, "install", "--hooks")
    assert (hooks / "post-checkout").read_text() == text  # idempotent
    run(repo, "uninstall")
    assert (hooks / "post-checkout").read_text() == mine
    assert not (hooks / "post-merge").exists()

    (hooks / "post-merge").write_text("#!/usr/bin/env python3\nprint('hi')\n")
    proc = run(repo, "install", "--hooks", check=False)
    assert proc.returncode == 2 and b"nbgit install: error: --hooks: " in proc.stderr
    assert b"post-merge exists and is not a shell script" in proc.stderr
    assert (hooks / "post-checkout").read_text() == mine  # refused before writing anything


def test_hooks_need_a_repository_scope(repo):
    proc = run(repo, "install", "--global", "--hooks", check=False)
    assert proc.returncode == 2 and b"--hooks works per repository" in proc.stderr


def test_hook_skips_during_a_rebase(paired):
    git_dir = paired.path / ".git"
    (git_dir / "rebase-merge").mkdir()
    edit_py(paired, "x = 1", "x = 2")
    before = paired.read("nb.ipynb")
    assert run(paired, "sync", "--hook").returncode == 0
    assert paired.read("nb.ipynb") == before
    shutil.rmtree(git_dir / "rebase-merge")
    run(paired, "sync", "--hook")
    assert paired.read("nb.ipynb") != before


def test_sync_of_an_unpaired_notebook_says_how_to_pair_it(paired):
    paired.write("other.ipynb", make_nb("z = 1"))
    edit_py(paired, "x = 1", "x = 2")
    proc = run(paired, "sync", "other.ipynb", "nb.py", check=False)
    assert proc.returncode == 2 and b"other.ipynb: not paired (run `nbgit pair other.ipynb`)" in proc.stderr
    assert sources(paired.read("nb.ipynb"))[1] == "x = 2\nprint(x)"  # the named pair was still synced
    assert run(paired, "sync", "--check").returncode == 0  # and recorded


def test_sync_with_nothing_to_do_never_imports_jupytext(paired):
    run(paired, "sync")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "nbgit", "sync"], cwd=paired.path, capture_output=True)
    assert proc.returncode == 0
    imported = {line.split("|")[-1].strip() for line in proc.stderr.decode().splitlines() if "|" in line}
    assert "nbgit.pair.sync" in imported
    assert not {m for m in imported if m.startswith(("jupytext", "nbformat"))}



def test_use_without_path_settles_conflicts_only(paired):
    paired.write("b.ipynb", make_nb("b = 1"))
    run(paired, "pair", "b.ipynb")
    edit_py(paired, "x = 1", "x = 'py'")
    edit_ipynb_source(paired, 2, "y = 'ipynb'")  # nb: a conflict
    edit_ipynb_source(paired, 1, "b = 'notebook edit'", name="b.ipynb")  # b: only the notebook changed
    run(paired, "sync", "--use", "py")
    assert sources(paired.read("nb.ipynb"))[1:] == ["x = 'py'\nprint(x)", "y = x * 2"]
    assert sources(paired.read("b.ipynb"))[1] == "b = 'notebook edit'"  # kept, and carried to b.py
    assert b"b = 'notebook edit'" in paired.read("b.py")


def test_sync_leaves_pairs_the_repository_does_not_use_and_reports_them(repo):
    """Notebooks whose jupytext metadata names text files never committed: no untracked files appear."""
    for name in ("a", "b"):
        nb = json.loads(make_nb("x = 1"))
        nb["metadata"]["jupytext"] = {"formats": "ipynb,md"}
        repo.write(f"{name}.ipynb", jupyter_bytes(nb))
    repo.commit("notebooks with formats metadata")
    proc = run(repo, "sync")
    assert not (repo.path / "a.md").exists() and not (repo.path / "b.md").exists()
    assert b"not synced: 2 notebooks" in proc.stderr and b"a.ipynb (a.md)" in proc.stderr
    run(repo, "sync", "a.ipynb")  # named: used
    assert (repo.path / "a.md").exists()
    repo.commit("a.md")
    proc = run(repo, "sync")
    assert b"not synced: 1 notebook " in proc.stderr and b"b.ipynb (b.md)" in proc.stderr
    assert not (repo.path / "b.md").exists()
