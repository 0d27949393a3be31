"""nbgit mergetool: conflicts settled in a real browser on real merges made by git with nbgit's driver.

The browser is Debian's headless Chromium driven by Selenium through Debian's
chromedriver (installed by .ci/run). Under CI=true a missing browser fails.
"""

from __future__ import annotations

import json
import re
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, corpus_dir
from test_merge_notebooks import LABELS, any_edit, base_notebooks, valid

from nbgit.merge.conflicts import find_conflicts
from nbgit.merge.notebook import merge_notebooks
from nbgit.merge.resolve import ResolveError, base_hints_from, conflict_blocks, resolve
from nbgit.notebook.io import parse
from nbgit.notebook.upgrade import upgrade_v3

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
PAGE_WAIT = 30  # seconds a page or the tool may take (a bound, not a timing assertion)


def nb(sources, md="# Title\n\nSome *text*", minor=4, metadata=None):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": md}]
    cells += [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": s} for s in sources]
    return {"cells": cells, "metadata": metadata or {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": minor}


def dump(notebook) -> str:
    return json.dumps(notebook, indent=1) + "\n"


# -- the pure model -------------------------------------------------------------------------


def test_blocks_and_resolutions_of_every_kind():
    base = nb(["import a\nx = 1\ny = 2", "print(x)", "z = 3"], metadata={"kernelspec": {"name": "py3"}})
    local = nb(["import a\nx = 10\ny = 2", "print(x)"], metadata={"kernelspec": {"name": "py-local"}})
    remote = nb(["import a\nx = 20\ny = 2", "print(x)", "z = 30"], metadata={"kernelspec": {"name": "py-remote"}})
    merged = merge_notebooks(base, local, remote).notebook
    hints = base_hints_from(merge_notebooks(base, local, remote, style="diff3").notebook)
    blocks = {b.key: b for b in conflict_blocks(merged, hints)}
    assert set(blocks) == {"n.r0", "c1.s0", "c3.n"}
    src = blocks["c1.s0"]
    assert (src.ours, src.theirs, src.base) == ("x = 10\n", "x = 20\n", "x = 1\n")
    assert "base" in src.choices and "both-reversed" in src.choices
    assert blocks["c3.n"].choices == ("keep", "delete", "edit")
    rec = blocks["n.r0"]
    assert (rec.ours, rec.theirs, rec.base) == ("py-local", "py-remote", "py3")

    out, left = resolve(merged, {"c1.s0": ("both-reversed", None), "c3.n": ("keep", None), "n.r0": ("theirs", None)}, hints)
    assert left == 0
    assert out["metadata"] == {"kernelspec": {"name": "py-remote"}}
    assert "".join(out["cells"][1]["source"]) == "import a\nx = 20\nx = 10\ny = 2"
    assert "".join(out["cells"][3]["source"]) == "z = 30"
    assert conflict_blocks(out) == []

    out, left = resolve(merged, {"c3.n": ("delete", None), "n.r0": ("edit", '{"name": "mine"}')}, hints)
    assert left == 1 and len(out["cells"]) == 3
    assert out["metadata"]["kernelspec"] == {"name": {"name": "mine"}}
    assert [b.key for b in conflict_blocks(out)] == ["c1.s0"]  # the unsettled block is kept as it was
    assert merged["cells"][3]["source"][0].startswith("<<<<<<< nbgit: deleted in")  # input untouched


def test_delete_modify_shows_base_kept_and_deleted_side_by_side():
    from nbgit.review.mergetool_page import cell_origins, render_page

    base = nb(["x = 1", "z = 3"])
    local = nb(["x = 1"])  # deleted z
    remote = nb(["x = 1", "z = 30"])  # edited it
    merged = merge_notebooks(base, local, remote).notebook
    blocks = conflict_blocks(merged)
    assert [b.kind for b in blocks] == ["delete/modify"]
    origins, base_cells = cell_origins(base, local, remote, merged)
    page = render_page(merged, blocks, title="nb.ipynb", token="t", origins=origins, base_cells=base_cells)
    section = re.search(r'<section class="conflict" data-key="c2.n">.*?</section>', page, re.S).group(0)
    sides = re.findall(r'<div class="side (\w+)"><div class="label">([^<]*)</div>(.*?)</div>(?=<div class="side|</div><textarea)', section, re.S)
    assert [(cls, label) for cls, label, _ in sides] == [("base", "base"), ("ours", "the cell as kept"), ("theirs", "the other side")]
    assert "z = 3" in re.sub(r"<[^>]+>", "", sides[0][2]) and "z = 30" in re.sub(r"<[^>]+>", "", sides[1][2])
    assert "deleted in" in sides[2][2]


def test_unknown_keys_and_choices_are_refused():
    merged = merge_notebooks(nb(["x = 1"]), nb(["x = 2"]), nb(["x = 3"])).notebook
    with pytest.raises(ResolveError):
        resolve(merged, {"c9.s0": ("ours", None)})
    with pytest.raises(ResolveError):
        resolve(merged, {"c1.s0": ("base", None)})  # no base known: not offered
    with pytest.raises(ResolveError):
        resolve(merged, {"c1.s0": ("edit", None)})


def test_a_block_at_the_end_of_a_source_leaves_no_final_newline():
    merged = merge_notebooks(nb(["a\nb"]), nb(["a\nb1"]), nb(["a\nb2"])).notebook
    out, left = resolve(merged, {"c1.s0": ("theirs", None)})
    assert left == 0 and "".join(out["cells"][1]["source"]) == "a\nb2"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_choice_for_every_conflict_settles_the_notebook(data):
    """Whatever the merge left and whatever is chosen: a valid notebook with no conflict left."""
    base = data.draw(base_notebooks())
    x = data.draw(any_edit(base, unique_ids=False))
    y = data.draw(any_edit(base, unique_ids=False))
    two_way = data.draw(st.booleans())
    result = merge_notebooks(None if two_way else base, x, y, labels=LABELS,
                             style=data.draw(st.sampled_from(["merge", "diff3"])))
    blocks = conflict_blocks(result.notebook)
    assert {b.cell for b in blocks} == {c.cell for c in result.conflicts}  # the tool sees what the merge reported
    same, left = resolve(result.notebook, {})
    assert same == result.notebook and left == len(blocks)  # no choice: nothing changes
    choices = {}
    for b in blocks:
        choice = data.draw(st.sampled_from(b.choices))
        value = None
        if choice == "edit":
            value = '"edited"' if b.kind == "record" else data.draw(st.sampled_from(["", "hand\n", "x = 1"]))
        choices[b.key] = (choice, value)
    out, left = resolve(result.notebook, choices)
    assert left == 0
    valid(out)
    assert find_conflicts(out) == []


# -- a real conflicted merge ------------------------------------------------------------------


def conflicted_repo(repo, name="nb.ipynb"):
    """A merge with four in-cell conflicts (cells 1-4: a markdown cell and three code cells)."""
    repo.nbgit("install")
    repo.write(name, dump(nb(["x = 1", "y = 2", "z = 3", "w = 4"])))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "other")
    repo.write(name, dump(nb(["x = 100", "y = 200", "z = 300", "w = 4"], md="# Title B\n\nSome *text*")))
    repo.commit("theirs")
    repo.git("checkout", "-q", "main")
    repo.write(name, dump(nb(["x = 10", "y = 20", "z = 30", "w = 4"], md="# Title A\n\nSome *text*")))
    repo.commit("ours")
    merge = repo.git("merge", "other", check=False)
    assert merge.returncode == 1
    assert repo.out("ls-files", "-u", "--", name)
    return repo.read(name)


class Tool:
    """``nbgit mergetool`` running in the background; ``url`` is the page it printed."""

    def __init__(self, repo, *args, env=None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nbgit", "mergetool", "--no-browser", *args],
            cwd=repo.path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})},
        )
        line = self.proc.stdout.readline().decode()
        assert "page at http://127.0.0.1:" in line, line + self.proc.stderr.read().decode()
        self.url = line.split("page at ", 1)[1].strip()
        self.port = int(self.url.split(":")[2].split("/")[0])
        self.token = self.url.split("token=", 1)[1]

    def wait(self) -> int:
        return self.proc.wait(timeout=PAGE_WAIT)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def http(url, *, method="GET", headers=None, data=None) -> int:
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req, timeout=PAGE_WAIT) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_only_the_token_holder_on_this_host_gets_in(repo):
    conflicted_repo(repo)
    tool = Tool(repo)
    try:
        base = f"http://127.0.0.1:{tool.port}"
        assert http(tool.url) == 200
        assert http(f"{base}/?token=wrong") == 403
        assert http(f"{base}/") == 403
        assert http(tool.url, headers={"Host": "attacker.example:80"}) == 403
        assert http(f"{base}/cells?from=0&to=2", headers={"X-Nbgit-Token": "nope"}) == 403
        save = json.dumps({"choices": {}}).encode()
        json_headers = {"Content-Type": "application/json", "X-Nbgit-Token": tool.token}
        assert http(f"{base}/save", method="POST", data=save, headers={**json_headers, "Origin": "http://evil.example"}) == 403
        assert http(f"{base}/save", method="POST", data=save, headers={**json_headers, "Sec-Fetch-Site": "cross-site"}) == 403
        assert http(f"{base}/../../etc/passwd?token={tool.token}") == 404
    finally:
        tool.kill()


