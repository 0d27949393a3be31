"""Benchmark of the output store (issue 11 part 1). Run: `python benchmarks/bench_store.py [--quick]`.

Notebooks from bench_filter_notebooks.py (50 cells, outputs of a "Run All", 235-307 kB each).
Repositories set up identically (isolated HOME, GIT_CONFIG_NOSYSTEM=1) that differ only in the
filter: ``none`` (no filter), ``off`` (`nbgit install` with ``restore_outputs = false``) and
``on`` (`nbgit install`, the default: the store on). Tools interleaved, medians reported.

1. ``git status`` after touching 50 committed notebooks (new mtime, same bytes: git runs the
   clean filter on every one; the store finds its entries and marks them used), and once more
   with the store emptied first (every clean writes its entry): none vs off vs on.
2. Checkout of N notebooks (default 500) between two branches: ``main`` has the notebooks as
   run (committed through the filter: clean blobs, the store keeps the outputs), ``edited`` has
   one code cell source changed in each notebook. `git checkout edited` then `git checkout main`,
   restore on vs off; how many outputs came back (out of those of the unchanged cells).
3. `git stash` + `git stash pop` of 50 notebooks with one source edited each: on vs off, and
   outputs in the work tree after the pop vs before the stash.
4. The store's size after those runs (`nbgit outputs`).

Results are printed and written to benchmarks/.work/store-results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
WORK = HERE / ".work" / "store"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(PROJECT))

from bench_filter_notebooks import notebook_bytes  # noqa: E402

PY = sys.executable


def git_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "NBGIT_RESTORE_OUTPUTS"}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="b@example.com", GIT_COMMITTER_NAME="Bench",
               GIT_COMMITTER_EMAIL="b@example.com", LC_ALL="C")
    return env


def run(cmd, cwd, env) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench_store: {' '.join(map(str, cmd))} failed in {cwd}:\n"
                         f"{proc.stdout.decode(errors='replace')}{proc.stderr.decode(errors='replace')}")
    return proc


def timed(cmd, cwd, env) -> float:
    start = time.perf_counter()
    run(cmd, cwd, env)
    return time.perf_counter() - start


def make_repo(path: Path, kind: str, n: int, env: dict) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], path, env)
    if kind != "none":
        run([PY, "-m", "nbgit", "install"], path, env)
        # a cap that holds every notebook of the run (the default, 200 MB, holds about 700 of these)
        conf = 'output_store_size = "1 GB"\n' if kind == "on" else "restore_outputs = false\n"
        (path / ".nbgit.toml").write_text(conf)
    for i in range(n):
        (path / f"nb{i:04d}.ipynb").write_bytes(notebook_bytes(i))
    run(["git", "add", "-A"], path, env)
    run(["git", "commit", "-q", "-m", "notebooks"], path, env)


def code_outputs(data: bytes) -> list[tuple[str, list]]:
    nb = json.loads(data)
    return [("".join(c["source"]), c.get("outputs") or []) for c in nb["cells"] if c["cell_type"] == "code"]


def edit_one(data: bytes) -> bytes:
    """The notebook with its first code cell's source changed (outputs and layout as they were)."""
    nb = json.loads(data)
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            c["source"] = ["edited = True\n"] + c["source"]
            break
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def restored_counts(path: Path, n: int, originals: list[bytes]) -> tuple[int, int]:
    """(outputs back, outputs expected): outputs of code cells whose source is as in ``originals``."""
    back = expected = 0
    for i in range(n):
        now = dict(code_outputs((path / f"nb{i:04d}.ipynb").read_bytes()))
        for src, outs in code_outputs(originals[i]):
            if src in now and outs:
                expected += len(outs)
                back += len(outs) if now[src] == outs else 0
    return back, expected


_TICK = [0]


def touch(path: Path, n: int) -> None:
    _TICK[0] += 1
    t = (int(time.time()) - 10**6 + _TICK[0]) * 10**9
    for i in range(n):
        os.utime(path / f"nb{i:04d}.ipynb", ns=(t, t))


def store_size(path: Path) -> int:
    """Bytes in the store: its entries and its memo of cleans."""
    total = 0
    for sub in ("entries", "cleaned"):
        folder = path / ".git" / "nbgit" / "outputs" / sub
        total += sum(p.stat().st_size for p in folder.iterdir()) if folder.is_dir() else 0
    return total


def part_status(root: Path, env: dict, n: int, reps: int) -> dict:
    repos = {k: root / f"status-{k}" for k in ("none", "off", "on")}
    for k, p in repos.items():
        make_repo(p, k, n, env)
    times = {k: [] for k in repos}
    cold = []
    for _ in range(reps):
        for k, p in repos.items():
            touch(p, n)
            times[k].append(timed(["git", "status", "--porcelain"], p, env))
        run([PY, "-m", "nbgit", "outputs", "--clear"], repos["on"], env)
        touch(repos["on"], n)
        cold.append(timed(["git", "status", "--porcelain"], repos["on"], env))
    med = {k: statistics.median(v) for k, v in times.items()}
    med["on, store emptied first (writes every entry)"] = statistics.median(cold)
    return {"n": n, "seconds": med, "on / none": med["on"] / med["none"], "off / none": med["off"] / med["none"],
            "cold on / none": statistics.median(cold) / med["none"]}


