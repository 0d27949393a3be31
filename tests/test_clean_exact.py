"""Clean never changes what it does not strip (issue 10, items 13 and 15).

Only what clean strips is rewritten; every other byte stays: number literals that Python's
JSON would write differently (``1e400``, ``1.10``, ``1E5``, ``-0``, huge integers), duplicate
keys, escapes, compact or deeply nested parts, odd indentation. When the file cannot be
written so (it must be rewritten whole), it passes through unchanged with a warning.
Hypothesis drives arbitrary notebook text (any unicode, lone surrogate escapes, control
characters, huge numbers, deep nesting, duplicate keys) through clean, textconv, check and
review's reader: never an exception; clean gives the exact input or a cleaned notebook
that is idempotent.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nbgit.notebook.clean import clean_bytes, clean_notebook
from nbgit.notebook.config import Config
from nbgit.notebook.io import NotebookError, parse

SETTINGS = settings(max_examples=int(os.environ.get("NBGIT_HYPOTHESIS_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def dirty(metadata_json: str = "{}", cell_metadata_json: str = "{}", indent: str = " ") -> bytes:
    """A notebook (Jupyter's layout) with an output and a count to strip, and the given raw metadata text."""
    i1, i2, i3, i4, i5 = (indent * n for n in range(1, 6))
    return (
        "{\n"
        f'{i1}"cells": [\n'
        f"{i2}{{\n"
        f'{i3}"cell_type": "code",\n'
        f'{i3}"execution_count": 3,\n'
        f'{i3}"metadata": {cell_metadata_json},\n'
        f'{i3}"outputs": [\n'
        f"{i4}{{\n"
        f'{i5}"name": "stdout",\n'
        f'{i5}"output_type": "stream",\n'
        f'{i5}"text": "hi\\n"\n'
        f"{i4}}}\n"
        f"{i3}],\n"
        f'{i3}"source": [\n'
        f'{i4}"print(\'hi\')"\n'
        f"{i3}]\n"
        f"{i2}}}\n"
        f"{i1}],\n"
        f'{i1}"metadata": {metadata_json},\n'
        f'{i1}"nbformat": 4,\n'
        f'{i1}"nbformat_minor": 5\n'
        "}\n"
    ).encode()


def stripped(metadata_json: str = "{}", cell_metadata_json: str = "{}", indent: str = " ") -> bytes:
    i1, i2, i3, i4 = (indent * n for n in range(1, 5))
    return (
        "{\n"
        f'{i1}"cells": [\n'
        f"{i2}{{\n"
        f'{i3}"cell_type": "code",\n'
        f'{i3}"execution_count": null,\n'
        f'{i3}"metadata": {cell_metadata_json},\n'
        f'{i3}"outputs": [],\n'
        f'{i3}"source": [\n'
        f'{i4}"print(\'hi\')"\n'
        f"{i3}]\n"
        f"{i2}}}\n"
        f"{i1}],\n"
        f'{i1}"metadata": {metadata_json},\n'
        f'{i1}"nbformat": 4,\n'
        f'{i1}"nbformat_minor": 5\n'
        "}\n"
    ).encode()


def test_the_stripping_itself_is_jupyters_layout():
    out = clean_bytes(dirty())
    assert out == stripped()
    nb = json.loads(dirty())
    assert out == (json.dumps(clean_notebook(nb), indent=1, ensure_ascii=False) + "\n").encode()


@pytest.mark.parametrize(
    "literal",
    ["1e400", "-1e400", "1.0", "1E5", "1e5", "-0.0", "-0", "1.10", "0.30000000000000001", "1e-7", "100000000000000000000.0",
     "9" * 5000, "-" + "1" * 4301, "123456789012345678901234567890"],
)
def test_number_literals_come_back_exactly(literal):
    md = '{"n": ' + literal + ', "list": [' + literal + ", 2]}"
    out = clean_bytes(dirty(metadata_json=md, cell_metadata_json=md))
    assert out == stripped(metadata_json=md, cell_metadata_json=md)
    assert clean_bytes(out) is out or clean_bytes(out) == out


def test_1e400_never_becomes_infinity():
    out = clean_bytes(dirty(metadata_json='{"v": 1e400}'))
    assert b"Infinity" not in out and b'"v": 1e400' in out


def test_duplicate_keys_are_kept():
    md = '{"k": 1, "k": 2, "deep": {"a": [1], "a": [2]}}'
    out = clean_bytes(dirty(metadata_json=md, cell_metadata_json=md))
    assert out == stripped(metadata_json=md, cell_metadata_json=md)


def test_duplicate_key_where_clean_edits_passes_through():
    # two "outputs" in one cell: which one would stay is not clean's to decide
    data = dirty().replace(b'"outputs": [', b'"outputs": [],\n   "outputs": [', 1)
    json.loads(data)  # still JSON
    with pytest.raises(NotebookError, match="duplicate key"):
        clean_bytes(data)


def test_volatile_metadata_beside_a_duplicate_is_dropped_and_the_duplicate_kept():
    md = '{\n    "collapsed": true,\n    "k": 1,\n    "k": 2\n   }'
    out = clean_bytes(dirty(cell_metadata_json=md))
    assert out == stripped(cell_metadata_json='{\n    "k": 1,\n    "k": 2\n   }')


@pytest.mark.parametrize(
    "md, expected",
    [
        ('{"collapsed": true, "tags": ["x"]}', '{"tags": ["x"]}'),
        ('{"tags": ["x"], "collapsed": true}', '{"tags": ["x"]}'),
        ('{"a": 1, "collapsed": true, "scrolled": false, "b": 2}', '{"a": 1, "b": 2}'),
        ('{"collapsed": true}', "{}"),
        ('{ "collapsed" : true ,"b":2 }', '{ "b":2 }'),
        ('{\n    "collapsed": true,\n    "tags": []\n   }', '{\n    "tags": []\n   }'),
        ('{\n    "tags": [],\n    "collapsed": true\n   }', '{\n    "tags": []\n   }'),
    ],
)
def test_removed_keys_take_their_own_separator_and_nothing_else(md, expected):
    assert clean_bytes(dirty(cell_metadata_json=md)) == stripped(cell_metadata_json=expected)


def test_nested_notebook_metadata_path():
    md = '{"language_info": {"name": "python", "version": "3.11.7"}, "kernelspec": {"name": "python3"}}'
    out = clean_bytes(dirty(metadata_json=md))
    assert out == stripped(metadata_json='{"language_info": {"name": "python"}, "kernelspec": {"name": "python3"}}')


def test_deeply_nested_compact_metadata_is_not_reindented():
    depth = 400
    deep = '{"a": ' * depth + "1" + "}" * depth
    md = '{"deep": ' + deep + ', "tags": [1, 2, 3]}'
    data = dirty(cell_metadata_json=md, metadata_json='{"deep": ' + deep + "}")
    assert len(data) < 6000
    out = clean_bytes(data)
    assert out == stripped(cell_metadata_json=md, metadata_json='{"deep": ' + deep + "}")
    assert clean_bytes(out) is out


@pytest.mark.parametrize("indent", ["  ", "    ", "\t"])
def test_other_indents_and_crlf(indent):
    data = dirty(indent=indent)
    assert clean_bytes(data) == stripped(indent=indent)
    crlf = data.replace(b"\n", b"\r\n")
    assert clean_bytes(crlf) == stripped(indent=indent).replace(b"\n", b"\r\n")


def test_compact_notebook():
    nb = json.loads(dirty())
    data = json.dumps(nb, separators=(",", ":")).encode()
    out = clean_bytes(data)
    assert out == json.dumps(clean_notebook(nb), separators=(",", ":")).encode()


def test_escapes_are_kept_as_written():
    md = '{"s": "caf\\u00e9 \\/ \\ud83d\\ude00 \\ud83d", "t": "café"}'
    out = clean_bytes(dirty(metadata_json=md))
    assert out == stripped(metadata_json=md)


def test_lone_surrogate_in_kept_source():
    data = dirty().replace(b"print('hi')", b"x = '\\ud83d'")
    out = clean_bytes(data)
    assert out == stripped().replace(b"print('hi')", b"x = '\\ud83d'")


def test_kept_outputs_drop_only_what_is_too_big_and_the_counts():
    big = {"data": {"text/plain": ["x" * 500]}, "execution_count": 3, "metadata": {"v": 1e400}, "output_type": "execute_result"}
    small = {"data": {"text/plain": ["1.10"]}, "execution_count": 3, "metadata": {}, "output_type": "execute_result"}
    nb = json.loads(dirty())
    nb["cells"][0]["outputs"] = [small, big, small]
    text = json.dumps(nb, indent=1).replace('"v": Infinity', '"v": 1e400')
    config = Config(keep_outputs=True, max_output_size=300)
    out = clean_bytes(text.encode(), config)
    got = json.loads(out)
    assert [o["data"]["text/plain"] for o in got["cells"][0]["outputs"]] == [["1.10"], ["1.10"]]
    assert all(o["execution_count"] is None for o in got["cells"][0]["outputs"])
    assert clean_bytes(out, config) is out


def test_a_notebook_that_must_be_rewritten_whole_is_refused_when_inexact():
    # an nbformat 3 notebook upgraded to 4 is rewritten whole: 1e400 cannot survive that
    v3 = {"metadata": {"name": "", "v": 1}, "nbformat": 3, "nbformat_minor": 0,
          "worksheets": [{"cells": [{"cell_type": "code", "input": "1", "language": "python", "metadata": {},
                                     "outputs": [], "prompt_number": 1, "collapsed": False}], "metadata": {}}]}
    text = json.dumps(v3, indent=1).replace('"v": 1', '"v": 1e400')
    with pytest.raises(NotebookError, match="1e400"):
        clean_bytes(text.encode(), Config(upgrade_v3=True))
    assert b"nbformat" in clean_bytes(json.dumps(v3, indent=1).encode(), Config(upgrade_v3=True))


# --- hypothesis: arbitrary notebook text ---------------------------------------------------------

# JSON text pieces that Python's json does not write back as they are
ODD_NUMBERS = st.sampled_from(["1e400", "-1e400", "1.0", "1E5", "-0.0", "-0", "1.10", "1e-7", "9" * 4400,
                               "0.1000000000000000055511151231257827", "5e-324", "2", "-7"])
ODD_STRINGS = st.one_of(
    st.sampled_from(['"\\ud83d"', '"\\udc00x"', '"\\u0000\\u001b[2J"', '"\\/"', '"caf\\u00e9"', '"\\ud83d\\ude00"', '""']),
    st.text(max_size=12).map(lambda s: json.dumps(s, ensure_ascii=False)),  # incl. control characters
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=8).map(lambda s: json.dumps(s, ensure_ascii=False)),
)


