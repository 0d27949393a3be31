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
from json.decoder import scanstring as _scanstring  # the C versions when available
from json.encoder import encode_basestring, encode_basestring_ascii
from json.scanner import make_scanner


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
_WS_RE = re.compile(r"[ \t\n\r]*")
_COLON_RE = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
# what follows a value inside a container: `,` or the closing bracket, after whitespace
_AFTER_RE = re.compile(r"[ \t\n\r]*([,\]}])")
_SCAN = make_scanner(json.JSONDecoder())  # json's C scanner: (value, end) of the value at an index


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
    text = _text_of(data)
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        if has_conflict_markers(data):
            raise NotebookError("contains git conflict markers") from None
        raise NotebookError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise NotebookError("invalid JSON: nested too deeply") from None
    except ValueError:  # an integer literal longer than sys.get_int_max_str_digits(): read it as HugeInt
        try:
            nb = json.loads(text, parse_int=_parse_int)
        except (ValueError, RecursionError) as exc:
            raise NotebookError(f"cannot read a number ({exc})") from None
    check_notebook(nb)
    return nb


class HugeInt(float):
    """An integer literal too long for ``int()`` (``sys.get_int_max_str_digits``), as read by :func:`parse`.

    A float (plus or minus infinity) so that code reading the notebook treats it as a number
    and json.dumps can write it for display; ``literal`` holds the digits. Nothing writes it
    back as a number: clean keeps the original bytes of what it does not strip, and refuses
    (passes the file through) when it would have to write it.
    """

    def __new__(cls, literal: str):
        obj = super().__new__(cls, "-inf" if literal.startswith("-") else "inf")
        obj.literal = literal
        return obj


def _parse_int(literal: str):
    try:
        return int(literal)
    except ValueError:
        return HugeInt(literal)


def _text_of(data: bytes) -> str:
    if not data.strip():
        raise NotebookError("empty file")
    if data.startswith(_BOM):
        raise NotebookError("starts with a UTF-8 byte order mark")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not UTF-8 (byte {exc.start})") from None




def parse_for_edit(data: bytes) -> tuple[dict, dict | None]:
    """:func:`parse`, and where the parts that cleaning edits are in the text (for :func:`dumps_edited`).

    The second item maps the position of the top-level object and of the cells list to the
    spans of their items (each cell read whole by json's C scanner), found while parsing.
    Recorded only when ``data`` has outputs (then cleaning most likely rewrites it);
    otherwise None, and this is :func:`parse`.
    """
    if b'"output_type"' not in data:
        return parse(data), None
    text = _text_of(data)
    spans: dict = {}
    try:
        nb, end = _parse_object(text, _WS_RE.match(text).end(), spans, 0)
        if _WS_RE.match(text, end).end() != len(text):
            raise ValueError("extra data")
    except (ValueError, IndexError, AttributeError, StopIteration, RecursionError):
        return parse(data), None  # parse() says what is wrong, or reads what this could not
    check_notebook(nb)
    spans["text"] = text  # for dumps_edited: no second decoding
    return nb, spans


def _parse_object(text: str, i: int, spans: dict, level: int) -> tuple[dict, int]:
    """The object at ``text[i]`` and its end, recording its items' spans in ``spans[i]``.

    ``level`` 0 is the notebook (its ``cells`` list is walked too). Values are read by
    json's C scanner, so the result is what ``json.loads`` gives.
    """
    if text[i] != "{":
        raise ValueError("not an object")
    scan, scanstring, ws = _SCAN, _scanstring, _WS_RE.match
    d: dict = {}
    entries = []  # (key, start of the key, start of the value, end of the value)
    j = ws(text, i + 1).end()
    if text[j] == "}":
        spans[i] = entries
        return d, j + 1
    while True:
        if text[j] != '"':
            raise ValueError("expected a key")
        key, k = scanstring(text, j + 1)
        if text[k] == ":":
            k += 2 if text[k + 1] == " " else 1
            if text[k] in " \t\r\n":
                k = ws(text, k).end()
        else:
            k = _COLON_RE.match(text, k).end()
        if level == 0 and key == "cells" and text[k] == "[":
            value, end = _parse_cells(text, k, spans)
        else:
            value, end = scan(text, k)
        d[key] = value
        entries.append((key, j, k, end))
        c = text[end]
        if c in " \t\r\n":
            end = ws(text, end).end()
            c = text[end]
        if c == ",":
            j = ws(text, end + 1).end()
        elif c == "}":
            spans[i] = entries
            return d, end + 1
        else:
            raise ValueError("expected , or }")


