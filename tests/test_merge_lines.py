"""The line-level three-way merge of sources (git's diff3 semantics), and the JSON value merge."""

from __future__ import annotations

import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st

from nbgit.merge.lines import DIFF3, Labels, merge_lines, split_lines
from nbgit.merge.values import MISSING, merge_dicts, merge_value

L = Labels("ours", "theirs", "base")


def lines(text: str) -> list[str]:
    return split_lines(text)


def merge(base: str, local: str, remote: str, **kw) -> tuple[str, int]:
    out, n = merge_lines(lines(base), lines(local), lines(remote), labels=L, **kw)
    return "".join(out), n


def test_changes_far_apart_merge():
    assert merge("a\nb\nc\nd\ne\n", "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n") == ("A\nb\nc\nd\nE\n", 0)


def test_adjacent_changes_conflict_as_in_git():
    # git: changes that touch (line 2 and line 3) are a conflict, not a clean merge
    out, n = merge("a\nb\nc\nd\n", "a\nB\nc\nd\n", "a\nb\nC\nd\n")
    assert n == 1
    assert out == "a\n<<<<<<< ours\nB\nc\n=======\nb\nC\n>>>>>>> theirs\nd\n"


def test_insertions_at_same_place_conflict():
    out, n = merge("a\nb\n", "a\nx\nb\n", "a\ny\nb\n")
    assert n == 1 and out == "a\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\nb\n"


def test_identical_changes_merge_once():
    assert merge("a\nb\nc\n", "a\nX\nc\n", "a\nX\nc\n") == ("a\nX\nc\n", 0)
    assert merge("a\nb\nc\nd\n", "a\nX\nc\nY\n", "a\nX\nc\nd\n") == ("a\nX\nc\nY\n", 0)


def test_conflict_refined_to_the_lines_that_differ():
    # both rewrote lines 2-4; they agree on the middle line: only the ends conflict (git's zealous merge)
    base = "1\n2\n3\n4\n5\n6\n7\n8\n9\n"
    local = "1\nA\nsame\nsame2\nsame3\nsame4\nB\n8\n9\n"
    remote = "1\nX\nsame\nsame2\nsame3\nsame4\nY\n8\n9\n"
    out, n = merge(base, local, remote)
    assert n == 2
    assert "<<<<<<< ours\nA\n=======\nX\n>>>>>>> theirs\nsame\n" in out


def test_nearby_conflicts_joined_like_git():
    base = "1\n2\n3\n4\n5\n"
    out, n = merge(base, "A\n2\n3\nB\n5\n", "X\n2\n3\nY\n5\n")
    assert n == 1  # two conflicts 2 lines apart become one, as git writes them
    assert out == "<<<<<<< ours\nA\n2\n3\nB\n=======\nX\n2\n3\nY\n>>>>>>> theirs\n5\n"


def test_diff3_style_shows_base_and_marker_size():
    out, n = merge("a\nb\nc\n", "a\nB\nc\n", "a\nC\nc\n", style=DIFF3, marker_size=10)
    assert n == 1
    assert out == "a\n<<<<<<<<<< ours\nB\n|||||||||| base\nb\n==========\nC\n>>>>>>>>>> theirs\nc\n"


def test_missing_final_newline_before_marker():
    out, n = merge("a\nb", "a\nB", "a\nC")
    assert n == 1 and out == "a\n<<<<<<< ours\nB\n=======\nC\n>>>>>>> theirs\n"


def test_empty_labels_give_bare_markers():
    out, _ = merge_lines(["a\n"], ["b\n"], ["c\n"], labels=Labels("", "", ""))
    assert out == ["<<<<<<<\n", "b\n", "=======\n", "c\n", ">>>>>>>\n"]


def test_delete_vs_edit_conflicts():
    out, n = merge("a\nb\nc\n", "a\nc\n", "a\nB\nc\n")
    assert n == 1 and "<<<<<<< ours\n=======\nB\n>>>>>>> theirs\n" in out


LINES = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "e\n", "f\n", "g\n"]), max_size=10)


