"""How nbgit's merge does on real merges, next to git's text merge and nbdime.

    python benchmarks/merge_corpus.py             # corpus merges + nbdime's test triplets
    python benchmarks/merge_corpus.py --no-nbdime # without nbdime (faster)
    python benchmarks/merge_corpus.py --hard-only # only the table of hand-made hard triplets

For every case of ../shared/corpus/merges (base, local, remote, and merged:
what the person committed):

* git: ``git merge-file`` of the three files, clean or not;
* nbgit as the driver runs it (inputs and result cleaned with the default
  config) and nbgit raw (``merge_notebooks`` on the files as they are, outputs
  included): clean or not, and whether the cells (type and source) equal the
  person's merge;
* nbdime (``nbdime.merge_notebooks``, its default strategies, as ``nbmerge``):
  clean or not (no conflicted decision), same cells as the person's merge.

Then nbdime's own test triplets (``*--1/2/3``, ``exampleN/{center,left,right}``)
case by case: nbgit's and nbdime's outcome, and whether the two merged
notebooks have the same cells.

First of all, a table of hand-made hard triplets (tests/hard_merges.py: the
cases of issue 12, splits, joins, moves and swaps against edits), nbgit,
nbdime and git's text merge side by side with what a person expects: "right"
(the expected cells, conflicts exactly where expected), "clean, wrong" (the
worst outcome: nothing tells the person), "conflict, expected clean", or
"conflict, wrong cells" (flagged, but a twin left unflagged or a cell lost).
For nbdime and git a conflict's placement is not checked ("conflict").

The hard guarantees are asserted by tests/test_merge_corpus.py and
tests/test_merge_hard.py; this script reports the counts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "tests"))
CORPUS = Path(os.environ.get("NBGIT_CORPUS", PROJECT.parent / "shared" / "corpus"))

from nbgit.merge import merge_notebooks  # noqa: E402
from nbgit.merge.blobs import merge_blobs  # noqa: E402
from nbgit.notebook.config import Config  # noqa: E402
from nbgit.merge.conflicts import find_conflicts  # noqa: E402
import hard_merges  # noqa: E402  (tests/hard_merges.py)


def cells(nb: dict | None):
    if nb is None:
        return None
    return [(c.get("cell_type"), "".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source")) for c in nb["cells"]]


def git_clean(base: Path, local: Path, remote: Path) -> bool:
    proc = subprocess.run(["git", "merge-file", "-p", str(local), str(base), str(remote)], capture_output=True)
    return proc.returncode == 0


def nbdime_merge(base: Path, local: Path, remote: Path):
    """(clean?, merged dict) from nbdime's merge with its default strategies, or (None, None) if it fails."""
    import nbdime
    import nbformat

    try:
        nbs = [nbformat.read(str(p), as_version=4) for p in (base, local, remote)]
        merged, decisions = nbdime.merge_notebooks(*nbs)
    except Exception as exc:  # nbdime crashes on some inputs: report it
        return None, repr(exc)[:80]
    return not any(d.conflict for d in decisions), json.loads(json.dumps(merged))


def load(path: Path):
    try:
        return json.loads(path.read_bytes())
    except ValueError:
        return None


def corpus_report(use_nbdime: bool) -> dict:
    cases = sorted(p for p in (CORPUS / "merges").glob("*/*") if (p / "base.ipynb").is_file())
    rows = []
    for case in cases:
        paths = [case / f"{n}.ipynb" for n in ("base", "local", "remote")]
        data = [p.read_bytes() for p in paths]
        human = load(case / "merged.ipynb")
        if human is not None and human.get("nbformat") == 3:
            human = None
        driver = merge_blobs(*data, config=Config())
        driver_nb = json.loads(driver.data)
        raw = merge_notebooks(*(json.loads(d) for d in data))
        row = {
            "case": f"{case.parent.name}/{case.name}",
            "git_clean": git_clean(*paths),
            "human_parses": human is not None,
            "driver_clean": driver.clean,
            "driver_same": human is not None and cells(driver_nb) == cells(human),
            "raw_clean": raw.clean,
            "raw_same": human is not None and cells(raw.notebook) == cells(human),
            "conflicts": [str(c) for c in driver.conflicts],
        }
        if use_nbdime:
            clean, merged = nbdime_merge(*paths)
            row["nbdime_clean"] = clean
            row["nbdime_same"] = isinstance(merged, dict) and human is not None and cells(merged) == cells(human)
            row["nbdime_error"] = merged if isinstance(merged, str) else None
        rows.append(row)
    return {"rows": rows}


