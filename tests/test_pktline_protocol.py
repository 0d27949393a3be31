"""Byte-level transcripts of git's long-running filter protocol.

Each test is run twice: in-process against ``nbgit.git.filter.serve`` with
``io.BytesIO`` streams, and against the real ``python -m nbgit filter-process``
subprocess (what git actually starts), so framing, flushing and exit codes are
checked where they matter.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from nbgit.git.filter import serve
from nbgit.git.pktline import MAX_PACKET_DATA, PktLineError, PktReader, PktWriter
from nbfactory import code_cell, dirty_notebook, image, jupyter_bytes, notebook, stream

# --- building git's side of the conversation ------------------------------------------------


def pkt(payload: bytes | str) -> bytes:
    if isinstance(payload, str):
        payload = payload.encode()
    assert len(payload) <= MAX_PACKET_DATA
    return b"%04x" % (len(payload) + 4) + payload


FLUSH = b"0000"


def text(*lines: str) -> bytes:
    return b"".join(pkt(line + "\n") for line in lines) + FLUSH


def content(data: bytes) -> bytes:
    return b"".join(pkt(data[i : i + MAX_PACKET_DATA]) for i in range(0, len(data), MAX_PACKET_DATA)) + FLUSH


HANDSHAKE = text("git-filter-client", "version=2") + text("capability=clean", "capability=smudge", "capability=delay")
HANDSHAKE_REPLY = text("git-filter-server", "version=2") + text("capability=clean", "capability=smudge")


def request(command: str, path: str, data: bytes, *extra: str) -> bytes:
    return text(f"command={command}", f"pathname={path}", *extra) + content(data)


def success(data: bytes) -> bytes:
    """What the filter answers for one file: status, content, and an empty (keep status) list."""
    return text("status=success") + content(data) + FLUSH


# --- running the filter -----------------------------------------------------------------------


@dataclass
class Result:
    code: int
    stdout: bytes
    stderr: str


def run_inprocess(stdin: bytes, cwd) -> Result:
    out, err = io.BytesIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        code = serve(io.BytesIO(stdin), out, err)
    finally:
        os.chdir(old)
    return Result(code, out.getvalue(), err.getvalue())


def run_subprocess(stdin: bytes, cwd) -> Result:
    proc = subprocess.run(
        [sys.executable, "-m", "nbgit", "filter-process"], input=stdin, capture_output=True, cwd=cwd, timeout=60
    )
    return Result(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"))


@pytest.fixture(params=["inprocess", "subprocess"])
def run(request, tmp_path):
    """run(stdin_bytes) -> Result, with the work tree (config lookup) at a fresh tmp dir."""
    runner = run_inprocess if request.param == "inprocess" else run_subprocess
    work = tmp_path / "work"
    work.mkdir()
    return lambda stdin, cwd=work: runner(stdin, cwd)


def parse_responses(stdout: bytes) -> list[tuple[list[str], bytes | None]]:
    """Split the filter's stdout (after the handshake) into (status list, content) per request."""
    reader = PktReader(io.BytesIO(stdout))
    assert reader.read_text_list() == ["git-filter-server", "version=2"]
    caps = reader.read_text_list()
    responses = []
    while True:
        try:
            status = reader.read_text_list(eof_ok=True)
        except Exception:
            break
        if status == ["status=success"]:
            data = reader.read_content()
            assert reader.read_text_list() == []  # keep status
            responses.append((status, data))
        else:
            responses.append((status, None))
    return caps, responses


DIRTY = jupyter_bytes(dirty_notebook(2))


# --- handshake --------------------------------------------------------------------------------


def test_handshake_and_capabilities_exact_bytes(run):
    r = run(HANDSHAKE)
    assert r.code == 0, r.stderr
    assert r.stdout == HANDSHAKE_REPLY
    assert r.stderr == ""


def test_capabilities_are_intersected(run):
    r = run(text("git-filter-client", "version=2") + text("capability=clean", "capability=delay"))
    assert r.code == 0
    assert r.stdout == text("git-filter-server", "version=2") + text("capability=clean")


def test_handshake_accepts_other_versions_offered_alongside(run):
    r = run(text("git-filter-client", "version=2", "version=3") + text("capability=smudge"))
    assert r.code == 0
    assert r.stdout == text("git-filter-server", "version=2") + text("capability=smudge")


