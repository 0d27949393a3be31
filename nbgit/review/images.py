"""Pictures in the review page: before/after comparison of image outputs.

Each changed picture gets a small widget (markup here, behaviour in the page's
script, :mod:`nbgit.review.html_assets`): side by side, swipe (a slider uncovers
the new picture over the old one), onion skin (a slider fades between them) and
a pixel difference (drawn on a canvas by the page's script: changed pixels in
magenta over a faded copy of the old picture). The size change is printed:
``640×480 → 800×600 · 12.3 kB → 15.1 kB``. A picture that did not change is shown
once, as unchanged. Pictures are ``data:`` URIs (the page's CSP allows nothing
else), so the canvas is never tainted and nothing is fetched.
"""

from __future__ import annotations

import base64
import binascii
import struct

from nbgit.notebook.outputs import human_size


def image_bytes(mime: str, payload) -> bytes | None:
    """The decoded picture (SVG: its UTF-8 text), or None when the payload is not valid."""
    if isinstance(payload, list):
        payload = "".join(p for p in payload if isinstance(p, str))
    if not isinstance(payload, str):
        return None
    if mime == "image/svg+xml":
        return payload.encode("utf-8")
    try:
        return base64.b64decode("".join(payload.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def dimensions(raw: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG picture read from its header (None otherwise)."""
    if raw[:8] == b"\x89PNG\r\n\x1a\n" and len(raw) >= 24:
        return struct.unpack(">II", raw[16:24])
    if raw[:6] in (b"GIF87a", b"GIF89a") and len(raw) >= 10:
        return struct.unpack("<HH", raw[6:10])
    if raw[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(raw):
            if raw[i] != 0xFF:
                return None
            marker = raw[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (length,) = struct.unpack(">H", raw[i + 2 : i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", raw[i + 5 : i + 9])
                return w, h
            i += 2 + length
    return None


def describe(raw: bytes | None) -> str:
    """``640×480, 12.3 kB`` (size only when the dimensions are unknown)."""
    if raw is None:
        return "not valid image data"
    dims = dimensions(raw)
    size = human_size(len(raw))
    return f"{dims[0]}×{dims[1]}, {size}" if dims else size


def size_change(a: bytes | None, b: bytes | None) -> str:
    """``640×480 → 800×600 · 12.3 kB → 15.1 kB`` (each part only when it changed)."""
    if a is None or b is None:
        return f"{describe(a)} → {describe(b)}"
    parts = []
    da, db = dimensions(a), dimensions(b)
    if da and db:
        parts.append(f"{da[0]}×{da[1]}" + (f" → {db[0]}×{db[1]}" if da != db else ""))
    sa, sb = human_size(len(a)), human_size(len(b))
    parts.append(sa if sa == sb else f"{sa} → {sb}")
    return " · ".join(parts)


def image_outputs(outputs: list, image_types: tuple[str, ...]) -> list[tuple[str, object]]:
    """``(mime, payload)`` of each picture in ``outputs``, in order (one per output: its first picture type)."""
    found = []
    for out in outputs:
        data = out.get("data")
        if isinstance(data, dict):
            for mime in image_types:
                if mime in data:
                    found.append((mime, data[mime]))
                    break
    return found


__all__ = ["image_bytes", "dimensions", "describe", "size_change", "image_outputs"]
