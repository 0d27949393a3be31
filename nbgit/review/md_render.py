"""Markdown cells as safe HTML for the review page: markdown-it-py (CommonMark) in safe mode.

What a notebook's markdown uses is rendered: CommonMark, GFM tables and
strike-through, ``$...$`` / ``$$...$$`` / ``\\(...\\)`` / ``\\[...\\]`` math and ``\\begin{align}``-style
environments (mdit-py-plugins), drawn offline as MathML (latex2mathml; the
browser draws it, no script, no CDN), fenced code coloured by Pygments.

Safety, by construction rather than by the page's Content-Security-Policy:

* raw HTML is off: ``<script>``, ``<img onerror>`` and the like are shown as text;
* every attribute nbgit writes is escaped for a double-quoted attribute
  (:func:`nbgit.review.html.esc`), text by markdown-it's own escaping;
* links are shown, not followed: ``<span class="link" title="URL">``; markdown-it
  drops ``javascript:``, ``vbscript:``, ``file:`` and non-image ``data:`` links;
* images: ``attachment:NAME`` from the cell's attachments and ``data:image/...``
  with checked base64 become ``<img src="data:...">``; anything else (a remote
  picture) is a placeholder naming its URL, never fetched;
* table alignment becomes a class (inline ``style`` would need ``unsafe-inline``);
* MathML from latex2mathml is parsed and written again from an allow-list of
  presentation elements and attributes (latex2mathml itself passes ``\\text{<img>}``
  and ``\\href{javascript:...}`` through); what does not parse is shown as TeX.

Imported by ``nbgit review`` only (never on the filter/textconv/merge path).
"""

from __future__ import annotations

import re
from functools import lru_cache

#: A formula longer than this is shown as its TeX source (latex2mathml's time grows with it).
MAX_TEX = 5_000

MATHML_TAGS = frozenset(
    "math mi mn mo ms mtext mspace mrow msup msub msubsup munder mover munderover mfrac msqrt mroot mstyle "
    "mpadded mphantom menclose merror mtable mtr mtd mlabeledtr semantics annotation mfenced maligngroup "
    "malignmark none mprescripts mmultiscripts".split()
)
MATHML_ATTRS = frozenset(
    "display mathvariant mathsize mathcolor mathbackground stretchy fence separator separators lspace rspace "
    "displaystyle scriptlevel rowspacing columnspacing columnalign rowalign columnlines rowlines frame "
    "framespacing equalrows equalcolumns align linethickness accent accentunder largeop movablelimits "
    "symmetric maxsize minsize width height depth voffset notation open close form columnspan rowspan "
    "bevelled numalign denomalign".split()
)
_MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"


