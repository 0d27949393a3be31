"""Shared fixtures: real git in temporary repositories with an isolated HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("NBGIT_CORPUS", PROJECT.parent / "shared" / "corpus"))


def corpus_dir() -> Path:
    """The shared real-notebook corpus; the calling test is skipped when it is absent.

    Under CI (``CI=true``) the corpus is always laid beside the clone, so its absence
    fails the test instead: CI must never go green without the real-notebook checks.
    """
    if not CORPUS.is_dir():
        message = f"notebook corpus not found at {CORPUS} (set NBGIT_CORPUS)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; CI=true requires it")
        pytest.skip(message)
    return CORPUS


def corpus_notebooks() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.rglob("*.ipynb"))


def read_pty(master: int) -> bytes:
    """Everything written to a pseudo-terminal until its other side is closed (then closes ``master``)."""
    chunks = []
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    return b"".join(chunks)


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory, monkeypatch):
    """Every test gets its own HOME and no system git config."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_EXTERNAL_DIFF", "NO_COLOR", "GIT_PAGER", "PAGER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.com")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")
    return home


class Repo:
    """A temporary git repository driven through the real git command."""

    def __init__(self, path: Path):
        self.path = path

    def git(self, *args: str, check: bool = True, input: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            ["git", *args],
            cwd=self.path,
            input=input,
            capture_output=True,
            env={**os.environ, **(env or {})},
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"git {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout.decode(errors='replace')}\n"
                f"{proc.stderr.decode(errors='replace')}"
            )
        return proc

    def out(self, *args: str) -> str:
        return self.git(*args).stdout.decode()

    def nbgit(self, *args: str, check: bool = True, input: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [sys.executable, "-m", "nbgit", *args],
            cwd=self.path,
            input=input,
            capture_output=True,
            env={**os.environ, **(env or {})},
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"nbgit {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout.decode(errors='replace')}\n"
                f"{proc.stderr.decode(errors='replace')}"
            )
        return proc

    def write(self, name: str, data: bytes | str) -> Path:
        p = self.path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode() if isinstance(data, str) else data)
        return p

    def read(self, name: str) -> bytes:
        return (self.path / name).read_bytes()

    def commit(self, message: str = "commit", *paths: str) -> None:
        self.git("add", *(paths or ("-A",)))
        self.git("commit", "-q", "-m", message)

    def blob(self, rev_path: str) -> bytes:
        return self.git("show", rev_path).stdout


@pytest.fixture
def repo(tmp_path) -> Repo:
    path = tmp_path / "repo"
    path.mkdir()
    r = Repo(path)
    r.git("init", "-q", "-b", "main")
    return r


@pytest.fixture
def installed_repo(repo) -> Repo:
    repo.nbgit("install")
    return repo
