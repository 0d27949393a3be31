"""Hostile repositories (issue 10): nothing committed can make nbgit write outside the work
tree, run code, hang or crash.

Each attack is a real repository: committed symlinks, hostile notebook metadata, hostile
names. It is cloned and pulled by a user who ran ``nbgit install --hooks`` (so a plain
``git pull`` runs ``nbgit sync``), then every command is run over it. What must hold:

- a sentinel directory outside the tree (where the symlinks and paired paths point) is
  byte-identical afterwards (names, modes, contents, link targets);
- every command ends (a subprocess timeout, not a timing assertion);
- no traceback in any output;
- exit codes are the ones git and nbgit document.

To add a case: add a :class:`Case` to ``CASES`` (files of the hostile commit; a
:class:`Link` for a committed symlink; ``{OUT}`` in a link target or a notebook's text is
the sentinel directory, ``{OUTREL}`` its path relative to the clone). The sweep over all
commands picks it up. Cases that main does not handle yet are listed at the end of this
file (``NOT_YET``) and are not run.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from nbfactory import code_cell, jupyter_bytes, markdown_cell, notebook, stream

#: Every command must end within this (seconds); generous for a loaded 2-core machine.
BOUND = 120


@dataclass(frozen=True)
class Link:
    """A committed symlink to ``target`` (``{OUT}`` is the sentinel directory)."""

    target: str


@dataclass
class Case:
    """One hostile commit: ``files`` maps a path in the repository to bytes, text or a :class:`Link`."""

    name: str
    files: dict = field(default_factory=dict)
    about: str = ""


def nb_bytes(*sources: str, formats: str | None = None, outputs: bool = True, metadata: dict | None = None) -> bytes:
    meta = dict(metadata or {})
    if formats is not None:
        meta["jupytext"] = {"formats": formats}
    cells = [markdown_cell("# Hostile\n", id="md-0")]
    for i, src in enumerate(sources or ("x = 1\n",)):
        cells.append(code_cell(src, id=f"c-{i}", count=i + 1, outputs=[stream(f"out {i}\n")] if outputs else []))
    return jupyter_bytes(notebook(cells, metadata=meta))


PAYLOAD = "import os\nopen(os.path.expanduser('~/PWNED'), 'w').write('code ran')\n"

#: The hostile commits swept by every command. Keep each one small and named for what it tries.
CASES = [
    Case(
        "sync-through-dir-symlink",
        {
            "site": Link("{OUT}/site-packages"),
            "usercustomize.ipynb": nb_bytes(PAYLOAD, formats="ipynb,site//py:percent"),
        },
        "item 1: a committed directory symlink as a jupytext prefix (the usercustomize.py attack)",
    ),
    Case(
        "sync-dotdot-prefix",
        {"escape.ipynb": nb_bytes(PAYLOAD, formats="ipynb,{OUTREL}/site-packages//py:percent")},
        "item 1: `../` prefixes in metadata.jupytext.formats",
    ),
    Case(
        "sync-absolute-prefix",
        {"absolute.ipynb": nb_bytes(PAYLOAD, formats="ipynb,{OUT}/site-packages//py:percent")},
        "item 1: an absolute prefix in metadata.jupytext.formats",
    ),
    Case(
        "sync-into-git-dir",
        {"hooks.ipynb": nb_bytes("echo pwned\n", formats="ipynb,.git/hooks//py:percent")},
        "containment: never into .git",
    ),
    Case(
        "notebook-symlink-out",
        {"linked.ipynb": Link("{OUT}/victim.ipynb")},
        "item 3: check --fix / clean FILE / sync through a notebook symlink leading out",
    ),
    Case(
        "paired-text-symlink-out",
        {"pt.ipynb": nb_bytes("y = 2\n", formats="ipynb,py:percent"), "pt.py": Link("{OUT}/victim.py")},
        "item 1: the paired text file itself a symlink out",
    ),
    Case(
        "attributes-symlink-out",
        {".gitattributes": Link("{OUT}/attributes")},
        "item 2: install/uninstall append to a committed .gitattributes symlink",
    ),
    Case("config-dev-stdin", {".nbgit.toml": Link("/dev/stdin")}, "item 6: config from git's own protocol stream"),
    Case("config-dev-zero", {"pyproject.toml": Link("/dev/zero")}, "item 6: config growing without bound"),
    Case("config-out", {".nbgit.toml": Link("{OUT}/config.toml")}, "config read from outside the tree"),
    Case(
        "notebook-dev-zero",
        {"zero.ipynb": Link("/dev/zero"), "zero.py": "# %%\nx = 1\n"},
        "item 6: a notebook that is /dev/zero (memory exhaustion in sync, check, review, doctor)",
    ),
    Case("notebook-fifo-out", {"fifo.ipynb": Link("{OUT}/fifo")}, "item 6: a notebook that is a FIFO"),
    Case("leading-dash", {"-rf.ipynb": nb_bytes("z = 3\n")}, "item 8: textconv takes the name for an option"),
    Case(
        "setext-heading",
        {
            "doc.ipynb": nb_bytes("w = 4\n", formats="ipynb,md"),
        },
        "item 14: a paired .md with a `=======` line is not a conflict",
    ),
    Case(
        "huge-int",
        {"huge.ipynb": nb_bytes("h = 1\n", metadata={"n": "@HUGE"}).replace(b'"@HUGE"', b"9" * 5000)},
        "item 7: an integer literal longer than int()'s 4,300 digits",
    ),
    Case(
        "lone-surrogate",
        {"surrogate.ipynb": nb_bytes("s = '@S'\n").replace(b"@S", b"\\ud83d")},
        "item 7: a lone surrogate escape in a kept source",
    ),
    Case(
        "deep-pyproject",
        {"pyproject.toml": "[tool.other]\nx = " + "[" * 3000 + "]" * 3000 + "\n"},
        "item 7: a pyproject.toml nested too deeply for the TOML parser, in a table that is not nbgit's",
    ),
    Case(
        "clean-exact",
        {"exact.ipynb": nb_bytes("e = 1\n", metadata={"v": "@V"}).replace(b'"@V"', b'1e400, "v2": 1.10, "k": 1, "k": 2')},
        "item 13: 1e400, 1.10 and duplicate keys are kept as they are",
    ),
    Case(
        "hostile-names",
        {
            os.fsdecode(b"caf\xe9-latin1.ipynb"): nb_bytes("n = 1\n"),
            "\x1b[2J\x1b]0;title\x07clear.ipynb": nb_bytes("n = 2\n"),
            "line\nfatal: fake.ipynb": nb_bytes("n = 3\n"),
        },
        "items 9, 10: names that are not UTF-8 or hold control characters (review, check, every driver)",
    ),
    Case(
        "compact-deep-nesting",
        {"compact.ipynb": nb_bytes("c = 1\n", metadata={"deep": "@D"}).replace(b'"@D"', b"[" * 500 + b"]" * 500)},
        "item 15: deeply nested compact metadata is not re-indented",
    ),
]


# --- the sentinel: a directory outside the clone that nothing may touch -----------------------


def make_sentinel(out: Path) -> None:
    (out / "site-packages").mkdir(parents=True)
    (out / "site-packages" / "keep.txt").write_text("site-packages as it was\n")
    (out / "victim.ipynb").write_bytes(nb_bytes("victim = 1\n"))
    (out / "victim.py").write_text("# %%\nvictim = 2\n")
    (out / "attributes").write_text("*.txt text\n")
    (out / "config.toml").write_text("[tool.nbgit]\nkeep_outputs = true\n")
    os.mkfifo(out / "fifo")


def snapshot(root: Path) -> dict:
    """Names, kinds, modes, contents and link targets of everything under ``root``."""
    seen = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            st = p.lstat()
            rel = str(p.relative_to(root))
            if stat.S_ISLNK(st.st_mode):
                seen[rel] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                seen[rel] = ("file", stat.S_IMODE(st.st_mode), p.read_bytes())
            else:
                seen[rel] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode))
    return seen


# --- running commands -------------------------------------------------------------------------


class Runner:
    """Runs git and nbgit in a clone with a bound; records every output for the traceback check."""

    def __init__(self, cwd: Path, env: dict):
        self.cwd = cwd
        self.env = env
        self.log: list[tuple[list[str], subprocess.CompletedProcess]] = []

    def __call__(self, *args: str, ok: tuple[int, ...] = (0,), input: bytes | None = None) -> subprocess.CompletedProcess:
        cmd = list(args)
        if cmd[0] == "nbgit":  # as the `nbgit` console script runs: never importing from the work tree
            import shlex

            from nbgit.git.install import nbgit_command

            cmd = [*shlex.split(nbgit_command()), *cmd[1:]]
        try:
            proc = subprocess.run(
                cmd, cwd=self.cwd, env=self.env, input=input if input is not None else b"",
                capture_output=True, timeout=BOUND,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"{' '.join(args)} did not end within {BOUND}s (a hang)")
        self.log.append((list(args), proc))
        out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
        assert "Traceback (most recent call last)" not in out, f"{' '.join(args)}: traceback\n{out}"
        assert proc.returncode in ok, f"{' '.join(args)}: exit {proc.returncode}, expected {ok}\n{out}"
        return proc

    def text(self, proc: subprocess.CompletedProcess) -> str:
        return proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")


def _git(cwd: Path, *args: str, env: dict) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=BOUND)


def _materialize(repo: Path, files: dict, out: Path) -> None:
    outrel = os.path.relpath(out, repo)
    for name, content in files.items():
        p = repo / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.is_symlink() or p.exists():
            p.unlink()
        if isinstance(content, Link):
            os.symlink(content.target.replace("{OUT}", str(out)), p)
        else:
            data = content.encode() if isinstance(content, str) else content
            data = data.replace(b"{OUT}", str(out).encode()).replace(b"{OUTREL}", outrel.encode())
            p.write_bytes(data)


@dataclass
class Hostile:
    origin: Path
    clone: Path
    out: Path
    run: Runner
    before: dict


def hostile_clone(tmp_path: Path, cases: list[Case], *, hooks: bool = True) -> Hostile:
    """An origin with a benign first commit, a clone with nbgit installed (with hooks), then the
    hostile commit(s) on the origin; the caller pulls. Paths are laid out so that ``{OUTREL}``
    from the clone is ``../out``."""
    env = {**os.environ, "PYTHONUSERBASE": str(tmp_path / "out" / "userbase")}
    out = tmp_path / "out"
    make_sentinel(out)
    origin = tmp_path / "origin"
    origin.mkdir()
    _git(origin, "init", "-q", "-b", "main", env=env)
    (origin / "README.md").write_text("a repository from a stranger\n")
    (origin / "plain.ipynb").write_bytes(nb_bytes("a = 1\n"))
    (origin / ".gitattributes").write_text("*.ipynb filter=nbgit diff=nbgit merge=nbgit\n")  # a project using nbgit
    _git(origin, "add", "-A", env=env)
    _git(origin, "commit", "-q", "-m", "benign", env=env)
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(origin), str(clone), env=env)
    run = Runner(clone, env)
    run("nbgit", "install", *(["--hooks"] if hooks else []))
    run("git", "diff", "--quiet", "--", ".gitattributes")  # install found the committed line
    for case in cases:  # origin and clone are siblings: {OUTREL} is the same from both
        _materialize(origin, case.files, out)
    _git(origin, "add", "-A", env=env)
    _git(origin, "commit", "-q", "-m", "hostile", env=env)
    return Hostile(origin, clone, out, run, snapshot(out))


def assert_untouched(h: Hostile) -> None:
    after = snapshot(h.out)
    last = " ".join(h.run.log[-1][0]) if h.run.log else "setting up"
    changed = sorted(set(after) ^ set(h.before) | {k for k in after if k in h.before and after[k] != h.before[k]})
    assert after == h.before, f"after `{last}`, the directory outside the tree changed: {changed}"
    assert not (Path(h.run.env["HOME"]) / "PWNED").exists()


# --- item 1: sync writes only inside the tree (the code-execution hole) -----------------------


def test_pull_with_hooks_cannot_plant_usercustomize(tmp_path):
    """A `git pull` of a notebook paired through a committed symlink (or `../`, or an absolute
    prefix) into site-packages wrote usercustomize.py there: code ran at the next `python`.
    Now each such pair is refused with one line naming the notebook, and nothing is written."""
    cases = [c for c in CASES if c.name.startswith("sync-")]
    h = hostile_clone(tmp_path, cases)
    pull = h.run("git", "pull", "-q", "--no-rebase", "origin", "main")
    err = h.run.text(pull)
    for nb in ("usercustomize.ipynb", "escape.ipynb", "absolute.ipynb", "hooks.ipynb"):
        lines = [ln for ln in err.splitlines() if nb in ln]
        assert len(lines) == 1 and ("refused" in lines[0] or "not synced" in lines[0]), err
    assert_untouched(h)
    assert not list(h.out.rglob("usercustomize.py"))
    assert not (h.clone / ".git" / "hooks" / "hooks.py").exists()
    # and by hand: the same refusals, exit 2, nothing written
    proc = h.run("nbgit", "sync", ok=(2,))
    assert proc.stderr.decode().count("refused") >= 3
    assert_untouched(h)


def test_sync_refuses_escaping_pairs_but_keeps_inside_ones(repo, tmp_path):
    """Prefixes that stay inside the tree (`notebooks///ipynb,scripts///py`) still pair and sync."""
    (repo.path / "notebooks").mkdir()
    repo.write("notebooks/ok.ipynb", nb_bytes("ok = 1\n", formats="notebooks///ipynb,scripts///py:percent"))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    repo.write("bad.ipynb", nb_bytes("bad = 1\n", formats=f"ipynb,{os.path.relpath(outside, repo.path)}//py:percent"))
    proc = repo.nbgit("sync", "notebooks/ok.ipynb", "bad.ipynb", check=False)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "bad.ipynb: paired file" in err and "leads outside the repository" in err and "pair refused" in err
    assert (repo.path / "scripts" / "ok.py").read_text().count("ok = 1") == 1
    assert list(outside.iterdir()) == []


def test_sync_text_header_cannot_name_a_notebook_outside(repo, tmp_path):
    """The text side's `formats:` header decides where the notebook is created: inside only."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    rel = os.path.relpath(outside, repo.path / "scripts")
    header = f"# ---\n# jupyter:\n#   jupytext:\n#     formats: {rel}//ipynb,scripts//py:percent\n# ---\n\n# %%\nx = 1\n"
    repo.write("scripts/t.py", header)
    proc = repo.nbgit("sync", "scripts/t.py", check=False)
    assert proc.returncode == 2, proc.stderr
    assert "outside the repository" in proc.stderr.decode()
    assert list(outside.iterdir()) == []


