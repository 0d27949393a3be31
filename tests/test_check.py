"""nbgit check: clean / invalid / conflicted notebooks, --fix, annotations, pre-commit hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import PROJECT, corpus_dir
from nbfactory import code_cell, dirty_notebook, jupyter_bytes, markdown_cell, notebook, stream
from nbgit.cli.check import CONFLICT, INVALID, SCHEMA, UNCLEAN, check_bytes
from nbgit.notebook.clean import clean_bytes
from nbgit.notebook.config import DEFAULT_CONFIG, Config


def clean_nb() -> bytes:
    nb = notebook([code_cell("x = 1\n", id="a"), markdown_cell("# Title\n", id="b")])
    nb["metadata"]["language_info"].pop("version")
    return jupyter_bytes(nb)


def kinds(data: bytes, config: Config = DEFAULT_CONFIG) -> list[str]:
    return [p.kind for p in check_bytes(data, config).problems]


def test_clean_notebook_has_no_problem():
    assert kinds(clean_nb()) == []


def test_dirty_notebook_is_unclean_and_fixable_to_clean_bytes():
    data = jupyter_bytes(dirty_notebook())
    result = check_bytes(data, DEFAULT_CONFIG)
    assert [p.kind for p in result.problems] == [UNCLEAN]
    assert result.problems[0].fixable
    assert "3 cells with outputs" in result.problems[0].message
    assert result.fixed == clean_bytes(data)
    assert kinds(result.fixed) == []


def test_unclean_line_points_at_first_stripped_field():
    nb = notebook([code_cell("a = 1\n", id="a"), code_cell("b = 2\n", id="b", outputs=[stream("2\n")])])
    nb["metadata"].pop("language_info")
    data = jupyter_bytes(nb)
    (problem,) = check_bytes(data, DEFAULT_CONFIG).problems
    line = data.decode().splitlines()[problem.line - 1]
    assert line.strip() == '"outputs": [', line


def test_repo_config_decides_what_clean_means():
    nb = notebook([code_cell("x\n", id="a", outputs=[stream("1\n")])])
    nb["metadata"].pop("language_info")
    data = jupyter_bytes(nb)
    assert kinds(data) == [UNCLEAN]
    assert kinds(data, Config(keep_outputs=True)) == []


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"", INVALID),
        (b'{"cells": [', INVALID),
        (b"\xff\xfe{}", INVALID),
        (b'{"nbformat": 4, "cells": "nope", "metadata": {}}', INVALID),
        (b"[1, 2]", INVALID),
    ],
)
def test_invalid_bytes(data, kind):
    assert kinds(data) == [kind]


def test_schema_invalid_notebook():
    nb = json.loads(clean_nb())
    nb["cells"][0]["cell_type"] = "bogus"
    problems = check_bytes(jupyter_bytes(nb), DEFAULT_CONFIG).problems
    assert [p.kind for p in problems] == [SCHEMA]
    assert "nbformat 4.5 schema" in problems[0].message


def test_git_conflict_markers_in_file():
    text = clean_nb().decode().splitlines(keepends=True)
    text[3:3] = ["<<<<<<< HEAD\n", '   "x": 1,\n', "=======\n", '   "x": 2,\n', ">>>>>>> other\n"]
    problems = check_bytes("".join(text).encode(), DEFAULT_CONFIG).problems
    assert [(p.kind, p.line) for p in problems] == [(CONFLICT, 4)]


def test_nbgit_conflict_markers_in_cell_source():
    src = "a = 1\n<<<<<<< local\nb = 2\n=======\nb = 3\n>>>>>>> remote\n"
    nb = notebook([code_cell("x = 0\n", id="x"), code_cell(src, id="y")])
    nb["metadata"].pop("language_info")
    data = jupyter_bytes(nb)
    problems = check_bytes(data, DEFAULT_CONFIG).problems
    assert [p.kind for p in problems] == [CONFLICT]
    assert "cell 2: source (1 conflicting region)" in problems[0].message
    assert "<<<<<<< local" in data.decode().splitlines()[problems[0].line - 1]


def test_nbgit_conflict_record_in_metadata():
    nb = notebook([code_cell("x = 0\n", id="x", metadata={"nbgit": {"conflicts": [{"path": "outputs"}]}})])
    nb["metadata"].pop("language_info")
    data = jupyter_bytes(nb)
    problems = check_bytes(data, DEFAULT_CONFIG).problems
    assert [p.kind for p in problems] == [CONFLICT]
    assert "cell 1: outputs" in problems[0].message
    assert '"conflicts"' in data.decode().splitlines()[problems[0].line - 1]


def test_setext_heading_is_not_a_conflict():
    nb = notebook([markdown_cell("Title\n=======\n\ntext\n>>>>>>> quoted\n", id="m")])
    nb["metadata"].pop("language_info")
    assert kinds(jupyter_bytes(nb)) == []


# --- the command, on real files and in real repositories ------------------------------------


def run(cwd, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "nbgit", "check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "GITHUB_ACTIONS": "false", **(env or {})},
    )


class Done:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def check_here(monkeypatch, capsys):
    """Run `nbgit check` in this process (no interpreter start-up, imports shared between tests)."""
    from nbgit.cli.check import main

    def call(cwd, *args, env=None):
        monkeypatch.chdir(cwd)
        monkeypatch.setenv("GITHUB_ACTIONS", "false")
        for k, v in (env or {}).items():
            monkeypatch.setenv(k, v)
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return Done(code, out.out, out.err)

    return call


def test_default_paths_are_tracked_notebooks(repo):
    repo.write("good.ipynb", clean_nb())
    repo.write("dirty.ipynb", jupyter_bytes(dirty_notebook()))
    repo.commit("add", "good.ipynb", "dirty.ipynb")
    repo.write("untracked.ipynb", b"not json")
    proc = run(repo.path)
    assert proc.returncode == 1
    assert "dirty.ipynb:" in proc.stdout and "not clean" in proc.stdout
    assert "good.ipynb" not in proc.stdout
    assert "untracked" not in proc.stdout
    assert "2 notebooks checked, 1 with problems" in proc.stderr


def test_outside_a_repo_walks_the_directory(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.ipynb").write_bytes(b"{")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "skip.ipynb").write_bytes(b"{")
    (tmp_path / "ok.ipynb").write_bytes(clean_nb())
    proc = run(tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith(os.path.join("sub", "bad.ipynb") + ":1: invalid JSON")
    assert "skip" not in proc.stdout
    assert "2 notebooks checked" in proc.stderr


def test_fix_cleans_in_place_and_leaves_the_rest(repo):
    dirty = jupyter_bytes(dirty_notebook())
    repo.write("dirty.ipynb", dirty)
    repo.write("broken.ipynb", b'{"cells": [')
    proc = run(repo.path, "--fix", "dirty.ipynb", "broken.ipynb")
    assert proc.returncode == 1  # broken.ipynb cannot be fixed
    assert repo.read("dirty.ipynb") == clean_bytes(dirty)
    assert repo.read("broken.ipynb") == b'{"cells": ['
    assert "dirty.ipynb: cleaned" in proc.stdout
    assert run(repo.path, "dirty.ipynb").returncode == 0
    assert not [p for p in repo.path.iterdir() if p.name.startswith(".nbgit-")]


def test_fix_alone_exits_zero(repo, check_here):
    repo.write("dirty.ipynb", jupyter_bytes(dirty_notebook()))
    proc = check_here(repo.path, "--fix", "dirty.ipynb")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_uses_the_repository_config(repo, check_here):
    nb = notebook([code_cell("x\n", id="a", outputs=[stream("1\n")])])
    nb["metadata"].pop("language_info")
    repo.write("n.ipynb", jupyter_bytes(nb))
    assert check_here(repo.path, "--no-validate", "n.ipynb").returncode == 1
    repo.write("pyproject.toml", "[tool.nbgit]\nkeep_outputs = true\n")
    assert check_here(repo.path, "--no-validate", "n.ipynb").returncode == 0
    repo.write("pyproject.toml", "[tool.nbgit]\nkeep_outptus = true\n")
    proc = check_here(repo.path, "n.ipynb")
    assert proc.returncode == 2
    assert "keep_outptus" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_file_is_exit_2_without_traceback(tmp_path):
    proc = run(tmp_path, "nope.ipynb")
    assert proc.returncode == 2
    assert "nope.ipynb" in proc.stderr and "Traceback" not in proc.stderr
    assert "all good" not in proc.stderr
    assert proc.stderr.strip().endswith("nbgit check: 0 notebooks checked, 1 could not be read")


def test_github_actions_annotations(repo, check_here):
    repo.write("dir/d, x.ipynb", jupyter_bytes(dirty_notebook()))
    proc = check_here(repo.path, "--no-validate", "dir", env={"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(repo.path)})
    assert proc.returncode == 1
    ann = [ln for ln in proc.stdout.splitlines() if ln.startswith("::error ")]
    assert len(ann) == 1
    assert ann[0].startswith("::error file=dir/d%2C x.ipynb,line=")
    assert "title=nbgit check%3A not clean::not clean (" in ann[0]
    assert "::" not in check_here(repo.path, "dir", env={"GITHUB_ACTIONS": "false"}).stdout


def test_quiet_prints_nothing_when_all_good(tmp_path, check_here):
    (tmp_path / "ok.ipynb").write_bytes(clean_nb())
    proc = check_here(tmp_path, "-q")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_corpus_clean_pass_dirty_and_invalid_reported():
    corpus = corpus_dir()
    files = sorted(corpus.rglob("*.ipynb"))
    clean = dirty = invalid = 0
    for path in files:
        data = path.read_bytes()
        result = check_bytes(data, DEFAULT_CONFIG, validate=False)
        found = {p.kind for p in result.problems}
        if INVALID in found or CONFLICT in found:
            invalid += 1
            continue
        if result.fixed is None:
            assert not found, path
            clean += 1
        else:
            assert UNCLEAN in found, path
            assert result.fixed == clean_bytes(data), path
            assert [p.kind for p in check_bytes(result.fixed, DEFAULT_CONFIG, validate=False).problems] == [], path
            dirty += 1
    assert clean and dirty and invalid, (clean, dirty, invalid)


def test_corpus_command_runs_without_crash():
    corpus = corpus_dir()
    proc = run(corpus, "merges/fastai+nbdev")  # with nbformat validation; holds a committed broken merge
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "invalid JSON" in proc.stdout
    assert "not clean" in proc.stdout


def test_pre_commit_hooks_file():
    text = (PROJECT / ".pre-commit-hooks.yaml").read_text()
    hooks = _parse_hooks(text)
    assert set(hooks) == {"nbgit-check", "nbgit-clean"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types"] == "[jupyter]"
    assert hooks["nbgit-check"]["entry"] == "nbgit check"
    assert hooks["nbgit-clean"]["entry"] == "nbgit clean"


def _parse_hooks(text: str) -> dict:
    """The small YAML subset the hooks file uses (a list of flat mappings); no YAML dependency."""
    hooks: dict = {}
    current = None
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line or line.lstrip().startswith("#"):
            continue
        if line.startswith("- "):
            current = {}
            line = line[2:]
        key, _, value = line.strip().partition(":")
        current[key] = value.strip().strip("'\"")
        if key == "id":
            hooks[current["id"]] = current
    return hooks


def test_paired_notebook_out_of_sync(repo, check_here):
    nb = notebook([code_cell("x = 1\n", id="a")])
    nb["metadata"]["language_info"].pop("version")
    nb["metadata"]["jupytext"] = {"formats": "ipynb,py:percent"}
    repo.write("nb.ipynb", jupyter_bytes(nb))
    repo.nbgit("sync", "nb.ipynb")
    assert check_here(repo.path, "--no-validate", "nb.ipynb").returncode == 0
    with open(repo.path / "nb.py", "a") as fh:
        fh.write("\n# %%\ny = 2\n")
    proc = check_here(repo.path, "--no-validate", "nb.ipynb")
    assert proc.returncode == 1
    assert "nb.ipynb:1: out of sync with nb.py (run `nbgit sync nb.ipynb`)" in proc.stdout
    assert (repo.path / "nb.py").read_text().endswith("y = 2\n")  # check writes nothing


def test_fix_writes_through_a_symlink(tmp_path, check_here):
    target = tmp_path / "real.ipynb"
    target.write_bytes(jupyter_bytes(dirty_notebook()))
    link = tmp_path / "link.ipynb"
    link.symlink_to(target)
    proc = check_here(tmp_path, "--no-validate", "--fix", "link.ipynb")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert link.is_symlink()
    assert target.read_bytes() == clean_bytes(jupyter_bytes(dirty_notebook()))


def test_fix_that_cannot_write_leaves_the_file(tmp_path, check_here, monkeypatch):
    import errno

    import nbgit._fs

    def full_disk(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(nbgit._fs, "atomic_write", full_disk)
    nb = tmp_path / "d.ipynb"
    data = jupyter_bytes(dirty_notebook())
    nb.write_bytes(data)
    proc = check_here(tmp_path, "--no-validate", "--fix", "d.ipynb")
    assert proc.returncode == 2
    assert "nbgit check: error: d.ipynb: cannot write (No space left on device); left as it was" in proc.stderr
    assert "d.ipynb:" in proc.stdout and "not clean" in proc.stdout  # still reported
    assert nb.read_bytes() == data


def test_conflicted_paired_notebook_and_unmerged_notebook_are_reported_once(repo):
    nb = notebook([code_cell("x = 1\n", id="a")])
    nb["metadata"]["language_info"].pop("version")
    nb["metadata"]["jupytext"] = {"formats": "ipynb,py:percent"}
    repo.write("nb.ipynb", jupyter_bytes(nb))
    repo.nbgit("sync", "nb.ipynb")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("nb.ipynb", jupyter_bytes(nb).replace(b"x = 1", b"x = 2"))
    repo.commit("topic")
    repo.git("checkout", "-q", "main")
    repo.write("nb.ipynb", jupyter_bytes(nb).replace(b"x = 1", b"x = 3"))
    repo.commit("main")
    assert repo.git("merge", "topic", check=False).returncode == 1  # git's text merge: markers in the file
    proc = run(repo.path, "--no-validate")
    assert proc.returncode == 1
    assert proc.stdout.count("nb.ipynb:") == 1 and "git conflict markers in the file" in proc.stdout
    assert "1 notebook checked, 1 with problems" in proc.stderr
