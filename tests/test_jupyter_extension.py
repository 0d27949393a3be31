"""nbgit's Jupyter server extension: a notebook saved through a real `jupyter server` is refreshed."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import PROJECT
from nbfactory import code_cell, image, jupyter_bytes, markdown_cell, notebook, stream

pytest.importorskip("jupyter_server")

TOKEN = "nbgit-test-token"


def make_nb(source: str = "x = 1\nprint(x)\n") -> bytes:
    return jupyter_bytes(notebook([markdown_cell("# Title\n", id="md"), code_cell(source, id="c1")]))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _auto_enabled() -> bool:
    """Is nbgit's jupyter_server_config.d file installed where this environment's Jupyter reads it?"""
    from jupyter_core.paths import jupyter_config_path

    return any(os.path.isfile(os.path.join(d, "jupyter_server_config.d", "nbgit.json")) for d in jupyter_config_path())


class Server:
    def __init__(self, root, tmp):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        cfg = tmp / "jupyter-config"
        cfg.mkdir()
        env.update(JUPYTER_CONFIG_DIR=str(cfg), JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
                   JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"), JUPYTER_PLATFORM_DIRS="1")
        env.pop("JUPYTER_CONFIG_PATH", None)
        self.auto = _auto_enabled()
        if not self.auto:
            # an editable install (pip install -e) does not install data files: enable by hand;
            # CI installs with `pip install .`, where the test relies on the installed file
            (cfg / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"nbgit.jupyter": True}}}))
        self.log = open(tmp / "server.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", "--ServerApp.open_browser=False",
             f"--ServerApp.root_dir={root}", "--ServerApp.shutdown_no_activity_timeout=600", "--debug"]
            + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.log_path = tmp / "server.log"

    def request(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def wait_ready(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"jupyter server exited ({self.proc.returncode}):\n{self.log_text()}")
            try:
                self.request("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.3)
        raise AssertionError(f"jupyter server did not start in {timeout}s:\n{self.log_text()}")

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()

    def save(self, path: str, nb: dict) -> None:
        self.request("PUT", f"/api/contents/{path}", {"type": "notebook", "format": "json", "content": nb})

    def load(self, path: str) -> dict:
        return self.request("GET", f"/api/contents/{path}?type=notebook&content=1")["content"]


@pytest.fixture
def server(installed_repo, tmp_path):
    s = Server(installed_repo.path, tmp_path)
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()


def porcelain(repo) -> str:
    return repo.out("status", "--porcelain")


def wait_for(repo, expected: str, what: str, server: Server, timeout: float = 60) -> None:
    """Poll `git status --porcelain` (bounded) until it is ``expected``: the refresh runs in the background."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = porcelain(repo)
        if status == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: git status {status!r} after {timeout}s; server log:\n{server.log_text()}")


def rerun(nb: dict, text: str = "a much longer output than before\n" * 4) -> dict:
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [stream(text), image(3)]
            cell["execution_count"] = 3
    return nb


def test_saved_rerun_notebook_is_not_modified(installed_repo, tmp_path):
    r = installed_repo
    r.write("a.ipynb", make_nb())
    r.write("b.ipynb", make_nb("y = 2\n"))
    r.write(".gitignore", ".ipynb_checkpoints/\n")  # Jupyter's own, as in every notebook repository
    r.commit("notebooks")
    r.git("checkout", "-q", "-b", "other")
    r.write("a.ipynb", make_nb("x = 'other'\n"))
    r.commit("other")
    r.git("checkout", "-q", "main")

    s = Server(r.path, tmp_path)
    try:
        s.wait_ready()
        size = os.path.getsize(r.path / "a.ipynb")
        s.save("a.ipynb", rerun(s.load("a.ipynb")))
        assert os.path.getsize(r.path / "a.ipynb") != size  # the case git trusts the size for
        assert b"much longer output" in r.read("a.ipynb")
        wait_for(r, "", "a re-run notebook saved through Jupyter is still listed as modified", s)
        r.git("checkout", "-q", "other")  # goes through
        r.git("checkout", "-q", "main")

        edited = s.load("b.ipynb")
        edited["cells"][1]["source"] = "y = 'edited'\n"
        s.save("b.ipynb", rerun(edited))
        s.save("a.ipynb", rerun(s.load("a.ipynb"), "another run\n" * 9))  # refreshed after b
        wait_for(r, " M b.ipynb\n", "after saving an edit and a re-run", s)
        assert "nbgit.jupyter | extension was successfully loaded" in s.log_path.read_text(errors="replace")
    finally:
        s.stop()
    assert s.proc.poll() is not None


# --- the hook itself, without a server --------------------------------------------------------


def test_post_save_hook_never_raises_and_returns_at_once(installed_repo, caplog, monkeypatch):
    from nbgit import jupyter

    r = installed_repo
    r.write("a.ipynb", make_nb())
    r.commit("nb")
    refresher = jupyter.Refresher(logging.getLogger("nbgit-test"))
    for kwargs in ({}, {"os_path": None}, {"os_path": 42}, {"os_path": "/nonexistent/dir/x.ipynb", "model": "odd"},
                   {"os_path": str(r.path / "a.txt")}):
        refresher.post_save(**kwargs)

    import threading

    release = threading.Event()
    entered = threading.Event()

    def boom(*args, **kwargs):
        entered.set()
        release.wait(60)
        raise RuntimeError("refresh exploded")

    import nbgit.git.refresh

    monkeypatch.setattr(nbgit.git.refresh, "refresh", boom)
    refresher = jupyter.Refresher(logging.getLogger("nbgit-test"))  # a fresh one: nothing queued before
    before = refresher.done
    refresher.post_save(model={"type": "notebook"}, os_path=str(r.path / "a.ipynb"), contents_manager=None)
    assert entered.wait(30)  # the refresh is running in the worker...
    assert refresher.done == before  # ...and post_save returned without waiting for it
    release.set()
    deadline = time.monotonic() + 30
    while refresher.done == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert refresher.done > before
    assert "refresh exploded" in caplog.text


def test_extension_entry_points_and_config_file():
    from nbgit import jupyter

    assert jupyter._jupyter_server_extension_points() == [{"module": "nbgit.jupyter"}]
    config = json.loads((PROJECT / "jupyter-config" / "jupyter_server_config.d" / "nbgit.json").read_text())
    assert config == {"ServerApp": {"jpserver_extensions": {"nbgit.jupyter": True}}}
    pyproject = (PROJECT / "pyproject.toml").read_text()
    assert '"etc/jupyter/jupyter_server_config.d" = ["jupyter-config/jupyter_server_config.d/nbgit.json"]' in pyproject

    class CM:
        def __init__(self):
            self.hooks = []

        def register_post_save_hook(self, hook):
            self.hooks.append(hook)

    class App:
        log = logging.getLogger("nbgit-test")
        contents_manager = CM()

    app = App()
    jupyter._load_jupyter_server_extension(app)
    assert len(app.contents_manager.hooks) == 1
