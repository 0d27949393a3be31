"""Cell alignment quality: nbgit.diff_notebooks against nbdime.diff_notebooks on real pairs.

For every notebook pair of the shared corpus (``diffs/<repo>/<n>/a.ipynb -> b.ipynb``
and nbdime's own test notebooks: ``name.ipynb -> name--x.ipynb``,
``exampleN/center.ipynb -> left/right.ipynb``) both tools align the cells, and
we count the *unchanged* cells each one found: matched pairs whose cells are
equal as JSON. nbdime cannot report moves, so nbgit's count is given twice:
in order only (comparable with nbdime) and including equal cells it reports
as moved.

    python benchmarks/diff_quality.py            # summary + the pairs where the alignments differ
    python benchmarks/diff_quality.py -v         # also each differing alignment, cell by cell

nbformat 3 pairs are upgraded to nbformat 4 first (``nbgit.notebook.upgrade``);
unreadable files are skipped with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

CORPUS = Path(os.environ.get("NBGIT_CORPUS", PROJECT.parent / "shared" / "corpus"))


def corpus_pairs(corpus: Path = CORPUS) -> list[tuple[str, Path, Path]]:
    """(name, a path, b path) of every diff pair in the corpus, sorted by name."""
    pairs: list[tuple[str, Path, Path]] = []
    diffs = corpus / "diffs"
    if diffs.is_dir():
        for d in sorted(p for p in diffs.glob("*/*") if (p / "a.ipynb").is_file()):
            pairs.append((f"diffs/{d.parent.name}/{d.name}", d / "a.ipynb", d / "b.ipynb"))
    tests = corpus / "nbdime-tests"
    if tests.is_dir():
        for variant in sorted(tests.glob("*--*.ipynb")):
            base = tests / (variant.name.split("--", 1)[0] + ".ipynb")
            if base.is_file():
                pairs.append((f"nbdime-tests/{variant.name}", base, variant))
        for ex in sorted(p for p in tests.glob("example*") if p.is_dir()):
            for side in ("left", "right"):
                if (ex / "center.ipynb").is_file() and (ex / f"{side}.ipynb").is_file():
                    pairs.append((f"nbdime-tests/{ex.name}/{side}", ex / "center.ipynb", ex / f"{side}.ipynb"))
    return pairs


class Skip(Exception):
    pass


def load_v4(path: Path) -> dict:
    """A notebook as a plain nbformat 4 dict (v3 upgraded); :class:`Skip` when unreadable."""
    from nbgit.notebook.io import NotebookError, parse

    try:
        nb = parse(path.read_bytes())
    except NotebookError as exc:
        raise Skip(f"{path.name}: {exc.reason}") from None
    if nb.get("nbformat") == 3:
        from nbgit.notebook.upgrade import upgrade_v3

        nb = upgrade_v3(nb)
    return nb


def for_nbdime(nb: dict):
    """The notebook as nbdime wants it (nbformat node, sources as strings)."""
    import nbformat

    return nbformat.reads(json.dumps(nb), as_version=4)


def nbdime_pairs(a, b) -> list[tuple[int, int]]:
    """nbdime's cell alignment, read off its diff of the ``cells`` list."""
    import nbdime

    diff = nbdime.diff_notebooks(a, b)
    cell_ops = []
    for op in diff:
        if op["op"] == "patch" and op["key"] == "cells":
            cell_ops = op["diff"]
        elif op["key"] == "cells":  # replaced wholesale
            return []
    added: dict[int, int] = {}
    removed: set[int] = set()
    for op in cell_ops:
        if op["op"] == "addrange":
            added[op["key"]] = added.get(op["key"], 0) + len(op["valuelist"])
        elif op["op"] == "removerange":
            removed.update(range(op["key"], op["key"] + op["length"]))
    pairs = []
    j = 0
    for i in range(len(a["cells"])):
        j += added.get(i, 0)
        if i not in removed:
            pairs.append((i, j))
            j += 1
    return pairs


