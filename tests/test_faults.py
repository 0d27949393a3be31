"""Fault injection: a killed filter, garbage on the filter's pipe, a full disk under the
merge driver, SIGINT in the middle of a merge.

What must hold every time: git reports an error or a conflict, and afterwards the
user's files are byte for byte what they were (or a complete result), the index is
unchanged (or a proper conflict), and ``git fsck`` is happy.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import Repo
from nbfactory import code_cell, jupyter_bytes, notebook, stream
from nbgit.notebook.clean import clean_bytes


def big_notebook(n_cells: int, tag: str = "", edit: dict[int, str] | None = None) -> bytes:
    edit = edit or {}
    cells = [
        code_cell(edit.get(i, f"value_{i} = {i} * 2\nprint(value_{i})\n"), outputs=[stream(f"{tag} {i}\n" * 20)], count=i + 1, id=f"c{i}")
        for i in range(n_cells)
    ]
    return jupyter_bytes(notebook(cells))


def snapshot(repo: Repo, *paths: str) -> tuple[str, dict[str, bytes]]:
    return repo.out("ls-files", "-s"), {p: repo.read(p) for p in paths}


def assert_intact(repo: Repo, before: tuple[str, dict[str, bytes]]) -> None:
    index, files = before
    assert repo.out("ls-files", "-s") == index, "the index changed"
    for path, data in files.items():
        assert repo.read(path) == data, f"{path} changed on disk"
    assert not (repo.path / ".git" / "index.lock").exists()
    repo.git("fsck", "--no-progress", "--no-dangling")


# --- the filter process killed mid-stream ---------------------------------------------------

KILLER = """
import os, signal, sys
from nbgit.git.filter import serve

class DiesAfter:
    def __init__(self, raw, limit):
        self.raw, self.left = raw, limit
    def read(self, n):
        data = self.raw.read(n)
        self.left -= len(data)
        if self.left <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return data

