"""The PR comment read back by a GFM parser: repository strings cannot change its structure.

Arbitrary notebook strings (file names, cell ids and types, sources, outputs,
metadata keys, nbformat_minor, revision labels) go through ``render_markdown``;
markdown-it-py's GFM preset with linkify parses the result, and the block
structure must be exactly the one nbgit emitted: one heading, one table with a
row per notebook, one ``<details>`` opening and closing HTML block per notebook,
one ``diff`` fence per changed cell, and no image, link, autolink, raw HTML
(other than nbgit's own ``<code>``), strikethrough, @mention or #reference
coming from content.
"""

from __future__ import annotations

import html
import html.parser
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nbgit.review.changes import notebook_change
from nbgit.review.markdown import cell_piece, diff_body, render_markdown

markdown_it = pytest.importorskip("markdown_it")
pytest.importorskip("linkify_it")

NASTY = [
    "</details>", "<details>", "</summary>", "```", "~~~", "````diff", "<img src=x onerror=alert(1)>",
    "![i](https://e.vil/p.png)", "[l](https://e.vil)", "<https://e.vil>", "https://e.vil/x", "www.e.vil",
    "a@b.example.com", "@octocat", "@org/team", "#123", "GH-1", "<script>alert(1)</script>", "\n\n# H\n",
    "| a | b |", "\n---\n", "<!--", "-->", "&amp;", "&#64;x", "\\", "~~s~~", "**b**", "\x1b[31m", "\u202e",
    "\ud83d", "\r", "\n", "\t", "\x00", "    indented", "> quote", "* item", "1. item", "$x$", ":+1:",
]
text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=6)), max_size=5).map("".join)
name = st.one_of(text, st.sampled_from(["code", "markdown", "raw"]))


@st.composite
def cell(draw):
    kind = draw(name)
    c = {"cell_type": kind, "metadata": {draw(text): draw(text)} if draw(st.booleans()) else {}, "source": draw(text)}
    if draw(st.booleans()):
        c["id"] = draw(text)
    if kind == "code" or draw(st.booleans()):
        c["execution_count"] = None
        c["outputs"] = [{"output_type": "stream", "name": draw(text), "text": draw(text)}] if draw(st.booleans()) else []
    return c


@st.composite
def notebook_bytes(draw):
    nb = {
        "cells": draw(st.lists(cell(), max_size=4)),
        "metadata": {draw(text): draw(text)} if draw(st.booleans()) else {},
        "nbformat": 4,
        "nbformat_minor": draw(st.one_of(st.integers(0, 5), text)),
    }
    if draw(st.integers(0, 9)) == 0:
        return draw(text).encode("utf-8", "surrogatepass")  # not a notebook at all: an "unreadable" row
    return json.dumps(nb).encode()  # ASCII escapes: lone surrogates survive as data


@st.composite
def changes(draw):
    out = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(text) + ".ipynb"
        a = draw(st.one_of(st.none(), notebook_bytes()))
        b = draw(notebook_bytes()) if a is None else draw(st.one_of(st.none(), notebook_bytes()))
        old = draw(st.one_of(st.none(), text)) if a is not None and b is not None else None
        out.append(notebook_change(path, a, b, old))
    return out


def expected_fences(change) -> int:
    if change.diff is None:
        return 0
    return sum(1 for cd in change.diff.cells if cell_piece(cd) and diff_body(cd))


OPENING = re.compile(
    r"<details><summary><code>(?:[^<>\n]|<wbr>)*</code>"
    r"(?: \(renamed from <code>(?:[^<>\n]|<wbr>)*</code>\)| \(new notebook\)| \(deleted notebook\))?"
    r"(?: — (?:[^<>\n]|<wbr>)*)?</summary>\n"
)
INLINE_OK = {"text", "strong_open", "strong_close", "em_open", "em_close", "code_inline"}
MENTION = re.compile(r"@\w|#\d|\bGH-\d", re.I)


def children(tokens):
    for t in tokens:
        yield t
        yield from children(t.children or [])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(changes(), text, text)
def test_block_structure_is_what_nbgit_emitted(chs, base, head):
    md = markdown_it.MarkdownIt("gfm-like")  # tables, strikethrough, raw HTML on, linkify on
    out = render_markdown(chs, base=base, head=head)
    assert "Truncated" not in out  # small inputs: every notebook is shown in full
    tokens = md.parse(out)
    blocks = [t for t in tokens if t.level == 0 and t.nesting >= 0]
    kinds = [t.type for t in blocks]
    assert set(kinds) <= {"heading_open", "paragraph_open", "table_open", "html_block", "fence"}, kinds

    assert kinds.count("heading_open") == 1 and kinds[0] == "heading_open"
    assert kinds.count("table_open") == 1
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 1 + len(chs)  # header + one per notebook

    htmls = [t.content for t in blocks if t.type == "html_block"]
    assert len(htmls) == 2 * len(chs)
    for opening, closing in zip(htmls[::2], htmls[1::2]):
        assert OPENING.fullmatch(opening), opening
        assert closing == "</details>\n"
        outside_code = re.sub(r"<code>(?:[^<>]|<wbr>)*</code>", "", opening)  # GitHub scans no <code> for mentions
        assert not MENTION.search(html.unescape(outside_code)), opening

    fences = [t for t in blocks if t.type == "fence"]
    assert len(fences) == sum(map(expected_fences, chs))
    assert all(f.info == "diff" for f in fences)

    for inline in (t for t in tokens if t.type == "inline"):
        in_code = False
        for t in inline.children:
            if t.type == "html_inline" and t.content == "<wbr>":  # nbgit's autolink break
                continue
            if t.type == "html_inline":
                assert t.content == ("</code>" if in_code else "<code>"), t.content
                in_code = not in_code
                continue
            assert t.type in INLINE_OK, t.type  # no image, link, autolink, strikethrough, other HTML
            if t.type == "text" and not in_code:
                assert not MENTION.search(t.content), t.content
        assert not in_code


