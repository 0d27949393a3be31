"""nbgit refresh: phantom modifications (a re-run notebook git lists as modified) cleared, nothing else."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from nbfactory import code_cell, image, jupyter_bytes, markdown_cell, notebook, stream


def make_nb(source: str = "x = 1\nprint(x)\n", out: str | None = None, count: int | None = None) -> bytes:
    outputs = [stream(out)] if out is not None else []
    if out is not None:
        outputs.append(image(count))
    return jupyter_bytes(notebook([markdown_cell("# Title\n", id="md"), code_cell(source, outputs=outputs, count=count, id="c1")]))


def porcelain(repo) -> str:
    return repo.out("status", "--porcelain")


def index_line(repo, path: str) -> str:
    return repo.out("ls-files", "-s", "-v", "-t", "--", path)


@pytest.fixture
def two_branches(installed_repo):
    """main and `other` differ in a.ipynb; a.ipynb and b.ipynb committed clean."""
    r = installed_repo
    r.write("a.ipynb", make_nb(out="1\n", count=1))
    r.write("b.ipynb", make_nb("y = 2\n", out="2\n", count=1))
    r.commit("notebooks")
    r.git("checkout", "-q", "-b", "other")
    r.write("a.ipynb", make_nb("x = 'other'\n"))
    r.commit("other")
    r.git("checkout", "-q", "main")
    # Files written in the same second as the index are "racily clean": git compares their
    # content, and once a test removes the filter b.ipynb's outputs would count as a change.
    # Back-date them and let `git status` record the stat data, so only what a test does shows.
    past = time.time() - 60
    for name in ("a.ipynb", "b.ipynb"):
        os.utime(r.path / name, (past, past))
    assert porcelain(r) == ""
    assert r.out("ls-files", "--debug", "--", "b.ipynb").count(f"mtime: {int(past)}:") == 1
    return r


def rerun(repo, path: str, out: str = "a much longer output than before\n" * 3, count: int = 7) -> None:
    """What re-running a notebook does: outputs (and the file's size) change, sources do not."""
    nb = json.loads(repo.read(path))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [stream(out), image(count)]
            cell["execution_count"] = count
    repo.write(path, jupyter_bytes(nb))


def test_rerun_notebook_no_longer_modified_and_checkout_goes_through(two_branches):
    r = two_branches
    staged = r.out("ls-files", "-s")
    rerun(r, "a.ipynb")
    assert porcelain(r) == " M a.ipynb\n"  # the phantom: git trusts the size change
    assert r.git("checkout", "-q", "other", check=False).returncode != 0
    proc = r.nbgit("refresh")
    assert proc.stdout == b"refreshed: a.ipynb\n"
    assert b"1 notebook refreshed" in proc.stderr
    assert r.out("ls-files", "-s") == staged  # staged content unchanged
    assert b"much longer output" in r.read("a.ipynb")  # the working copy untouched
    assert r.out("--no-optional-locks", "status", "--porcelain") == ""
    r.git("checkout", "-q", "other")  # straight after the refresh: no `git status` in between
    assert r.out("rev-parse", "--abbrev-ref", "HEAD").strip() == "other"


def test_stat_recorded_so_plain_git_sees_it_clean(two_branches):
    r = two_branches
    rerun(r, "a.ipynb")
    r.nbgit("refresh")
    size = os.path.getsize(r.path / "a.ipynb")
    assert f"size: {size}\t" in r.out("ls-files", "--debug", "--", "a.ipynb")
    assert r.out("diff-files", "--name-only") == ""


def test_edited_source_still_modified(two_branches):
    r = two_branches
    rerun(r, "a.ipynb")
    nb = json.loads(r.read("b.ipynb"))
    nb["cells"][1]["source"] = ["y = 'edited'\n"]
    r.write("b.ipynb", jupyter_bytes(nb))
    proc = r.nbgit("refresh")
    assert proc.stdout == b"refreshed: a.ipynb\n"
    assert b"1 really modified" in proc.stderr
    assert porcelain(r) == " M b.ipynb\n"
    assert r.out("ls-files", "--debug", "--", "b.ipynb").count("ctime: 0:0") == 0  # its stat data kept


def test_staged_content_never_changes(two_branches):
    r = two_branches
    nb = json.loads(r.read("a.ipynb"))
    nb["cells"][1]["source"] = ["x = 'staged'\n"]
    r.write("a.ipynb", jupyter_bytes(nb))
    r.git("add", "a.ipynb")
    staged = r.out("ls-files", "-s")
    rerun(r, "a.ipynb")  # the same source, re-run: equal to the staged blob once cleaned
    assert porcelain(r) == "MM a.ipynb\n"
    r.nbgit("refresh")
    assert r.out("ls-files", "-s") == staged
    assert porcelain(r) == "M  a.ipynb\n"


def test_leaves_special_entries_alone(two_branches):
    r = two_branches
    r.write("new.ipynb", make_nb(out="n\n", count=1))
    r.git("add", "-N", "new.ipynb")
    r.git("update-index", "--assume-unchanged", "a.ipynb")
    r.git("update-index", "--skip-worktree", "b.ipynb")
    rerun(r, "a.ipynb")
    rerun(r, "b.ipynb")
    before = {p: (index_line(r, p), r.out("ls-files", "--debug", "--", p)) for p in ("a.ipynb", "b.ipynb", "new.ipynb")}
    proc = r.nbgit("refresh")
    assert proc.stdout == b""
    after = {p: (index_line(r, p), r.out("ls-files", "--debug", "--", p)) for p in before}
    assert after == before
    assert index_line(r, "a.ipynb").startswith("h ") and index_line(r, "b.ipynb").startswith("S ")
    assert " A new.ipynb" in porcelain(r)


def test_leaves_unmerged_entries_alone(installed_repo):
    r = installed_repo
    r.write("a.ipynb", make_nb("x = 0\n"))
    r.commit("base")
    r.git("checkout", "-q", "-b", "theirs")
    r.write("a.ipynb", make_nb("x = 'theirs'\n"))
    r.commit("theirs")
    r.git("checkout", "-q", "main")
    r.write("a.ipynb", make_nb("x = 'ours'\n"))
    r.commit("ours")
    assert r.git("merge", "-q", "theirs", check=False).returncode != 0
    stages = r.out("ls-files", "-s", "--", "a.ipynb")
    assert len(stages.splitlines()) == 3
    rerun(r, "a.ipynb")
    r.nbgit("refresh")
    assert r.out("ls-files", "-s", "--", "a.ipynb") == stages


def test_paths_limit_the_refresh(two_branches):
    r = two_branches
    (r.path / "sub").mkdir()
    r.write("sub/c.ipynb", make_nb("z = 3\n"))
    r.commit("sub")
    for p in ("a.ipynb", "b.ipynb", "sub/c.ipynb"):
        rerun(r, p)
    assert r.nbgit("refresh", "b.ipynb").stdout == b"refreshed: b.ipynb\n"
    assert porcelain(r) == " M a.ipynb\n M sub/c.ipynb\n"
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "nbgit", "refresh", "."], cwd=r.path / "sub", capture_output=True)
    assert proc.returncode == 0 and proc.stdout == b"refreshed: sub/c.ipynb\n"
    assert porcelain(r) == " M a.ipynb\n"
    outside = r.nbgit("refresh", "..", check=False)
    assert outside.returncode == 2 and b"outside the repository" in outside.stderr


