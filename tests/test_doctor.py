"""nbgit doctor and nbgit renormalize, on real repositories in the states users get into."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest

from conftest import read_pty
from nbfactory import dirty_notebook, jupyter_bytes
from nbgit.git import doctor
from nbgit.notebook.clean import clean_bytes


def findings(repo, *args: str, info: bool = False) -> tuple[int, list[dict]]:
    """(exit status, findings); info lines (e.g. git < 2.44 gives merge drivers no labels) only if asked."""
    proc = repo.nbgit("doctor", "--json", *args, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] == (proc.returncode == 0)
    return proc.returncode, [f for f in data["findings"] if info or f["level"] != "info"]


def has(found: list[dict], level: str, *words: str) -> bool:
    return any(f["level"] == level and all(w in f["message"] for w in words) for f in found)


@pytest.fixture
def healthy(installed_repo):
    installed_repo.write("nb.ipynb", jupyter_bytes(dirty_notebook()))
    installed_repo.commit("start")
    return installed_repo


def test_healthy_repository_exit_0(healthy):
    proc = healthy.nbgit("doctor")
    assert proc.returncode == 0
    lines = proc.stdout.decode().strip().splitlines()
    assert lines[-1] == "nbgit doctor: nothing wrong (1 committed notebooks checked)"
    assert all(line.startswith("info: ") for line in lines[:-1])
    assert healthy.nbgit("doctor", "--quiet").stdout == b""


def test_not_installed(repo):
    code, found = findings(repo)
    assert code == 1
    assert [f["fix"] for f in found] == ["nbgit install"]
    assert has(found, "error", "not set up")


def test_fresh_clone_has_no_drivers(healthy, tmp_path):
    clone = tmp_path / "clone"
    healthy.git("clone", "-q", str(healthy.path), str(clone))
    from conftest import Repo

    cloned = Repo(clone)
    code, found = findings(cloned)
    assert code == 1
    assert has(found, "error", "drivers not installed in this clone")
    assert all(f["fix"] == "nbgit install" for f in found)
    cloned.nbgit("install")
    assert findings(cloned) == (0, [])


def test_one_line_per_finding_with_fix(healthy):
    healthy.git("config", "--unset", "filter.nbgit.required")
    healthy.git("config", "filter.nbgit.process", "/nonexistent/venv/bin/python -P -m nbgit filter-process")
    proc = healthy.nbgit("doctor", check=False)
    assert proc.returncode == 1
    lines = [line for line in proc.stdout.decode().splitlines() if not line.startswith("info: ")]
    assert lines[-1] == "nbgit doctor: 2 problem(s) found (1 committed notebooks checked)"
    assert len(lines) == 3
    assert all("; fix: " in line and line.startswith(("error: ", "warning: ")) for line in lines[:-1])
    assert "\x1b[" not in proc.stdout.decode()  # not a terminal: no colour
    assert any("/nonexistent/venv/bin/python, which no longer exists" in line for line in lines)
    assert any("missing filter.nbgit.required" in line for line in lines)


def test_interpreter_that_lost_nbgit(healthy, tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    healthy.git("config", "diff.nbgit.textconv", f"{fake} -m nbgit textconv")
    code, found = findings(healthy)
    assert code == 1
    assert has(found, "error", "diff.nbgit.textconv", "cannot import nbgit")


def test_filter_that_fails_is_reported(healthy):
    healthy.git("config", "filter.nbgit.process", f"{sys.executable} -m nbgit filter-process --bogus")
    code, found = findings(healthy)
    assert code == 1
    assert has(found, "error", "git cannot run nbgit's filter")


def test_commands_of_an_older_install_are_flagged(healthy):
    """Older installs wrote `python -m nbgit` (a committed nbgit/ package would run) and a smudge
    without --path; a fresh install writes neither, and doctor says so."""
    assert not has(findings(healthy)[1], "error", "python -m nbgit")
    healthy.git("config", "filter.nbgit.process", f"{sys.executable} -m nbgit filter-process")
    healthy.git("config", "diff.nbgit.textconv", f"{sys.executable} -m nbgit textconv")
    healthy.git("config", "filter.nbgit.smudge", f"{sys.executable} -m nbgit smudge")
    code, found = findings(healthy)
    assert code == 1
    assert has(found, "error", "diff.nbgit.textconv", "filter.nbgit.process", "filter.nbgit.smudge", "python -m nbgit")
    assert has(found, "warning", "filter.nbgit.smudge has no --path %f")
    assert all(f["fix"] == "nbgit install" for f in found if "older install" in f["message"])
    healthy.nbgit("install")
    assert findings(healthy) == (0, [])


def test_hooks_of_an_older_install_are_flagged_and_rewritten_by_install(healthy, tmp_path):
    """Older `install --hooks` wrote `python -m nbgit` into the hooks: a committed nbgit/__main__.py
    then ran on checkout. doctor says so; a plain `nbgit install` brings the hooks up to date."""
    healthy.nbgit("install", "--hooks")
    hooks = [healthy.path / ".git" / "hooks" / n for n in ("post-checkout", "post-merge", "post-commit")]
    for h in hooks:
        h.write_text(h.read_text().replace(" -P -m nbgit", " -m nbgit"))
    code, found = findings(healthy)
    assert code == 1 and has(found, "error", "post-checkout", "post-commit", "post-merge", "python -m nbgit")
    assert [f["fix"] for f in found if "hooks" in f["message"]] == ["nbgit install --hooks"]
    proc = healthy.nbgit("install")
    assert b"hooks" in proc.stdout
    assert all(" -m nbgit" not in h.read_text().replace(" -P -m nbgit", "") for h in hooks)
    assert findings(healthy) == (0, [])
    # a line an older version told users to add to a hook of their own (not nbgit's block)
    own = healthy.path / ".git" / "hooks" / "pre-push"
    own.write_text("#!/usr/bin/env python3\nimport subprocess, sys\n"
                   "subprocess.run([sys.executable, '-m', 'nbgit', 'check'])\n")
    code, found = findings(healthy)
    assert code == 1 and has(found, "error", "pre-push", "python -m nbgit")
    own.unlink()
    # and the attack itself: a commit carrying nbgit/__main__.py, checked out
    sentinel = tmp_path / "PWNED"
    healthy.write("nbgit/__init__.py", "")
    healthy.write("nbgit/__main__.py", f"open({str(sentinel)!r}, 'w').write('ran')\n")
    healthy.git("checkout", "-q", "-b", "evil")
    healthy.commit("evil", "nbgit")
    healthy.git("checkout", "-q", "-")
    healthy.git("checkout", "-q", "evil")
    assert not sentinel.exists()


def test_a_committed_hooks_folder_is_read_as_repository_content(healthy):
    """core.hooksPath may name a committed folder: a hook that is a link to a device is not read
    (no hang in install or doctor), and a hook of someone else's stays untouched by install."""
    (healthy.path / ".githooks").mkdir()
    os.symlink("/dev/zero", healthy.path / ".githooks" / "post-checkout")
    (healthy.path / ".githooks" / "post-commit").write_text("#!/usr/bin/env python3\nprint('mine')\n")
    healthy.git("config", "core.hooksPath", ".githooks")
    proc = healthy.nbgit("install", check=False)
    assert proc.returncode == 0, proc.stderr
    assert (healthy.path / ".githooks" / "post-commit").read_text() == "#!/usr/bin/env python3\nprint('mine')\n"
    code, found = findings(healthy)
    assert not any("hooks" in f["message"] for f in found)


