"""The git drivers never crash (issue 10, item 7 and the principle), through real git.

Each case once made a whole `git add`/`git status`/`git diff`/`git log -p`/`git stash` fail
(exit 128) or `nbgit review`/`nbgit check` end in a traceback: an integer literal longer
than Python's 4,300-digit limit, a lone surrogate escape in content that is kept, a deeply
nested pyproject.toml (RecursionError in the TOML parser, even in a table that is not
nbgit's). And what clean must keep exactly (item 13: `1e400`, duplicate keys; item 15:
deeply nested compact metadata) is checked in the committed blobs. Anything unexpected in
a driver: the filter passes the file through with one warning, textconv shows the raw text,
the merge driver keeps %A and reports a conflict.
"""

from __future__ import annotations

import io
import json

import pytest
from nbfactory import code_cell, jupyter_bytes, notebook, stream

HUGE = "9" * 5000
DEEP = 400  # compact nesting JSON reads fine, and that Jupyter's indent would blow up


def with_raw(nb: dict, placeholder: str, raw: str) -> bytes:
    """Jupyter's bytes of ``nb`` with the JSON string ``"placeholder"`` replaced by the raw JSON text ``raw``."""
    data = jupyter_bytes(nb)
    assert data.count(json.dumps(placeholder).encode()) == 1
    return data.replace(json.dumps(placeholder).encode(), raw.encode())


def dirty(source: str = "x = 1\n", metadata: dict | None = None, count: int = 1) -> dict:
    return notebook([code_cell(source, outputs=[stream("out\n")], count=count, id="c1", metadata=metadata or {})])


def hostile_notebooks() -> dict[str, bytes]:
    return {
        "huge-int.ipynb": with_raw(dirty(metadata={"n": "@N"}), "@N", HUGE),
        "huge-count.ipynb": jupyter_bytes(dirty()).replace(b'"execution_count": 1', b'"execution_count": ' + HUGE.encode()),
        "surrogate.ipynb": jupyter_bytes(dirty(source="s = '@S'\n")).replace(b"@S", b"\\ud83d"),
        "inf.ipynb": with_raw(dirty(metadata={"v": "@V"}), "@V", "1e400"),
        "dup.ipynb": with_raw(dirty(metadata={"k": "@K"}), "@K", '1, "k": 2'),
        "deep.ipynb": with_raw(dirty(metadata={"d": "@D"}), "@D", '{"a": ' * DEEP + "1" + "}" * DEEP),
        "too-deep.ipynb": with_raw(dirty(metadata={"d": "@D"}), "@D", "[" * 100_000 + "]" * 100_000),
    }


def expected_clean(data: bytes) -> bytes:
    """What the committed blob must be: the input with only the output and the count stripped."""
    out = data.replace(b'"outputs": [\n    {\n     "name": "stdout",\n     "output_type": "stream",\n     "text": [\n      "out\\n"\n     ]\n    }\n   ]', b'"outputs": []')
    out = out.replace(b'"execution_count": 1,', b'"execution_count": null,')
    out = out.replace(b'"execution_count": ' + HUGE.encode() + b",", b'"execution_count": null,')
    out = out.replace(b'"name": "python",\n   "version": "3.11.7"\n', b'"name": "python"\n')  # volatile metadata
    assert out != data
    return out


def assert_no_traceback(proc) -> str:
    text = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    return text


@pytest.fixture
def hostile(installed_repo):
    r = installed_repo
    for name, data in hostile_notebooks().items():
        r.write(name, data)
    return r


def test_add_commits_exactly_the_stripped_notebook(hostile):
    r = hostile
    proc = r.git("add", "-A")
    err = assert_no_traceback(proc)
    r.git("commit", "-q", "-m", "hostile")
    for name, data in hostile_notebooks().items():
        blob = r.blob(f"HEAD:{name}")
        if name == "too-deep.ipynb":  # JSON nested deeper than Python reads: passed through, one warning
            assert blob == data
            assert err.count("too-deep.ipynb") == 1 and "passed through unchanged" in err
        else:
            assert blob == expected_clean(data), name
    assert b"1e400" in r.blob("HEAD:inf.ipynb") and b"Infinity" not in r.blob("HEAD:inf.ipynb")
    assert b'"k": 1, "k": 2' in r.blob("HEAD:dup.ipynb")
    assert len(r.blob("HEAD:deep.ipynb")) < len(hostile_notebooks()["deep.ipynb"])  # not re-indented


def test_status_diff_log_stash_review_check(hostile):
    r = hostile
    r.git("add", "-A")
    r.git("commit", "-q", "-m", "hostile")
    for name in hostile_notebooks():  # edit every notebook in the work tree
        r.write(name, r.read(name).replace(b"x = 1", b"y = 2").replace(b"s = '", b"t = '"))
    for args in (["status", "--porcelain"], ["diff"], ["log", "-p", "-1"], ["show", "HEAD"], ["diff", "--stat"]):
        proc = r.git(*args)
        assert_no_traceback(proc)
    diff = r.git("diff").stdout.decode("utf-8", "replace")
    assert "+y = 2" in diff and "+t = '\\ud83d'" in diff
    assert "huge-int.ipynb" in diff and "surrogate.ipynb" in diff
    r.git("stash")
    assert r.git("status", "--porcelain").stdout == b""
    r.git("stash", "pop")
    assert_no_traceback(r.git("add", "-A"))
    for args in (["review", "HEAD"], ["review", "HEAD", "--html", "review.html"], ["check", "--no-validate"], ["check"]):
        proc = r.nbgit(*args, check=False)
        assert_no_traceback(proc)
        assert proc.returncode in (0, 1), args
    r.git("commit", "-q", "-m", "edits")
    log = r.git("log", "-p").stdout.decode("utf-8", "replace")
    assert "+y = 2" in log


