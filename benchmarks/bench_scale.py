"""Repository scale: 5,000 notebooks, and one 100 MB notebook.

Run from the project root: ``python benchmarks/bench_scale.py [--n 5000] [--reps 5] [--quick]``.

Part 1, a repository of N notebooks (12 cells each, about a third markdown; stdout streams,
``text/plain`` results and a small base64 PNG in one code cell in four; execution counts and
``ExecuteTime``: about 15 kB per notebook). Repositories set up identically, differing only in
the filter:

* ``none``: no filter (git hashes the files as they are: the floor);
* ``nbgit``: ``nbgit install`` (long-running ``filter.nbgit.process``);
* ``nbstripout``: ``nbstripout --install`` from its own venv (benchmarks/.work/nbstripout-venv,
  shared with bench_filter.py), one Python per file: only timed on a few touched files.

Timed, with the tools interleaved, medians of ``--reps``:

* ``git add -A`` of all N notebooks into a fresh index (``GIT_INDEX_FILE``), so every file is
  hashed (and, with nbgit, cleaned);
* ``git status`` after touching all N notebooks (new mtime, same bytes: git must re-run the
  filter on each), and after touching 20 of them (nbstripout too: one Python per file);
* ``git status`` with nothing touched (what most ``git status`` calls are);
* ``nbgit doctor`` on the nbgit repository (reads every committed notebook through one
  ``git cat-file --batch`` and cleans it in-process), and ``nbgit doctor --no-content``.

Part 2, peak memory (ru_maxrss) on one notebook of ``--big-mb`` MB (100 one-MB PNG outputs):
nbgit's filter process during ``git add`` (through a wrapper that runs the filter as its child
and reports RUSAGE_CHILDREN), nbstripout cleaning the same file, and the floor
``json.load`` of it in a bare Python, each as a multiple of the file size.

Results are printed and written to benchmarks/.work/scale-results.json.
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
PROJECT = HERE.parent
WORK = HERE / ".work" / "scale"
sys.path.insert(0, str(HERE))

from bench_filter import default_nbgit_python, git_env, nbstripout_venv, run  # noqa: E402

WORDS = "data model train loss accuracy feature value mean sample group plot figure result".split()


def notebook(index: int) -> bytes:
    rng = random.Random(index)
    cells = []
    count = 0
    for i in range(12):
        cid = f"{index:05x}{i:03x}"
        if rng.random() < 0.33:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
            cells.append({"cell_type": "markdown", "id": cid, "metadata": {}, "source": [f"## Step {i}\n", "\n", text + "\n"]})
            continue
        count += 1
        outputs = [{"name": "stdout", "output_type": "stream", "text": [f"{rng.random():.6f} {rng.choice(WORDS)}\n" for _ in range(rng.randint(1, 15))]}]
        if rng.random() < 0.25:
            png = base64.b64encode(rng.randbytes(rng.randint(3000, 6000))).decode()
            outputs.append({"data": {"image/png": png, "text/plain": ["<Figure size 640x480 with 1 Axes>"]}, "metadata": {}, "output_type": "display_data"})
        else:
            outputs.append({"data": {"text/plain": [f"{rng.random():.4f}"]}, "execution_count": count, "metadata": {}, "output_type": "execute_result"})
        source = [f"x_{i} = load({index}, {i})\n", f"y_{i} = x_{i}.{rng.choice(['mean', 'sum'])}()\n", f"print(y_{i})"]
        cells.append(
            {
                "cell_type": "code",
                "execution_count": count,
                "id": cid,
                "metadata": {"ExecuteTime": {"end_time": f"2024-05-01T10:{i:02d}:00Z"}},
                "outputs": outputs,
                "source": source,
            }
        )
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}, "language_info": {"name": "python", "version": "3.11.7"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def names(n: int) -> list[str]:
    # 50 folders of up to 100 notebooks, like a real project tree
    return [f"part{i % 50:02d}/nb{i:05d}.ipynb" for i in range(n)]


def write_tree(path: Path, n: int) -> int:
    total = 0
    for i, name in enumerate(names(n)):
        p = path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        data = notebook(i)
        p.write_bytes(data)
        total += len(data)
    return total


def make_repo(path: Path, tool: str, n: int, env: dict, py: str, stripout: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], path, env)
    if tool == "nbgit":
        run([py, "-m", "nbgit", "install"], path, env)
    elif tool == "nbstripout":
        run([str(stripout / "bin" / "nbstripout"), "--install"], path, env)
    write_tree(path, n)
    add = ["git", "add", "-A"]
    if tool == "nbstripout":
        # set-up only (one nbstripout process per file would take many minutes): strip copies
        # with one `nbstripout FILES...` call and let git take them as the clean result; every
        # timed status runs the real filter and must find the tree clean (checks equality)
        side = path.parent / "nbstripout-stripped"
        if side.exists():
            shutil.rmtree(side)
        side.mkdir()
        write_tree(side, n)
        files = names(n)
        for start in range(0, n, 500):
            run([str(stripout / "bin" / "nbstripout"), *files[start : start + 500]], side, env)
        add = ["git", "-c", f"filter.nbstripout.clean=cat {side}/%f", "add", "-A"]
    run(add, path, env)
    run(["git", "commit", "-q", "-m", f"{n} notebooks"], path, env)


_TOUCH = [0]


def touch(path: Path, files: list[str]) -> None:
    _TOUCH[0] += 1
    t = (int(time.time()) - 10**6 + _TOUCH[0]) * 10**9  # whole seconds, in the past, new each time
    for name in files:
        os.utime(path / name, ns=(t, t))


def timed(cmd, cwd: Path, env: dict, check_clean: bool = False) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1) or (check_clean and "working tree clean" not in proc.stdout.decode()):
        raise SystemExit(f"bench_scale: {' '.join(map(str, cmd))} in {cwd}: {proc.returncode}\n{proc.stdout.decode()}{proc.stderr.decode()}")
    return elapsed


def bench_repo(n: int, reps: int, env: dict, py: str, stripout: Path, with_stripout: bool) -> dict:
    tools = ["none", "nbgit"] + (["nbstripout"] if with_stripout else [])
    repos = {t: WORK / f"repo-{t}" for t in tools}
    for tool in tools:
        t0 = time.perf_counter()
        make_repo(repos[tool], tool, n, env, py, stripout)
        print(f"  set up {tool}: {time.perf_counter() - t0:.1f} s", flush=True)
    files = names(n)
    some = files[:: max(1, n // 20)][:20]
    results: dict = {"n": n, "reps": reps, "bytes": sum(len(notebook(i)) for i in range(0, n, max(1, n // 200))) * max(1, n // 200)}
    series: dict = {}

    def record(key: str, tool: str, value: float) -> None:
        series.setdefault(key, {}).setdefault(tool, []).append(value)

    for rep in range(reps):
        for tool in ("none", "nbgit"):
            repo = repos[tool]
            index = WORK / f"index-{tool}"
            if index.exists():
                index.unlink()
            record("add_all", tool, timed(["git", "add", "-A"], repo, {**env, "GIT_INDEX_FILE": str(index)}))
            index.unlink()
            touch(repo, files)
            record("status_touch_all", tool, timed(["git", "status"], repo, env, check_clean=True))
            record("status_untouched", tool, timed(["git", "status"], repo, env, check_clean=True))
        for tool in tools:
            touch(repos[tool], some)
            record("status_touch_20", tool, timed(["git", "status"], repos[tool], env, check_clean=True))
        record("doctor", "nbgit", timed([py, "-m", "nbgit", "doctor"], repos["nbgit"], env))
        record("doctor_no_content", "nbgit", timed([py, "-m", "nbgit", "doctor", "--no-content"], repos["nbgit"], env))
        print(f"  rep {rep + 1}/{reps} done", flush=True)
    doctor = subprocess.run([py, "-m", "nbgit", "doctor"], cwd=repos["nbgit"], env=env, capture_output=True)
    results["doctor_output"] = doctor.stdout.decode().strip()
    results["medians"] = {k: {t: statistics.median(v) for t, v in d.items()} for k, d in series.items()}
    results["samples"] = series
    return results


RSS_WRAPPER = """
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as fh:
    fh.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024))
