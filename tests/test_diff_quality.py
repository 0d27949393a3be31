"""Alignment quality against nbdime on the real corpus pairs (benchmarks/diff_quality.py lists the differences)."""

from __future__ import annotations

import sys
import warnings

import pytest

from conftest import CORPUS, PROJECT, corpus_dir

sys.path.insert(0, str(PROJECT / "benchmarks"))
import diff_quality  # noqa: E402

PAIRS = diff_quality.corpus_pairs(CORPUS) if CORPUS.is_dir() else []


@pytest.mark.parametrize("name,pa,pb", PAIRS or [pytest.param("none", None, None)],
                         ids=[p[0] for p in PAIRS] or ["no-corpus"])
def test_nbgit_keeps_at_least_as_many_unchanged_cells_as_nbdime(name, pa, pb):
    corpus_dir()
    pytest.importorskip("nbdime")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbformat warns about cells without ids
        res = diff_quality.compare(name, pa, pb)
    if res.skipped:
        pytest.skip(res.skipped)
    assert res.nbgit_in_order + res.nbgit_moved_equal >= res.nbdime, res


def test_roundtrip_on_every_corpus_pair():
    corpus_dir()
    from nbgit.diff import apply_diff, diff_notebooks

    checked = 0
    for _name, pa, pb in PAIRS:
        try:
            a, b = diff_quality.load_v4(pa), diff_quality.load_v4(pb)
        except diff_quality.Skip:
            continue
        assert apply_diff(a, diff_notebooks(a, b)) == b, _name
        assert diff_notebooks(a, a).is_empty(), _name
        checked += 1
    assert checked > 0
