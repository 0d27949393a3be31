"""nbgit's Jupyter server extension: refresh a notebook's git index entry after each save.

Re-running a notebook changes its size, and git lists a file whose size changed as modified
without asking the clean filter (see :mod:`nbgit.git.refresh`). After every save through the
contents manager, this extension runs :func:`nbgit.git.refresh.refresh` on the saved notebook,
so `git status`, `checkout`, `merge`, `pull` and `stash pop` see what the filter sees.

Enabled automatically: installing nbgit puts ``etc/jupyter/jupyter_server_config.d/nbgit.json``
(``{"ServerApp": {"jpserver_extensions": {"nbgit.jupyter": true}}}``) in the environment's
prefix, the ``jupyter_server_config.d`` convention. ``jupyter server extension disable
nbgit.jupyter`` turns it off.

A save is never failed nor slowed by it: the post-save hook only puts the path on a queue (any
exception is caught and logged); one daemon thread does the git work, coalescing saves that
arrive while it is busy, and logs (never raises) what goes wrong.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import threading

__all__ = ["Refresher", "_jupyter_server_extension_points", "_load_jupyter_server_extension"]

#: how long the worker waits for another git command's index.lock before giving up on a save
LOCK_WAIT = 5.0


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": "nbgit.jupyter"}]


def _load_jupyter_server_extension(serverapp) -> None:
    log = getattr(serverapp, "log", None) or logging.getLogger("nbgit")
    try:
        contents_manager = serverapp.contents_manager
        register = getattr(contents_manager, "register_post_save_hook", None)
        if register is None:  # jupyter_server < 1.? : only the single post_save_hook trait
            log.warning("nbgit: this contents manager has no register_post_save_hook; refresh after save is off")
            return
        refresher = Refresher(log)
        register(refresher.post_save)
        serverapp.nbgit_refresher = refresher
        log.info("nbgit: notebooks saved here are refreshed in git's index (no phantom modifications)")
    except Exception:  # never keep the server from starting
        log.warning("nbgit: could not load the server extension", exc_info=True)


# the classic Notebook 6 server calls this name
load_jupyter_server_extension = _load_jupyter_server_extension


class Refresher:
    """Refreshes saved notebooks in a background thread."""

    def __init__(self, log: logging.Logger | logging.LoggerAdapter | None = None):
        self.log = log or logging.getLogger("nbgit")
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.done = 0  #: refresh runs finished (tests wait on it)

    def post_save(self, model=None, os_path=None, contents_manager=None, **kwargs) -> None:
        """The contents manager's post-save hook: queue the notebook, return at once."""
        try:
            if not os_path or not str(os_path).endswith(".ipynb"):
                return
            if model is not None and isinstance(model, dict) and model.get("type") not in (None, "notebook", "file"):
                return
            self._queue.put(os.path.abspath(os_path))
            self._ensure_worker()
        except Exception:
            self.log.warning("nbgit: post-save refresh of %s not queued", os_path, exc_info=True)

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="nbgit-refresh", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=60)
            except queue.Empty:
                return  # idle: the next save starts a new worker
            paths = {first}
            while True:  # saves that arrived meanwhile go in the same run
                try:
                    paths.add(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self.refresh_paths(sorted(paths))
            except Exception:
                self.log.warning("nbgit: refresh after save failed for %s", ", ".join(sorted(paths)), exc_info=True)
            finally:
                self.done += 1

    def refresh_paths(self, paths: list[str]) -> None:
        """Refresh ``paths`` (absolute), grouped by the work tree each belongs to."""
        from nbgit.git.refresh import IndexLocked, pathspecs, refresh
        from nbgit.git.repo import GitError

        by_root: dict[str, list[str]] = {}
        for path in paths:
            root = _toplevel(os.path.dirname(path))
            if root is not None:
                by_root.setdefault(root, []).append(path)
        for root, group in by_root.items():
            try:
                result = refresh(root, pathspecs(group, root), wait=LOCK_WAIT)
            except IndexLocked as exc:
                self.log.warning("nbgit: %s", exc)
                continue
            except (GitError, ValueError) as exc:
                self.log.debug("nbgit: refresh in %s skipped: %s", root, exc)
                continue
            for p in result.refreshed:
                self.log.debug("nbgit: refreshed %s in git's index", p)


def _toplevel(directory: str) -> str | None:
    """The work tree holding ``directory``, or None (not in a repository, or git is missing)."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree", "--show-toplevel"],
            cwd=directory, capture_output=True,
        )
    except OSError:
        return None
    lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
    if proc.returncode != 0 or len(lines) < 2 or lines[0] != "true":
        return None
    return lines[1]
