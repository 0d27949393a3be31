"""Strings from a repository, made safe for a terminal (the one helper every command uses).

A file name, a cell id or a notebook string can hold control characters: a
newline that starts a fake ``fatal:`` line, ``ESC [`` colour and cursor
sequences, ``ESC ]`` window-title sequences, C1 controls (``\\x9b`` is CSI on
many terminals), bidirectional overrides that make text read backwards.
:func:`term` shows each of them as a visible escape (``\\n``, ``\\x1b``,
``\\u202e``); bytes that are not UTF-8 (a path decoded with ``surrogateescape``)
are shown as ``\\xNN``. Everything else, including any printable Unicode, is
left as it is.

Markdown and HTML have their own escaping, in their renderers
(:mod:`nbgit.review.markdown`, :mod:`nbgit.review.html`). Stdlib only: the clean
filter and textconv warn through this module.
"""

from __future__ import annotations

import os

#: C0 controls, DEL, C1 controls, bidi marks/embeddings/overrides/isolates, line and
#: paragraph separators, and lone surrogates (undecodable bytes under surrogateescape).
_CONTROL = (
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_patterns: dict[str, object] = {}


def _escape_one(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def term(value: object, keep: str = "") -> str:
    """``value`` (str, bytes or a path) for a terminal: control characters shown escaped.

    ``keep`` names control characters to let through (``"\\t"`` for source lines,
    ``"\\n"`` for a block of several lines). A backslash is not escaped: the
    result is for people to read, not to parse back.
    """
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("utf-8", "surrogateescape")
    elif isinstance(value, os.PathLike):
        text = os.fsdecode(value)
    else:
        text = value if isinstance(value, str) else str(value)
    pattern = _patterns.get(keep)
    if pattern is None:
        import re

        pattern = re.compile(f"(?![{re.escape(keep)}]){_CONTROL}" if keep else _CONTROL)
        _patterns[keep] = pattern
    if not pattern.search(text):  # type: ignore[attr-defined]
        return text
    return pattern.sub(lambda m: _escape_one(m.group()), text)  # type: ignore[attr-defined]

