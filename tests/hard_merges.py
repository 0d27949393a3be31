"""Hand-made hard merge triplets, each with what a person expects (issue 12).

Shared by tests/test_merge_hard.py (nbgit must give the expected outcome) and
benchmarks/merge_corpus.py (nbgit, nbdime and git side by side).

A case is ``(name, what, base, local, remote, expected)``: three lists of
cells (``("code"|"markdown", source)``; a third item is the cell id, for the
cases "with ids"), and the result a person expects, a list whose items are
either a cell ``(type, source)`` that must be there as it is, or
:data:`CONFLICT`: one cell that must carry a visible conflict (markers in its
source, a delete/modify note or a conflict record). A clean expectation has no
:data:`CONFLICT` item. Notebooks are nbformat 4.4 (no ids) unless a cell has an id.
"""

from __future__ import annotations

CONFLICT = "CONFLICT"

IMPORTS = ("code", "import pandas as pd\nimport numpy as np\n")
LOAD = ("code", "df = pd.read_csv('data.csv')\ndf.head()\n")
CLEAN = ("code", "df = df.dropna()\ndf['total'] = df.a + df.b\n")
PLOT = ("code", "df.plot(x='year', y='total')\n")
INTRO = ("markdown", "# Sales analysis\n\nWe look at the yearly totals.\n")
END = ("markdown", "## Conclusion\n\nTotals grow every year.\n")

# a cell rewritten beyond recognition (nothing in common with CLEAN)
REWRITE_L = ("code", "from sklearn.linear_model import LinearRegression\nmodel = LinearRegression().fit(df[['year']], df.total)\n")
REWRITE_R = ("code", "for column in df.columns:\n    print(column, df[column].isna().sum())\n")
HEADING = ("markdown", "### Fitting a model\n")
REWRITE_R_MD = ("markdown", "Cleaning happens upstream now: see the ETL repository for details.\n")
REWRITE_L2 = ("code", "summary = collections.Counter(words)\nsummary.most_common(10)\n")
REWRITE_R2 = ("code", "with open(path) as fh:\n    lines = fh.readlines()\n")

LONG = ("code", "def report(df):\n    total = df.total.sum()\n    mean = df.total.mean()\n"
                "    print('total', total)\n    print('mean', mean)\n    return total, mean\n")
LONG_TOP = ("code", "def report(df):\n    total = df.total.sum()\n    mean = df.total.mean()\n")
LONG_BOTTOM = ("code", "    print('total', total)\n    print('mean', mean)\n    return total, mean\n")
LONG_TOP_L = ("code", "def report(df, name):\n    total = df.total.sum()\n    mean = df.total.mean()\n")
LONG_BOTTOM_R = ("code", "    print('total', total)\n    print('mean', mean)\n    return total, mean, 'done'\n")
LONG_L = ("code", LONG[1].replace("def report(df):", "def report(df, name):"))
LONG_R = ("code", LONG[1].replace("return total, mean\n", "return total, mean, 'done'\n"))
LONG_R_BOTTOM_ONLY = ("code", LONG_BOTTOM_R[1])


def _ids(cells, prefix="c"):
    return [(t, s, f"{prefix}{i}") for i, (t, s) in enumerate(cells)]