def _parse_cells(text: str, i: int, spans: dict) -> tuple[list, int]:
    cells = []
    entries = []  # (None, start, start, end)
    j = _WS_RE.match(text, i + 1).end()
    if text[j] == "]":
        spans[i] = entries
        return cells, j + 1
    while True:
        cell, end = _SCAN(text, j)
        cells.append(cell)
        entries.append((None, j, j, end))
        m = _AFTER_RE.match(text, end)
        if m.group(1) == "]":
            spans[i] = entries
            return cells, m.end()
        if m.group(1) != ",":
            raise ValueError("expected , or ]")
        j = _WS_RE.match(text, m.end()).end()


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


# --- writing a cleaned notebook into its own bytes --------------------------------------------


def dumps_edited(data: bytes, old: dict, new: dict, spans: dict | None = None) -> bytes:
    """``data`` (the bytes ``old`` was parsed from) changed into ``new``, keeping every byte it can.

    ``new`` must share with ``old`` every part it did not change (the identical objects), as
    the cleaning code builds it: keys removed, values replaced in place, list items dropped.
    Only what changed is written: a removed key disappears with its separator, a replaced
    value becomes its JSON (``null``, ``[]``, ``{}``), and everything else (number literals
    such as ``1e400`` or ``1.10``, escapes, duplicate keys, compact or deeply nested parts,
    the indentation of each line) stays byte for byte what it was.

    When ``new`` is not such an edit of ``old`` (new keys, reordered keys, new content, a
    duplicate key in an object that changes), the whole notebook is written in the layout of
    ``data`` instead, and only if that keeps every value exactly (see :func:`inexact_reason`);
    otherwise :class:`NotebookError` says why, and the caller passes the bytes through.
    ``spans``: what :func:`parse_for_edit` recorded while parsing ``data`` into ``old``.
    """
    text = spans["text"] if spans else data.decode("utf-8")
    try:
        try:
            splicer = _Splicer(text, spans, layout=_indented_layout(data))
            end = splicer.value(new, old, splicer.skip(0))
        except ValueError:  # an integer literal too long for int(): scan again with HugeInt
            splicer = _Splicer(text, spans, parse_int=_parse_int)
            end = splicer.value(new, old, splicer.skip(0))
        if splicer.skip(end) != len(text):
            raise _NoSplice
    except (_NoSplice, IndexError, AttributeError, StopIteration, ValueError, RecursionError):
        return dumps_exactly(new, data, text)
    edits = sorted(splicer.edits)
    pieces = []
    pos = 0
    for start, end, replacement in edits:
        pieces.append(text[pos:start])
        pieces.append(replacement)
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces).encode("utf-8")


def dumps_exactly(nb: dict, data: bytes, text: str | None = None, layout: Layout | None = None) -> bytes:
    """``dumps(nb)`` in the layout of ``data``, or :class:`NotebookError` when that would change a value of ``data``.

    Rewriting the whole file goes through Python's JSON values, which do not keep everything a
    file can hold: ``1e400`` would become ``Infinity``, ``1.10`` ``1.1``, ``-0`` ``0``, and of
    a duplicate key only the last value would remain.
    """
    reason = inexact_reason(data.decode("utf-8") if text is None else text)
    if reason is not None:
        raise NotebookError(f"cannot be rewritten without changing it ({reason})")
    if layout is None:
        return dumps_in_layout_of(nb, data, sort_keys=False)
    try:
        return dumps(nb, layout)
    except (ValueError, RecursionError) as exc:
        raise NotebookError(f"cannot be written ({type(exc).__name__}: {exc})") from None


def inexact_reason(text: str) -> str | None:
    """What of the JSON ``text`` would not survive ``json.loads`` then ``json.dumps``, or None.

    A second parse with hooks: number literals that do not read back as written, duplicate
    keys, strings with lone surrogates (which UTF-8 cannot hold). Slow; only for the rare
    notebook that must be rewritten whole.
    """
    problems: list[str] = []

    def parse_float(literal: str):
        value = float(literal)
        if float.__repr__(value) != literal and not problems:
            problems.append(f"the number {_clip(literal)} would be written as {float.__repr__(value)}")
        return value

    def parse_int(literal: str):
        value = _parse_int(literal)
        if (type(value) is not int or int.__repr__(value) != literal) and not problems:
            shown = f"a {len(literal)}-digit integer" if type(value) is not int else _clip(literal)
            problems.append(f"{shown} would not be written back as it is")
        return value

    def pairs(items):
        d = dict(items)
        if len(d) != len(items) and not problems:
            seen: set = set()
            dup = next(k for k, _ in items if k in seen or seen.add(k))
            problems.append(f"duplicate key {_clip(json.dumps(dup))}")
        return d

    try:
        json.loads(text, parse_float=parse_float, parse_int=parse_int, object_pairs_hook=pairs)
    except RecursionError:
        return "nested too deeply"
    except ValueError as exc:
        return str(exc)
    return problems[0] if problems else None