def test_wrong_handshake_is_refused(run):
    r = run(text("git-filter-client", "version=1") + text("capability=clean"))
    assert r.code != 0
    assert not r.stdout.startswith(pkt("git-filter-server\n"))
    assert len(r.stderr.splitlines()) == 1 and "handshake" in r.stderr
    assert "Traceback" not in r.stderr


def test_eof_during_handshake_fails_cleanly(run):
    r = run(pkt("git-filter-client\n"))
    assert r.code != 0
    assert len(r.stderr.splitlines()) == 1
    assert "Traceback" not in r.stderr


# --- requests ---------------------------------------------------------------------------------


def test_one_clean_exact_bytes(run):
    from nbgit.notebook.clean import clean_bytes

    expected = clean_bytes(DIRTY)
    assert expected != DIRTY
    r = run(HANDSHAKE + request("clean", "a.ipynb", DIRTY))
    assert r.code == 0, r.stderr
    assert r.stdout == HANDSHAKE_REPLY + success(expected)
    assert r.stderr == ""
    nb = json.loads(expected)
    assert all(c.get("outputs", []) == [] for c in nb["cells"])


def test_empty_content(run):
    r = run(HANDSHAKE + request("clean", "empty.ipynb", b""))
    assert r.code == 0, r.stderr
    # empty content: status, an immediately flushed content list, keep status
    assert r.stdout == HANDSHAKE_REPLY + text("status=success") + FLUSH + FLUSH
    assert "empty.ipynb" in r.stderr and len(r.stderr.splitlines()) == 1


def test_large_content_split_and_reassembled(run):
    big_output = stream("x" * 50 + "\n" * 1)
    cells = [code_cell(f"print({i})\n" + "# " + "y" * 2000 + "\n", outputs=[big_output, image(i)], count=i, id=f"c{i}")
             for i in range(120)]
    nb = notebook(cells)
    data = jupyter_bytes(nb)
    from nbgit.notebook.clean import clean_bytes

    expected = clean_bytes(data)
    assert len(data) > 3 * MAX_PACKET_DATA and len(expected) > 2 * MAX_PACKET_DATA
    r = run(HANDSHAKE + request("clean", "big.ipynb", data))
    assert r.code == 0, r.stderr
    assert r.stdout == HANDSHAKE_REPLY + success(expected)
    # the answer really is split into packets of at most 65516 bytes
    reader = PktReader(io.BytesIO(r.stdout[len(HANDSHAKE_REPLY) + len(text("status=success")):]))
    sizes = []
    while (p := reader.read_packet()) is not None:
        sizes.append(len(p))
    assert len(sizes) >= 3 and max(sizes) == MAX_PACKET_DATA and sum(sizes) == len(expected)


def test_large_content_passes_through_when_clean(run):
    cells = [code_cell("# " + "é" * 3000 + "\n", id=f"c{i}") for i in range(60)]
    data = jupyter_bytes(notebook(cells, metadata={}))
    assert len(data) > 4 * MAX_PACKET_DATA
    r = run(HANDSHAKE + request("clean", "big.ipynb", data))
    assert r.stdout == HANDSHAKE_REPLY + success(data)


def test_unknown_keys_ignored(run):
    from nbgit.notebook.clean import clean_bytes

    r = run(HANDSHAKE + request("clean", "a.ipynb", DIRTY, "ref=refs/heads/main", "treeish=abc", "blob=123", "future-key=1"))
    assert r.code == 0, r.stderr
    assert r.stdout == HANDSHAKE_REPLY + success(clean_bytes(DIRTY))


def test_smudge_passes_through(run):
    r = run(HANDSHAKE + request("smudge", "a.ipynb", DIRTY))
    assert r.code == 0, r.stderr
    assert r.stdout == HANDSHAKE_REPLY + success(DIRTY)


def test_several_requests_in_one_process(run):
    from nbgit.notebook.clean import clean_bytes

    other = jupyter_bytes(dirty_notebook(5))
    r = run(HANDSHAKE + request("clean", "a.ipynb", DIRTY) + request("smudge", "b.ipynb", other)
            + request("clean", "c.ipynb", other))
    assert r.code == 0, r.stderr
    assert r.stdout == HANDSHAKE_REPLY + success(clean_bytes(DIRTY)) + success(other) + success(clean_bytes(other))


