"""One error style and one exit-status rule for every command (nbgit.cli.fail)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nbfactory import code_cell, jupyter_bytes, notebook


def nbgit(cwd, *args):
    return subprocess.run([sys.executable, "-m", "nbgit", *args], cwd=cwd, capture_output=True, text=True)


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
