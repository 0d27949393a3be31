"""The clone's output store: outputs come back after stash, rebase, checkout, reset, merge...

Real git in temporary repositories. What must hold after every operation: committed blobs are
clean, `git status` is quiet right after a checkout, and the outputs of every cell whose
content is unchanged are in the working copy again.
"""

from __future__ import annotations

import io
import json
import os
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_clean_properties import CONFIGS, SOURCE, notebook_files
from nbfactory import code_cell, image, jupyter_bytes, markdown_cell, notebook, stream, v3_notebook
from nbgit.notebook.clean import clean_bytes, clean_cell, clean_notebook
from nbgit.notebook.io import NotebookError
from nbgit.notebook.config import Config, ConfigError, config_from_dict, parse_size
from nbgit.notebook.restore import restore_notebook


def make_nb(sources: list[str], *, ran: bool = True, ids: bool = True, tag: str = "") -> dict:
    """Code cells with the given sources (outputs and counts when ``ran``) and a markdown cell."""
    cells = []
    for i, src in enumerate(sources):
        outputs = [stream(f"{tag}out {i}: {src}\n"), image(i + 1)] if ran else []
        cells.append(code_cell(src, outputs=outputs, count=(i + 1) if ran else None,
                               id=f"c{i}" if ids else None,
                               metadata={"ExecuteTime": {"end": f"{tag}{i}"}} if ran else {}))
    cells.insert(1, markdown_cell("# notes\n", id="md" if ids else None))
    return notebook(cells)