def test_sync_reads_no_device(repo):
    """A committed `x.ipynb -> /dev/zero` is reported, not read (memory), and sync ends."""
    os.symlink("/dev/zero", repo.path / "zero.ipynb")
    repo.write("zero.py", "# %%\nx = 1\n")
    proc = subprocess.run([sys.executable, "-m", "nbgit", "sync", "zero.ipynb"], cwd=repo.path, capture_output=True, timeout=BOUND)
    assert proc.returncode == 2
    assert b"zero.ipynb: is (or goes through) a symlink leading outside the repository" in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_read_regular_refuses_devices_fifos_and_big_files(tmp_path):
    """The one reader of repository files: regular files only, never blocks, capped on demand."""
    from nbgit._fs import PathRefused, read_head, read_regular

    os.mkfifo(tmp_path / "fifo")  # no writer: a plain open() would block for ever
    for path, reason in ((tmp_path / "fifo", "is a FIFO"), ("/dev/zero", "is a character device")):
        with pytest.raises(PathRefused, match=reason):
            read_regular(path)
        with pytest.raises(PathRefused, match=reason):
            read_head(path, 10)
    os.symlink("/dev/stdin", tmp_path / "stdin")
    with pytest.raises(PathRefused, match="symlink leading outside"):
        read_regular(tmp_path / "stdin", root=tmp_path)
    (tmp_path / "big").write_bytes(b"x" * 2000)
    with pytest.raises(PathRefused, match="larger than 1000 bytes"):
        read_regular(tmp_path / "big", limit=1000)
    assert read_regular(tmp_path / "big", limit=2000) == b"x" * 2000
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "missing")
    with pytest.raises(IsADirectoryError):
        read_regular(tmp_path)


