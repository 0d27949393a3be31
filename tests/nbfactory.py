"""Building notebooks for tests."""

from __future__ import annotations

import base64
import json

PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def code_cell(source: str, *, outputs: list | None = None, count: int | None = None, id: str | None = None, metadata: dict | None = None) -> dict:
    cell = {
        "cell_type": "code",
        "execution_count": count,
        "metadata": metadata or {},
        "outputs": outputs or [],
        "source": source.splitlines(keepends=True),
    }
    if id is not None:
        cell["id"] = id
    return cell


def markdown_cell(source: str, *, id: str | None = None, metadata: dict | None = None) -> dict:
    cell = {"cell_type": "markdown", "metadata": metadata or {}, "source": source.splitlines(keepends=True)}
    if id is not None:
        cell["id"] = id
    return cell


def stream(text: str) -> dict:
    return {"name": "stdout", "output_type": "stream", "text": text.splitlines(keepends=True)}


def image(count: int | None = 1) -> dict:
    return {
        "data": {"image/png": PNG_1PX, "text/plain": ["<Figure>"]},
        "execution_count": count,
        "metadata": {},
        "output_type": "execute_result",
    }


def notebook(cells: list, *, minor: int = 5, metadata: dict | None = None) -> dict:
    return {
        "cells": cells,
        "metadata": metadata
        if metadata is not None
        else {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.11.7"},
        },
        "nbformat": 4,
        "nbformat_minor": minor,
    }


def jupyter_bytes(nb: dict) -> bytes:
    """Bytes as Jupyter writes them (indent 1, sorted keys, no ASCII escaping, final newline)."""
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def dirty_notebook(n_cells: int = 3) -> dict:
    cells = []
    for i in range(n_cells):
        cells.append(
            code_cell(f"x = {i}\nprint(x)\n", outputs=[stream(f"{i}\n"), image(i + 1)], count=i + 1, id=f"cell-{i}",
                      metadata={"scrolled": True, "ExecuteTime": {"end_time": "2024-01-01"}})
        )
        cells.append(markdown_cell(f"# Section {i}\n", id=f"md-{i}"))
    nb = notebook(cells)
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def v3_notebook() -> dict:
    """A small nbformat 3 notebook (worksheets, ``input``, ``prompt_number``) with outputs."""
    return {
        "metadata": {"name": "old", "signature": "sha256:0123"},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "heading", "level": 1, "metadata": {}, "source": "Title"},
                    {
                        "cell_type": "code",
                        "collapsed": False,
                        "input": "x = 1\nprint(x)",
                        "language": "python",
                        "metadata": {"scrolled": True},
                        "outputs": [{"output_type": "stream", "stream": "stdout", "text": "1\n"}],
                        "prompt_number": 3,
                    },
                    {"cell_type": "markdown", "metadata": {}, "source": "Some *text*"},
                ],
                "metadata": {},
            }
        ],
    }