sys.exit(rc)
"""


def big_notebook(path: Path, mb: int) -> int:
    blob = "iVBORw0KGgo" + "A" * (1_000_000 - 11)
    cells = [
        {"cell_type": "code", "execution_count": i + 1, "id": f"c{i}", "metadata": {},
         "outputs": [{"data": {"image/png": blob, "text/plain": ["<Figure>"]}, "execution_count": i + 1, "metadata": {}, "output_type": "execute_result"}],
         "source": [f"plot({i})"]}
        for i in range(mb)
    ]
    data = (json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1, sort_keys=True) + "\n").encode()
    path.write_bytes(data)
    return len(data)


def peak(cmd: list[str], cwd: Path, env: dict, stdin_path: Path | None = None) -> int:
    wrapper = WORK / "rss_wrapper.py"
    wrapper.write_text(RSS_WRAPPER)
    out = WORK / "rss"
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    stdout = open(WORK / "stdout.tmp", "wb")  # a real file: nbstripout truncates its output
    try:
        proc = subprocess.run([sys.executable, str(wrapper), str(out), *cmd], cwd=cwd, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
    finally:
        stdout.close()
        (WORK / "stdout.tmp").unlink()
        if stdin_path:
            stdin.close()
    if proc.returncode != 0:
        raise SystemExit(f"bench_scale: {cmd} failed: {proc.stderr.decode()[-2000:]}")
    return int(out.read_text())


def bench_memory(mb: int, env: dict, py: str, stripout: Path) -> dict:
    repo = WORK / "repo-big"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], repo, env)
    run([py, "-m", "nbgit", "install"], repo, env)
    size = big_notebook(repo / "big.ipynb", mb)
    wrapper = WORK / "rss_wrapper.py"
    wrapper.write_text(RSS_WRAPPER)
    run(["git", "config", "filter.nbgit.process", f"{sys.executable} {wrapper} {WORK / 'rss-filter'} {py} -m nbgit filter-process"], repo, env)
    t0 = time.perf_counter()
    git_peak = peak(["git", "add", "big.ipynb"], repo, env)  # git and its children (the wrapper, the filter)
    add_seconds = time.perf_counter() - t0
    filter_peak = int((WORK / "rss-filter").read_text())
    blob = int(run(["git", "cat-file", "-s", ":big.ipynb"], repo, env).stdout)
    floor = peak([py, "-c", "import json, sys; json.load(open(sys.argv[1], 'rb'))", str(repo / "big.ipynb")], repo, env)
    bare = peak([py, "-c", "pass"], repo, env)
    stripout_peak = peak([str(stripout / "bin" / "nbstripout")], repo, env, stdin_path=repo / "big.ipynb")
    return {
        "file_bytes": size,
        "blob_bytes": blob,
        "git_add_seconds": add_seconds,
        "nbgit_filter_peak": filter_peak,
        "git_add_tree_peak": git_peak,
        "json_load_floor_peak": floor,
        "python_bare_peak": bare,
        "nbstripout_peak": stripout_peak,
        "ratios": {k: v / size for k, v in (("nbgit_filter", filter_peak), ("json_load_floor", floor), ("nbstripout", stripout_peak))},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="notebooks in the repository (default 5000)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--big-mb", type=int, default=100, help="size of the large notebook in MB (default 100)")
    ap.add_argument("--no-nbstripout", action="store_true", help="skip nbstripout (its set-up takes a while)")
    ap.add_argument("--quick", action="store_true", help="n=300, reps=2, big-mb=20: a smoke run")
    args = ap.parse_args(argv)
    if args.quick:
        args.n, args.reps, args.big_mb = 300, 2, 20
    WORK.mkdir(parents=True, exist_ok=True)
    home = WORK / "home"
    home.mkdir(exist_ok=True)
    env = git_env(home)
    py = default_nbgit_python()
    stripout = nbstripout_venv(env)
    print(f"bench_scale: {args.n} notebooks, {args.reps} reps; {args.big_mb} MB notebook", flush=True)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": " ".join(["python", "benchmarks/bench_scale.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, {run(['git', 'version'], WORK, env).stdout.decode().strip()}",
        "load_before": os.getloadavg(),
        "repo": bench_repo(args.n, args.reps, env, py, stripout, not args.no_nbstripout),
        "memory": bench_memory(args.big_mb, env, py, stripout),
        "load_after": os.getloadavg(),
    }
    (WORK / "scale-results.json").write_text(json.dumps(result, indent=1))
    r = result["repo"]["medians"]
    print(f"\nrepository of {args.n} notebooks (medians of {args.reps}, seconds):")
    for key in ("add_all", "status_touch_all", "status_touch_20", "status_untouched"):
        row = r[key]
        ratio = f"  nbgit/none = {row['nbgit'] / row['none']:.1f}x"
        if "nbstripout" in row:
            ratio += f"  nbstripout/nbgit = {row['nbstripout'] / row['nbgit']:.1f}x"
        print(f"  {key:18} " + "  ".join(f"{t}={v:.3f}" for t, v in row.items()) + ratio)
    print(f"  nbgit doctor       {r['doctor']['nbgit']:.3f}   --no-content {r['doctor_no_content']['nbgit']:.3f}")
    print(f"  doctor said: {result['repo']['doctor_output']}")
    m = result["memory"]
    mb = 1e6
    print(f"\n{m['file_bytes'] / mb:.0f} MB notebook: git add {m['git_add_seconds']:.1f} s, blob {m['blob_bytes']} bytes")
    print(f"  peak RSS  nbgit filter {m['nbgit_filter_peak'] / mb:.0f} MB ({m['ratios']['nbgit_filter']:.2f}x file)"
          f"  json.load floor {m['json_load_floor_peak'] / mb:.0f} MB ({m['ratios']['json_load_floor']:.2f}x)"
          f"  nbstripout {m['nbstripout_peak'] / mb:.0f} MB ({m['ratios']['nbstripout']:.2f}x)"
          f"  bare python {m['python_bare_peak'] / mb:.0f} MB  git add tree {m['git_add_tree_peak'] / mb:.0f} MB")
    print(f"  load average before {result['load_before']}, after {result['load_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