def part_checkout(root: Path, env: dict, n: int, reps: int) -> dict:
    originals = [notebook_bytes(i) for i in range(n)]
    result = {"n": n}
    repos = {}
    for k in ("off", "on"):
        p = root / f"checkout-{k}"
        make_repo(p, k, n, env)
        run(["git", "checkout", "-q", "-b", "edited"], p, env)
        for i in range(n):
            (p / f"nb{i:04d}.ipynb").write_bytes(edit_one(originals[i]))
        run(["git", "commit", "-q", "-am", "one source edited in each"], p, env)
        run(["git", "checkout", "-q", "main"], p, env)
        if k == "on":  # the `edited` notebooks were run here too: start from a store of main's only
            pass
        repos[k] = p
    times = {k: {"to edited": [], "back to main": []} for k in repos}
    for _ in range(reps):
        for k, p in repos.items():
            times[k]["to edited"].append(timed(["git", "checkout", "-q", "edited"], p, env))
            if k == "on":
                result["outputs back on edited (unchanged cells)"] = restored_counts(p, n, originals)
            times[k]["back to main"].append(timed(["git", "checkout", "-q", "main"], p, env))
            if k == "on":
                result["outputs back on main"] = restored_counts(p, n, originals)
            st = run(["git", "status", "--porcelain"], p, env).stdout
            assert st == b"", f"{k}: git status not clean after checkout: {st[:200]!r}"
    for k in repos:
        for d in ("to edited", "back to main"):
            result[f"{k} {d} (s)"] = statistics.median(times[k][d])
    for d in ("to edited", "back to main"):
        result[f"on / off {d}"] = result[f"on {d} (s)"] / result[f"off {d} (s)"]
    result["store bytes"] = store_size(repos["on"])
    return result


def part_stash(root: Path, env: dict, n: int, reps: int) -> dict:
    originals = [notebook_bytes(i) for i in range(n)]
    edited = [edit_one(b) for b in originals]
    result = {"n": n}
    times = {"off": [], "on": []}
    repos = {}
    for k in ("off", "on"):
        p = root / f"stash-{k}"
        make_repo(p, k, n, env)
        repos[k] = p
    for _ in range(reps):
        for k, p in repos.items():
            for i in range(n):
                (p / f"nb{i:04d}.ipynb").write_bytes(edited[i])
            start = time.perf_counter()
            run(["git", "stash", "-q"], p, env)
            run(["git", "stash", "pop", "-q"], p, env)
            times[k].append(time.perf_counter() - start)
            back, expected = restored_counts(p, n, edited)
            result[f"{k}: outputs after pop / before stash"] = f"{back} / {expected}"
            run(["git", "checkout", "-q", "--", "."], p, env)
    result["off (s)"] = statistics.median(times["off"])
    result["on (s)"] = statistics.median(times["on"])
    result["on / off"] = result["on (s)"] / result["off (s)"]
    result["store bytes"] = store_size(repos["on"])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    ap.add_argument("--checkout-n", type=int, default=500)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--regular-install", action="store_true",
                    help="run nbgit pip-installed (not editable) in its own venv, as bench_filter.py does")
    ap.add_argument("--only", choices=("status", "checkout", "stash"), help="run one part only")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    home = WORK / "home"
    home.mkdir(exist_ok=True)
    (home / ".gitconfig").write_text("[advice]\n\tdetachedHead = false\n")
    env = git_env(home)
    global PY
    if args.regular_install:
        from bench_filter import nbgit_venv

        PY = str(nbgit_venv(env) / "bin" / "python")
    n_status, n_checkout, n_stash, reps = (50, args.checkout_n, 50, args.reps)
    if args.quick:
        n_status, n_checkout, n_stash, reps = 5, 10, 5, 2
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"{run(['git', 'version'], WORK, env).stdout.decode().strip()}",
        "load before": os.getloadavg()[0],
    }
    results["nbgit"] = PY
    if args.only in (None, "status"):
        print(f"git status after touching {n_status} ...", flush=True)
        results["status"] = part_status(WORK, env, n_status, reps)
        print(json.dumps(results["status"], indent=1), flush=True)
    if args.only in (None, "checkout"):
        print(f"checkout of {n_checkout} notebooks ...", flush=True)
        results["checkout"] = part_checkout(WORK, env, n_checkout, max(1, min(reps, 3)))
        print(json.dumps(results["checkout"], indent=1), flush=True)
    if args.only in (None, "stash"):
        print(f"stash + pop of {n_stash} ...", flush=True)
        results["stash"] = part_stash(WORK, env, n_stash, max(1, min(reps, 3)))
        print(json.dumps(results["stash"], indent=1), flush=True)
    results["load after"] = os.getloadavg()[0]
    (WORK / "store-results.json").write_text(json.dumps(results, indent=1))
    print(json.dumps({k: results[k] for k in ("date", "machine", "load before", "load after")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
