"""Benchmark: `nbgit sync` vs `jupytext --sync` over paired notebooks, in the same run.

Builds a git repository (in a temporary directory) with N notebooks paired with
py:percent files (corpus notebooks when ../shared/corpus exists, synthetic ones
otherwise), brings every pair in sync with both tools, then times, alternately:

- nothing to do: ``python -m nbgit sync`` (the whole repository) and
  ``jupytext --sync *.ipynb`` (one process for all notebooks);
- one .py edited: the same two commands after editing one text file
  (nbgit carries the edit; jupytext, deciding by time, also carries it here
  because the .py is the newer file).

Every file is hashed before and after the no-op runs to prove neither tool
wrote anything. Prints medians and the ratio jupytext / nbgit.

    python benchmarks/bench_pair.py [--notebooks 200] [--repeat 7]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("NBGIT_CORPUS", PROJECT.parent / "shared" / "corpus"))


def notebooks(n: int) -> list[bytes]:
    """n notebooks (nbformat 4, as bytes): corpus notebooks where available, synthetic otherwise."""
    sys.path.insert(0, str(PROJECT))
    from nbgit.notebook.io import NotebookError, parse

    found = []
    if CORPUS.is_dir():
        for path in sorted(CORPUS.rglob("*.ipynb")):
            data = path.read_bytes()
            try:
                nb = parse(data)
            except NotebookError:
                continue
            if nb.get("nbformat") == 4 and not (nb.get("metadata", {}).get("jupytext")):
                found.append(data)
            if len(found) >= n:
                break
    while len(found) < n:
        i = len(found)
        cells = []
        for k in range(20):
            cells.append({"cell_type": "markdown", "metadata": {}, "source": [f"## Step {k} of notebook {i}\n"]})
            cells.append({"cell_type": "code", "execution_count": k + 1, "metadata": {},
                          "outputs": [{"name": "stdout", "output_type": "stream", "text": [f"{k}\n"]}],
                          "source": [f"x{k} = {k} * {i}\n", f"print(x{k})"]})
        nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
              "nbformat": 4, "nbformat_minor": 5}
        found.append((json.dumps(nb, indent=1) + "\n").encode())
    return found[:n]


def run(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}... failed ({proc.returncode}):\n{proc.stderr.decode()[-2000:]}")
    return elapsed


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.iterdir()
        if p.suffix in (".ipynb", ".py")
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notebooks", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    py = sys.executable
    jupytext = [py, "-m", "jupytext", "--sync", "--quiet"]

    with tempfile.TemporaryDirectory(prefix="nbgit-bench-pair-") as tmp:
        root = Path(tmp)
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        names = []
        for i, data in enumerate(notebooks(args.notebooks)):
            name = f"nb{i:03d}.ipynb"
            (root / name).write_bytes(data)
            names.append(name)
        run([py, "-m", "nbgit", "pair", "-q", "--format", "py:percent", *names], root)
        run(jupytext + names, root)  # jupytext agrees (rewrites nothing it considers in sync)
        run([py, "-m", "nbgit", "sync", "-q"], root)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "pairs"], cwd=root, check=True)

        before = snapshot(root)
        noop = {"nbgit sync": [], "jupytext --sync": []}
        for _ in range(args.repeat):
            noop["nbgit sync"].append(run([py, "-m", "nbgit", "sync", "-q"], root))
            noop["jupytext --sync"].append(run(jupytext + names, root))
        assert snapshot(root) == before, "a no-op sync wrote a file"

        edit = {"nbgit sync": [], "jupytext --sync": []}
        for rep in range(args.repeat):
            for tool in edit:
                target = root / names[rep % len(names)].replace(".ipynb", ".py")
                target.write_bytes(target.read_bytes() + f"\n# %%\nedit_{rep}_{len(edit[tool])} = 1\n".encode())
                os.utime(target, (time.time() + 5, time.time() + 5))
                cmd = [py, "-m", "nbgit", "sync", "-q"] if tool == "nbgit sync" else jupytext + names
                edit[tool].append(run(cmd, root))
                assert f"edit_{rep}_{len(edit[tool]) - 1}".encode() in (root / target.name.replace(".py", ".ipynb")).read_bytes()

    print(f"{args.notebooks} paired notebooks (py:percent), {args.repeat} runs each, median wall time")
    for label, results in (("nothing to do", noop), ("one .py edited", edit)):
        n, j = statistics.median(results["nbgit sync"]), statistics.median(results["jupytext --sync"])
        print(f"  {label:15s}  nbgit sync {n:7.3f} s   jupytext --sync {j:7.3f} s   ratio jupytext/nbgit {j / n:5.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
