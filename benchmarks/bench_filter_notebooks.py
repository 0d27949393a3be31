"""Synthetic notebooks for the filter benchmark (imported by bench_filter.py).

Each notebook has 50 cells (about a third markdown) written in Jupyter's layout, with the outputs
a notebook has after "Run All": stdout streams, `text/plain` results, a pandas-like `text/html`
table here and there, a PNG plot (random bytes, 20-50 kB of base64: real PNGs are already
compressed) in about one code cell in five, execution counts and `ExecuteTime` metadata.
Deterministic for a given index, and every notebook differs from the others.
"""

from __future__ import annotations

import base64
import json
import random

N_CELLS = 50
WORDS = (
    "data model train loss accuracy feature value mean sample group plot figure result "
    "column index frame series array matrix vector score error batch epoch layer weight"
).split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _source(rng: random.Random, i: int) -> list[str]:
    lines = [f"df_{i} = load('{_sentence(rng, 2).replace(' ', '_')}.csv')\n"]
    for k in range(rng.randint(2, 12)):
        lines.append(f"x{k} = df_{i}['{rng.choice(WORDS)}'].{rng.choice(['mean', 'sum', 'std'])}() * {rng.random():.4f}\n")
    lines.append(f"print(x0, '{_sentence(rng, 3)}')")
    return lines


def _html_table(rng: random.Random) -> list[str]:
    rows = ["<table border=\"1\" class=\"dataframe\">\n", "  <thead>\n", "    <tr><th></th><th>a</th><th>b</th><th>c</th></tr>\n", "  </thead>\n", "  <tbody>\n"]
    for r in range(rng.randint(5, 40)):
        rows.append(f"    <tr><th>{r}</th><td>{rng.random():.6f}</td><td>{rng.random():.6f}</td><td>{rng.choice(WORDS)}</td></tr>\n")
    rows += ["  </tbody>\n", "</table>"]
    return rows


def _outputs(rng: random.Random, count: int) -> list[dict]:
    outputs: list[dict] = []
    if rng.random() < 0.7:
        text = [f"{rng.random():.8f} {_sentence(rng, rng.randint(2, 8))}\n" for _ in range(rng.randint(1, 30))]
        outputs.append({"name": "stdout", "output_type": "stream", "text": text})
    if rng.random() < 0.2:
        png = base64.b64encode(rng.randbytes(rng.randint(15_000, 37_500))).decode()  # 20-50 kB base64
        outputs.append(
            {
                "data": {"image/png": png, "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
                "metadata": {"needs_background": "light"},
                "output_type": "display_data",
            }
        )
    if rng.random() < 0.5:
        data: dict = {"text/plain": [f"{rng.random():.6f}"]}
        if rng.random() < 0.3:
            data["text/html"] = _html_table(rng)
            data["text/plain"] = [f"   a         b        c\n{r}  {rng.random():.6f}  {rng.random():.6f}  x\n" for r in range(5)]
        outputs.append({"data": data, "execution_count": count, "metadata": {}, "output_type": "execute_result"})
    return outputs


def make_notebook(index: int) -> dict:
    """The ``index``-th benchmark notebook, with outputs (a dict)."""
    rng = random.Random(index)
    cells = []
    count = 0
    for i in range(N_CELLS):
        cid = f"{index:04x}{i:04x}"
        if rng.random() < 0.33:
            src = [f"## {_sentence(rng, 3).title()}\n", "\n", _sentence(rng, rng.randint(10, 60)) + "\n"]
            cells.append({"cell_type": "markdown", "id": cid, "metadata": {}, "source": src})
            continue
        count += 1
        cells.append(
            {
                "cell_type": "code",
                "execution_count": count,
                "id": cid,
                "metadata": {
                    "ExecuteTime": {"end_time": f"2024-03-0{1 + i % 9}T10:{i:02d}:00.000Z", "start_time": f"2024-03-0{1 + i % 9}T10:{i:02d}:00.000Z"},
                    "scrolled": rng.random() < 0.2,
                },
                "outputs": _outputs(rng, count),
                "source": _source(rng, i),
            }
        )
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {
                "codemirror_mode": {"name": "ipython", "version": 3},
                "file_extension": ".py",
                "mimetype": "text/x-python",
                "name": "python",
                "nbconvert_exporter": "python",
                "pygments_lexer": "ipython3",
                "version": "3.11.7",
            },
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def jupyter_bytes(nb: dict) -> bytes:
    """Bytes as Jupyter writes them (indent 1, sorted keys, no ASCII escaping, final newline)."""
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def notebook_bytes(index: int) -> bytes:
    return jupyter_bytes(make_notebook(index))
