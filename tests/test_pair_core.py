"""Pairing core: formats and paired paths, digests, the sync decision, cell matching, carrying text over."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbgit.pair.decide import Action, Sides, decide, inputs_digest, normalize_text, text_digest
from nbgit.pair.formats import PairingError, paired_ipynb, paired_text, sniff_formats
from nbgit.pair.match import match_cells
from nbfactory import code_cell, image, markdown_cell, notebook, stream

# --- formats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "formats, text, fmt",
    [
        ("ipynb,py:percent", "d/nb.py", "py:percent"),
        ("py:light,ipynb", "d/nb.py", "py:light"),
        (".ipynb,.md", "d/nb.md", "md"),
        ("ipynb,md:myst", "d/nb.md", "md:myst"),
    ],
)
def test_paired_text_simple(formats, text, fmt):
    spec = paired_text("d/nb.ipynb", formats)
    assert (spec.text_path, spec.fmt) == (text, fmt)
    assert paired_ipynb(text, formats) == ("d/nb.ipynb", fmt)


def test_paired_text_none_and_errors():
    assert paired_text("nb.ipynb", None) is None
    assert paired_text("nb.ipynb", "ipynb") is None
    with pytest.raises(PairingError, match="2 text files"):
        paired_text("nb.ipynb", "ipynb,py:percent,md")
    with pytest.raises(PairingError, match="do not include ipynb"):
        paired_text("nb.ipynb", "py:percent,md")


def test_paired_paths_with_prefixes_go_through_jupytext(tmp_path):
    spec = paired_text(str(tmp_path / "notebooks" / "nb.ipynb"), "notebooks///ipynb,scripts///py:percent")
    assert spec.text_path == str(tmp_path / "scripts" / "nb.py")
    assert spec.fmt == "py:percent"
    assert paired_ipynb(str(tmp_path / "scripts" / "nb.py"), "notebooks///ipynb,scripts///py:percent") == (
        str(tmp_path / "notebooks" / "nb.ipynb"),
        "py:percent",
    )


def test_sniff_formats_reads_only_the_header():
    py = b"# ---\n# jupyter:\n#   jupytext:\n#     formats: ipynb,py:percent\n# ---\n\n# %%\nx = 1\n"
    myst = b"---\njupytext:\n  formats: 'ipynb,md:myst'\n---\n\n# T\n"
    assert sniff_formats(py) == "ipynb,py:percent"
    assert sniff_formats(myst) == "ipynb,md:myst"
    assert sniff_formats(b"# %%\nformats: ipynb,py\n") is None  # not in a header
    assert sniff_formats(b"# ---\n# title: x\n# ---\nformats: ipynb,py\n") is None


# --- digests ------------------------------------------------------------------------------------


def test_text_digest_ignores_line_endings_and_jupytext_version():
    a = b"# ---\n# jupyter:\n#   jupytext:\n#     text_representation:\n#       jupytext_version: 1.16.0\n# ---\nx = 1\n"
    b = a.replace(b"1.16.0", b"1.19.6").replace(b"\n", b"\r\n")
    assert text_digest(a) == text_digest(b)
    assert text_digest(a) != text_digest(a.replace(b"x = 1", b"x = 2"))
    # outside the header a line that looks like a version line is content
    c = b"x = 1\n# jupytext_version: 1\n"
    assert normalize_text(c) == c


def test_inputs_digest_ignores_outputs_and_counts_only():
    nb = notebook([code_cell("x = 1\n", id="a"), markdown_cell("# T\n", id="b")])
    run = copy.deepcopy(nb)
    run["cells"][0]["outputs"] = [stream("1\n"), image()]
    run["cells"][0]["execution_count"] = 7
    assert inputs_digest(run) == inputs_digest(nb)
    for change in (
        lambda n: n["cells"][0].__setitem__("source", ["x = 2\n"]),
        lambda n: n["cells"][0]["metadata"].__setitem__("tags", ["t"]),
        lambda n: n["metadata"].__setitem__("jupytext", {"formats": "ipynb,py"}),
        lambda n: n["cells"].pop(),
    ):
        edited = copy.deepcopy(nb)
        change(edited)
        assert inputs_digest(edited) != inputs_digest(nb)


# --- decision -----------------------------------------------------------------------------------


def _sides(ipynb_changed=False, text_changed=False, in_sync=False, ipynb=True, text=True):
    return Sides(ipynb, text, lambda: ipynb_changed, lambda: text_changed, lambda: in_sync)


@pytest.mark.parametrize(
    "ipynb_changed, text_changed, in_sync, expected",
    [
        (False, False, False, Action.NOTHING),
        (True, False, False, Action.TO_TEXT),
        (False, True, False, Action.TO_IPYNB),
        (True, True, False, Action.CONFLICT),
        (True, True, True, Action.RECORD),
    ],
)
def test_decide_with_record(ipynb_changed, text_changed, in_sync, expected):
    assert decide(_sides(ipynb_changed, text_changed, in_sync), has_record=True) is expected


def test_decide_without_record_never_guesses():
    assert decide(_sides(in_sync=True), has_record=False) is Action.RECORD
    assert decide(_sides(in_sync=False), has_record=False) is Action.UNKNOWN
    assert decide(_sides(ipynb=False), has_record=False) is Action.TO_IPYNB
    assert decide(_sides(text=False), has_record=False) is Action.TO_TEXT


def test_decide_use_settles_only_what_would_be_refused():
    assert decide(_sides(True, True), True, use="text") is Action.TO_IPYNB
    assert decide(_sides(True, True), True, use="ipynb") is Action.TO_TEXT
    assert decide(_sides(in_sync=False), False, use="text") is Action.TO_IPYNB
    assert decide(_sides(True, True, in_sync=True), True, use="text") is Action.RECORD
    assert decide(_sides(), True, use="ipynb") is Action.NOTHING
    assert decide(_sides(ipynb_changed=True), True, use="text") is Action.TO_TEXT  # the notebook edit is kept
    assert decide(_sides(text_changed=True), True, use="ipynb") is Action.TO_IPYNB


@settings(max_examples=200, deadline=None)
@given(st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.sampled_from([None, "ipynb", "text"]))
def test_decide_never_overwrites_a_changed_side_unasked(ipynb_changed, text_changed, in_sync, has_record, use):
    action = decide(_sides(ipynb_changed, text_changed, in_sync), has_record, use)
    without = decide(_sides(ipynb_changed, text_changed, in_sync), has_record)
    if use is None or without not in (Action.CONFLICT, Action.UNKNOWN):
        assert action is without  # --use changes only what would be refused
        # a side is overwritten only if it is as recorded (or the sides already agree)
        if action is Action.TO_TEXT:
            assert has_record and not text_changed
        if action is Action.TO_IPYNB:
            assert has_record and not ipynb_changed
        if action is Action.RECORD:
            assert in_sync
    else:
        assert action is (Action.TO_TEXT if use == "ipynb" else Action.TO_IPYNB)


# --- cell matching ------------------------------------------------------------------------------


def test_match_cells_anchors_edits_inserts_deletes():
    nb = [("markdown", "# T"), ("code", "x = 1"), ("code", "y = 2"), ("code", "gone")]
    text = [("markdown", "# T"), ("code", "new cell"), ("code", "x = 10"), ("code", "y = 2")]
    assert match_cells(text, nb) == [0, None, 1, 2]


def test_match_cells_same_shape_gap_matches_by_position():
    nb = [("code", "a"), ("code", "completely different"), ("code", "c")]
    text = [("code", "a"), ("code", "zzz"), ("code", "c")]
    assert match_cells(text, nb) == [0, 1, 2]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["code", "markdown"]), st.text("abc\n", max_size=6)), max_size=12), st.data())
def test_match_cells_is_monotonic_and_type_preserving(nb, data):
    text = data.draw(st.lists(st.tuples(st.sampled_from(["code", "markdown"]), st.text("abc\n", max_size=6)), max_size=12))
    text = data.draw(st.sampled_from([text, nb, nb[::-1], nb[1:] + text[:2]]))
    m = match_cells(text, nb)
    assert len(m) == len(text)
    got = [j for j in m if j is not None]
    assert got == sorted(set(got))
    for i, j in enumerate(m):
        if j is not None:
            assert text[i][0] == nb[j][0]
    if text == nb:
        assert m == list(range(len(nb)))


# --- carrying text over -------------------------------------------------------------------------


def _paired(fmt="py:percent"):
    nb = notebook(
        [
            markdown_cell("# Title\n\nIntro.", id="md-1"),
            code_cell("x = 1\nprint(x)", id="code-1", count=1, outputs=[stream("1\n")], metadata={"tags": ["keep"], "ExecuteTime": {"a": 1}}),
            code_cell("y = x + 1\ny", id="code-2", count=2, outputs=[image(2)]),
        ]
    )
    nb["metadata"]["jupytext"] = {"formats": f"ipynb,{fmt}"}
    return nb


@pytest.mark.parametrize("fmt", ["py:percent", "py:light", "md", "md:myst"])
def test_carry_unedited_text_changes_no_cell(fmt):
    from nbgit.pair.convert import carry_text, render

    nb = _paired(fmt)
    assert carry_text(render(nb, fmt), fmt, nb)["cells"] == nb["cells"]


def test_carry_keeps_outputs_ids_and_hidden_metadata_of_edited_cells():
    from nbgit.pair.convert import carry_text, render

    nb = _paired()
    text = render(nb, "py:percent").decode()
    text = text.replace("x = 1", "x = 100").replace("# %%\ny = x + 1", "# %%\nz = 0\n\n# %%\ny = x + 1")
    out = carry_text(text.encode(), "py:percent", nb)
    ids = [c.get("id") for c in out["cells"]]
    assert ids[:2] == ["md-1", "code-1"] and ids[3] == "code-2"
    assert ids[2] not in ("md-1", "code-1", "code-2") and len(ids[2]) == 8
    edited = out["cells"][1]
    assert "".join(edited["source"]) == "x = 100\nprint(x)"
    assert edited["outputs"] == nb["cells"][1]["outputs"] and edited["execution_count"] == 1
    assert edited["metadata"] == {"tags": ["keep"], "ExecuteTime": {"a": 1}}
    assert out["cells"][3]["outputs"] == nb["cells"][2]["outputs"]
    assert out["cells"][2]["outputs"] == [] and out["cells"][2]["execution_count"] is None
    assert out["metadata"]["jupytext"]["formats"] == "ipynb,py:percent"
    assert out["metadata"]["language_info"] == nb["metadata"]["language_info"]


def test_carry_text_without_header_keeps_the_pairing_and_kernel():
    from nbgit.pair.convert import carry_text

    nb = _paired()
    out = carry_text(b"# %%\nx = 5\n", "py:percent", nb)
    assert out["metadata"]["jupytext"]["formats"] == "ipynb,py:percent"
    assert out["metadata"]["kernelspec"] == nb["metadata"]["kernelspec"]
    assert ["".join(c["source"]) for c in out["cells"]] == ["x = 5"]


def test_nbformat3_is_refused_with_a_reason():
    from nbgit.pair.convert import ConversionError, render

    with pytest.raises(ConversionError, match="nbformat 3"):
        render({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}, "py:percent")



def test_round_trip_issue_names_the_cell_jupytext_would_change():
    from nbgit.pair.convert import render, round_trip_issue

    nb = _paired()
    assert round_trip_issue(nb, "py:percent", render(nb, "py:percent")) is None
    lossy = render(nb, "py:percent").replace(b"y = x + 1", b"y = x + 2")  # as if jupytext misread cell 3
    assert "cell 3" in round_trip_issue(nb, "py:percent", lossy)
    fewer = render(nb, "py:percent").split(b"# %%\ny = x")[0]
    assert "reads back 2 cells for 3" in round_trip_issue(nb, "py:percent", fewer)