def test_contain(tmp_path):
    from nbgit._fs import PathRefused, contain

    root = tmp_path / "tree"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    os.symlink("sub", root / "inside")
    os.symlink(str(tmp_path), root / "out")
    os.symlink(".git", root / "g")
    assert contain(root, "inside/x.py") == str(root / "sub" / "x.py")
    assert contain(root, "sub/../sub/new/dir/x.py") == str(root / "sub" / "new" / "dir" / "x.py")
    for bad, reason in (
        ("../x", "outside the repository"),
        ("sub/../../x", "outside the repository"),
        ("out/x", "symlink leading outside"),
        ("out", "symlink leading outside"),
        (".git/hooks/post-merge", "inside .git"),
        ("sub/.GIT/x", "inside .git"),
        ("g/config", "symlink into .git"),
        (str(tmp_path / "x"), "outside the repository"),
    ):
        with pytest.raises(PathRefused, match=reason):
            contain(root, bad)
    with pytest.raises(PathRefused, match="absolute path"):
        contain(root, str(root / "sub" / "x"), relative=True)


# --- item 14: a `=======` line in a paired text file is a heading, not a conflict -------------


def test_sync_accepts_setext_heading_in_paired_markdown(repo):
    repo.write("doc.ipynb", nb_bytes("w = 4\n", formats="ipynb,md"))
    repo.nbgit("sync", "doc.ipynb")
    md = repo.read("doc.md").decode()
    md = md.replace("# Hostile\n", "Hostile\n=======\n\nA setext heading above.\n")
    repo.write("doc.md", md)
    proc = repo.nbgit("sync", check=False)
    assert proc.returncode == 0, proc.stderr
    nb = json.loads(repo.read("doc.ipynb"))
    assert nb["cells"][0]["source"][:2] == ["Hostile\n", "=======\n"]
    assert repo.nbgit("sync").returncode == 0  # the file sync wrote itself syncs again


