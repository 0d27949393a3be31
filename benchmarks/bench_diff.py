"""Diff speed: nbgit.diff_notebooks against nbdime.diff_notebooks, in the same run.

    python benchmarks/bench_diff.py                      # everything (nbdime capped at --nbdime-timeout)
    python benchmarks/bench_diff.py --sizes 100 1000     # synthetic sizes to run
    python benchmarks/bench_diff.py --no-real            # skip the corpus pairs
    python benchmarks/bench_diff.py --ids-added 10000    # `nbgit diff` with ids added to every cell vs not

Synthetic notebooks: N cells (a markdown cell every 4th, code cells of 1-8
lines with a stream output), and a second version with 5% of the cells edited
(a line appended), 2% inserted, 2% deleted and 1% moved, with cell ids and
without. Real pairs: consecutive revisions from ../shared/corpus/diffs.

Both tools get already-parsed notebooks (parsing is not timed): nbgit the
plain JSON dicts, nbdime nbformat nodes (sources as strings, as it requires).
Times are medians of several runs of the CPU time of the diff call
(``time.process_time``), which other load on a shared machine disturbs far
less than wall-clock time; ``--wall`` measures wall-clock time instead. nbdime
runs in a child process so that a size it cannot finish is reported as
"> TIMEOUT s" (a wall-clock limit).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
CORPUS = Path(os.environ.get("NBGIT_CORPUS", PROJECT.parent / "shared" / "corpus"))

WORDS = ["alpha", "beta", "gamma", "delta", "x", "y", "df", "plot", "np", "pd", "total", "mean", "value", "data", "model", "fit"]


def _code(source: str, ids: bool, cid: str, out: str | None) -> dict:
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": [out]}] if out else [],
        "source": source.splitlines(keepends=True),
    }
    if ids:
        cell["id"] = cid
    return cell


def _markdown(source: str, ids: bool, cid: str) -> dict:
    cell = {"cell_type": "markdown", "metadata": {}, "source": source.splitlines(keepends=True)}
    if ids:
        cell["id"] = cid
    return cell


def _notebook(cells: list) -> dict:
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def synthetic_pair(n: int, ids: bool, seed: int = 0) -> tuple[dict, dict]:
    """A notebook of ``n`` cells and its edit: 5% edited, 2% inserted, 2% deleted, 1% moved."""
    rnd = random.Random(seed)
    cells = []
    for k in range(n):
        if k % 4 == 0:
            cells.append(_markdown(f"## Section {k}\nSome text about {rnd.choice(WORDS)}.\n", ids, f"c{k}"))
        else:
            lines = [
                f"{rnd.choice(WORDS)}_{k} = {rnd.choice(WORDS)}({rnd.randint(0, 999)})\n" for _ in range(rnd.randint(1, 8))
            ]
            cells.append(_code("".join(lines), ids, f"c{k}", f"out {k}\n"))
    order = list(range(n))
    rnd.shuffle(order)
    n_edit, n_ins, n_del, n_move = n * 5 // 100, n * 2 // 100, n * 2 // 100, n // 100
    edit = order[:n_edit]
    delete = set(order[n_edit : n_edit + n_del])
    move = order[n_edit + n_del : n_edit + n_del + n_move]
    b_cells = [dict(c) for c in cells]
    for k in edit:
        b_cells[k] = {**b_cells[k], "source": b_cells[k]["source"] + [f"edited_{k} = True\n"]}
    moving = set(move)
    out = [c for k, c in enumerate(b_cells) if k not in delete and k not in moving]
    for k in move:
        out.insert(rnd.randrange(len(out) + 1), b_cells[k])
    for t in range(n_ins):
        out.insert(rnd.randrange(len(out) + 1), _code(f"inserted_{t} = {rnd.random()}\n", ids, f"new{t}", None))
    return _notebook(cells), _notebook(out)


def for_nbdime(nb: dict):
    import nbformat

    return nbformat.reads(json.dumps(nb), as_version=4)


CLOCK = time.process_time


def median_time(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = CLOCK()
        fn()
        times.append(CLOCK() - t0)
    return statistics.median(times)


def nbgit_time(a: dict, b: dict, reps: int) -> float:
    from nbgit.diff import diff_notebooks

    diff_notebooks(a, b)  # warm-up (imports)
    return median_time(lambda: diff_notebooks(a, b), reps)


def nbdime_time_in_child(n: int, ids: bool, reps: int, timeout: float) -> float | None:
    """Median nbdime time for the synthetic pair, or None when it did not finish in ``timeout`` s."""
    cmd = [sys.executable, __file__, "--nbdime-worker", str(n), str(int(ids)), str(reps)]
    if CLOCK is time.perf_counter:
        cmd.append("--wall")
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return float(proc.stdout.decode().strip().splitlines()[-1])


def _nbdime_worker(n: int, ids: bool, reps: int) -> None:
    import warnings

    import nbdime

    warnings.simplefilter("ignore")
    a, b = synthetic_pair(n, ids)
    na, nb = for_nbdime(a), for_nbdime(b)
    print(median_time(lambda: nbdime.diff_notebooks(na, nb), reps))


def fmt(t: float | None, timeout: float) -> str:
    if t is None:
        return f"> {timeout:.0f} s"
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


def synthetic(sizes: list[int], timeout: float) -> list[dict]:
    from nbgit.diff import diff_notebooks

    rows = []
    for ids in (True, False):
        for n in sizes:
            a, b = synthetic_pair(n, ids)
            counts = diff_notebooks(a, b).counts()
            reps = 9 if n <= 1000 else 5
            t_nbgit = nbgit_time(a, b, reps)
            t_nbdime = nbdime_time_in_child(n, ids, 3 if n <= 1000 else 1, timeout)
            rows.append({"cells": n, "ids": ids, "nbgit": t_nbgit, "nbdime": t_nbdime, "counts": counts})
            ratio = f"{t_nbdime / t_nbgit:.0f}x" if t_nbdime else f"> {timeout / t_nbgit:.0f}x"
            print(
                f"  {n:>6} cells, ids={'yes' if ids else 'no ':<3}  nbgit {fmt(t_nbgit, timeout):>10}"
                f"   nbdime {fmt(t_nbdime, timeout):>10}   speed-up {ratio:>7}   "
                f"(found: {counts['modified']} modified, {counts['inserted']} inserted, {counts['deleted']} deleted,"
                f" {counts['moved']} moved)",
                flush=True,
            )
    for ids in (True, False):
        t = {r["cells"]: r["nbgit"] for r in rows if r["ids"] == ids}
        if 1000 in t and 10000 in t:
            print(f"  nbgit t(10,000)/t(1,000), ids={'yes' if ids else 'no'}: {t[10000] / t[1000]:.1f}")
    return rows


def real_pairs(reps: int) -> list[dict]:
    import warnings

    import nbdime

    sys.path.insert(0, str(PROJECT / "benchmarks"))
    from diff_quality import Skip, load_v4

    warnings.simplefilter("ignore")
    rows = []
    for d in sorted(p for p in (CORPUS / "diffs").glob("*/*") if (p / "a.ipynb").is_file()):
        try:
            a, b = load_v4(d / "a.ipynb"), load_v4(d / "b.ipynb")
        except Skip as exc:
            print(f"  skip {d}: {exc}")
            continue
        na, nb = for_nbdime(a), for_nbdime(b)
        t_nbgit = nbgit_time(a, b, reps)
        t_nbdime = median_time(lambda: nbdime.diff_notebooks(na, nb), max(1, reps // 2))
        rows.append({"pair": f"{d.parent.name}/{d.name}", "cells": len(a["cells"]), "nbgit": t_nbgit, "nbdime": t_nbdime})
    ratios = sorted(r["nbdime"] / r["nbgit"] for r in rows)
    if rows:
        print(
            f"  {len(rows)} real pairs ({min(r['cells'] for r in rows)}-{max(r['cells'] for r in rows)} cells):"
            f" median nbgit {statistics.median(r['nbgit'] for r in rows) * 1000:.2f} ms,"
            f" median nbdime {statistics.median(r['nbdime'] for r in rows) * 1000:.1f} ms;"
            f" speed-up median {statistics.median(ratios):.0f}x, min {ratios[0]:.0f}x, max {ratios[-1]:.0f}x"
        )
    return rows


def ids_added(n: int, reps: int) -> dict:
    """``nbgit diff A B`` (the whole command, files on disk, output to a pipe) on an ``n``-cell
    notebook without ids against its edit (5% of cells edited, ...), once with the edit alone and
    once with ids added to every cell as well; wall-clock medians of ``reps`` runs."""
    import tempfile

    a, b = synthetic_pair(n, ids=False)
    b_ids = json.loads(json.dumps(b))
    for k, cell in enumerate(b_ids["cells"]):
        cell["id"] = f"{k:08x}"
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, nb in (("a", a), ("b", b), ("b_ids", b_ids)):
            paths[name] = os.path.join(tmp, f"{name}.ipynb")
            Path(paths[name]).write_text(json.dumps(nb, indent=1))
        for name in ("b", "b_ids"):
            cmd = [sys.executable, "-m", "nbgit", "diff", "--no-pager", "--color=never", paths["a"], paths[name]]
            times, size = [], 0
            for _ in range(reps):
                t0 = time.perf_counter()
                out = subprocess.run(cmd, capture_output=True, cwd=tmp, env={**os.environ, "PYTHONPATH": str(PROJECT)})
                times.append(time.perf_counter() - t0)
                size = len(out.stdout.splitlines())
            rows[name] = {"seconds": statistics.median(times), "lines": size}
    ratio = rows["b_ids"]["seconds"] / rows["b"]["seconds"]
    print(f"nbgit diff, {n} cells, wall-clock median of {reps}: edit only {rows['b']['seconds']:.2f} s "
          f"({rows['b']['lines']} lines), edit + ids added to every cell {rows['b_ids']['seconds']:.2f} s "
          f"({rows['b_ids']['lines']} lines); ratio {ratio:.2f}")
    return {"cells": n, "reps": reps, "edit": rows["b"], "edit_and_ids": rows["b_ids"], "ratio": ratio}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--nbdime-timeout", type=float, default=120.0, help="seconds nbdime gets per size (default 120)")
    ap.add_argument("--no-real", action="store_true", help="skip the corpus pairs")
    ap.add_argument("--reps", type=int, default=7, help="runs per real pair for nbgit (nbdime: half)")
    ap.add_argument("--json", metavar="FILE", help="also write the raw figures to FILE")
    ap.add_argument("--wall", action="store_true", help="wall-clock time instead of CPU time")
    ap.add_argument("--nbdime-worker", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--ids-added", type=int, metavar="N", help="only time `nbgit diff` with ids added to N cells")
    args = ap.parse_args(argv)
    if args.ids_added:
        ids_added(args.ids_added, args.reps)
        return 0
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    if args.nbdime_worker:
        n, ids, reps = args.nbdime_worker
        _nbdime_worker(int(n), ids == "1", int(reps))
        return 0
    clock = "wall-clock" if args.wall else "CPU"
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}; {clock} time, medians")
    print("synthetic notebooks (5% edited, 2% inserted, 2% deleted, 1% moved):")
    result = {"synthetic": synthetic(args.sizes, args.nbdime_timeout)}
    if not args.no_real:
        if (CORPUS / "diffs").is_dir():
            print("real revision pairs (corpus/diffs):")
            result["real"] = real_pairs(args.reps)
        else:
            print(f"no corpus at {CORPUS}: real pairs skipped")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
