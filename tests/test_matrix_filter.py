"""The clean filter under every git operation users hit, on real git.

Each test drives a real repository and checks the same invariants:

* every notebook git stores is clean (``clean_bytes(blob) == blob``);
* ``git status`` stays quiet when only outputs changed;
* the user's files are never mangled: a conflict leaves something git reports
  and the user can resolve; an abort gives the original bytes back;
* the repository is consistent afterwards (``git fsck``).

Operations that merge run with the full install (``nbgit``: the cell-aware merge
driver when this nbgit has one); the conflict cases (stash pop, rebase, cherry-pick)
run a second time as ``text`` (only ``filter=nbgit``: git's own text merge of the
cleaned JSON): what must hold for both is asserted for both.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata

import pytest

from conftest import Repo
from nbfactory import code_cell, image, jupyter_bytes, notebook, stream, v3_notebook
from nbgit.notebook.clean import clean_bytes
from nbgit.notebook.io import NotebookError

# --- building notebooks ---------------------------------------------------------------------


def nb(sources: list[str], *, outputs: bool = True, minor: int = 5, ids: bool | None = None, tag: str = "") -> dict:
    """A notebook with one code cell per source; outputs/counts when ``outputs`` (dirty)."""
    ids = minor >= 5 if ids is None else ids
    cells = []
    for i, src in enumerate(sources):
        cells.append(
            code_cell(
                src,
                outputs=[stream(f"out {i} {tag}\n"), image(i + 1)] if outputs else [],
                count=i + 1 if outputs else None,
                id=f"cell-{i}" if ids else None,
                metadata={"ExecuteTime": {"end": tag}} if outputs else {},
            )
        )
    return notebook(cells, minor=minor)


def nb_bytes(sources: list[str], **kw) -> bytes:
    return jupyter_bytes(nb(sources, **kw))


SOURCES = [f"x{i} = {i}\nprint(x{i})\n" for i in range(6)]


def edited(i: int, text: str, base: list[str] = SOURCES) -> list[str]:
    out = list(base)
    out[i] = text
    return out


# --- invariants -----------------------------------------------------------------------------


def tree_notebooks(repo: Repo, rev: str = "HEAD") -> list[str]:
    out = repo.git("ls-tree", "-r", "-z", "--name-only", rev).stdout.decode()
    return [p for p in out.split("\0") if p.endswith(".ipynb")]


def assert_clean_blob(data: bytes) -> None:
    try:
        assert clean_bytes(data) == data, "git stored a notebook that is not clean"
    except NotebookError:
        pass  # unreadable bytes pass through unchanged; nothing to clean
    if data.strip().startswith(b"{"):
        try:
            parsed = json.loads(data)
        except ValueError:
            return
        if isinstance(parsed, dict):
            for cell in parsed.get("cells", []):
                assert not cell.get("outputs"), "outputs were committed"


def assert_clean_tree(repo: Repo, rev: str = "HEAD") -> None:
    for path in tree_notebooks(repo, rev):
        assert_clean_blob(repo.blob(f"{rev}:{path}"))


def assert_checked_out(repo: Repo, path: str, committed: bytes) -> None:
    """git wrote the clean blob of ``committed``: the work tree cleans back to exactly it, with
    the outputs the clone's output store kept put back (tests/test_output_store.py has the rest)."""
    data = repo.read(path)
    assert clean_bytes(data) == clean_bytes(committed)
    assert b'"output_type"' in data


def assert_quiet(repo: Repo) -> None:
    assert repo.out("status", "--porcelain") == ""


def assert_consistent(repo: Repo) -> None:
    repo.git("fsck", "--no-progress", "--no-dangling")


def conflicted(repo: Repo) -> list[str]:
    return repo.out("diff", "--name-only", "--diff-filter=U", "-z").split("\0")[:-1]


def sources_of(data: bytes) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(data)["cells"]]


# --- fixtures -------------------------------------------------------------------------------

MERGE_MODES = ["text", "nbgit"]


def setup_repo(repo: Repo, mode: str = "text") -> Repo:
    repo.nbgit("install")
    if mode == "text":
        repo.write(".gitattributes", "*.ipynb filter=nbgit diff=nbgit\n")
    repo.git("add", ".gitattributes")
    repo.git("commit", "-qm", "nbgit")
    return repo


def _mode_repo(repo: Repo, mode: str) -> Repo:
    setup_repo(repo, mode)
    repo.mode = mode
    return repo