CASES = [
    ("rewrite-both-one-to-markdown",
     "both sides rewrite the same cell beyond recognition, one also makes it markdown",
     [IMPORTS, CLEAN, PLOT], [IMPORTS, REWRITE_L, PLOT], [IMPORTS, REWRITE_R_MD, PLOT],
     [IMPORTS, CONFLICT, PLOT]),
    ("rewrite-both-one-to-markdown-ids",
     "the same, cells with ids",
     _ids([IMPORTS, CLEAN, PLOT]), _ids([IMPORTS, REWRITE_L, PLOT]), _ids([IMPORTS, REWRITE_R_MD, PLOT]),
     [IMPORTS, CONFLICT, PLOT]),
    ("append-near-duplicates",
     "both append nearly the same cell (kind='bar' vs kind='barh')",
     [IMPORTS, LOAD], [IMPORTS, LOAD, ("code", "df.plot(kind='bar')\n")], [IMPORTS, LOAD, ("code", "df.plot(kind='barh')\n")],
     [IMPORTS, LOAD, CONFLICT]),
    ("rewrite-vs-delete",
     "one side rewrites a cell beyond recognition, the other deletes it",
     [IMPORTS, CLEAN, PLOT], [IMPORTS, REWRITE_L, PLOT], [IMPORTS, PLOT],
     [IMPORTS, CONFLICT, PLOT]),
    ("rewrite-both-insert-before",
     "both rewrite a cell; ours also inserts a new cell just before it",
     [IMPORTS, CLEAN, PLOT], [IMPORTS, HEADING, REWRITE_L, PLOT], [IMPORTS, REWRITE_R, PLOT],
     [IMPORTS, HEADING, CONFLICT, PLOT]),
    ("rewrite-both-two-adjacent",
     "both rewrite two adjacent cells beyond recognition",
     [IMPORTS, CLEAN, LONG, PLOT], [IMPORTS, REWRITE_L, REWRITE_L2, PLOT], [IMPORTS, REWRITE_R, REWRITE_R2, PLOT],
     [IMPORTS, CONFLICT, CONFLICT, PLOT]),
    ("split-both-edit-halves",
     "both split the same cell in two, each edits a different half",
     [IMPORTS, LONG, PLOT], [IMPORTS, LONG_TOP_L, LONG_BOTTOM, PLOT], [IMPORTS, LONG_TOP, LONG_BOTTOM_R, PLOT],
     [IMPORTS, LONG_TOP_L, LONG_BOTTOM_R, PLOT]),
    ("split-vs-edit",
     "ours splits a cell in two, theirs edits a line of its second half",
     [IMPORTS, LONG, PLOT], [IMPORTS, LONG_TOP, LONG_BOTTOM, PLOT], [IMPORTS, LONG_R, PLOT],
     [IMPORTS, LONG_TOP, LONG_BOTTOM_R, PLOT]),
    ("join-vs-edit",
     "ours joins two cells into one, theirs edits the second",
     [IMPORTS, LONG_TOP, LONG_BOTTOM, PLOT], [IMPORTS, LONG, PLOT], [IMPORTS, LONG_TOP, LONG_R_BOTTOM_ONLY, PLOT],
     [IMPORTS, LONG_R, PLOT]),
    ("move-vs-edit",
     "ours moves a cell to the end, theirs edits it",
     [IMPORTS, LOAD, CLEAN, PLOT], [IMPORTS, LOAD, PLOT, CLEAN], [IMPORTS, LOAD, ("code", CLEAN[1] + "df.describe()\n"), PLOT],
     [IMPORTS, LOAD, PLOT, ("code", CLEAN[1] + "df.describe()\n")]),
    ("swap-vs-edit",
     "ours swaps two cells, theirs edits one of them",
     [IMPORTS, LOAD, CLEAN, PLOT], [IMPORTS, CLEAN, LOAD, PLOT], [IMPORTS, ("code", LOAD[1] + "df.info()\n"), CLEAN, PLOT],
     [IMPORTS, CLEAN, ("code", LOAD[1] + "df.info()\n"), PLOT]),
    ("different-insertions-same-place",
     "both insert an unrelated cell at the same place (both kept, ours first, with a note)",
     [IMPORTS, PLOT], [IMPORTS, LOAD, PLOT], [IMPORTS, INTRO, PLOT],
     [IMPORTS, LOAD, INTRO, PLOT]),
    ("move-by-both",
     "both move the same cell to different places (where ours put it, with a note)",
     [INTRO, IMPORTS, LOAD, PLOT, END], [IMPORTS, LOAD, PLOT, END, INTRO], [IMPORTS, INTRO, LOAD, PLOT, END],
     [IMPORTS, LOAD, PLOT, END, INTRO]),
    ("edit-different-lines",
     "both edit the same cell, different lines far apart",
     [IMPORTS, LONG, PLOT], [IMPORTS, LONG_L, PLOT], [IMPORTS, LONG_R, PLOT],
     [IMPORTS, ("code", LONG_L[1].replace("return total, mean\n", "return total, mean, 'done'\n")), PLOT]),
    ("edit-same-line",
     "both edit the same line of a cell differently",
     [IMPORTS, PLOT], [IMPORTS, ("code", "df.plot(x='year', y='total', kind='bar')\n")],
     [IMPORTS, ("code", "df.plot(x='year', y='mean')\n")],
     [IMPORTS, CONFLICT]),
    ("edit-vs-delete",
     "one side edits a cell (recognisably), the other deletes it",
     [IMPORTS, LOAD, PLOT], [IMPORTS, ("code", LOAD[1] + "df.info()\n"), PLOT], [IMPORTS, PLOT],
     [IMPORTS, CONFLICT, PLOT]),
    ("delete-both",
     "both delete the same cell",
     [IMPORTS, LOAD, PLOT], [IMPORTS, PLOT], [IMPORTS, PLOT],
     [IMPORTS, PLOT]),
    ("same-insertion-both",
     "both insert the very same cell at the same place",
     [IMPORTS, PLOT], [IMPORTS, LOAD, PLOT], [IMPORTS, LOAD, PLOT],
     [IMPORTS, LOAD, PLOT]),
    ("type-change-vs-edit",
     "ours turns a code cell into markdown, theirs edits its text",
     [IMPORTS, ("code", "# TODO: describe the data\n# more to come\n"), PLOT],
     [IMPORTS, ("markdown", "# TODO: describe the data\n# more to come\n"), PLOT],
     [IMPORTS, ("code", "# TODO: describe the data\n# more to come, soon\n"), PLOT],
     [IMPORTS, ("markdown", "# TODO: describe the data\n# more to come, soon\n"), PLOT]),
]


