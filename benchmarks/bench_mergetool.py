"""How fast `nbgit mergetool` opens a large conflicted notebook in a real browser.

A notebook of N code cells (default 5,000) is merged with conflicts in C cells (default 20) by
nbgit's merge driver inside a real git merge. Then, R times:

* ``nbgit mergetool --no-browser`` is started; the clock starts;
* headless Chromium (Selenium, Debian's chromedriver) loads the printed URL;
* the clock stops when every conflict block is in the page and the script has run (the
  counter shows C conflicts left): that is "the page is usable".

Reported: the median of that time, split into tool start-up (until the URL is printed) and page
load (until usable), the tool's CPU time (user+sys, which a loaded machine inflates less than
wall time), and the page's size. The tool is then closed without saving.

    python benchmarks/bench_mergetool.py [--cells 5000] [--conflicts 20] [--reps 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def notebook(sources):
    return {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": s} for s in sources],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}}, "nbformat": 4, "nbformat_minor": 4}


def git(repo, *args, check=True):
    return subprocess.run(["git", *args], cwd=repo, check=check, capture_output=True)


def make_repo(root: Path, cells: int, conflicts: int) -> Path:
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    subprocess.run([sys.executable, "-m", "nbgit", "install"], cwd=repo, check=True, capture_output=True)
    step = max(1, cells // conflicts)
    hit = {i for i in range(0, cells, step)}
    nb = repo / "big.ipynb"

    def write(tag):
        srcs = [f"value_{i} = {i}\nprint(value_{i})" if i not in hit or tag is None else f"value_{i} = '{tag}'\nprint(value_{i})"
                for i in range(cells)]
        nb.write_text(json.dumps(notebook(srcs), indent=1) + "\n")

    write(None)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "other")
    write("theirs")
    git(repo, "commit", "-q", "-am", "theirs")
    git(repo, "checkout", "-q", "main")
    write("ours")
    git(repo, "commit", "-q", "-am", "ours")
    git(repo, "merge", "other", check=False)
    return repo


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cells", type=int, default=5000)
    ap.add_argument("--conflicts", type=int, default=20)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@b"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env["HOME"] = str(root)
        os.environ.update(env)
        repo = make_repo(root, args.cells, args.conflicts)
        opts = webdriver.ChromeOptions()
        opts.binary_location = shutil.which("chromium")
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--user-data-dir={root / 'profile'}"):
            opts.add_argument(a)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
        driver.get("about:blank")  # the browser is up before any clock runs
        starts, loads, totals, cpus, size = [], [], [], [], 0
        try:
            for _ in range(args.reps):
                ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                proc = subprocess.Popen([sys.executable, "-m", "nbgit", "mergetool", "--no-browser"], cwd=repo,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                line = proc.stdout.readline().decode()
                url = line.split("page at ", 1)[1].strip()
                t1 = time.perf_counter()
                driver.get(url)
                while driver.find_element(By.ID, "counter").text != f"{args.conflicts} conflicts left":
                    time.sleep(0.01)
                n = len(driver.find_elements(By.CSS_SELECTOR, "section.conflict"))
                t2 = time.perf_counter()
                assert n == args.conflicts, n
                with urllib.request.urlopen(url) as resp:
                    size = len(resp.read())
                token = url.split("token=")[1]
                port = url.split(":")[2].split("/")[0]
                req = urllib.request.Request(f"http://127.0.0.1:{port}/quit", data=b"{}", method="POST",
                                             headers={"X-Nbgit-Token": token, "Content-Type": "application/json"})
                urllib.request.urlopen(req).read()
                proc.wait(timeout=30)
                ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus.append(ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime)
                starts.append(t1 - t0)
                loads.append(t2 - t1)
                totals.append(t2 - t0)
        finally:
            driver.quit()
    print(f"nbgit mergetool, {args.cells} cells, {args.conflicts} conflicts, {args.reps} runs (median):")
    print(f"  tool start-up to URL   {statistics.median(starts):.3f} s")
    print(f"  page load to usable    {statistics.median(loads):.3f} s")
    print(f"  total (start to usable) {statistics.median(totals):.3f} s  (max {max(totals):.3f} s)")
    print(f"  tool CPU (start, merge again for the base, serve the page twice) {statistics.median(cpus):.3f} s")
    print(f"  page size              {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