def test_ctrl_c_leaves_the_file_as_it_was(repo):
    before = conflicted_repo(repo)
    tool = Tool(repo)
    assert http(tool.url) == 200
    tool.proc.send_signal(signal.SIGINT)
    assert tool.wait() == 1
    assert repo.read("nb.ipynb") == before
    assert repo.out("ls-files", "-u", "--", "nb.ipynb")
    assert "left as it was" in tool.proc.stderr.read().decode()


def test_close_without_saving_leaves_the_file_as_it_was(repo):
    before = conflicted_repo(repo)
    tool = Tool(repo)
    quit_ = http(f"http://127.0.0.1:{tool.port}/quit", method="POST", data=b"{}",
                 headers={"Content-Type": "application/json", "X-Nbgit-Token": tool.token})
    assert quit_ == 200
    assert tool.wait() == 1
    assert repo.read("nb.ipynb") == before


def test_a_save_that_settles_part_keeps_the_path_unmerged(repo):
    conflicted_repo(repo)
    tool = Tool(repo)
    try:
        body = json.dumps({"choices": {"c1.s0": ["theirs", None]}}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{tool.port}/save", method="POST", data=body,
                                     headers={"Content-Type": "application/json", "X-Nbgit-Token": tool.token})
        with urllib.request.urlopen(req, timeout=PAGE_WAIT) as resp:
            reply = json.loads(resp.read())
        assert reply == {"done": False, "left": 3, "message": "saved; 3 conflicts left (the file stays unmerged)"}
        saved = parse(repo.read("nb.ipynb"))
        assert "".join(saved["cells"][1]["source"]) == "x = 100"
        assert repo.out("ls-files", "-u", "--", "nb.ipynb")
        conflicts = repo.nbgit("conflicts", "nb.ipynb", check=False)
        assert conflicts.returncode == 1 and conflicts.stdout.decode().count("source") == 3
    finally:
        tool.kill()


