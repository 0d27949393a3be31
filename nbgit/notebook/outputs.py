"""Outputs, mime bundles and multiline fields summarized as text lines.

Pure and stdlib-only (textconv runs it once per blob). Shared by ``nbgit textconv``
and the terminal renderer of ``nbgit diff``, so both show an output the same way:
text truncated with a note that carries a hash of the whole text, rich data as
``<image/png 12.3 kB sha1:...>`` (size and hash of the decoded bytes), errors as
``ename: evalue``, ANSI colour codes and carriage-return progress bars reduced to
what a terminal would show, widget views (a model id that changes every run) as
``<widget>``.
"""

from __future__ import annotations

import json
import re

#: output text: at most this many lines are shown, the rest summarized in a note
MAX_OUTPUT_LINES = 20
#: lines (of output text and metadata) longer than this are cut, with a note
MAX_LINE_CHARS = 200
#: digits of sha1 shown in summaries
HASH_CHARS = 12
#: the prefix of output lines in textconv (the reprex convention)
OUTPUT_PREFIX = "#> "

#: ANSI escapes (CSI, OSC, two-byte); compiled on first use, most notebooks have none
_ANSI_PATTERN = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]"
TEXT_MIMES = ("text/plain", "text/markdown", "text/latex")
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def render_output(output: dict, lines: list[str], prefix: str = OUTPUT_PREFIX, body: str | None = None) -> None:
    """Append summary lines for one output (stream text, mime bundle, error) to ``lines``.

    ``prefix`` starts the output's first line; ``body`` (default: ``prefix``) starts the
    lines of its text and summaries, so a terminal view can indent them under the first.
    """
    body = prefix if body is None else body
    kind = output.get("output_type")
    if kind == "stream":
        lines.append(f"{prefix}[{one_line(output.get('name', 'stream'))}]")
        text_block(join_text(output.get("text")), lines, body)
    elif kind in ("execute_result", "display_data", "update_display_data"):
        lines.append(f"{prefix}[{kind}]")
        data = output.get("data")
        if isinstance(data, dict):
            render_bundle(data, lines, body)
    elif kind == "error":
        ename = one_line(output.get("ename", ""))
        evalue = join_text(output.get("evalue"))
        first, _, rest = terminal_text(evalue).partition("\n")
        lines.append(f"{prefix}[error] {clip(f'{ename}: {first}' if ename else first)}")
        if rest:
            text_block(rest, lines, body)
    else:
        lines.append(f"{prefix}[{one_line(kind)}]")


def render_bundle(data: dict, lines: list[str], prefix: str = OUTPUT_PREFIX) -> None:
    """A mime bundle: one text form shown (text/plain first), every other form summarized."""
    shown = next((m for m in TEXT_MIMES if m in data), None)
    if shown is not None:
        text_block(join_text(data[shown]), lines, prefix)
    for mime in sorted(data):
        if mime != shown:
            lines.append(prefix + mime_summary(mime, data[mime]))


def mime_summary(mime: str, value) -> str:
    """``<image/png 12.3 kB sha1:...>``: size and hash of a rich output, never its bytes."""
    if mime == _WIDGET_VIEW:
        return "<widget>"  # only a model id, which changes on every run
    if isinstance(value, (dict, list)) and not _is_str_list(value):
        raw = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "backslashreplace")
    else:
        text = join_text(value)
        raw = _decode_base64(text) if _is_base64_mime(mime) else None
        if raw is None:
            raw = text.encode("utf-8", "backslashreplace")
    return f"<{one_line(mime)} {human_size(len(raw))} sha1:{short_sha1(raw)}>"


def _is_base64_mime(mime: str) -> bool:
    if mime.startswith("text/") or mime.endswith(("+xml", "+json", "/json", "/javascript", "/xml")):
        return False
    return True


