"""Merge speed: nbgit against nbdime, in the same run.

    python benchmarks/bench_merge.py                  # corpus (whole process) + 10,000-cell synthetic (in process)
    python benchmarks/bench_merge.py --cases 40       # a deterministic subset of the corpus cases
    python benchmarks/bench_merge.py --no-corpus      # synthetic only
    python benchmarks/bench_merge.py --no-corpus --synthetic 0 --v3 30   # nbformat 3 against 4 only

1. Whole process, real merges (../shared/corpus/merges): for every case, the
   wall time of one command that reads base/local/remote and writes the merged
   notebook, as a user or git runs it:

   * ``nbgit merge BASE LOCAL REMOTE -o OUT`` (nbgit's interpreter: /work/venv);
   * ``nbgit merge-driver O A B 7 PATH`` (what git runs; ``A`` is a fresh copy each time);
   * ``nbmerge BASE LOCAL REMOTE --out OUT`` from nbdime installed *alone* in
     its own venv (benchmarks/.work/nbdime-venv: ``python3 -m venv`` + ``pip
     install nbdime``, created on the first run), so that its start-up is what
     a user of nbdime pays.

   Both run with bytecode caching on (PYTHONPYCACHEPREFIX under
   benchmarks/.work, one warm-up run each), whatever the calling shell says.
   The runs of the tools are interleaved case by case (a busy machine slows
   both alike); each case's time is the median of ``--reps`` runs (nbdime:
   ``--nbdime-reps``). Reported: the median over cases of each tool's time and
   the median of the per-case ratios; also the children's CPU time (user +
   sys), which a busy machine disturbs less than wall time.

3. nbformat 3 against nbformat 4 (``--v3 N``): N corpus merges converted to
   nbformat 3 with nbformat (before timing), each merged as v4 and as v3,
   interleaved: the driver as a whole process (``--reps`` runs, median) and
   ``merge_blobs`` in process (median of 5); reported as the median over
   cases of the v3/v4 ratio (the same cells in both formats, so this is the
   per-cell ratio). The children import nbgit from this checkout
   (PYTHONPATH), so a copy of this script next to another checkout measures
   that one.

2. In process: ``merge_notebooks`` on a synthetic 10,000-cell notebook edited
   on both sides (each side: 5% of cells edited, 2% inserted, 2% deleted, 1%
   moved, with different seeds), median of ``--synthetic-reps`` runs.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
CORPUS = Path(os.environ.get("NBGIT_CORPUS", PROJECT.parent / "shared" / "corpus"))
WORK = PROJECT / "benchmarks" / ".work"

WORDS = ["alpha", "beta", "gamma", "delta", "x", "y", "df", "plot", "np", "pd", "total", "mean", "value", "data", "model"]


def nbgit_python() -> str:
    venv_python = Path("/work/venv/bin/python")
    return str(venv_python) if venv_python.exists() else sys.executable


def nbdime_venv() -> Path:
    """nbdime alone in its own venv, as a user would have it (made once, then reused)."""
    venv = WORK / "nbdime-venv"
    if not (venv / "bin" / "nbmerge").exists():
        WORK.mkdir(parents=True, exist_ok=True)
        python3 = shutil.which("python3") or sys.executable
        print(f"creating {venv} ({python3} -m venv; pip install nbdime) ...", flush=True)
        subprocess.run([python3, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "nbdime"], check=True)
    return venv


def child_env() -> dict:
    """The environment of the timed commands: bytecode caching on, as on a user's machine.

    With PYTHONDONTWRITEBYTECODE set (as in some CI shells) every run would
    recompile every module that has no .pyc yet: nbgit's (an editable install)
    but not nbdime's (pip compiled it). Both tools get the same cache
    directory under benchmarks/.work, filled by one warm-up run each.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    env["PYTHONPATH"] = str(PROJECT)  # the nbgit of this checkout
    return env


ENV = child_env()


CPU: dict[str, list[float]] = {}


def wall(cmd: list[str], cwd: Path, before=None, tool: str | None = None) -> tuple[float, int]:
    """Wall time and exit status of one run; the child's CPU time (user + sys) goes to CPU[tool]."""
    if before:
        before()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    elapsed = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if tool:
        CPU.setdefault(tool, []).append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return elapsed, proc.returncode


