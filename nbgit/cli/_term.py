"""Terminal helpers shared by the commands: colour only on a terminal (NO_COLOR respected), a progress bar."""

from __future__ import annotations

import os
import sys
from typing import TextIO

CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36"}


def use_color(stream: TextIO = sys.stdout, mode: str = "auto") -> bool:
    """Colour for ``mode`` always/never/auto (auto: a terminal, NO_COLOR unset, TERM not dumb)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("GIT_PAGER_IN_USE") == "true":  # run by git, whose pager is on a terminal
        return True
    return hasattr(stream, "isatty") and stream.isatty()


class Painter:
    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles:
            return text
        codes = ";".join(CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def progress_bar(label: str, stream: TextIO | None = None):
    """A progress callback ``(done, total)`` drawing a one-line bar on ``stream`` (stderr), or None
    when that is not a terminal. Redraws at most ~200 times; the line is cleared at the end."""
    stream = stream or sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return None
    width = 30

    def show(done: int, total: int) -> None:
        if done != total and done % max(1, total // 200):
            return
        filled = width * done // max(1, total)
        stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            stream.write("\r" + " " * (len(label) + width + 2 * len(str(total)) + 5) + "\r")
        stream.flush()

    return show