def _decode_base64(text: str) -> bytes | None:
    import binascii

    try:
        return binascii.a2b_base64(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None


def text_block(text: str, lines: list[str], prefix: str = OUTPUT_PREFIX) -> None:
    """Output text on ``#> `` lines: at most MAX_OUTPUT_LINES lines of MAX_LINE_CHARS."""
    if not text:
        return
    shown = terminal_text(text)
    body = shown[:-1] if shown.endswith("\n") else shown
    all_lines = body.split("\n")
    for line in all_lines[:MAX_OUTPUT_LINES]:
        lines.append((prefix + clip(line)).rstrip())
    hidden = len(all_lines) - MAX_OUTPUT_LINES
    if hidden > 0:
        raw = shown.encode("utf-8", "backslashreplace")
        more = f"{hidden} more line{'s' if hidden != 1 else ''}"
        lines.append(f"{prefix}... ({more}, {human_size(len(raw))} in all, sha1:{short_sha1(raw)})")


def terminal_text(text: str) -> str:
    """What a terminal shows: no ANSI escapes; of a line rewritten with ``\\r``, its last state."""
    if "\x1b" in text:
        text = re.sub(_ANSI_PATTERN, "", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        text = "\n".join(_last_segment(line) for line in text.split("\n"))
    return text


def _last_segment(line: str) -> str:
    if "\r" not in line:
        return line
    for segment in reversed(line.split("\r")):
        if segment:
            return segment
    return ""


# --- small helpers ---------------------------------------------------------------------------


def join_text(value) -> str:
    """A multiline string field: a string, or a list of strings (nbformat allows both)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v if isinstance(v, str) else compact(v) for v in value)
    if value is None:
        return ""
    return compact(value)


def _is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def compact(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(", ", ": "), ensure_ascii=False)


def one_line(value) -> str:
    text = value if isinstance(value, str) else compact(value)
    if "\n" in text or "\r" in text:
        text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text


def clip(line: str) -> str:
    """``line`` itself if short enough, else cut with a note of what was cut."""
    if "\n" in line or "\r" in line:
        line = one_line(line)
    if len(line) <= MAX_LINE_CHARS:
        return line
    digest = short_sha1(line.encode("utf-8", "backslashreplace"))
    return f"{line[:MAX_LINE_CHARS]}... (+{len(line) - MAX_LINE_CHARS} chars, sha1:{digest})"


def human_size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    if n < 1_000_000:
        return f"{n / 1000:.1f} kB"
    return f"{n / 1_000_000:.1f} MB"


def short_sha1(raw: bytes) -> str:
    import hashlib

    return hashlib.sha1(raw).hexdigest()[:HASH_CHARS]


# --- outputs that changed only because the notebook was re-run ---------------------------------

#: times and dates a re-run changes: ISO timestamps, clock times (12:03:59, 12:03:59.123)
_TIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"
)
#: memory addresses in reprs (<object at 0x7f3a2c1d5e80>)
_ADDRESS_RE = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")


def _rerun_text(value) -> tuple[str, ...]:
    text = terminal_text(join_text(value))
    text = _ADDRESS_RE.sub("0x…", _TIME_RE.sub("<time>", text))
    return tuple(sorted(text.split("\n")))


def rerun_key(outputs) -> tuple:
    """What of a cell's outputs a re-run of the same code changes only by chance, taken out.

    Execution counts and output metadata are left out; in text, timestamps and memory
    addresses are masked and lines are compared in any order (parallel workers, set and dict
    reprs); stream outputs of one name are taken together (a re-run may cut them in other
    chunks). Pictures and other data are compared exactly (base64 line breaks aside). Two
    output lists with equal keys differ only because the notebook was re-run.
    """
    if not isinstance(outputs, list):
        return ("?", compact(outputs))
    streams: dict[str, list[str]] = {}
    key: list = []
    for out in outputs:
        if not isinstance(out, dict):
            key.append(("?", compact(out)))
            continue
        kind = out.get("output_type")
        if kind == "stream":
            streams.setdefault(str(out.get("name")), []).append(join_text(out.get("text")))
        elif kind == "error":
            key.append(("error", one_line(out.get("ename", "")), _rerun_text(out.get("evalue"))))
        else:
            data = out.get("data")
            bundle = []
            if isinstance(data, dict):
                for mime in sorted(data):
                    value = data[mime]
                    if mime.startswith("text/") or mime == "application/json":
                        bundle.append((mime, _rerun_text(value if mime != "application/json" else compact(value))))
                    elif mime == _WIDGET_VIEW:
                        bundle.append((mime, "<widget>"))
                    else:
                        raw = join_text(value) if not isinstance(value, (dict, list)) or _is_str_list(value) else compact(value)
                        bundle.append((mime, "".join(raw.split())))
            key.append(("data", tuple(bundle)))
    key += [("stream", name, _rerun_text("".join(parts))) for name, parts in sorted(streams.items())]
    return tuple(key)

