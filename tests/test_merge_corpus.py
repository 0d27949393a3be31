"""The hard guarantees of the merge on real merges (../shared/corpus/merges) and nbdime's test triplets.

* never an invalid notebook, on any case, as the driver writes it (cleaned) or raw;
* clean wherever git's text merge of the same files is clean, with the same
  cells (type and source) as the merge the person committed.

How many of git's conflicting cases nbgit merges cleanly, and how nbgit
compares with nbdime, is reported by ``benchmarks/merge_corpus.py``.
"""

from __future__ import annotations

import json
import subprocess

import nbformat
import pytest

from conftest import CORPUS, corpus_dir
from nbgit.merge import merge_notebooks
from nbgit.merge.blobs import merge_blobs
from nbgit.notebook.config import Config


def merge_cases() -> list:
    root = CORPUS / "merges"
    return sorted(p for p in root.glob("*/*") if (p / "base.ipynb").is_file()) if root.is_dir() else []


def nbdime_triplets() -> list:
    root = CORPUS / "nbdime-tests"
    if not root.is_dir():
        return []
    out = []
    for one in sorted(root.glob("*--1.ipynb")):
        stem = one.name[: -len("--1.ipynb")]
        two, three = root / f"{stem}--2.ipynb", root / f"{stem}--3.ipynb"
        if two.is_file() and three.is_file():
            out.append((one, two, three))
    for d in sorted(p for p in root.glob("example*") if p.is_dir()):
        out.append((d / "center.ipynb", d / "left.ipynb", d / "right.ipynb"))
    return out


def cells(nb: dict) -> list[tuple]:
    return [(c.get("cell_type"), "".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source")) for c in nb["cells"]]


def validate(nb: dict) -> None:
    nbformat.validate(nbformat.from_dict(nb))


def git_text_merge_is_clean(case) -> bool:
    proc = subprocess.run(
        ["git", "merge-file", "-p", str(case / "local.ipynb"), str(case / "base.ipynb"), str(case / "remote.ipynb")],
        capture_output=True,
    )
    return proc.returncode == 0


@pytest.fixture(scope="module")
def cases():
    corpus_dir()
    found = merge_cases()
    if not found:
        pytest.skip("no merge cases in the corpus")
    return found


def test_corpus_merges(cases):
    git_clean = 0
    for case in cases:
        data = [(case / f"{n}.ipynb").read_bytes() for n in ("base", "local", "remote")]
        as_driver = merge_blobs(*data, config=Config())
        driver_nb = json.loads(as_driver.data)
        validate(driver_nb)
        raw = merge_notebooks(*(json.loads(d) for d in data))
        validate(raw.notebook)
        if not git_text_merge_is_clean(case):
            continue
        git_clean += 1
        assert as_driver.clean, (case, [str(c) for c in as_driver.conflicts])
        assert raw.clean, (case, [str(c) for c in raw.conflicts])
        try:
            human = json.loads((case / "merged.ipynb").read_bytes())
        except ValueError:
            continue
        assert cells(raw.notebook) == cells(human), case
        assert cells(driver_nb) == cells(human), case
    assert git_clean > 0


#: Real merges where git's text merge conflicts and nbgit (as the driver runs it) merged cleanly to
#: the person's cells when issue 12 started (benchmarks/README.md): it must stay clean-and-right there.
CLEAN_AND_RIGHT_WHERE_GIT_CONFLICTS = ["fastai+nbdev/0033", "fastai+nbdev/0068", "fastai+nbdev/0074", "fastai+nbdev/0100"]


def test_clean_and_right_where_git_conflicts_stays_so(cases):
    by_name = {f"{c.parent.name}/{c.name}": c for c in cases}
    for name in CLEAN_AND_RIGHT_WHERE_GIT_CONFLICTS:
        case = by_name.get(name)
        if case is None:
            continue
        data = [(case / f"{n}.ipynb").read_bytes() for n in ("base", "local", "remote")]
        merged = merge_blobs(*data, config=Config())
        assert merged.clean, (name, [str(c) for c in merged.conflicts])
        assert cells(json.loads(merged.data)) == cells(json.loads((case / "merged.ipynb").read_bytes())), name


def test_nbdime_triplets_give_valid_notebooks():
    corpus_dir()
    triplets = nbdime_triplets()
    if not triplets:
        pytest.skip("no nbdime test triplets in the corpus")
    for base, local, remote in triplets:
        data = [p.read_bytes() for p in (base, local, remote)]
        validate(json.loads(merge_blobs(*data, config=Config()).data))
        validate(json.loads(merge_blobs(*data, config=None).data))