def test_sync_still_refuses_a_real_conflict_block(repo):
    repo.write("doc.ipynb", nb_bytes("w = 4\n", formats="ipynb,md"))
    repo.nbgit("sync", "doc.ipynb")
    repo.write("doc.md", repo.read("doc.md").decode() + "<<<<<<< HEAD\na\n=======\nb\n>>>>>>> other\n")
    proc = repo.nbgit("sync", check=False)
    assert proc.returncode == 2 and b"doc.md: has git conflict markers" in proc.stderr


def test_conflict_block_detection():
    from nbgit.notebook.io import has_conflict_markers

    assert not has_conflict_markers(b"Title\n=======\n")
    assert not has_conflict_markers(b">>>>>>> x\n=======\n<<<<<<< y\n")  # wrong order
    assert not has_conflict_markers(b"<<<<<<< a\n>>>>>>> b\n=======\n")
    assert has_conflict_markers(b"x\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> other\n")
    assert has_conflict_markers(b"<<<<<<< HEAD\r\na\r\n=======\r\nb\r\n>>>>>>> o\r\n")


# --- item 7 and 13: notebooks that crashed the git drivers, or that clean changed --------------


def test_pull_of_notebooks_that_crashed_the_drivers(tmp_path):
    names = ("huge-int", "lone-surrogate", "deep-pyproject", "clean-exact")
    h = hostile_clone(tmp_path, [c for c in CASES if c.name in names])
    run = h.run
    run("git", "pull", "-q")
    run("git", "add", "-A")  # the stranger committed outputs: commit them cleaned first
    run("git", "commit", "-q", "-m", "cleaned")
    committed = run("git", "show", "HEAD:exact.ipynb").stdout
    assert b'"v": 1e400, "v2": 1.10, "k": 1, "k": 2' in committed and b'"execution_count": null' in committed
    for name in ("huge.ipynb", "surrogate.ipynb", "exact.ipynb"):  # outputs and counts made, then a change
        p = h.clone / name
        p.write_bytes(p.read_bytes().replace(b'"execution_count": null', b'"execution_count": 5').replace(b"= 1", b"= 2"))
    run("git", "status", "--porcelain")
    assert "+e = 2" in run.text(run("git", "diff"))
    run("git", "log", "-p", "-2")
    run("git", "stash")
    run("git", "stash", "pop")
    run("git", "add", "-A")
    run("git", "commit", "-q", "-m", "edits")
    committed = run("git", "show", "HEAD:exact.ipynb").stdout
    assert b'"v": 1e400, "v2": 1.10, "k": 1, "k": 2' in committed and b'"execution_count": null' in committed
    assert b"\\ud83d" in run("git", "show", "HEAD:surrogate.ipynb").stdout
    run("nbgit", "check", ok=(0, 1))
    run("nbgit", "review", "HEAD~1..HEAD", "--html", "review.html")
    run("nbgit", "review", "HEAD~1..HEAD")
    assert_untouched(h)