sys.exit(serve(DiesAfter(sys.stdin.buffer, int(sys.argv[1])), sys.stdout.buffer, sys.stderr))
"""


@pytest.fixture
def killer(tmp_path) -> Path:
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    return script


@pytest.fixture
def two_notebooks(installed_repo) -> Repo:
    installed_repo.write("a.ipynb", big_notebook(5))
    installed_repo.write("b.ipynb", big_notebook(600))
    installed_repo.commit("start")
    installed_repo.write("a.ipynb", big_notebook(5, "run", {0: "edited_a = 1\n"}))
    installed_repo.write("b.ipynb", big_notebook(600, "run", {7: "edited_b = 1\n"}))
    return installed_repo


def test_filter_killed_mid_stream(two_notebooks, killer):
    repo = two_notebooks
    before = snapshot(repo, "a.ipynb", "b.ipynb")
    # dies inside the second notebook's content (b is ~400 cells, far past the first packets)
    limit = len(repo.read("a.ipynb")) + 200_000
    assert len(repo.read("b.ipynb")) > 300_000
    repo.git("config", "filter.nbgit.process", f"{sys.executable} {killer} {limit}")
    proc = repo.git("add", "a.ipynb", "b.ipynb", check=False)
    assert proc.returncode != 0
    assert b"filter 'nbgit' failed" in proc.stderr or b"nbgit" in proc.stderr
    assert_intact(repo, before)
    # with a working filter again, the same add goes through
    repo.nbgit("install")
    repo.git("add", "a.ipynb", "b.ipynb")
    assert repo.blob(":b.ipynb") == clean_bytes(repo.read("b.ipynb"))


@pytest.mark.parametrize(
    "keys, required, refused",
    [(("process", "clean"), "true", True), (("process", "clean"), "false", None), (("clean",), "true", True), (("clean",), "false", False)],
    ids=["process-required", "process-not-required", "oneshot-required", "oneshot-not-required"],
)
def test_filter_that_cannot_start(two_notebooks, keys, required, refused):
    """The interpreter is gone (virtualenv deleted). With filter.nbgit.required (what `nbgit install`
    sets) git refuses the add and changes nothing. Without it, git stores the notebook unfiltered:
    always with the one-shot clean command, and sometimes with the process (when the shell that
    fails to start it exits before git's handshake, git treats the filter as absent: a race).
    `nbgit doctor` flags the deleted interpreter and the missing `required`."""
    repo = two_notebooks
    repo.git("config", "filter.nbgit.required", required)
    repo.git("config", "--unset", "filter.nbgit.process")
    for key in keys:
        repo.git("config", f"filter.nbgit.{key}", f"/nonexistent/venv/bin/python -m nbgit {key}")
    before = snapshot(repo, "a.ipynb", "b.ipynb")
    proc = repo.git("add", "a.ipynb", check=False)
    if refused or (refused is None and proc.returncode != 0):
        assert proc.returncode != 0
        assert_intact(repo, before)
    else:
        assert proc.returncode == 0
        assert repo.blob(":a.ipynb") == repo.read("a.ipynb")  # outputs and all: what `required` prevents
    doctor = repo.nbgit("doctor", check=False)
    assert doctor.returncode == 1 and b"which no longer exists" in doctor.stdout
    if required == "false":
        assert b"filter.nbgit.required is 'false'" in doctor.stdout


# --- malformed pkt-lines --------------------------------------------------------------------


def pkt(payload: bytes) -> bytes:
    return b"%04x" % (len(payload) + 4) + payload


HELLO = pkt(b"git-filter-client\n") + pkt(b"version=2\n") + b"0000" + pkt(b"capability=clean\n") + b"0000"
REQUEST = pkt(b"command=clean\n") + pkt(b"pathname=x.ipynb\n") + b"0000"

MALFORMED = {
    "garbage instead of a handshake": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "binary noise": bytes(range(256)) * 4,
    "length 1": b"0001",
    "length 3": b"0003abc",
    "length too large": b"ffff" + b"x" * 100,
    "hex with sign": b"+004",
    "non-UTF-8 text packet": pkt(b"git-filter-client\xff\xfe\n") + b"0000",
    "truncated header after handshake": HELLO + b"00",
    "truncated content packet": HELLO + REQUEST + b"0100" + b"{" * 10,
    "bad header in content": HELLO + REQUEST + pkt(b"{}") + b"zzzz",
    "non-UTF-8 request header": HELLO + pkt(b"command=clean\xc3\n") + b"0000",
}


@pytest.mark.parametrize("stream", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_pkt_lines_clean_error_exit(stream):
    proc = subprocess.run(
        [sys.executable, "-m", "nbgit", "filter-process"], input=stream, capture_output=True, timeout=30
    )
    assert proc.returncode == 1
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nbgit: error: filter-process"), err


def test_stdout_closed_by_git_does_not_trace(tmp_path):
    """git gone while the filter answers: no traceback, exit status 1."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "nbgit", "filter-process"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # nobody reads the answers
    try:
        proc.stdin.write(HELLO + REQUEST + pkt(b"{}") + b"0000")
        proc.stdin.close()
    except BrokenPipeError:
        pass
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=30) in (0, 1)
    assert "Traceback" not in err


# --- the merge driver: full disk, SIGINT ----------------------------------------------------



def diverged(repo: Repo, n_cells: int = 200, big_cell: int = 0) -> None:
    """main and feature both add a large cell (so the merge result is larger than either side)."""
    filler = "# " + "x" * 98 + "\n"
    repo.write("nb.ipynb", big_notebook(n_cells))
    repo.commit("base", "nb.ipynb")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("nb.ipynb", big_notebook(n_cells, edit={n_cells - 1: "theirs = 1\n" + filler * big_cell}))
    repo.commit("feature", "nb.ipynb")
    repo.git("checkout", "-q", "main")
    repo.write("nb.ipynb", big_notebook(n_cells, edit={0: "ours = 1\n" + filler * big_cell}))
    repo.commit("main", "nb.ipynb")
    # the work tree as a checkout leaves it (a merge rewrites it anyway, like any checkout)
    os.remove(repo.path / "nb.ipynb")
    repo.git("checkout", "-q", "--", "nb.ipynb")


