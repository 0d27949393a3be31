"""Benchmark of ``nbgit textconv``, git's per-blob diff driver. Run from the project root:

    python benchmarks/bench_textconv.py [--runs N] [--cells N]

git starts one textconv process per blob it shows (``git diff``: two; ``git log -p``: two per
commit and notebook, minus what ``diff.nbgit.cachetextconv`` has cached), so whole-process
start-up is what a user waits for. Measured in one run, interleaved round-robin so that load
from other processes on the (shared) machine hits every command alike, median of ``--runs``:

* ``python -c pass``: the floor, an interpreter that starts and does nothing;
* ``python -m nbgit textconv nb.ipynb``: read, clean with the repo config, render;
* ``nbstripout -t nb.ipynb``: nbstripout's textconv (``diff.ipynb.textconv``), same file;
* ``nbdiff nb.ipynb nb.ipynb``: nbdime's diff command on the same file (its start-up plus one
  diff; nbdime has no textconv, its git integration is an external diff driver); seconds per
  run, so only ``--nbdime-runs`` of them, spread over the round-robin;
* ``git diff`` of a one-line edit to the notebook with nbgit installed, caching off: two
  textconv runs plus git's own work, the end-to-end figure.

nb.ipynb has ``--cells`` cells (default 100: 2/3 code with a stream output, every 5th code cell
with a 20 kB PNG and an HTML table, 1/3 markdown), and lives in a fresh git repository under
benchmarks/.work/textconv/ (no nbgit config: defaults). The tools run from the same venv as this
script (``sys.executable``); nbstripout and nbdiff from benchmarks/.work/nbstripout-venv and
benchmarks/.work/nbdime-venv when those exist (each tool alone, the way its users have it), else
from this venv.

Bytecode: the runs write and use compiled bytecode under benchmarks/.work/textconv/pycache
(PYTHONPYCACHEPREFIX, PYTHONDONTWRITEBYTECODE unset), as an installed package has it; the first,
untimed run of each command compiles it.

Also reports the import time of ``nbgit textconv`` (``-X importtime``: total, the costliest
modules) and checks that nbformat, jsonschema, nbdime and pygit2 are not imported.
Results are printed and written to benchmarks/.work/textconv-results.json.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "textconv"
FORBIDDEN_IMPORTS = ("nbformat", "jsonschema", "fastjsonschema", "nbdime", "pygit2")


def make_notebook(n_cells: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    cells = []
    for i in range(n_cells):
        if i % 3 == 2:
            cells.append({
                "cell_type": "markdown", "id": f"md{i:04d}", "metadata": {},
                "source": [f"## Step {i}\n", "\n", "Some explanation of what happens next, with `code` and a [link](x).\n"],
            })
            continue
        outputs: list = [{"name": "stdout", "output_type": "stream",
                          "text": [f"value {i}: {rng.random():.6f}\n" for _ in range(rng.randint(1, 30))]}]
        if i % 5 == 0:
            png = base64.b64encode(rng.randbytes(20_000)).decode()
            outputs.append({"data": {"image/png": png, "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
                            "metadata": {"needs_background": "light"}, "output_type": "display_data"})
            table = "<table>" + "".join(f"<tr><td>{j}</td><td>{rng.random():.3f}</td></tr>" for j in range(40)) + "</table>"
            outputs.append({"data": {"text/html": [table], "text/plain": ["    a    b\n", "0  1  0.5"]},
                            "execution_count": i + 1, "metadata": {}, "output_type": "execute_result"})
        cells.append({
            "cell_type": "code", "execution_count": i + 1, "id": f"code{i:04d}",
            "metadata": {"ExecuteTime": {"end_time": "2024-01-01T00:00:00"}, "tags": ["t"] if i % 7 == 0 else []},
            "outputs": outputs,
            "source": [f"x{i} = compute({i})\n", f"print(x{i})\n", "for k in range(3):\n", "    pass"],
        })
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python", "version": "3.11.7"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


def run(cmd: list[str], cwd: Path, env: dict) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):  # nbdiff exits 0; git diff 0
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return elapsed


def import_profile(cwd: Path, env: dict) -> dict:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "nbgit", "textconv", "nb.ipynb"],
                          cwd=cwd, env=env, capture_output=True, check=True)
    rows = []
    for line in proc.stderr.decode().splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        parts = line.split("|")
        try:
            cumulative = int(parts[1])
        except ValueError:
            continue
        name = parts[2].rstrip()
        rows.append((name.strip(), len(name) - len(name.lstrip()), cumulative))
    top = [(n, c) for n, depth, c in rows if depth == 1]
    total = sum(c for _, c in top)
    modules = {n for n, _, _ in rows}
    return {
        "total_import_ms": round(total / 1000, 1),
        "top_imports_ms": [(n, round(c / 1000, 1)) for n, c in sorted(top, key=lambda x: -x[1])[:8]],
        "forbidden_imported": sorted(m for m in modules if m.split(".")[0] in FORBIDDEN_IMPORTS),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=40, help="repetitions of each command (default 40)")
    ap.add_argument("--cells", type=int, default=100, help="cells in the notebook (default 100)")
    ap.add_argument("--nbdime-runs", type=int, default=10, help="repetitions of nbdiff, seconds each (default 10)")
    args = ap.parse_args()

    if WORK.exists():
        shutil.rmtree(WORK)
    repo = WORK / "repo"
    home = WORK / "home"
    repo.mkdir(parents=True)
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com", "GIT_PAGER": "cat"}
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    # an installed package has its bytecode compiled; keep ours outside the tree, like a real install
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")

    nb = make_notebook(args.cells)
    data = (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
    (repo / "nb.ipynb").write_bytes(data)
    git = ["git", "-C", str(repo)]
    subprocess.run([*git, "init", "-q", "-b", "main"], env=env, check=True)
    subprocess.run([sys.executable, "-m", "nbgit", "install"], cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*git, "config", "diff.nbgit.cachetextconv", "false"], env=env, check=True)
    subprocess.run([*git, "add", "-A"], env=env, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "nb"], env=env, check=True)
    edited = json.loads(data)
    edited["cells"][args.cells // 2]["source"][0] = "x = 'edited'\n"
    (repo / "nb.ipynb").write_bytes((json.dumps(edited, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode())

    bindir = Path(sys.executable).parent
    solo = HERE / ".work" / "nbstripout-venv" / "bin" / "nbstripout"
    nbstripout = solo if solo.exists() else bindir / "nbstripout"
    solo_nbdiff = HERE / ".work" / "nbdime-venv" / "bin" / "nbdiff"
    nbdiff = solo_nbdiff if solo_nbdiff.exists() else bindir / "nbdiff"
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "nbgit textconv": [sys.executable, "-m", "nbgit", "textconv", "nb.ipynb"],
        "nbstripout -t": [str(nbstripout), "-t", "nb.ipynb"],
        "nbdiff (nbdime)": [str(nbdiff), "nb.ipynb", "nb.ipynb"],
        "git diff (2 textconv)": ["git", "diff"],
    }
    if not nbdiff.exists():
        del commands["nbdiff (nbdime)"]

    out = subprocess.run([sys.executable, "-m", "nbgit", "textconv", "nb.ipynb"], cwd=repo, env=env,
                         capture_output=True, check=True).stdout
    diff = subprocess.run(["git", "diff"], cwd=repo, env=env, capture_output=True, check=True).stdout.decode()
    assert "# %% [code]" in diff and "+x = 'edited'" in diff, diff[:500]

    for cmd in commands.values():  # warm the file cache
        run(cmd, repo, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(args.runs):
        for name, cmd in commands.items():
            if name == "nbdiff (nbdime)" and i % max(1, args.runs // max(1, args.nbdime_runs)):
                continue  # spread nbdiff's few runs over the whole round-robin
            times[name].append(run(cmd, repo, env))

    floor = statistics.median(times["python -c pass"])
    ours = statistics.median(times["nbgit textconv"])
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": platform.python_version(),
        "git": subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "runs": {name: len(ts) for name, ts in times.items()},
        "tools": {"nbstripout": str(nbstripout), "nbdiff": str(nbdiff)},
        "notebook": {"cells": args.cells, "bytes": len(data), "textconv_bytes": len(out)},
        "median_ms": {},
        "imports": import_profile(repo, env),
    }
    print(f"notebook: {args.cells} cells, {len(data) / 1e6:.2f} MB -> {len(out) / 1e3:.1f} kB of text; "
          "interleaved runs, medians")
    print(f"{'command':<24} {'runs':>4} {'median':>9} {'p10':>8} {'p90':>8} {'- floor':>9} {'x nbgit':>8}")
    for name, ts in times.items():
        med = statistics.median(ts)
        q = statistics.quantiles(ts, n=10)
        results["median_ms"][name] = round(med * 1000, 1)
        print(f"{name:<24} {len(ts):4d} {med * 1000:7.1f}ms {q[0] * 1000:6.1f}ms {q[-1] * 1000:6.1f}ms "
              f"{(med - floor) * 1000:7.1f}ms {med / ours:7.2f}x")
    imp = results["imports"]
    print(f"nbgit textconv imports: {imp['total_import_ms']} ms in all; top: "
          + ", ".join(f"{n} {ms}" for n, ms in imp["top_imports_ms"]))
    print("forbidden imports:", ", ".join(imp["forbidden_imported"]) or "none")
    (HERE / ".work" / "textconv-results.json").write_text(json.dumps(results, indent=1) + "\n")
    return 1 if imp["forbidden_imported"] else 0


if __name__ == "__main__":
    sys.exit(main())