def outputs_of(data: bytes) -> dict[str, list]:
    """source -> outputs of each code cell."""
    nb = json.loads(data)
    return {"".join(c["source"]): c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"}


def porcelain(repo) -> str:
    return repo.out("status", "--porcelain").rstrip("\n")


def blob_is_clean(repo, rev_path: str) -> None:
    data = repo.blob(rev_path)
    assert b'"output_type"' not in data
    assert clean_bytes(data) == data


def store_dir(repo):
    common = repo.out("rev-parse", "--git-common-dir").strip()
    return (repo.path / common / "nbgit" / "outputs").resolve()


@pytest.fixture
def nbrepo(installed_repo):
    installed_repo.commit("nbgit", ".gitattributes")
    return installed_repo


def test_stash_and_pop_bring_outputs_back(nbrepo):
    r = nbrepo
    first = jupyter_bytes(make_nb(["a = 1\n", "b = 2\n", "c = 3\n"]))
    r.write("nb.ipynb", first)
    r.commit("add")
    blob_is_clean(r, "HEAD:nb.ipynb")
    assert r.read("nb.ipynb") == first
    # edit one source and re-run it: new outputs for that cell
    edited_nb = make_nb(["a = 1\n", "b = 20\n", "c = 3\n"], tag="rerun ")
    edited = jupyter_bytes(edited_nb)
    r.write("nb.ipynb", edited)
    r.git("stash")
    assert r.read("nb.ipynb") == first  # HEAD's version as it was last in the working copy
    assert porcelain(r) == ""
    r.git("stash", "pop")
    assert r.read("nb.ipynb") == edited
    assert porcelain(r) == " M nb.ipynb"
    r.commit("edit")
    blob_is_clean(r, "HEAD:nb.ipynb")
    assert porcelain(r) == ""


def test_checkout_away_and_back_and_branches_where_the_notebook_differs(nbrepo):
    r = nbrepo
    main_nb = jupyter_bytes(make_nb(["a = 1\n", "b = 2\n", "c = 3\n"]))
    r.write("nb.ipynb", main_nb)
    r.commit("add")
    r.git("checkout", "-q", "-b", "topic")
    # on topic: cell b changed (never run there); a and c unchanged
    topic_nb = make_nb(["a = 1\n", "b = 'topic'\n", "c = 3\n"])
    r.write("nb.ipynb", jupyter_bytes(clean_notebook(topic_nb)))
    r.commit("topic")
    r.git("checkout", "-q", "main")
    assert r.read("nb.ipynb") == main_nb
    assert porcelain(r) == ""
    r.git("checkout", "-q", "topic")
    outs = outputs_of(r.read("nb.ipynb"))
    assert outs["a = 1\n"] == outputs_of(main_nb)["a = 1\n"]  # unchanged cells: outputs back
    assert outs["c = 3\n"] == outputs_of(main_nb)["c = 3\n"]
    assert outs["b = 'topic'\n"] == []  # a cell whose source differs comes out clean
    assert porcelain(r) == ""
    r.git("checkout", "-q", "-")
    assert r.read("nb.ipynb") == main_nb
    assert porcelain(r) == ""


def test_reset_hard_after_a_commit(nbrepo):
    r = nbrepo
    v1 = jupyter_bytes(make_nb(["a = 1\n", "b = 2\n"]))
    r.write("nb.ipynb", v1)
    r.commit("v1")
    v2 = jupyter_bytes(make_nb(["a = 1\n", "b = 3\n"], tag="v2 "))
    r.write("nb.ipynb", v2)
    r.commit("v2")
    r.git("reset", "--hard", "HEAD~1")
    assert r.read("nb.ipynb") == v1  # as it was last in the working copy
    assert porcelain(r) == ""
    r.git("reset", "--hard", "HEAD@{1}")
    assert r.read("nb.ipynb") == v2
    assert porcelain(r) == ""


def test_rebase_autostash(nbrepo):
    r = nbrepo
    base = jupyter_bytes(make_nb(["a = 1\n", "b = 2\n", "c = 3\n"]))
    r.write("nb.ipynb", base)
    r.commit("base")
    r.git("checkout", "-q", "-b", "upstream")
    up = make_nb(["a = 1\n", "b = 2\n", "c = 3\n", "d = 4\n"], ran=False)
    r.write("nb.ipynb", jupyter_bytes(up))
    r.commit("upstream adds a cell")
    r.git("checkout", "-q", "main")
    r.write("other.txt", "x\n")
    r.commit("unrelated")
    # uncommitted: cell a edited and re-run
    local = make_nb(["a = 100\n", "b = 2\n", "c = 3\n"], tag="local ")
    r.write("nb.ipynb", jupyter_bytes(local))
    r.git("rebase", "--autostash", "upstream")
    outs = outputs_of(r.read("nb.ipynb"))
    assert outs["a = 100\n"] == outputs_of(jupyter_bytes(local))["a = 100\n"]
    assert outs["b = 2\n"] == outputs_of(jupyter_bytes(local))["b = 2\n"]
    assert outs["c = 3\n"] == outputs_of(jupyter_bytes(local))["c = 3\n"]
    assert outs["d = 4\n"] == []
    assert porcelain(r) == " M nb.ipynb"
    for rev in ("HEAD", "HEAD~1", "upstream"):
        blob_is_clean(r, f"{rev}:nb.ipynb")


def test_merge_and_cherry_pick_that_change_other_cells(nbrepo):
    r = nbrepo
    base = make_nb(["a = 1\n", "b = 2\n", "c = 3\n"])
    r.write("nb.ipynb", jupyter_bytes(base))
    r.commit("base")
    r.git("checkout", "-q", "-b", "other")
    theirs = clean_notebook(base)
    theirs["cells"][3]["source"] = ["c = 'theirs'\n"]
    r.write("nb.ipynb", jupyter_bytes(theirs))
    r.commit("theirs changes c")
    pick = r.out("rev-parse", "HEAD").strip()
    r.git("checkout", "-q", "main")
    assert r.read("nb.ipynb") == jupyter_bytes(base)
    r.git("checkout", "-q", "-b", "picked")
    r.git("cherry-pick", pick)
    outs = outputs_of(r.read("nb.ipynb"))
    assert outs["a = 1\n"] == outputs_of(jupyter_bytes(base))["a = 1\n"]
    assert outs["b = 2\n"] == outputs_of(jupyter_bytes(base))["b = 2\n"]
    assert outs["c = 'theirs'\n"] == []
    assert porcelain(r) == ""
    r.git("checkout", "-q", "main")
    # main changes cell a (re-run), then merges other
    ours = make_nb(["a = 'ours'\n", "b = 2\n", "c = 3\n"], tag="ours ")
    r.write("nb.ipynb", jupyter_bytes(ours))
    r.commit("ours changes a")
    r.git("merge", "-q", "--no-edit", "other")
    outs = outputs_of(r.read("nb.ipynb"))
    assert outs["a = 'ours'\n"] == outputs_of(jupyter_bytes(ours))["a = 'ours'\n"]
    assert outs["b = 2\n"] == outputs_of(jupyter_bytes(ours))["b = 2\n"]
    assert outs["c = 'theirs'\n"] == []
    assert porcelain(r) == ""
    blob_is_clean(r, "HEAD:nb.ipynb")


def test_pull_that_changes_other_cells(nbrepo, tmp_path):
    from conftest import Repo

    upstream = nbrepo
    upstream.write("nb.ipynb", jupyter_bytes(clean_notebook(make_nb(["a = 1\n", "b = 2\n"]))))
    upstream.commit("base")
    upstream.git("clone", "-q", str(upstream.path), str(tmp_path / "clone"))
    clone = Repo(tmp_path / "clone")
    clone.nbgit("install")
    ran = jupyter_bytes(make_nb(["a = 1\n", "b = 2\n"], tag="clone "))
    clone.write("nb.ipynb", ran)  # the user runs the notebook in their clone
    clone.git("add", "nb.ipynb")  # an outputs-only change: nothing staged, git knows the file again
    assert porcelain(clone) == ""
    changed = clean_notebook(make_nb(["a = 1\n", "b = 'upstream'\n"]))
    upstream.write("nb.ipynb", jupyter_bytes(changed))
    upstream.commit("upstream changes b")
    clone.git("pull", "-q", "--ff-only")
    outs = outputs_of(clone.read("nb.ipynb"))
    assert outs["a = 1\n"] == outputs_of(ran)["a = 1\n"]  # the unchanged cell keeps its outputs
    assert outs["b = 'upstream'\n"] == []
    assert porcelain(clone) == ""
    assert clean_bytes(clone.read("nb.ipynb")) == clone.blob("HEAD:nb.ipynb")


def test_two_worktrees_share_the_store(nbrepo, tmp_path):
    r = nbrepo
    data = jupyter_bytes(make_nb(["a = 1\n", "b = 2\n"]))
    r.write("nb.ipynb", data)
    r.commit("add")
    wt = tmp_path / "wt"
    r.git("worktree", "add", "-q", str(wt), "-b", "wt-branch")
    assert (wt / "nb.ipynb").read_bytes() == data
    assert subprocess.run(["git", "status", "--porcelain"], cwd=wt, capture_output=True).stdout == b""
    # outputs made in the second worktree come back in the first
    other = jupyter_bytes(make_nb(["a = 1\n", "b = 2\n"], tag="wt "))
    (wt / "nb.ipynb").write_bytes(other)
    subprocess.run(["git", "stash", "-q"], cwd=wt, check=True, capture_output=True)  # outputs-only: nothing
    assert (wt / "nb.ipynb").read_bytes() == other
    (r.path / "nb.ipynb").unlink()
    r.git("checkout", "--", "nb.ipynb")
    assert outputs_of(r.read("nb.ipynb")) in (outputs_of(data), outputs_of(other))
    assert store_dir(r) == (r.path / ".git" / "nbgit" / "outputs").resolve()
    assert not (r.path / ".git" / "worktrees" / "wt" / "nbgit").exists()


@pytest.mark.parametrize("how", ["half-written", "garbage", "flipped"])
def test_damaged_entries_never_fail_a_checkout(nbrepo, how):
    r = nbrepo
    data = jupyter_bytes(make_nb(["a = 1\n"]))
    r.write("nb.ipynb", data)
    r.commit("add")
    entries = sorted((store_dir(r) / "entries").iterdir())
    assert entries
    for e in entries:
        raw = e.read_bytes()
        damaged = {"half-written": raw[: len(raw) // 2], "garbage": b"garbage",
                   "flipped": raw.replace(b"out 0", b"OUT 0")}[how]  # flipped: one output changed
        assert damaged != raw
        e.write_bytes(damaged)
    (r.path / "nb.ipynb").unlink()
    proc = r.git("checkout", "--", "nb.ipynb")
    assert r.read("nb.ipynb") == clean_bytes(data)  # clean: nothing lost that git had
    warnings = [ln for ln in proc.stderr.decode().splitlines() if "nbgit" in ln]
    assert len(warnings) == 1 and "nb.ipynb" in warnings[0] and "damaged" in warnings[0]
    assert porcelain(r) == ""
    assert not any((store_dir(r) / "entries").iterdir())  # the damaged entry is gone



def test_a_store_that_cannot_be_written_fails_nothing(nbrepo):
    r = nbrepo
    store = store_dir(r)
    store.mkdir(parents=True)
    (store / "entries").write_bytes(b"not a directory")
    (store / "paths").write_bytes(b"not a directory")
    data = jupyter_bytes(make_nb(["a = 1\n"]))
    r.write("nb.ipynb", data)
    proc = r.git("add", "nb.ipynb")
    warnings = [ln for ln in proc.stderr.decode().splitlines() if "nbgit" in ln]
    assert len(warnings) == 1 and "output store" in warnings[0]
    r.git("commit", "-q", "-m", "x")
    blob_is_clean(r, "HEAD:nb.ipynb")
    (r.path / "nb.ipynb").unlink()
    r.git("checkout", "--", "nb.ipynb")
    assert r.read("nb.ipynb") == clean_bytes(data)
    assert porcelain(r) == ""


def test_store_files_are_named_by_hashes_only(nbrepo):
    r = nbrepo
    name = "../x\n$(touch pwned) -- 'q'.ipynb"
    safe = "dir/ünï cödé.ipynb"
    r.write(safe, jupyter_bytes(make_nb(["a = 1\n"])))
    (r.path / "evil.ipynb").write_bytes(jupyter_bytes(make_nb(["b = 1\n"])))
    r.git("add", "-A")
    r.git("mv", "evil.ipynb", name.replace("/", "_").replace("\n", "_"))
    r.git("commit", "-q", "-m", "x")
    names = [p.name for p in store_dir(r).rglob("*")]
    assert names and all(n in ("entries", "paths", "cleaned") or (len(n) == 64 and set(n) <= set("0123456789abcdef"))
                         for n in names)
    out = r.nbgit("outputs", "--list").stdout.decode()
    assert "ünï cödé" in out


def test_restore_off_by_config(nbrepo):
    r = nbrepo
    r.write(".nbgit.toml", "restore_outputs = false\n")
    r.commit("config")
    data = jupyter_bytes(make_nb(["a = 1\n"]))
    r.write("nb.ipynb", data)
    r.commit("add")
    assert not store_dir(r).exists() or not any(store_dir(r).rglob("entries/*"))
    (r.path / "nb.ipynb").unlink()
    r.git("checkout", "--", "nb.ipynb")
    assert r.read("nb.ipynb") == clean_bytes(data)
    assert "off" in r.nbgit("outputs").stdout.decode()


def test_restore_off_for_one_command_by_environment(nbrepo):
    r = nbrepo
    data = jupyter_bytes(make_nb(["a = 1\n"]))
    r.write("nb.ipynb", data)
    r.commit("add")
    (r.path / "nb.ipynb").unlink()
    r.git("checkout", "--", "nb.ipynb", env={"NBGIT_RESTORE_OUTPUTS": "0"})
    assert r.read("nb.ipynb") == clean_bytes(data)


def test_git_archive_gets_what_a_checkout_gets(nbrepo, tmp_path):
    r = nbrepo
    data = jupyter_bytes(make_nb(["a = 1\n"]))
    r.write("nb.ipynb", data)
    r.commit("add")
    r.git("archive", "-o", str(tmp_path / "a.tar"), "HEAD")
    r.git("archive", "-o", str(tmp_path / "b.tar"), "HEAD", env={"NBGIT_RESTORE_OUTPUTS": "0"})
    import tarfile

    with tarfile.open(tmp_path / "a.tar") as t:
        assert t.extractfile("nb.ipynb").read() == data
    with tarfile.open(tmp_path / "b.tar") as t:
        assert t.extractfile("nb.ipynb").read() == clean_bytes(data)


def test_one_shot_filters_restore_too(nbrepo):
    r = nbrepo
    r.git("config", "--unset", "filter.nbgit.process")
    v1 = jupyter_bytes(make_nb(["a = 1\n", "b = 2\n"]))
    r.write("nb.ipynb", v1)
    r.commit("v1")
    (r.path / "nb.ipynb").unlink()
    r.git("checkout", "--", "nb.ipynb")
    assert r.read("nb.ipynb") == v1
    # another version of the path: per-cell restore needs the path (%f)
    v2 = clean_notebook(make_nb(["a = 1\n", "b = 3\n"]))
    r.write("nb.ipynb", jupyter_bytes(v2))
    r.commit("v2")
    r.git("reset", "-q", "--hard", "HEAD~1")
    r.git("reset", "-q", "--hard", "HEAD@{1}")
    outs = outputs_of(r.read("nb.ipynb"))
    assert outs["a = 1\n"] == outputs_of(v1)["a = 1\n"] and outs["b = 3\n"] == []
    assert porcelain(r) == ""


def test_outputs_command_shows_trims_and_clears(nbrepo):
    r = nbrepo
    for i in range(4):
        r.write(f"nb{i}.ipynb", jupyter_bytes(make_nb([f"a = {i}\n"] * 3)))
    r.commit("add")
    out = r.nbgit("outputs").stdout.decode()
    assert "entries: 4" in out and "oldest use" in out
    listing = r.nbgit("outputs", "--list").stdout.decode()
    assert all(f"nb{i}.ipynb" in listing for i in range(4))
    entries = sorted((store_dir(r) / "entries").iterdir())
    for age, e in enumerate(entries):  # make the use order known: entries[0] oldest
        os.utime(e, (1_000_000 + age, 1_000_000 + age))
    one = entries[0].stat().st_size
    keep = sum(e.stat().st_size for e in entries[2:])
    r.nbgit("outputs", "--trim", str(keep))
    assert sorted((store_dir(r) / "entries").iterdir()) == entries[2:]
    assert one > 0
    assert "removed 2 entries" in r.nbgit("outputs", "--clear").stdout.decode()
    assert "entries: 0" in r.nbgit("outputs").stdout.decode()
    assert r.nbgit("outputs", "--trim", "lots", check=False).returncode == 2


def test_size_cap_trims_least_recently_used(nbrepo):
    r = nbrepo
    big = make_nb(["a = 1\n"])
    big["cells"][0]["outputs"] = [stream("x" * 20_000 + "\n")]
    r.write(".nbgit.toml", 'output_store_size = "100 kB"\n')
    r.commit("config")
    for i in range(12):
        big["cells"][0]["source"] = [f"a = {i}\n"]
        r.write("nb.ipynb", jupyter_bytes(big))
        r.git("add", "nb.ipynb")
    # a committed cap below the default does not make the drivers delete anything (a branch
    # could otherwise wipe the outputs kept for every other branch)...
    entries = store_dir(r) / "entries"
    assert len(list(entries.iterdir())) == 12
    # ...nor does `nbgit outputs --trim` without a SIZE; with one, the store is trimmed, newest kept
    r.nbgit("outputs", "--trim")
    assert len(list(entries.iterdir())) == 12
    r.nbgit("outputs", "--trim", "100kB")
    total = sum(e.stat().st_size for e in entries.iterdir())
    assert 0 < total <= 100 * 1024
    # the newest is kept
    (r.path / "nb.ipynb").unlink()
    r.git("checkout", "--", "nb.ipynb")
    assert r.read("nb.ipynb") == jupyter_bytes(big)


def test_nbformat_3_notebooks_restore(nbrepo):
    r = nbrepo
    data = jupyter_bytes(v3_notebook())
    r.write("old.ipynb", data)
    r.commit("v3")
    (r.path / "old.ipynb").unlink()
    r.git("checkout", "--", "old.ipynb")
    assert r.read("old.ipynb") == data
    assert porcelain(r) == ""


# -- the pure part: restore_notebook ---------------------------------------------------------


def test_cells_without_ids_match_by_source_and_position():
    original = make_nb(["a\n", "b\n", "a\n"], ids=False)
    clean = clean_notebook(make_nb(["new\n", "a\n", "b\n", "a\n"], ids=False, ran=False))
    restored, count = restore_notebook(clean, [original])
    assert count == 3
    code = [c for c in restored["cells"] if c["cell_type"] == "code"]
    assert code[0]["outputs"] == []
    # the k-th cell with a source gets the k-th original's outputs
    assert code[1]["outputs"] == original["cells"][0]["outputs"]
    assert code[2]["outputs"] == original["cells"][2]["outputs"]
    assert code[3]["outputs"] == original["cells"][3]["outputs"]
    assert clean_notebook(restored) == clean


def test_cells_with_ids_match_by_id_type_and_source():
    original = make_nb(["a\n", "b\n"])
    clean = clean_notebook(original)
    clean["cells"][0]["id"] = "other-id"
    clean["cells"][2]["metadata"]["tags"] = ["added-by-a-pull"]
    restored, count = restore_notebook(clean, [original])
    assert count == 1
    assert restored["cells"][0]["outputs"] == []
    assert restored["cells"][2]["outputs"] == original["cells"][2]["outputs"]
    assert restored["cells"][2]["metadata"]["tags"] == ["added-by-a-pull"]
    assert restored["cells"][2]["metadata"]["ExecuteTime"] == original["cells"][2]["metadata"]["ExecuteTime"]
    assert clean_notebook(restored) == clean


def test_keep_outputs_config_restores_what_it_drops():
    config = Config(keep_outputs=True, max_output_size=100)
    original = make_nb(["a\n"])
    original["cells"][0]["outputs"].append(stream("y" * 500))
    clean = clean_notebook(original, config)
    restored, count = restore_notebook(clean, [original], config)
    assert count == 1 and restored["cells"][0] == original["cells"][0]


def test_config_keys():
    assert config_from_dict({"restore_outputs": False}).restore_outputs is False
    assert Config().restore_outputs is True
    assert config_from_dict({"output_store_size": "2 MB"}).output_store_size == 2 * 1024 * 1024
    assert config_from_dict({"output_store_size": 1000}).output_store_size == 1000
    assert parse_size("1.5k") == 1536
    for bad in ("lots", -1, "1 TB", True, [1]):
        with pytest.raises(ConfigError, match="output_store_size"):
            config_from_dict({"output_store_size": bad})
    with pytest.raises(ConfigError, match="restore_outputs"):
        config_from_dict({"restore_outputs": "yes"})


# -- hypothesis on the store itself: random notebooks and layouts, random edits of the blob ----


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(file=notebook_files(), config=CONFIGS, edits=st.lists(st.tuples(st.integers(0, 5), st.sampled_from(
    ["source", "delete", "insert", "tags"])), max_size=3), data=st.data())
def test_restore_always_cleans_back_to_the_blob(tmp_path_factory, file, config, edits, data):
    from nbgit.git.store import OutputStore, restore

    _, _, original = file
    try:
        blob = clean_bytes(original, config)
    except NotebookError:
        return
    store = OutputStore(str(tmp_path_factory.mktemp("store")), 10**9)
    store.put(blob, original, "nb.ipynb")
    out, _ = restore(store, blob, "nb.ipynb", config, io.StringIO())
    assert clean_bytes(out, config) == blob
    if blob != original:
        assert out == original  # the blob's own entry gives the working copy back whole
    # another version of the notebook: some cells edited, removed, added, retagged
    nb2 = json.loads(blob)
    for pos, kind in edits:
        cells = nb2["cells"]
        if kind == "insert" or not cells:
            cells.insert(pos % (len(cells) + 1), {"cell_type": "code", "execution_count": None, "metadata": {},
                                                  "outputs": [], "source": data.draw(SOURCE)})
        elif kind == "delete":
            del cells[pos % len(cells)]
        elif kind == "source":
            cells[pos % len(cells)]["source"] = data.draw(SOURCE)
        else:
            cells[pos % len(cells)]["metadata"] = {**cells[pos % len(cells)]["metadata"], "tags": ["edited"]}
    blob2 = clean_bytes(json.dumps(nb2, indent=1, ensure_ascii=False).encode() + b"\n", config)
    out2, _ = restore(store, blob2, "nb.ipynb", config, io.StringIO())
    assert clean_bytes(out2, config) == blob2
    # a cell with a unique id whose content is unchanged comes back as it was
    before = {c.get("id"): c for c in json.loads(original)["cells"]}
    ids = [c.get("id") for c in json.loads(blob2)["cells"]]
    for cell, clean in zip(json.loads(out2)["cells"], json.loads(blob2)["cells"]):
        old = before.get(cell.get("id"))
        if (old is not None and isinstance(cell.get("id"), str) and ids.count(cell["id"]) == 1
                and len(before) == len(json.loads(original)["cells"])
                and json.dumps(clean_cell(old, config)) == json.dumps(clean)):
            assert cell == old


# -- hypothesis: random notebooks, random operations -----------------------------------------

SOURCES = st.sampled_from(["a = 1\n", "b = 2\n", "print(3)\n", "x\n"])
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(0, 5), SOURCES),
        st.tuples(st.just("run"), st.integers(0, 99)),
        st.tuples(st.just("stash")),
        st.tuples(st.just("pop")),
        st.tuples(st.just("commit")),
        st.tuples(st.just("away_and_back")),
    ),
    min_size=1,
    max_size=6,
)