# --- nothing committed runs: not even a package named nbgit -----------------------------------


def test_a_committed_nbgit_package_never_runs(tmp_path):
    """git runs the drivers and hooks in the work tree, where `python -m nbgit` would import a
    committed `nbgit/` package first (sys.path[0] is the current directory): a `git status`
    would have run the stranger's code. Installed commands leave the current directory out."""
    payload = "import os\nopen(os.path.expanduser('~/PWNED'), 'w').write('code ran')\n"
    case = Case("fake-nbgit", {"nbgit/__init__.py": payload, "nbgit/__main__.py": payload, "nbgit/cli/__init__.py": payload,
                               "p.ipynb": nb_bytes("p = 1\n", formats="ipynb,py:percent")})
    h = hostile_clone(tmp_path, [case])
    run = h.run
    run("git", "pull", "-q", "--no-rebase", "origin", "main")  # the post-merge hook runs nbgit sync
    (h.clone / "plain.ipynb").write_bytes(nb_bytes("a = 2\n"))
    run("git", "status")
    run("git", "add", "-A")
    run("git", "diff", "--cached")
    run("git", "commit", "-q", "-m", "x")
    run("git", "log", "-p", "-2")
    run("git", "checkout", "-q", "HEAD~1")  # post-checkout hook
    run("nbgit", "doctor", ok=(0, 1))
    assert not (Path(h.run.env["HOME"]) / "PWNED").exists()
    assert_untouched(h)


# --- item 2: install/uninstall never write through a committed .gitattributes symlink ---------


def test_install_refuses_attributes_symlink_out(repo, tmp_path):
    outside = tmp_path / "attributes"
    outside.write_text("*.txt text\n")
    os.symlink(outside, repo.path / ".gitattributes")
    for cmd in ("install", "uninstall"):
        proc = repo.nbgit(cmd, check=False)
        assert proc.returncode == 2, proc
        err = proc.stderr.decode()
        assert ".gitattributes: is (or goes through) a symlink leading outside the repository" in err
        assert "does not write through it" in err and "Traceback" not in err
    assert outside.read_text() == "*.txt text\n"
    assert repo.git("config", "--local", "--get", "filter.nbgit.clean", check=False).returncode == 1  # nothing half-done
    assert repo.nbgit("install", "--info").returncode == 0  # the way out the message names