def test_unknown_command_is_a_per_file_error(run):
    from nbgit.notebook.clean import clean_bytes

    r = run(HANDSHAKE + request("frobnicate", "a.ipynb", DIRTY) + request("clean", "b.ipynb", DIRTY))
    assert r.code == 0
    assert r.stdout == HANDSHAKE_REPLY + text("status=error") + success(clean_bytes(DIRTY))
    assert "a.ipynb" in r.stderr and "Traceback" not in r.stderr


# --- end of stream and broken framing ---------------------------------------------------------


def test_eof_between_requests_exits_zero(run):
    r = run(HANDSHAKE + request("clean", "a.ipynb", DIRTY))
    assert r.code == 0
    assert r.stderr == ""


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda req: req[:10], id="inside-header-list"),
        pytest.param(lambda req: req[: req.index(FLUSH) + 4], id="after-header-list"),
        pytest.param(lambda req: req[: req.index(FLUSH) + 4 + 100], id="inside-content"),
        pytest.param(lambda req: req[:-4], id="before-final-flush"),
        pytest.param(lambda req: req[:2], id="inside-packet-length"),
    ],
)
def test_eof_mid_request_exits_nonzero_with_one_line(run, cut):
    r = run(HANDSHAKE + cut(request("clean", "a.ipynb", DIRTY)))
    assert r.code != 0
    assert r.stdout == HANDSHAKE_REPLY  # nothing answered for the truncated request
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("nbgit: ") and "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "header",
    [b"zzzz", b"+01a", b" 01a", b"0x1a", b"0_1a", b"\t01a", b"01a\n", b"0002", b"fff5"],
    ids=["hex", "plus", "space", "0x-prefix", "underscore", "tab", "newline", "short", "too-long"],
)
def test_malformed_packet_header(run, header):
    # the rest would make a complete request if the header were taken as a length
    payload = b"command=smudge\npathname=x.ipynb\n".ljust(0x1A - 4, b"x")[: 0x1A - 4]
    r = run(HANDSHAKE + header + payload + FLUSH + content(b"data"))
    assert r.code != 0
    assert r.stdout == HANDSHAKE_REPLY
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert "bad packet" in lines[0]
    assert "Traceback" not in r.stderr


# --- per-file failures ------------------------------------------------------------------------


def test_invalid_json_passes_through_and_process_keeps_serving(run):
    from nbgit.notebook.clean import clean_bytes

    broken = DIRTY[: len(DIRTY) // 2]
    r = run(HANDSHAKE + request("clean", "dir/broken.ipynb", broken) + request("clean", "ok.ipynb", DIRTY))
    assert r.code == 0, r.stderr
    assert r.stdout == HANDSHAKE_REPLY + success(broken) + success(clean_bytes(DIRTY))
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert "dir/broken.ipynb" in lines[0] and "warning" in lines[0]
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "data",
    [
        b"<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> other\n",
        b"\xef\xbb\xbf" + DIRTY,
        DIRTY.replace(b'"x = 0', b'"\xff = 0'),
        b"[1, 2, 3]\n",
        b'{"cells": []}\n',
        b"\x00\x01binary",
    ],
    ids=["conflict", "bom", "not-utf8", "list", "no-nbformat", "binary"],
)
def test_bad_inputs_pass_through_per_file(run, data):
    r = run(HANDSHAKE + request("clean", "bad.ipynb", data) + request("clean", "ok.ipynb", DIRTY))
    assert r.code == 0, r.stderr
    caps, responses = parse_responses(r.stdout)
    assert responses[0] == (["status=success"], data)
    assert responses[1][0] == ["status=success"] and responses[1][1] != DIRTY
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and "bad.ipynb" in lines[0]


def test_config_error_cleans_with_the_defaults_naming_the_key(run, tmp_path):
    from nbgit.notebook.clean import clean_bytes

    work = tmp_path / "cfg"
    work.mkdir()
    (work / ".nbgit.toml").write_text("keep_outputs = true\nstrip_everything = 1\n")
    r = run(HANDSHAKE + request("clean", "a.ipynb", DIRTY) + request("clean", "b.ipynb", DIRTY)
            + request("smudge", "c.ipynb", DIRTY), cwd=work)
    assert r.code == 0
    # a committed config never fails git: each clean uses the default settings (outputs
    # stripped, although the broken file asked to keep them); smudge passes the blob on
    assert r.stdout == HANDSHAKE_REPLY + success(clean_bytes(DIRTY)) + success(clean_bytes(DIRTY)) + success(DIRTY)
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr  # once per process, not per file
    assert "strip_everything" in lines[0] and "cleaning with the default settings" in lines[0]
    assert "Traceback" not in r.stderr