def test_dry_run_changes_nothing(two_branches):
    r = two_branches
    rerun(r, "a.ipynb")
    proc = r.nbgit("refresh", "--dry-run")
    assert proc.stdout == b"would refresh: a.ipynb\n"
    assert porcelain(r) == " M a.ipynb\n"


def test_notebooks_not_routed_to_nbgit_are_left_alone(two_branches):
    r = two_branches
    r.write(".git/info/attributes", "b.ipynb -filter\n")
    rerun(r, "b.ipynb")
    assert r.nbgit("refresh").stdout == b""
    assert porcelain(r) == " M b.ipynb\n"


def test_without_the_filter_configured_nothing_is_refreshed(two_branches):
    r = two_branches
    rerun(r, "a.ipynb")
    r.git("config", "--unset", "filter.nbgit.required")
    r.git("config", "--remove-section", "filter.nbgit")
    proc = r.nbgit("refresh")
    assert proc.stdout == b"" and b"1 really modified" in proc.stderr
    assert porcelain(r) == " M a.ipynb\n"


def test_index_lock_retries_then_says_so(two_branches):
    r = two_branches
    rerun(r, "a.ipynb")
    lock = r.path / ".git" / "index.lock"
    lock.write_bytes(b"")
    proc = r.nbgit("refresh", "--wait", "0.3", check=False)
    assert proc.returncode == 2 and proc.stderr.startswith(b"nbgit refresh: error: ")
    assert b"index is locked" in proc.stderr and b"index.lock" in proc.stderr and b"nothing was changed" in proc.stderr
    assert porcelain_locked(r) == " M a.ipynb\n"
    hook = r.nbgit("refresh", "--hook", "--wait", "0", check=False)
    assert hook.returncode == 0  # a hook never fails the git command it follows

    timer = threading.Timer(0.5, lock.unlink)
    timer.start()
    try:
        proc = r.nbgit("refresh", "--wait", "30")
    finally:
        timer.cancel()
    assert proc.stdout == b"refreshed: a.ipynb\n"
    assert porcelain(r) == ""