def summarize(rows: list[dict], use_nbdime: bool) -> None:
    n = len(rows)
    gc = [r for r in rows if r["git_clean"]]
    gk = [r for r in rows if not r["git_clean"]]
    print(f"merge corpus: {n} real merges ({', '.join(sorted({r['case'].split('/')[0] for r in rows}))})")
    print(f"git merge-file: clean on {len(gc)}, conflicts on {len(gk)}")
    print()
    print(f"where git is clean ({len(gc)} cases):")
    for label, key, same in (("nbgit (driver, cleaned)", "driver_clean", "driver_same"), ("nbgit (raw, outputs kept)", "raw_clean", "raw_same")):
        clean = [r for r in gc if r[key]]
        comparable = [r for r in clean if r["human_parses"]]
        print(f"  {label:<27} clean on {len(clean)}/{len(gc)}; same cells as the person's merge on "
              f"{sum(r[same] for r in comparable)}/{len(comparable)} (person's merge readable)")
    if use_nbdime:
        clean = [r for r in gc if r["nbdime_clean"]]
        comparable = [r for r in clean if r["human_parses"]]
        errors = [r for r in gc if r["nbdime_clean"] is None]
        print(f"  {'nbdime (default strategies)':<27} clean on {len(clean)}/{len(gc)}; same cells as the person's merge on "
              f"{sum(r['nbdime_same'] for r in comparable)}/{len(comparable)}" + (f"; failed on {len(errors)}" if errors else ""))
        extra = [r["case"] for r in gc if r["nbdime_clean"] is False]
        if extra:
            print(f"    nbdime reports conflicts where git's text merge is clean: {', '.join(extra)}")
    print()
    print(f"where git's text merge conflicts ({len(gk)} cases):")
    for label, key, same in (("nbgit (driver, cleaned)", "driver_clean", "driver_same"), ("nbgit (raw, outputs kept)", "raw_clean", "raw_same")):
        clean = [r for r in gk if r[key]]
        comparable = [r for r in clean if r["human_parses"]]
        print(f"  {label:<27} merges cleanly {len(clean)}/{len(gk)}; of those, same cells as the person committed: "
              f"{sum(r[same] for r in comparable)}/{len(comparable)}")
        for r in clean:
            verdict = "same cells as committed" if r[same] else ("person's merge unreadable" if not r["human_parses"] else "differs from committed")
            print(f"    {r['case']}: {verdict}")
    if use_nbdime:
        clean = [r for r in gk if r["nbdime_clean"]]
        comparable = [r for r in clean if r["human_parses"]]
        print(f"  {'nbdime (default strategies)':<27} merges cleanly {len(clean)}/{len(gk)}; of those, same cells as committed: "
              f"{sum(r['nbdime_same'] for r in comparable)}/{len(comparable)}")
    print()
    print("conflicts nbgit leaves (driver mode) where git conflicts:")
    for r in gk:
        if not r["driver_clean"]:
            print(f"  {r['case']}: {'; '.join(r['conflicts'])}")


def triplets() -> list[tuple[str, Path, Path, Path]]:
    root = CORPUS / "nbdime-tests"
    out = []
    for one in sorted(root.glob("*--1.ipynb")):
        stem = one.name[: -len("--1.ipynb")]
        two, three = root / f"{stem}--2.ipynb", root / f"{stem}--3.ipynb"
        if two.is_file() and three.is_file():
            out.append((stem, one, two, three))
    for d in sorted(p for p in root.glob("example*") if p.is_dir()):
        out.append((d.name, d / "center.ipynb", d / "left.ipynb", d / "right.ipynb"))
    return out


def nbdime_tests_report(use_nbdime: bool) -> list[dict]:
    rows = []
    print()
    print("nbdime's test triplets (base, local, remote), case by case:")
    header = f"  {'case':<18} {'nbgit raw':<34} {'nbgit driver':<14}" + (f" {'nbdime':<10} same cells" if use_nbdime else "")
    print(header)
    for name, base, local, remote in triplets():
        data = [p.read_bytes() for p in (base, local, remote)]
        raw = merge_blobs(*data, config=None)
        drv = merge_blobs(*data, config=Config())
        raw_desc = "clean" if raw.clean else "conflicts: " + ", ".join(sorted({c.kind for c in raw.conflicts}))
        row = {"case": name, "nbgit_raw": raw_desc, "nbgit_driver_clean": drv.clean}
        line = f"  {name:<18} {raw_desc:<34} {'clean' if drv.clean else 'conflicts':<14}"
        if use_nbdime:
            clean, merged = nbdime_merge(base, local, remote)
            row["nbdime"] = "failed" if clean is None else "clean" if clean else "conflicts"
            same = isinstance(merged, dict) and cells(merged) == cells(json.loads(raw.data))
            row["same_cells"] = same
            line += f" {row['nbdime']:<10} {'yes' if same else 'no'}"
        rows.append(row)
        print(line)
    if use_nbdime:
        agree = sum((r["nbdime"] == "clean") == (r["nbgit_raw"] == "clean") for r in rows)
        print(f"  outcome (clean/conflict) agrees with nbdime on {agree}/{len(rows)}; same merged cells on "
              f"{sum(r['same_cells'] for r in rows)}/{len(rows)}")
    return rows