def bench_corpus(cases: list[Path], reps: int, nbdime_reps: int) -> dict:
    venv = nbdime_venv() if nbdime_reps else None  # --nbdime-reps 0: nbgit alone (before/after figures)
    py = nbgit_python()
    tmp = WORK / "merge"
    tmp.mkdir(parents=True, exist_ok=True)
    env_home = tmp  # no repository here: nbgit uses its default config
    rows = []
    warm = [str(cases[0] / f"{x}.ipynb") for x in ("base", "local", "remote")]
    wall([py, "-m", "nbgit", "merge", *warm, "-o", str(tmp / "out.ipynb")], env_home)  # fill the bytecode caches
    if venv:
        wall([str(venv / "bin" / "nbmerge"), *warm, "--out", str(tmp / "out.ipynb")], env_home)
    for n, case in enumerate(cases, 1):
        base, local, remote = (str(case / f"{x}.ipynb") for x in ("base", "local", "remote"))
        out = str(tmp / "out.ipynb")
        a_copy = tmp / "A.ipynb"

        def fresh_a():
            shutil.copyfile(local, a_copy)

        t_merge, t_driver, t_nbdime = [], [], []
        codes = {}
        for r in range(max(reps, nbdime_reps)):
            if r < reps:
                t, codes["nbgit"] = wall([py, "-m", "nbgit", "merge", base, local, remote, "-o", out], env_home, tool="nbgit")
                t_merge.append(t)
                t, codes["driver"] = wall([py, "-m", "nbgit", "merge-driver", base, str(a_copy), remote, "7", "nb.ipynb"],
                                          env_home, fresh_a, tool="driver")
                t_driver.append(t)
            if r < nbdime_reps:
                t, codes["nbdime"] = wall([str(venv / "bin" / "nbmerge"), base, local, remote, "--out", out], env_home, tool="nbdime")
                t_nbdime.append(t)
        cpu = {tool: statistics.median(CPU.pop(tool)) for tool in list(CPU)}
        row = {
            "case": f"{case.parent.name}/{case.name}",
            "cpu": cpu,
            "nbgit": statistics.median(t_merge),
            "driver": statistics.median(t_driver),
            "nbdime": statistics.median(t_nbdime) if t_nbdime else float("nan"),
            "exit": codes,
        }
        rows.append(row)
        print(f"[{n:3}/{len(cases)}] {row['case']:<45} nbgit {row['nbgit'] * 1000:7.1f} ms   driver {row['driver'] * 1000:7.1f} ms"
              f"   nbdime {row['nbdime'] * 1000:8.1f} ms   x{row['nbdime'] / row['nbgit']:5.1f}", flush=True)
    summary = {
        "cases": len(rows),
        "median_nbgit_s": statistics.median(r["nbgit"] for r in rows),
        "median_driver_s": statistics.median(r["driver"] for r in rows),
        "median_nbdime_s": statistics.median(r["nbdime"] for r in rows),
        "median_ratio": statistics.median(r["nbdime"] / r["nbgit"] for r in rows),
        "median_ratio_driver": statistics.median(r["nbdime"] / r["driver"] for r in rows),
        "min_ratio": min(r["nbdime"] / r["nbgit"] for r in rows),
        "median_cpu_nbgit_s": statistics.median(r["cpu"]["nbgit"] for r in rows),
        "median_cpu_nbdime_s": statistics.median(r["cpu"].get("nbdime", float("nan")) for r in rows),
        "median_cpu_ratio": statistics.median(r["cpu"].get("nbdime", float("nan")) / r["cpu"]["nbgit"] for r in rows),
    }
    return {"rows": rows, "summary": summary}


# -- nbformat 3 ---------------------------------------------------------------------------------


def to_v3(data: bytes) -> bytes | None:
    import nbformat

    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        # sources as strings: nbgit before the fix of upgrade_v3 (commit after 7ceadd1) failed on line lists
        from nbformat.v3 import nbjson

        return nbjson.writes(nbformat.convert(nb, 3), split_lines=False).encode("utf-8")
    except Exception:
        return None


