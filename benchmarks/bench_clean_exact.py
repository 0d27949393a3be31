"""Cost of clean's exact writing. Run: `python benchmarks/bench_clean_exact.py [ROUNDS]` (from the project root).

Clean writes only what it strips into the file's own text (``io.dumps_edited``); before, it
wrote the whole cleaned notebook again in the file's layout (``io.dumps_in_layout_of``),
which changed number literals, duplicate keys and compact nesting. This times both in one
process, interleaved, CPU time (``time.process_time``, best of ROUNDS, default 9), on the
50-cell synthetic notebooks of bench_filter.py (outputs in two thirds of the cells) and on
the shared corpus of real notebooks (those both can clean).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_filter_notebooks import notebook_bytes  # noqa: E402

from nbgit.notebook.clean import _clean, clean_bytes  # noqa: E402
from nbgit.notebook.config import DEFAULT_CONFIG  # noqa: E402
from nbgit.notebook.io import dumps, dumps_in_layout_of, layout_of, parse  # noqa: E402


def rewrite_whole(data: bytes) -> bytes:
    """clean_bytes as it was: parse, clean, write the whole notebook again in the file's layout."""
    nb = parse(data)
    cleaned, changed = _clean(nb, DEFAULT_CONFIG)
    if not changed:
        return data
    if cleaned.get("nbformat") != nb.get("nbformat"):
        return dumps(cleaned, layout_of(data, nb))
    return dumps_in_layout_of(cleaned, data, sort_keys=False)


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    sets = {"synthetic, with outputs (20)": [notebook_bytes(i) for i in range(20)]}
    sets["synthetic, already clean (20)"] = [clean_bytes(d) for d in sets["synthetic, with outputs (20)"]]
    corpus = HERE.parent.parent / "shared" / "corpus"
    real = []
    for p in sorted(corpus.rglob("*.ipynb")) if corpus.is_dir() else []:
        data = p.read_bytes()
        try:
            clean_bytes(data)
            rewrite_whole(data)
        except Exception:  # conflicted or broken corpus files, or one only the new code refuses
            continue
        real.append(data)
    if real:
        sets[f"corpus ({len(real)} real notebooks)"] = real
    best: dict = {}
    for _ in range(rounds):
        for name, items in sets.items():
            for label, fn in (("whole", rewrite_whole), ("exact", clean_bytes)):
                start = time.process_time()
                for data in items:
                    fn(data)
                elapsed = time.process_time() - start
                best[name, label] = min(best.get((name, label), elapsed), elapsed)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; CPU, best of {rounds}, MB/s of input")
    print(f"  {'input':34s} {'size':>8s} {'rewrite whole':>14s} {'exact':>8s} {'exact/whole time':>17s}")
    for name, items in sets.items():
        mb = sum(map(len, items)) / 1e6
        whole, exact = best[name, "whole"], best[name, "exact"]
        print(f"  {name:34s} {mb:6.1f}MB {mb / whole:14.0f} {mb / exact:8.0f} {exact / whole:17.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