def markdown_to_html(text: str, attachments: dict | None = None) -> str:
    """``text`` (a markdown cell's source) as safe HTML; ``attachments`` are the cell's (``attachment:``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as markdown-it reads line ends
    md = _parser(_math_is_cheap(text))
    return md.render(text, {"attachments": attachments if isinstance(attachments, dict) else {}})


def _math_is_cheap(text: str) -> bool:
    """Whether the math plugins' block rules stay linear on ``text``.

    dollarmath's rule scans from each line that opens ``$$`` to the paragraph's end (a blank
    line, or a line ending in ``$$``), in Python, and amsmath's searches the rest of the text for
    each ``\\begin{...}``: a committed cell of many such lines would take quadratic time. That
    cost is counted here in one pass; a cell above a linear budget is rendered without math (its
    TeX shown as written), so no notebook can stall a review or the merge tool.
    """
    if "\\begin{" not in text and "$$" not in text:
        return True
    lines = text.split("\n")
    # amsmath's rule searches the rest of the text for each environment's end: a bounded number
    # of environments keeps that linear (lines are counted wherever the opener is: list items
    # and block quotes hold blocks too)
    if sum(1 for line in lines if "\\begin{" in line) > 32:
        return False
    if "$$" not in text:
        return True
    cost = 0
    run_end = len(lines)  # index of the line that ends the paragraph scan from here on
    for i in range(len(lines) - 1, -1, -1):
        stripped = lines[i].strip()
        if not stripped or (stripped.endswith("$$") and len(stripped) > 2):
            run_end = i
        if "$$" in stripped:  # an opener at the start of a line, in a list item or a quote
            cost += run_end - i
    return cost <= 16 * len(lines) + 1000


@lru_cache(maxsize=2)
def _parser(math: bool = True):
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    if math:
        from mdit_py_plugins.amsmath import amsmath_plugin
        from mdit_py_plugins.dollarmath import dollarmath_plugin

        md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True, allow_blank_lines=False,
               renderer=lambda tex, opts: tex_to_mathml(tex, display=bool(opts.get("display_mode"))))
        md.use(amsmath_plugin, renderer=lambda tex: tex_to_mathml(tex, display=True))
        # `$$ x $$ (label)`: the label shown as text, never an id or a link (dollarmath writes both)
        md.add_render_rule("math_block_label", _math_block_numbered)
        # \\(...\\) and \\[...\\], as Jupyter's MathJax reads them: our own rules, linear in the text
        # (mdit-py-plugins' texmath rescans the rest of the text for every opener)
        md.inline.ruler.before("escape", "math_brackets", _bracket_inline)
        md.block.ruler.before("fence", "math_brackets_block", _bracket_block,
                              {"alt": ["paragraph", "reference", "blockquote", "list"]})
        md.add_render_rule("math_bracket_inline", lambda self, tokens, idx, options, env: f'<span class="math inline">{tex_to_mathml(tokens[idx].content, display=False)}</span>')
        md.add_render_rule("math_bracket_display", lambda self, tokens, idx, options, env: f'<span class="math display">{tex_to_mathml(tokens[idx].content, display=True)}</span>')
        md.add_render_rule("math_bracket_block", _math_block_numbered)
    md.options["highlight"] = None
    rules = md.add_render_rule
    rules("link_open", _link_open)
    rules("link_close", lambda self, tokens, idx, options, env: "</span>")
    rules("image", _image)
    rules("fence", _fence)
    rules("code_block", _fence)
    for name in ("th_open", "td_open"):
        rules(name, _cell_open)
    return md


def _math_block_numbered(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if not token.info:
        return f'<div class="math block">\n{tex_to_mathml(token.content, display=True)}\n</div>\n'
    return f'<div class="math-eqno">{tex_to_mathml(token.content, display=True)} <span>({_esc(token.info)})</span></div>\n'


def _closers(env: dict, src: str, closer: str) -> list[int]:
    """Every position of ``closer`` in ``src``, found once per text (so each opener costs a bisect)."""
    cache = env.setdefault("_nbgit_math_closers", {})
    key = (closer, len(src), hash(src))
    found = cache.get(key)
    if found is None or found[0] is not src and found[0] != src:
        found = cache[key] = (src, [m.start() for m in re.finditer(re.escape(closer), src)])
    return found[1]


def _next_closer(env: dict, src: str, closer: str, start: int, stop: int) -> int:
    from bisect import bisect_left

    positions = _closers(env, src, closer)
    k = bisect_left(positions, start)
    return positions[k] if k < len(positions) and positions[k] + len(closer) <= stop else -1


def _bracket_inline(state, silent: bool) -> bool:
    """``\\(tex\\)`` (inline) and ``\\[tex\\]`` inside a paragraph (display)."""
    src, pos = state.src, state.pos
    if src[pos : pos + 2] not in ("\\(", "\\["):
        return False
    closer = "\\)" if src[pos + 1] == "(" else "\\]"
    end = _next_closer(state.env, src, closer, pos + 2, state.posMax)
    if end < 0 or not src[pos + 2 : end].strip():
        return False
    if not silent:
        token = state.push("math_bracket_inline" if closer == "\\)" else "math_bracket_display", "math", 0)
        token.content = src[pos + 2 : end]
        token.markup = src[pos : pos + 2]
    state.pos = end + 2
    return True


_EQNO = re.compile(r"\s*(?:\(([^)\r\n]{1,40})\))?\s*$")


def _bracket_block(state, startLine: int, endLine: int, silent: bool) -> bool:
    """A block that starts a line with ``\\[`` and ends with ``\\]`` (then at most ``(label)``)."""
    if state.sCount[startLine] - state.blkIndent >= 4:
        return False
    src = state.src
    pos = state.bMarks[startLine] + state.tShift[startLine]
    if not src.startswith("\\[", pos):
        return False
    end = _next_closer(state.env, src, "\\]", pos + 2, len(src))
    if end < 0:
        return False
    from bisect import bisect_left

    line = bisect_left(state.eMarks, end + 2, startLine, endLine)  # the line holding the closing bracket
    if line >= endLine:
        return False
    tail = _EQNO.match(src, end + 2, state.eMarks[line])
    if tail is None or not src[pos + 2 : end].strip():
        return False  # text after the closing bracket: a paragraph (the inline rule draws the math)
    if not silent:
        token = state.push("math_bracket_block", "math", 0)
        token.block = True
        token.content = src[pos + 2 : end]
        token.info = tail.group(1) or ""
        token.map = [startLine, line + 1]
        token.markup = "\\["
    state.line = line + 1
    return True


def _esc(value) -> str:
    from nbgit.review.html import esc

    return esc(value)


def _link_open(self, tokens, idx, options, env) -> str:
    href = tokens[idx].attrGet("href") or ""
    return f'<span class="link" title="{_esc(href)}">'


def _image(self, tokens, idx, options, env) -> str:
    from nbgit.review.changes import IMAGE_TYPES
    from nbgit.review.html import data_uri

    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    uri = None
    if src.startswith("attachment:"):
        from urllib.parse import unquote

        bundle = env.get("attachments", {}).get(unquote(src[len("attachment:"):]))
        if isinstance(bundle, dict):
            uri = next((u for u in (data_uri(m, bundle.get(m)) for m in IMAGE_TYPES) if u), None)
    elif src.startswith("data:image/") and ";base64," in src:
        mime, _, payload = src[len("data:"):].partition(";base64,")
        uri = data_uri(mime, payload) if mime != "image/svg+xml" else None
    if uri:
        return f'<img alt="{_esc(alt)}" src="{_esc(uri)}">'
    return f'<span class="link" title="{_esc(src)}">[image: {_esc(alt or src)}]</span>'


def _fence(self, tokens, idx, options, env) -> str:
    from nbgit.review.highlight import highlight_html

    token = tokens[idx]
    info = (token.info or "").strip().split(maxsplit=1)
    language = info[0].lower() if info else None
    code = token.content[:-1] if token.content.endswith("\n") else token.content
    colored = highlight_html(code, language) if language else None
    return f'<pre class="hl"><code>{colored if colored is not None else _esc(code)}</code></pre>\n'


def _cell_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    tag = token.tag
    align = {"text-align:left": "left", "text-align:center": "center", "text-align:right": "right"}.get(
        str(token.attrGet("style") or "")
    )
    return f'<{tag} class="al-{align}">' if align else f"<{tag}>"


def tex_to_mathml(tex: str, display: bool) -> str:
    """``tex`` as sanitized MathML, or as escaped TeX in ``<code class="tex">`` when it cannot be drawn."""
    tex = tex.strip()
    fallback = f'<code class="tex">{_esc(tex)}</code>'
    if not tex or len(tex) > MAX_TEX:
        return fallback
    try:
        from latex2mathml.converter import convert

        mathml = convert(tex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of error on TeX it does not know
        return fallback
    clean = sanitize_mathml(mathml)
    return clean if clean is not None else fallback


def sanitize_mathml(mathml: str) -> str | None:
    """``mathml`` written again from the allow-lists (None when it is not well-formed XML)."""
    import xml.etree.ElementTree as ET

    if "<!" in mathml or "<?" in mathml:  # no DTD, entity declaration or processing instruction
        return None
    try:
        root = ET.fromstring(mathml)
    except ET.ParseError:
        return None
    out: list[str] = []

    def walk(el) -> None:
        tag = el.tag.removeprefix(_MATHML_NS) if isinstance(el.tag, str) else ""
        if tag not in MATHML_TAGS:  # an unknown element (or one injected through \text) keeps only its text
            out.append(_esc("".join(el.itertext())))
        else:
            attrs = "".join(
                f' {k}="{_esc(v)}"' for k, v in sorted(el.attrib.items()) if k in MATHML_ATTRS
            )
            out.append(f"<{tag}{attrs}>")
            if el.text:
                out.append(_esc(el.text))
            for child in el:
                walk(child)
            out.append(f"</{tag}>")
        if el.tail:
            out.append(_esc(el.tail))

    walk(root)
    return "".join(out)


__all__ = ["markdown_to_html", "tex_to_mathml", "sanitize_mathml"]