def test_nbformat_minor_with_newlines_stays_inside_its_details_block():
    """The case of the issue: a string nbformat_minor closed <details> and injected markup."""
    evil = "5\n\n</details>\n\n# Pwned\n\n![x](https://e.vil/p.png) @octocat [click](https://e.vil)\n\n<details>"
    a = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    b = dict(a, nbformat_minor=evil)
    out = render_markdown([notebook_change("n.ipynb", json.dumps(a).encode(), json.dumps(b).encode())])
    tokens = markdown_it.MarkdownIt("gfm-like").parse(out)
    assert [t.content for t in tokens if t.type == "html_block"][1] == "</details>\n"
    assert sum(t.type == "heading_open" for t in tokens) == 1
    assert not any(t.type in ("image", "link_open") for t in children(tokens))
    assert "Pwned" in out and "\n# Pwned" not in out


def test_control_characters_and_bytes_are_shown_escaped():
    a = {"cells": [{"cell_type": "code", "id": "x\x1b[2J", "metadata": {}, "source": "a = 1\n", "outputs": [],
                    "execution_count": None}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    b = json.loads(json.dumps(a))
    b["cells"][0]["source"] = "a = '\x1b]0;title\x07\u202e'\n"
    out = render_markdown([notebook_change("bad\udcff\x1b.ipynb", json.dumps(a).encode(), json.dumps(b).encode())])
    assert "\x1b" not in out and "\u202e" not in out and "\udcff" not in out
    out.encode("utf-8")  # no lone surrogate left: the comment can be written and posted
    assert "bad&#92;xff&#92;x1b&#46;ipynb" in out
    assert "+a = '\\x1b]0;title\\x07\\u202e'" in out


# --- GitHub's own parser: cmark-gfm (the cmarkgfm bindings, what PyPI renders READMEs with) ---


class _Elements(html.parser.HTMLParser):
    """Counts of the elements cmark-gfm wrote, and the text outside <code>/<pre>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.opened: dict[str, int] = {}
        self.closed: dict[str, int] = {}
        self.attrs: list[tuple[str, list]] = []
        self.depth_code = 0
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.opened[tag] = self.opened.get(tag, 0) + 1
        self.attrs.append((tag, attrs))
        if tag in ("code", "pre"):
            self.depth_code += 1

    def handle_endtag(self, tag):
        self.closed[tag] = self.closed.get(tag, 0) + 1
        if tag in ("code", "pre"):
            self.depth_code -= 1

    def handle_data(self, data):
        if self.depth_code == 0:
            self.text.append(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(changes(), text, text)
def test_github_cmark_gfm_sees_the_structure_nbgit_emitted(chs, base, head):
    import cmarkgfm
    from cmarkgfm.cmark import Options

    out = render_markdown(chs, base=base, head=head)
    # GitHub renders comments with cmark-gfm (tables, strikethrough, autolinks, tag filter) and
    # raw HTML on, then sanitizes; what its parser builds here is what the comment's shape is
    page = cmarkgfm.github_flavored_markdown_to_html(out, options=Options.CMARK_OPT_UNSAFE)
    found = _Elements()
    found.feed(page)
    found.close()
    headings = sum(found.opened.get(h, 0) for h in ("h1", "h2", "h3", "h4", "h5", "h6"))
    assert headings == 1, page
    assert found.opened.get("table") == 1 and found.opened.get("tr") == 1 + len(chs), page
    assert found.opened.get("details", 0) == found.closed.get("details", 0) == len(chs), page
    assert found.opened.get("summary", 0) == found.closed.get("summary", 0) == len(chs), page
    assert found.opened.get("pre", 0) == sum(map(expected_fences, chs)), page
    allowed = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "table", "thead", "tbody", "tr", "th", "td",
               "details", "summary", "code", "pre", "strong", "em", "br", "wbr"}
    assert set(found.opened) <= allowed, set(found.opened) - allowed  # no a, img, del, script, hr, ...
    for tag, attrs in found.attrs:
        assert all(k in ("align", "class", "lang") for k, _ in attrs), (tag, attrs)
    assert not MENTION.search("".join(found.text)), "".join(found.text)
