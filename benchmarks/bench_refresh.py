"""The cost of `nbgit refresh` (phantom modifications) in a repository of N notebooks.

Run from the project root: ``python benchmarks/bench_refresh.py [--n 5000] [--reps 2] [--quick]``.

The repository is bench_scale.py's (N notebooks of about 15 kB with outputs, committed through
``nbgit install``'s filter). Timed, medians of ``--reps``:

* ``nbgit refresh`` with nothing to do (what the post-commit hook costs after every commit);
* ``nbgit refresh PATH`` after re-running one notebook (what the Jupyter extension runs after
  a save);
* ``nbgit refresh`` after re-running 20 notebooks, and after re-running all N (every notebook's
  outputs and size change, sources do not: N phantom modifications);
* for scale, ``git status`` after touching all N (git runs the filter on every notebook once),
  and ``git status`` right after the refresh (must be clean, and fast: stat data recorded).

Every refresh is checked: it must report the expected count, and `git status --porcelain`
must then be empty. Results are printed and written to benchmarks/.work/refresh-results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_filter import default_nbgit_python, git_env, run  # noqa: E402
from bench_scale import make_repo, names, touch  # noqa: E402

WORK = HERE / ".work" / "refresh"


def rerun(path: Path, files: list[str], run_no: int) -> None:
    """What re-running does: new outputs and counts (the size changes), same sources."""
    for name in files:
        p = path / name
        nb = json.loads(p.read_bytes())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["execution_count"] = (cell["execution_count"] or 0) + 100 * run_no
                for out in cell["outputs"]:
                    if out["output_type"] == "stream":
                        out["text"].append(f"run {run_no}" + "." * (run_no % 7) + "\n")
        p.write_bytes((json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode())


def timed(cmd: list[str], cwd: Path, env: dict) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"bench_refresh: {' '.join(cmd)}: {proc.returncode}\n{proc.stdout.decode()}{proc.stderr.decode()}")
    return elapsed, proc


def porcelain(repo: Path, env: dict) -> str:
    return run(["git", "status", "--porcelain"], repo, env).stdout.decode()


def refresh(py: str, repo: Path, env: dict, expected: int, *paths: str) -> float:
    seconds, proc = timed([py, "-m", "nbgit", "refresh", *paths], repo, env)
    got = proc.stdout.decode().count("refreshed: ")
    if got != expected:
        raise SystemExit(f"bench_refresh: refreshed {got}, expected {expected}\n{proc.stderr.decode()}")
    left = porcelain(repo, env)
    if left:
        raise SystemExit(f"bench_refresh: git status not clean after the refresh:\n{left[:2000]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="notebooks in the repository (default 5000)")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="n=300, reps=1: a smoke run")
    args = ap.parse_args(argv)
    if args.quick:
        args.n, args.reps = 300, 1
    WORK.mkdir(parents=True, exist_ok=True)
    home = WORK / "home"
    home.mkdir(exist_ok=True)
    env = git_env(home)
    py = default_nbgit_python()
    repo = WORK / "repo-nbgit"
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    make_repo(repo, "nbgit", args.n, env, py, Path("/nonexistent"))
    print(f"bench_refresh: {args.n} notebooks set up in {time.perf_counter() - t0:.1f} s", flush=True)
    files = names(args.n)
    some = files[:: max(1, args.n // 20)][:20]
    series: dict[str, list[float]] = {}

    def record(key: str, value: float) -> None:
        series.setdefault(key, []).append(value)

    run_no = 0
    for rep in range(args.reps):
        record("refresh_nothing", refresh(py, repo, env, 0))
        run_no += 1
        rerun(repo, files[:1], run_no)
        record("refresh_one_path", refresh(py, repo, env, 1, files[0]))
        run_no += 1
        rerun(repo, some, run_no)
        record("refresh_20", refresh(py, repo, env, len(some)))
        run_no += 1
        rerun(repo, files, run_no)
        dirty = porcelain(repo, env).count("\n")
        if dirty != args.n:
            raise SystemExit(f"bench_refresh: {dirty} phantoms after re-running all, expected {args.n}")
        record("refresh_all", refresh(py, repo, env, args.n))
        record("status_after_refresh", timed(["git", "status"], repo, env)[0])
        touch(repo, files)
        record("status_touch_all", timed(["git", "status"], repo, env)[0])
        print(f"  rep {rep + 1}/{args.reps} done", flush=True)
    medians = {k: statistics.median(v) for k, v in series.items()}
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": " ".join(["python", "benchmarks/bench_refresh.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, {run(['git', 'version'], WORK, env).stdout.decode().strip()}",
        "n": args.n,
        "reps": args.reps,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "medians": medians,
        "samples": series,
    }
    (WORK.parent / "refresh-results.json").write_text(json.dumps(result, indent=1))
    print(f"\nnbgit refresh, repository of {args.n} notebooks (medians of {args.reps}, seconds):")
    for key, value in medians.items():
        print(f"  {key:22} {value:.3f}")
    print(f"  refresh_all / status_touch_all = {medians['refresh_all'] / medians['status_touch_all']:.2f}x")
    print(f"  load average before {result['load_before']}, after {result['load_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
