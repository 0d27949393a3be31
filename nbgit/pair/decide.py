"""Digests of the two sides of a pair, and the sync decision (pure: no I/O, no jupytext).

What counts as a *change* of each side:

- The **text** side changed when its bytes changed, up to line endings and the
  header lines that only name a jupytext version (``jupytext_version``,
  ``format_version``): a ``touch`` or a checkout that rewrites identical bytes
  is no change, and neither is another jupytext version rewriting the header.
- The **notebook** side changed when the text that jupytext renders from it
  changed. Outputs, execution counts, ``ExecuteTime`` and other metadata that
  never reach the text are no change: running a notebook while its ``.py`` is
  being edited does not turn the edit into a conflict, and the clean filter
  rewriting the notebook without outputs on checkout is not a change either.
  Rendering needs jupytext, so two cheaper digests come first: the raw bytes
  (unchanged bytes, unchanged notebook) and the *inputs* (the notebook without
  outputs and execution counts, which is all that rendering reads).

The record (:class:`Record`) holds those digests as they were when the pair
was last known to be in sync. :func:`decide` compares the current sides with
it; expensive answers are passed in as callables and only called when needed.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from dataclasses import dataclass, replace
from typing import Callable

_VERSION_LINE = re.compile(rb"^\W*(?:jupytext_version|format_version):.*\n", re.MULTILINE)
_FENCE = re.compile(rb"^\W*---[ \t]*\n", re.MULTILINE)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def normalize_text(data: bytes) -> bytes:
    """Text-side bytes with LF line endings, without the version lines of the jupytext header."""
    data = data.replace(b"\r\n", b"\n")
    if not data.endswith(b"\n"):
        data += b"\n"
    start = _FENCE.match(data)
    if start is None:
        return data
    end = _FENCE.search(data, start.end())
    if end is None:
        return data
    header = _VERSION_LINE.sub(b"", data[start.end() : end.start()])
    return data[: start.end()] + header + data[end.start() :]


def text_digest(data: bytes) -> str:
    return digest(normalize_text(data))


def inputs_digest(nb: dict) -> str:
    """Digest of everything in a notebook that jupytext may render: all but outputs and execution counts."""
    cells = [
        {k: v for k, v in cell.items() if k not in ("outputs", "execution_count")} if isinstance(cell, dict) else cell
        for cell in nb.get("cells", [])
    ]
    rest = {k: v for k, v in nb.items() if k != "cells"}
    blob = json.dumps([rest, cells], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return digest(blob.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class Record:
    """A pair as it was at its last sync: where the text is, its format, and digests of both sides."""

    text_path: str
    fmt: str
    ipynb_raw: str
    ipynb_inputs: str
    ipynb_text: str  # digest of normalize_text(rendering of the notebook)
    text: str  # text_digest of the text file

    def to_json(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: object) -> "Record | None":
        if not isinstance(data, dict):
            return None
        try:
            return cls(**{k: str(data[k]) for k in cls.__dataclass_fields__})
        except KeyError:
            return None

    def with_cache(self, ipynb_raw: str, ipynb_inputs: str) -> "Record":
        return replace(self, ipynb_raw=ipynb_raw, ipynb_inputs=ipynb_inputs)


class Action(enum.Enum):
    NOTHING = "nothing"  # in sync, record up to date
    RECORD = "record"  # in sync, only the record is written
    TO_TEXT = "ipynb->text"  # carry the notebook over to the text file
    TO_IPYNB = "text->ipynb"  # carry the text over to the notebook
    CONFLICT = "conflict"  # both changed since the last sync and they differ
    UNKNOWN = "unknown"  # no record and the sides differ: not guessed


@dataclass(frozen=True)
class Sides:
    """What :func:`decide` needs to know about the current files, answered lazily.

    ``ipynb_changed`` / ``text_changed`` compare with the record (only called
    when there is one); ``in_sync`` says whether the text equals the notebook's
    rendering (or carrying it over would change nothing in the notebook).
    """

    ipynb_exists: bool
    text_exists: bool
    ipynb_changed: Callable[[], bool]
    text_changed: Callable[[], bool]
    in_sync: Callable[[], bool]


def decide(sides: Sides, has_record: bool, use: str | None = None) -> Action:
    """Which way to sync one pair.

    A side is carried over only if the other side is as it was at the last
    sync, so an edit is never overwritten by an older state of the other file.
    ``use`` is ``"ipynb"`` or ``"text"`` when the user chose a side (``--use``)
    and settles only what is otherwise refused (a conflict, or different sides
    without a record): a pair where one side changed is synced as usual, so a
    repository-wide ``--use`` cannot overwrite an edit nobody asked to drop.
    """
    if not sides.ipynb_exists and not sides.text_exists:
        return Action.NOTHING
    if not sides.ipynb_exists:
        return Action.TO_IPYNB
    if not sides.text_exists:
        return Action.TO_TEXT
    action = _by_content(sides, has_record)
    if use is not None and action in (Action.CONFLICT, Action.UNKNOWN):
        return Action.TO_TEXT if use == "ipynb" else Action.TO_IPYNB
    return action


def _by_content(sides: Sides, has_record: bool) -> Action:
    if not has_record:
        return Action.RECORD if sides.in_sync() else Action.UNKNOWN
    ipynb_changed = sides.ipynb_changed()
    text_changed = sides.text_changed()
    if not ipynb_changed and not text_changed:
        return Action.NOTHING
    if ipynb_changed and not text_changed:
        return Action.TO_TEXT
    if text_changed and not ipynb_changed:
        return Action.TO_IPYNB
    return Action.RECORD if sides.in_sync() else Action.CONFLICT