def test_filter_not_required(healthy):
    healthy.git("config", "filter.nbgit.required", "false")
    code, found = findings(healthy)
    assert code == 1
    assert [f["fix"] for f in found] == ["git config filter.nbgit.required true"]


def test_config_without_attributes(repo):
    repo.nbgit("install", "--info")
    (repo.path / ".git" / "info" / "attributes").write_text("")
    code, found = findings(repo)
    assert code == 1
    assert has(found, "error", "no attributes route *.ipynb")


def test_uncommitted_gitattributes(installed_repo):
    code, found = findings(installed_repo)
    assert code == 1
    assert has(found, "warning", ".gitattributes", "not committed")
    installed_repo.commit("attrs", ".gitattributes")
    assert findings(installed_repo) == (0, [])


def test_unclean_notebooks_then_renormalize(repo):
    dirty = jupyter_bytes(dirty_notebook())
    for name in ("a.ipynb", "dir/b c.ipynb", "ü.ipynb"):
        repo.write(name, dirty)
    repo.commit("before nbgit")
    repo.nbgit("install")
    repo.commit("attrs", ".gitattributes")
    code, found = findings(repo)
    assert code == 1
    assert has(found, "warning", "3 committed notebook(s) are not clean")
    assert found[-1]["fix"].startswith("nbgit renormalize")
    # an edit in one of them, beyond what the filter strips, is staged too and named
    repo.write("a.ipynb", dirty.replace(b"x = 0", b"x = 42"))
    assert repo.nbgit("renormalize", "--dry-run").stdout.decode().splitlines() == ["a.ipynb", "dir/b c.ipynb", "ü.ipynb"]
    proc = repo.nbgit("renormalize")
    out = proc.stdout.decode()
    assert "note: a.ipynb had unstaged edits" in out and "b c.ipynb had" not in out
    assert "re-added 3 notebook(s)" in out
    assert proc.stderr == b""  # progress bar only on a terminal
    assert repo.blob(":dir/b c.ipynb") == clean_bytes(dirty)
    assert b"x = 42" in repo.blob(":a.ipynb")
    repo.git("commit", "-qm", "renormalize")
    assert findings(repo) == (0, [])
    assert "nothing to do" in repo.nbgit("renormalize").stdout.decode()