def _run(nb: dict, seed: int) -> dict:
    """Every code cell gets fresh outputs and counts (as a re-run of the notebook)."""
    nb = json.loads(json.dumps(nb))
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] == "code":
            c["outputs"] = [stream(f"run {seed} cell {i}\n")]
            c["execution_count"] = i + 1
            c["metadata"]["ExecuteTime"] = {"run": seed}
    return nb


def _key(cell: dict) -> tuple:
    return cell["cell_type"], cell.get("id"), "".join(cell["source"])


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(sources=st.lists(SOURCES, min_size=1, max_size=4), ids=st.booleans(), ops=OPS)
def test_random_operations_never_lose_outputs_of_unchanged_cells(tmp_path_factory, sources, ids, ops):
    """Model of the store: a version git writes comes back as the working copy last cleaned to it;
    another version gets, per cell (type, id, source), the outputs of the newest of the last
    8 cleaned working copies that has the cell."""
    from conftest import Repo
    from nbgit.git.store import PATH_HISTORY

    r = Repo(tmp_path_factory.mktemp("hyp"))
    r.git("init", "-q", "-b", "main")
    r.nbgit("install")
    r.commit("nbgit", ".gitattributes")
    r.git("branch", "away")
    r.write("away.txt", "away\n")
    r.git("checkout", "-q", "away")
    r.commit("away", "away.txt")
    r.git("checkout", "-q", "main")
    current = _run(make_nb(sources, ran=False, ids=ids), 0)
    entries: dict[bytes, dict] = {}  # clean blob -> the working copy last cleaned to it
    history: list[tuple[bytes, dict]] = []  # newest first, as the store's list of the path

    def seen(nb: dict) -> None:
        data = jupyter_bytes(nb)
        blob = clean_bytes(data)
        if blob != data:  # the filter stripped something: the store keeps it
            nb = json.loads(data)  # a copy: the test edits `current` in place afterwards
            if blob in entries and jupyter_bytes(entries[blob]) == data and any(h[0] == blob for h in history):
                return  # seen again as it was: keeps its place
            entries[blob] = nb
            history[:] = ([(blob, nb)] + [h for h in history if h[0] != blob])[:PATH_HISTORY]

    def written(nb: dict) -> None:
        r.write("nb.ipynb", jupyter_bytes(nb))
        r.git("diff", "--quiet", "nb.ipynb", check=False)  # git cleans it now (and the store keeps it)
        seen(nb)

    def check_restored() -> dict:
        data = r.read("nb.ipynb")
        now = json.loads(data)
        blob = clean_bytes(data)
        if blob in entries:
            assert now == entries[blob]
        elif ids:
            for c in now["cells"]:
                if c["cell_type"] == "code":
                    want = next((o.get("outputs") for _, nb in history for o in nb["cells"]
                                 if _key(o) == _key(c) and clean_cell(o) != o), [])
                    assert c["outputs"] == want, (c, want)
        # the user saves it unchanged: git cleans it again (deterministically, not only when racy)
        os.utime(r.path / "nb.ipynb", (2e9 + len(history), 2e9 + len(history)))
        written(now)
        return now

    written(current)
    r.commit("start")
    stashes: list[str] = []
    for op in ops:
        if op[0] == "edit":
            code = [c for c in current["cells"] if c["cell_type"] == "code"]
            cell = code[op[1] % len(code)]
            cell["source"] = [op[2]]
            cell["outputs"], cell["execution_count"] = [], None
            cell["metadata"] = {}
            written(current)
        elif op[0] == "run":
            current = _run(current, op[1])
            written(current)
        elif op[0] == "stash":
            if b"No local changes" in r.git("stash").stdout:
                continue
            stashes.append(r.out("rev-parse", "HEAD"))
            current = check_restored()
            assert clean_bytes(r.read("nb.ipynb")) == r.blob("HEAD:nb.ipynb")
        elif op[0] == "pop":
            if not stashes or porcelain(r) or stashes[-1] != r.out("rev-parse", "HEAD"):
                continue
            stashes.pop()
            r.git("stash", "pop")
            current = check_restored()
        elif op[0] == "commit":
            r.git("add", "nb.ipynb")
            r.git("commit", "-q", "--allow-empty", "-m", "c")
        elif op[0] == "away_and_back":
            if porcelain(r):
                continue
            r.git("checkout", "-q", "away")
            r.git("checkout", "-q", "main")
            current = check_restored()
            assert clean_bytes(r.read("nb.ipynb")) == r.blob("HEAD:nb.ipynb")
        blob_is_clean(r, "HEAD:nb.ipynb")
        blob_is_clean(r, ":nb.ipynb")


