"""`nbgit difftool` by hand and as `git difftool --tool=nbgit` (registered by `nbgit install`)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from nbfactory import code_cell, jupyter_bytes, markdown_cell, notebook

BASE = notebook([markdown_cell("# Title\n", id="m"), code_cell("x = 1\n", id="c")])
HEAD = notebook([markdown_cell("# Title\n", id="m"), code_cell("x = 2\n", id="c")])


def fake_browser(tmp_path: Path) -> tuple[dict, Path]:
    """A BROWSER command (webbrowser honours $BROWSER) that records the URL it is given."""
    log = tmp_path / "browser.log"
    script = tmp_path / "browser"
    script.write_text(f"#!/bin/sh\necho \"$1\" >> {log}\n")
    script.chmod(0o755)
    return {"BROWSER": str(script)}, log


def test_two_files_page_opens_in_the_browser(repo, tmp_path):
    repo.write("a.ipynb", jupyter_bytes(BASE))
    repo.write("b.ipynb", jupyter_bytes(HEAD))
    env, log = fake_browser(tmp_path)
    proc = repo.nbgit("difftool", "a.ipynb", "b.ipynb", env=env)
    page = Path(proc.stdout.decode().strip())
    assert page.is_file() and page.name == "b.review.html"
    html = page.read_text()
    assert "b.ipynb" in html and "modified" in html
    assert "Content-Security-Policy" in html
    assert log.read_text().strip() == page.as_uri()


def test_no_browser_only_prints_the_path(repo, tmp_path):
    repo.write("a.ipynb", jupyter_bytes(BASE))
    env, log = fake_browser(tmp_path)
    out = tmp_path / "page.html"
    proc = repo.nbgit("difftool", "--no-browser", "-o", str(out), "/dev/null", "a.ipynb", "nb.ipynb", env=env)
    assert proc.stdout.decode().strip() == str(out) and "nb.ipynb" in out.read_text()
    assert not log.exists()


def test_git_difftool_tool_nbgit(installed_repo, tmp_path):
    r = installed_repo
    assert '-m nbgit difftool "$LOCAL" "$REMOTE" "$MERGED"' in r.out("config", "difftool.nbgit.cmd")
    r.write("nb.ipynb", jupyter_bytes(BASE))
    r.commit("base")
    r.write("nb.ipynb", jupyter_bytes(HEAD))
    env, log = fake_browser(tmp_path)
    proc = r.git("difftool", "--tool=nbgit", "--no-prompt", "--", "nb.ipynb", env=env)
    urls = log.read_text().split()
    assert len(urls) == 1 and urls[0].startswith("file://")
    html = Path(urls[0][len("file://"):]).read_text()
    assert "nb.ipynb" in html and "modified" in html
    assert proc.stdout.decode().strip().endswith(".review.html")
    r.nbgit("uninstall")
    assert r.git("config", "difftool.nbgit.cmd", check=False).returncode == 1