def porcelain_locked(repo) -> str:
    """`git status` that does not try to write the (locked) index."""
    return repo.out("--no-optional-locks", "status", "--porcelain")


def test_nothing_to_do_outside_a_repository(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "nbgit", "refresh"], cwd=tmp_path, capture_output=True)
    assert proc.returncode == 2 and proc.stderr == b"nbgit refresh: error: not inside a git work tree\n"


# --- hooks: `nbgit install --hooks` ------------------------------------------------------------


def test_hooks_refresh_after_commit_and_checkout(two_branches):
    r = two_branches
    r.nbgit("install", "--hooks")
    hooks = r.path / ".git" / "hooks"
    for name in ("post-checkout", "post-merge", "post-commit"):
        text = (hooks / name).read_text()
        assert "-m nbgit refresh --hook" in text and os.access(hooks / name, os.X_OK)
    assert "sync --hook" in (hooks / "post-checkout").read_text() and "sync --hook" not in (hooks / "post-commit").read_text()

    rerun(r, "b.ipynb")
    r.write("notes.txt", "x\n")
    r.commit("notes", "notes.txt")  # post-commit
    assert porcelain(r) == ""
    rerun(r, "b.ipynb", "again\n" * 9)
    r.git("checkout", "-q", "-b", "feature")  # post-checkout (b.ipynb carried over)
    assert porcelain(r) == ""
    rerun(r, "b.ipynb", "and again\n" * 5)
    r.git("checkout", "-q", "main")
    r.git("merge", "-q", "--no-edit", "feature")  # post-merge (fast-forward: nothing to merge)
    assert porcelain(r) == ""


def test_hooks_idempotent_upgrade_old_block_and_uninstall(repo):
    hooks = repo.path / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    old = ("#!/bin/sh\n# >>> nbgit: sync jupytext pairs (added by `nbgit install --hooks`, removed by `nbgit uninstall`) >>>\n"
           "if [ -x /old/python ]; then /old/python -m nbgit sync --hook; fi\n# <<< nbgit <<<\necho mine\n")
    (hooks / "post-merge").write_text(old)
    repo.nbgit("install", "--hooks")
    text = (hooks / "post-merge").read_text()
    assert text.count("# >>> nbgit") == 1 and "/old/python" not in text and text.endswith("echo mine\n")
    snapshot = {n: (hooks / n).read_text() for n in ("post-checkout", "post-merge", "post-commit")}
    assert b"hooks already installed" in repo.nbgit("install", "--hooks").stdout
    assert {n: (hooks / n).read_text() for n in snapshot} == snapshot
    repo.nbgit("uninstall")
    assert (hooks / "post-merge").read_text() == "#!/bin/sh\necho mine\n"
    assert not (hooks / "post-commit").exists() and not (hooks / "post-checkout").exists()


# --- nbgit doctor ------------------------------------------------------------------------------


def doctor(repo) -> tuple[int, list[dict]]:
    proc = repo.nbgit("doctor", "--json", check=False)
    return proc.returncode, json.loads(proc.stdout)["findings"]


