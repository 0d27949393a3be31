"""Properties of clean on generated notebooks (hypothesis).

Notebooks: nbformat 4.0-4.5, with and without cell ids, unicode text including
astral and control characters, nested metadata (volatile keys sprinkled in at
the places clean looks), outputs of every kind; written in random layouts
(indent, key order, ASCII escaping, separators, line ending, final newline).
"""

from __future__ import annotations

import copy
import json
import os

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nbgit.notebook.clean import clean_bytes, clean_notebook
from nbgit.notebook.config import Config
from nbgit.notebook.io import detect_layout

# NBGIT_HYPOTHESIS_EXAMPLES=2000 for a deeper run by hand; the default keeps the suite quick
SETTINGS = settings(max_examples=int(os.environ.get("NBGIT_HYPOTHESIS_EXAMPLES", "75")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# any code point except surrogates: astral planes and C0/C1 control characters included
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    # text that looks like JSON punctuation (separators, quotes, escapes) inside strings
    st.sampled_from(['x = [1, 2]', 'a", "b', '{"k": 1}', "\\u00e9, \\", "<<<<<<< HEAD", "\r\n", ""]),
)
KEYS = st.one_of(st.sampled_from(["tags", "a", "b", "name", "collapsed", "scrolled", "widgets", "version", "é", "😀"]), TEXT)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), TEXT,
                    st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f == f))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
                    max_leaves=12)
SOURCE = st.one_of(TEXT, st.lists(TEXT, max_size=5))

VOLATILE_CELL = ["collapsed", "scrolled", "ExecuteTime", "execution", "heading_collapsed", "hidden"]


@st.composite
def cell_metadata(draw):
    md = draw(st.dictionaries(KEYS, JSON, max_size=4))
    for key in draw(st.lists(st.sampled_from(VOLATILE_CELL), max_size=3, unique=True)):
        md[key] = draw(JSON)
    if draw(st.booleans()):
        md["tags"] = draw(st.lists(st.sampled_from(["keep_output", "parameters", "x", "😀"]), max_size=3))
    if draw(st.integers(0, 5)) == 0:
        md["keep_output"] = draw(st.sampled_from([True, False, "true"]))
    return md


@st.composite
def outputs(draw):
    kind = draw(st.sampled_from(["stream", "execute_result", "display_data", "error"]))
    if kind == "stream":
        return {"name": draw(st.sampled_from(["stdout", "stderr"])), "output_type": "stream", "text": draw(SOURCE)}
    if kind == "error":
        return {"ename": draw(TEXT), "evalue": draw(TEXT), "output_type": "error", "traceback": draw(st.lists(TEXT, max_size=3))}
    out = {"data": {"text/plain": draw(SOURCE)}, "metadata": draw(st.dictionaries(KEYS, JSON, max_size=2)), "output_type": kind}
    if draw(st.booleans()):
        out["data"]["image/png"] = "iVBORw0KGgo="
    if kind == "execute_result":
        out["execution_count"] = draw(st.one_of(st.none(), st.integers(1, 999)))
    return out


@st.composite
def cells(draw, with_ids: bool):
    kind = draw(st.sampled_from(["code", "code", "markdown", "raw"]))
    cell = {"cell_type": kind, "metadata": draw(cell_metadata()), "source": draw(SOURCE)}
    if kind == "code":
        cell["execution_count"] = draw(st.one_of(st.none(), st.integers(1, 999)))
        cell["outputs"] = draw(st.lists(outputs(), max_size=3))
    if with_ids:
        cell["id"] = draw(st.from_regex(r"[a-zA-Z0-9_-]{1,64}", fullmatch=True))
    return cell


