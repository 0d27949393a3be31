"""`nbgit review` over a large change set: time, and size of the HTML page and the markdown.

    python benchmarks/bench_review.py                    # 200 notebooks, 40 cells each, 5 runs
    python benchmarks/bench_review.py --notebooks 50 --repeat 3
    python benchmarks/bench_review.py --no-corpus --no-nbdime
    python benchmarks/bench_review.py --corpus-only --no-nbdime   # the 93 real pairs only

A synthetic repository (in benchmarks/.work/, ignored by git; outputs kept, no
filter) gets N notebooks of C cells each: a markdown cell every 4th, code cells
of 1-8 lines with a stream output, and one code cell in 8 with a 96x64 PNG
picture (noise, so it does not compress away). A second commit changes every
notebook: 5% of the cells edited, 2% inserted, 2% deleted, 1% moved, and the
outputs of 10% of the code cells changed (new text, a new picture).

Measured in the same run, medians of --repeat runs of each command (wall-clock time, and the
CPU time of the command with its children, from ``getrusage``):

* ``nbgit review BASE..HEAD --html F --markdown F``;
* nbdime's ``nbdiff BASE HEAD --no-color`` (to a pipe) over the same revisions:
  nbdime's closest command (it has no HTML export; ``nbdiff-web`` is a server);
* an in-process breakdown of ``nbgit review`` (CPU time, ``time.process_time``):
  reading and diffing, rendering the HTML page, rendering the markdown.

A second change set uses real notebooks: the corpus's consecutive revisions
(../shared/corpus/diffs, one notebook per pair) committed as base and head of a
repository under the system temp directory.

The machine is shared with other work: read the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import statistics
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
WORK = PROJECT / "benchmarks" / ".work" / "review"
WORDS = ["alpha", "beta", "gamma", "delta", "x", "y", "df", "plot", "np", "pd", "total", "mean", "value", "model"]


def png(rng: random.Random, w: int = 96, h: int = 64) -> str:
    rows = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(w * 3)) for _ in range(h))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(data).decode()


def line(rng: random.Random) -> str:
    return f"{rng.choice(WORDS)}_{rng.randrange(100)} = {rng.choice(WORDS)}({rng.randrange(1000)}, {rng.choice(WORDS)!r})\n"


def code_cell(rng: random.Random, k: int, image: bool) -> dict:
    outputs = [{"name": "stdout", "output_type": "stream", "text": [f"result {rng.randrange(10**6)}\n"]}]
    if image:
        outputs.append(
            {"data": {"image/png": png(rng), "text/plain": ["<Figure size 96x64>"]}, "metadata": {},
             "output_type": "display_data"}
        )
    return {
        "cell_type": "code",
        "execution_count": k,
        "id": f"c{k:04}",
        "metadata": {},
        "outputs": outputs,
        "source": [line(rng) for _ in range(rng.randint(1, 8))],
    }


def markdown_cell(rng: random.Random, k: int) -> dict:
    text = f"## Step {k}\n\nWe compute the *{rng.choice(WORDS)}* of `{rng.choice(WORDS)}` and plot it.\n"
    return {"cell_type": "markdown", "id": f"m{k:04}", "metadata": {}, "source": text.splitlines(keepends=True)}


def notebook(cells: list) -> dict:
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def base_cells(rng: random.Random, n: int) -> list:
    return [markdown_cell(rng, k) if k % 4 == 0 else code_cell(rng, k, image=k % 8 == 1) for k in range(n)]


def changed(rng: random.Random, cells: list, n: int) -> list:
    cells = [dict(c) for c in cells]
    count = lambda share: max(1, round(n * share))  # noqa: E731
    for c in rng.sample(cells, count(0.05)):
        c["source"] = list(c["source"]) + [line(rng)]
    code = [c for c in cells if c["cell_type"] == "code"]
    for c in rng.sample(code, max(1, len(code) // 10)):
        has_image = any(o.get("output_type") == "display_data" for o in c["outputs"])
        c["outputs"] = code_cell(rng, 0, image=has_image)["outputs"]
    for _ in range(count(0.02)):
        cells.pop(rng.randrange(len(cells)))
    for j in range(count(0.02)):
        cells.insert(rng.randrange(len(cells) + 1), code_cell(rng, 5000 + j, image=False))
    for _ in range(count(0.01)):
        cells.insert(rng.randrange(len(cells) + 1), cells.pop(rng.randrange(len(cells))))
    return cells


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def build(n_notebooks: int, n_cells: int, seed: int = 1) -> Path:
    repo = WORK / f"repo-{n_notebooks}x{n_cells}"
    if (repo / ".git").is_dir() and git("tag", cwd=repo).split() == ["base", "head"]:
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=repo)
    rng = random.Random(seed)
    bases = []
    for i in range(n_notebooks):
        cells = base_cells(rng, n_cells)
        bases.append(cells)
        path = repo / f"part{i // 50}" / f"nb{i:03}.ipynb"
        path.parent.mkdir(exist_ok=True)
        path.write_text(dumps(notebook(cells)))
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "base", cwd=repo)
    git("tag", "base", cwd=repo)
    for i, cells in enumerate(bases):
        path = repo / f"part{i // 50}" / f"nb{i:03}.ipynb"
        path.write_text(dumps(notebook(changed(rng, cells, n_cells))))
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "head", cwd=repo)
    git("tag", "head", cwd=repo)
    return repo


def wall(cmd: list[str], cwd: Path, repeat: int) -> tuple[float, list[float], float, int]:
    """Median wall-clock time, all wall times, median CPU time (user+sys of the command and its
    children, which load from other processes disturbs far less), and the size of stdout (bytes)."""
    import resource

    times, cpu = [], []
    size = 0
    for _ in range(repeat):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True)
        times.append(time.perf_counter() - t)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
        size = len(proc.stdout)
    return statistics.median(times), times, statistics.median(cpu), size


def breakdown(repo: Path, repeat: int) -> dict:
    """CPU time of the stages of `nbgit review`, in this process."""
    from nbgit.git.revisions import changed_notebooks, open_repo, sides_for
    from nbgit.review.changes import notebook_change
    from nbgit.review.html import render_html
    from nbgit.review.markdown import render_markdown

    r = open_repo(repo)
    stages: dict[str, list[float]] = {"read": [], "diff": [], "html": [], "markdown": []}
    for _ in range(repeat):
        t0 = time.process_time()
        pairs = changed_notebooks(r, sides_for(r, ["base..head"]))
        t1 = time.process_time()
        changes = [notebook_change(fp.path, fp.old, fp.new) for fp in pairs]
        t2 = time.process_time()
        render_html(changes, base="base", head="head")
        t3 = time.process_time()
        render_markdown(changes, base="base", head="head")
        t4 = time.process_time()
        for k, v in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            stages[k].append(v)
    return {k: statistics.median(v) for k, v in stages.items()}


CORPUS = Path(os.environ.get("NBGIT_CORPUS", PROJECT.parent / "shared" / "corpus"))


def build_corpus_repo() -> Path | None:
    """The corpus's consecutive revisions (diffs/<repo>/<n>/a.ipynb -> b.ipynb) as one change set.

    Built under the system temp directory: corpus files are never copied into the project.
    """
    import tempfile

    pairs = sorted((CORPUS / "diffs").glob("*/*/a.ipynb"))
    if not pairs:
        return None
    repo = Path(tempfile.gettempdir()) / "nbgit-bench-review-corpus"
    if (repo / ".git").is_dir() and git("tag", cwd=repo).split() == ["base", "head"]:
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=repo)
    names = []
    for a in pairs:
        name = f"{a.parent.parent.name}/{a.parent.name}.ipynb"
        names.append((name, a, a.with_name("b.ipynb")))
    for side in (1, 2):
        for name, a, b in names:
            target = repo / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(a if side == 1 else b, target)
        git("add", "-A", cwd=repo)
        git("commit", "-q", "--allow-empty", "-m", "base" if side == 1 else "head", cwd=repo)
        git("tag", "base" if side == 1 else "head", cwd=repo)
    return repo


def compare(label: str, repo: Path, n: int, repeat: int, with_nbdime: bool) -> None:
    out = WORK / "out"
    out.mkdir(parents=True, exist_ok=True)
    html, md = out / f"review-{label}.html", out / f"review-{label}.md"
    nbgit_cmd = [sys.executable, "-m", "nbgit", "review", "base..head", "--html", str(html), "--markdown", str(md), "-q"]
    nbgit_med, nbgit_all, nbgit_cpu, _ = wall(nbgit_cmd, repo, repeat)
    print(f"[{label}] nbgit review (html + markdown): median {nbgit_med:.2f} s wall, {nbgit_cpu:.2f} s CPU;"
          f"  wall runs {', '.join(f'{x:.2f}' for x in nbgit_all)}")
    print(f"  per notebook: {1000 * nbgit_med / n:.1f} ms wall")
    text = md.read_text(encoding="utf-8")
    print(f"  HTML page: {html.stat().st_size / 1e6:.2f} MB ({html.read_text(encoding='utf-8').count('data:image/')} pictures)")
    print(f"  markdown: {len(text)} characters (GitHub limit 65,536); "
          f"{'truncated' if 'Truncated to stay under' in text else 'complete'}")
    if with_nbdime:
        nbdiff = shutil.which("nbdiff") or str(Path(sys.executable).with_name("nbdiff"))
        # stdout, not --out: with revisions, nbdiff's --out keeps only the last notebook's diff
        nbdime_med, nbdime_all, nbdime_cpu, nbdime_size = wall([nbdiff, "base", "head", "--no-color"], repo, repeat)
        print(f"[{label}] nbdime nbdiff base head (text): median {nbdime_med:.2f} s wall, {nbdime_cpu:.2f} s CPU;"
              f"  wall runs {', '.join(f'{x:.2f}' for x in nbdime_all)}")
        print(f"  output: {nbdime_size / 1e6:.2f} MB of text")
        print(f"[{label}] ratio nbdime / nbgit: {nbdime_med / nbgit_med:.2f}x wall, {nbdime_cpu / nbgit_cpu:.2f}x CPU")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notebooks", type=int, default=200)
    ap.add_argument("--cells", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-nbdime", action="store_true", help="skip the nbdime anchor")
    ap.add_argument("--no-corpus", action="store_true", help="skip the real pairs from the corpus")
    ap.add_argument("--corpus-only", action="store_true", help="only the real pairs from the corpus")
    args = ap.parse_args()

    if not args.corpus_only:
        t = time.perf_counter()
        repo = build(args.notebooks, args.cells)
        print(f"repository: {repo} ({args.notebooks} notebooks x {args.cells} cells; built in {time.perf_counter() - t:.1f} s)")
        size = sum(p.stat().st_size for p in repo.rglob("*.ipynb"))
        print(f"notebooks at head: {size / 1e6:.1f} MB")
        compare("synthetic", repo, args.notebooks, args.repeat, not args.no_nbdime)
        stages = breakdown(repo, max(1, args.repeat // 2 + 1))
        print("  in-process CPU of nbgit review: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))

    if not args.no_corpus:
        real = build_corpus_repo()
        if real is None:
            print(f"corpus not found at {CORPUS}: real pairs skipped")
        else:
            n = len(list((CORPUS / "diffs").glob("*/*/a.ipynb")))
            print(f"\nreal pairs: {n} consecutive revisions from {CORPUS / 'diffs'} as one change set")
            compare("corpus", real, n, args.repeat, not args.no_nbdime)
            stages = breakdown(real, max(1, args.repeat // 2 + 1))
            print("  in-process CPU of nbgit review: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
