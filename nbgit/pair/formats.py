"""Jupytext formats and paired paths.

The pairing lives where jupytext keeps it: ``metadata.jupytext.formats`` in the
notebook (``"ipynb,py:percent"``) and the ``formats:`` line of the text file's
YAML header. The common case (the text file beside the notebook, same stem) is
computed here with the standard library, so a sync with nothing to do never
imports jupytext; prefixes and suffixes (``"notebooks///ipynb,scripts///py:percent"``,
``"ipynb,.pct.py:percent"``) are handed to jupytext's own ``paired_paths``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

#: Formats `nbgit pair --format` offers (others already recorded by jupytext are synced too).
PAIR_FORMATS = ("py:percent", "py:light", "md", "md:myst")
DEFAULT_FORMAT = "py:percent"

#: Extensions whose files may be the text side of a pair (their header is read to find out).
TEXT_EXTENSIONS = (".py", ".md", ".markdown", ".Rmd", ".qmd", ".myst", ".mystnb", ".mnb", ".R", ".r", ".jl")

_SIMPLE_ENTRY = re.compile(r"^\.?([A-Za-z0-9_]+)(?::([A-Za-z0-9_-]+))?$")
_HEADER_FENCE = re.compile(r"^\W*---\s*$")
_FORMATS_LINE = re.compile(r"""^\W*formats:\s*['"]?([^'"\s]+)['"]?\s*$""")


class PairingError(ValueError):
    """The recorded pairing is one nbgit cannot sync; the message says why in a few words."""


@dataclass(frozen=True)
class PairSpec:
    """Where the text side of a notebook lives and in which jupytext format (``"py:percent"``)."""

    text_path: str
    fmt: str


def entries(formats: str) -> list[str]:
    return [e.strip() for e in str(formats).split(",") if e.strip()]


def _simple(entry: str) -> tuple[str, str | None] | None:
    m = _SIMPLE_ENTRY.match(entry)
    return (m.group(1), m.group(2)) if m else None


def _short(ext: str, name: str | None) -> str:
    return f"{ext}:{name}" if name else ext


def paired_text(ipynb_path: str, formats: str | None) -> PairSpec | None:
    """The text side recorded in a notebook's ``metadata.jupytext.formats`` (None: not paired).

    Raises :class:`PairingError` when the notebook is paired with more than one
    text file or its formats do not include ``ipynb``.
    """
    if not formats:
        return None
    items = entries(formats)
    parsed = [_simple(e) for e in items]
    if all(p is not None for p in parsed):
        exts = [p[0] for p in parsed]  # type: ignore[index]
        if "ipynb" not in exts:
            raise PairingError(f"jupytext formats {formats!r} do not include ipynb")
        text = [p for p in parsed if p[0] != "ipynb"]  # type: ignore[index]
        if not text:
            return None
        if len(text) > 1:
            raise PairingError(f"paired with {len(text)} text files ({formats}); nbgit sync handles one")
        ext, name = text[0]  # type: ignore[misc]
        return PairSpec(os.path.splitext(ipynb_path)[0] + "." + ext, _short(ext, name))
    return _jupytext_pair(ipynb_path, formats, from_ipynb=True)


def paired_ipynb(text_path: str, formats: str | None) -> tuple[str, str] | None:
    """(notebook path, text format) for a text file whose header records ``formats``; None if no ipynb."""
    if not formats:
        return None
    items = entries(formats)
    parsed = [_simple(e) for e in items]
    if all(p is not None for p in parsed):
        exts = [p[0] for p in parsed]  # type: ignore[index]
        if "ipynb" not in exts:
            return None
        base, ext = os.path.splitext(text_path)
        text = [p for p in parsed if p[0] != "ipynb"]  # type: ignore[index]
        if len(text) > 1:
            raise PairingError(f"paired with {len(text)} text files ({formats}); nbgit sync handles one")
        if not text or "." + text[0][0] != ext:  # type: ignore[index]
            return None
        return base + ".ipynb", _short(*text[0])  # type: ignore[misc]
    spec = _jupytext_pair(text_path, formats, from_ipynb=False)
    return (spec.text_path, spec.fmt) if spec else None


def _jupytext_pair(path: str, formats: str, from_ipynb: bool) -> PairSpec | None:
    """Prefix/suffix pairings, through jupytext (imported only here)."""
    try:
        from jupytext.formats import long_form_multiple_formats
        from jupytext.paired_paths import paired_paths
    except ImportError:  # pragma: no cover - jupytext is a dependency
        raise PairingError(f"jupytext formats {formats!r} need jupytext (pip install jupytext)") from None
    try:
        fmts = long_form_multiple_formats(formats)
        for f in fmts:  # the notebook's metadata is the repository's: only paths relative to it
            prefix = str(f.get("prefix") or "")
            if prefix.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", prefix):
                raise PairingError(f"jupytext formats {formats!r} name an absolute path; pair refused")
        ipynb = [f for f in fmts if f.get("extension") == ".ipynb"]
        text = [f for f in fmts if f.get("extension") != ".ipynb"]
        if not ipynb:
            if from_ipynb:
                raise PairingError(f"jupytext formats {formats!r} do not include ipynb")
            return None
        if not text:
            return None
        if len(text) > 1:
            raise PairingError(f"paired with {len(text)} text files ({formats}); nbgit sync handles one")
        ext = os.path.splitext(path)[1]
        own = ipynb[0] if from_ipynb else next((f for f in text if _ends_like(path, f)), None)
        if own is None or (from_ipynb and ext != ".ipynb"):
            return None
        paths = paired_paths(path, own, fmts)
    except PairingError:
        raise
    except Exception as exc:  # jupytext's InconsistentPath and friends
        raise PairingError(f"cannot resolve jupytext formats {formats!r}: {exc}") from None
    other = ".ipynb" if not from_ipynb else text[0]["extension"]
    for p, f in paths:
        if f.get("extension") == other and os.path.normpath(p) != os.path.normpath(path):
            t = text[0]
            return PairSpec(p, _short(t["extension"].lstrip("."), t.get("format_name")))
    return None


def _ends_like(path: str, fmt: dict) -> bool:
    return path.endswith(fmt.get("suffix", "") + fmt.get("extension", ""))


def sniff_formats(head: bytes) -> str | None:
    """The ``formats:`` entry of a jupytext text file's YAML header (first few KB of the file), or None."""
    if b"formats" not in head:
        return None
    lines = head.decode("utf-8", "replace").splitlines()
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or not _HEADER_FENCE.match(lines[i]):
        return None
    for line in lines[i + 1 :]:
        if _HEADER_FENCE.match(line):
            return None
        m = _FORMATS_LINE.match(line)
        if m:
            return m.group(1)
    return None


def extension_of(fmt: str) -> str:
    """``"py:percent"`` -> ``".py"``."""
    return "." + fmt.split(":", 1)[0].lstrip(".")


def side_name(fmt: str) -> str:
    """What `--use` calls the text side of a pair in this format (``py``, ``md``, ...)."""
    return extension_of(fmt)[1:]