@pytest.fixture(params=MERGE_MODES)
def mrepo(request, repo) -> Repo:
    """Both modes: for the conflict cases, where git's text merge and the driver differ."""
    return _mode_repo(repo, request.param)


@pytest.fixture
def nrepo(repo) -> Repo:
    """The full install (the driver when this nbgit has one, else text merges): what users have."""
    return _mode_repo(repo, "nbgit")


@pytest.fixture
def frepo(repo) -> Repo:
    return setup_repo(repo, "text")


def after_conflict_file_is_usable(repo: Repo, path: str, *texts: str) -> None:
    """A conflicted notebook holds both sides' text; with the nbgit driver it is still a valid notebook."""
    data = repo.read(path)
    for t in texts:
        assert t.encode() in data
    if getattr(repo, "mode", "text") == "nbgit":
        parsed = json.loads(data)
        assert parsed["nbformat"] == 4
    # whatever the driver left, git can stage it (the filter passes unreadable bytes through)
    repo.git("add", path)


# --- add / commit / status / checkout / reset -----------------------------------------------


def test_add_commit_status_checkout_reset(frepo):
    dirty = nb_bytes(SOURCES)
    frepo.write("nb.ipynb", dirty)
    frepo.commit("add", "nb.ipynb")
    assert frepo.blob("HEAD:nb.ipynb") == clean_bytes(dirty)
    assert frepo.read("nb.ipynb") == dirty  # the work tree keeps its outputs
    assert_quiet(frepo)
    os.utime(frepo.path / "nb.ipynb", (1, 1))  # stat change only: git re-filters, finds nothing new
    assert_quiet(frepo)
    frepo.write("nb.ipynb", nb_bytes(SOURCES, tag="rerun"))  # outputs change only
    # (the size changed, so `git status` may list it without asking the filter; git diff asks)
    assert frepo.git("diff", "--quiet", check=False).returncode == 0
    frepo.git("add", "nb.ipynb")
    assert_quiet(frepo)
    frepo.write("nb.ipynb", nb_bytes(edited(1, "y = 2\n")))
    assert frepo.out("status", "--porcelain") == " M nb.ipynb\n"
    frepo.git("checkout", "--", "nb.ipynb")
    assert_checked_out(frepo, "nb.ipynb", dirty)
    frepo.write("nb.ipynb", nb_bytes(edited(1, "y = 3\n")))
    frepo.git("add", "nb.ipynb")
    frepo.git("reset", "-q", "--hard")
    assert_checked_out(frepo, "nb.ipynb", dirty)
    assert_quiet(frepo)
    frepo.git("checkout", "-q", "-b", "other")
    frepo.write("nb.ipynb", nb_bytes(edited(2, "z = 1\n")))
    frepo.commit("edit", "nb.ipynb")
    frepo.git("checkout", "-q", "main")
    assert sources_of(frepo.read("nb.ipynb"))[2] == SOURCES[2]
    frepo.git("checkout", "-q", "other")
    assert sources_of(frepo.read("nb.ipynb"))[2] == "z = 1\n"
    assert_clean_tree(frepo, "main")
    assert_clean_tree(frepo, "other")
    assert_consistent(frepo)


def test_rename_with_edit_is_detected(frepo):
    """Outputs never reach git, so a renamed notebook with an edit and new outputs is still a rename."""
    frepo.write("old.ipynb", nb_bytes(SOURCES))
    frepo.commit("add", "old.ipynb")
    frepo.git("mv", "old.ipynb", "new.ipynb")
    frepo.write("new.ipynb", nb_bytes(edited(0, "renamed = True\n"), tag="new outputs everywhere"))
    frepo.commit("rename", "new.ipynb")
    assert frepo.out("diff", "-M", "--name-status", "HEAD~1", "HEAD").startswith("R")
    assert "old.ipynb" in frepo.out("log", "--follow", "--name-only", "--format=", "--", "new.ipynb")
    assert_clean_tree(frepo)
    assert_quiet(frepo)


def test_case_only_rename(frepo):
    frepo.write("Analysis.ipynb", nb_bytes(SOURCES))
    frepo.commit("add", "Analysis.ipynb")
    frepo.git("mv", "Analysis.ipynb", "analysis.ipynb")
    frepo.write("analysis.ipynb", nb_bytes(SOURCES, tag="again"))
    frepo.commit("case", "analysis.ipynb")
    assert tree_notebooks(frepo) == ["analysis.ipynb"]
    assert frepo.out("diff", "-M", "--name-status", "HEAD~1", "HEAD").split() == ["R100", "Analysis.ipynb", "analysis.ipynb"]
    assert_clean_tree(frepo)
    assert_quiet(frepo)


