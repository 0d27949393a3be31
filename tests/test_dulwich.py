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
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nbfactory import dirty_notebook, jupyter_bytes
from nbgit.cli import available
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


NOISY = textwrap.dedent(
    """
    import sys
    sys.stderr.write("nbgit: warning: x.ipynb: invalid JSON; passed through unchanged\\n" * 3000)
    sys.stderr.flush()
    from nbgit.git.filter import main_process
    sys.exit(main_process())
    """
)
ADD = "import sys\nfrom dulwich import porcelain\nporcelain.add(sys.argv[1], paths=[sys.argv[2]])\n"


def test_dulwich_never_reads_the_filters_stderr(nbrepo, tmp_path):
    """Documented limitation (dulwich 1.2): stderr=PIPE, never drained. ~200 kB of warnings
    fill the pipe, the filter blocks writing them, dulwich blocks reading its answer."""
    noisy = tmp_path / "noisy.py"
    noisy.write_text(NOISY)
    nbrepo.git("config", "filter.nbgit.process", f"{sys.executable} {noisy}")
    nbrepo.write("a.ipynb", DIRTY)
    proc = subprocess.Popen([sys.executable, "-c", ADD, str(nbrepo.path), str(nbrepo.path / "a.ipynb")])
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        hung = True
    else:
        hung = False
    finally:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        for pid in [proc.pid, *map(int, pids)]:  # dulwich and the filter it started, by id
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()
    assert hung, "dulwich no longer hangs on a chatty filter: update README's dulwich notes"


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


@pytest.mark.skipif(not available("diff"), reason="this nbgit has no `nbgit diff` yet")
def test_nbgit_diff_against_the_work_tree_cleans_it(nbrepo):
    """pygit2 sees an outputs-only change; `nbgit diff` cleans the work tree side, like git."""
    nbrepo.write("a.ipynb", DIRTY)
    nbrepo.commit("a", "a.ipynb")
    nbrepo.write("a.ipynb", jupyter_bytes(dirty_notebook()).replace(b'"0\\n"', b'"rerun\\n"'))
    assert nbrepo.nbgit("diff", "HEAD", check=False).returncode == 0
    nbrepo.write("a.ipynb", DIRTY.replace(b"x = 0", b"x = 9"))
    assert nbrepo.nbgit("diff", "HEAD", check=False).returncode == 1
