"""Other git implementations against nbgit's configuration: dulwich (pure Python) and pygit2 (libgit2).

What these tests pin down (README, "nbgit in real repositories"):

* dulwich's porcelain ``add``/``status``/``commit`` honour ``filter.nbgit.process``
  (the same long-running protocol git speaks) and fall back to ``filter.nbgit.clean``;
  it runs the filter at the repository root, so ``[tool.nbgit]`` is read; a missing
  interpreter is an exception, never a silent unfiltered add. Limits: it sends an
  empty ``pathname`` for clean requests (nbgit's warnings cannot name the file), and it
  never reads the filter's stderr, so a filter writing more than a pipe buffer of
  warnings (~64 kB: hundreds of unreadable notebooks in one add) blocks for ever.
* pygit2/libgit2 runs no external filter drivers: ``index.add`` stores the notebook
  as it is on disk and ``status`` reports an outputs-only change as modified. Reading
  blobs of revisions is exact (``git cat-file``), which is all ``nbgit diff``/``review``
  need: committed notebooks are already clean, and they clean the work-tree side themselves.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nbfactory import dirty_notebook, jupyter_bytes
from nbgit.notebook.clean import clean_bytes

porcelain = pytest.importorskip("dulwich.porcelain")
from dulwich.repo import Repo as DulwichRepo  # noqa: E402

DIRTY = jupyter_bytes(dirty_notebook())


def staged(path, name: str) -> bytes:
    r = DulwichRepo(str(path))
    try:
        return r[r.open_index()[name.encode()].sha].data
    finally:
        r.close()


@pytest.fixture
def nbrepo(installed_repo):
    installed_repo.commit("nbgit", ".gitattributes")
    return installed_repo


TEE = """
import sys
from nbgit.git.filter import serve
raw = sys.stdin.buffer
class Tee:
    def read(self, n):
        data = raw.read(n)
        with open(sys.argv[1], "ab") as fh:
            fh.write(data)
        return data
