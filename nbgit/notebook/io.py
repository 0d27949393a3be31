"""Notebook bytes <-> dict, keeping the file's own layout.

A notebook is a plain ``dict`` as :func:`json.loads` gives it. To keep diffs of
cleaned notebooks small, :func:`dumps` writes a notebook back in the layout of
the file it came from (:class:`Layout`: indent, key order, ASCII escaping, line
ending, final newline). New content gets Jupyter's own layout (indent 1, sorted
keys, no ASCII escaping, final newline).

Only the standard library is imported here: this module is on every driver's
hot path.
"""

from __future__ import annotations

import json
import re
from collections import namedtuple
from json.encoder import encode_basestring, encode_basestring_ascii  # the C versions when available


class NotebookError(ValueError):
    """The bytes are not a notebook nbgit can read; ``reason`` says why in a few words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Layout(
    namedtuple(
        "Layout",
        "indent sort_keys ensure_ascii newline final_newline item_separator key_separator",
        defaults=(1, True, False, "\n", True, ",", ": "),
    )
):
    """How a notebook file is laid out on disk (``indent``: spaces, a string, or None for compact).

    A named tuple rather than a dataclass: ``dataclasses`` (through ``inspect``) costs the
    drivers several milliseconds of start-up per process.
    """

    __slots__ = ()


JUPYTER_LAYOUT = Layout()

_BOM = b"\xef\xbb\xbf"
_MARKER_RE = re.compile(rb"^(?:<{7}|>{7}|={7})(?:[ \r\n]|$)", re.MULTILINE)
_INDENT_RE = re.compile(rb"\{[ \t]*\r?\n([ \t]*)\S")
_KEYSEP_RE = re.compile(rb'"(?:[^"\\]|\\.)*"([ \t]*:[ \t]*)')
# a whole string token (commas inside strings are skipped) or an item separator
_ITEMSEP_RE = re.compile(rb'"(?:[^"\\]|\\.)*"|(,[ \t]*)')
_UESC_RE = re.compile(rb"\\u([0-9a-fA-F]{4})")


def has_conflict_markers(data: bytes) -> bool:
    """True if ``data`` holds a git conflict block: a ``<<<<<<<`` line, then a ``=======``
    line, then a ``>>>>>>>`` line, in that order.

    A lone marker-like line is not a conflict: ``=======`` alone is a setext heading
    underline in markdown (and a ruler in a Python comment). Linear in ``data``.
    """
    state = 0  # 0: outside, 1: after <<<<<<<, 2: after =======
    for m in _MARKER_RE.finditer(data):
        kind = m.group(0)[:1]
        if kind == b"<":
            state = 1
        elif kind == b"=" and state == 1:
            state = 2
        elif kind == b">" and state == 2:
            return True
    return False


def parse(data: bytes) -> dict:
    """Parse notebook bytes into a dict, or raise :class:`NotebookError`.

    Rejected (the caller passes such bytes through unchanged): empty input,
    a byte order mark, bytes that are not UTF-8, git conflict markers,
    invalid JSON, and JSON that is not a notebook.
    """
    if not data.strip():
        raise NotebookError("empty file")
    if data.startswith(_BOM):
        raise NotebookError("starts with a UTF-8 byte order mark")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not UTF-8 (byte {exc.start})") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        if has_conflict_markers(data):
            raise NotebookError("contains git conflict markers") from None
        raise NotebookError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise NotebookError("invalid JSON: nested too deeply") from None
    check_notebook(nb)
    return nb


def check_notebook(nb: object) -> None:
    """Raise :class:`NotebookError` unless ``nb`` has the shape of a notebook (v3 or v4)."""
    if not isinstance(nb, dict):
        raise NotebookError("not a notebook (top level is not an object)")
    major = nb.get("nbformat")
    if not isinstance(major, int) or isinstance(major, bool):
        raise NotebookError("not a notebook (no integer 'nbformat')")
    if major >= 4:
        cells = nb.get("cells")
        if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
            raise NotebookError("not a notebook (no 'cells' list of objects)")
    elif major == 3:
        worksheets = nb.get("worksheets")
        if not isinstance(worksheets, list) or not all(
            isinstance(ws, dict) and isinstance(ws.get("cells", []), list) for ws in worksheets
        ):
            raise NotebookError("not a notebook (nbformat 3 without a 'worksheets' list)")
    else:
        raise NotebookError(f"unsupported nbformat {major}")
    if not isinstance(nb.get("metadata", {}), dict):
        raise NotebookError("not a notebook ('metadata' is not an object)")


def detect_layout(data: bytes) -> Layout:
    """Infer the :class:`Layout` of notebook bytes (which must be valid JSON)."""
    return layout_of(data, json.loads(data))


def _looks_ascii_escaped(data: bytes) -> bool:
    if not data.isascii():
        return False
    for m in _UESC_RE.finditer(data):
        if int(m.group(1), 16) >= 0x80:
            return True
    return False


def _keys_sorted(nb: dict) -> bool:
    keys = list(nb)
    if keys != sorted(keys):
        return False
    cells = nb.get("cells")
    if isinstance(cells, list) and cells and isinstance(cells[0], dict):
        ck = list(cells[0])
        return ck == sorted(ck)
    return True


def layout_of(data: bytes, nb: dict) -> Layout:
    """Like :func:`detect_layout`, reusing an already parsed notebook for key order."""
    layout = detect_layout_fast(data)
    return layout._replace(sort_keys=_keys_sorted(nb))


def detect_layout_fast(data: bytes, *, check_ascii: bool = True) -> Layout:
    """:func:`detect_layout` without the key-order check (``sort_keys`` left True).

    ``check_ascii=False`` skips the scan for ASCII escaping (``ensure_ascii`` left False).
    """
    head = data[:4096]
    first_nl = data.find(b"\n")  # the first line ending decides (a one-line file has only its last)
    newline = "\r\n" if first_nl > 0 and data[first_nl - 1] == 13 else "\n"
    m = _INDENT_RE.match(data.lstrip())
    indent: int | str | None
    if m is None:
        indent = None
    else:
        ws = m.group(1).decode("ascii")
        indent = len(ws) if ws and set(ws) == {" "} else (ws or 0)
    ks = _KEYSEP_RE.search(head)
    key_separator = (ks.group(1).decode("ascii") if ks else ": ") or ":"
    if indent is None:
        item_separator = ", "
        for its in _ITEMSEP_RE.finditer(data):
            if its.group(1) is not None:
                item_separator = its.group(1).decode("ascii")
                break
    else:
        item_separator = ","
    return Layout(
        indent=indent,
        sort_keys=True,
        ensure_ascii=_looks_ascii_escaped(data) if check_ascii else False,
        newline=newline,
        final_newline=data.endswith(b"\n"),
        item_separator=item_separator,
        key_separator=key_separator,
    )


def dumps_in_layout_of(nb: dict, data: bytes, *, sort_keys: bool = False) -> bytes:
    """``dumps(nb, layout)`` with the layout :func:`detect_layout_fast` finds in ``data``, and ``sort_keys``.

    The same bytes, cheaper: whether ``data`` escapes non-ASCII characters (a scan of all of
    it) is looked at only when the output depends on it. For non-ASCII ``data`` the answer is
    no without a scan. For ASCII ``data`` the flag changes the output only if ``nb`` has a
    non-ASCII character, which then came from a ``\\u`` escape >= 0x80 (so: escaped), or a
    DEL character (which only ``ensure_ascii`` escapes; then the scan decides).
    """
    layout = detect_layout_fast(data, check_ascii=False)._replace(sort_keys=sort_keys)
    out = dumps(nb, layout)
    if data.isascii() and (not out.isascii() or (b"\x7f" in out and _looks_ascii_escaped(data))):
        out = dumps(nb, layout._replace(ensure_ascii=True))
    return out


def read(data: bytes) -> tuple[dict, Layout]:
    """Parse notebook bytes and detect their layout."""
    nb = parse(data)
    return nb, layout_of(data, nb)


def dumps(nb: dict, layout: Layout = JUPYTER_LAYOUT) -> bytes:
    """Serialize a notebook in ``layout``: the bytes of :func:`json.dumps` with that layout."""
    text = None
    if layout.indent is not None:
        indent = layout.indent if isinstance(layout.indent, str) else " " * layout.indent
        try:
            text = _dumps_indented(
                nb, indent, layout.sort_keys, layout.ensure_ascii, layout.item_separator, layout.key_separator
            )
        except (_NotPlainJSON, TypeError, ValueError, RecursionError):
            pass  # json.dumps below gives the standard result or error
    if text is None:
        text = json.dumps(
            nb,
            indent=layout.indent,
            sort_keys=layout.sort_keys,
            ensure_ascii=layout.ensure_ascii,
            separators=(layout.item_separator, layout.key_separator),
        )
    if layout.newline != "\n":
        text = text.replace("\n", layout.newline)
    if layout.final_newline:
        text += layout.newline
    return text.encode("utf-8")


class _NotPlainJSON(Exception):
    """A value :func:`_dumps_indented` leaves to json.dumps (tuple, subclass, non-str key...)."""


_INFINITY = float("inf")


def _dumps_indented(obj, indent: str, sort_keys: bool, ensure_ascii: bool, item_sep: str, key_sep: str) -> str:
    """``json.dumps(obj, indent=indent, ...)`` for plain JSON data, character for character.

    With an indent, json.dumps falls back from its C encoder to a pure-Python one that walks
    every value through nested generators; that was the largest cost of the clean filter.
    Here each container is one ``str.join`` of its items, and a list of strings (source
    lines, text outputs: most of a notebook) is encoded by ``map`` in C. Handles exactly
    dict, list, str, int, float, bool and None, with str keys; anything else raises
    :class:`_NotPlainJSON` and the caller uses json.dumps.
    """
    enc = encode_basestring_ascii if ensure_ascii else encode_basestring
    newlines = ["\n" + indent * level for level in range(16)]

    def value(o, level: int) -> str:
        t = type(o)
        if t is str:
            return enc(o)
        if t is dict:
            if not o:
                return "{}"
            level += 1
            if level >= len(newlines):
                newlines.append(newlines[-1] + indent)
            inner = newlines[level]
            items = sorted(o.items()) if sort_keys else o.items()
            body = (item_sep + inner).join(
                [enc(k) + key_sep + (enc(v) if type(v) is str else value(v, level)) for k, v in items]
            )  # enc(k) raises TypeError for a non-str key
            return "{" + inner + body + newlines[level - 1] + "}"
        if t is list:
            if not o:
                return "[]"
            level += 1
            if level >= len(newlines):
                newlines.append(newlines[-1] + indent)
            inner = newlines[level]
            sep = item_sep + inner
            try:
                body = sep.join(map(enc, o))
            except TypeError:  # not all strings
                body = sep.join([value(item, level) for item in o])
            return "[" + inner + body + newlines[level - 1] + "]"
        if o is None:
            return "null"
        if o is True:
            return "true"
        if o is False:
            return "false"
        if t is int:
            return int.__repr__(o)
        if t is float:
            if o != o:
                return "NaN"
            if o == _INFINITY:
                return "Infinity"
            if o == -_INFINITY:
                return "-Infinity"
            return float.__repr__(o)
        raise _NotPlainJSON(t.__name__)

    return value(obj, 0)
