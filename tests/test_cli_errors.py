"""One error style and one exit-status rule for every command (nbgit.cli.fail)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nbfactory import code_cell, jupyter_bytes, notebook, stream

#: Long enough for a slow shared machine, short enough that a command waiting for input fails the test.
BOUND = 120


def nbgit(cwd, *args):
    # stdin is /dev/null: an interactive command (add -p, mergetool) must not wait for input on an error;
    # GIT_CEILING_DIRECTORIES: a temporary directory is outside any repository even if /tmp is inside one
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": os.path.dirname(os.path.abspath(cwd))}
    return subprocess.run([sys.executable, "-m", "nbgit", *args], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=BOUND, env=env)


def one_error(proc, command: str) -> str:
    """The one ``nbgit COMMAND: error:`` line of a failed command (exit 2, no traceback): its message."""
    assert proc.returncode == 2, (command, proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(f"nbgit {command}: error: "), (command, proc.stderr)
    return errors[0].removeprefix(f"nbgit {command}: error: ")


@pytest.mark.parametrize("args", [
    ["renormalize"], ["install"], ["uninstall"], ["review"], ["conflicts"], ["diff", "HEAD"],
])
def test_not_a_repository_is_exit_2_with_one_error_line(tmp_path, args):
    proc = nbgit(tmp_path, *args)
    assert proc.returncode == 2, (args, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"nbgit {args[0]}: error: "), (args, proc.stderr)


def test_diff_of_three_paths_outside_a_repository_names_the_problem(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.ipynb").write_bytes(jupyter_bytes(notebook([code_cell("x")])))
    proc = nbgit(tmp_path, "diff", "a.ipynb", "b.ipynb", "c.ipynb")
    assert proc.returncode == 2 and proc.stderr == "nbgit diff: error: c.ipynb: no such file (and not inside a git repository)\n"
    (tmp_path / "c.ipynb").write_bytes(b"{}")
    proc = nbgit(tmp_path, "diff", "a.ipynb", "b.ipynb", "c.ipynb")
    assert proc.returncode == 2 and "3 files given; nbgit diff compares two" in proc.stderr


def test_renormalize_of_a_file_that_is_not_a_notebook(repo):
    repo.write("README.md", "hello\n")
    repo.commit("readme")
    proc = nbgit(repo.path, "renormalize", "README.md")
    assert proc.returncode == 2 and proc.stderr == "nbgit renormalize: error: README.md: not a notebook (.ipynb)\n"
    assert "already clean" not in proc.stdout


# --- every command, outside a repository and with a file that does not exist ------------------------

#: Commands that need a git work tree (a file argument, where they take one, that would exist there).
NEED_A_REPOSITORY = [
    ["install"], ["uninstall"], ["status"], ["doctor"], ["outputs"], ["renormalize"], ["refresh"],
    ["review"], ["conflicts"], ["mergetool"], ["diff", "HEAD"], ["diff", "--cached"],
    ["add", "-p"], ["add", "--cells", "1", "nb.ipynb"], ["reset", "-p"], ["reset", "--cells", "1", "nb.ipynb"],
    ["log", "--cell", "1", "--", "nb.ipynb"], ["blame", "nb.ipynb"],
]


@pytest.fixture
def outside(tmp_path):
    """A directory in no git repository, holding one notebook, nb.ipynb."""
    path = tmp_path / "outside"
    path.mkdir()
    (path / "nb.ipynb").write_bytes(jupyter_bytes(notebook([code_cell("x = 1", outputs=[stream("1\n")], count=1)])))
    return path


@pytest.mark.parametrize("args", NEED_A_REPOSITORY, ids=" ".join)
def test_outside_a_repository_every_command_says_so(outside, args):
    message = one_error(nbgit(outside, *args), args[0])
    assert "not inside a git" in message, message


#: (command line, the name its error must show): a file argument that does not exist.
MISSING_FILE = [
    (["clean", "nope.ipynb"], "nope.ipynb"),
    (["clean", "--check", "nope.ipynb"], "nope.ipynb"),
    (["textconv", "nope.ipynb"], "nope.ipynb"),
    (["diff", "nope.ipynb", "nb.ipynb"], "nope.ipynb"),
    (["diff", "nb.ipynb", "nope.ipynb"], "nope.ipynb"),
    (["difftool", "--no-browser", "nope.ipynb", "nb.ipynb"], "nope.ipynb"),
    (["merge", "nb.ipynb", "nb.ipynb", "nope.ipynb"], "nope.ipynb"),
    (["merge", "nope.ipynb", "nb.ipynb", "nb.ipynb"], "nope.ipynb"),
    (["fix", "nope.ipynb"], "nope.ipynb"),
    (["conflicts", "nope.ipynb"], "nope.ipynb"),
    (["check", "nope.ipynb"], "nope.ipynb"),
    (["pair", "nope.ipynb"], "nope.ipynb"),
    (["sync", "nope.ipynb"], "nope.ipynb"),
]
#: Only inside a repository (outside one they say "not inside a git ...", tested above).
MISSING_FILE_IN_A_REPOSITORY = [
    (["add", "-p", "nope.ipynb"], "nope.ipynb"),
    (["add", "--cells", "1", "nope.ipynb"], "nope.ipynb"),
    (["reset", "-p", "nope.ipynb"], "nope.ipynb"),
    (["reset", "--cells", "1", "nope.ipynb"], "nope.ipynb"),
    (["log", "--cell", "1", "--", "nope.ipynb"], "nope.ipynb"),
    (["blame", "nope.ipynb"], "nope.ipynb"),
    (["mergetool", "nope.ipynb"], "nope.ipynb"),
    (["renormalize", "nope.ipynb"], "nope.ipynb"),
    (["diff", "nope.ipynb"], "nope.ipynb"),
    (["review", "nope.ipynb"], "nope.ipynb"),
    (["refresh", "nope.ipynb"], "nope.ipynb"),
]


@pytest.mark.parametrize("args,name", MISSING_FILE, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_a_missing_file_outside_a_repository_is_named(outside, args, name):
    before = sorted(os.listdir(outside))
    message = one_error(nbgit(outside, *args), args[0])
    assert message.startswith(f"{name}: "), message  # the file at fault, not "not inside a repository"
    assert sorted(os.listdir(outside)) == before  # nothing written


@pytest.mark.parametrize("args,name", MISSING_FILE + MISSING_FILE_IN_A_REPOSITORY,
                         ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_a_missing_file_in_a_repository_is_named(installed_repo, args, name):
    repo = installed_repo
    repo.write("nb.ipynb", jupyter_bytes(notebook([code_cell("x = 1")])))
    repo.commit("nb")
    repo.write("nb.ipynb", jupyter_bytes(notebook([code_cell("x = 2")])))
    repo.git("add", "nb.ipynb")
    status = repo.out("status", "--porcelain")
    message = one_error(nbgit(repo.path, *args), args[0])
    assert name in message, message
    assert repo.out("status", "--porcelain") == status  # nothing staged, written or created


def test_commands_that_need_no_repository_work_outside_one(outside):
    other = jupyter_bytes(notebook([code_cell("x = 2")]))
    (outside / "other.ipynb").write_bytes(other)
    proc = nbgit(outside, "diff", "nb.ipynb", "other.ipynb")
    assert proc.returncode == 1 and "x = 2" in proc.stdout and proc.stderr == "", proc.stderr
    proc = nbgit(outside, "textconv", "nb.ipynb")
    assert proc.returncode == 0 and "x = 1" in proc.stdout, proc.stderr
    proc = nbgit(outside, "check", "nb.ipynb")
    assert proc.returncode == 1 and "not clean" in proc.stdout, proc.stdout + proc.stderr
    proc = nbgit(outside, "clean", "--check", "nb.ipynb")
    assert proc.returncode == 1 and proc.stdout == "nb.ipynb: not clean\n", proc.stderr
    proc = nbgit(outside, "clean", "nb.ipynb")
    assert proc.returncode == 0 and proc.stdout == "cleaned nb.ipynb\n", proc.stderr
    assert nbgit(outside, "check", "nb.ipynb").returncode == 0
    proc = nbgit(outside, "conflicts", "nb.ipynb")
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""
    proc = nbgit(outside, "merge", "nb.ipynb", "nb.ipynb", "other.ipynb", "-o", "merged.ipynb")
    assert proc.returncode == 0 and b"x = 2" in (outside / "merged.ipynb").read_bytes(), proc.stderr
    proc = nbgit(outside, "fix", "nb.ipynb")
    assert proc.returncode == 0 and "nothing to fix" in proc.stdout, proc.stderr
    proc = nbgit(outside, "difftool", "--no-browser", "-o", "page.html", "nb.ipynb", "other.ipynb")
    assert proc.returncode == 0 and (outside / "page.html").is_file(), proc.stderr
    proc = nbgit(outside, "pair", "nb.ipynb")
    assert proc.returncode == 0 and (outside / "nb.py").is_file(), proc.stderr
    proc = nbgit(outside, "sync", "--check", "nb.ipynb")
    assert proc.returncode == 0, proc.stderr


def test_status_outside_a_repository_is_exit_2_even_with_a_global_install(outside):
    assert nbgit(outside, "install", "--global").returncode == 0
    message = one_error(nbgit(outside, "status"), "status")
    assert message == "not inside a git work tree"


def test_pair_and_sync_usage_errors(outside):
    message = one_error(nbgit(outside, "pair"), "pair")
    assert "name the notebooks to pair" in message
    assert one_error(nbgit(outside, "pair", "notes.txt"), "pair") == "notes.txt: not a notebook (.ipynb)"
    assert nbgit(outside, "sync", "--hook", "nope.ipynb").returncode == 0  # a hook never fails


def test_conflicts_in_a_file_are_found_not_an_error(outside):
    """Exit 1 is the answer "yes, there is something"; no error line."""
    (outside / "c.ipynb").write_bytes(b'{\n<<<<<<< HEAD\n"a": 1\n=======\n"a": 2\n>>>>>>> other\n}\n')
    proc = nbgit(outside, "conflicts", "c.ipynb")
    assert proc.returncode == 1 and "text conflict markers" in proc.stdout and ": error: " not in proc.stderr
