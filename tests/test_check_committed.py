"""nbgit check looks at what git will commit: outputs the filter strips are no problem, and
`--fix` never deletes them; the staged blob is what must be clean."""

from __future__ import annotations

import pytest

from nbfactory import dirty_notebook, jupyter_bytes
from nbgit.notebook.clean import clean_bytes

DIRTY = jupyter_bytes(dirty_notebook())


@pytest.fixture
def committed(installed_repo):
    """A notebook committed through the filter; its working copy keeps its outputs."""
    r = installed_repo
    r.write("a.ipynb", DIRTY)
    r.commit("nb")
    assert r.blob("HEAD:a.ipynb") == clean_bytes(DIRTY)
    assert r.read("a.ipynb") == DIRTY
    return r


def test_outputs_in_the_working_copy_pass_when_the_filter_strips_them(committed):
    r = committed
    proc = r.nbgit("check", "--no-validate")
    assert proc.returncode == 0, proc.stdout
    assert b"all good" in proc.stderr
    assert r.nbgit("check", "--no-validate", "a.ipynb").returncode == 0  # as the pre-commit hook runs it
    proc = r.nbgit("check", "--no-validate", "--fix", "a.ipynb")
    assert proc.returncode == 0 and b"cleaned" not in proc.stdout
    assert r.read("a.ipynb") == DIRTY  # the user's outputs are still there


def test_untracked_notebook_with_outputs_passes_too(committed):
    r = committed
    r.write("new.ipynb", DIRTY)
    assert r.nbgit("check", "--no-validate", "new.ipynb").returncode == 0


def test_staged_blob_added_without_the_filter_is_reported(repo):
    r = repo
    r.write("a.ipynb", DIRTY)
    r.commit("added before nbgit was installed")
    r.nbgit("install")
    proc = r.nbgit("check", "--no-validate", "--fix", "a.ipynb", check=False)
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert "a.ipynb:1: staged version not clean (3 cells with outputs, 3 execution counts)" in out
    assert "nbgit renormalize" in out and "--fix" not in out
    assert r.read("a.ipynb") == DIRTY  # --fix did not touch the working copy
    r.nbgit("renormalize", "a.ipynb")
    assert r.nbgit("check", "--no-validate", "a.ipynb").returncode == 0
    assert r.read("a.ipynb") == DIRTY


def test_other_checks_still_look_at_the_working_copy(committed):
    r = committed
    r.write("a.ipynb", DIRTY.replace(b'"cells": [', b'"cells": [\n<<<<<<< HEAD', 1))
    proc = r.nbgit("check", "--no-validate", "a.ipynb", check=False)
    assert proc.returncode == 1 and b"git conflict markers in the file" in proc.stdout
    r.write("a.ipynb", b'{"cells": [')
    proc = r.nbgit("check", "--no-validate", "a.ipynb", check=False)
    assert proc.returncode == 1 and b"not clean" not in proc.stdout and b"a.ipynb:1:" in proc.stdout


def test_without_the_filter_the_working_copy_is_what_git_commits(committed, tmp_path):
    clone = tmp_path / "clone"
    committed.git("clone", "-q", str(committed.path), str(clone))  # .gitattributes came along, the config did not
    (clone / "a.ipynb").write_bytes(DIRTY)
    from conftest import Repo

    c = Repo(clone)
    proc = c.nbgit("check", "--no-validate", "a.ipynb", check=False)
    assert proc.returncode == 1 and b"not clean (3 cells with outputs" in proc.stdout and b"--fix" in proc.stdout
    c.nbgit("check", "--no-validate", "--fix", "a.ipynb")
    assert c.read("a.ipynb") == clean_bytes(DIRTY)


def test_notebook_not_routed_to_nbgit_is_checked_as_it_is(committed):
    r = committed
    r.write(".git/info/attributes", "a.ipynb -filter\n")
    proc = r.nbgit("check", "--no-validate", "a.ipynb", check=False)
    assert proc.returncode == 1 and b"not clean (3 cells with outputs" in proc.stdout