@dataclass
class Result:
    name: str
    n_a: int = 0
    n_b: int = 0
    nbgit_in_order: int = 0
    nbgit_moved_equal: int = 0
    nbdime: int = 0
    nbgit_pairs: list = field(default_factory=list)
    nbdime_pairs: list = field(default_factory=list)
    skipped: str | None = None

    @property
    def differs(self) -> bool:
        return self.nbgit_pairs != self.nbdime_pairs


def _plain(cell):
    return json.loads(json.dumps(cell))


def compare(name: str, pa: Path, pb: Path) -> Result:
    from nbgit.diff import diff_notebooks

    res = Result(name)
    try:
        a = load_v4(pa)
        b = load_v4(pb)
    except Skip as exc:
        res.skipped = str(exc)
        return res
    res.n_a, res.n_b = len(a["cells"]), len(b["cells"])
    d = diff_notebooks(a, b)
    res.nbgit_pairs = sorted((c.a_index, c.b_index) for c in d.cells if c.a_index is not None and c.b_index is not None)
    na, nb = for_nbdime(a), for_nbdime(b)
    res.nbdime_pairs = nbdime_pairs(na, nb)
    # "unchanged" is judged on the same JSON for both tools: nbformat's reading of the
    # files (sources joined into strings), so that only the alignment differs
    pa_cells = [_plain(c) for c in na.cells]
    pb_cells = [_plain(c) for c in nb.cells]
    for c in d.cells:
        if c.a_index is not None and c.b_index is not None and pa_cells[c.a_index] == pb_cells[c.b_index]:
            if c.moved:
                res.nbgit_moved_equal += 1
            else:
                res.nbgit_in_order += 1
    res.nbdime = sum(1 for i, j in res.nbdime_pairs if pa_cells[i] == pb_cells[j])
    return res


def _summary(cell: dict, width: int = 60) -> str:
    src = cell.get("source", "")
    src = "".join(src) if isinstance(src, list) else src
    first = (src.strip().splitlines() or [""])[0]
    return f"[{cell.get('cell_type', '?')[:2]}] {first[:width]!r}"


def explain(res: Result, pa: Path, pb: Path) -> list[str]:
    a, b = load_v4(pa), load_v4(pb)
    lines = []
    gi = dict(res.nbgit_pairs)
    di = dict(res.nbdime_pairs)
    for i, cell in enumerate(a["cells"]):
        if gi.get(i) != di.get(i):
            lines.append(f"    a[{i}] {_summary(cell)}: nbgit -> {gi.get(i)}, nbdime -> {di.get(i)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="show each differing alignment cell by cell")
    args = ap.parse_args(argv)
    pairs = corpus_pairs()
    if not pairs:
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    results = []
    worse = 0
    for name, pa, pb in pairs:
        res = compare(name, pa, pb)
        results.append(res)
        if res.skipped:
            print(f"skip  {name}: {res.skipped}")
            continue
        if res.nbgit_in_order + res.nbgit_moved_equal < res.nbdime:
            worse += 1
        if res.differs or res.nbgit_in_order != res.nbdime:
            print(
                f"differ {name}: cells {res.n_a}->{res.n_b}; unchanged nbgit {res.nbgit_in_order}"
                f" (+{res.nbgit_moved_equal} moved) vs nbdime {res.nbdime}; matched pairs nbgit"
                f" {len(res.nbgit_pairs)} vs nbdime {len(res.nbdime_pairs)}"
            )
            if args.verbose:
                print("\n".join(explain(res, pa, pb)))
    done = [r for r in results if not r.skipped]
    print(
        f"\n{len(done)} pairs compared ({len(results) - len(done)} skipped); alignments identical in"
        f" {sum(not r.differs for r in done)}; nbgit found fewer unchanged cells in {worse};"
        f" unchanged cells in total: nbgit {sum(r.nbgit_in_order for r in done)} in order"
        f" + {sum(r.nbgit_moved_equal for r in done)} moved, nbdime {sum(r.nbdime for r in done)}"
    )
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