@pytest.mark.parametrize("quotepath", ["true", "false"])
def test_paths_with_spaces_and_unicode(frepo, quotepath):
    frepo.git("config", "core.quotepath", quotepath)
    names = ["dir with space/my notebook.ipynb", "données/café ü.ipynb", "日本語/ノート.ipynb", "tab\tname.ipynb"]
    for name in names:
        frepo.write(name, nb_bytes(SOURCES))
    broken = "données/broken é.ipynb"
    frepo.write(broken, b'{"cells": [')
    proc = frepo.git("add", "--", *names, broken)
    # the filter names the unreadable file by its real (UTF-8) path, whatever core.quotepath says
    assert f"{broken}: invalid JSON".encode() in proc.stderr
    frepo.git("commit", "-qm", "unicode")
    assert sorted(tree_notebooks(frepo)) == sorted(names + [broken])
    assert_clean_tree(frepo)
    assert frepo.blob(f"HEAD:{broken}") == b'{"cells": ['
    for name in names:
        os.utime(frepo.path / name, (2, 2))
    assert_quiet(frepo)
    frepo.write(names[1], nb_bytes(edited(0, "é = 1\n")))
    status = frepo.out("status", "--porcelain")
    if quotepath == "false":
        assert status == f' M "{names[1]}"\n'  # porcelain quotes a path with a space, nothing else
    else:
        assert status.startswith(' M "donn\\303\\251es/caf\\303\\251 \\303\\274.ipynb"'), status


def test_unicode_normalization_forms_are_distinct_paths(frepo):
    nfc, nfd = unicodedata.normalize("NFC", "é.ipynb"), unicodedata.normalize("NFD", "é.ipynb")
    frepo.write(nfc, nb_bytes(SOURCES))
    frepo.write(nfd, nb_bytes(edited(0, "nfd\n")))
    frepo.commit("both", nfc, nfd)
    assert len(tree_notebooks(frepo)) == 2
    assert_clean_tree(frepo)


# --- odd notebooks --------------------------------------------------------------------------


DEGENERATE = {
    "zero-bytes.ipynb": b"",
    "empty-object.ipynb": b"{}",
    "empty-object-nl.ipynb": b"{}\n",
    "list.ipynb": b"[]",
    "null.ipynb": b"null",
    "no-cells.ipynb": b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
}


def test_empty_and_degenerate_notebooks(frepo):
    for name, data in DEGENERATE.items():
        frepo.write(name, data)
    proc = frepo.git("add", *DEGENERATE)
    frepo.git("commit", "-qm", "empty")
    assert b"Traceback" not in proc.stderr
    for name, data in DEGENERATE.items():
        assert frepo.blob(f"HEAD:{name}") == data  # passed through (or already clean): same bytes
        if name not in ("zero-bytes.ipynb", "no-cells.ipynb"):
            assert name.encode() in proc.stderr  # one warning line names the file
    assert_quiet(frepo)
    frepo.git("rm", "-q", "--cached", *DEGENERATE)
    for name in DEGENERATE:
        os.remove(frepo.path / name)
    frepo.git("checkout", "-q", "HEAD", "--", *DEGENERATE)
    for name, data in DEGENERATE.items():
        assert frepo.read(name) == data
    assert_quiet(frepo)


def test_nbformat_4_minors(frepo):
    dirty = {minor: nb_bytes(SOURCES, minor=minor) for minor in range(6)}
    for minor, data in dirty.items():
        frepo.write(f"v4.{minor}.ipynb", data)
    frepo.commit("minors")
    for minor, data in dirty.items():
        blob = frepo.blob(f"HEAD:v4.{minor}.ipynb")
        parsed = json.loads(blob)
        assert parsed["nbformat_minor"] == minor
        assert all(("id" in c) == (minor >= 5) for c in parsed["cells"])  # ids kept, never invented
        assert all(c["outputs"] == [] and c["execution_count"] is None for c in parsed["cells"])
        assert blob == clean_bytes(data)
    assert_quiet(frepo)