# -- in a real browser -------------------------------------------------------------------------


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and CHROMEDRIVER):
        message = "headless Chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; CI=true requires them")
        pytest.skip(message)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                f"--user-data-dir={tmp_path / 'chrome-profile'}", "--no-first-run", "--disable-extensions"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(PAGE_WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def wait_for(predicate, timeout=PAGE_WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the page")


def settle_in_page(driver, url, *, screenshot: Path | None = None):
    """Theirs on the markdown cell's conflict, ours on x, an edit on y, base on z; then Save."""
    from selenium.webdriver.common.by import By

    driver.get(url)
    blocks = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "section.conflict"))
    assert len(blocks) == 4
    assert driver.find_element(By.ID, "counter").text == "4 conflicts left"
    blocks[0].find_element(By.CSS_SELECTOR, 'button[data-choice="theirs"]').click()
    blocks[1].find_element(By.CSS_SELECTOR, 'button[data-choice="ours"]').click()
    blocks[2].find_element(By.CSS_SELECTOR, 'button[data-choice="edit"]').click()
    editor = blocks[2].find_element(By.TAG_NAME, "textarea")
    editor.clear()
    editor.send_keys("y = 42\n# settled by hand")
    blocks[3].find_element(By.CSS_SELECTOR, 'button[data-choice="base"]').click()
    assert driver.find_element(By.ID, "counter").text == "0 conflicts left"
    assert blocks[1].find_element(By.CSS_SELECTOR, ".result pre").text == "x = 10"
    if screenshot is not None:
        blocks[0].click()
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(screenshot))
    driver.find_element(By.ID, "save").click()
    wait_for(lambda: "staged" in driver.find_element(By.ID, "final").text or "git mergetool" in driver.find_element(By.ID, "final").text)
    assert console_errors(driver) == []