sys.exit(serve(Tee(), sys.stdout.buffer, sys.stderr))
"""


def test_dulwich_add_speaks_the_process_protocol(nbrepo, tmp_path):
    script, log = tmp_path / "tee.py", tmp_path / "transcript"
    script.write_text(TEE)
    nbrepo.git("config", "filter.nbgit.process", f"{sys.executable} {script} {log}")
    nbrepo.write("a.ipynb", DIRTY)
    porcelain.add(str(nbrepo.path), paths=[str(nbrepo.path / "a.ipynb")])
    assert staged(nbrepo.path, "a.ipynb") == clean_bytes(DIRTY)
    transcript = log.read_bytes()
    assert transcript.startswith(b"0015git-filter-client")  # no trailing newline, unlike git's
    assert b"command=clean" in transcript
    # dulwich sends no path with clean requests: nbgit's warnings cannot name the file
    assert b"000dpathname=0000" in transcript


def test_dulwich_clean_command_fallback(nbrepo):
    nbrepo.git("config", "--unset", "filter.nbgit.process")
    nbrepo.write("a.ipynb", DIRTY)
    porcelain.add(str(nbrepo.path), paths=[str(nbrepo.path / "a.ipynb")])
    assert staged(nbrepo.path, "a.ipynb") == clean_bytes(DIRTY)


def test_dulwich_status_and_commit_agree_with_git(nbrepo):
    nbrepo.write("a.ipynb", DIRTY)
    porcelain.add(str(nbrepo.path), paths=[str(nbrepo.path / "a.ipynb")])
    porcelain.commit(str(nbrepo.path), message=b"by dulwich", author=b"T <t@example.com>", committer=b"T <t@example.com>")
    assert nbrepo.blob("HEAD:a.ipynb") == clean_bytes(DIRTY)
    assert nbrepo.out("status", "--porcelain") == ""
    os.utime(nbrepo.path / "a.ipynb", (5, 5))
    assert porcelain.status(str(nbrepo.path)).unstaged == []  # outputs in the file, nothing to commit
    nbrepo.write("a.ipynb", DIRTY.replace(b"x = 0", b"x = 9"))
    assert porcelain.status(str(nbrepo.path)).unstaged == [b"a.ipynb"]


def test_dulwich_runs_the_filter_at_the_root(nbrepo, tmp_path, monkeypatch):
    nbrepo.write(".nbgit.toml", "keep_outputs = true\n")
    nbrepo.write("sub/a.ipynb", DIRTY)
    monkeypatch.chdir(tmp_path)  # somewhere else entirely
    porcelain.add(str(nbrepo.path), paths=[str(nbrepo.path / "sub" / "a.ipynb")])
    blob = staged(nbrepo.path, "sub/a.ipynb")
    assert b'"output_type"' in blob  # kept, as .nbgit.toml says
    assert b'"execution_count": null' in blob


@pytest.mark.parametrize("required", ["true", "false"])
def test_dulwich_missing_interpreter_is_an_error(nbrepo, required):
    nbrepo.git("config", "filter.nbgit.required", required)
    for key in ("process", "clean"):
        nbrepo.git("config", f"filter.nbgit.{key}", f"/nonexistent/venv/bin/python -m nbgit {key}")
    nbrepo.write("a.ipynb", DIRTY)
    with pytest.raises(Exception):  # FilterError / FileNotFoundError: never a silent unfiltered add
        porcelain.add(str(nbrepo.path), paths=[str(nbrepo.path / "a.ipynb")])
    assert nbrepo.out("ls-files", "--", "a.ipynb") == ""


ADD = "import sys\nfrom dulwich import porcelain\nporcelain.add(sys.argv[1], paths=sys.argv[2:])\n"


def test_dulwich_adds_hundreds_of_unreadable_notebooks(nbrepo):
    """dulwich (1.2) never drains a filter's stderr: a filter writing more than a pipe buffer
    (64 kB) of warnings would block for ever. nbgit prints at most MAX_WARNING_LINES per
    process, so an add of 600 unreadable notebooks (uncapped: ~60 kB+ of warnings) completes."""
    names = []
    for n in range(600):
        name = f"broken-notebook-with-a-long-name-{n:04d}.ipynb"
        nbrepo.write(name, b'{"cells": [' + b"x" * 40)
        names.append(str(nbrepo.path / name))
    # the timeout only guards against a hang; the add takes seconds
    proc = subprocess.run([sys.executable, "-c", ADD, str(nbrepo.path), *names], capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    assert staged(nbrepo.path, "broken-notebook-with-a-long-name-0599.ipynb") == b'{"cells": [' + b"x" * 40


# --- pygit2 / libgit2 -----------------------------------------------------------------------

pygit2 = pytest.importorskip("pygit2")


def test_pygit2_index_add_ignores_external_filters(nbrepo):
    nbrepo.write("a.ipynb", DIRTY)
    repo = pygit2.Repository(str(nbrepo.path))
    repo.index.add("a.ipynb")
    repo.index.write()
    assert nbrepo.blob(":a.ipynb") == DIRTY  # stored with its outputs: libgit2 runs no filter.nbgit


def test_pygit2_status_sees_outputs_only_changes(nbrepo):
    nbrepo.write("a.ipynb", DIRTY)
    nbrepo.commit("a", "a.ipynb")
    rerun = DIRTY.replace(b'"0\\n"', b'"9\\n"')  # an output changes, same size
    assert rerun != DIRTY
    nbrepo.write("a.ipynb", rerun)
    os.utime(nbrepo.path / "a.ipynb", (6, 6))
    repo = pygit2.Repository(str(nbrepo.path))
    assert repo.status_file("a.ipynb") == pygit2.enums.FileStatus.WT_MODIFIED  # libgit2 compares raw bytes
    assert nbrepo.out("status", "--porcelain") == ""  # git asks the filter: nothing to commit


def test_pygit2_reads_revisions_exactly(nbrepo):
    nbrepo.write("a.ipynb", DIRTY)
    nbrepo.commit("a", "a.ipynb")
    nbrepo.write("a.ipynb", DIRTY.replace(b"x = 1", b"x = 10"))
    nbrepo.commit("b", "a.ipynb")
    repo = pygit2.Repository(str(nbrepo.path))
    for rev in ("HEAD", "HEAD~1"):
        assert repo.revparse_single(f"{rev}:a.ipynb").data == nbrepo.blob(f"{rev}:a.ipynb")


def test_nbgit_diff_against_the_work_tree_cleans_it(nbrepo):
    """pygit2 sees an outputs-only change; `nbgit diff` cleans the work tree side, like git."""
    nbrepo.write("a.ipynb", DIRTY)
    nbrepo.commit("a", "a.ipynb")
    nbrepo.write("a.ipynb", jupyter_bytes(dirty_notebook()).replace(b'"0\\n"', b'"rerun\\n"'))
    assert nbrepo.nbgit("diff", "HEAD", check=False).returncode == 0
    nbrepo.write("a.ipynb", DIRTY.replace(b"x = 0", b"x = 9"))
    assert nbrepo.nbgit("diff", "HEAD", check=False).returncode == 1
