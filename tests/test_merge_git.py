"""The merge driver under real git: merge, rebase, cherry-pick, stash, checkout -m, criss-cross, ..."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import nbformat
import pytest

from nbfactory import code_cell, jupyter_bytes, markdown_cell, notebook, stream

NB = "analysis.ipynb"


def base_notebook() -> dict:
    return notebook(
        [
            markdown_cell("# Analysis\n", id="title"),
            code_cell("data = load()\nprint(len(data))\n", id="load"),
            code_cell("model = fit(data)\nmodel.summary()\n", id="fit"),
            code_cell("plot(model)\n", id="plot"),
        ]
    )


def with_source(nb: dict, cell_id: str, text: str) -> dict:
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell["id"] == cell_id:
            cell["source"] = text.splitlines(keepends=True)
            return nb
    raise KeyError(cell_id)


def load(repo, name: str = NB) -> dict:
    nb = json.loads(repo.read(name))
    nbformat.validate(nbformat.from_dict(nb))
    return nb


def sources(nb: dict) -> dict:
    return {c["id"]: "".join(c["source"]) for c in nb["cells"]}


def diverge(repo, ours: dict, theirs: dict, base: dict | None = None) -> None:
    """main: base then `ours`; branch topic (from base): `theirs`. HEAD ends on main."""
    repo.write(NB, jupyter_bytes(base or base_notebook()))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write(NB, jupyter_bytes(theirs))
    repo.commit("theirs")
    repo.git("checkout", "-q", "main")
    repo.write(NB, jupyter_bytes(ours))
    repo.commit("ours")


def conflicting(repo) -> None:
    b = base_notebook()
    diverge(repo, with_source(b, "fit", "model = fit(data, alpha=1)\nmodel.summary()\n"),
            with_source(b, "fit", "model = fit(data, alpha=2)\nmodel.summary()\n"))


def test_install_configures_the_driver(installed_repo):
    cfg = installed_repo.out("config", "--get", "merge.nbgit.driver")
    assert cfg.strip().endswith("-m nbgit merge-driver %O %A %B %L %P %S %X %Y")
    assert installed_repo.out("config", "--get", "merge.nbgit.recursive").strip() == "binary"
    assert "merge: nbgit" in installed_repo.out("check-attr", "merge", "--", NB)


def test_edits_of_different_cells_merge_cleanly(installed_repo):
    repo = installed_repo
    b = base_notebook()
    ours = with_source(b, "title", "# Analysis 2026\n")
    ours["cells"][1]["outputs"] = [stream("42\n")]  # stripped by the clean filter on the way in
    diverge(repo, ours, with_source(b, "plot", "plot(model, log=True)\n"))
    proc = repo.git("merge", "-q", "--no-edit", "topic")
    assert proc.returncode == 0
    nb = load(repo)
    assert sources(nb)["title"] == "# Analysis 2026\n" and sources(nb)["plot"] == "plot(model, log=True)\n"
    # what git stored is already clean: no output, and `git status` has nothing to say
    stored = json.loads(repo.blob(f"HEAD:{NB}"))
    assert all(c.get("outputs", []) == [] for c in stored["cells"])
    assert repo.out("status", "--porcelain") == ""
    # the stored bytes are in the layout of the file (Jupyter's: indent 1, final newline)
    assert repo.blob(f"HEAD:{NB}").startswith(b'{\n "cells": [\n') and repo.blob(f"HEAD:{NB}").endswith(b"}\n")


def test_conflict_stays_inside_a_valid_notebook(installed_repo):
    repo = installed_repo
    conflicting(repo)
    proc = repo.git("merge", "topic", check=False)
    assert proc.returncode == 1
    assert b"CONFLICT (content): Merge conflict in analysis.ipynb" in proc.stdout
    assert b"nbgit: analysis.ipynb: 1 conflict in cell 3" in proc.stderr
    assert repo.out("status", "--porcelain").startswith("UU analysis.ipynb")
    nb = load(repo)
    fit = sources(nb)["fit"].splitlines()
    assert fit[0].startswith("<<<<<<< ") and fit[1] == "model = fit(data, alpha=1)"
    assert fit[2] == "=======" and fit[3] == "model = fit(data, alpha=2)" and fit[4].startswith(">>>>>>> ")
    assert fit[5] == "model.summary()"
    assert sources(nb)["plot"] == "plot(model)\n"

    listed = repo.nbgit("conflicts", check=False)
    assert listed.returncode == 1
    assert listed.stdout.decode() == "analysis.ipynb: cell 3: source (1 conflicting region)\n"

    nb["cells"][2]["source"] = ["model = fit(data, alpha=3)\n", "model.summary()\n"]
    repo.write(NB, jupyter_bytes(nb))
    assert repo.nbgit("conflicts", NB, check=False).returncode == 0
    repo.git("add", NB)
    repo.git("commit", "-q", "--no-edit")
    assert "alpha=3" in repo.blob(f"HEAD:{NB}").decode()


def test_labels_are_git_s_or_ours_theirs(installed_repo):
    repo = installed_repo
    conflicting(repo)
    repo.git("merge", "topic", check=False)
    fit = sources(load(repo))["fit"].splitlines()
    from nbgit.git.repo import git_version

    if git_version(repo.path) >= (2, 44):
        assert fit[0] == "<<<<<<< HEAD" and fit[4] == ">>>>>>> topic"
    else:  # %X/%Y arrive unexpanded: the driver falls back
        assert fit[0] == "<<<<<<< ours" and fit[4] == ">>>>>>> theirs"


def test_conflict_marker_size_attribute(installed_repo):
    repo = installed_repo
    with open(repo.path / ".gitattributes", "a") as fh:
        fh.write("*.ipynb conflict-marker-size=12\n")
    conflicting(repo)
    repo.git("merge", "topic", check=False)
    fit = sources(load(repo))["fit"].splitlines()
    assert fit[0].startswith("<" * 12 + " ") and fit[2] == "=" * 12 and fit[4].startswith(">" * 12 + " ")


def test_diff3_conflict_style(installed_repo):
    repo = installed_repo
    repo.git("config", "merge.conflictStyle", "diff3")
    conflicting(repo)
    repo.git("merge", "topic", check=False)
    fit = sources(load(repo))["fit"].splitlines()
    assert fit[2].startswith("||||||| ") and fit[3] == "model = fit(data)"


def test_rebase_with_conflict_then_continue_and_abort(installed_repo):
    repo = installed_repo
    conflicting(repo)
    repo.git("checkout", "-q", "topic")
    before = repo.read(NB)
    proc = repo.git("rebase", "main", check=False)
    assert proc.returncode != 0
    nb = load(repo)  # valid JSON mid-rebase, conflict inside the cell
    assert "<<<<<<<" in sources(nb)["fit"]
    repo.git("rebase", "--abort")
    assert repo.read(NB) == before and repo.out("status", "--porcelain") == ""

    repo.git("rebase", "main", check=False)
    nb = load(repo)
    nb["cells"][2]["source"] = ["model = fit(data, alpha=12)\n", "model.summary()\n"]
    repo.write(NB, jupyter_bytes(nb))
    repo.git("add", NB)
    repo.git("-c", "core.editor=true", "rebase", "--continue")
    assert "alpha=12" in repo.blob(f"HEAD:{NB}").decode()
    assert repo.out("log", "--format=%s", "-3").split() == ["theirs", "ours", "base"]


def test_cherry_pick(installed_repo):
    repo = installed_repo
    b = base_notebook()
    diverge(repo, with_source(b, "title", "# Title from main\n"), with_source(b, "plot", "plot(model, 'topic')\n"))
    topic_head = repo.out("rev-parse", "topic").strip()
    repo.git("cherry-pick", topic_head)
    nb = load(repo)
    assert sources(nb)["title"] == "# Title from main\n" and sources(nb)["plot"] == "plot(model, 'topic')\n"


def test_stash_pop_merges_cell_by_cell(installed_repo):
    repo = installed_repo
    b = base_notebook()
    repo.write(NB, jupyter_bytes(b))
    repo.commit("base")
    repo.write(NB, jupyter_bytes(with_source(b, "plot", "plot(model, 'stashed')\n")))
    repo.git("stash")
    repo.write(NB, jupyter_bytes(with_source(b, "title", "# Committed meanwhile\n")))
    repo.commit("title")
    repo.git("stash", "pop")
    nb = load(repo)
    assert sources(nb)["title"] == "# Committed meanwhile\n" and sources(nb)["plot"] == "plot(model, 'stashed')\n"


def test_stash_pop_conflict(installed_repo):
    repo = installed_repo
    b = base_notebook()
    repo.write(NB, jupyter_bytes(b))
    repo.commit("base")
    repo.write(NB, jupyter_bytes(with_source(b, "plot", "plot(model, 'stashed')\n")))
    repo.git("stash")
    repo.write(NB, jupyter_bytes(with_source(b, "plot", "plot(model, 'committed')\n")))
    repo.commit("plot")
    proc = repo.git("stash", "pop", check=False)
    assert proc.returncode != 0
    assert "<<<<<<<" in sources(load(repo))["plot"]
    assert repo.out("stash", "list").strip() != ""  # git keeps the stash when the pop conflicts


def test_checkout_m_carries_local_changes(installed_repo):
    repo = installed_repo
    b = base_notebook()
    repo.write(NB, jupyter_bytes(b))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write(NB, jupyter_bytes(with_source(b, "title", "# Topic title\n")))
    repo.commit("topic")
    repo.git("checkout", "-q", "main")
    repo.write(NB, jupyter_bytes(with_source(b, "plot", "plot(model, 'uncommitted')\n")))
    repo.git("checkout", "-m", "topic")
    nb = load(repo)
    assert sources(nb)["title"] == "# Topic title\n" and sources(nb)["plot"] == "plot(model, 'uncommitted')\n"


def test_criss_cross_merge(installed_repo):
    """Two merge bases: git merges them first (recursive = binary keeps one), then runs the driver."""
    repo = installed_repo
    b = base_notebook()
    repo.write(NB, jupyter_bytes(b))
    repo.commit("base")
    repo.git("branch", "topic")
    repo.write(NB, jupyter_bytes(with_source(b, "title", "# main 1\n")))
    repo.commit("main 1")
    repo.git("checkout", "-q", "topic")
    topic1 = with_source(b, "plot", "plot(model, 'topic 1')\n")
    repo.write(NB, jupyter_bytes(topic1))
    repo.commit("topic 1")
    repo.git("merge", "-q", "--no-edit", "main")  # topic now has both
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-edit", "topic~1")  # main merges topic 1: criss-cross
    main_nb = load(repo)
    repo.write(NB, jupyter_bytes(with_source(main_nb, "load", "data = load('main 2')\nprint(len(data))\n")))
    repo.commit("main 2")
    repo.git("checkout", "-q", "topic")
    topic_nb = load(repo)
    repo.write(NB, jupyter_bytes(with_source(topic_nb, "fit", "model = fit(data, 'topic 2')\nmodel.summary()\n")))
    repo.commit("topic 2")
    repo.git("checkout", "-q", "main")
    assert len(repo.out("merge-base", "--all", "main", "topic").split()) == 2
    proc = repo.git("merge", "--no-edit", "topic", check=False)
    assert proc.returncode == 0, proc.stderr
    got = sources(load(repo))
    assert got["title"] == "# main 1\n" and got["plot"] == "plot(model, 'topic 1')\n"
    assert got["load"].startswith("data = load('main 2')") and "topic 2" in got["fit"]


def test_modify_delete(installed_repo):
    repo = installed_repo
    b = base_notebook()
    repo.write(NB, jupyter_bytes(b))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "topic")
    repo.git("rm", "-q", NB)
    repo.commit("delete")
    repo.git("checkout", "-q", "main")
    repo.write(NB, jupyter_bytes(with_source(b, "plot", "plot(model, 'kept')\n")))
    repo.commit("modify")
    proc = repo.git("merge", "topic", check=False)
    assert proc.returncode == 1 and b"CONFLICT (modify/delete)" in proc.stdout
    assert sources(load(repo))["plot"] == "plot(model, 'kept')\n"  # the modified notebook is left, valid


def test_add_add_is_a_two_way_merge(installed_repo):
    repo = installed_repo
    repo.write("README", "x\n")
    repo.commit("init")
    repo.git("checkout", "-q", "-b", "topic")
    b = base_notebook()
    repo.write(NB, jupyter_bytes(with_source(b, "plot", "plot(model, 'topic')\n")))
    repo.commit("add on topic")
    repo.git("checkout", "-q", "main")
    repo.write(NB, jupyter_bytes(b))
    repo.commit("add on main")
    proc = repo.git("merge", "topic", check=False)
    assert proc.returncode == 1
    nb = load(repo)
    assert sources(nb)["title"] == "# Analysis\n"  # shared cells merge
    assert "plot(model, 'topic')" in sources(nb)["plot"] and "<<<<<<<" in sources(nb)["plot"]


def test_keep_outputs_repo_clears_and_records_conflicting_outputs(installed_repo):
    repo = installed_repo
    repo.write(".nbgit.toml", "keep_outputs = true\n")
    b = base_notebook()
    ours, theirs = copy.deepcopy(b), copy.deepcopy(b)
    ours["cells"][1]["outputs"] = [stream("10\n")]
    theirs["cells"][1]["outputs"] = [stream("20\n")]
    ours["cells"][3]["outputs"] = [stream("same\n")]
    diverge(repo, ours, theirs)
    proc = repo.git("merge", "topic", check=False)
    assert proc.returncode == 1
    nb = load(repo)
    assert nb["cells"][1]["outputs"] == [] and nb["cells"][1]["metadata"]["nbgit"]["conflicts"][0]["path"] == "outputs"
    assert nb["cells"][3]["outputs"] == [stream("same\n")]
    assert repo.nbgit("conflicts", check=False).stdout.decode() == "analysis.ipynb: cell 2: outputs (outputs)\n"


def test_not_a_notebook_falls_back_to_text_merge(installed_repo):
    repo = installed_repo
    b = base_notebook()
    diverge(repo, with_source(b, "title", "# ours\n"), with_source(b, "plot", "plot(model, 'x')\n"))
    repo.git("checkout", "-q", "topic")
    repo.write(NB, b"{ this is not json\n")
    repo.commit("broken")
    repo.git("checkout", "-q", "main")
    proc = repo.git("merge", "topic", check=False)
    assert proc.returncode == 1
    assert b"theirs is not a notebook" in proc.stderr
    # git's text merge conflicts: ours (a notebook) is kept, theirs' text recorded, never JSON with markers
    nb = load(repo)
    assert b"<<<<<<< " not in repo.read(NB)
    assert nb["metadata"]["nbgit"]["conflicts"][-1]["remote"] == "{ this is not json\n"
    assert repo.nbgit("conflicts", check=False).stdout.decode() == f"{NB}: notebook: notebook-metadata (file)\n"


# -- the driver invoked directly ----------------------------------------------------------------


def driver(cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgit", "merge-driver", *args], cwd=cwd, capture_output=True)


def test_driver_internal_error_leaves_local_version(tmp_path):
    local = tmp_path / "A"
    local.write_bytes(jupyter_bytes(base_notebook()))
    before = local.read_bytes()
    remote = tmp_path / "B"
    remote.write_bytes(before)
    proc = driver(tmp_path, str(tmp_path / "missing-O"), str(local), str(remote), "7", "nb.ipynb")
    assert proc.returncode == 1
    assert local.read_bytes() == before
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nbgit: nb.ipynb: merge failed") and "kept our version" in lines[0]


def test_driver_with_literal_placeholders_and_labels(tmp_path):
    b = base_notebook()
    paths = {}
    for name, nb in (("O", b), ("A", with_source(b, "plot", "a\n")), ("B", with_source(b, "plot", "b\n"))):
        paths[name] = tmp_path / name
        paths[name].write_bytes(jupyter_bytes(nb))
    proc = driver(tmp_path, str(paths["O"]), str(paths["A"]), str(paths["B"]), "7", "nb.ipynb", "%S", "%X", "%Y")
    assert proc.returncode == 1
    assert sources(json.loads(paths["A"].read_bytes()))["plot"] == "<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n"
    paths["A"].write_bytes(jupyter_bytes(with_source(b, "plot", "a\n")))
    proc = driver(tmp_path, str(paths["O"]), str(paths["A"]), str(paths["B"]), "5", "nb.ipynb", "main~1", "HEAD", "topic")
    assert sources(json.loads(paths["A"].read_bytes()))["plot"] == "<<<<< HEAD\na\n=====\nb\n>>>>> topic\n"


def test_driver_help_and_usage():
    proc = subprocess.run([sys.executable, "-m", "nbgit", "merge-driver", "--help"], capture_output=True)
    assert proc.returncode == 0 and b"%O %A %B" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "nbgit", "merge-driver", "only-one"], capture_output=True)
    assert proc.returncode == 2


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX import check")
def test_driver_hot_path_imports_no_heavy_modules(tmp_path):
    b = jupyter_bytes(base_notebook())
    for name in "OAB":
        (tmp_path / name).write_bytes(b)
    code = (
        "import sys; from nbgit.cli import main; rc = main(['merge-driver', 'O', 'A', 'B', '7', 'x.ipynb']);"
        "heavy = [m for m in ('nbformat', 'jsonschema', 'nbdime', 'pygit2', 'numpy') if m in sys.modules];"
        "print(rc, heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True)
    assert proc.stdout.decode().strip() == "0 []", proc.stderr
