"""The merge driver in the odd places of real repositories (full `nbgit install`).

test_matrix_filter.py runs stash/rebase/cherry-pick/revert/squash/modify-delete with and
without the driver; here are the cases that only make sense with it: unusual paths passed
as %P, worktrees, submodules, CRLF work trees, renames on one side, nbformat 3 on one
side, empty notebooks, `checkout -m`, and conflicts left inside a valid notebook through
an interactive rebase. Invariants as there: stored notebooks are clean, conflicts are
reported by git and leave a notebook that opens, `git fsck` is happy.
"""

from __future__ import annotations

import json
import os

import pytest

from conftest import Repo
from nbfactory import jupyter_bytes, v3_notebook
from test_matrix_filter import (
    SOURCES,
    assert_clean_tree,
    assert_consistent,
    assert_quiet,
    conflicted,
    edited,
    nb_bytes,
    setup_repo,
    sources_of,
)



@pytest.fixture
def mrepo(repo) -> Repo:
    return setup_repo(repo, "nbgit")


def fork(repo: Repo, path: str, ours: list[str], theirs: list[str], base: list[str] = SOURCES) -> None:
    """base on main; `feature` changes it to ``theirs``; main to ``ours`` (each with fresh outputs)."""
    for branch, sources, tag in (("main", base, ""), ("feature", theirs, "theirs"), ("main", ours, "ours")):
        if branch == "feature":
            repo.git("checkout", "-q", "-b", "feature")
        elif tag:
            repo.git("checkout", "-q", "main")
        repo.write(path, nb_bytes(sources, tag=tag))
        repo.git("add", "--", path)
        repo.git("commit", "-qm", tag or "base")


def assert_valid_notebook(data: bytes) -> dict:
    nb = json.loads(data)
    assert nb["nbformat"] == 4 and isinstance(nb["cells"], list)
    return nb


@pytest.mark.parametrize(
    "path",
    ["dir with space/it's ü.ipynb", "$(touch pwned)/`x` ;&|.ipynb", "ノート/\"quoted\".ipynb", "-dash.ipynb"],
    ids=["space-quote-unicode", "shell-metacharacters", "double-quotes", "leading-dash"],
)
def test_unusual_paths_reach_the_driver_intact(mrepo, path):
    fork(mrepo, path, edited(0, "ours\n"), edited(0, "theirs\n"))
    proc = mrepo.git("merge", "feature", check=False)
    assert proc.returncode == 1 and conflicted(mrepo) == [path]
    # the driver names the path git passed as %P (shell-quoted by git), exactly
    assert path in proc.stderr.decode()
    assert not (mrepo.path / "pwned").exists()
    nb = assert_valid_notebook(mrepo.read(path))
    assert "ours" in "".join(nb["cells"][0]["source"]) and "theirs" in "".join(nb["cells"][0]["source"])
    mrepo.git("merge", "--abort")
    assert_quiet(mrepo)
    assert_consistent(mrepo)


def test_clean_merge_in_a_worktree(mrepo, tmp_path):
    fork(mrepo, "nb.ipynb", edited(0, "ours\n"), edited(5, "theirs\n"))
    wt = Repo(tmp_path / "wt")
    mrepo.git("worktree", "add", "-q", "-b", "merging", str(wt.path), "main")
    wt.git("merge", "-q", "--no-edit", "feature")
    srcs = sources_of(wt.blob("HEAD:nb.ipynb"))
    assert srcs[0] == "ours\n" and srcs[5] == "theirs\n"
    assert_clean_tree(wt)
    assert wt.out("status", "--porcelain") == ""
    mrepo.git("worktree", "remove", str(wt.path))
    assert_consistent(mrepo)


def test_conflict_inside_a_submodule(mrepo, tmp_path):
    sub = Repo(tmp_path / "sub")
    sub.path.mkdir()
    sub.git("init", "-q", "-b", "main")
    setup_repo(sub, "nbgit")
    fork(sub, "inner.ipynb", edited(2, "ours\n"), edited(2, "theirs\n"))
    mrepo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "sub")
    mrepo.git("commit", "-qm", "submodule")
    inner = Repo(mrepo.path / "sub")
    inner.nbgit("install", "--info")  # drivers are per clone
    inner.git("fetch", "-q", "origin", "feature:feature")
    proc = inner.git("merge", "feature", check=False)
    assert proc.returncode == 1 and conflicted(inner) == ["inner.ipynb"]
    nb = assert_valid_notebook(inner.read("inner.ipynb"))
    assert "<<<<<<<" in "".join(nb["cells"][2]["source"])
    inner.write("inner.ipynb", nb_bytes(edited(2, "both\n")))
    inner.git("add", "inner.ipynb")
    inner.git("commit", "-qm", "resolved")
    assert_clean_tree(inner)