def test_nbformat_3(frepo):
    data = jupyter_bytes(v3_notebook())
    frepo.write("old.ipynb", data)
    frepo.commit("v3", "old.ipynb")
    parsed = json.loads(frepo.blob("HEAD:old.ipynb"))
    assert parsed["nbformat"] == 3
    cells = parsed["worksheets"][0]["cells"]
    assert [c["cell_type"] for c in cells] == ["heading", "code", "markdown"]
    assert cells[1]["outputs"] == [] and "prompt_number" not in cells[1]
    assert_clean_tree(frepo)
    assert_quiet(frepo)


def test_nbformat_3_upgraded_by_config(frepo):
    frepo.write(".nbgit.toml", "upgrade_v3 = true\n")
    frepo.commit("config", ".nbgit.toml")
    frepo.write("old.ipynb", jupyter_bytes(v3_notebook()))
    frepo.commit("v3", "old.ipynb")
    parsed = json.loads(frepo.blob("HEAD:old.ipynb"))
    assert parsed["nbformat"] == 4
    assert [c["cell_type"] for c in parsed["cells"]][1:] == ["code", "markdown"]


# --- line endings ---------------------------------------------------------------------------


def test_core_autocrlf_true(frepo):
    frepo.git("config", "core.autocrlf", "true")
    dirty = nb_bytes(SOURCES).replace(b"\n", b"\r\n")
    frepo.write("win.ipynb", dirty)
    frepo.commit("crlf", "win.ipynb")
    blob = frepo.blob("HEAD:win.ipynb")
    assert b"\r\n" not in blob  # git stores LF
    assert blob == clean_bytes(nb_bytes(SOURCES))
    assert_quiet(frepo)
    os.remove(frepo.path / "win.ipynb")
    frepo.git("checkout", "--", "win.ipynb")
    on_disk = frepo.read("win.ipynb")
    assert on_disk == dirty  # checked out with CRLF, outputs back from the clone's output store
    os.utime(frepo.path / "win.ipynb", (3, 3))
    assert_quiet(frepo)
    frepo.write("win.ipynb", nb_bytes(edited(0, "crlf = 1\n"), tag="x").replace(b"\n", b"\r\n"))
    frepo.commit("edit", "win.ipynb")
    assert b"\r\n" not in frepo.blob("HEAD:win.ipynb")
    assert_clean_tree(frepo)


# --- stash, rebase, cherry-pick, revert, merge --squash -------------------------------------


def base_commit(repo: Repo, name: str = "nb.ipynb") -> None:
    repo.write(name, nb_bytes(SOURCES))
    repo.commit("base", name)


def test_stash_push_pop_clean(nrepo):
    base_commit(nrepo)
    nrepo.write("nb.ipynb", nb_bytes(edited(1, "stashed = 1\n"), tag="run"))
    nrepo.git("stash", "push", "-q")
    assert_checked_out(nrepo, "nb.ipynb", nb_bytes(SOURCES))
    nrepo.write("nb.ipynb", nb_bytes(edited(4, "committed = 1\n")))
    nrepo.commit("other cell", "nb.ipynb")
    nrepo.git("stash", "pop", "-q")  # edits in different cells: merges
    srcs = sources_of(nrepo.read("nb.ipynb"))
    assert srcs[1] == "stashed = 1\n" and srcs[4] == "committed = 1\n"
    assert nrepo.out("stash", "list") == ""
    nrepo.commit("after pop", "nb.ipynb")
    assert_clean_tree(nrepo)
    assert_consistent(nrepo)


def test_stash_pop_with_conflict_keeps_the_stash(mrepo):
    base_commit(mrepo)
    mrepo.write("other.txt", "unrelated\n")
    mrepo.commit("other file", "other.txt")
    mrepo.write("nb.ipynb", nb_bytes(edited(1, "mine = 1\n"), tag="run"))
    mrepo.git("stash", "push", "-q")
    mrepo.write("nb.ipynb", nb_bytes(edited(1, "theirs = 2\n")))
    mrepo.commit("same cell", "nb.ipynb")
    proc = mrepo.git("stash", "pop", check=False)
    assert proc.returncode != 0
    assert conflicted(mrepo) == ["nb.ipynb"]
    assert mrepo.out("stash", "list").count("\n") == 1  # git keeps the stash on conflict
    after_conflict_file_is_usable(mrepo, "nb.ipynb", "mine = 1", "theirs = 2")
    assert mrepo.read("other.txt") == b"unrelated\n"
    mrepo.write("nb.ipynb", nb_bytes(edited(1, "resolved = 3\n")))
    mrepo.git("add", "nb.ipynb")
    mrepo.git("stash", "drop", "-q")
    mrepo.git("commit", "-qm", "resolved")
    assert_clean_tree(mrepo)
    assert_consistent(mrepo)