def _nbdime_dicts(base: dict, local: dict, remote: dict):
    import nbdime
    import nbformat

    try:
        nbs = [nbformat.reads(json.dumps(nb), as_version=4) for nb in (base, local, remote)]
        merged, decisions = nbdime.merge_notebooks(*nbs)
    except Exception as exc:
        return None, repr(exc)[:60]
    return not any(d.conflict for d in decisions), json.loads(json.dumps(merged))


def _git_dicts(base: dict, local: dict, remote: dict, work: Path):
    paths = []
    for name, nb in (("base", base), ("local", local), ("remote", remote)):
        path = work / f"{name}.ipynb"
        path.write_text(json.dumps(nb, indent=1) + "\n")
        paths.append(path)
    proc = subprocess.run(["git", "merge-file", "-p", str(paths[1]), str(paths[0]), str(paths[2])], capture_output=True)
    try:
        merged = json.loads(proc.stdout)
    except ValueError:
        merged = None
    return proc.returncode == 0, merged


def _other_verdict(expected: list, clean, merged) -> str:
    want_conflict = hard_merges.CONFLICT in expected
    if clean is None:
        return "failed"
    if not clean:
        return "conflict" if want_conflict else "conflict, expected clean"
    if merged is None:
        return "clean, not JSON"
    return hard_merges.judge(expected, hard_merges.cell_texts(merged), set())


def hard_triplets_report(use_nbdime: bool) -> list[dict]:
    """The hand-made hard triplets: nbgit, nbdime and git against what a person expects."""
    import tempfile

    rows = []
    print("hand-made hard triplets (tests/hard_merges.py): outcome against what a person expects")
    header = f"  {'case':<33} {'expected':<9} {'nbgit':<24} {'nbdime':<24} {'git merge-file':<24}"
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for name, _what, b, l, r, expected in hard_merges.CASES:
            nbs = [hard_merges.make_notebook(c) for c in (b, l, r)]
            result = merge_notebooks(*nbs)
            flagged = {c.cell for c in find_conflicts(result.notebook) if c.cell is not None}
            row = {"case": name, "expected": "conflict" if hard_merges.CONFLICT in expected else "clean",
                   "nbgit": hard_merges.judge(expected, hard_merges.cell_texts(result.notebook), flagged),
                   "nbgit_notes": getattr(result, "notes", [])}
            row["nbdime"] = _other_verdict(expected, *_nbdime_dicts(*nbs)) if use_nbdime else "-"
            row["git"] = _other_verdict(expected, *_git_dicts(*nbs, Path(tmp)))
            rows.append(row)
            print(f"  {name:<33} {row['expected']:<9} {row['nbgit']:<24} {row['nbdime']:<24} {row['git']:<24}")
    for tool in ("nbgit", "nbdime", "git"):
        if tool == "nbdime" and not use_nbdime:
            continue
        right = sum(r[tool] in ("right", "conflict") for r in rows)
        worst = sum(r[tool].startswith("clean, ") for r in rows)
        print(f"  {tool}: as expected on {right}/{len(rows)}; clean but wrong on {worst}")
    print()
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--no-nbdime", action="store_true", help="skip nbdime (it takes seconds per case)")
    p.add_argument("--hard-only", action="store_true", help="only the table of hand-made hard triplets")
    p.add_argument("--json", default=str(PROJECT / "benchmarks" / ".work" / "merge-corpus.json"))
    args = p.parse_args()
    use_nbdime = not args.no_nbdime
    if not (CORPUS / "merges").is_dir():
        sys.exit(f"no corpus at {CORPUS} (set NBGIT_CORPUS)")
    hard = hard_triplets_report(use_nbdime)
    if args.hard_only:
        return
    report = corpus_report(use_nbdime)
    report["hard_triplets"] = hard
    summarize(report["rows"], use_nbdime)
    report["nbdime_tests"] = nbdime_tests_report(use_nbdime)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=1))
    print(f"\ndetails written to {args.json}")


if __name__ == "__main__":
    main()