def bench_v3(cases: list[Path], reps: int) -> dict:
    from nbgit.merge.blobs import merge_blobs
    from nbgit.notebook.config import Config

    py = nbgit_python()
    tmp = WORK / "merge-v3"
    tmp.mkdir(parents=True, exist_ok=True)
    rows = []
    for n, case in enumerate(cases, 1):
        v4 = [(case / f"{x}.ipynb").read_bytes() for x in ("base", "local", "remote")]
        v3 = [to_v3(d) for d in v4]
        if any(d is None for d in v3):
            continue
        try:
            merge_blobs(*v3, config=Config())
        except Exception as exc:  # an older nbgit may fail on some: say so, skip the case
            print(f"[{n:3}/{len(cases)}] {case.parent.name}/{case.name}: v3 merge failed ({type(exc).__name__}), skipped")
            continue
        for fmt, datas in (("v4", v4), ("v3", v3)):
            for name, d in zip("OB", (datas[0], datas[2])):
                (tmp / f"{fmt}-{name}").write_bytes(d)
        times: dict[str, list[float]] = {"v4": [], "v3": [], "v4_in": [], "v3_in": []}
        for r in range(reps):
            for fmt, datas in (("v4", v4), ("v3", v3)):
                a = tmp / f"{fmt}-A"

                def fresh(a=a, d=datas[1]):
                    a.write_bytes(d)

                t, _ = wall([py, "-m", "nbgit", "merge-driver", str(tmp / f"{fmt}-O"), str(a), str(tmp / f"{fmt}-B"), "7", "nb.ipynb"],
                            tmp, fresh)
                times[fmt].append(t)
        for fmt, datas in (("v4", v4), ("v3", v3)):
            for _ in range(5):
                t = time.perf_counter()
                merge_blobs(*datas, config=Config())
                times[f"{fmt}_in"].append(time.perf_counter() - t)
        cells = len(json.loads(v4[1]).get("cells", []))
        row = {"case": f"{case.parent.name}/{case.name}", "cells": cells, **{k: statistics.median(v) for k, v in times.items()}}
        rows.append(row)
        print(f"[{n:3}/{len(cases)}] {row['case']:<45} {cells:4} cells  driver v4 {row['v4'] * 1000:6.1f} ms  v3 {row['v3'] * 1000:6.1f} ms"
              f"   in process v4 {row['v4_in'] * 1000:6.1f} ms  v3 {row['v3_in'] * 1000:6.1f} ms", flush=True)
    summary = {
        "cases": len(rows),
        "median_driver_v4_s": statistics.median(r["v4"] for r in rows),
        "median_driver_v3_s": statistics.median(r["v3"] for r in rows),
        "median_ratio_driver": statistics.median(r["v3"] / r["v4"] for r in rows),
        "median_ratio_in_process": statistics.median(r["v3_in"] / r["v4_in"] for r in rows),
        "max_ratio_in_process": max(r["v3_in"] / r["v4_in"] for r in rows),
        "median_in_v4_ms_per_cell": statistics.median(r["v4_in"] * 1000 / max(r["cells"], 1) for r in rows),
        "median_in_v3_ms_per_cell": statistics.median(r["v3_in"] * 1000 / max(r["cells"], 1) for r in rows),
    }
    s = summary
    print(f"\nnbformat 3 vs 4, {s['cases']} merges: driver (whole process) median v4 {s['median_driver_v4_s'] * 1000:.1f} ms, "
          f"v3 {s['median_driver_v3_s'] * 1000:.1f} ms, median v3/v4 ratio {s['median_ratio_driver']:.2f}; in process "
          f"median v3/v4 ratio {s['median_ratio_in_process']:.2f} (max {s['max_ratio_in_process']:.2f}; "
          f"{s['median_in_v4_ms_per_cell']:.3f} vs {s['median_in_v3_ms_per_cell']:.3f} ms per cell)")
    return {"rows": rows, "summary": summary}


# -- synthetic ----------------------------------------------------------------------------------


def synthetic_base(n: int, seed: int = 0) -> dict:
    rnd = random.Random(seed)
    cells = []
    for k in range(n):
        if k % 4 == 0:
            cells.append({"cell_type": "markdown", "id": f"c{k}", "metadata": {},
                          "source": [f"## Section {k}\n", f"Some text about {rnd.choice(WORDS)}.\n"]})
        else:
            lines = [f"{rnd.choice(WORDS)}_{k} = {rnd.choice(WORDS)}({rnd.randint(0, 999)})\n" for _ in range(rnd.randint(1, 8))]
            cells.append({"cell_type": "code", "execution_count": None, "id": f"c{k}", "metadata": {}, "outputs": [],
                          "source": lines})
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def synthetic_side(base: dict, seed: int, tag: str) -> dict:
    """5% of the cells edited (a line appended), 2% inserted, 2% deleted, 1% moved."""
    rnd = random.Random(seed)
    nb = copy.deepcopy(base)
    cells = nb["cells"]
    n = len(cells)
    order = list(range(n))
    rnd.shuffle(order)
    n_edit, n_del, n_move, n_ins = n * 5 // 100, n * 2 // 100, n // 100, n * 2 // 100
    for k in order[:n_edit]:
        cells[k]["source"] = [*cells[k]["source"], f"{tag}_edit_{k} = True\n"]
    gone = set(order[n_edit: n_edit + n_del + n_move])
    moving = [cells[k] for k in order[n_edit + n_del: n_edit + n_del + n_move]]
    out = [c for k, c in enumerate(cells) if k not in gone]
    for c in moving:
        out.insert(rnd.randrange(len(out) + 1), c)
    for t in range(n_ins):
        out.insert(rnd.randrange(len(out) + 1), {"cell_type": "code", "execution_count": None, "id": f"{tag}{t}",
                                                 "metadata": {}, "outputs": [], "source": [f"{tag}_new_{t} = {t}\n"]})
    nb["cells"] = out
    return nb


