"""nbgit textconv: the renderer, the raw fallback, the CLI, and git diff/log/show/blame through it."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import corpus_dir
from nbfactory import PNG_1PX, code_cell, dirty_notebook, image, jupyter_bytes, markdown_cell, notebook, stream
from nbgit.git.textconv import MAX_LINE_CHARS, MAX_OUTPUT_LINES, convert, render_notebook
from nbgit.notebook.config import DEFAULT_CONFIG, Config

HEADER_RE = re.compile(r"^# %% .*$", re.MULTILINE)


def render(nb: dict, **kw) -> str:
    return render_notebook(nb, **kw)


def output_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("#> ")]


# --- the renderer ----------------------------------------------------------------------------


def test_one_header_per_cell_named_by_its_first_line_and_ids_in_one_line():
    nb = notebook([code_cell("x = 1\n", id="abc123"), markdown_cell("\n# Title\n", id="m1"), code_cell("y", id="c2")])
    text = render(nb)
    assert HEADER_RE.findall(text) == ["# %% [code] x = 1", "# %% [markdown] # Title", "# %% [code] y"]
    assert "x = 1\n" in text and "# Title\n" in text and "\ny\n" in text
    assert "abc123" not in text and text.splitlines()[1].startswith("# cell ids: 3 of 3 cells, sha1 ")


def test_cell_ids_change_one_line_and_can_be_shown_per_cell():
    from nbgit.diff.view import DiffView

    cells = [code_cell(f"x = {k}\n") for k in range(20)]
    without = notebook(cells)
    with_ids = notebook([dict(c, id=f"id{k}") for k, c in enumerate(cells)])
    a, b = render(without).splitlines(), render(with_ids).splitlines()
    assert [line for line in b if line not in a] == [b[1]] and b[1].startswith("# cell ids: 20 of 20 cells")
    regenerated = notebook([dict(c, id=f"new{k}") for k, c in enumerate(cells)])
    c = render(regenerated).splitlines()
    assert [i for i, (x, y) in enumerate(zip(b, c)) if x != y] == [1] and len(b) == len(c)
    shown = render(with_ids, view=DiffView(("sources", "ids")))
    assert "# %% [code] x = 0 (id id0)" in shown and "# cell ids" not in shown


def test_long_names_are_cut_and_numbers_option():
    nb = notebook([code_cell("a\n"), markdown_cell("b" * 100 + "\n")], minor=4)
    assert HEADER_RE.findall(render(nb)) == ["# %% [code] a", "# %% [markdown] " + "b" * 59 + "…"]
    assert HEADER_RE.findall(render(nb, numbers=True))[0] == "# %% [code] cell 1 a"


def test_source_is_shown_exactly_two_lines_below_its_header():
    src = "def f(x):\n\n    return x  # comment\n\n\n"
    text = render(notebook([code_cell(src, id="a"), code_cell("", id="b"), markdown_cell("no newline", id="c")]))
    assert text.endswith("# %% [markdown] no newline\n\n\nno newline\n")
    assert "# %% [code] def f(x):\n\n\n" + src + "\n# %% [code]\n\n# %% [markdown]" in text


def test_notebook_header_is_one_short_line_without_volatile_language_info():
    nb = notebook([])
    nb["metadata"]["language_info"].update(codemirror_mode={"name": "ipython", "version": 3}, pygments_lexer="ipython3")
    text = render(nb)
    assert text == "# notebook: nbformat 4.5, kernel python3 (Python 3), language python\n"


def test_other_notebook_metadata_one_line_per_key_sorted():
    nb = notebook([], metadata={"jupytext": {"formats": "ipynb,py"}, "authors": [{"name": "A"}]})
    lines = render(nb).splitlines()
    assert lines[1:] == ['# metadata.authors: [{"name": "A"}]', '# metadata.jupytext: {"formats": "ipynb,py"}']


def test_image_summary_has_decoded_size_and_sha1():
    raw = base64.b64decode(PNG_1PX)
    text = render(notebook([code_cell("plot()", outputs=[image()], id="a")]))
    expected = f"#> <image/png {len(raw)} B sha1:{hashlib.sha1(raw).hexdigest()[:12]}>"
    assert expected in text.splitlines()
    assert PNG_1PX not in text
    assert "#> <Figure>" in text  # text/plain shown beside it


def test_image_sizes_in_kilobytes_and_split_base64_lines_hash_the_same():
    raw = bytes(range(256)) * 48  # 12288 bytes
    b64 = base64.b64encode(raw).decode()
    one = {"output_type": "display_data", "data": {"image/jpeg": b64}, "metadata": {}}
    split = {"output_type": "display_data", "data": {"image/jpeg": base64.encodebytes(raw).decode()}, "metadata": {}}
    a = render(notebook([code_cell("", outputs=[one])]))
    b = render(notebook([code_cell("", outputs=[split])]))
    assert "<image/jpeg 12.3 kB sha1:" in a
    assert a == b


def test_other_rich_outputs_are_summarized_and_widgets_have_no_model_id():
    html = "<table>" + "<tr><td>1</td></tr>" * 50 + "</table>"
    out = {
        "output_type": "execute_result",
        "execution_count": 3,
        "data": {
            "text/plain": ["   a\n", "0  1"],
            "text/html": html,
            "application/vnd.jupyter.widget-view+json": {"model_id": "f00", "version_major": 2},
        },
        "metadata": {"needs_background": "light"},
    }
    lines = output_lines(render(notebook([code_cell("df", outputs=[out])])))
    digest = hashlib.sha1(html.encode()).hexdigest()[:12]
    assert lines == [
        "#> [execute_result]",
        "#>    a",
        "#> 0  1",
        "#> <widget>",
        f"#> <text/html {len(html)} B sha1:{digest}>",
    ]


def test_markdown_output_without_plain_text_is_shown_as_text():
    out = {"output_type": "display_data", "data": {"text/markdown": "**bold**"}, "metadata": {}}
    assert output_lines(render(notebook([code_cell("", outputs=[out])]))) == ["#> [display_data]", "#> **bold**"]


def test_long_output_is_truncated_with_a_note_that_changes_with_hidden_text():
    n = MAX_OUTPUT_LINES + 30
    body = "".join(f"line {i}\n" for i in range(n))
    lines = output_lines(render(notebook([code_cell("", outputs=[stream(body)])])))
    assert lines[0] == "#> [stdout]"
    assert lines[1:-1] == [f"#> line {i}" for i in range(MAX_OUTPUT_LINES)]
    assert re.fullmatch(r"#> \.\.\. \(30 more lines, \d+ B in all, sha1:[0-9a-f]{12}\)", lines[-1])
    changed = body.replace(f"line {n - 1}", "line X")
    other = output_lines(render(notebook([code_cell("", outputs=[stream(changed)])])))
    assert other[:-1] == lines[:-1] and other[-1] != lines[-1]


def test_long_line_is_clipped_with_its_hash():
    long = "x" * (MAX_LINE_CHARS + 50)
    lines = output_lines(render(notebook([code_cell("", outputs=[stream(long + "\n")])])))
    assert lines[1].startswith("#> " + "x" * MAX_LINE_CHARS + "... (+50 chars, sha1:")
    other = output_lines(render(notebook([code_cell("", outputs=[stream(long + "y\n")])])))
    assert other[1] != lines[1]


def test_errors_show_ename_and_evalue_without_traceback():
    err = {"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero",
           "traceback": ["\x1b[0;31m---------\x1b[0m", "Traceback (most recent call last)"]}
    lines = output_lines(render(notebook([code_cell("1/0", outputs=[err])])))
    assert lines == ["#> [error] ZeroDivisionError: division by zero"]


def test_ansi_colours_and_progress_bars_show_what_a_terminal_shows():
    text = "\x1b[31mred\x1b[0m\n 10%|#   |\r 50%|##  |\r100%|####|\n"
    lines = output_lines(render(notebook([code_cell("", outputs=[stream(text)])])))
    assert lines == ["#> [stdout]", "#> red", "#> 100%|####|"]


def test_execution_counts_and_output_metadata_are_left_out():
    a = notebook([code_cell("x", outputs=[image(1)], count=1, id="a")])
    b = notebook([code_cell("x", outputs=[image(7)], count=7, id="a")])
    b["cells"][0]["outputs"][0]["metadata"] = {"image/png": {"width": 300}}
    assert render(a) == render(b)


def test_cell_metadata_tags_and_attachments():
    md = markdown_cell("![x](attachment:x.png)\n", id="m", metadata={"tags": ["keep", "slide"], "editable": False})
    md["attachments"] = {"x.png": {"image/png": PNG_1PX}}
    raw_cell = {"cell_type": "raw", "id": "r", "metadata": {"raw_mimetype": "text/x-rst"}, "source": ".. note::"}
    lines = render(notebook([md, raw_cell])).splitlines()
    i = lines.index("# %% [markdown] ![x](attachment:x.png)")
    assert lines[i + 1 : i + 4] == ["# tags: keep, slide", '# metadata: {"editable": false}', "![x](attachment:x.png)"]
    assert re.fullmatch(r"# attachment x\.png: <image/png 66 B sha1:[0-9a-f]{12}>", lines[i + 4])
    assert lines[-4:] == ["# %% [raw] .. note::", '# metadata: {"raw_mimetype": "text/x-rst"}', "", ".. note::"]


def test_odd_shapes_do_not_break_the_renderer():
    nb = notebook([
        {"cell_type": "code", "source": None, "outputs": [{"output_type": "mystery"}, "junk"], "id": "a\nb"},
        {"cell_type": 5, "source": ["a", 1]},
        {"source": "x"},
    ])
    text = render(nb)
    assert HEADER_RE.findall(text) == ["# %% [code]", "# %% [unknown] a1", "# %% [unknown] x"]
    assert "#> [mystery]" in text


def test_nbformat3_is_rendered_directly():
    v3 = {
        "metadata": {"name": "old"},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [{"cells": [
            {"cell_type": "heading", "level": 2, "metadata": {}, "source": "Title"},
            {"cell_type": "code", "collapsed": False, "input": "print(1)\n1/0", "language": "python", "metadata": {},
             "prompt_number": 3, "outputs": [
                 {"output_type": "stream", "stream": "stdout", "text": "1\n"},
                 {"output_type": "pyout", "prompt_number": 3, "text": "42", "png": PNG_1PX, "metadata": {}},
                 {"output_type": "pyerr", "ename": "ZeroDivisionError", "evalue": "oops", "traceback": []},
             ]},
        ]}],
    }
    text = render(v3)
    assert text.startswith("# notebook: nbformat 3.0\n# metadata.name: \"old\"\n")
    assert HEADER_RE.findall(text) == ["# %% [heading 2] Title", "# %% [code] print(1)"]
    assert output_lines(text)[:4] == ["#> [stdout]", "#> 1", "#> [execute_result]", "#> 42"]
    assert re.search(r"^#> <image/png 66 B sha1:[0-9a-f]{12}>$", text, re.MULTILINE)
    assert "#> [error] ZeroDivisionError: oops" in text
    assert "prompt_number" not in text and "print(1)\n1/0\n" in text


@st.composite
def cells(draw):
    kind = draw(st.sampled_from(["code", "markdown"]))
    # sources never start a line with "# %%" (that would be a header for git too)
    lines = draw(st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x1b"), max_size=12), max_size=4))
    src = "\n".join(lines).replace("# %%", "#%%")
    cid = draw(st.text("abcdef0123456789", min_size=4, max_size=8))
    if kind == "code":
        outs = draw(st.lists(st.sampled_from([stream("hi\n"), image()]), max_size=2))
        return code_cell(src, outputs=outs, id=cid)
    return markdown_cell(src, id=cid)


@settings(max_examples=150, deadline=None)
@given(st.lists(cells(), max_size=8), st.lists(cells(), min_size=1, max_size=3), st.data())
def test_inserting_cells_adds_their_blocks_and_changes_no_other_line(base, new, data):
    """Diffs of small changes stay small: no line outside the inserted blocks changes."""
    k = data.draw(st.integers(0, len(base)))

    def text(cells):  # without the one line that sums up the cell ids
        return [line for line in render(notebook(cells)).splitlines() if not line.startswith("# cell ids: ")]

    before = text(base)
    after = text(base[:k] + new + base[k:])
    headers = [i for i, line in enumerate(after) if HEADER_RE.fullmatch(line)]
    assert len(headers) == len(base) + len(new)
    start = headers[k] - 1  # each block opens with a blank line
    end = headers[k + len(new)] - 1 if k + len(new) < len(headers) else len(after)
    assert after[:start] + after[end:] == before
    assert after[start:end] == text(new)[1:]


# --- convert: cleaning and the raw fallback ----------------------------------------------------


def test_convert_cleans_with_the_config_first():
    data = jupyter_bytes(dirty_notebook(2))
    shown = convert(data, DEFAULT_CONFIG).decode()
    assert "#> " not in shown and "widgets" not in shown and "ExecuteTime" not in shown
    kept = convert(data, Config(keep_outputs=True)).decode()
    assert "#> [stdout]" in kept and "<image/png 66 B sha1:" in kept and "ExecuteTime" not in kept
    unclean = convert(data, None).decode()
    assert "#> [stdout]" in unclean and "ExecuteTime" in unclean


def test_keep_output_tag_is_respected():
    nb = notebook([code_cell("x", outputs=[stream("kept\n")], id="a", metadata={"tags": ["keep_output"]}),
                   code_cell("y", outputs=[stream("gone\n")], id="b")])
    shown = convert(jupyter_bytes(nb)).decode()
    assert "#> kept" in shown and "gone" not in shown


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b'{"cells": [', "invalid JSON"),
        (b'<<<<<<< HEAD\n{"cells": []}\n=======\n{}\n>>>>>>> other\n', "conflict markers"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"a": 1}', "not a notebook"),
    ],
)
def test_unreadable_input_passes_through_byte_for_byte_with_one_warning(data, reason):
    err = io.StringIO()
    assert convert(data, DEFAULT_CONFIG, path="x.ipynb", stderr=err) == data
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and "x.ipynb" in lines[0] and reason in lines[0]


def test_a_renderer_bug_falls_back_to_raw(monkeypatch):
    import nbgit.git.textconv as tc

    def boom(nb, numbers=False):
        raise KeyError("bug")

    monkeypatch.setattr(tc, "render_notebook", boom)
    data = jupyter_bytes(notebook([]))
    err = io.StringIO()
    assert tc.convert(data, stderr=err) == data
    assert "could not render" in err.getvalue()


def test_every_corpus_notebook_renders():
    root = corpus_dir()
    paths = sorted(root.rglob("*.ipynb"))
    assert paths
    rendered = 0
    for path in paths:
        data = path.read_bytes()
        err = io.StringIO()
        out = convert(data, DEFAULT_CONFIG, path=str(path), stderr=err)
        if out == data:  # passed through: only for files that are not notebooks
            assert "could not render" not in err.getvalue(), path
            with pytest.raises(ValueError):
                json.loads(data)
            continue
        text = out.decode("utf-8")
        assert text.startswith("# notebook: nbformat "), path
        nb = json.loads(data)
        n_cells = len(nb["cells"]) if nb["nbformat"] >= 4 else sum(len(w.get("cells", [])) for w in nb["worksheets"])
        assert len(HEADER_RE.findall(text)) >= n_cells, path
        assert "#> " not in text  # default config: outputs stripped before rendering
        assert convert(data, Config(keep_outputs=True)).decode("utf-8").startswith("# notebook:")
        rendered += 1
    assert rendered >= len(paths) - 5


# --- the command line ------------------------------------------------------------------------


def test_cli_prints_text_and_passes_unreadable_files_through(repo):
    repo.write("nb.ipynb", jupyter_bytes(dirty_notebook(1)))
    out = repo.nbgit("textconv", "nb.ipynb").stdout.decode()
    assert out.startswith("# notebook: nbformat 4.5") and "# %% [code] x = 0" in out and "#> " not in out
    assert "#> [stdout]" in repo.nbgit("textconv", "--no-clean", "nb.ipynb").stdout.decode()
    assert "# %% [code] cell 1 x = 0" in repo.nbgit("textconv", "--numbers", "nb.ipynb").stdout.decode()
    assert repo.nbgit("textconv", "-", input=repo.read("nb.ipynb")).stdout.decode() == out
    bad = b'{"cells": [\n<<<<<<< HEAD\n'
    repo.write("bad.ipynb", bad)
    proc = repo.nbgit("textconv", "bad.ipynb")
    assert proc.stdout == bad and proc.returncode == 0
    assert proc.stderr.decode().count("\n") == 1 and "bad.ipynb" in proc.stderr.decode()


def test_cli_imports_no_heavy_modules(repo):
    """The hot path: textconv runs once per blob, so no nbformat/jsonschema/nbdime/pygit2."""
    repo.write("nb.ipynb", jupyter_bytes(dirty_notebook(2)))
    proc = repo.nbgit("textconv", "nb.ipynb", env={"PYTHONPROFILEIMPORTTIME": "1"})
    imported = {line.split("|")[2].strip() for line in proc.stderr.decode().splitlines() if line.startswith("import time:")}
    assert "nbgit.git.textconv" in imported
    heavy = {m for m in imported if m.split(".")[0] in ("nbformat", "jsonschema", "fastjsonschema", "nbdime", "pygit2")}
    assert heavy == set()


def test_cli_missing_file_is_a_one_line_error(repo):
    proc = repo.nbgit("textconv", "nope.ipynb", check=False)
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode() == "nbgit textconv: error: nope.ipynb: No such file or directory\n"
    assert repo.nbgit("textconv", "--help").stdout.decode().startswith("usage: nbgit textconv")
    assert repo.nbgit("textconv", check=False).returncode == 2


def test_cli_config_error_warns_and_uses_the_defaults(repo):
    repo.write(".nbgit.toml", "keep_outputs = 'yes'\n")
    repo.write("nb.ipynb", jupyter_bytes(dirty_notebook(1)))
    proc = repo.nbgit("textconv", "nb.ipynb")
    assert "#> " not in proc.stdout.decode() and "# %% [code]" in proc.stdout.decode()
    err = proc.stderr.decode().splitlines()
    assert len(err) == 1 and "keep_outputs" in err[0] and "default config" in err[0]


def test_cli_reads_the_repository_config(repo):
    repo.write("pyproject.toml", "[tool.nbgit]\nkeep_outputs = true\n")
    repo.write("sub/nb.ipynb", jupyter_bytes(dirty_notebook(1)))
    out = repo.nbgit("textconv", "sub/nb.ipynb").stdout.decode()
    assert "#> [stdout]" in out and "ExecuteTime" not in out


# --- in git ----------------------------------------------------------------------------------


def edit(nb: dict, index: int, source: str) -> dict:
    nb = json.loads(json.dumps(nb))
    nb["cells"][index]["source"] = source.splitlines(keepends=True)
    return nb


BASE = notebook([
    markdown_cell("# Analysis\n\nSome words.\n", id="intro"),
    code_cell("import math\nx = 1\ny = 2\nz = 3\nw = 4\n", id="setup", outputs=[stream("ok\n")], count=1),
    code_cell("def area(r):\n    return math.pi * r ** 2\n", id="area"),
])


def test_git_diff_and_diff_cached_show_cells(installed_repo):
    r = installed_repo
    r.write("nb.ipynb", jupyter_bytes(BASE))
    r.commit("base")
    r.write("nb.ipynb", jupyter_bytes(edit(BASE, 2, "def area(r):\n    return 3.14159 * r ** 2\n")))
    diff = r.out("diff")
    assert "-    return math.pi * r ** 2\n+    return 3.14159 * r ** 2\n" in diff
    assert '"source"' not in diff and "#> " not in diff
    r.git("add", "nb.ipynb")
    assert r.out("diff") == ""
    cached = r.out("diff", "--cached")
    assert "+    return 3.14159 * r ** 2" in cached and '"source"' not in cached
    raw = r.out("diff", "--cached", "--no-textconv")
    assert '"source"' in raw or '"    return 3.14159' in raw


def test_hunk_headers_name_the_cell(installed_repo):
    r = installed_repo
    r.write("nb.ipynb", jupyter_bytes(BASE))
    r.commit("base")
    r.write("nb.ipynb", jupyter_bytes(edit(BASE, 1, "import math\nx = 1\ny = 2\nz = 3\nw = 40\n")))
    hunks = re.findall(r"^@@ .* @@(.*)$", r.out("diff"), re.MULTILINE)
    assert hunks == [" # %% [code] import math"]


def test_hunk_headers_name_the_cell_for_a_change_in_any_line_but_the_first(installed_repo):
    """git names a hunk by the last header above its first context line: the header stays above."""
    r = installed_repo
    sources = ["a = 1", "b = 1\nb = 2", "c = 1\nc = 2\nc = 3", "d = 1", "e = 1\ne = 2\ne = 3\ne = 4\ne = 5"]
    base = notebook([code_cell(src, id=f"id{k}") for k, src in enumerate(sources)])
    r.write("nb.ipynb", jupyter_bytes(base))
    r.commit("base")
    checked = 0
    for k, src in enumerate(sources):
        lines = src.split("\n")
        for n in range(1, len(lines)):
            new = lines[:n] + [lines[n] + "0"] + lines[n + 1 :]
            r.write("nb.ipynb", jupyter_bytes(edit(base, k, "\n".join(new))))
            hunks = re.findall(r"^@@ .* @@(.*)$", r.out("diff"), re.MULTILINE)
            assert hunks == [f" # %% [code] {lines[0]}"], (k, n)
            checked += 1
        # appending a line: one added line, the last line is not shown as changed
        r.write("nb.ipynb", jupyter_bytes(edit(base, k, src + "\nnew = 0")))
        diff = r.out("diff")
        assert re.findall(r"^@@ .* @@(.*)$", diff, re.MULTILINE) == [f" # %% [code] {lines[0]}"]
        assert [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == ["+new = 0"]
    assert checked == 7


def test_log_p_show_and_blame_use_textconv(installed_repo):
    r = installed_repo
    r.write("nb.ipynb", jupyter_bytes(BASE))
    r.commit("base")
    r.write("nb.ipynb", jupyter_bytes(edit(BASE, 0, "# Analysis\n\nBetter words.\n")))
    r.commit("words")
    log = r.out("log", "-p", "--format=%s", "--", "nb.ipynb")
    assert "-Some words.\n+Better words.\n" in log
    assert "+# %% [code] def area(r):" in log  # the first commit, as text
    assert r.out("for-each-ref", "refs/notes/textconv/nbgit")  # diff.nbgit.cachetextconv at work
    show = r.out("show", "HEAD", "--", "nb.ipynb")
    assert "-Some words.\n+Better words.\n" in show and '"cell_type"' not in show
    assert r.out("show", "HEAD:nb.ipynb").startswith("{")  # `git show REV:PATH` is the blob itself
    assert r.out("show", "--textconv", "HEAD:nb.ipynb").startswith("# notebook: nbformat 4.5")
    blame = r.out("blame", "--line-porcelain", "nb.ipynb")
    contents = [line[1:] for line in blame.splitlines() if line.startswith("\t")]
    assert contents[0].startswith("# notebook: nbformat 4.5")
    assert "# %% [markdown] # Analysis" in contents and "Better words." in contents
    assert "invalid JSON" not in r.git("blame", "nb.ipynb").stderr.decode()  # git cleans the textconv text
    summaries = re.findall(r"^summary (.*)$", blame, re.MULTILINE)
    line_of = dict(zip(contents, summaries))
    assert line_of["Better words."] == "words" and line_of["def area(r):"] == "base"


def test_unclean_worktree_notebook_shows_no_outputs_the_filter_would_strip(installed_repo):
    r = installed_repo
    r.write("nb.ipynb", jupyter_bytes(BASE))
    r.commit("base")
    dirty = edit(BASE, 2, "def area(r):\n    return r * r\n")
    dirty["cells"][2]["outputs"] = [stream("secret output\n"), image(5)]
    dirty["cells"][2]["execution_count"] = 5
    r.write("nb.ipynb", jupyter_bytes(dirty))
    diff = r.out("diff")
    assert "+    return r * r" in diff
    assert "secret output" not in diff and "image/png" not in diff and "#> " not in diff
    shown = r.nbgit("textconv", "nb.ipynb").stdout.decode()
    assert "secret output" not in shown and "#> " not in shown


def test_keep_outputs_repo_shows_outputs_summarized_also_from_a_subfolder(installed_repo):
    r = installed_repo
    r.write(".nbgit.toml", "keep_outputs = true\n")
    r.write("sub/nb.ipynb", jupyter_bytes(BASE))
    r.commit("base")
    changed = json.loads(json.dumps(BASE))
    changed["cells"][2]["outputs"] = [image(9)]
    r.write("sub/nb.ipynb", jupyter_bytes(changed))
    diff = r.out("-C", "sub", "diff")
    assert re.search(r"^\+#> <image/png 66 B sha1:[0-9a-f]{12}>$", diff, re.MULTILINE)
    assert PNG_1PX not in diff


@pytest.mark.parametrize("broken", [
    b'{\n "cells": [\n<<<<<<< HEAD\n  {"cell_type": "code"}\n=======\n  {"cell_type": "markdown"}\n>>>>>>> b\n ]\n}\n',
    b'{\n "cells": [\n  {"cell_type": "code",\n',
])
def test_broken_notebook_still_diffs_as_raw_text(installed_repo, broken):
    r = installed_repo
    r.write("nb.ipynb", jupyter_bytes(BASE))
    r.commit("base")
    r.write("nb.ipynb", broken)
    proc = r.git("diff")
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert "fatal" not in err
    assert "-# %% [code] def area(r):" in out  # old side as text ...
    assert '+ "cells": [' in out  # ... new side raw
    r.git("add", "nb.ipynb")  # the clean filter passes it through too
    r.commit("broken")
    assert "fatal" not in r.git("log", "-p").stderr.decode()
    assert "fatal" not in r.git("show", "HEAD").stderr.decode()


def test_nbformat3_upgraded_when_the_config_says_so():
    v3 = {"metadata": {}, "nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "x = 1", "language": "python", "metadata": {}, "outputs": [], "prompt_number": 1},
    ]}]}
    data = json.dumps(v3).encode()
    as_is = convert(data).decode()
    assert as_is.startswith("# notebook: nbformat 3.0") and "# %% [code] x = 1\n\n\nx = 1\n" in as_is
    upgraded = convert(data, Config(upgrade_v3=True)).decode()
    assert upgraded.startswith("# notebook: nbformat 4.")
    assert re.search(r"^# cell ids: 1 of 1 cells", upgraded, re.MULTILINE)


def test_patches_for_applying_stay_json(installed_repo):
    """format-patch and `git add -p` must produce patches that apply: git keeps textconv out of them."""
    r = installed_repo
    r.write("nb.ipynb", jupyter_bytes(BASE))
    r.commit("base")
    r.write("nb.ipynb", jupyter_bytes(edit(BASE, 0, "# Analysis\n\nBetter words.\n")))
    r.git("add", "-p", input=b"y\n")
    assert "+Better words." in r.out("diff", "--cached")  # the JSON hunk was staged
    r.commit("words", "nb.ipynb")
    patch = r.git("format-patch", "-1", "--stdout").stdout
    assert b'"Better words.\\n"' in patch and b"# %% [" not in patch
    r.git("apply", "--check", "-R", input=patch)


def test_doctor_reports_a_textconv_cache_of_the_old_layout(installed_repo):
    r = installed_repo
    r.write("nb.ipynb", jupyter_bytes(BASE))
    r.commit("base")
    r.write("nb.ipynb", jupyter_bytes(edit(BASE, 2, "def area(r):\n    return 3.14 * r ** 2\n")))
    r.out("diff", "HEAD")  # fills the cache with this nbgit's text: nothing to report
    assert "textconv cache" not in r.nbgit("doctor", check=False).stdout.decode()
    blob = r.out("rev-parse", "HEAD:nb.ipynb").strip()
    old = b"# notebook: nbformat 4.5\n\n# %% [code] (id area)\ndef area(r):\n"
    r.git("notes", "--ref", "textconv/nbgit", "add", "-f", "-m", old.decode(), blob)
    out = r.nbgit("doctor", check=False).stdout.decode()
    assert "textconv cache" in out and "git update-ref -d refs/notes/textconv/nbgit" in out
