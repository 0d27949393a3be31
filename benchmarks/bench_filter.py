"""Benchmark of nbgit's clean filter. Run: `python benchmarks/bench_filter.py [--quick]` (from the project root).

Three parts, all in one run on one machine:

1. ``git status`` after touching N committed notebooks (50 cells each, with outputs: text, HTML
   tables, 20-50 kB base64 PNGs), so that git has to run the clean filter on every one again.
   Three repositories set up identically, differing only in the filter:

   * ``none``: no filter; the notebooks are committed as they are, git re-hashes them (the floor);
   * ``nbstripout``: installed alone in its own venv (benchmarks/.work/nbstripout-venv, made with
     ``python3 -m venv`` + ``pip install nbstripout``) and set up with ``nbstripout --install``,
     the way its users have it (one-shot ``clean`` command, one Python process per file);
   * ``nbgit``: set up with ``nbgit install`` (the long-running ``filter.nbgit.process``).

   With a filter the notebooks are committed clean (``git add`` runs the filter), so the committed
   blob is clean and the work tree keeps its outputs: the state of a real repository. (For
   nbstripout the set-up strips copies with one batch ``nbstripout FILES...`` call instead of
   one process per file; every timed run uses its real filter and must find the tree clean.)
   Each repetition touches every notebook (new mtime, same bytes) and times one ``git status``,
   wall clock and CPU (user+sys of git and the filter processes it starts); repetitions of the
   three tools are interleaved and medians are reported, with ratios. N = 5, 50 and 500 by
   default; nbstripout is timed 3 times at N <= 50 and once above (one run at N=500 takes
   minutes). HOME is a fresh folder under benchmarks/.work/ and GIT_CONFIG_NOSYSTEM=1.

2. Clean throughput (MB/s) of ``nbgit.notebook.clean.clean_bytes`` in-process, on notebooks with
   outputs and on already clean ones, against ``json.loads`` alone and against
   ``json.loads`` + ``json.dumps(indent=1, sort_keys=True, ensure_ascii=False)`` (the physical
   floor of any tool that parses and rewrites the JSON).

3. Start-up of ``python -m nbgit filter-process`` (handshake + one clean, then EOF) with
   ``-X importtime``: total import time, the costliest top-level imports, and a check that
   nbformat, jsonschema, nbdime and pygit2 are not imported. Wall-clock start-up of nbgit's
   filter process and of one nbstripout call are given too.

``--profile`` instead runs the filter protocol in-process (``nbgit.git.filter.serve``) on a
transcript of N notebooks under cProfile and prints where the time goes.

Results are printed and written to benchmarks/.work/filter-results.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
WORK = HERE / ".work"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(PROJECT))

from bench_filter_notebooks import N_CELLS, notebook_bytes  # noqa: E402

TOOLS = ("none", "nbstripout", "nbgit")
FORBIDDEN_IMPORTS = ("nbformat", "jsonschema", "nbdime", "pygit2", "fastjsonschema")


# --- environment ---------------------------------------------------------------------------


def git_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
        LC_ALL="C",
    )
    env.pop("NO_COLOR", None)
    return env


def run(cmd, cwd, env, input: bytes | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, input=input, capture_output=True)
    if proc.returncode != 0:
        raise SystemExit(
            f"bench_filter: {' '.join(map(str, cmd))} failed ({proc.returncode}) in {cwd}:\n"
            f"{proc.stdout.decode(errors='replace')}{proc.stderr.decode(errors='replace')}"
        )
    return proc


def nbstripout_venv(env: dict) -> Path:
    """nbstripout alone in its own venv, as a user would have it (made once, then reused)."""
    venv = WORK / "nbstripout-venv"
    exe = venv / "bin" / "nbstripout"
    if not exe.exists():
        python3 = shutil.which("python3") or sys.executable
        print(f"creating {venv} ({python3} -m venv; pip install nbstripout) ...", flush=True)
        run([python3, "-m", "venv", str(venv)], WORK, env)
        run([str(venv / "bin" / "pip"), "install", "-q", "nbstripout"], WORK, env)
    return venv


def nbgit_venv(env: dict) -> Path:
    """nbgit installed the way a user has it: `pip install` of this tree (not editable) in its own venv.

    Rebuilt at every call (the tree may have changed); built from a copy so that no build/ folder
    is left in the project.
    """
    venv = WORK / "nbgit-venv"
    src = WORK / "nbgit-src"
    for path in (venv, src):
        if path.exists():
            shutil.rmtree(path)
    src.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT / name, src / name)
    for folder in ("nbgit", "jupyter-config"):  # the package and its data-files
        shutil.copytree(PROJECT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    python3 = shutil.which("python3") or sys.executable
    print(f"creating {venv} ({python3} -m venv; pip install <copy of this tree>) ...", flush=True)
    run([python3, "-m", "venv", str(venv)], WORK, env)
    run([str(venv / "bin" / "pip"), "install", "-q", str(src)], WORK, env)
    shutil.rmtree(src)
    return venv


def default_nbgit_python() -> str:
    venv_python = Path("/work/venv/bin/python")
    return str(venv_python) if venv_python.exists() else sys.executable


# --- part 1: git status --------------------------------------------------------------------


def make_repo(path: Path, tool: str, n: int, env: dict, nbgit_python: str, stripout_venv: Path, blobs: list[bytes]) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], path, env)
    if tool == "nbstripout":
        run([str(stripout_venv / "bin" / "nbstripout"), "--install"], path, env)
    elif tool == "nbgit":
        run([nbgit_python, "-m", "nbgit", "install"], path, env)
    names = [f"nb{i:04d}.ipynb" for i in range(n)]
    for name, data in zip(names, blobs):
        (path / name).write_bytes(data)
    add = ["git", "add", "-A"]
    if tool == "nbstripout":
        # `git add` through nbstripout's filter starts Python once per notebook (minutes for
        # 500). Set-up only: strip copies in place with one `nbstripout FILES...` call and let
        # `git add` take those bytes as the clean result (the index then records the work-tree
        # files' stat data, as after a normal `git add`). Every timed `git status` runs the real
        # filter and must find the tree clean, which checks that its output equals these blobs.
        side = path.parent / "nbstripout-stripped"
        if side.exists():
            shutil.rmtree(side)
        side.mkdir()
        for name, data in zip(names, blobs):
            (side / name).write_bytes(data)
        run([str(stripout_venv / "bin" / "nbstripout"), *names], side, env)
        add = ["git", "-c", f"filter.nbstripout.clean=cat {shlex.quote(str(side))}/%f", "add", "-A"]
    run(add, path, env)
    run(["git", "commit", "-q", "-m", f"{n} notebooks"], path, env)
    # the committed blob is clean when a filter is installed, the work tree keeps its outputs
    blob = run(["git", "cat-file", "blob", "HEAD:nb0000.ipynb"], path, env).stdout
    if tool == "none":
        assert blob == blobs[0], "no-filter repo: blob differs from the file"
    else:
        assert b'"outputs": []' in blob and b"image/png" not in blob, f"{tool}: committed blob is not clean"
        assert b"image/png" in (path / "nb0000.ipynb").read_bytes()


_TOUCHES = [0]


def touch_all(path: Path, n: int) -> None:
    # A new mtime in whole seconds (git may compare stat times to the second only), in the past
    # so that it is never racy with the index, and different at every call.
    _TOUCHES[0] += 1
    t = (int(time.time()) - 10**6 + _TOUCHES[0]) * 10**9
    for i in range(n):
        os.utime(path / f"nb{i:04d}.ipynb", ns=(t, t))


def timed_status(path: Path, n: int, env: dict) -> tuple[float, float]:
    """Touch the notebooks, run `git status`: (wall seconds, CPU seconds of git and the filter processes)."""
    touch_all(path, n)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(["git", "status"], cwd=path, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out = proc.stdout.decode(errors="replace")
    if proc.returncode != 0 or "working tree clean" not in out:
        raise SystemExit(f"bench_filter: git status in {path} is not clean:\n{out}{proc.stderr.decode(errors='replace')}")
    return elapsed, cpu


def bench_status(sizes, reps: int, stripout_reps: int | None, env: dict, nbgit_python: str, stripout_venv: Path, tools=TOOLS) -> dict:
    results = {}
    for n in sizes:
        print(f"\n== git status after touching {n} notebooks ==", flush=True)
        blobs = [notebook_bytes(i) for i in range(n)]
        total = sum(map(len, blobs))
        print(f"{n} notebooks x {N_CELLS} cells, {total / 1e6:.1f} MB in the work tree (mean {total / n / 1e3:.0f} kB)")
        repos = {}
        for tool in tools:
            path = WORK / "filter" / f"n{n}" / tool
            t0 = time.perf_counter()
            make_repo(path, tool, n, env, nbgit_python, stripout_venv, blobs)
            repos[tool] = path
            print(f"  set up {tool:10s} in {time.perf_counter() - t0:6.1f} s", flush=True)
        times: dict[str, list[float]] = {tool: [] for tool in tools}
        cpu: dict[str, list[float]] = {tool: [] for tool in tools}
        for tool in tools:  # warm-up (page cache, first index refresh); nbstripout is too slow to need one
            if tool != "nbstripout":
                timed_status(repos[tool], n, env)
        n_stripout = stripout_reps if stripout_reps is not None else (3 if n <= 50 else 1)
        for rep in range(reps):
            order = tools[rep % len(tools) :] + tools[: rep % len(tools)]  # interleave, rotate the order
            for tool in order:
                if tool == "nbstripout" and rep >= n_stripout:
                    continue
                wall, cpu_s = timed_status(repos[tool], n, env)
                times[tool].append(wall)
                cpu[tool].append(cpu_s)
            print(f"  rep {rep + 1}/{reps}: " + "  ".join(f"{t} {times[t][-1]:.3f}s" for t in tools if len(times[t]) > rep), flush=True)
        med = {tool: statistics.median(ts) for tool, ts in times.items()}
        med_cpu = {tool: statistics.median(ts) for tool, ts in cpu.items()}
        res = {
            "notebooks": n,
            "work_tree_mb": round(total / 1e6, 2),
            "times_s": {t: [round(x, 4) for x in ts] for t, ts in times.items()},
            "median_s": {t: round(v, 4) for t, v in med.items()},
            "cpu_s": {t: [round(x, 4) for x in ts] for t, ts in cpu.items()},
            "median_cpu_s": {t: round(v, 4) for t, v in med_cpu.items()},
        }
        results[str(n)] = res
        print("  median wall: " + "  ".join(f"{t} {v:.3f}s" for t, v in med.items()))
        print("  median CPU (git + filter processes, user+sys): " + "  ".join(f"{t} {v:.3f}s" for t, v in med_cpu.items()))
        if "nbstripout" in med and "nbgit" in med:
            res["nbstripout_over_nbgit"] = ratio = round(med["nbstripout"] / med["nbgit"], 1)
            res["nbstripout_over_nbgit_cpu"] = cratio = round(med_cpu["nbstripout"] / med_cpu["nbgit"], 1)
            print(f"  nbgit is {ratio}x faster than nbstripout (target >= 50x: {'met' if ratio >= 50 else 'NOT met'}); CPU: {cratio}x")
        if "none" in med and "nbgit" in med:
            res["nbgit_over_none"] = ratio = round(med["nbgit"] / med["none"], 2)
            res["nbgit_over_none_cpu"] = cratio = round(med_cpu["nbgit"] / med_cpu["none"], 2)
            print(f"  nbgit takes {ratio}x the no-filter time (target <= 4x: {'met' if ratio <= 4 else 'NOT met'}); CPU: {cratio}x", flush=True)
    return results


# --- part 2: throughput --------------------------------------------------------------------


def _best_rate(fn, items, total_bytes: int, reps: int) -> float:
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, time.perf_counter() - start)
    return total_bytes / best / 1e6


def bench_throughput(n_notebooks: int, reps: int) -> dict:
    from nbgit.notebook.clean import clean_bytes
    from nbgit.notebook.config import DEFAULT_CONFIG

    def floor(data: bytes) -> bytes:
        return json.dumps(json.loads(data), indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")

    def clean(data: bytes) -> bytes:
        return clean_bytes(data, DEFAULT_CONFIG)

    dirty = [notebook_bytes(i) for i in range(n_notebooks)]
    already = [clean(d) for d in dirty]
    assert all(clean(c) is c for c in already), "clean_bytes must return clean input as it is"
    sets = {"with outputs": dirty, "already clean": already}
    corpus = PROJECT.parent / "shared" / "corpus"
    if corpus.is_dir():
        real = []
        for p in sorted(corpus.rglob("*.ipynb")):
            data = p.read_bytes()
            try:
                floor(data)
                clean(data)
            except Exception:  # conflicted or broken corpus files: not a throughput case
                continue
            real.append(data)
        sets[f"corpus ({len(real)} real notebooks)"] = real
    print("\n== clean throughput, in-process, best of %d (MB/s of input) ==" % reps)
    print(f"  {'input':34s} {'size':>9s} {'json.loads':>11s} {'loads+dumps':>12s} {'clean_bytes':>12s} {'vs floor':>9s}")
    results = {}
    for name, items in sets.items():
        total = sum(map(len, items))
        r_loads = _best_rate(json.loads, items, total, reps)
        r_floor = _best_rate(floor, items, total, reps)
        r_clean = _best_rate(clean, items, total, reps)
        results[name] = {
            "files": len(items),
            "mb": round(total / 1e6, 2),
            "json_loads_mb_s": round(r_loads),
            "floor_mb_s": round(r_floor),
            "clean_bytes_mb_s": round(r_clean),
            "clean_over_floor": round(r_clean / r_floor, 2),
        }
        print(
            f"  {name:34s} {total / 1e6:7.1f}MB {r_loads:11.0f} {r_floor:12.0f} {r_clean:12.0f} {r_clean / r_floor:8.2f}x"
        )
    return results


# --- part 3: start-up ----------------------------------------------------------------------


def pkt(payload: bytes) -> bytes:
    return b"%04x" % (len(payload) + 4) + payload


def text_pkts(*lines: str) -> bytes:
    return b"".join(pkt(line.encode() + b"\n") for line in lines) + b"0000"


def content_pkts(data: bytes) -> bytes:
    return b"".join(pkt(data[i : i + 65516]) for i in range(0, len(data), 65516)) + b"0000"


def transcript(notebooks: list[bytes]) -> bytes:
    """What git sends a filter process to clean these notebooks, then EOF."""
    parts = [text_pkts("git-filter-client", "version=2"), text_pkts("capability=clean", "capability=smudge", "capability=delay")]
    for i, data in enumerate(notebooks):
        parts.append(text_pkts("command=clean", f"pathname=nb{i:04d}.ipynb"))
        parts.append(content_pkts(data))
    return b"".join(parts)


def parse_importtime(stderr: str) -> list[tuple[int, int, int, str]]:
    """(self_us, cumulative_us, depth, module) per ``-X importtime`` line."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cum_us, name = line[len("import time:"):].split("|")
        name = name[1:]  # one space after the bar, then two per nesting level
        rows.append((int(self_us), int(cum_us), (len(name) - len(name.lstrip())) // 2, name.strip()))
    return rows


def bench_startup(env: dict, nbgit_python: str, stripout_venv: Path, reps: int) -> dict:
    print("\n== start-up of `python -m nbgit filter-process` (handshake + one clean, then EOF) ==")
    request = transcript([notebook_bytes(0)])
    runs = []
    for _ in range(reps):  # -X importtime figures are noisy on a shared machine: medians of `reps` runs
        proc = subprocess.run(
            [nbgit_python, "-X", "importtime", "-m", "nbgit", "filter-process"], input=request, capture_output=True, env=env, cwd=WORK
        )
        assert proc.returncode == 0 and b"status=success" in proc.stdout, proc.stderr.decode()
        runs.append(parse_importtime(proc.stderr.decode()))
    rows = runs[0]
    names = sorted({r[3] for run_rows in runs for r in run_rows})
    total_us = statistics.median(sum(r[0] for r in run_rows) for run_rows in runs)
    cumulative: dict[str, list[int]] = {}
    for run_rows in runs:
        for _, cum_us, depth, name in run_rows:
            if depth == 0:
                cumulative.setdefault(name, []).append(cum_us)
    top = sorted(((statistics.median(v), name) for name, v in cumulative.items()), reverse=True)[:12]
    bad = sorted({n for n in names for f in FORBIDDEN_IMPORTS if n == f or n.startswith(f + ".")})
    print(f"  {len(rows)} modules imported, {total_us / 1000:.1f} ms of import time in total "
          f"(sum of self times; median of {reps} runs)")
    print("  costliest top-level imports (cumulative, median):")
    for cum_us, name in top:
        print(f"    {cum_us / 1000:7.2f} ms  {name}")
    editable = [statistics.median(r[1] for r in run_rows if r[3].startswith("__editable__")) for run_rows in runs
                if any(r[3].startswith("__editable__") for r in run_rows)]
    if editable:
        print(f"  note: `site` includes {statistics.median(editable) / 1000:.1f} ms for pip's editable-install finder of nbgit")
    typing_loaded = "typing" in names
    print(f"  typing imported: {'yes' if typing_loaded else 'no'}")
    ours = [r[3] for r in rows if r[3] == "nbgit" or r[3].startswith("nbgit.")]
    print(f"  nbgit modules: {', '.join(ours)}")
    print(f"  forbidden modules imported ({', '.join(FORBIDDEN_IMPORTS)}): {', '.join(bad) if bad else 'none'}")

    def wall(cmd, stdin: bytes | None) -> float:
        ts = []
        for _ in range(reps):
            start = time.perf_counter()
            subprocess.run(cmd, input=stdin, capture_output=True, env=env, cwd=WORK)
            ts.append(time.perf_counter() - start)
        return statistics.median(ts)

    python_pass = wall([nbgit_python, "-c", "pass"], None)
    nbgit_wall = wall([nbgit_python, "-m", "nbgit", "filter-process"], request)
    stripout_wall = wall([str(stripout_venv / "bin" / "python"), "-m", "nbstripout"], notebook_bytes(0))
    print(f"  wall clock, median of {reps}: python -c pass {python_pass * 1000:.0f} ms; "
          f"nbgit filter-process (start + 1 notebook) {nbgit_wall * 1000:.0f} ms; "
          f"nbstripout (one file, what git pays per notebook) {stripout_wall * 1000:.0f} ms")
    return {
        "modules": len(rows),
        "import_total_ms": round(total_us / 1000, 1),
        "top_level": [(name, round(cum / 1000, 2)) for cum, name in top],
        "typing_imported": typing_loaded,
        "nbgit_modules": ours,
        "forbidden_imported": bad,
        "wall_python_pass_ms": round(python_pass * 1000),
        "wall_nbgit_filter_process_ms": round(nbgit_wall * 1000),
        "wall_nbstripout_one_file_ms": round(stripout_wall * 1000),
    }


# --- --profile -----------------------------------------------------------------------------


def profile(n: int) -> None:
    import cProfile
    import pstats

    from nbgit.git.filter import serve
    from nbgit.notebook.config import DEFAULT_CONFIG

    data = transcript([notebook_bytes(i) for i in range(n)])

    def once() -> float:
        out = io.BytesIO()
        start, cpu = time.perf_counter(), time.process_time()
        code = serve(io.BytesIO(data), out, sys.stderr, loader=lambda: DEFAULT_CONFIG)
        assert code == 0
        cpu_times.append(time.process_time() - cpu)
        return time.perf_counter() - start

    cpu_times: list[float] = []
    times = [once() for _ in range(15)]
    best, med = min(times), statistics.median(times)
    print(f"serve() on {n} notebooks ({len(data) / 1e6:.1f} MB), 15 runs: best {best * 1000:.1f} ms "
          f"({len(data) / best / 1e6:.0f} MB/s), median {med * 1000:.1f} ms, median CPU {statistics.median(cpu_times) * 1000:.1f} ms")
    prof = cProfile.Profile()
    prof.runcall(once)
    pstats.Stats(prof).sort_stats("tottime").print_stats(20)


# --- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="N=50 only, fewer repetitions (a smoke run, about a minute)")
    p.add_argument("--sizes", default=None, help="comma-separated notebook counts (default 5,50,500)")
    p.add_argument("--reps", type=int, default=None, help="timed git status runs per tool (default 7; --quick 3)")
    p.add_argument("--stripout-reps", type=int, default=None, help="repetitions for nbstripout (default 3 at N<=50, 1 above: one run at N=500 takes minutes; --quick 1)")
    p.add_argument("--nbgit-python", default=default_nbgit_python(), help="interpreter that runs `nbgit install` (default /work/venv/bin/python if present, else this one)")
    p.add_argument("--regular-install", action="store_true",
                   help="use nbgit pip-installed (not editable) in its own venv under benchmarks/.work/ instead of --nbgit-python")
    p.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of none,nbstripout,nbgit (default: all)")
    p.add_argument("--only", choices=("status", "throughput", "startup"), help="run one part only")
    p.add_argument("--profile", type=int, metavar="N", help="profile the filter protocol in-process on N notebooks and stop")
    args = p.parse_args(argv)

    if args.profile:
        profile(args.profile)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([50] if args.quick else [5, 50, 500])
    reps = args.reps or (3 if args.quick else 7)
    stripout_reps = args.stripout_reps or (1 if args.quick else None)

    WORK.mkdir(parents=True, exist_ok=True)
    home = WORK / "filter-home"
    home.mkdir(exist_ok=True)
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")
    env = git_env(home)
    venv = nbstripout_venv(env)
    if args.regular_install:
        args.nbgit_python = str(nbgit_venv(env) / "bin" / "python")
    stripout_version = run([str(venv / "bin" / "python"), "-m", "pip", "show", "nbstripout"], WORK, env).stdout.decode()
    stripout_version = next((ln.split(":", 1)[1].strip() for ln in stripout_version.splitlines() if ln.startswith("Version:")), "?")
    git_version = run(["git", "--version"], WORK, env).stdout.decode().strip()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {git_version}; Python {platform.python_version()} "
          f"({args.nbgit_python}); nbstripout {stripout_version}; {os.cpu_count()} cores; {platform.platform()}")

    results: dict = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": "python benchmarks/bench_filter.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "git": git_version,
        "python": platform.python_version(),
        "nbstripout": stripout_version,
        "cores": os.cpu_count(),
    }
    if args.only in (None, "status"):
        tools = tuple(t for t in TOOLS if t in args.tools.split(","))
        results["status"] = bench_status(sizes, reps, stripout_reps, env, args.nbgit_python, venv, tools)
    if args.only in (None, "throughput"):
        results["throughput"] = bench_throughput(20 if args.quick else 50, 3 if args.quick else 7)
    if args.only in (None, "startup"):
        results["startup"] = bench_startup(env, args.nbgit_python, venv, 5 if args.quick else 15)
    out = WORK / "filter-results.json"
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nresults written to {out.relative_to(PROJECT)}")
    if args.only in (None, "startup") and results["startup"]["forbidden_imported"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