# -- the memo of cleans: a working copy cleaned before is answered without parsing it ----------


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(file=notebook_files(), configs=st.lists(CONFIGS, min_size=1, max_size=3))
def test_memo_answers_exactly_what_cleaning_gives(tmp_path_factory, file, configs):
    """Whatever the notebook and the sequence of configs: clean_through (with its memo, hit or
    miss) gives the bytes clean_or_pass gives, and a config change is never answered from the
    memo of another config."""
    from nbgit.git.filter import clean_or_pass, clean_through
    from nbgit.git.store import OutputStore

    _, _, original = file
    store = OutputStore(str(tmp_path_factory.mktemp("store")), 10**9)
    for config in configs + configs:  # each config twice: a miss, then (if it stripped) a hit
        want = clean_or_pass(original, config, "nb.ipynb", io.StringIO())
        got = clean_through(store, original, config, "nb.ipynb", io.StringIO(), "nb.ipynb")
        assert got == want


def test_memo_is_used_and_checked(nbrepo, monkeypatch):
    """A notebook git cleans again with the same bytes is answered from the memo; a memo file
    whose content is damaged is a miss (cleaned again, the right bytes), never a wrong answer."""
    from nbgit.git import store as store_mod

    data = jupyter_bytes(make_nb(["a = 1\n", "b = 2\n"]))
    nbrepo.write("nb.ipynb", data)
    nbrepo.commit("nb")
    blob = nbrepo.blob("HEAD:nb.ipynb")
    memo = store_dir(nbrepo) / "cleaned" / store_mod.content_digest(data)
    assert memo.is_file() and memo.read_bytes().endswith(blob)
    # what git gets from the memo is what cleaning gives: the index does not change
    os.utime(nbrepo.path / "nb.ipynb", (2e9, 2e9))
    assert porcelain(nbrepo) == ""
    # damage the memo: same length, one byte of the clean notebook changed
    raw = bytearray(memo.read_bytes())
    raw[-5] ^= 0x20
    memo.write_bytes(bytes(raw))
    os.utime(nbrepo.path / "nb.ipynb", (2e9 + 1, 2e9 + 1))
    assert porcelain(nbrepo) == ""  # a miss: cleaned again, the same blob
    assert nbrepo.git("add", "--renormalize", "nb.ipynb").returncode == 0
    assert nbrepo.blob(":nb.ipynb") == blob
    # the memo is what answers: a consistent memo entry (right fingerprint and checksum) that
    # says something else is believed (the store is this clone's own, under .git)
    header = json.loads(memo.read_bytes()[len(store_mod.CLEAN_MAGIC):].partition(b"\n")[0])
    other = blob.replace(b"a = 1", b"a = 7")
    header.update(size=len(other), sha256=store_mod.content_digest(other))
    memo.write_bytes(store_mod.CLEAN_MAGIC + json.dumps(header).encode() + b"\n" + other)
    os.utime(nbrepo.path / "nb.ipynb", (2e9 + 3, 2e9 + 3))
    assert porcelain(nbrepo) == " M nb.ipynb"
    # a memo claiming another clean result (header and bytes consistent, but from another
    # config fingerprint) is not used
    fake = json.dumps({"fp": "0" * 64, "size": 2, "sha256": store_mod.content_digest(b"{}")})
    memo.write_bytes(store_mod.CLEAN_MAGIC + fake.encode() + b"\n{}")
    os.utime(nbrepo.path / "nb.ipynb", (2e9 + 2, 2e9 + 2))
    assert porcelain(nbrepo) == ""
    assert memo.read_bytes().endswith(blob)  # rewritten by the clean that missed