def _clip(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


def _indented_layout(data: bytes) -> Layout | None:
    """The layout of indented ``data`` (escaping non-ASCII if the file is all ASCII), or None for a compact one."""
    layout = detect_layout_fast(data, check_ascii=False)
    if layout.indent is None:
        return None
    return layout._replace(ensure_ascii=data.isascii())


class _NoSplice(Exception):
    """``new`` is not an in-place edit of ``old`` that :class:`_Splicer` can write."""




class _Splicer:
    """Walks the JSON text of ``old`` and records edits (start, end, replacement) that make it ``new``.

    Only objects and lists that changed are walked item by item; an unchanged value is
    skipped with json's C scanner (which also says where it ends), or not even that when
    ``spans`` (from :func:`parse_for_edit`) already has its end.
    """

    def __init__(self, text: str, spans: dict | None = None, parse_int=None, layout: Layout | None = None):
        self.text = text
        self.layout = layout
        self._contexts: dict = {}
        self.spans = spans or {}
        self.scan = _SCAN if parse_int is None else make_scanner(json.JSONDecoder(parse_int=parse_int))
        self.edits: list[tuple[int, int, str]] = []

    def skip(self, i: int) -> int:
        return _WS_RE.match(self.text, i).end()

    def value(self, new, old, i: int, end: int | None = None) -> int:
        """Record the edits that turn ``old`` (the value at ``text[i]``) into ``new``; return its end."""
        if new is old:
            return self.scan(self.text, i)[1] if end is None else end
        if type(new) is dict and type(old) is dict and new:
            return self.object(new, old, i)
        if type(new) is list and type(old) is list and new:
            return self.array(new, old, i)
        if end is None:
            end = self.scan(self.text, i)[1]
        self.edits.append((i, end, _scalar(new)))
        return end

    def _items(self, i: int, close: str) -> list:
        """The items of the object or list at ``text[i]``: (key or None, start, value start, value end)."""
        known = self.spans.get(i)
        if known is not None:
            return known
        text, scan, after = self.text, self.scan, _AFTER_RE.match
        items = []
        j = self.skip(i + 1)
        if text[j] == close:
            return items
        while True:
            if close == "}":
                if text[j] != '"':
                    raise _NoSplice
                key, k = _scanstring(text, j + 1)
                k = _COLON_RE.match(text, k).end()
            else:
                key, k = None, j
            end = scan(text, k)[1]
            items.append((key, j, k, end))
            m = after(text, end)
            if m.group(1) == close:
                return items
            if m.group(1) != ",":
                raise _NoSplice
            j = self.skip(m.end())

    def object(self, new: dict, old: dict, i: int) -> int:
        items = self._items(i, "}")
        duplicates = len(items) != len(old)
        keep = []
        for key, _, start, end in items:
            if key in new:
                if new[key] is not old[key]:
                    if duplicates and sum(item[0] == key for item in items) > 1:
                        raise _NoSplice  # which of the values to change is not ours to decide
                    self.value(new[key], old[key], start, end)
                keep.append(True)  # a duplicate that did not change keeps all its values
            else:
                keep.append(False)  # a key removed goes with all its values
        kept_keys = [item[0] for item, kept in zip(items, keep) if kept]
        if (list(dict.fromkeys(kept_keys)) if duplicates else kept_keys) != list(new):  # new or reordered keys
            raise _NoSplice
        if not all(keep):
            self._remove(items, keep)
        return _AFTER_RE.match(self.text, items[-1][3]).end() if items else self.skip(i + 1) + 1

    def array(self, new: list, old: list, i: int) -> int:
        items = self._items(i, "]")
        if len(items) != len(old):
            raise _NoSplice
        if len(new) == len(old):
            known = i in self.spans  # the cells
            for (_, _, start, end), a, b in zip(items, new, old):
                if a is not b and not (known and self.cell(a, b, start, end)):
                    self.value(a, b, start, end)
        else:  # items dropped: what remains must be old's items (or edits of them), in order
            keep = []
            n = 0
            for (_, _, start, end), item in zip(items, old):
                kept = n < len(new) and (new[n] is item or _edited(new[n], item))
                if kept:
                    if new[n] is not item:
                        self.value(new[n], item, start, end)
                    n += 1
                keep.append(kept)
            if n != len(new):
                raise _NoSplice
            self._remove(items, keep)
        return _AFTER_RE.match(self.text, items[-1][3]).end() if items else self.skip(i + 1) + 1

    def _context(self, base: str, newline: str) -> tuple:
        """What :meth:`cell` writes for a cell indented by ``base``: its opening, separators, closing, and a writer."""
        layout = self.layout
        unit = layout.indent if isinstance(layout.indent, str) else " " * layout.indent
        inner = newline + base + unit
        item_inner = inner + unit
        item_sep = layout.item_separator + item_inner
        enc = encode_basestring_ascii if layout.ensure_ascii else encode_basestring
        key_sep = layout.key_separator

        def written(value) -> str:  # the common values directly, the others by _dumps_indented
            t = type(value)
            if t is str:
                return enc(value)
            if t is list:
                if not value:
                    return "[]"
                try:
                    return "[" + item_inner + item_sep.join(map(enc, value)) + inner + "]"
                except TypeError:  # not all strings
                    pass
            elif t is dict:
                if not value:
                    return "{}"
            elif value is None:
                return "null"
            out = _dumps_indented(value, unit, False, layout.ensure_ascii, layout.item_separator, key_sep)
            return out.replace("\n", inner) if "\n" in out else out

        heads: dict = {}

        def head(key: str) -> str:  # `"key": `, once per key
            text = heads.get(key)
            if text is None:
                text = heads[key] = enc(key) + key_sep
            return text

        return "{" + inner, layout.item_separator + inner, newline + base + "}", head, written

    def cell(self, new: dict, old: dict, start: int, end: int) -> bool:
        """Record the edits of a cell laid out as the notebook's layout writes it; False if it is not.

        The common case, and without reading the cell again: each entry that stays is
        written in the layout and must be exactly the text found at its place, a value
        replaced by a small one (a count) is read to its end, and a large one (outputs)
        ends where the entries after it, written in the layout, begin: they must end the
        cell's text. Anything else (another layout, a changed nested object, a literal
        Python's JSON writes differently) leaves the cell to :meth:`value`.
        """
        layout, text = self.layout, self.text
        if layout is None or type(new) is not dict or type(old) is not dict or not new or len(new) != len(old):
            return False  # (same keys in the same order, or the texts below do not match)
        nl = text.rfind("\n", 0, start)
        base = text[nl + 1 : start]
        if nl < 0 or base.strip(" \t"):
            return False
        newline = "\r\n" if nl > 0 and text[nl - 1] == "\r" else "\n"
        context = self._contexts.get((base, newline))
        if context is None:
            context = self._contexts[(base, newline)] = self._context(base, newline)
        opening, sep, close, head_of, written = context
        keys = list(new)
        edits = []
        try:
            if not text.startswith(opening, start):
                return False
            pos = start + len(opening)
            for n, key in enumerate(keys):
                a, b = new[key], old.get(key, _MISSING)
                head = head_of(key)
                if a is b:
                    piece = head + written(a)
                    if not text.startswith(piece, pos):
                        return False
                    pos += len(piece)
                else:
                    if not text.startswith(head, pos):
                        return False
                    pos += len(head)
                    replacement = _scalar(a)
                    rest = keys[n + 1 :]
                    if type(b) in (list, dict) and all(new[k] is old[k] for k in rest):
                        tail = "".join([sep + head_of(k) + written(new[k]) for k in rest]) + close
                        if end - len(tail) <= pos or not text.startswith(tail, end - len(tail)):
                            return False
                        if text.find(sep[len(layout.item_separator):] + '"', pos, end - len(tail)) >= 0:  # another entry in between
                            return False
                        edits.append((pos, end - len(tail), replacement))
                        self.edits += edits
                        return True
                    value_end = self.scan(text, pos)[1]
                    edits.append((pos, value_end, replacement))
                    pos = value_end
                if n < len(keys) - 1:
                    if not text.startswith(sep, pos):
                        return False
                    pos += len(sep)
        except (_NotPlainJSON, _NoSplice, TypeError, ValueError, RecursionError, StopIteration):
            return False
        if pos + len(close) != end or not text.startswith(close, pos):
            return False
        self.edits += edits
        return True

    def _remove(self, entries: list, keep: list) -> None:
        """Edits removing the items not kept, each run with the separator that joined it (some are kept)."""
        m = len(entries)
        a = 0
        while a < m:
            if keep[a]:
                a += 1
                continue
            b = a
            while b < m and not keep[b]:
                b += 1
            if b < m:  # up to the next kept item: the whitespace before the run stays
                self.edits.append((entries[a][1], entries[b][1], ""))
            else:  # a run at the end: from the end of the last kept item
                self.edits.append((entries[a - 1][3], entries[b - 1][3], ""))
            a = b


def _edited(new, old) -> bool:
    """Whether dict ``new`` is ``old`` with a value or two replaced by null (an output whose count clean reset)."""
    if type(new) is not dict or type(old) is not dict or len(new) != len(old) or list(new) != list(old):
        return False
    changed = [k for k in new if new[k] is not old[k]]
    return len(changed) <= 2 and all(new[k] is None for k in changed)


_MISSING = object()


def _scalar(value) -> str:
    """The JSON of a value cleaning puts in place of another: null, booleans, empty containers."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is list and not value:
        return "[]"
    if type(value) is dict and not value:
        return "{}"
    raise _NoSplice
