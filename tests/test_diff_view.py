"""What diff views show: cell ids as one summary line, nbdime's -s/-o/-a/-m/-i/-d, no clipped sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbfactory import code_cell, jupyter_bytes, markdown_cell, notebook, stream
from nbgit.diff import MODIFIED, UNCHANGED, diff_notebooks
from nbgit.diff.view import DiffView
from nbgit.notebook.config import ConfigError, config_from_dict
from nbgit.review.changes import notebook_change
from nbgit.review.markdown import render_markdown
from nbgit.review.terminal import render_notebook_diff


def cells_without_ids(n: int) -> list[dict]:
    out = []
    for k in range(n):
        cell = code_cell(f"x_{k} = {k}\nprint(x_{k})", outputs=[stream(f"{k}\n")]) if k % 3 else markdown_cell(f"## Part {k}")
        cell.pop("id", None)
        out.append(cell)
    return out


def with_ids(cells: list[dict], prefix: str = "id") -> list[dict]:
    return [dict(c, id=f"{prefix}{k}") for k, c in enumerate(cells)]


def run_diff(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nbgit", "diff", "--no-pager", *map(str, args)], cwd=cwd,
                          capture_output=True, env={**os.environ, "NO_COLOR": "1"})


# --- the view over the core diff ---------------------------------------------------------------


def test_ids_added_are_one_note_and_the_cells_count_as_unchanged():
    base = cells_without_ids(12)
    head = with_ids(base)
    head[4] = dict(head[4], source="x_4 = 40\nprint(x_4)")
    d = DiffView().apply(diff_notebooks(notebook(base), notebook(head)))
    assert d.notes == ("ids added to 12 cells",)
    assert [c.kind for c in d.cells].count(MODIFIED) == 1 and d.cells[4].changed == ("source",)
    assert all(c.kind == UNCHANGED for k, c in enumerate(d.cells) if k != 4)
    removed = DiffView().apply(diff_notebooks(notebook(head), notebook(base)))
    assert "ids removed from 12 cells" in removed.notes
    regenerated = DiffView().apply(diff_notebooks(notebook(with_ids(base)), notebook(with_ids(base, "new"))))
    assert regenerated.notes == ("ids changed on 12 cells",) and not any(c.changed for c in regenerated.cells)


def test_selecting_ids_shows_them_per_cell_and_ignoring_drops_the_note():
    base = cells_without_ids(3)
    d = diff_notebooks(notebook(base), notebook(with_ids(base)))
    shown = DiffView(only=("ids",)).apply(d)
    assert not shown.notes and all(c.changed == ("id",) for c in shown.cells)
    ignored = DiffView(ignore=("ids",)).apply(d)
    assert not ignored.notes and ignored.is_empty()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["sources", "outputs", "metadata", "attachments", "ids", "details"]), max_size=3),
       st.lists(st.sampled_from(["sources", "outputs", "metadata", "attachments", "ids", "details"]), max_size=2))
def test_a_view_only_ever_hides_changes(only, ignore):
    base = cells_without_ids(6)
    head = with_ids(json.loads(json.dumps(base)))
    head[1]["source"] = "changed"
    head[2]["outputs"] = [stream("other\n")]
    head[3]["metadata"] = {"tags": ["t"]}
    full = diff_notebooks(notebook(base), notebook(head))
    view = DiffView(only, ignore)
    d = view.apply(full)
    for before, after in zip(full.cells, d.cells):
        assert set(after.changed) <= set(before.changed)
        assert (after.a_index, after.b_index) == (before.a_index, before.b_index)
    assert ("ids" in view.shown) == any("id" in c.changed for c in d.cells)


def test_terminal_never_clips_source_and_appending_shows_one_added_line():
    long_line = "text " * 200
    a = notebook([markdown_cell(long_line + "end", id="m"), code_cell("x = 1\nprint(x)", id="c")])
    b = notebook([markdown_cell(long_line + "END", id="m"), code_cell("x = 1\nprint(x)\nprint(2)", id="c")])
    lines = render_notebook_diff(diff_notebooks(a, b))
    assert "+" + long_line + "END" in lines and "-" + long_line + "end" in lines
    assert [line for line in lines if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))] == [
        "-" + long_line + "end", "+" + long_line + "END", "+print(2)"]


def test_config_keys_are_checked():
    cfg = config_from_dict({"diff_ignore": ["outputs"], "diff_only": ["sources", "ids"]})
    assert cfg.diff_ignore == ("outputs",) and cfg.diff_only == ("sources", "ids")
    with pytest.raises(ConfigError, match="diff_ignore entries"):
        config_from_dict({"diff_ignore": ["output"]})


# --- nbgit diff and review -------------------------------------------------------------------------


@pytest.fixture
def id_pair(tmp_path):
    base = cells_without_ids(30)
    head = with_ids(base)
    head[7] = dict(head[7], source="x_7 = 70\nprint(x_7)")
    head[8] = dict(head[8], outputs=[stream("eight\n")], metadata={"tags": ["slow"]})
    a, b = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    a.write_bytes(jupyter_bytes(notebook(base)))
    b.write_bytes(jupyter_bytes(notebook(head)))
    return tmp_path, a, b


def test_nbgit_diff_sums_up_ids_in_one_line(id_pair):
    tmp, a, b = id_pair
    out = run_diff(a, b, cwd=tmp).stdout.decode()
    assert out.count("@@ ids added to 30 cells @@") == 1
    assert out.count("@@ cell ") == 2 and "id: None" not in out
    per_cell = run_diff("-i", a, b, cwd=tmp).stdout.decode()
    assert per_cell.count("  id: None -> id") == 30 and "ids added" not in per_cell


@pytest.mark.parametrize("flags, present, absent", [
    (["-s"], ["+x_7 = 70"], ["outputs:", "metadata:", "ids added"]),
    (["-o"], ["outputs:", "+    eight"], ["+x_7 = 70", "metadata:"]),
    (["-m"], ["metadata:"], ["+x_7 = 70", "outputs:"]),
    (["-O", "-M"], ["+x_7 = 70", "ids added"], ["outputs:", "metadata:"]),
    (["-I"], ["+x_7 = 70", "outputs:"], ["ids added"]),
])
def test_nbdime_style_options(id_pair, flags, present, absent):
    tmp, a, b = id_pair
    out = run_diff(*flags, a, b, cwd=tmp).stdout.decode()
    for text in present:
        assert text in out, (flags, text)
    for text in absent:
        assert text not in out, (flags, text)


def test_config_sets_the_default_view_for_diff_textconv_and_review(repo):
    repo.write("pyproject.toml", '[tool.nbgit]\ndiff_ignore = ["metadata"]\nkeep_outputs = true\n')
    base = notebook([code_cell("x = 1", id="a", outputs=[stream("1\n")])])
    head = notebook([code_cell("x = 1", id="a", outputs=[stream("2\n")], metadata={"tags": ["t"]})])
    repo.write("a.ipynb", jupyter_bytes(base))
    repo.write("b.ipynb", jupyter_bytes(head))
    out = run_diff("a.ipynb", "b.ipynb", cwd=repo.path).stdout.decode()
    assert "+    2" in out and "metadata" not in out
    assert "tags" in run_diff("-m", "a.ipynb", "b.ipynb", cwd=repo.path).stdout.decode()  # options win
    text = repo.nbgit("textconv", "b.ipynb").stdout.decode()
    assert "# tags" not in text and "#> 2" in text
    repo.nbgit("install")
    repo.write("nb.ipynb", jupyter_bytes(base))
    repo.commit("base")
    repo.write("nb.ipynb", jupyter_bytes(head))
    repo.commit("head")
    md = repo.nbgit("review", "HEAD~1..HEAD").stdout.decode()
    assert "+2" in md and "tags" not in md


def test_review_counts_id_only_cells_as_unchanged():
    base = cells_without_ids(20)
    head = with_ids(base)
    head[5] = dict(head[5], source="x_5 = 50\nprint(x_5)")
    change = notebook_change("nb.ipynb", jupyter_bytes(notebook(base)), jupyter_bytes(notebook(head)))
    assert change.summary["modified"] == 1 and change.summary["notes"] == ["ids added to 20 cells"]
    md = render_markdown([change])
    assert "ids added to 20 cells" in md and md.count("```diff") == 1
    from nbgit.review.html import render_html

    page = render_html([change])
    assert "ids added to 20 cells" in page