def branches_editing(repo: Repo, main_cell: int, feature_cell: int, *, main_text="main edit\n", feature_text="feature edit\n") -> None:
    base_commit(repo)
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("nb.ipynb", nb_bytes(edited(feature_cell, feature_text), tag="feature run"))
    repo.commit("feature", "nb.ipynb")
    repo.git("checkout", "-q", "main")
    repo.write("nb.ipynb", nb_bytes(edited(main_cell, main_text), tag="main run"))
    repo.commit("main", "nb.ipynb")


def test_rebase_without_conflict(nrepo):
    branches_editing(nrepo, 0, 5)
    nrepo.git("checkout", "-q", "feature")
    nrepo.git("rebase", "-q", "main")
    srcs = sources_of(nrepo.read("nb.ipynb"))
    assert srcs[0] == "main edit\n" and srcs[5] == "feature edit\n"
    assert_clean_tree(nrepo)
    assert_quiet(nrepo)


def test_rebase_conflict_continue_and_abort(mrepo):
    branches_editing(mrepo, 2, 2)
    mrepo.git("checkout", "-q", "feature")
    before = mrepo.read("nb.ipynb")
    head = mrepo.out("rev-parse", "HEAD")
    proc = mrepo.git("rebase", "main", check=False)
    assert proc.returncode != 0
    assert conflicted(mrepo) == ["nb.ipynb"]
    after_conflict_file_is_usable(mrepo, "nb.ipynb", "main edit", "feature edit")
    mrepo.git("rebase", "--abort")
    assert mrepo.out("rev-parse", "HEAD") == head
    assert mrepo.read("nb.ipynb") == before  # abort gives the exact bytes back
    assert_quiet(mrepo)
    mrepo.git("rebase", "main", check=False)
    mrepo.write("nb.ipynb", nb_bytes(edited(2, "both edits\n"), tag="resolved with outputs"))
    mrepo.git("add", "nb.ipynb")
    mrepo.git("rebase", "--continue", env={"GIT_EDITOR": "true"})
    assert sources_of(mrepo.blob("HEAD:nb.ipynb"))[2] == "both edits\n"
    assert_clean_tree(mrepo)
    assert_consistent(mrepo)


def test_interactive_rebase_squash_and_drop(nrepo):
    base_commit(nrepo)
    nrepo.git("checkout", "-q", "-b", "topic")
    for i, msg in enumerate(["one", "two", "three"]):
        nrepo.write("nb.ipynb", nb_bytes(edited(i, f"{msg} = {i}\n", sources_of(nrepo.read("nb.ipynb")) if i else SOURCES), tag=msg))
        nrepo.commit(msg, "nb.ipynb")
    # squash "two" into "one", drop "three" (a later cell: no conflict)
    editor = "sed -i -e '2s/^pick/squash/' -e '3s/^pick/drop/'"
    nrepo.git("rebase", "-q", "-i", "main", env={"GIT_SEQUENCE_EDITOR": editor, "GIT_EDITOR": "true"})
    assert nrepo.out("rev-list", "--count", "main..HEAD").strip() == "1"
    srcs = sources_of(nrepo.blob("HEAD:nb.ipynb"))
    assert srcs[:3] == ["one = 0\n", "two = 1\n", SOURCES[2]]
    assert_clean_tree(nrepo)
    assert_quiet(nrepo)


def test_interactive_rebase_reorder_with_conflict(nrepo):
    base_commit(nrepo)
    nrepo.git("checkout", "-q", "-b", "topic")
    nrepo.write("nb.ipynb", nb_bytes(edited(3, "first\n")))
    nrepo.commit("first", "nb.ipynb")
    nrepo.write("nb.ipynb", nb_bytes(edited(3, "second\n")))
    nrepo.commit("second", "nb.ipynb")
    editor = "sed -i -n -e '1h' -e '2{p;g;p}'"  # swap the two picks: "second" no longer applies cleanly
    proc = nrepo.git("rebase", "-i", "main", check=False, env={"GIT_SEQUENCE_EDITOR": editor, "GIT_EDITOR": "true"})
    assert proc.returncode != 0
    assert conflicted(nrepo) == ["nb.ipynb"]
    nrepo.git("rebase", "--abort")
    assert sources_of(nrepo.blob("HEAD:nb.ipynb"))[3] == "second\n"
    assert_quiet(nrepo)


