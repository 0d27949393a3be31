"""nbgit smudge: the one-shot smudge filter: the clean blob, with this clone's stored outputs put back."""

from __future__ import annotations

import sys

USAGE = """usage: nbgit smudge [--path PATH]

The one-shot smudge filter (git runs `filter.nbgit.process` instead when it can): read a
committed notebook on stdin and write it to stdout with the outputs this clone's output
store holds for its unchanged cells put back (see `nbgit outputs`). PATH (git passes %f)
names the notebook, to find the outputs of earlier versions of it. Anything else, or with
`restore_outputs = false`, is copied unchanged."""


def main(argv: list[str]) -> int:
    path = ""
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("-h", "--help"):
            print(USAGE)
            return 0
        if arg == "--path" and args:
            path = args.pop(0)
        elif arg.startswith("--path="):
            path = arg[len("--path="):]
        else:  # never fail a checkout over its command line
            print(f"nbgit: warning: smudge: unexpected argument {arg!r} ignored", file=sys.stderr)
    data = sys.stdin.buffer.read()
    result = data
    from nbgit._fs import find_worktree_root
    from nbgit.notebook.config import ConfigError, load_config

    try:
        config = load_config(find_worktree_root(".") or ".")
    except ConfigError:
        config = None  # the clean side reports it; a checkout still gets the blob
    if config is not None:
        from nbgit.git.filter import restore_or_pass
        from nbgit.git.store import open_store

        try:
            store = open_store(config)
        except OSError:
            store = None
        result = restore_or_pass(store, data, path, config, sys.stderr)
    sys.stdout.buffer.write(result)
    sys.stdout.buffer.flush()
    return 0
