"""Syntax highlighting for the review page: Pygments tokens as short CSS classes (as nbconvert does).

:func:`line_tokens` lexes a whole cell once (a docstring or a multi-line string
keeps its colour on every line) and hands back each line as ``(css_class, text)``
pieces whose texts join to exactly that line, so the page can lay word-diff
marks over the colours. The classes are Pygments' short names (``k``, ``s2``,
``c1``...) under ``.hl``; :func:`css` is the matching style sheet, inlined in
the page (and hashed for its Content-Security-Policy). Pygments is imported
here only, by ``nbgit review``: never on the filter/textconv/merge path.
"""

from __future__ import annotations

from functools import lru_cache

#: Cells longer than this are shown without colours (lexing is linear, but the page grows).
MAX_CHARS = 200_000


@lru_cache(maxsize=32)
def _lexer(language: str):
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False, tabsize=0)
    except ClassNotFound:
        return None


_CLASSES: dict = {}


def _short_class(ttype) -> str:
    """Pygments' short CSS class of a token type, "" when the style gives it no colour (cached)."""
    cls = _CLASSES.get(ttype)
    if cls is None:
        from pygments.token import STANDARD_TYPES

        t = ttype
        while t not in STANDARD_TYPES:
            t = t.parent
        cls = _CLASSES[ttype] = STANDARD_TYPES[t] if STANDARD_TYPES[t] in _styled_classes() else ""
    return cls


def notebook_language(nb: dict | None) -> str:
    """The Pygments lexer name for a notebook's code cells (language_info, then the kernel's language)."""
    md = (nb or {}).get("metadata")
    md = md if isinstance(md, dict) else {}
    info = md.get("language_info") if isinstance(md.get("language_info"), dict) else {}
    spec = md.get("kernelspec") if isinstance(md.get("kernelspec"), dict) else {}
    for value in (info.get("pygments_lexer"), info.get("name"), spec.get("language")):
        if isinstance(value, str) and value.strip() and _lexer(value.strip().lower()) is not None:
            return value.strip().lower()
    return "python"


def line_tokens(lines: list[str], language: str | None) -> list[list[tuple[str, str]]] | None:
    """Each of ``lines`` (line ends already stripped) as ``[(css_class, text), ...]``; None when the
    language is unknown or the text too long (shown plain)."""
    if not language or sum(map(len, lines)) > MAX_CHARS or any("\n" in line or "\r" in line for line in lines):
        return None
    lexer = _lexer(language)
    if lexer is None:
        return None
    text = "\n".join(lines)
    out: list[list[tuple[str, str]]] = [[]]
    seen = 0
    for ttype, value in lexer.get_tokens(text):
        seen += len(value)
        cls = _short_class(ttype)  # "" for a token the style does not colour: no span, a smaller page
        for k, part in enumerate(value.split("\n")):
            if k:
                out.append([])
            if not part:
                continue
            line = out[-1]
            if line and line[-1][0] == cls:  # one span for a run of the same colour
                line[-1] = (cls, line[-1][1] + part)
            else:
                line.append((cls, part))
    if seen != len(text) or len(out) != len(lines):  # a lexer that changed the text: show it plain
        return None
    return out


def highlight_html(code: str, language: str | None) -> str | None:
    """``code`` as escaped HTML with ``<span class>`` colours (no wrapper), or None when not highlighted."""
    from html import escape

    lines = code.split("\n")
    toks = line_tokens(lines, language)
    if toks is None:
        return None
    return "\n".join("".join(_span(cls, text, escape) for cls, text in line) for line in toks)


def _span(cls: str, text: str, escape) -> str:
    return f'<span class="{cls}">{escape(text, quote=True)}</span>' if cls else escape(text, quote=True)


@lru_cache(maxsize=1)
def _rules() -> tuple[tuple[str, str], ...]:
    """(short class, declarations) of Pygments' default style; an error token gets no red box."""
    import re

    from pygments.formatters import HtmlFormatter

    rules = []
    for line in HtmlFormatter(style="default").get_style_defs(".hl").splitlines():
        m = re.match(r"^\.hl \.([\w-]+) \{ ([^}]*) \}", line)
        if m and m.group(1) not in ("err", "hll", "w"):
            rules.append((m.group(1), m.group(2).strip()))
    return tuple(rules)


@lru_cache(maxsize=1)
def _styled_classes() -> frozenset[str]:
    return frozenset(cls for cls, _ in _rules())


@lru_cache(maxsize=1)
def css() -> str:
    """The colours for ``.hl`` (Pygments' default style), one rule a line."""
    return "".join(f".hl .{cls}{{{decl}}}\n" for cls, decl in _rules())
