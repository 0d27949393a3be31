"""Benchmark of ``nbgit blame`` (and ``nbgit log --cell``) on a notebook with a long history.

    python benchmarks/bench_blame.py [--commits 500] [--cells 60] [--runs 3]

Builds (with pygit2, in-process, once) a repository under benchmarks/.work/blame-N/ whose one
notebook has ``--commits`` commits of history: the first commit has ``--cells`` cells (2/3 code,
1/3 markdown, a few lines each); every later commit, by one of four authors, makes 1-3 random
edits (edit a line of a cell: 70%, insert a cell: 12%, delete one: 8%, move one: 6%, change an
id: 4%), seeded, so every run builds the same history. ``nbgit install`` is run in it.

Then times, interleaved round-robin, median of ``--runs`` (wall clock and CPU, user+sys of the
process and its children, whole processes; the cold ``git log -p`` runs once):

* ``nbgit blame nb.ipynb``: every cell's last change (one walk, each revision read once);
* ``nbgit log --follow -- nb.ipynb --cell 1``: one cell's whole history;
* ``git log -p -- nb.ipynb`` with nbgit's textconv, cache cold (``refs/notes/textconv/nbgit``
  deleted before the run: git runs textconv once per blob) and warm (cache filled);
* ``git log -p --no-textconv -- nb.ipynb``: git's own diff of the JSON, the floor for reading
  every revision;
* ``git blame --textconv nb.ipynb`` (``nbgit blame --lines``), cache warm.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORDS = "data frame plot model fit result value index column mean sum count group filter load save".split()


def _cell(rng: random.Random, n: int) -> dict:
    lines = [f"{rng.choice(WORDS)}_{n}_{k} = {rng.choice(WORDS)}({rng.randint(0, 99)})\n" for k in range(rng.randint(2, 6))]
    cid = f"{rng.getrandbits(32):08x}"
    if rng.random() < 1 / 3:
        return {"cell_type": "markdown", "id": cid, "metadata": {}, "source": [f"## {rng.choice(WORDS)} {n}\n", *lines[:2]]}
    return {"cell_type": "code", "execution_count": None, "id": cid, "metadata": {}, "outputs": [], "source": lines}


def build(path: Path, commits: int, cells: int) -> None:
    import pygit2

    rng = random.Random(15)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    repo = pygit2.init_repository(str(path), initial_head="main")
    nb = {"cells": [_cell(rng, k) for k in range(cells)], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    authors = [pygit2.Signature(name, f"{name.lower()}@example.com", 1_700_000_000 + k, 0) for k, name in enumerate(["Ann", "Bob", "Cem", "Dia"])]
    parent = []
    counter = cells
    for n in range(commits):
        if n:
            for _ in range(rng.randint(1, 3)):
                op = rng.random()
                cs = nb["cells"]
                k = rng.randrange(len(cs))
                if op < 0.70 or len(cs) < 5:
                    src = cs[k]["source"]
                    src[rng.randrange(len(src))] = f"{rng.choice(WORDS)}_{n} = {rng.choice(WORDS)}({rng.randint(0, 99)})\n"
                elif op < 0.82:
                    counter += 1
                    cs.insert(k, _cell(rng, counter))
                elif op < 0.90:
                    del cs[k]
                elif op < 0.96:
                    cs.insert(rng.randrange(len(cs)), cs.pop(k))
                else:
                    cs[k]["id"] = f"{rng.getrandbits(32):08x}"
        data = (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
        blob = repo.create_blob(data)
        tb = repo.TreeBuilder()
        tb.insert("nb.ipynb", blob, pygit2.enums.FileMode.BLOB)
        tree = tb.write()
        a = authors[n % 4]
        sig = pygit2.Signature(a.name, a.email, 1_700_000_000 + 3600 * n, 0)
        oid = repo.create_commit("refs/heads/main", sig, sig, f"change {n}", tree, parent)
        parent = [oid]
    repo.checkout_head(strategy=pygit2.enums.CheckoutStrategy.FORCE)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run([sys.executable, "-m", "nbgit", "install"], cwd=path, check=True, capture_output=True, env=env)


def timed(cmd: list[str], cwd: Path, before=None) -> tuple[float, float]:
    """(wall, CPU: user+sys of the process and its children) of one run."""
    import resource

    if before:
        before()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=500)
    ap.add_argument("--cells", type=int, default=60)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    path = HERE / ".work" / f"blame-{args.commits}"
    t = time.perf_counter()
    build(path, args.commits, args.cells)
    print(f"built {args.commits} commits in {time.perf_counter() - t:.1f} s at {path}")
    py = sys.executable

    def cold():
        subprocess.run(["git", "update-ref", "-d", "refs/notes/textconv/nbgit"], cwd=path, check=False)

    commands = {
        "nbgit blame": ([py, "-m", "nbgit", "blame", "nb.ipynb"], None),
        "nbgit log --follow --cell 1": ([py, "-m", "nbgit", "log", "--follow", "--", "nb.ipynb", "--cell", "1"], None),
        "git log -p (nbgit textconv, cache cold)": (["git", "log", "-p", "--", "nb.ipynb"], cold),
        "git log -p (nbgit textconv, cache warm)": (["git", "log", "-p", "--", "nb.ipynb"], None),
        "git log -p --no-textconv": (["git", "log", "-p", "--no-textconv", "--", "nb.ipynb"], None),
        "git blame --textconv (nbgit blame --lines), warm": (["git", "blame", "--textconv", "nb.ipynb"], None),
    }
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for run in range(args.runs):
        for name, (cmd, before) in commands.items():
            if before is cold and run:  # seconds per blob: once is enough
                continue
            times[name].append(timed(cmd, path, before))
    wall0 = statistics.median(w for w, _ in times["nbgit blame"])
    cpu0 = statistics.median(c for _, c in times["nbgit blame"])
    print(f"\n| command | runs | wall (median) | CPU (median) | wall / nbgit blame | CPU / nbgit blame |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, ts in times.items():
        w = statistics.median(x for x, _ in ts)
        c = statistics.median(y for _, y in ts)
        print(f"| `{name}` | {len(ts)} | {w:.2f} s | {c:.2f} s | {w / wall0:.2f}x | {c / cpu0:.2f}x |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