def test_install_refuses_attributes_symlink_inside_too(repo):
    """git does not read an in-tree .gitattributes that is a symlink: writing through it would
    install nothing, so it is refused like one leading out, and the file it names is untouched."""
    repo.write("conf/attributes", "*.txt text\n")
    os.symlink("conf/attributes", repo.path / ".gitattributes")
    proc = repo.nbgit("install", check=False)
    assert proc.returncode == 2 and ".gitattributes: is a symlink, which git does not read" in proc.stderr.decode()
    assert repo.read("conf/attributes") == b"*.txt text\n" and os.path.islink(repo.path / ".gitattributes")


# --- item 3: check --fix and clean FILE never write through a notebook symlink out ------------


def test_check_fix_and_clean_skip_notebook_symlinks_out(repo, tmp_path):
    victim = tmp_path / "victim.ipynb"
    victim.write_bytes(nb_bytes("victim = 1\n"))
    before = victim.read_bytes()
    os.symlink(victim, repo.path / "linked.ipynb")
    repo.write("inside/real.ipynb", nb_bytes("real = 1\n"))
    os.symlink("inside/real.ipynb", repo.path / "alias.ipynb")
    proc = repo.nbgit("check", "--fix", "linked.ipynb", "alias.ipynb", check=False)
    assert proc.returncode == 2
    assert "linked.ipynb: is (or goes through) a symlink leading outside the repository" in proc.stderr.decode()
    assert "alias.ipynb: cleaned" in proc.stdout.decode()  # a link inside the tree is written through
    assert os.path.islink(repo.path / "alias.ipynb") and b'"outputs": []' in repo.read("inside/real.ipynb")
    proc = repo.nbgit("clean", "linked.ipynb", check=False)
    assert proc.returncode == 2 and "linked.ipynb" in proc.stderr.decode() and "skipped" in proc.stderr.decode()
    assert victim.read_bytes() == before


# --- item 6: config and notebooks only from regular files, bounded ---------------------------


@pytest.mark.parametrize("name,target", [(".nbgit.toml", "/dev/stdin"), ("pyproject.toml", "/dev/zero"), (".nbgit.toml", "FIFO")])
def test_config_from_a_device_never_hangs(installed_repo, tmp_path, name, target):
    repo = installed_repo
    if target == "FIFO":
        target = str(tmp_path / "fifo")
        os.mkfifo(target)
    repo.write("a.ipynb", nb_bytes("a = 1\n"))
    os.symlink(target, repo.path / name)
    run = Runner(repo.path, dict(os.environ))
    proc = run("git", "add", "a.ipynb")  # the filter cleans with the defaults, naming the file once
    assert f"{name}: is (or goes through) a symlink leading outside the repository" in run.text(proc)
    assert "cleaning with the default settings" in run.text(proc)
    assert b'"outputs": []' in repo.blob(":a.ipynb") or b'"outputs"' not in repo.blob(":a.ipynb")
    run("git", "status", "--short")
    proc = run("nbgit", "check", "a.ipynb", ok=(2,))
    assert f"{name}: is (or goes through) a symlink leading outside the repository" in run.text(proc)


def test_config_size_cap(repo):
    repo.write("pyproject.toml", "[tool.nbgit]\nkeep_outputs = true\n" + "#" * (2 << 20) + "\n")
    repo.write("a.ipynb", nb_bytes("a = 1\n"))
    proc = repo.nbgit("check", "a.ipynb", check=False)
    assert proc.returncode == 2 and "pyproject.toml: is larger than 1 MiB; not read" in proc.stderr.decode()


# --- item 8: a notebook named -rf.ipynb --------------------------------------------------------


def test_leading_dash_notebook_through_textconv_and_filter(installed_repo):
    repo = installed_repo
    repo.write("-rf.ipynb", nb_bytes("z = 3\n"))
    repo.commit("dash")
    repo.write("-rf.ipynb", nb_bytes("z = 4\n"))
    diff = repo.git("diff").stdout.decode()
    assert "-z = 3" in diff and "+z = 4" in diff
    # configs written by older nbgit (no `--`) and the one-shot clean filter with `--path %f`
    assert "z = 4" in repo.nbgit("textconv", "-rf.ipynb").stdout.decode()
    assert repo.nbgit("textconv", "--numbers", "--", "-rf.ipynb").returncode == 0
    repo.git("config", "--unset", "filter.nbgit.process")
    repo.git("add", "--", "-rf.ipynb")
    assert b'"outputs": []' in repo.git("show", ":./-rf.ipynb").stdout


