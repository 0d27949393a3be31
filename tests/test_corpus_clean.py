"""Every real notebook of the shared corpus cleans without error, idempotently, byte for byte."""

from __future__ import annotations

import io
import json

import pytest

from conftest import corpus_dir
from nbgit.git.filter import clean_or_pass
from nbgit.notebook.clean import clean_bytes, clean_notebook
from nbgit.notebook.config import Config
from nbgit.notebook.io import NotebookError, detect_layout, parse

CONFIGS = {"default": Config(), "keep_outputs": Config(keep_outputs=True, max_output_size=2000)}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_every_corpus_notebook_cleans_idempotently(name):
    config = CONFIGS[name]
    paths = sorted(corpus_dir().rglob("*.ipynb"))
    assert len(paths) > 100, "corpus unexpectedly small"
    cleaned = passed_through = 0
    failures = []
    for path in paths:
        data = path.read_bytes()
        rel = path.relative_to(corpus_dir())
        try:
            out = clean_bytes(data, config)
        except NotebookError:
            # not a readable notebook: the filter hands it back untouched, with one warning line
            err = io.StringIO()
            if clean_or_pass(data, config, str(rel), err) != data or len(err.getvalue().splitlines()) != 1:
                failures.append(f"{rel}: not passed through cleanly")
            passed_through += 1
            continue
        except Exception as exc:  # anything else is a bug
            failures.append(f"{rel}: {type(exc).__name__}: {exc}")
            continue
        cleaned += 1
        if clean_bytes(out, config) != out:
            failures.append(f"{rel}: not idempotent")
            continue
        nb = json.loads(data)
        if json.loads(out) != clean_notebook(nb, config):
            failures.append(f"{rel}: bytes do not hold clean_notebook's result")
        if out is not data:
            a, b = detect_layout(data), detect_layout(out)
            if (a.indent, a.newline, a.final_newline, a.item_separator, a.key_separator) != (
                b.indent, b.newline, b.final_newline, b.item_separator, b.key_separator
            ):
                failures.append(f"{rel}: layout changed {a} -> {b}")
        if name == "default":
            for cell in json.loads(out).get("cells", []):
                if cell.get("cell_type") == "code" and cell.get("outputs") and "keep_output" not in (
                    cell.get("metadata", {}).get("tags") or []
                ) and cell.get("metadata", {}).get("keep_output") is not True:
                    failures.append(f"{rel}: outputs left in a code cell")
                    break
    assert not failures, "\n".join(failures[:20])
    assert cleaned > 100


def test_corpus_cleaned_notebooks_still_validate():
    """A sample: notebooks valid before cleaning are valid after (nbformat's schema)."""
    import nbformat

    paths = sorted(corpus_dir().rglob("*.ipynb"))[::40]
    checked = 0
    for path in paths:
        data = path.read_bytes()
        try:
            nb = parse(data)
            nbformat.validate(nb)
        except (NotebookError, nbformat.ValidationError):
            continue
        nbformat.validate(json.loads(clean_bytes(data)))
        checked += 1
    assert checked >= 5