@st.composite
def json_text(draw, depth=0):
    """JSON text (not values): odd numbers, escapes, duplicate keys, any whitespace, deep nesting."""
    kind = draw(st.integers(0, 7 if depth < 4 else 2))
    if kind == 0:
        return draw(ODD_NUMBERS)
    if kind == 1:
        return draw(ODD_STRINGS)
    if kind == 2:
        return draw(st.sampled_from(["null", "true", "false", "[]", "{}"]))
    if kind == 3:
        n = draw(st.integers(1, 300))
        return "[" * n + draw(ODD_NUMBERS) + "]" * n
    ws = draw(st.sampled_from(["", " ", "\n ", "\r\n\t"]))
    if kind in (4, 5):
        keys = draw(st.lists(st.sampled_from(["a", "k", "collapsed", "scrolled", "tags", "id", "é"]), max_size=4))
        items = [f'"{k}":{ws}{draw(json_text(depth + 1))}' for k in keys]
        return "{" + ws + ("," + ws).join(items) + ws + "}"
    items = draw(st.lists(json_text(depth + 1), max_size=4))
    return "[" + ws + ("," + ws).join(items) + ws + "]"


@st.composite
def notebook_text(draw) -> bytes:
    ws = draw(st.sampled_from(["", " ", "\n ", "\n  ", "\r\n "]))
    cells = []
    for _ in range(draw(st.integers(0, 3))):
        items = [f'"cell_type":{ws}"{draw(st.sampled_from(["code", "markdown", "raw"]))}"']
        if draw(st.booleans()):
            items.append(f'"execution_count":{ws}{draw(st.sampled_from(["null", "1", "9" * 4400, "1.5", "1e400"]))}')
        items.append(f'"metadata":{ws}{draw(json_text())}')
        if draw(st.booleans()):
            outs = draw(st.lists(json_text(), max_size=2))
            outs += ['{"output_type":"stream","name":"stdout","text":' + draw(ODD_STRINGS) + "}"] * draw(st.integers(0, 1))
            items.append(f'"outputs":{ws}[' + ",".join(outs) + "]")
        items.append(f'"source":{ws}' + draw(st.one_of(ODD_STRINGS, st.lists(ODD_STRINGS, max_size=3).map(lambda xs: "[" + ",".join(xs) + "]"))))
        if draw(st.integers(0, 5)) == 0:  # a duplicate key in a cell
            items.append(draw(st.sampled_from(items)))
        draw(st.randoms()).shuffle(items) if draw(st.integers(0, 3)) == 0 else None
        cells.append("{" + ws + ("," + ws).join(items) + ws + "}")
    top = [f'"cells":{ws}[' + ("," + ws).join(cells) + "]", f'"metadata":{ws}{draw(json_text())}',
           f'"nbformat":{ws}4', f'"nbformat_minor":{ws}{draw(st.sampled_from(["5", "1e400", "-0", chr(34) + "x" + chr(34)]))}']
    text = "{" + ws + ("," + ws).join(top) + ws + "}" + draw(st.sampled_from(["", "\n", "\r\n"]))
    return text.encode("utf-8", "surrogatepass") if draw(st.integers(0, 9)) else text.encode("utf-8", "surrogatepass")[:-3]


@SETTINGS
@given(notebook_text())
def test_arbitrary_notebook_text_through_clean(data):
    try:
        out = clean_bytes(data)
    except NotebookError:
        return  # the filter passes these through unchanged, with a warning
    if out is data or out == data:
        return
    again = clean_bytes(out)
    assert again == out  # idempotent
    nb = parse(out)
    assert clean_notebook(parse(data)) == nb or _has_nan(data)  # what changed is exactly the stripping


def _has_nan(data: bytes) -> bool:
    return bool(re.search(rb"NaN", data))


@SETTINGS
@given(notebook_text())
def test_arbitrary_notebook_text_through_textconv_check_and_review(data):
    from nbgit.cli.check import check_bytes
    from nbgit.git.textconv import convert
    from nbgit.review.changes import notebook_change

    out = convert(data, Config())
    assert isinstance(out, bytes)
    check_bytes(data, Config(), validate=False)
    notebook_change("x.ipynb", data, data)
    notebook_change("x.ipynb", None, data)