def test_autocrlf_merge(mrepo):
    mrepo.git("config", "core.autocrlf", "true")
    fork(mrepo, "win.ipynb", edited(0, "ours\n"), edited(4, "theirs\n"))
    mrepo.git("merge", "-q", "--no-edit", "feature")
    blob = mrepo.blob("HEAD:win.ipynb")
    assert b"\r\n" not in blob
    srcs = sources_of(blob)
    assert srcs[0] == "ours\n" and srcs[4] == "theirs\n"
    assert b"\r\n" in mrepo.read("win.ipynb")  # the work tree keeps Windows line endings
    assert_clean_tree(mrepo)
    os.utime(mrepo.path / "win.ipynb", (8, 8))
    assert_quiet(mrepo)


def test_rename_on_one_side_edit_on_the_other(mrepo):
    fork(mrepo, "old name.ipynb", edited(0, "ours\n"), edited(5, "theirs\n"))
    mrepo.git("checkout", "-q", "feature")
    mrepo.git("mv", "old name.ipynb", "New Name.ipynb")
    mrepo.git("commit", "-qm", "rename")
    mrepo.git("checkout", "-q", "main")
    mrepo.git("merge", "-q", "--no-edit", "feature")
    assert sorted(p for p in mrepo.out("ls-files").split("\n") if p.endswith(".ipynb")) == ["New Name.ipynb"]
    srcs = sources_of(mrepo.blob("HEAD:New Name.ipynb"))
    assert srcs[0] == "ours\n" and srcs[5] == "theirs\n"
    assert_clean_tree(mrepo)
    assert_quiet(mrepo)


def test_case_only_rename_with_edits(mrepo):
    fork(mrepo, "Report.ipynb", edited(1, "ours\n"), edited(3, "theirs\n"))
    mrepo.git("checkout", "-q", "feature")
    mrepo.git("mv", "Report.ipynb", "report.ipynb")
    mrepo.git("commit", "-qm", "lower case")
    mrepo.git("checkout", "-q", "main")
    mrepo.git("merge", "-q", "--no-edit", "feature")
    srcs = sources_of(mrepo.blob("HEAD:report.ipynb"))
    assert srcs[1] == "ours\n" and srcs[3] == "theirs\n"
    assert_clean_tree(mrepo)


def test_nbformat_3_on_one_side(mrepo):
    v3 = jupyter_bytes(v3_notebook())
    mrepo.write("old.ipynb", v3)
    mrepo.commit("v3", "old.ipynb")
    mrepo.git("checkout", "-q", "-b", "upgrade")
    mrepo.write(".nbgit.toml", "upgrade_v3 = true\n")
    mrepo.git("add", ".nbgit.toml")
    mrepo.git("add", "--renormalize", "old.ipynb")  # upgraded to v4 by the filter
    mrepo.git("commit", "-qm", "upgrade")
    assert json.loads(mrepo.blob("HEAD:old.ipynb"))["nbformat"] == 4
    mrepo.git("checkout", "-q", "main")
    edited_v3 = v3_notebook()
    edited_v3["worksheets"][0]["cells"][2]["source"] = "Edited *text*"
    mrepo.write("old.ipynb", jupyter_bytes(edited_v3))
    mrepo.commit("edit v3", "old.ipynb")
    proc = mrepo.git("merge", "--no-edit", "upgrade", check=False)
    assert proc.returncode == 0, proc.stderr  # mixed nbformat 3/4 sides are upgraded for the merge
    nb = assert_valid_notebook(mrepo.blob("HEAD:old.ipynb"))
    assert "Edited *text*" in json.dumps(nb)
    assert_clean_tree(mrepo)


