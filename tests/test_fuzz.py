"""Fuzzing the two readers that take bytes from outside: git's pkt-line stream and notebook files.

* ``serve()`` (the filter process) fed random, truncated and structurally plausible
  pkt-line streams must return 0 or 1, never raise, never hang, and whatever it
  writes back must itself be well-formed pkt-lines.
* ``clean_bytes`` fed random bytes, byte-mutated notebooks and notebook-shaped JSON
  with wrong types everywhere must return bytes or raise ``NotebookError``, never
  anything else, never hang; and what it returns is a fixed point (idempotence).

Every call runs in a worker thread with a deadline, so a hang fails the test
instead of stalling the suite.
"""

from __future__ import annotations

import io
import os
import json
import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nbfactory import dirty_notebook, jupyter_bytes
from nbgit.git.filter import serve
from nbgit.git.pktline import MAX_PACKET_DATA, PeerClosed, PktLineError, PktReader
from nbgit.notebook.clean import clean_bytes
from nbgit.notebook.config import DEFAULT_CONFIG, Config
from nbgit.notebook.io import NotebookError

DEADLINE = 20.0  # seconds per call: generous for a loaded machine, short of a hang
FUZZ = settings(max_examples=int(os.environ.get("NBGIT_FUZZ_EXAMPLES", "100")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def call_with_deadline(fn, *args):
    """Run ``fn(*args)`` in a thread: (result, exception). Fails the test if it does not finish."""
    box: dict = {}

    def target():
        try:
            box["result"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(DEADLINE)
    assert not worker.is_alive(), f"{getattr(fn, '__name__', fn)} did not finish within {DEADLINE} s (hang?)"
    return box.get("result"), box.get("error")


# --- pkt-line streams -----------------------------------------------------------------------


def pkt(payload: bytes) -> bytes:
    return b"%04x" % (len(payload) + 4) + payload


HANDSHAKE = pkt(b"git-filter-client\n") + pkt(b"version=2\n") + b"0000"
CAPS = pkt(b"capability=clean\n") + pkt(b"capability=smudge\n") + b"0000"
NOTEBOOK = jupyter_bytes(dirty_notebook(2))

text_lines = st.sampled_from(
    [b"command=clean\n", b"command=smudge\n", b"command=delay\n", b"pathname=a.ipynb\n", b"pathname=\n",
     b"can-delay=1\n", b"status=success\n", b"=\n", b"command\n", b"x" * 100 + b"\n"]
)
raw_headers = st.sampled_from([b"0000", b"0001", b"0002", b"0003", b"0004", b"ffff", b"fff0", b"zzzz", b"+004", b" 004", b"00", b""])
payloads = st.one_of(st.binary(max_size=300), st.just(NOTEBOOK), st.just(NOTEBOOK[: len(NOTEBOOK) // 2]), text_lines)


@st.composite
def packet_streams(draw) -> bytes:
    """Mostly well-framed streams with random damage, starting with a plausible handshake."""
    parts = []
    start = draw(st.sampled_from(["full", "handshake", "none", "garbage"]))
    if start in ("full", "handshake"):
        parts.append(HANDSHAKE)
    if start == "full":
        parts.append(CAPS)
    if start == "garbage":
        parts.append(draw(st.binary(max_size=64)))
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["packet", "packet", "text", "flush", "raw", "request"]))
        if kind == "packet":
            parts.append(pkt(draw(payloads)))
        elif kind == "text":
            parts.append(pkt(draw(text_lines)))
        elif kind == "flush":
            parts.append(b"0000")
        elif kind == "raw":
            parts.append(draw(raw_headers))
        else:
            body = draw(payloads)
            chunks = b"".join(pkt(body[i : i + MAX_PACKET_DATA]) for i in range(0, len(body), MAX_PACKET_DATA))
            parts.append(pkt(draw(text_lines)) + pkt(b"pathname=f.ipynb\n") + b"0000" + chunks + b"0000")
    data = b"".join(parts)
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]  # cut anywhere
    return data


def run_serve(data: bytes) -> tuple[int, bytes, str]:
    out, err = io.BytesIO(), io.StringIO()
    code = serve(io.BytesIO(data), out, err, loader=lambda: DEFAULT_CONFIG)
    return code, out.getvalue(), err.getvalue()


def assert_well_framed(data: bytes) -> None:
    reader = PktReader(io.BytesIO(data))
    while True:
        try:
            reader.read_packet(eof_ok=True)
        except PeerClosed:
            return


def check_serve(data: bytes) -> None:
    result, error = call_with_deadline(run_serve, data)
    assert error is None, f"serve raised {type(error).__name__}: {error}"
    code, out, err = result
    assert code in (0, 1)
    assert_well_framed(out)
    assert "Traceback" not in err
    if code == 1:
        assert err.strip(), "a failure must say why on stderr"


@FUZZ
@given(packet_streams())
def test_serve_survives_damaged_streams(data):
    check_serve(data)


@FUZZ
@given(st.binary(max_size=2000))
def test_serve_survives_random_bytes(data):
    check_serve(data)


@FUZZ
@given(st.binary(max_size=2000))
def test_serve_survives_random_bytes_after_a_good_handshake(data):
    check_serve(HANDSHAKE + CAPS + data)


@FUZZ
@given(st.binary(max_size=500))
def test_pkt_reader_only_raises_its_own_errors(data):
    reader = PktReader(io.BytesIO(data))
    for _ in range(100):
        try:
            reader.read_packet(eof_ok=True)
        except (PeerClosed, EOFError, PktLineError):
            return


# --- notebook bytes -------------------------------------------------------------------------


def check_clean(data: bytes, config: Config = DEFAULT_CONFIG) -> None:
    result, error = call_with_deadline(clean_bytes, data, config)
    if error is not None:
        assert isinstance(error, NotebookError), f"clean_bytes raised {type(error).__name__}: {error}"
        assert error.reason
        return
    assert isinstance(result, bytes)
    again, error = call_with_deadline(clean_bytes, result, config)
    assert error is None, f"cleaned output is not readable again: {error}"
    assert again == result, "clean is not idempotent on this input"


@FUZZ
@given(st.binary(max_size=3000))
def test_clean_random_bytes(data):
    check_clean(data)


@st.composite
def mutated_notebook_bytes(draw) -> bytes:
    data = bytearray(NOTEBOOK)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "cut", "dup"]))
        i = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[i] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[i : i + draw(st.integers(1, 40))]
        elif op == "insert":
            data[i:i] = draw(st.sampled_from([b"{", b"}", b"[", b"]", b",", b'"', b"\\", b"\\u00", b"\r\n", b"\xff", b"null", b"<<<<<<< x\n"]))
        elif op == "cut":
            data = data[:i]
        elif op == "dup":
            data[i:i] = data[i : i + draw(st.integers(1, 200))]
    return bytes(data)