@st.composite
def notebooks(draw):
    minor = draw(st.integers(0, 5))
    with_ids = minor >= 5 and draw(st.integers(0, 4)) > 0  # mostly ids in 4.5, sometimes missing
    md = draw(st.dictionaries(KEYS, JSON, max_size=4))
    if draw(st.booleans()):
        md["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    if draw(st.booleans()):
        md["language_info"] = {"name": "python", **({"version": draw(TEXT)} if draw(st.booleans()) else {})}
    for key in draw(st.lists(st.sampled_from(["widgets", "signature"]), max_size=2, unique=True)):
        md[key] = draw(JSON)
    return {
        "cells": draw(st.lists(cells(with_ids), max_size=6)),
        "metadata": md,
        "nbformat": 4,
        "nbformat_minor": minor,
    }


def shuffled(value, rnd):
    """The same JSON value with every object's keys in a random order."""
    if isinstance(value, dict):
        items = [(k, shuffled(v, rnd)) for k, v in value.items()]
        rnd.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        return [shuffled(v, rnd) for v in value]
    return value


@st.composite
def writers(draw):
    """Keyword arguments of json.dumps plus line ending and final newline: a file layout."""
    indent = draw(st.sampled_from([None, 0, 1, 2, 4, "\t"]))
    kw = {
        "indent": indent,
        "sort_keys": draw(st.booleans()),
        "ensure_ascii": draw(st.booleans()),
    }
    if indent is None:
        kw["separators"] = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    return kw, draw(st.sampled_from(["\n", "\r\n"])), draw(st.booleans())


def write(nb: dict, writer) -> bytes:
    kw, newline, final = writer
    text = json.dumps(nb, **kw).replace("\n", newline)
    return (text + (newline if final else "")).encode("utf-8")


@st.composite
def notebook_files(draw):
    nb = draw(notebooks())
    writer = draw(writers())
    if not writer[0]["sort_keys"]:
        rnd = draw(st.randoms(use_true_random=False))
        if draw(st.booleans()):
            nb = shuffled(nb, rnd)
        else:  # sorted at the top and in the first cell, unsorted deeper down: order must still be kept
            nb = {k: shuffled(v, rnd) if k == "metadata" else v for k, v in sorted(nb.items())}
            nb["cells"] = [c if i == 0 else shuffled(c, rnd) for i, c in enumerate(nb["cells"])]
    return nb, writer, write(nb, writer)


CONFIGS = st.sampled_from([
    Config(),
    Config(keep_outputs=True),
    Config(keep_outputs=True, max_output_size=60),
    Config(keep_count=True),
    Config(drop_metadata=("notebook.a", "cell.b.a"), keep_metadata=("cell.scrolled",)),
])


@SETTINGS
@given(notebook_files(), CONFIGS)
def test_idempotent_byte_for_byte(file, config):
    nb, writer, data = file
    once = clean_bytes(data, config)
    assert clean_bytes(once, config) == once
    assert json.loads(once) == clean_notebook(json.loads(data), config)


@SETTINGS
@given(notebook_files(), CONFIGS)
def test_already_clean_passes_through_identical(file, config):
    nb, writer, _ = file
    data = write(clean_notebook(nb, config), writer)
    assert clean_bytes(data, config) == data


@SETTINGS
@given(notebook_files())
def test_layout_preserved(file):
    nb, writer, data = file
    out = clean_bytes(data)
    # the cleaned bytes are exactly what the notebook's own writer (same layout, same key order
    # at every depth) writes for the cleaned notebook
    assert out == write(clean_notebook(nb), writer)
    before, after = detect_layout(data), detect_layout(out)
    for field in ("indent", "newline", "final_newline", "item_separator", "key_separator"):
        assert getattr(after, field) == getattr(before, field), field


@SETTINGS
@given(notebooks(), CONFIGS)
def test_clean_notebook_does_not_mutate_input(nb, config):
    before = copy.deepcopy(nb)
    clean_notebook(nb, config)
    assert nb == before


@SETTINGS
@given(notebooks())
def test_cleaned_notebook_has_no_outputs_counts_or_volatile_metadata(nb):
    out = clean_notebook(nb)
    assert len(out["cells"]) == len(nb["cells"])
    for old, new in zip(nb["cells"], out["cells"]):
        assert new["source"] == old["source"] and new.get("id") == old.get("id")
        assert not set(VOLATILE_CELL) & set(new["metadata"])
        if new["cell_type"] == "code":
            assert new["execution_count"] is None
            tags = old["metadata"].get("tags")
            tags = tags if isinstance(tags, list) else []
            if "keep_output" in tags or old["metadata"].get("keep_output") is True:
                assert len(new["outputs"]) == len(old["outputs"])
            else:
                assert new["outputs"] == []
    assert "widgets" not in out["metadata"] and "signature" not in out["metadata"]
    assert "version" not in out["metadata"].get("language_info", {})


ANY_CELL = st.dictionaries(
    st.sampled_from(["cell_type", "metadata", "outputs", "execution_count", "source", "id", "prompt_number"]),
    st.one_of(JSON, st.sampled_from(["code", "markdown"]), st.lists(st.one_of(JSON, outputs()), max_size=3)),
    max_size=7,
)


@SETTINGS
@given(st.lists(ANY_CELL, max_size=4), st.one_of(st.dictionaries(KEYS, JSON, max_size=3), JSON), st.sampled_from([3, 4]),
       CONFIGS)
def test_odd_shapes_never_raise_anything_but_notebook_error(cells_, metadata, major, config):
    """Whatever the JSON inside a notebook looks like, clean either works or reports NotebookError."""
    from nbgit.notebook.io import NotebookError

    nb = {"metadata": metadata, "nbformat": major, "nbformat_minor": 0}
    if major == 4:
        nb["cells"] = cells_
    else:
        nb["worksheets"] = [{"cells": cells_}]
    data = json.dumps(nb).encode()
    try:
        out = clean_bytes(data, config)
    except NotebookError:
        return
    assert clean_bytes(out, config) == out