def bench_synthetic(n: int, reps: int) -> dict:
    from nbgit.merge import merge_notebooks

    base = synthetic_base(n)
    local, remote = synthetic_side(base, 1, "local"), synthetic_side(base, 2, "remote")
    times = []
    cpu = []
    result = None
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        result = merge_notebooks(base, local, remote)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    kinds: dict[str, int] = {}
    for c in result.conflicts:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    row = {"cells": n, "median_s": statistics.median(times), "min_s": min(times), "median_cpu_s": statistics.median(cpu), "reps": reps,
           "merged_cells": len(result.notebook["cells"]), "conflicts": kinds}
    print(f"synthetic {n} cells, edits on both sides: median {row['median_s']:.3f} s wall, {row['median_cpu_s']:.3f} s CPU "
          f"(min {row['min_s']:.3f} s, {reps} runs); "
          f"{row['merged_cells']} cells merged, conflicts {kinds}")
    return row


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=0, help="use every k-th case so that about this many run (0: all)")
    p.add_argument("--reps", type=int, default=3, help="runs per case for nbgit (median)")
    p.add_argument("--nbdime-reps", type=int, default=1, help="runs per case for nbdime (median)")
    p.add_argument("--synthetic", type=int, default=10_000, help="cells of the synthetic notebook (0: skip)")
    p.add_argument("--synthetic-reps", type=int, default=5)
    p.add_argument("--no-corpus", action="store_true")
    p.add_argument("--v3", type=int, default=0, metavar="N", help="also time N corpus merges as nbformat 3 against 4 (0: skip)")
    p.add_argument("--json", default=str(WORK / "merge-results.json"), help="where to write the figures")
    args = p.parse_args()
    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "command": " ".join(sys.argv)}
    if not args.no_corpus:
        cases = sorted(p for p in (CORPUS / "merges").glob("*/*") if (p / "base.ipynb").is_file())
        if not cases:
            sys.exit(f"no merge cases under {CORPUS / 'merges'}")
        if args.cases and args.cases < len(cases):
            step = len(cases) / args.cases
            cases = [cases[int(i * step)] for i in range(args.cases)]
        results["corpus"] = bench_corpus(cases, args.reps, args.nbdime_reps)
        s = results["corpus"]["summary"]
        print(f"\ncorpus, {s['cases']} cases, whole process: median nbgit merge {s['median_nbgit_s'] * 1000:.1f} ms, "
              f"merge-driver {s['median_driver_s'] * 1000:.1f} ms, nbdime nbmerge {s['median_nbdime_s'] * 1000:.0f} ms; "
              f"median per-case speed-up {s['median_ratio']:.1f}x (driver {s['median_ratio_driver']:.1f}x), "
              f"smallest {s['min_ratio']:.1f}x; CPU time (user+sys) median nbgit {s['median_cpu_nbgit_s'] * 1000:.0f} ms, "
              f"nbdime {s['median_cpu_nbdime_s'] * 1000:.0f} ms, per-case ratio {s['median_cpu_ratio']:.1f}x")
    if args.v3:
        cases = sorted(p for p in (CORPUS / "merges").glob("*/*") if (p / "base.ipynb").is_file())
        step = max(len(cases) / args.v3, 1)
        results["v3"] = bench_v3([cases[int(i * step)] for i in range(min(args.v3, len(cases)))], args.reps)
    if args.synthetic:
        results["synthetic"] = bench_synthetic(args.synthetic, args.synthetic_reps)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1))
    print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