@FUZZ
@given(mutated_notebook_bytes())
def test_clean_mutated_notebook_bytes(data):
    check_clean(data)


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), st.text(max_size=20))
json_any = st.recursive(json_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)


def maybe(strategy):
    """A value of the right kind, or something of the wrong type."""
    return st.one_of(strategy, json_any)


cell_strategy = st.fixed_dictionaries(
    {"cell_type": maybe(st.sampled_from(["code", "markdown", "raw", "heading"])), "source": maybe(st.lists(st.text(max_size=20), max_size=3))},
    optional={
        "metadata": maybe(st.dictionaries(st.sampled_from(["tags", "collapsed", "scrolled", "ExecuteTime", "keep_output", "jupyter", "x"]), json_any, max_size=4)),
        "outputs": maybe(st.lists(maybe(st.fixed_dictionaries({"output_type": maybe(st.sampled_from(["stream", "display_data", "execute_result", "error"]))}, optional={"data": json_any, "text": json_any, "execution_count": json_any, "metadata": json_any})), max_size=3)),
        "execution_count": maybe(st.integers(0, 100)),
        "id": maybe(st.text(max_size=10)),
        "attachments": json_any,
    },
)
notebook_shaped = st.fixed_dictionaries(
    {"nbformat": maybe(st.sampled_from([3, 4, 5])), "cells": maybe(st.lists(maybe(cell_strategy), max_size=4))},
    optional={
        "nbformat_minor": maybe(st.integers(0, 10)),
        "metadata": maybe(st.dictionaries(st.sampled_from(["widgets", "signature", "language_info", "kernelspec", "x"]), json_any, max_size=3)),
        "worksheets": maybe(st.lists(maybe(st.fixed_dictionaries({"cells": maybe(st.lists(maybe(cell_strategy), max_size=3))})), max_size=2)),
    },
)
configs = st.builds(
    Config,
    keep_outputs=st.booleans(),
    keep_count=st.booleans(),
    max_output_size=st.one_of(st.none(), st.integers(0, 200)),
    drop_metadata=st.lists(st.sampled_from(["notebook.x", "cell.x", "cell.tags", "notebook.kernelspec.name", "cell.jupyter.source_hidden"]), max_size=3).map(tuple),
    keep_metadata=st.lists(st.sampled_from(["cell.collapsed", "notebook.widgets", "cell.ExecuteTime"]), max_size=2).map(tuple),
    upgrade_v3=st.booleans(),
)


@FUZZ
@given(notebook_shaped, configs, st.sampled_from([None, 1, 2, "\t"]), st.booleans())
def test_clean_notebook_shaped_json(nb, config, indent, ascii_only):
    data = json.dumps(nb, indent=indent, ensure_ascii=ascii_only).encode()
    check_clean(data, config)