def test_merge_with_file_size_limit(installed_repo):
    """Writing %A fails (EFBIG under RLIMIT_FSIZE): the driver keeps our version and reports a conflict."""
    repo = installed_repo
    diverged(repo, n_cells=20, big_cell=3000)  # each side ~300 kB of extra source
    ours = len(repo.blob("main:nb.ipynb"))
    theirs = len(repo.blob("feature:nb.ipynb"))
    limit = max(ours, theirs) + 50_000  # every side fits; the merged notebook (both big cells) does not

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    before = snapshot(repo, "nb.ipynb")
    proc = subprocess.run(["git", "merge", "feature"], cwd=repo.path, capture_output=True, preexec_fn=limited)
    assert proc.returncode == 1  # a conflict, not a crash
    err = proc.stderr.decode()
    assert "merge failed" in err and "kept our version" in err and "Traceback" not in err
    # the work tree holds our version, whole (with the outputs the clone's output store kept)
    assert clean_bytes(repo.read("nb.ipynb")) == repo.blob("main:nb.ipynb")
    assert not list(repo.path.glob(".nbgit-*.tmp")) and not list(repo.path.glob(".merge_file_*"))
    repo.git("merge", "--abort")
    assert_intact(repo, before)


@pytest.fixture
def small_tmpfs():
    """A 4 MB tmpfs (root in this sandbox); skipped where mounting is not allowed."""
    mnt = Path("/tmp") / f"nbgit-tmpfs-{uuid.uuid4().hex[:8]}"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True)
    if proc.returncode != 0:
        mnt.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
        shutil.rmtree(mnt, ignore_errors=True)


def test_merge_on_a_full_disk(small_tmpfs):
    """ENOSPC while the driver writes %A: our version is kept, git reports a conflict, nothing is half-written."""
    repo = Repo(small_tmpfs / "repo")
    repo.path.mkdir()
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "core.compression", "0")  # predictable object sizes
    repo.nbgit("install")
    repo.git("add", ".gitattributes")
    repo.git("commit", "-qm", "nbgit")
    diverged(repo, n_cells=10, big_cell=1500)  # sides ~160 kB, merged ~310 kB
    before = snapshot(repo, "nb.ipynb")
    size = len(repo.read("nb.ipynb"))
    # fill the disk: leave room for git's three temporary files (%O %A %B) and a little more,
    # not for the driver's merged result beside them
    free = shutil.disk_usage(small_tmpfs).free
    room = 3 * size + 120_000
    (small_tmpfs / "filler").write_bytes(b"\0" * max(0, free - room))
    proc = repo.git("merge", "feature", check=False)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and b"CONFLICT" in proc.stdout  # reported as a conflict
    assert "No space left on device" in err and "kept our version" in err and "Traceback" not in err
    # never a partial file: our version, whole
    assert repo.read("nb.ipynb") == before[1]["nb.ipynb"]
    assert not list(repo.path.glob(".nbgit-*.tmp"))
    os.remove(small_tmpfs / "filler")
    repo.git("merge", "--abort", check=False)
    repo.git("reset", "-q", "--hard")  # a failed merge may have left MERGE_HEAD without an index entry
    assert_intact(repo, (before[0], before[1]))


def triple(n: int) -> tuple[bytes, bytes, bytes]:
    base = big_notebook(n)
    ours = big_notebook(n, "ours", {i: f"ours_{i} = 1\n" for i in range(0, n, 7)})
    theirs = big_notebook(n, "theirs", {i: f"theirs_{i} = 1\n" for i in range(3, n, 7)})
    return base, ours, theirs


