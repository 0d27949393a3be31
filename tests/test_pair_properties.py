"""Properties of sync on disk: a conflict changes nothing, and no edit is ever lost."""

from __future__ import annotations

import json
import os
import tempfile

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from nbfactory import code_cell, jupyter_bytes, markdown_cell, notebook, stream

from nbgit.pair.decide import Action
from nbgit.pair.state import Stores
from nbgit.pair.sync import Pair, pair_notebook, sync_pair

words = st.text("abcdefgh ", min_size=1, max_size=8).map(str.strip).filter(bool)
cell_specs = st.lists(st.tuples(st.sampled_from(["code", "markdown"]), words), min_size=1, max_size=5)

IPYNB_EDITS = ["source", "append", "outputs", "touch", "none"]  # the first two are real changes
TEXT_EDITS = ["edit", "append", "crlf", "touch", "none"]


def _write_nb(path: str, specs) -> None:
    cells = [
        code_cell(f"v{i} = '{w}'", id=f"c{i}") if t == "code" else markdown_cell(f"Note {w} {i}", id=f"c{i}")
        for i, (t, w) in enumerate(specs)
    ]
    nb = notebook(cells)
    with open(path, "wb") as fh:
        fh.write(jupyter_bytes(nb))


def _edit_ipynb(path: str, how: str) -> None:
    with open(path, "rb") as fh:
        nb = json.loads(fh.read())
    if how == "outputs":
        for c in nb["cells"]:
            if c["cell_type"] == "code":
                c["outputs"], c["execution_count"] = [stream("ran\n")], 3
                c["metadata"]["ExecuteTime"] = {"end": "now"}
    elif how == "source":
        nb["cells"][0]["source"] = ["ipynb_token = 1"]
    elif how == "append":
        nb["cells"].append(code_cell("ipynb_token = 2", id="new-ipynb"))
    if how != "touch":
        with open(path, "wb") as fh:
            fh.write(jupyter_bytes(nb))
    os.utime(path, (2e9, 2e9))  # always newer than the text: time must not matter


def _edit_text(path: str, how: str) -> None:
    with open(path, "rb") as fh:
        data = fh.read()
    if how == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif how == "edit":
        data = data.replace(b"# %%", b"# %%\ntext_token = 1\n\n# %%", 1)
    elif how == "append":
        data += b"\n# %%\ntext_token = 2\n"
    if how != "touch":
        with open(path, "wb") as fh:
            fh.write(data)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example([("code", "a")], "source", "edit", False)
@example([("markdown", "a"), ("code", "b")], "outputs", "append", False)
@example([("code", "a")], "append", "touch", False)
@example([("markdown", "a")], "outputs", "edit", False)  # no code cell: no outputs to keep
@given(cell_specs, st.sampled_from(IPYNB_EDITS), st.sampled_from(TEXT_EDITS), st.booleans())
def test_sync_never_changes_a_conflicting_pair_and_never_loses_an_edit(specs, ipynb_edit, text_edit, forget):
    with tempfile.TemporaryDirectory() as d:
        nb_path, py_path = os.path.join(d, "nb.ipynb"), os.path.join(d, "nb.py")
        _write_nb(nb_path, specs)
        stores = Stores(None, None)
        assert not pair_notebook(nb_path, "py:percent", stores).error
        stores.save()
        _edit_ipynb(nb_path, ipynb_edit)
        _edit_text(py_path, text_edit)
        if forget:  # a fresh clone: no record of the last sync
            os.remove(os.path.join(d, ".nbgit-sync.json"))
        before = {p: open(p, "rb").read() for p in (nb_path, py_path)}

        stores = Stores(None, None)
        outcome = sync_pair(Pair(nb_path, py_path, "py:percent"), stores)
        stores.save()
        after = {p: open(p, "rb").read() for p in (nb_path, py_path)}

        ipynb_real = ipynb_edit in ("source", "append")
        text_real = text_edit in ("edit", "append")
        if outcome.error or outcome.action in (Action.CONFLICT, Action.UNKNOWN):
            assert after == before  # reported: nothing written
        if ipynb_real and text_real:
            assert outcome.action is Action.CONFLICT or (forget and outcome.action is Action.UNKNOWN)
        elif (ipynb_real or text_real) and forget:
            assert outcome.action is Action.UNKNOWN  # no record: different sides are not guessed
        elif ipynb_real:
            assert outcome.action is Action.TO_TEXT and after[nb_path] == before[nb_path]
            assert b"ipynb_token" in after[py_path]
        elif text_real:
            assert outcome.action is Action.TO_IPYNB and after[py_path] == before[py_path]
            nb = json.loads(after[nb_path])
            assert "text_token" in json.dumps([c["source"] for c in nb["cells"]])
            kept = [f"c{i}" for i in range(len(specs))]  # every original cell keeps its id, in order
            assert [c.get("id") for c in nb["cells"] if c.get("id") in kept] == kept
            if ipynb_edit == "outputs" and any(kind == "code" for kind, _ in specs):
                # outputs of the run (given to code cells only) survive the text's edit
                assert any(c.get("outputs") == [stream("ran\n")] for c in nb["cells"])
        else:
            assert after == before and not outcome.error  # touch, outputs, CRLF: no change, nothing to do