def assert_settled(repo):
    saved = parse(repo.read("nb.ipynb"))
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in saved["cells"]]
    assert sources == ["# Title B\n\nSome *text*", "x = 10", "y = 42\n# settled by hand", "z = 3", "w = 4"]
    assert saved["nbformat"] == 4 and saved["metadata"]["kernelspec"]["name"] == "python3"


def test_settle_conflicts_in_the_browser(repo, browser, tmp_path):
    conflicted_repo(repo)
    tool = Tool(repo)
    try:
        shot = Path(os.environ["NBGIT_SCREENSHOT"]) if os.environ.get("NBGIT_SCREENSHOT") else tmp_path / "page.png"
        settle_in_page(browser, tool.url, screenshot=shot)
        assert tool.wait() == 0
    finally:
        tool.kill()
    assert shot.stat().st_size > 10_000  # a real picture of the page, not a blank one
    assert_settled(repo)
    assert repo.out("ls-files", "-u") == ""  # staged: no longer unmerged
    assert "nb.ipynb" in repo.out("diff", "--cached", "--name-only")
    assert repo.nbgit("conflicts", "nb.ipynb", check=False).returncode == 0


def test_git_mergetool_runs_nbgit_end_to_end(repo, browser, tmp_path):
    """`git mergetool --tool=nbgit`: git's own loop, with $BROWSER a script that records the URL."""
    conflicted_repo(repo)
    record = tmp_path / "url.txt"
    script = tmp_path / "browser.sh"
    script.write_text(f"#!/bin/sh\nprintf '%s' \"$1\" > {record}\n")
    script.chmod(0o755)
    proc = subprocess.Popen(["git", "mergetool", "--tool=nbgit", "--no-prompt"], cwd=repo.path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "BROWSER": str(script)})
    try:
        url = wait_for(lambda: record.exists() and record.read_text())
        settle_in_page(browser, url)
        assert proc.wait(timeout=PAGE_WAIT) == 0, proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert_settled(repo)
    assert repo.out("ls-files", "-u") == ""


def test_a_notebook_left_by_a_text_merge_opens_rebuilt(repo, browser):
    """Without nbgit's merge driver the JSON is full of markers: the tool merges the stages cell by cell first."""
    repo.write("nb.ipynb", dump(nb(["x = 1", "y = 2"])))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "other")
    repo.write("nb.ipynb", dump(nb(["x = 3", "y = 2"])))
    repo.commit("theirs")
    repo.git("checkout", "-q", "main")
    repo.write("nb.ipynb", dump(nb(["x = 2", "y = 2"])))
    repo.commit("ours")
    assert repo.git("merge", "other", check=False).returncode == 1
    before = repo.read("nb.ipynb")
    assert b"<<<<<<<" in before
    from selenium.webdriver.common.by import By

    tool = Tool(repo)
    try:
        browser.get(tool.url)
        blocks = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "section.conflict"))
        assert len(blocks) == 1
        assert "text conflict markers" in browser.find_element(By.CSS_SELECTOR, ".banner").text
        assert repo.read("nb.ipynb") == before  # nothing written before a save
        blocks[0].find_element(By.CSS_SELECTOR, 'button[data-choice="theirs"]').click()
        browser.find_element(By.ID, "save").click()
        assert tool.wait() == 0
    finally:
        tool.kill()
    saved = parse(repo.read("nb.ipynb"))
    assert ["".join(c["source"]) for c in saved["cells"][1:]] == ["x = 3", "y = 2"]