def test_renormalize_progress_on_a_terminal(repo):
    for i in range(25):
        repo.write(f"n{i}.ipynb", jupyter_bytes(dirty_notebook(1)))
    repo.commit("before nbgit")
    repo.nbgit("install")
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "nbgit", "renormalize"], cwd=repo.path, stdout=subprocess.PIPE, stderr=slave
        )
    finally:
        os.close(slave)
    assert proc.returncode == 0
    err = read_pty(master).decode()
    assert "nbgit renormalize [" in err and "25/25" in err
    assert "re-added 25 notebook(s)" in proc.stdout.decode()
    assert repo.git("diff", "--cached", "--quiet", "--", "n0.ipynb", check=False).returncode == 1


def test_nbstripout_in_effect_is_an_error(healthy):
    (healthy.path / ".git" / "info" / "attributes").write_text("*.ipynb filter=nbstripout diff=ipynb\n")
    healthy.git("config", "filter.nbstripout.clean", "python -m nbstripout")
    code, found = findings(healthy)
    assert code == 1
    assert has(found, "error", "nbstripout is in effect instead of nbgit", "filter=nbstripout", ".git/info/attributes")
    assert has(found, "warning", "diff=ipynb")
    assert any(f["fix"].startswith("nbstripout --uninstall") for f in found)


def test_leftover_nbdime_config_is_info_only(healthy):
    healthy.git("config", "merge.jupyternotebook.driver", "git-nbmergedriver merge %O %A %B %L %P")
    code, found = findings(healthy, info=True)
    assert code == 0
    leftover = [f for f in found if "nbdime" in f["message"]]
    assert [f["level"] for f in leftover] == ["info"]
    assert "git config --remove-section merge.jupyternotebook" in leftover[0]["fix"]


def test_precommit_nbstripout_hook(healthy):
    healthy.write(".pre-commit-config.yaml", "repos:\n- repo: https://github.com/kynan/nbstripout\n  hooks:\n  - id: nbstripout\n")
    code, found = findings(healthy)
    assert code == 1
    assert has(found, "warning", "runs nbstripout")


def test_committed_conflict_markers(healthy):
    healthy.write("broken.ipynb", b'{\n<<<<<<< HEAD\n "a": 1\n=======\n "a": 2\n>>>>>>> other\n}\n')
    healthy.commit("oops")
    code, found = findings(healthy)
    assert code == 1
    assert has(found, "warning", "broken.ipynb", "conflict markers")


def test_invalid_config(healthy):
    healthy.write(".nbgit.toml", "keep_outptus = true\n")
    code, found = findings(healthy)
    assert code == 1
    assert has(found, "error", "keep_outptus")


def test_old_git_versions(healthy, monkeypatch):
    monkeypatch.chdir(healthy.path)
    monkeypatch.setattr(doctor, "_version", lambda cwd: (2, 10, 0))
    report = doctor.diagnose(".", content=False)
    lines = [f.line() for f in report.findings]
    assert any(line.startswith("warning: git 2.10.0 is older than 2.11") for line in lines)
    assert any("no `git add --renormalize`" in line for line in lines)
    monkeypatch.setattr(doctor, "_version", lambda cwd: (2, 43, 0))
    report = doctor.diagnose(".", content=False)
    if "merge.nbgit.driver" in healthy.out("config", "--list"):
        assert [f.level for f in report.findings] == ["info"]
        assert "%S %X %Y" in report.findings[0].message
    else:
        assert report.findings == []


def test_outside_a_repository(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "nbgit", "doctor"], cwd=tmp_path, capture_output=True)
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr == b"nbgit doctor: error: not inside a git work tree; cd into a clone (or run `git init`)\n"
    assert b"Traceback" not in proc.stderr


def test_help():
    proc = subprocess.run([sys.executable, "-m", "nbgit", "doctor", "--help"], capture_output=True)
    assert proc.returncode == 0 and b"exit status" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "nbgit", "renormalize", "--help"], capture_output=True)
    assert proc.returncode == 0 and b"git add --renormalize" in proc.stdout


def test_attributes_only_in_a_subfolder(repo):
    """Notebooks routed to nbgit by a .gitattributes below the root: the filter is still smoke-tested."""
    repo.nbgit("install", "--attributes", str(repo.path / "work" / ".gitattributes"), check=False)  # warns: not at the root
    repo.write("work/nb.ipynb", jupyter_bytes(dirty_notebook()))
    repo.commit("sub")
    assert findings(repo) == (0, [])
    repo.git("config", "filter.nbgit.process", f"{sys.executable} -m nbgit filter-process --bogus")
    code, found = findings(repo)
    assert code == 1 and has(found, "error", "git cannot run nbgit's filter")