def test_sigint_during_merge_driver_never_leaves_a_partial_file(tmp_path):
    """SIGINT at many moments of a merge (start-up, reading, merging, writing): %A is our
    version byte for byte, or the complete result, and no temporary file is left."""
    n = 2000
    base, ours, theirs = triple(n)
    outcomes = {"unchanged": 0, "complete": 0}
    for delay in (0.02, 0.2, 0.45, 0.8, 1.5, None):  # None: no signal, the merge runs to the end
        for name, data in (("O", base), ("A", ours), ("B", theirs)):
            (tmp_path / name).write_bytes(data)
        proc = subprocess.Popen(
            [sys.executable, "-m", "nbgit", "merge-driver", "O", "A", "B", "7", "nb.ipynb"],
            cwd=tmp_path,
            stderr=subprocess.PIPE,
        )
        if delay is not None:
            time.sleep(delay)
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        result = (tmp_path / "A").read_bytes()
        if b"Traceback" in err:
            # a signal during Python's start-up (before nbgit's main can catch it) prints
            # KeyboardInterrupt; nothing else may
            assert err.rstrip().endswith(b"KeyboardInterrupt"), err.decode()
        if result == ours:  # interrupted before the write: git must see a conflict, never a clean merge
            assert proc.returncode != 0, (delay, proc.returncode)
            outcomes["unchanged"] += 1
        else:  # written completely (the exit status may still be the signal's, if it came after)
            merged = json.loads(result)
            assert merged["nbformat"] == 4 and len(merged["cells"]) == n
            outcomes["complete"] += 1
        assert not list(tmp_path.glob(".nbgit-*.tmp")), "temporary file left behind"
    # The invariant is per run (checked above); how many runs the signal caught before the
    # write depends on the machine's speed, so only the uninterrupted run's outcome is certain.
    assert outcomes["complete"] >= 1, outcomes


INTERRUPTER = """
import signal, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-m", "nbgit", "merge-driver", *sys.argv[3:]])
time.sleep(float(sys.argv[1]))
child.send_signal(signal.SIGINT)
rc = child.wait()
open(sys.argv[2], "w").write(str(rc))
sys.exit(rc)
"""


def test_sigint_during_git_merge_is_a_conflict(installed_repo, tmp_path):
    """git runs the driver and the driver is interrupted: git reports a conflict with our
    version in the work tree; `git merge --abort` restores everything."""
    repo = installed_repo
    base, ours, theirs = triple(2000)
    repo.write("nb.ipynb", base)
    repo.commit("base", "nb.ipynb")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("nb.ipynb", theirs)
    repo.commit("feature", "nb.ipynb")
    repo.git("checkout", "-q", "main")
    repo.write("nb.ipynb", ours)
    repo.commit("main", "nb.ipynb")
    os.remove(repo.path / "nb.ipynb")
    repo.git("checkout", "-q", "--", "nb.ipynb")
    before = snapshot(repo, "nb.ipynb")
    wrapper = tmp_path / "interrupter.py"
    wrapper.write_text(INTERRUPTER)
    rc_file = tmp_path / "rc"
    repo.git("config", "merge.nbgit.driver", f"{sys.executable} {wrapper} 0.3 {rc_file} %O %A %B %L %P")
    proc = repo.git("merge", "feature", check=False)
    if b"Traceback" in proc.stderr:  # a signal during Python's start-up: KeyboardInterrupt, nothing else
        assert proc.stderr.rstrip().endswith(b"KeyboardInterrupt"), proc.stderr.decode()
    if rc_file.read_text() != "0":  # interrupted (the usual case: the merge takes longer than 0.3 s)
        assert proc.returncode == 1 and b"CONFLICT" in proc.stdout  # git: a conflict, not a crash
        data = repo.read("nb.ipynb")
        if data != repo.blob("main:nb.ipynb"):  # our version whole, or (signal after the write) the result
            assert json.loads(data)["nbformat"] == 4
        repo.git("merge", "--abort")
        assert_intact(repo, before)
    else:  # the driver won the race: a normal, complete merge
        assert proc.returncode == 0
        assert json.loads(repo.read("nb.ipynb"))["nbformat"] == 4
    repo.git("fsck", "--no-progress", "--no-dangling")