def test_textconv_usage_still_works(repo):
    assert repo.nbgit("textconv", "--help").stdout.decode().startswith("usage: nbgit textconv")
    proc = repo.nbgit("textconv", "a.ipynb", "b.ipynb", check=False)
    assert proc.returncode == 2 and b"expected one PATH" in proc.stderr


def test_leading_dash_git_external_diff(repo):
    repo.nbgit("install", "--diff-command")
    repo.write("-rf.ipynb", nb_bytes("z = 3\n"))
    repo.commit("dash")
    repo.write("-rf.ipynb", nb_bytes("z = 4\n"))
    proc = repo.git("diff")
    assert b"z = 4" in proc.stdout and b"Traceback" not in proc.stderr and b"usage:" not in proc.stderr


# --- item 12: review --html/--markdown FILE never replaces what FILE is -----------------------


def test_review_output_targets(repo, tmp_path):
    repo.write("a.ipynb", nb_bytes("a = 1\n"))
    repo.commit("a")
    repo.write("a.ipynb", nb_bytes("a = 2\n"))
    # a device is written in place, never replaced
    proc = repo.nbgit("review", "--markdown", "/dev/null")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    # a symlink (a committed review.html -> ~/.bashrc in a CI checkout) is refused, not followed or replaced
    victim = tmp_path / "bashrc"
    victim.write_text("# mine\n")
    os.symlink(victim, repo.path / "review.html")
    proc = repo.nbgit("review", "--html", "review.html", check=False)
    assert proc.returncode == 2 and b"review.html: cannot write (is a symlink" in proc.stderr
    assert victim.read_text() == "# mine\n" and os.path.islink(repo.path / "review.html")
    # a FIFO nobody reads: an error, not a hang
    os.mkfifo(repo.path / "pipe")
    proc = subprocess.run([sys.executable, "-m", "nbgit", "review", "--markdown", "pipe"], cwd=repo.path,
                          capture_output=True, timeout=BOUND)
    assert proc.returncode == 2 and b"nobody reads" in proc.stderr
    # a FIFO with a reader gets the page (the read end is open first: no race; the page fits the pipe)
    rfd = os.open(repo.path / "pipe", os.O_RDONLY | os.O_NONBLOCK)
    try:
        repo.nbgit("review", "--markdown", "pipe")
        got = os.read(rfd, 1 << 16)
    finally:
        os.close(rfd)
    assert b"+a = 2" in got and stat.S_ISFIFO(os.lstat(repo.path / "pipe").st_mode)
    repo.nbgit("review", "--html", "out.html")
    assert (repo.path / "out.html").is_file()


# --- the sweep: every command over a hostile clone -------------------------------------------


#: Committed config that cannot be read (a device, a link out of the tree): the clean filter
#: names the file once and cleans with the default settings; git never fails or hangs over it.
CONFIG_CASES = {"config-dev-stdin", "config-dev-zero", "config-out"}


