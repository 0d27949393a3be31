"""nbgit smudge: the one-shot smudge filter. Notebooks are stored clean, so checkout copies bytes."""

from __future__ import annotations

import shutil
import sys


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print("usage: nbgit smudge [--path PATH]\n\nCopy stdin to stdout (the one-shot smudge filter).")
        return 0
    shutil.copyfileobj(sys.stdin.buffer, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    return 0