def test_doctor_reports_phantoms_and_explains_autostash(two_branches):
    r = two_branches  # .gitattributes committed with the notebooks
    code, found = doctor(r)
    assert code == 0, found
    rerun(r, "b.ipynb")
    code, found = doctor(r)
    phantom = [f for f in found if "look modified to git only" in f["message"]]
    assert code == 1 and len(phantom) == 1 and phantom[0]["level"] == "warning"
    assert "b.ipynb" in phantom[0]["message"] and "You have unstaged changes" in phantom[0]["message"]
    assert phantom[0]["fix"].startswith("nbgit refresh")
    r.git("config", "rebase.autoStash", "true")
    code, found = doctor(r)
    assert any("rebase.autoStash on" in f["message"] for f in found)
    assert porcelain(r) == " M b.ipynb\n"  # the doctor only reads
    r.nbgit("refresh")
    code, found = doctor(r)
    assert code == 0, found
    info = [f for f in found if "rebase.autoStash is on" in f["message"]]
    assert len(info) == 1 and info[0]["level"] == "info" and "nbgit refresh" in info[0]["message"]


def test_odd_file_names(installed_repo):
    r = installed_repo
    odd = ["sp ace.ipynb", '"quoted.ipynb', "ünï.ipynb", "new\nline.ipynb", "back\\slash.ipynb", "-dash.ipynb"]
    for name in odd:
        r.write(name, make_nb(out="1\n", count=1))
    r.commit("odd")
    for name in odd:
        rerun(r, name)
    assert r.out("diff-files", "--name-only", "-z").count("\0") == len(odd)
    proc = r.nbgit("refresh")
    assert b"6 notebooks refreshed" in proc.stderr, proc.stderr
    assert porcelain(r) == ""


# --- property: whatever was re-run, edited or touched, refresh clears exactly the phantoms ------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ACTIONS = ("nothing", "rerun", "edit", "rerun+edit", "touch", "stage-edit+rerun")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=5))
def test_refresh_clears_exactly_the_phantoms(installed_repo, actions):
    r = installed_repo
    names = [f"n{i}.ipynb" for i in range(len(actions))]
    r.git("rm", "-q", "-r", "--cached", "--ignore-unmatch", ".")
    for p in r.path.glob("*.ipynb"):
        p.unlink()
    for i, name in enumerate(names):
        r.write(name, make_nb(f"v = {i}\n", out=f"{i}\n", count=1))
    r.git("add", "-A")
    r.git("commit", "-q", "--allow-empty", "-m", "round")  # hypothesis reuses the repository
    expected = set()
    for i, (name, action) in enumerate(zip(names, actions)):
        if action == "stage-edit+rerun":
            nb = json.loads(r.read(name))
            nb["cells"][1]["source"] = [f"v = 'staged {i}'\n"]
            r.write(name, jupyter_bytes(nb))
            r.git("add", name)
        if "rerun" in action:
            rerun(r, name, f"output of run {i}\n" * (i + 2))
        if "edit" in action and action != "stage-edit+rerun":
            nb = json.loads(r.read(name))
            nb["cells"][1]["source"] = [f"v = 'edited {i}'\n"]
            r.write(name, jupyter_bytes(nb))
            expected.add(name)
        if action == "touch":
            os.utime(r.path / name, (time.time() + 5, time.time() + 5))
    staged = r.out("ls-files", "-s")
    r.nbgit("refresh")
    assert r.out("ls-files", "-s") == staged  # staged content never changes
    unstaged = {line[3:] for line in r.out("status", "--porcelain").splitlines() if line[1] == "M"}
    assert unstaged == expected
    assert set(r.out("diff-files", "--name-only").split()) == expected  # stat recorded: plain git agrees


def test_a_broken_filter_is_reported_not_hidden(two_branches):
    r = two_branches
    rerun(r, "a.ipynb")
    r.git("config", "filter.nbgit.process", "/nonexistent/python -m nbgit filter-process")
    r.git("config", "filter.nbgit.clean", "/nonexistent/python -m nbgit clean")
    proc = r.nbgit("refresh", check=False)
    # Either hashing names the notebook, or (a race in git: the notebook was racily clean) git's
    # listing already ran the filter and failed: then the filter is named and doctor pointed to.
    assert proc.returncode == 2 and b"filter" in proc.stderr and b"nbgit doctor" in proc.stderr, proc.stderr
    assert b"a.ipynb" in proc.stderr or b"filter-process" in proc.stderr, proc.stderr
    assert r.out("--no-optional-locks", "status", "--porcelain", "--untracked-files=no") != ""
    assert r.nbgit("refresh", "--hook", check=False).returncode == 0