@pytest.mark.parametrize("group", ["content", "config"])
def test_every_command_over_a_hostile_clone(tmp_path, group):
    """Clone, install with hooks, pull the hostile cases at once, then run every command.
    Each must end, print no traceback, exit as documented, and leave the outside untouched."""
    cases = [c for c in CASES if (c.name in CONFIG_CASES) == (group == "config")]
    if group == "config":
        cases += [c for c in CASES if c.name in ("leading-dash", "notebook-symlink-out", "sync-through-dir-symlink")]
    h = hostile_clone(tmp_path, cases)
    run = h.run
    run("git", "pull", "-q", "--no-rebase", "origin", "main")
    assert_untouched(h)
    # a local branch that changes the plain notebook, merged later (merge driver over the hostile tree)
    cleaning = (0,)
    run("git", "checkout", "-q", "-b", "side", ok=cleaning)
    assert_untouched(h)
    (h.clone / "plain.ipynb").write_bytes(nb_bytes("a = 2\n"))
    run("git", "commit", "-q", "-am", "side", ok=cleaning)
    run("git", "checkout", "-q", "main", ok=cleaning)
    assert_untouched(h)
    (h.clone / "plain.ipynb").write_bytes(nb_bytes("a = 1\n", "b = 1\n"))
    (h.clone / "-rf.ipynb").write_bytes(nb_bytes("z = 4\n"))
    has_attr_link = group == "content"
    has_pairs = True
    steps = [
        (("nbgit", "install"), (2,) if has_attr_link else (0,)),  # refuses the committed .gitattributes symlink
        (("nbgit", "install", "--info"), (0,)),
        (("nbgit", "status"), (0, 1, 2)),
        (("git", "status"), cleaning),
        (("git", "add", "-A"), cleaning),
        (("git", "diff"), (0,)),
        (("git", "diff", "HEAD~1", "HEAD"), (0,)),
        (("git", "log", "-p", "-3"), (0,)),
        (("git", "merge", "--no-edit", "side"), (0, 1, 128)),
        (("git", "merge", "--abort"), (0, 128)),
        (("nbgit", "sync"), (1, 2) if has_pairs else (0,)),
        (("nbgit", "sync", "--check"), (1, 2)),
        (("nbgit", "sync", "--use", "text"), (1, 2)),
        (("nbgit", "sync", "--use", "ipynb"), (1, 2)),
        (("nbgit", "pair", "plain.ipynb"), (0, 1, 2)),
        (("nbgit", "check"), (1, 2)),
        (("nbgit", "check", "--fix"), (1, 2)),
        (("nbgit", "clean", "linked.ipynb", "plain.ipynb"), (2,)),
        (("nbgit", "conflicts"), (0, 1, 2)),
        (("nbgit", "review", "HEAD~1..HEAD", "--html", "r.html", "--markdown", "r.md"), (0, 2)),
        (("nbgit", "review", "--markdown", "-"), (0, 2)),
        (("nbgit", "diff", "HEAD~1", "HEAD"), (0, 1, 2)),
        (("nbgit", "doctor"), (0, 1, 2)),
        (("nbgit", "renormalize", "--all"), (0, 1, 2)),
        (("nbgit", "uninstall"), (2,) if has_attr_link else (0,)),
    ]
    for args, ok in steps:
        proc = run(*args, ok=ok)
        if group == "config" and args[:2] in (("git", "status"), ("git", "add")):  # the config is named
            assert "cleaning with the default settings" in run.text(proc) or not run.text(proc), run.text(proc)
        assert_untouched(h)
    assert not (h.clone / ".git" / "hooks" / "hooks.py").exists()


#: Cases of issue 10 that belong to other lanes and are not handled on main yet; add them to
#: CASES (and to the sweep's expectations) when they land. Listed here, not run: no xfail stub
#: claims them done.
NOT_YET = {
    "merge-base-not-notebook": "item 11 (dev-merge): base not a notebook / empty / invalid side, merged "
    "through the sweep's `git merge` once it lands",
}


# --- hypothesis: arbitrary file names through the real filter and textconv -------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_name_body = st.binary(min_size=1, max_size=24).map(lambda b: b.replace(b"/", b"_").replace(b"\0", b"_"))
hostile_names = st.builds(
    lambda pre, body: pre + body + b".ipynb",
    st.sampled_from([b"", b"-", b"--", b"-rf ", b"--help ", b"\x1b[2J", b"\n"]),
    _name_body,
)


def test_arbitrary_names_through_filter_and_textconv(tmp_path_factory):
    """Names with control characters, leading dashes and bytes that are not UTF-8: `git add`
    cleans them through the filter process, `git diff` shows them through textconv; nothing
    crashes, nothing is taken for an option (containment and no-crash; terminal escaping of
    the names is tests/test_escape*)."""
    path = tmp_path_factory.mktemp("names")
    env = dict(os.environ)
    _git(path, "init", "-q", "-b", "main", env=env)
    subprocess.run([sys.executable, "-m", "nbgit", "install"], cwd=path, env=env, check=True, capture_output=True)
    root = os.fsencode(path)

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    @given(name=hostile_names)
    def check(name):
        full = os.path.join(root, name)
        with open(full, "wb") as fh:
            fh.write(nb_bytes("a = 1\n"))
        try:
            add = subprocess.run([b"git", b"add", b"--", name], cwd=root, env=env, capture_output=True, timeout=BOUND)
            assert add.returncode == 0 and b"Traceback" not in add.stderr, add.stderr
            staged = subprocess.run([b"git", b"show", b":./" + name], cwd=root, env=env, capture_output=True, timeout=BOUND)
            assert staged.returncode == 0 and b'"outputs": []' in staged.stdout  # the filter cleaned it
            with open(full, "wb") as fh:
                fh.write(nb_bytes("b = 2\n"))
            diff = subprocess.run([b"git", b"diff", b"--", name], cwd=root, env=env, capture_output=True, timeout=BOUND)
            assert diff.returncode == 0 and b"Traceback" not in diff.stderr, diff.stderr
            assert b"+b = 2" in diff.stdout and b"-a = 1" in diff.stdout  # textconv read the file, not an option
        finally:
            subprocess.run([b"git", b"rm", b"-q", b"--cached", b"--ignore-unmatch", b"--", name], cwd=root, env=env,
                           capture_output=True, timeout=BOUND)
            os.unlink(full)

    check()
