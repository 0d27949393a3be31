"""The PR-comment markdown: summary table, <details> per notebook, fences, the 65,536 bound."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from nbfactory import code_cell, image, jupyter_bytes, markdown_cell, notebook, stream
from nbgit.review.changes import notebook_change
from nbgit.review.markdown import GITHUB_COMMENT_LIMIT, fence_for, md_code, md_text, render_markdown


def change(path, a_cells, b_cells):
    a = jupyter_bytes(notebook(a_cells)) if a_cells is not None else None
    b = jupyter_bytes(notebook(b_cells)) if b_cells is not None else None
    return notebook_change(path, a, b)


def fences(text: str) -> list[tuple[int, str]]:
    """(line number, fence) of every fence line, paired open/close as a CommonMark reader would."""
    out = []
    open_len = 0
    for n, line in enumerate(text.splitlines()):
        m = re.match(r"^(`{3,})(.*)$", line)
        if not m:
            continue
        ticks = len(m.group(1))
        if not open_len:
            open_len = ticks
            out.append((n, "open"))
        elif ticks >= open_len and not m.group(2).strip():
            open_len = 0
            out.append((n, "close"))
    assert not open_len, "a fence is left open"
    return out


def test_summary_table_and_details_blocks():
    a = [code_cell("x = 1\ny = 2\n", id="c1"), markdown_cell("# Title\n", id="m1"), code_cell("gone()\n", id="c2")]
    b = [code_cell("x = 1\ny = 3\n", id="c1", outputs=[stream("3\n")]), markdown_cell("# Title\n", id="m1"),
         code_cell("new()\nmore()\n", id="c3")]
    text = render_markdown([change("nb/a.ipynb", a, b), change("new.ipynb", None, b)], base="main", head="feature")
    assert text.startswith("## Notebook review: `main` → `feature`\n")
    assert "| <code>nb/a&#46;ipynb</code> | modified |" in text
    assert "| <code>new&#46;ipynb</code> | added | 3 | 0 | 0 | 0 | 0 |" in text
    assert text.count("<details><summary>") == 2 and text.count("</details>") == 2
    assert "-y = 2\n+y = 3\n" in text
    assert "+new()\n+more()\n" in text or "-gone()\n" in text
    assert "@@ outputs @@\n+[stream: stdout]\n+3\n" in text
    assert "Truncated" not in text
    fences(text)


def test_unchanged_notebook_cells_are_not_listed():
    cells = [code_cell(f"v{i} = {i}\n", id=f"c{i}") for i in range(30)]
    b = [dict(c) for c in cells]
    b[15] = code_cell("v15 = 'changed'\n", id="c15")
    text = render_markdown([change("x.ipynb", cells, b)])
    assert text.count("**Cell") == 1
    assert "**Cell 16** (code, id <code>c15</code>) — changed: source" in text


def test_fence_inside_content_cannot_close_the_block():
    nasty = "text\n```\n</details>\n````py\n@everyone <script>alert(1)</script>\n"
    text = render_markdown([change("f.ipynb", [markdown_cell("a\n", id="m")], [markdown_cell(nasty, id="m")])])
    opening = re.search(r"^(`{3,})diff$", text, re.M)
    assert opening and len(opening.group(1)) == 5
    marks = fences(text)
    assert len(marks) == 2
    # everything nasty is between the two fences
    lines = text.splitlines()
    inner = "\n".join(lines[marks[0][0] + 1 : marks[1][0]])
    assert "+</details>" in inner and "+````py" in inner and "<script>" in inner
    outside = "\n".join(lines[: marks[0][0]] + lines[marks[1][0] + 1 :])
    assert "<script>" not in outside and "@everyone" not in outside


def test_names_outside_fences_are_literal_text():
    evil = "a|b <img src=x onerror=alert(1)> @octocat [x](http://e.vil) `tick`.ipynb"
    cells = [code_cell("1\n", id="<b>id</b>")]
    text = render_markdown([change(evil, None, cells)])
    assert "<img" not in text and "@octocat" not in text and "](http" not in text and "`tick`" not in text
    assert md_code(evil) in text
    assert "id <code>&#60;b&#62;id&#60;/b&#62;</code>" in text


def test_images_are_summarised_not_embedded():
    a = [code_cell("plot()\n", id="p", outputs=[image(1)])]
    b = [code_cell("plot()\n", id="p", outputs=[stream("done\n"), image(2)])]
    text = render_markdown([change("img.ipynb", a, b)])
    assert " [image/png 88 B, sha1 " in text
    assert "iVBOR" not in text  # no base64 in a comment


def test_unreadable_side_is_reported():
    bad = notebook_change("broken.ipynb", b'{"cells": [', jupyter_bytes(notebook([])))
    text = render_markdown([bad])
    assert "unreadable (base&#58;<wbr> invalid JSON" in text
    assert "Cannot show a diff" in text


def test_empty_review():
    assert "No notebook changed." in render_markdown([])


def huge_change_set(n_notebooks=60, n_cells=40, line_len=60):
    changes = []
    for k in range(n_notebooks):
        a = [code_cell("".join(f"a{k}_{i}_{j} = '{'x' * line_len}'\n" for j in range(8)), id=f"c{i}") for i in range(n_cells)]
        b = [code_cell("".join(f"b{k}_{i}_{j} = '{'y' * line_len}'\n" for j in range(8)), id=f"c{i}",
                       outputs=[stream("out\n" * 5)]) for i in range(n_cells)]
        changes.append(change(f"dir/notebook_{k:03}.ipynb", a, b))
    return changes


def test_huge_change_set_stays_under_github_limit():
    changes = huge_change_set()
    text = render_markdown(changes)
    assert len(text) < GITHUB_COMMENT_LIMIT
    assert len(text) > GITHUB_COMMENT_LIMIT * 0.8  # the room is used, not wasted
    assert "Truncated to stay under GitHub's 65,536-character comment limit" in text
    assert "notebook(s) not shown" in text and "more changed cell(s) of this notebook not shown" in text
    assert text.count("<details>") == text.count("</details>")
    fences(text)
    # the table lists every notebook while it fits
    assert md_code("dir/notebook_059.ipynb") in text


def test_huge_table_is_cut_too():
    changes = huge_change_set(n_notebooks=900, n_cells=1, line_len=5)
    text = render_markdown(changes)
    assert len(text) < GITHUB_COMMENT_LIMIT
    assert "row(s) left out of the table" in text
    assert re.search(r"\| _… \d+ more_ \|", text)


def test_single_giant_cell_is_cut():
    a = [code_cell("".join(f"line {i}\n" for i in range(600)), id="g")]
    b = [code_cell("".join(f"line {i}\n" if i % 2 else f"LINE {i}\n" for i in range(600)), id="g")]
    text = render_markdown([change("g.ipynb", a, b)])
    assert "more line(s) not shown" in text
    assert len(text) < 20_000


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from("`~<>|@\n ab#*"), max_size=200), min_size=1, max_size=6),
    st.integers(min_value=2000, max_value=12000),
)
def test_property_bound_and_balanced_fences(sources, limit):
    cells_a = [markdown_cell(s, id=f"m{i}") for i, s in enumerate(sources)]
    cells_b = [markdown_cell(s[::-1] + "\nz", id=f"m{i}") for i, s in enumerate(sources)]
    changes = [change(f"n{i}.ipynb", cells_a, cells_b) for i in range(8)]
    text = render_markdown(changes, max_chars=limit)
    assert len(text) < limit
    assert text.count("<details>") == text.count("</details>")
    fences(text)


def test_fence_for():
    assert fence_for("no ticks") == ("```diff", "```")
    assert fence_for("a ```` b")[1] == "`````"


def test_execution_count_only_changes_are_not_listed_as_changes():
    a = [code_cell("a = 1\n", id="a", count=1), code_cell("b = 2\n", id="b", count=2)]
    b = [code_cell("a = 1\n", id="a", count=7), code_cell("b = 3\n", id="b", count=8)]
    c = change("n.ipynb", a, b)
    assert c.summary["counts"] == 1 and c.summary["modified"] == 1
    text = render_markdown([c])
    assert text.count("**Cell") == 1 and "1 new execution count only" in text
    only = change("o.ipynb", a, [code_cell("a = 1\n", id="a", count=5), code_cell("b = 2\n", id="b", count=6)])
    assert "Only execution counts changed." in render_markdown([only])
    from nbgit.review.html import render_html

    page = render_html([c])
    assert page.count('class="cell change ') == 1
    assert "1 with only a new execution count" in page and "execution count 1 → 7" in page
