"""The clean filter end to end with real git, and `nbgit install/uninstall/status`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from nbfactory import dirty_notebook, jupyter_bytes, stream
from nbgit.git.install import ATTRIBUTES_COMMENT, attributes_line
from nbgit.notebook.clean import clean_bytes

DIRTY = jupyter_bytes(dirty_notebook(3))
CLEAN = clean_bytes(DIRTY)


def dirty(i: int) -> bytes:
    nb = dirty_notebook(2)
    nb["cells"][0]["source"] = [f"value = {i}\n"]
    return jupyter_bytes(nb)


def porcelain(repo) -> str:
    return repo.out("status", "--porcelain").rstrip("\n")


@pytest.fixture
def nbrepo(installed_repo):
    """An installed repository whose .gitattributes is committed."""
    installed_repo.commit("nbgit", ".gitattributes")
    return installed_repo


def index_blob(repo, path: str) -> bytes:
    return repo.git("cat-file", "blob", f":{path}").stdout


# --- the filter in git's everyday commands --------------------------------------------------------


def test_git_add_stores_clean_blob_and_keeps_worktree(nbrepo):
    r = nbrepo
    r.write("nb/a.ipynb", DIRTY)
    proc = r.git("add", "nb/a.ipynb")
    assert proc.stderr == b""
    assert index_blob(r, "nb/a.ipynb") == CLEAN
    assert r.read("nb/a.ipynb") == DIRTY  # the user's outputs stay in the work tree
    r.git("commit", "-q", "-m", "add")
    assert r.blob("HEAD:nb/a.ipynb") == CLEAN
    assert porcelain(r) == ""


def test_status_clean_after_touch_of_committed_dirty_notebook(nbrepo):
    r = nbrepo
    r.write("a.ipynb", DIRTY)
    r.commit("add", "a.ipynb")
    st = os.stat(r.path / "a.ipynb")
    os.utime(r.path / "a.ipynb", (st.st_atime + 10, st.st_mtime + 10))
    assert porcelain(r) == ""
    assert r.git("diff", "--quiet", check=False).returncode == 0
    # only outputs changed (same file size): still nothing to commit
    nb = json.loads(DIRTY)
    nb["cells"][0]["outputs"][0]["text"] = ["9\n"]
    nb["cells"][0]["execution_count"] = 7
    assert len(jupyter_bytes(nb)) == len(DIRTY)
    r.write("a.ipynb", jupyter_bytes(nb))
    assert porcelain(r) == ""
    # outputs changed with a new size: git's stat shortcut lists the file in `git status` (as with
    # any clean filter, size differs from the index entry), but there is no content difference
    nb["cells"][0]["outputs"] = [stream("different\n")]
    r.write("a.ipynb", jupyter_bytes(nb))
    assert r.out("diff", "--name-only") == ""
    r.git("add", "a.ipynb")
    assert porcelain(r) == "" and index_blob(r, "a.ipynb") == CLEAN
    # a source change is seen
    nb["cells"][0]["source"] = ["changed\n"]
    r.write("a.ipynb", jupyter_bytes(nb))
    assert porcelain(r) == " M a.ipynb"
    assert r.read("a.ipynb") == jupyter_bytes(nb)


def test_checkout_writes_the_clean_blob_with_the_stored_outputs(nbrepo):
    r = nbrepo
    r.write("a.ipynb", DIRTY)
    r.commit("add", "a.ipynb")
    r.git("checkout", "-q", "-b", "other")
    r.git("rm", "-q", "a.ipynb")
    r.git("commit", "-q", "-m", "rm")
    assert not (r.path / "a.ipynb").exists()
    r.git("checkout", "-q", "main")
    assert r.read("a.ipynb") == DIRTY  # the clone's output store puts the outputs back
    assert porcelain(r) == "" and index_blob(r, "a.ipynb") == CLEAN
    (r.path / "a.ipynb").unlink()
    r.git("checkout", "--", "a.ipynb")
    assert r.read("a.ipynb") == DIRTY
    # without the store, smudge passes the stored (clean) bytes through
    r.nbgit("outputs", "--clear")
    (r.path / "a.ipynb").unlink()
    r.git("checkout", "--", "a.ipynb")
    assert r.read("a.ipynb") == CLEAN
    assert porcelain(r) == ""


def test_renormalize_after_install(repo):
    r = repo
    for i in range(3):
        r.write(f"n{i}.ipynb", dirty(i))
    r.write("other.txt", "plain\n")
    r.commit("dirty notebooks, before nbgit")
    assert r.blob("HEAD:n0.ipynb") == dirty(0)
    r.nbgit("install")
    r.git("add", ".gitattributes")
    r.git("add", "--renormalize", ".")
    for i in range(3):
        assert index_blob(r, f"n{i}.ipynb") == clean_bytes(dirty(i))
        assert r.read(f"n{i}.ipynb") == dirty(i)
    assert sorted(r.out("diff", "--cached", "--name-only").split()) == [".gitattributes", "n0.ipynb", "n1.ipynb", "n2.ipynb"]
    r.git("commit", "-q", "-m", "renormalize")
    assert porcelain(r) == ""


def test_stash_and_pop_with_dirty_notebooks(nbrepo):
    r = nbrepo
    r.write("a.ipynb", DIRTY)
    r.write("b.ipynb", dirty(7))
    r.commit("add")
    # outputs-only changes are not changes: nothing to stash, outputs stay
    assert b"No local changes" in r.git("stash").stdout
    assert r.read("a.ipynb") == DIRTY
    # a real edit (source + new outputs)
    nb = json.loads(DIRTY)
    nb["cells"][0]["source"] = ["edited = True\n"]
    nb["cells"][0]["outputs"] = [stream("new output\n")]
    edited = jupyter_bytes(nb)
    r.write("a.ipynb", edited)
    r.git("stash")
    # the committed version, with the outputs the clone's output store kept for it
    assert r.read("a.ipynb") == DIRTY
    assert porcelain(r) == ""
    r.git("stash", "pop")
    # the edit survives; the stash stored the cleaned notebook, and the store gives its outputs back
    assert r.read("a.ipynb") == edited
    assert porcelain(r) == " M a.ipynb"
    assert index_blob(r, "a.ipynb") == CLEAN
    assert r.read("b.ipynb") == dirty(7)  # untouched file keeps its outputs
    assert index_blob(r, "b.ipynb") == clean_bytes(dirty(7))


def test_crlf_with_autocrlf(nbrepo):
    r = nbrepo
    r.git("config", "core.autocrlf", "true")
    crlf = DIRTY.replace(b"\n", b"\r\n")
    r.write("a.ipynb", crlf)
    proc = r.git("add", "a.ipynb")
    assert b"nbgit" not in proc.stderr
    blob = index_blob(r, "a.ipynb")
    assert b"\r" not in blob
    assert blob == CLEAN  # cleaned, then stored with LF
    assert r.read("a.ipynb") == crlf
    r.git("commit", "-q", "-m", "crlf")
    os.utime(r.path / "a.ipynb", (1e9, 1e9 + 100))
    assert porcelain(r) == ""
    (r.path / "a.ipynb").unlink()
    r.git("checkout", "--", "a.ipynb")
    assert r.read("a.ipynb") == crlf  # CRLF endings, outputs back from the clone's output store
    assert porcelain(r) == ""
    r.nbgit("outputs", "--clear")
    (r.path / "a.ipynb").unlink()
    r.git("checkout", "--", "a.ipynb")
    assert r.read("a.ipynb") == CLEAN.replace(b"\n", b"\r\n")
    assert porcelain(r) == ""


def test_required_filter_missing_fails_and_loses_nothing(nbrepo):
    r = nbrepo
    r.write("a.ipynb", DIRTY)
    r.commit("add", "a.ipynb")
    missing = "/nonexistent/venv/bin/python"
    r.git("config", "filter.nbgit.process", f"{missing} -m nbgit filter-process")
    r.git("config", "filter.nbgit.clean", f"{missing} -m nbgit clean --path %f")
    nb = json.loads(DIRTY)
    nb["cells"][0]["source"] = ["precious = 1\n"]
    edited = jupyter_bytes(nb)
    r.write("a.ipynb", edited)
    r.write("b.ipynb", dirty(3))
    proc = r.git("add", "a.ipynb", "b.ipynb", check=False)
    assert proc.returncode != 0
    assert b"/nonexistent/venv/bin/python" in proc.stderr  # git names the command that failed
    assert r.read("a.ipynb") == edited and r.read("b.ipynb") == dirty(3)
    assert index_blob(r, "a.ipynb") == CLEAN  # the index still holds the committed version
    assert r.git("cat-file", "-e", ":b.ipynb", check=False).returncode != 0
    assert r.git("commit", "-q", "-a", "-m", "x", check=False).returncode != 0
    assert r.blob("HEAD:a.ipynb") == CLEAN


def test_a_gone_interpreter_points_to_nbgit_doctor(nbrepo):
    """git alone says "fatal: the remote end hung up unexpectedly"; the installed command says more."""
    from nbgit.git.install import driver_config

    r = nbrepo
    for key, value in driver_config("/nonexistent/venv/bin/python"):
        if key.startswith("filter."):
            r.git("config", key, value)
    r.write("a.ipynb", DIRTY)
    proc = r.git("add", "a.ipynb", check=False)
    assert proc.returncode != 0 and b"run nbgit doctor" in proc.stderr
    assert r.git("cat-file", "-e", ":a.ipynb", check=False).returncode != 0
    # The one-shot commands stay plain (dulwich runs them without a shell): git's own error, no add.
    r.git("config", "--unset", "filter.nbgit.process")
    proc = r.git("add", "a.ipynb", check=False)
    assert proc.returncode != 0 and b"/nonexistent/venv/bin/python" in proc.stderr
    assert r.git("cat-file", "-e", ":a.ipynb", check=False).returncode != 0


def test_conflict_markers_notebook_can_be_added(nbrepo):
    r = nbrepo
    text = DIRTY.decode()
    conflicted = ("<<<<<<< HEAD\n" + text + "=======\n" + text.replace("x = 0", "x = 100") + ">>>>>>> branch\n").encode()
    r.write("conflict.ipynb", conflicted)
    proc = r.git("add", "conflict.ipynb")
    assert index_blob(r, "conflict.ipynb") == conflicted
    assert r.read("conflict.ipynb") == conflicted
    err = proc.stderr.decode().splitlines()
    assert len(err) == 1 and "conflict.ipynb" in err[0] and "conflict markers" in err[0], err


def test_invalid_notebook_added_unchanged_and_others_cleaned(nbrepo):
    r = nbrepo
    r.write("bad.ipynb", DIRTY[:100])
    r.write("good.ipynb", DIRTY)
    proc = r.git("add", "bad.ipynb", "good.ipynb")
    assert index_blob(r, "bad.ipynb") == DIRTY[:100]
    assert index_blob(r, "good.ipynb") == CLEAN
    assert [ln for ln in proc.stderr.decode().splitlines() if "nbgit" in ln] == [
        ln for ln in proc.stderr.decode().splitlines() if "bad.ipynb" in ln
    ]


def test_one_filter_process_serves_a_whole_add(nbrepo):
    r = nbrepo
    n = 25
    for i in range(n):
        r.write(f"d{i % 3}/n{i}.ipynb", dirty(i))
    proc = r.git("add", ".", env={"GIT_TRACE": "1", "GIT_TRACE_PACKET": "1"})
    trace = proc.stderr.decode()
    starts = [ln for ln in trace.splitlines() if "run_command" in ln and "filter-process" in ln]
    assert len(starts) == 1, starts
    assert not [ln for ln in trace.splitlines() if "run_command" in ln and "nbgit clean" in ln]
    assert trace.count("packet:") > 0 and trace.count("command=clean") >= n
    for i in range(n):
        assert index_blob(r, f"d{i % 3}/n{i}.ipynb") == clean_bytes(dirty(i))
    # and git status after touching everything also uses one process
    r.git("commit", "-q", "-m", "many")
    for p in r.path.rglob("*.ipynb"):
        os.utime(p, (2e9, 2e9))
    proc = r.git("status", "--porcelain", env={"GIT_TRACE": "1"})
    assert proc.stdout == b""
    starts = [ln for ln in proc.stderr.decode().splitlines() if "run_command" in ln and "filter-process" in ln]
    assert len(starts) == 1, starts


def test_one_shot_clean_fallback(repo):
    """Without `process`, git uses the one-shot clean/smudge commands with %f."""
    r = repo
    r.nbgit("install")
    r.git("config", "--unset", "filter.nbgit.process")
    r.write("a.ipynb", DIRTY)
    r.write("bad.ipynb", b"{oops")
    proc = r.git("add", "a.ipynb", "bad.ipynb")
    assert index_blob(r, "a.ipynb") == CLEAN
    assert index_blob(r, "bad.ipynb") == b"{oops"
    assert b"bad.ipynb" in proc.stderr
    r.git("commit", "-q", "-m", "x")
    (r.path / "a.ipynb").unlink()
    r.git("checkout", "--", "a.ipynb")
    assert r.read("a.ipynb") == DIRTY  # the one-shot clean kept the outputs, smudge put them back
    r.nbgit("outputs", "--clear")
    (r.path / "a.ipynb").unlink()
    r.git("checkout", "--", "a.ipynb")
    assert r.read("a.ipynb") == CLEAN


def test_config_error_warns_and_cleans_with_the_defaults(nbrepo):
    r = nbrepo
    r.write(".nbgit.toml", "keep_outputz = true\n")
    r.write("a.ipynb", DIRTY)
    proc = r.git("add", "a.ipynb", check=False)
    assert proc.returncode == 0  # a committed config never fails git...
    err = proc.stderr.decode()
    assert "keep_outputz" in err and "cleaning with the default settings" in err and "Traceback" not in err
    stored = json.loads(index_blob(r, "a.ipynb"))
    assert stored["cells"][0]["outputs"] == []  # ...and never lets outputs in: the defaults strip them
    assert r.read("a.ipynb") == DIRTY  # the working copy keeps everything
    r.write(".nbgit.toml", "keep_outputs = true\n")
    r.git("add", "--renormalize", "a.ipynb")
    stored = json.loads(index_blob(r, "a.ipynb"))
    assert stored["cells"][0]["outputs"] and stored["cells"][0]["execution_count"] is None


# --- install / uninstall / status -----------------------------------------------------------------


def config_lines(repo, pattern=r"^(filter|diff|merge)\.nbgit\."):
    return repo.git("config", "--local", "--get-regexp", pattern, check=False).stdout.decode().splitlines()


def test_install_writes_config_and_attributes(repo):
    proc = repo.nbgit("install")
    assert proc.returncode == 0
    cfg = dict(line.split(" ", 1) for line in config_lines(repo))
    from nbgit.git.install import nbgit_command

    assert cfg["filter.nbgit.process"].startswith(f"{nbgit_command()} filter-process || ")
    assert cfg["filter.nbgit.required"] == "true"
    assert os.path.isabs(cfg["filter.nbgit.clean"].split()[0])
    attrs = (repo.path / ".gitattributes").read_text()
    assert attrs == f"{ATTRIBUTES_COMMENT}\n{attributes_line()}\n"
    assert repo.out("check-attr", "filter", "--", "x/y.ipynb").strip() == "x/y.ipynb: filter: nbgit"


def test_install_is_idempotent(repo):
    repo.write(".gitattributes", "*.png binary\n")
    repo.nbgit("install")
    cfg1 = (repo.path / ".git" / "config").read_bytes()
    attrs1 = (repo.path / ".gitattributes").read_bytes()
    proc = repo.nbgit("install")
    assert b"already installed" in proc.stdout
    assert (repo.path / ".git" / "config").read_bytes() == cfg1
    assert (repo.path / ".gitattributes").read_bytes() == attrs1
    assert attrs1.decode().splitlines() == ["*.png binary", "", ATTRIBUTES_COMMENT, attributes_line()]


def test_install_refreshes_an_old_nbgit_line(repo):
    repo.write(".gitattributes", "*.ipynb filter=nbgit\n*.csv text\n")
    repo.nbgit("install")
    lines = (repo.path / ".gitattributes").read_text().splitlines()
    assert lines == ["*.csv text", "", ATTRIBUTES_COMMENT, attributes_line()]


def test_install_info_and_attributes_file(repo):
    repo.nbgit("install", "--info")
    info = repo.path / ".git" / "info" / "attributes"
    assert attributes_line() in info.read_text().splitlines()
    assert not (repo.path / ".gitattributes").exists()
    assert repo.out("check-attr", "filter", "--", "a.ipynb").strip() == "a.ipynb: filter: nbgit"
    custom = repo.path / "custom-attrs"
    repo.nbgit("install", "--attributes", str(custom))
    assert attributes_line() in custom.read_text().splitlines()
    assert repo.nbgit("install", "--info", "--attributes", "x", check=False).returncode == 2


def test_install_global(repo, isolated_git):
    proc = repo.nbgit("install", "--global")
    assert proc.returncode == 0
    assert "filter.nbgit.process" in (isolated_git / ".gitconfig").read_text().replace("[filter \"nbgit\"]\n\tprocess", "filter.nbgit.process")
    global_attrs = isolated_git / ".config" / "git" / "attributes"
    assert attributes_line() in global_attrs.read_text()
    assert not (repo.path / ".gitattributes").exists()
    assert repo.nbgit("status").returncode == 0
    repo.nbgit("uninstall", "--global")
    assert not global_attrs.exists()
    assert "nbgit" not in (isolated_git / ".gitconfig").read_text()


def test_uninstall_removes_exactly_ours(repo):
    repo.git("config", "filter.other.clean", "cat")
    repo.git("config", "core.bare", "false")
    repo.write(".gitattributes", "*.png binary\n*.ipynb diff=other\n")
    repo.nbgit("install")
    proc = repo.nbgit("uninstall")
    assert b"removed" in proc.stdout
    assert config_lines(repo) == []
    assert repo.out("config", "filter.other.clean").strip() == "cat"
    assert (repo.path / ".gitattributes").read_text() == "*.png binary\n*.ipynb diff=other\n"
    proc = repo.nbgit("uninstall")
    assert b"nothing to remove" in proc.stdout
    # a .gitattributes holding only our line is removed entirely
    repo.nbgit("install")
    (repo.path / ".gitattributes").write_text(f"{ATTRIBUTES_COMMENT}\n{attributes_line()}\n")
    repo.nbgit("uninstall")
    assert not (repo.path / ".gitattributes").exists()


def nbstripout_install(repo, *args):
    exe = shutil.which("nbstripout", path=os.path.dirname(sys.executable)) or shutil.which("nbstripout")
    if exe is None:
        pytest.skip("nbstripout is not installed")
    subprocess.run([exe, "--install", *args], cwd=repo.path, check=True, capture_output=True)


def test_existing_nbstripout_setup_reported_and_left_intact(repo):
    nbstripout_install(repo, "--attributes", ".gitattributes")
    before_cfg = repo.git("config", "--get-regexp", r"^filter\.nbstripout\.").stdout
    before_attrs = (repo.path / ".gitattributes").read_text().splitlines()
    assert any("filter=nbstripout" in ln for ln in before_attrs)
    proc = repo.nbgit("install")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert "nbstripout" in out and "left in place" in out
    assert repo.git("config", "--get-regexp", r"^filter\.nbstripout\.").stdout == before_cfg
    after_attrs = (repo.path / ".gitattributes").read_text().splitlines()
    assert after_attrs[: len(before_attrs)] == before_attrs
    assert after_attrs[-1] == attributes_line()
    # later lines win in one attributes file: nbgit is the filter now
    assert repo.out("check-attr", "filter", "--", "a.ipynb").strip() == "a.ipynb: filter: nbgit"
    st = repo.nbgit("status")
    assert b"nbstripout" in st.stdout and st.returncode == 0
    repo.nbgit("uninstall")
    assert (repo.path / ".gitattributes").read_text().splitlines() == before_attrs
    assert repo.git("config", "--get-regexp", r"^filter\.nbstripout\.").stdout == before_cfg


def test_nbstripout_in_info_attributes_overrides_install(repo):
    nbstripout_install(repo)  # nbstripout's default: .git/info/attributes
    info = (repo.path / ".git" / "info" / "attributes").read_text()
    assert "filter=nbstripout" in info
    proc = repo.nbgit("install", check=False)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "filter=nbstripout" in err and "info/attributes" in err
    assert len(err.splitlines()) == 1
    assert (repo.path / ".git" / "info" / "attributes").read_text() == info  # left intact
    st = repo.nbgit("status", check=False)
    assert st.returncode == 1 and b"not active" in st.stdout
    # installing into .git/info/attributes itself puts nbgit's line last there: it wins
    assert repo.nbgit("install", "--info").returncode == 0
    assert repo.out("check-attr", "filter", "--", "a.ipynb").strip() == "a.ipynb: filter: nbgit"
    assert repo.nbgit("status").returncode == 0


def test_status_exit_codes(repo):
    st = repo.nbgit("status", check=False)
    assert st.returncode == 1 and b"not configured" in st.stdout
    repo.nbgit("install")
    st = repo.nbgit("status")
    assert st.returncode == 0
    out = st.stdout.decode()
    assert "filter.nbgit.process" in out and ".git/config" in out and "filter=nbgit" in out
    # config present but no attributes line
    (repo.path / ".gitattributes").unlink()
    st = repo.nbgit("status", check=False)
    assert st.returncode == 1 and b"not active" in st.stdout
    repo.nbgit("install")
    repo.git("config", "--unset", "filter.nbgit.required")
    st = repo.nbgit("status", check=False)
    assert st.returncode == 1 and b"missing: filter.nbgit.required" in st.stdout


def test_status_detects_a_deleted_interpreter(repo, tmp_path):
    venv_python = tmp_path / "old venv" / "bin" / "python"  # a space: commands must be quoted
    venv_python.parent.mkdir(parents=True)
    os.symlink(sys.executable, venv_python)
    from conftest import PROJECT

    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    proc = subprocess.run([str(venv_python), "-m", "nbgit", "install"], cwd=repo.path, capture_output=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert repo.nbgit("status").returncode == 0
    repo.write("ok.ipynb", DIRTY)
    repo.git("add", "ok.ipynb", env=env)  # git runs the filter through that interpreter
    assert index_blob(repo, "ok.ipynb") == CLEAN
    shutil.rmtree(tmp_path / "old venv")
    st = repo.nbgit("status", check=False)
    assert st.returncode == 1
    broken = [ln for ln in st.stdout.decode().splitlines() if "broken" in ln]
    assert broken and all(str(venv_python) in ln for ln in broken)
    assert any("filter.nbgit.process" in ln for ln in broken)
    # and git refuses to add a notebook rather than storing it unfiltered
    repo.write("a.ipynb", DIRTY)
    assert repo.git("add", "a.ipynb", check=False).returncode != 0
    repo.nbgit("install")
    assert repo.nbgit("status").returncode == 0


def test_add_from_a_subdirectory_uses_the_root_config(nbrepo):
    r = nbrepo
    r.write("pyproject.toml", "[project]\nname = 'x'\n\n[tool.nbgit]\nkeep_outputs = true\n")
    r.write("sub/deeper/a.ipynb", DIRTY)
    subprocess.run(["git", "add", "a.ipynb"], cwd=r.path / "sub" / "deeper", check=True, capture_output=True)
    stored = json.loads(index_blob(r, "sub/deeper/a.ipynb"))
    assert stored["cells"][0]["outputs"] and stored["cells"][0]["execution_count"] is None
    assert "ExecuteTime" not in stored["cells"][0]["metadata"]


def test_add_notebook_with_non_utf8_file_name(nbrepo):
    r = nbrepo
    name = b"caf\xe9.ipynb"
    (r.path / os.fsdecode(name)).write_bytes(DIRTY)
    r.write("ok.ipynb", DIRTY)
    r.git("add", ".")
    assert r.git("cat-file", "blob", b":".decode() + os.fsdecode(name)).stdout == CLEAN
    assert index_blob(r, "ok.ipynb") == CLEAN


def test_existing_nbdime_setup_reported_and_left_intact(repo):
    # what `nbdime config-git --enable` writes (nbdime 4), by hand: running it costs seconds
    repo.git("config", "diff.jupyternotebook.command", "git-nbdiffdriver diff")
    repo.git("config", "merge.jupyternotebook.driver", "git-nbmergedriver merge %O %A %B %L %P")
    repo.git("config", "merge.jupyternotebook.name", "jupyter notebook merge driver")
    repo.write(".gitattributes", "\n*.ipynb\tdiff=jupyternotebook\n\n*.ipynb\tmerge=jupyternotebook\n")
    cfg = repo.git("config", "--get-regexp", r"jupyternotebook").stdout
    assert b"git-nbdiffdriver" in cfg
    attrs = (repo.path / ".gitattributes").read_text()
    proc = repo.nbgit("install")
    assert b"nbdime" in proc.stdout and b"left in place" in proc.stdout
    assert (repo.path / ".gitattributes").read_text().startswith(attrs)
    assert repo.out("check-attr", "filter", "diff", "--", "a.ipynb").splitlines()[0] == "a.ipynb: filter: nbgit"
    repo.nbgit("uninstall")
    assert repo.git("config", "--get-regexp", r"jupyternotebook").stdout == cfg
    assert (repo.path / ".gitattributes").read_text().rstrip("\n") == attrs.rstrip("\n")


def test_install_uninstall_keep_a_crlf_attributes_file_byte_for_byte(repo):
    original = b"*.png binary\r\n# caf\xe9 (latin-1 comment)\r\n*.csv text eol=crlf\r\n"
    repo.write(".gitattributes", original)
    repo.nbgit("install")
    data = repo.read(".gitattributes")
    assert data.startswith(original)
    assert data.endswith(attributes_line().encode() + b"\r\n") and b"\r\n\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert repo.nbgit("install").stdout.startswith(b"nbgit: already installed")
    repo.nbgit("uninstall")
    assert repo.read(".gitattributes") == original


def test_status_fails_when_any_driver_is_overridden(installed_repo):
    assert installed_repo.nbgit("status", check=False).returncode == 0
    info = installed_repo.path / ".git" / "info" / "attributes"
    info.parent.mkdir(exist_ok=True)
    info.write_text("*.ipynb merge=jupyternotebook\n")
    proc = installed_repo.nbgit("status", check=False)
    assert proc.returncode == 1
    assert b"the merge driver is not active for notebooks (merge=jupyternotebook)" in proc.stdout


def test_install_into_a_directory_writes_nothing(repo):
    (repo.path / "adir").mkdir()
    proc = repo.nbgit("install", "--attributes", "adir", check=False)
    assert proc.returncode == 2
    assert b"is a directory" in proc.stderr and b"Traceback" not in proc.stderr
    assert repo.git("config", "--get-regexp", "nbgit", check=False).stdout == b""


def test_install_outside_a_repository_says_what_to_do(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "nbgit", "install"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "nbgit install: error: not inside a git work tree (run it inside a clone, or use --global)"