def test_config_is_used(run, tmp_path):
    work = tmp_path / "cfg"
    work.mkdir()
    (work / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.nbgit]\nkeep_outputs = true\n")
    r = run(HANDSHAKE + request("clean", "a.ipynb", DIRTY), cwd=work)
    caps, [(status, data)] = parse_responses(r.stdout)
    nb = json.loads(data)
    assert status == ["status=success"]
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] for c in code)
    assert all(c["execution_count"] is None for c in code)


# --- the framing module itself ----------------------------------------------------------------


def test_writer_reader_roundtrip():
    buf = io.BytesIO()
    w = PktWriter(buf)
    payload = bytes(range(256)) * 700
    w.text("a", "b=c")
    w.content(payload)
    w.content(b"")
    buf.seek(0)
    r = PktReader(buf)
    assert r.read_text_list() == ["a", "b=c"]
    assert r.read_content() == payload
    assert r.read_content() == b""


def test_reader_rejects_oversized_packet():
    with pytest.raises(PktLineError):
        PktReader(io.BytesIO(b"fff1" + b"x" * 0xFFED)).read_packet()
    assert PktReader(io.BytesIO(b"fff0" + b"x" * 0xFFEC)).read_packet() == b"x" * 0xFFEC


def test_writer_refuses_oversized_packet():
    with pytest.raises(ValueError):
        PktWriter(io.BytesIO()).packet(b"x" * (MAX_PACKET_DATA + 1))


def test_pathname_not_utf8(run):
    """git pathnames are bytes: a Latin-1 file name must not end the process."""
    from nbgit.notebook.clean import clean_bytes

    header = pkt(b"command=clean\n") + pkt(b"pathname=caf\xe9.ipynb\n") + FLUSH
    r = run(HANDSHAKE + header + content(DIRTY) + header + content(b"{oops") + request("clean", "ok.ipynb", DIRTY))
    assert r.code == 0, r.stderr
    assert r.stdout == HANDSHAKE_REPLY + success(clean_bytes(DIRTY)) + success(b"{oops") + success(clean_bytes(DIRTY))
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and "caf" in lines[0] and ".ipynb" in lines[0]


def test_filter_process_imports_only_what_it_needs(tmp_path):
    """The hot path: serving clean requests never imports nbformat, jsonschema or nbdime."""
    stdin = HANDSHAKE + request("clean", "a.ipynb", DIRTY) + request("clean", "b.ipynb", b"{bad")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "nbgit", "filter-process"],
                          input=stdin, capture_output=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0
    imported = {line.split("|")[-1].strip() for line in proc.stderr.decode().splitlines() if line.startswith("import time:")}
    assert "nbgit.git.filter" in imported and "nbgit.notebook.clean" in imported
    heavy = sorted(m for m in imported if m.split(".")[0] in ("nbformat", "jsonschema", "nbdime", "pygit2", "argparse"))
    assert heavy == []


def test_warnings_are_capped_per_process_then_counted():
    # git shows them on a terminal; a client that never drains stderr (dulwich) must not block us.
    import io

    from nbgit.git.filter import MAX_WARNING_LINES, serve
    from nbgit.git.pktline import PktWriter

    requests = io.BytesIO()
    w = PktWriter(requests)
    w.text("git-filter-client", "version=2")
    w.text("capability=clean")
    total = MAX_WARNING_LINES + 25
    for n in range(total):
        w.text("command=clean", f"pathname=bad{n}.ipynb")
        w.content(b"{not json")
    requests.seek(0)
    out, err = io.BytesIO(), io.StringIO()
    assert serve(requests, out, err) == 0
    lines = err.getvalue().splitlines()
    assert len(lines) == MAX_WARNING_LINES + 1
    assert "bad0.ipynb" in lines[0] and f"bad{MAX_WARNING_LINES - 1}.ipynb" in lines[MAX_WARNING_LINES - 1]
    assert lines[-1] == f"nbgit: 25 more warning line(s) not shown (at most {MAX_WARNING_LINES} per git command)"
    assert out.getvalue().count(b"status=success") == total  # every file still answered, bytes unchanged
