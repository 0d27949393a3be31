"""git's diff machinery through nbgit's textconv, in the odd places of real repositories.

Unusual paths, CRLF work trees, empty/broken/v3 notebooks, stashes, conflicts,
renames, worktrees and submodules: `git diff`/`log -p`/`show`/`stash show -p`/`blame`
read cell by cell and never fail with "unable to read files to diff".
"""

from __future__ import annotations

import os

import pytest

from conftest import Repo
from nbfactory import jupyter_bytes, v3_notebook
from test_matrix_filter import SOURCES, edited, nb_bytes, setup_repo


CELL_HEADER = "# %% [code]"


@pytest.fixture
def drepo(repo) -> Repo:
    return setup_repo(repo, "nbgit")


def git_text(repo: Repo, *args: str) -> str:
    proc = repo.git(*args)
    err = proc.stderr.decode()
    assert "unable to read files to diff" not in err and "Traceback" not in err, err
    return proc.stdout.decode()


def commit_bytes(repo: Repo, path: str, data: bytes, msg: str = "c") -> None:
    repo.write(path, data)
    repo.git("add", "--", path)
    repo.git("commit", "-qm", msg)


@pytest.mark.parametrize("quotepath", ["true", "false"])
def test_unicode_and_spaces_in_paths(drepo, quotepath):
    drepo.git("config", "core.quotepath", quotepath)
    path = "données/mon carnet ü.ipynb"
    commit_bytes(drepo, path, nb_bytes(SOURCES))
    drepo.write(path, nb_bytes(edited(2, "changed = True\n")))
    out = git_text(drepo, "diff")
    assert "+changed = True" in out and CELL_HEADER in out
    assert '"' not in out.splitlines()[0] if quotepath == "false" else "\\303" in out.splitlines()[0]
    blame = git_text(drepo, "blame", "--", path)
    assert "x0 = 0" in blame


def test_outputs_only_change_has_no_diff(drepo):
    commit_bytes(drepo, "nb.ipynb", nb_bytes(SOURCES))
    drepo.write("nb.ipynb", nb_bytes(SOURCES, tag="a whole new run"))
    assert git_text(drepo, "diff") == ""
    assert drepo.git("diff", "--quiet", check=False).returncode == 0


def test_crlf_work_tree(drepo):
    drepo.git("config", "core.autocrlf", "true")
    commit_bytes(drepo, "win.ipynb", nb_bytes(SOURCES).replace(b"\n", b"\r\n"))
    drepo.write("win.ipynb", nb_bytes(edited(1, "crlf = 1\n")).replace(b"\n", b"\r\n"))
    out = git_text(drepo, "diff")
    assert "+crlf = 1" in out
    assert "\r" not in out


@pytest.mark.parametrize(
    "before, after",
    [(b"", None), (None, b""), (b"{}", None), (b'{"cells": [', None), (None, b"<<<<<<< HEAD\n{}\n=======\n[]\n>>>>>>> x\n")],
    ids=["empty-to-notebook", "notebook-to-empty", "object-to-notebook", "broken-to-notebook", "notebook-to-markers"],
)
def test_empty_and_broken_sides(drepo, before, after):
    before = nb_bytes(SOURCES) if before is None else before
    after = nb_bytes(SOURCES) if after is None else after
    commit_bytes(drepo, "odd.ipynb", before)
    commit_bytes(drepo, "odd.ipynb", after)
    out = git_text(drepo, "log", "-p", "-1", "--format=")
    assert "diff --git a/odd.ipynb b/odd.ipynb" in out
    git_text(drepo, "show", "HEAD~1")


def test_nbformat_3_and_4_minors(drepo):
    commit_bytes(drepo, "v3.ipynb", jupyter_bytes(v3_notebook()))
    for minor in range(6):
        commit_bytes(drepo, f"v4{minor}.ipynb", nb_bytes(SOURCES, minor=minor))
        drepo.write(f"v4{minor}.ipynb", nb_bytes(edited(0, f"minor = {minor}\n"), minor=minor))
    out = git_text(drepo, "diff")
    for minor in range(6):
        assert f"+minor = {minor}" in out
    assert out.count(CELL_HEADER) >= 6
    assert "Title" in git_text(drepo, "log", "-p", "--format=", "--", "v3.ipynb")


def test_stash_show_and_conflicted_diff(drepo):
    commit_bytes(drepo, "nb.ipynb", nb_bytes(SOURCES))
    drepo.write("nb.ipynb", nb_bytes(edited(1, "stashed\n"), tag="x"))
    drepo.git("stash", "push", "-q")
    # git's `stash show` runs no textconv unless asked (git 2.39): raw JSON by default
    assert '+    "stashed\\n"' in git_text(drepo, "stash", "show", "-p")
    assert "+stashed" in git_text(drepo, "stash", "show", "-p", "--textconv")
    commit_bytes(drepo, "nb.ipynb", nb_bytes(edited(1, "committed\n")))
    drepo.git("stash", "pop", check=False)
    assert drepo.out("diff", "--name-only", "--diff-filter=U") == "nb.ipynb\n"
    out = git_text(drepo, "diff")  # combined diff of a conflicted notebook
    assert "stashed" in out or "committed" in out
    git_text(drepo, "diff", "--cached")
    drepo.git("reset", "-q", "--hard")


def test_renamed_notebook_follows(drepo):
    commit_bytes(drepo, "first.ipynb", nb_bytes(SOURCES))
    drepo.git("mv", "first.ipynb", "second.ipynb")
    drepo.write("second.ipynb", nb_bytes(edited(3, "after rename\n"), tag="new outputs"))
    drepo.git("add", "second.ipynb")
    drepo.git("commit", "-qm", "rename")
    out = git_text(drepo, "log", "-p", "--follow", "-M", "--format=", "--", "second.ipynb")
    assert "rename from first.ipynb" in out and "+after rename" in out
    assert "x3 = 3" in out  # the history before the rename is shown as text too


def test_worktree_and_submodule_diffs(drepo, tmp_path):
    commit_bytes(drepo, "nb.ipynb", nb_bytes(SOURCES))
    wt = Repo(tmp_path / "wt")
    drepo.git("worktree", "add", "-q", "-b", "side", str(wt.path))
    wt.write("nb.ipynb", nb_bytes(edited(0, "in worktree\n")))
    assert "+in worktree" in git_text(wt, "diff")
    drepo.git("worktree", "remove", "--force", str(wt.path))

    sub = Repo(tmp_path / "sub")
    sub.path.mkdir()
    sub.git("init", "-q", "-b", "main")
    setup_repo(sub, "nbgit")
    commit_bytes(sub, "inner.ipynb", nb_bytes(SOURCES))
    drepo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "sub")
    drepo.git("commit", "-qm", "submodule")
    inner = Repo(drepo.path / "sub")
    inner.nbgit("install", "--info")
    inner.write("inner.ipynb", nb_bytes(edited(4, "in submodule\n")))
    out = git_text(drepo, "diff", "--submodule=diff")
    assert "+in submodule" in out and CELL_HEADER in out


def test_textconv_cache_is_consistent(drepo):
    commit_bytes(drepo, "nb.ipynb", nb_bytes(SOURCES))
    commit_bytes(drepo, "nb.ipynb", nb_bytes(edited(2, "cached\n")))
    first = git_text(drepo, "log", "-p", "--format=")
    assert drepo.git("show-ref", "--verify", "--quiet", "refs/notes/textconv/nbgit", check=False).returncode == 0
    os.utime(drepo.path / "nb.ipynb", (9, 9))
    assert git_text(drepo, "log", "-p", "--format=") == first