def make_notebook(cells) -> dict:
    """An nbformat 4.4 notebook (4.5 when a cell has an id) of ``(type, source[, id])`` cells."""
    out = []
    with_ids = any(len(c) > 2 for c in cells)
    for cell in cells:
        kind, source = cell[0], cell[1]
        c = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
        if kind == "code":
            c = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c["source"]}
        if len(cell) > 2:
            c["id"] = cell[2]
        out.append(c)
    return {
        "cells": out,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5 if with_ids else 4,
    }


def cell_texts(nb: dict) -> list[tuple[str, str]]:
    cells = nb.get("cells") or []
    return [(c.get("cell_type"), "".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source", ""))
            for c in cells]


def judge(expected: list, texts: list[tuple[str, str]], conflicted: set[int]) -> str:
    """``"right"`` when ``texts`` (with the cells in ``conflicted`` flagged) is what a person expects.

    Otherwise a short verdict: ``"clean, wrong"`` (the worst: nothing says it
    is wrong), ``"conflict, expected clean"`` (too cautious) or ``"conflict,
    wrong cells"`` (flagged, but cells that should be there are missing or
    doubled, or a twin is unflagged).
    """
    want_conflict = CONFLICT in expected
    if not conflicted:
        if not want_conflict and texts == [tuple(c) for c in expected]:
            return "right"
        return "clean, wrong"
    if not want_conflict:
        return "conflict, expected clean"
    if len(texts) != len(expected):
        return "conflict, wrong cells"
    for index, (want, got) in enumerate(zip(expected, texts)):
        if want == CONFLICT:
            if index not in conflicted:
                return "conflict, wrong cells"
        elif tuple(want) != got or index in conflicted:
            return "conflict, wrong cells"
    return "right"