@pytest.mark.parametrize("ours, theirs", [(b"", b"{}"), (b"", None), (b'{"cells": [', None)], ids=["empty-vs-object", "empty-vs-notebook", "broken-vs-notebook"])
def test_add_add_with_empty_or_broken_notebooks(mrepo, ours, theirs):
    theirs = nb_bytes(SOURCES) if theirs is None else theirs
    mrepo.write("base.txt", "x\n")
    mrepo.commit("base", "base.txt")
    mrepo.git("checkout", "-q", "-b", "feature")
    mrepo.write("e.ipynb", theirs)
    mrepo.commit("theirs", "e.ipynb")
    mrepo.git("checkout", "-q", "main")
    mrepo.write("e.ipynb", ours)
    mrepo.commit("ours", "e.ipynb")
    proc = mrepo.git("merge", "feature", check=False)
    assert b"Traceback" not in proc.stderr
    if not ours:
        # ours added an empty file: git's text merge (empty base) is clean and takes theirs; so does nbgit
        assert proc.returncode == 0, proc.stderr
        assert mrepo.blob("HEAD:e.ipynb") == mrepo.blob("feature:e.ipynb")
        assert b"git's text merge of the file is clean" in proc.stderr
        assert_consistent(mrepo)
        return
    assert proc.returncode == 1 and conflicted(mrepo) == ["e.ipynb"]
    data = mrepo.read("e.ipynb")
    assert data  # never emptied: both sides' bytes are there for the user
    nb = assert_valid_notebook(data)  # theirs (a notebook), ours' text recorded: never JSON with text markers
    assert nb["metadata"]["nbgit"]["conflicts"][-1]["local"] == ours.decode()
    mrepo.git("merge", "--abort")
    assert mrepo.read("e.ipynb") == ours
    assert_consistent(mrepo)


def test_checkout_merge_carries_local_edits(mrepo):
    fork(mrepo, "nb.ipynb", edited(0, "ours\n"), edited(5, "theirs\n"))
    mrepo.write("nb.ipynb", nb_bytes(edited(2, "uncommitted\n", edited(0, "ours\n")), tag="local run"))
    mrepo.git("checkout", "-q", "-m", "feature")
    srcs = sources_of(mrepo.read("nb.ipynb"))
    assert srcs[2] == "uncommitted\n" and srcs[5] == "theirs\n"
    assert mrepo.out("rev-parse", "--abbrev-ref", "HEAD").strip() == "feature"
    assert_clean_tree(mrepo, "feature")


def test_interactive_rebase_conflicts_stay_in_cells(mrepo):
    fork(mrepo, "nb.ipynb", edited(3, "main\n"), edited(3, "topic one\n"))
    mrepo.git("checkout", "-q", "feature")
    mrepo.write("nb.ipynb", nb_bytes(edited(4, "topic two\n", edited(3, "topic one\n"))))
    mrepo.commit("two", "nb.ipynb")
    editor = "sed -i -e '2s/^pick/reword/'"
    proc = mrepo.git("rebase", "-i", "main", check=False, env={"GIT_SEQUENCE_EDITOR": editor, "GIT_EDITOR": "true"})
    assert proc.returncode != 0 and conflicted(mrepo) == ["nb.ipynb"]
    nb = assert_valid_notebook(mrepo.read("nb.ipynb"))
    assert "<<<<<<<" in "".join(nb["cells"][3]["source"])
    listing = mrepo.nbgit("conflicts", "nb.ipynb", check=False)
    assert listing.returncode == 1 and b"nb.ipynb" in listing.stdout
    mrepo.write("nb.ipynb", nb_bytes(edited(3, "main and topic\n")))
    mrepo.git("add", "nb.ipynb")
    mrepo.git("rebase", "--continue", env={"GIT_EDITOR": "true"})
    srcs = sources_of(mrepo.blob("HEAD:nb.ipynb"))
    assert srcs[3] == "main and topic\n" and srcs[4] == "topic two\n"
    assert_clean_tree(mrepo)
    assert_consistent(mrepo)


def test_merge_squash_with_conflict(mrepo):
    fork(mrepo, "nb.ipynb", edited(1, "ours\n"), edited(1, "theirs\n"))
    proc = mrepo.git("merge", "--squash", "feature", check=False)
    assert proc.returncode == 1 and conflicted(mrepo) == ["nb.ipynb"]
    assert_valid_notebook(mrepo.read("nb.ipynb"))
    mrepo.git("reset", "-q", "--hard")
    assert_quiet(mrepo)