def test_config_change_is_not_answered_from_the_memo(nbrepo):
    data = jupyter_bytes(make_nb(["a = 1\n"]))
    nbrepo.write("nb.ipynb", data)
    nbrepo.commit("nb")
    assert json.loads(nbrepo.blob("HEAD:nb.ipynb"))["cells"][0]["execution_count"] is None
    nbrepo.write(".nbgit.toml", "keep_count = true\n")
    nbrepo.git("add", "--renormalize", "nb.ipynb")
    assert json.loads(nbrepo.blob(":nb.ipynb"))["cells"][0]["execution_count"] == 1


def test_memo_is_trimmed_with_the_store(nbrepo):
    from nbgit.git.store import CLEAN_SHARE, OutputStore

    for i in range(6):
        nbrepo.write(f"nb{i}.ipynb", jupyter_bytes(make_nb([f"a = {i}\n"] * 20)))
    nbrepo.commit("six")
    store = OutputStore(str(store_dir(nbrepo)), 10**9)
    memo = store.memo_size()
    assert memo > 0 and store.size() == memo + sum(e.stored for e in store.entries())
    limit = store.size() // 2
    store.trim(limit)
    assert store.memo_size() <= limit // CLEAN_SHARE and store.size() <= limit
    out = nbrepo.nbgit("outputs").stdout.decode()
    assert "memo of cleans:" in out
    nbrepo.nbgit("outputs", "--clear")
    assert store.size() == 0