def test_cherry_pick_and_revert(nrepo):
    branches_editing(nrepo, 0, 4)
    pick = nrepo.out("rev-parse", "feature").strip()
    nrepo.git("cherry-pick", pick)
    srcs = sources_of(nrepo.read("nb.ipynb"))
    assert srcs[0] == "main edit\n" and srcs[4] == "feature edit\n"
    nrepo.git("revert", "--no-edit", "HEAD~1")  # revert main's edit of cell 0
    srcs = sources_of(nrepo.blob("HEAD:nb.ipynb"))
    assert srcs[0] == SOURCES[0] and srcs[4] == "feature edit\n"
    assert_clean_tree(nrepo)
    assert_quiet(nrepo)


def test_cherry_pick_conflict(mrepo):
    branches_editing(mrepo, 3, 3)
    proc = mrepo.git("cherry-pick", "feature", check=False)
    assert proc.returncode != 0
    assert conflicted(mrepo) == ["nb.ipynb"]
    after_conflict_file_is_usable(mrepo, "nb.ipynb", "main edit", "feature edit")
    mrepo.git("cherry-pick", "--abort")
    assert_quiet(mrepo)
    assert sources_of(mrepo.read("nb.ipynb"))[3] == "main edit\n"


def test_merge_squash(nrepo):
    branches_editing(nrepo, 1, 3)
    nrepo.git("checkout", "-q", "feature")
    nrepo.write("nb.ipynb", nb_bytes(edited(5, "second feature commit\n", sources_of(nrepo.read("nb.ipynb")))))
    nrepo.commit("feature 2", "nb.ipynb")
    nrepo.git("checkout", "-q", "main")
    nrepo.git("merge", "--squash", "feature")
    nrepo.git("commit", "-qm", "squashed")
    srcs = sources_of(nrepo.blob("HEAD:nb.ipynb"))
    assert srcs[1] == "main edit\n" and srcs[3] == "feature edit\n" and srcs[5] == "second feature commit\n"
    assert nrepo.out("rev-list", "--count", "HEAD").strip() == "4"  # nbgit, base, main, squash
    assert_clean_tree(nrepo)
    assert_quiet(nrepo)


@pytest.mark.parametrize("deleted_on", ["main", "feature"])
def test_deleted_on_one_side(nrepo, deleted_on):
    base_commit(nrepo)
    nrepo.git("checkout", "-q", "-b", "feature")
    if deleted_on == "feature":
        nrepo.git("rm", "-q", "nb.ipynb")
        nrepo.git("commit", "-qm", "delete")
    else:
        nrepo.write("nb.ipynb", nb_bytes(edited(0, "kept edit\n")))
        nrepo.commit("edit", "nb.ipynb")
    nrepo.git("checkout", "-q", "main")
    if deleted_on == "main":
        nrepo.git("rm", "-q", "nb.ipynb")
        nrepo.git("commit", "-qm", "delete")
    else:
        nrepo.write("nb.ipynb", nb_bytes(edited(0, "kept edit\n")))
        nrepo.commit("edit", "nb.ipynb")
    proc = nrepo.git("merge", "feature", check=False)
    assert proc.returncode == 1
    assert b"CONFLICT (modify/delete)" in proc.stdout
    assert conflicted(nrepo) == ["nb.ipynb"]
    # git leaves the edited side in the work tree: ours untouched (outputs and all), or theirs, clean
    data = nrepo.read("nb.ipynb")
    assert sources_of(data)[0] == "kept edit\n"
    if deleted_on == "feature":
        assert data == nb_bytes(edited(0, "kept edit\n"))
    else:  # theirs, checked out: their blob with the outputs the clone's output store kept
        assert clean_bytes(data) == nrepo.blob("feature:nb.ipynb")
    nrepo.git("add", "nb.ipynb")
    nrepo.git("commit", "-qm", "keep the edit", env={"GIT_EDITOR": "true"})
    assert sources_of(nrepo.blob("HEAD:nb.ipynb"))[0] == "kept edit\n"
    assert_clean_tree(nrepo)
    assert_consistent(nrepo)


# --- worktrees, sparse checkout, submodules -------------------------------------------------


