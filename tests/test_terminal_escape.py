"""Repository strings reach the terminal with control characters shown escaped (nbgit._escape.term).

A file name can hold a newline (a fake ``fatal:`` line), ESC sequences (colours,
window title, clear screen), C1 controls and bidi overrides; a name need not be
UTF-8 at all. Every command that prints such a name prints it escaped, and a name
that is not UTF-8 is checked and reviewed like any other (never skipped).
"""

from __future__ import annotations

import json
import os
import re

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from nbfactory import code_cell, dirty_notebook, jupyter_bytes, notebook
from nbgit._escape import term

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
HOSTILE = "a\nfatal: pwned\x1b[2J\x1b]0;title\x07\x9b31m\u202egpj.ipynb"


def test_term_shows_each_kind_of_control_escaped():
    assert term("plain é 名前 🙂.ipynb") == "plain é 名前 🙂.ipynb"
    assert term("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert term("\x00\x1b[31m\x7f\x85\x9b") == "\\x00\\x1b[31m\\x7f\\x85\\x9b"
    assert term("\u202eabc\u2066\u200f\u2028") == "\\u202eabc\\u2066\\u200f\\u2028"
    assert term(b"bad\xff\x1b.ipynb") == "bad\\xff\\x1b.ipynb"  # bytes: undecodable bytes as \xNN
    assert term(os.fsdecode(b"bad\xff")) == "bad\\xff"  # a surrogateescape'd name
    assert term("\ud83d") == "\\ud83d"  # a lone surrogate from JSON
    assert term("a\tb\nc", keep="\t") == "a\tb\\nc"
    assert term(42) == "42"


@settings(max_examples=200)
@given(st.text(st.characters(codec=None)))
def test_term_leaves_no_control_character_and_nothing_else_changed(s):
    out = term(s)
    assert not CONTROL.search(out)
    out.encode("utf-8")  # always writable
    if not CONTROL.search(s):
        assert out == s


def _names_in(stream: bytes) -> None:
    """No raw control character in what was printed (newlines only as line ends), no fake git line."""
    text = stream.decode("utf-8")
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text and "\x07" not in text
    assert not re.search(r"^fatal: pwned", text, re.M), text


def test_hostile_name_is_escaped_by_every_command(installed_repo):
    r = installed_repo
    r.write("good.ipynb", jupyter_bytes(notebook([code_cell("x = 1\n", id="a")])))
    r.commit("good")
    hostile = dirty_notebook()
    hostile["cells"][0]["bogus"] = 1  # invalid nbformat: a problem for check even where the filter cleans
    r.write(HOSTILE, jupyter_bytes(hostile))
    r.write("broken\x1b[31m.ipynb", b'{"cells": [')  # the filter and textconv warn about it
    shown = term(HOSTILE)
    add = r.git("add", "-A")
    _names_in(add.stderr)
    assert "broken\\x1b[31m.ipynb" in add.stderr.decode()

    check = r.nbgit("check", check=False)
    assert check.returncode == 1
    _names_in(check.stdout + check.stderr)
    assert f"{shown}:1: nbformat 4.5 schema" in check.stdout.decode()
    assert "3 notebooks checked" in check.stderr.decode()

    r.git("commit", "-q", "-m", "hostile")
    r.write(HOSTILE, jupyter_bytes(notebook([code_cell("y = 2\n", id="c", count=None)])))
    diff = r.nbgit("diff", "--no-pager", check=False)
    _names_in(diff.stdout + diff.stderr)
    assert f"--- a/{shown}" in diff.stdout.decode()

    gitdiff = r.git("diff", "--", ".")
    _names_in(gitdiff.stderr)

    conflicts = r.nbgit("conflicts", "--", HOSTILE, "broken\x1b[31m.ipynb", check=False)
    _names_in(conflicts.stdout + conflicts.stderr)

    renorm = r.nbgit("renormalize", "--all", "-n", check=False)
    _names_in(renorm.stdout + renorm.stderr)
    assert shown in renorm.stdout.decode()

    doctor = r.nbgit("doctor", check=False)
    _names_in(doctor.stdout + doctor.stderr)

    review = r.nbgit("review", check=False)
    assert review.returncode == 0
    _names_in(review.stderr)


def test_cell_ids_and_sources_are_escaped_in_nbgit_diff(installed_repo):
    r = installed_repo
    r.write("n.ipynb", jupyter_bytes(notebook([code_cell("a = 1\n", id="x\x1b]0;t\x07")])))
    r.commit("one")
    r.write("n.ipynb", jupyter_bytes(notebook([code_cell("a = '\x1b[2J\x9b1m\u202e'\n", id="x\x1b]0;t\x07")])))
    out = r.nbgit("diff", "--no-pager", check=False).stdout.decode()
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out
    assert "id x\\x1b]0;t\\x07" in out
    assert "+a = '\\x9b1m\\u202e'" in out  # ANSI sequences dropped (tracebacks), the rest shown escaped


def test_non_utf8_name_is_checked_and_reviewed(installed_repo):
    r = installed_repo
    good = jupyter_bytes(notebook([code_cell("x = 1\n", id="a")], metadata={}))
    r.write("a.ipynb", good)
    r.write("b.ipynb", good)
    bad = os.fsdecode(b"bad\xff.ipynb")
    (r.path / bad).write_bytes(good)
    r.commit("three")
    # make the non-UTF-8 one dirty without the filter (as a commit from elsewhere would be)
    dirty = jupyter_bytes(dirty_notebook())
    blob = r.git("hash-object", "-w", "--no-filters", "--stdin", input=dirty).stdout.decode().strip()
    r.git("update-index", "--cacheinfo", f"100644,{blob},{bad}")
    r.git("commit", "-q", "-m", "dirty")
    r.git("checkout", "-q", "--", ".")
    (r.path / bad).write_bytes(dirty)

    check = r.nbgit("check", check=False)
    err = check.stderr.decode()
    assert check.returncode == 1, err
    assert "3 notebooks checked" in err and "1 with problems" in err  # counted, not skipped
    assert check.stdout.decode().startswith("bad\\xff.ipynb:")

    review = r.nbgit("review", "HEAD~1..HEAD", "--html", "r.html", "--markdown", "r.md", check=False)
    assert review.returncode == 0, review.stderr.decode()
    assert "bad\\xff.ipynb" in r.read("r.html").decode("utf-8")
    assert "bad&#92;xff&#46;ipynb" in r.read("r.md").decode("utf-8")

    (r.path / bad).write_bytes(jupyter_bytes(notebook([code_cell("x = 2\n", id="a")])))
    worktree = r.nbgit("review", check=False)  # the work tree (filter attributes looked up by name)
    assert worktree.returncode == 0, worktree.stderr.decode()
    assert "bad&#92;xff" in worktree.stdout.decode("utf-8")


name_bytes = st.binary(min_size=1, max_size=12).map(lambda b: b.replace(b"/", b"_").replace(b"\0", b"_"))


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.reuse, Phase.generate))  # each example is a repository: no shrinking
@given(st.lists(name_bytes, min_size=1, max_size=3, unique=True))
@example([b"bad\xff", b"-rf \x1b[31m\n", b"\xe2\x80\xae"])
def test_property_any_file_name_is_checked_reviewed_and_shown_escaped(tmp_path_factory, names):
    """Arbitrary bytes as notebook names (controls, non-UTF-8, leading dashes): every notebook is
    counted by check, review writes its page and comment, and nothing prints a raw control."""
    from conftest import Repo

    r = Repo(tmp_path_factory.mktemp("names"))
    r.git("init", "-q", "-b", "main")
    r.nbgit("install")
    files = [os.fsdecode(n + b".ipynb") for n in names]
    for f in files:
        (r.path / f).write_bytes(jupyter_bytes(notebook([code_cell("x = 1\n", id="a")], metadata={})))
    r.commit("base")
    for f in files:
        (r.path / f).write_bytes(jupyter_bytes(notebook([code_cell("x = '\x1b[2J\x9b1m'\n", id="a")], metadata={})))
    r.commit("head")

    check = r.nbgit("check", check=False)
    assert check.returncode == 0, check.stderr
    assert f"{len(files)} notebook{'s' if len(files) != 1 else ''} checked" in check.stderr.decode()
    review = r.nbgit("review", "HEAD~1..HEAD", "--html", "r.html", "--markdown", "r.md", check=False)
    assert review.returncode == 0, review.stderr
    md = r.read("r.md").decode("utf-8")
    page = r.read("r.html").decode("utf-8")
    assert md.count("<details>") == len(files) and page.count('<section class="nb"') == len(files)
    for out in (check.stdout, check.stderr, review.stderr, r.nbgit("diff", "--no-pager", "HEAD~1", check=False).stdout):
        text = out.decode("utf-8")
        assert not CONTROL.search(text.replace("\n", "")), text