def test_a_large_notebook_opens_with_its_folds_lazy(repo, browser):
    from selenium.webdriver.common.by import By

    n = 5000
    base = nb([f"v{i} = {i}" for i in range(n)])
    local = nb([f"v{i} = {i}" if i % 250 else f"v{i} = 'ours'" for i in range(n)])
    remote = nb([f"v{i} = {i}" if i % 250 else f"v{i} = 'theirs'" for i in range(n)])
    merged = merge_notebooks(base, local, remote).notebook
    repo.write("big.ipynb", dump(merged))
    tool = Tool(repo, "big.ipynb")
    try:
        browser.get(tool.url)
        blocks = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "section.conflict"))
        assert len(blocks) == 20
        folds = browser.find_elements(By.CSS_SELECTOR, "details.fold")
        assert len(folds) == 21  # before the first conflict, between each two, after the last
        assert not browser.find_elements(By.CSS_SELECTOR, "details.fold .cell")  # nothing rendered yet
        folds[1].find_element(By.TAG_NAME, "summary").click()
        wait_for(lambda: len(folds[1].find_elements(By.CSS_SELECTOR, ".cell")) == 249)
        assert console_errors(browser) == []
    finally:
        tool.kill()


def test_nbformat_3_notebook_is_resolved_and_stays_v3(repo, browser):
    from selenium.webdriver.common.by import By

    def v3(code):
        return {"metadata": {"name": ""}, "nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": [
            {"cell_type": "code", "collapsed": False, "input": code, "language": "python", "metadata": {}, "outputs": []},
        ], "metadata": {}}]}

    repo.nbgit("install")
    repo.write("old.ipynb", dump(v3("a = 1")))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "other")
    repo.write("old.ipynb", dump(v3("a = 3")))
    repo.commit("theirs")
    repo.git("checkout", "-q", "main")
    repo.write("old.ipynb", dump(v3("a = 2")))
    repo.commit("ours")
    assert repo.git("merge", "other", check=False).returncode == 1
    tool = Tool(repo)
    try:
        browser.get(tool.url)
        blocks = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "section.conflict"))
        assert len(blocks) == 1
        blocks[0].find_element(By.CSS_SELECTOR, 'button[data-choice="both"]').click()
        browser.find_element(By.ID, "save").click()
        assert tool.wait() == 0
    finally:
        tool.kill()
    saved = parse(repo.read("old.ipynb"))
    assert saved["nbformat"] == 3
    code = saved["worksheets"][0]["cells"][0]["input"]
    assert ("".join(code) if isinstance(code, list) else code) == "a = 2\na = 3"


def corpus_conflicted_merges():
    from nbgit.merge.blobs import merge_blobs

    if not CORPUS.is_dir():
        return []
    out = []
    for case in sorted((CORPUS / "merges").glob("*/*")):
        try:
            merged = merge_blobs(*((case / f"{n}.ipynb").read_bytes() for n in ("base", "local", "remote")))
        except Exception:  # noqa: BLE001 - a side that is not a notebook: not a case for the page
            continue
        if merged.conflicts:
            out.append((case, merged.data))
    return out


def test_corpus_merges_with_conflicts_open_without_console_errors(repo, browser):
    from selenium.webdriver.common.by import By

    corpus_dir()
    cases = corpus_conflicted_merges()
    assert cases, "the corpus has merges that conflict"
    for case, data in cases:
        name = "nb.ipynb"
        repo.write(name, data)
        tool = Tool(repo, name)
        try:
            browser.get(tool.url)
            blocks = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "section.conflict"))
            shown = parse(data)
            if shown.get("nbformat") == 3:
                shown = upgrade_v3(shown)
            assert len(blocks) == len(conflict_blocks(shown)), case
            errors = console_errors(browser)
            assert errors == [], (case, errors)
        finally:
            tool.kill()


def test_a_notebook_symlink_leading_out_is_refused(repo, tmp_path):
    outside = tmp_path / "elsewhere.ipynb"
    merged = merge_notebooks(nb(["x = 1"]), nb(["x = 2"]), nb(["x = 3"])).notebook
    outside.write_text(dump(merged))
    before = outside.read_bytes()
    (repo.path / "link.ipynb").symlink_to(outside)
    proc = repo.nbgit("mergetool", "--no-browser", "link.ipynb", check=False)
    assert proc.returncode == 2
    assert b"outside the repository" in proc.stderr
    assert outside.read_bytes() == before


def test_nothing_to_resolve_says_so(repo):
    repo.write("clean.ipynb", dump(nb(["x = 1"])))
    repo.commit("clean")
    proc = repo.nbgit("mergetool", "--no-browser")
    assert proc.stdout.decode() == "nbgit mergetool: no notebook with conflicts\n"
    assert repo.nbgit("mergetool", "--no-browser", "clean.ipynb").stdout.decode() == (
        "nbgit mergetool: clean.ipynb: no conflict to settle\n")