def test_worktree_uses_the_filter_and_its_own_config(frepo, tmp_path):
    base_commit(frepo)
    wt = tmp_path / "wt"
    frepo.git("worktree", "add", "-q", "-b", "keep", str(wt))
    other = Repo(wt)
    # this branch keeps outputs; main does not: the filter reads the config of the work tree it runs in
    other.write(".nbgit.toml", "keep_outputs = true\n")
    other.commit("keep outputs", ".nbgit.toml")
    other.write("nb.ipynb", nb_bytes(edited(0, "in worktree\n")))
    other.write("main-too.ipynb", nb_bytes(SOURCES))
    other.commit("wt", "nb.ipynb", "main-too.ipynb")
    kept = json.loads(other.blob("HEAD:nb.ipynb"))
    assert kept["cells"][0]["outputs"] and kept["cells"][0]["execution_count"] is None
    assert other.out("status", "--porcelain") == ""
    frepo.write("nb.ipynb", nb_bytes(edited(1, "in main\n")))
    frepo.commit("main", "nb.ipynb")
    assert json.loads(frepo.blob("HEAD:nb.ipynb"))["cells"][0]["outputs"] == []
    assert_clean_tree(frepo)
    assert_quiet(frepo)
    frepo.git("worktree", "remove", str(wt))
    assert_consistent(frepo)


def test_sparse_checkout(frepo):
    frepo.write("keep/a.ipynb", nb_bytes(SOURCES))
    frepo.write("away/b.ipynb", nb_bytes(SOURCES))
    frepo.commit("two dirs")
    frepo.git("sparse-checkout", "set", "keep")
    assert not (frepo.path / "away" / "b.ipynb").exists()
    assert_quiet(frepo)
    frepo.write("keep/a.ipynb", nb_bytes(edited(0, "sparse edit\n"), tag="sparse"))
    frepo.commit("edit", "keep/a.ipynb")
    assert_clean_tree(frepo)
    frepo.git("sparse-checkout", "disable")
    assert_checked_out(frepo, "away/b.ipynb", nb_bytes(SOURCES))
    assert_quiet(frepo)


def test_submodule_holding_notebooks(frepo, tmp_path):
    sub = Repo(tmp_path / "sub")
    sub.path.mkdir()
    sub.git("init", "-q", "-b", "main")
    setup_repo(sub)
    sub.write("inner.ipynb", nb_bytes(SOURCES))
    sub.commit("inner", "inner.ipynb")
    frepo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "sub")
    frepo.git("commit", "-qm", "submodule")
    inner = Repo(frepo.path / "sub")
    # git config is per repository: a submodule clone has no nbgit drivers until installed there
    doctor = inner.nbgit("doctor", check=False)
    assert doctor.returncode == 1 and b"drivers not installed in this clone" in doctor.stdout
    doctor = frepo.nbgit("doctor", check=False)  # the superproject's doctor says it too
    assert doctor.returncode == 1 and b"submodule sub: its attributes route notebooks to nbgit" in doctor.stdout
    inner.nbgit("install", "--info")  # this clone only: leaves the committed .gitattributes alone
    assert b"submodule sub" not in frepo.nbgit("doctor", check=False).stdout
    inner.write("inner.ipynb", nb_bytes(edited(0, "sub edit\n"), tag="sub"))
    inner.commit("sub edit", "inner.ipynb")
    assert_clean_tree(inner)
    os.utime(inner.path / "inner.ipynb", (4, 4))
    inner.write("inner.ipynb", nb_bytes(edited(0, "sub edit\n"), tag="bus"))  # outputs only, same size
    # the superproject's status recurses into the submodule, whose filter sees no change
    assert frepo.out("status", "--porcelain") == " M sub\n"  # new commit in sub, nothing else
    frepo.git("add", "sub")
    frepo.git("commit", "-qm", "bump")
    assert_quiet(frepo)
    assert inner.out("status", "--porcelain") == ""


def test_submodule_with_global_install(repo, tmp_path):
    repo.nbgit("install", "--global")
    sub = Repo(tmp_path / "sub")
    sub.path.mkdir()
    sub.git("init", "-q", "-b", "main")
    sub.write(".gitattributes", "*.ipynb filter=nbgit\n")
    sub.write("inner.ipynb", nb_bytes(SOURCES))
    sub.commit("inner")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "sub")
    inner = Repo(repo.path / "sub")
    inner.write("inner.ipynb", nb_bytes(edited(0, "global\n"), tag="g"))
    inner.commit("edit", "inner.ipynb")
    assert_clean_tree(inner)
    assert inner.nbgit("doctor", "--quiet", check=False).stdout == b""


# --- a large notebook -----------------------------------------------------------------------