def test_merge_of_hostile_notebooks(hostile):
    r = hostile
    r.git("add", "-A")
    r.git("commit", "-q", "-m", "base")
    r.git("checkout", "-q", "-b", "other")
    for name in hostile_notebooks():
        r.write(name, r.read(name).replace(b"x = 1", b"x = 'theirs'"))
    r.git("commit", "-q", "-am", "theirs")
    r.git("checkout", "-q", "main")
    for name in hostile_notebooks():
        r.write(name, r.read(name).replace(b"x = 1", b"x = 'ours'"))
    r.git("commit", "-q", "-am", "ours")
    proc = r.git("merge", "other", check=False)
    assert_no_traceback(proc)
    assert proc.returncode == 1  # conflicts, reported
    for name, original in hostile_notebooks().items():
        if b"x = 1" in original:
            assert b"ours" in r.read(name), name  # our version is there (merged, or %A kept)


# --- pyproject.toml nested too deeply for the TOML parser -------------------------------------------

DEEP_TOML = "x = " + "[" * 3000 + "]" * 3000 + "\n"


def test_a_deep_table_that_is_not_nbgits_does_not_matter(installed_repo):
    r = installed_repo
    r.write("pyproject.toml", "[project]\nname = 'x'\n\n[tool.other]\n" + DEEP_TOML + "\n[tool.nbgit]\nkeep_count = true\n")
    r.write("a.ipynb", jupyter_bytes(dirty(count=3)))
    proc = r.git("add", "a.ipynb")
    assert proc.stderr == b""
    stored = json.loads(r.blob(":a.ipynb"))
    assert stored["cells"][0]["outputs"] == [] and stored["cells"][0]["execution_count"] == 3  # keep_count read
    r.git("commit", "-q", "-m", "a")
    r.write("a.ipynb", jupyter_bytes(dirty(source="y = 2\n", count=3)))
    for args in (["status"], ["diff"], ["log", "-p"]):
        assert r.git(*args).stderr == b"", args
    for args in (["check"], ["review", "HEAD"]):
        proc = r.nbgit(*args, check=False)
        assert_no_traceback(proc) and proc.returncode in (0, 1)


def test_a_deep_nbgit_table_is_one_clear_line(installed_repo):
    r = installed_repo
    r.write("pyproject.toml", "[tool.nbgit]\n" + DEEP_TOML)
    r.write("a.ipynb", jupyter_bytes(dirty()))
    proc = r.git("add", "a.ipynb", check=False)
    err = assert_no_traceback(proc)
    # git goes on: the filter cleans with the default settings (which strip the most) and says so once
    assert proc.returncode == 0, err
    lines = [ln for ln in err.splitlines() if ln.startswith("nbgit:")]
    assert len(lines) == 1 and "pyproject.toml" in lines[0] and "nested too deeply" in lines[0]
    assert "cleaning with the default settings" in lines[0]
    stored = json.loads(r.blob(":a.ipynb"))
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None for c in stored["cells"])
    proc = r.nbgit("check", "a.ipynb", check=False)
    assert proc.returncode == 2 and "nested too deeply" in assert_no_traceback(proc)
    proc = r.nbgit("textconv", "a.ipynb")  # textconv: the warning, then the default config
    assert b"# %%" in proc.stdout and b"nested too deeply" in proc.stderr


# --- anything unexpected in a driver ------------------------------------------------------------------


class Exploding:
    """A config whose every use raises: stands for any bug or resource error inside clean or textconv."""

    def __getattr__(self, name):
        raise MemoryError("simulated")


def test_filter_process_passes_a_file_through_on_any_error(tmp_path):
    from nbgit.git.filter import serve
    from test_pktline_protocol import HANDSHAKE, HANDSHAKE_REPLY, request, success

    data = jupyter_bytes(dirty())
    stdin = io.BytesIO(HANDSHAKE + request("clean", "a\x1b[2J.ipynb", data) + request("clean", "b.ipynb", data))
    stdout, stderr = io.BytesIO(), io.StringIO()
    assert serve(stdin, stdout, stderr, loader=Exploding) == 0
    assert stdout.getvalue() == HANDSHAKE_REPLY + success(data) + success(data)
    err = stderr.getvalue()
    assert err.count("passed through unchanged") == 2 and "MemoryError" in err
    assert "\x1b" not in err and "a\\x1b[2J.ipynb" in err


def test_textconv_shows_raw_text_on_any_error():
    from nbgit.git.textconv import convert

    data = jupyter_bytes(dirty())
    err = io.StringIO()
    assert convert(data, Exploding(), path="n\x07.ipynb", stderr=err) == data
    assert "shown as raw text" in err.getvalue() and "\x07" not in err.getvalue()


def test_one_shot_clean_passes_through_what_it_cannot_clean(installed_repo):
    r = installed_repo
    r.git("config", "--unset", "filter.nbgit.process")
    for name, data in hostile_notebooks().items():
        r.write(name, data)
    proc = r.git("add", "-A")
    assert_no_traceback(proc)
    for name, data in hostile_notebooks().items():
        blob = r.blob(f":{name}")
        assert blob == (data if name == "too-deep.ipynb" else expected_clean(data)), name