@st.composite
def edited(draw, base):
    out = list(base)
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["ins", "del", "mod"]))
        i = draw(st.integers(0, len(out)))
        new = draw(st.sampled_from(["x\n", "y\n", "z\n", "a\n"]))
        if op == "ins":
            out.insert(i, new)
        elif out and i < len(out):
            if op == "del":
                del out[i]
            else:
                out[i] = new
    return out


@st.composite
def triples(draw):
    base = draw(LINES)
    return base, draw(edited(base)), draw(edited(base))


@settings(max_examples=300, deadline=None)
@given(triples())
def test_merge_identities(t):
    base, x, _ = t
    assert merge_lines(base, x, base) == (x, 0)
    assert merge_lines(base, base, x) == (x, 0)
    assert merge_lines(base, x, x) == (x, 0)


@settings(max_examples=300, deadline=None)
@given(triples())
def test_clean_merges_commute(t):
    base, x, y = t
    xy, n = merge_lines(base, x, y)
    yx, m = merge_lines(base, y, x)
    assert (n == 0) == (m == 0)
    if n == 0:
        assert xy == yx


@st.composite
def unique_line_triples(draw):
    """Base lines all different, edits bring new lines: every diff is unambiguous, so git's must agree."""
    base = [f"line {i}\n" for i in range(draw(st.integers(0, 10)))]
    fresh = iter(range(1000))

    def side(tag):
        out = list(base)
        for _ in range(draw(st.integers(0, 3))):
            op = draw(st.sampled_from(["ins", "del", "mod"]))
            i = draw(st.integers(0, len(out)))
            new = f"{tag} {next(fresh)}\n"
            if op == "ins":
                out.insert(i, new)
            elif i < len(out):
                if op == "del":
                    del out[i]
                else:
                    out[i] = new
        return out

    return base, side("local"), side("remote")


@settings(max_examples=60, deadline=None)
@given(unique_line_triples())
def test_agrees_with_git_merge_file(tmp_path_factory, t):
    base, x, y = t
    d = tmp_path_factory.mktemp("mf")
    for name, content in (("b", base), ("l", x), ("r", y)):
        (d / name).write_text("".join(content))
    proc = subprocess.run(
        ["git", "merge-file", "-p", "-L", "ours", "-L", "base", "-L", "theirs", str(d / "l"), str(d / "b"), str(d / "r")],
        capture_output=True,
    )
    out, n = merge_lines(base, x, y, labels=L)
    assert (proc.returncode > 0) == (n > 0), (base, x, y, proc.stdout.decode())
    assert "".join(out) == proc.stdout.decode()  # the very bytes git writes, markers included


# -- JSON values -----------------------------------------------------------------------------


def test_dicts_merge_key_by_key_and_record_conflicts():
    conflicts = []
    base = {"a": 1, "b": {"x": 1, "y": 2}, "gone": 0, "tags": ["t"]}
    local = {"a": 2, "b": {"x": 10, "y": 2}, "tags": ["t", "l"], "new": "L"}
    remote = {"a": 3, "b": {"x": 1, "y": 20}, "gone": 0, "tags": ["t", "r"], "new": "L"}
    merged = merge_dicts(base, local, remote, (), conflicts)
    assert merged == {"a": 2, "b": {"x": 10, "y": 20}, "tags": ["t", "l", "r"], "new": "L"}
    assert [(c.path, c.base, c.local, c.remote) for c in conflicts] == [(("a",), 1, 2, 3)]
    assert conflicts[0].record("metadata") == {"path": "metadata.a", "base": 1, "local": 2, "remote": 3}


def test_delete_versus_change_keeps_local_and_records():
    conflicts = []
    assert merge_value({"k": 1}, {}, {"k": 2}, (), conflicts) == {}
    assert conflicts[0].local is MISSING and conflicts[0].record() == {"path": "k", "base": 1, "remote": 2}


def test_bool_and_int_are_different_values():
    conflicts = []
    assert merge_value(1, True, 1, ("k",), conflicts) is True
    assert not conflicts