def write_large_notebook(path, target_bytes: int) -> int:
    """A notebook of about ``target_bytes``: 1 MB base64 image outputs, and sources that are kept."""
    blob = "iVBORw0KGgo" + "A" * (1_000_000 - 11)
    cells = []
    size = 0
    i = 0
    while size < target_bytes:
        cells.append(
            code_cell(f"plot({i})\n", outputs=[{"data": {"image/png": blob, "text/plain": ["<Figure>"]}, "execution_count": i + 1, "metadata": {}, "output_type": "execute_result"}], count=i + 1, id=f"c{i}")
        )
        size += len(blob) + 200
        i += 1
    data = jupyter_bytes(notebook(cells))
    with open(path, "wb") as fh:
        fh.write(data)
    return len(data)


RSS_WRAPPER = """
import resource, subprocess, sys
rc = subprocess.call([sys.executable, "-m", "nbgit", "filter-process"])
with open(sys.argv[1], "w") as fh:
    fh.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024))
sys.exit(rc)
"""


@pytest.mark.slow
def test_100mb_notebook_memory_stays_bounded(frepo, tmp_path):
    """git add of a 100 MB notebook: clean blob, and the filter's peak RSS < 6x the file.

    Why 6x: the filter holds the request's packets while joining them (2 copies,
    briefly), the decoded text (1 copy: base64 is ASCII), and the parsed dict
    (1 copy of the strings), plus the interpreter (~20 MB). Outputs are stripped,
    so the answer is small. An implementation that copied the content per packet
    (quadratic joins) or kept every request would blow far past this bound.
    """
    size = write_large_notebook(frepo.path / "big.ipynb", 100_000_000)
    wrapper = tmp_path / "rss_wrapper.py"
    wrapper.write_text(RSS_WRAPPER)
    rss_file = tmp_path / "rss"
    frepo.git("config", "filter.nbgit.process", f"{sys.executable} {wrapper} {rss_file}")
    frepo.git("add", "big.ipynb")
    peak = int(rss_file.read_text())
    blob_size = int(frepo.out("cat-file", "-s", ":big.ipynb"))
    assert blob_size < size / 100  # outputs gone
    assert_clean_blob(frepo.blob(":big.ipynb"))
    assert peak < 6 * size, f"filter peak RSS {peak / 1e6:.0f} MB for a {size / 1e6:.0f} MB notebook"
    assert peak > size, "the measurement did not see the filter process"  # the test can fail


def test_pkt_reader_holds_at_most_two_copies(tmp_path):
    """The request's packets are joined once: chunks + joined bytes, never more (tracemalloc)."""
    import io
    import tracemalloc

    from nbgit.git.pktline import MAX_PACKET_DATA, PktReader

    size = 20_000_000
    payload = b"x" * MAX_PACKET_DATA
    n = size // MAX_PACKET_DATA
    stream = io.BytesIO((b"%04x" % (MAX_PACKET_DATA + 4) + payload) * n + b"0000")
    del payload
    tracemalloc.start()
    try:
        data = PktReader(stream).read_content()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(data) == n * MAX_PACKET_DATA
    assert peak < 2.2 * len(data), f"reader peak {peak / len(data):.2f}x the content"


def test_filter_request_memory_in_process(tmp_path):
    """A whole clean request in-process: packets, joined bytes, decoded text and parsed
    notebook are the only copies (< 4x the notebook, measured with tracemalloc)."""
    import io
    import tracemalloc

    from nbgit.git.filter import serve
    from nbgit.git.pktline import MAX_PACKET_DATA
    from nbgit.notebook.config import DEFAULT_CONFIG

    path = tmp_path / "big.ipynb"
    size = write_large_notebook(path, 20_000_000)
    data = path.read_bytes()

    def pkt(b: bytes) -> bytes:
        return b"%04x" % (len(b) + 4) + b

    stream = io.BytesIO(
        pkt(b"git-filter-client\n") + pkt(b"version=2\n") + b"0000" + pkt(b"capability=clean\n") + b"0000"
        + pkt(b"command=clean\n") + pkt(b"pathname=big.ipynb\n") + b"0000"
        + b"".join(pkt(data[i : i + MAX_PACKET_DATA]) for i in range(0, len(data), MAX_PACKET_DATA)) + b"0000"
    )
    del data
    out = io.BytesIO()
    tracemalloc.start()
    try:
        code = serve(stream, out, io.StringIO(), loader=lambda: DEFAULT_CONFIG)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 0 and b"status=success" in out.getvalue()
    assert len(out.getvalue()) < size / 100
    assert peak < 4 * size, f"filter request peak {peak / size:.2f}x the notebook"
