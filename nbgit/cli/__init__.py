"""Command line entry point: ``nbgit COMMAND ...``.

Each command lives in its own module (``nbgit.cli.<name>``) with a
``main(argv) -> int``; only the module of the command being run is imported,
which keeps the git drivers' start-up to the standard library and the code
that does the work.
"""

from __future__ import annotations

import sys

#: command -> (module, one-line summary). Order is the order of `nbgit --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "install": ("nbgit.cli.install", "register nbgit's filter, diff and merge drivers in a repository"),
    "uninstall": ("nbgit.cli.uninstall", "remove what `nbgit install` wrote"),
    "status": ("nbgit.cli.status", "show which nbgit drivers are installed, and where"),
    "demo": ("nbgit.cli.demo", "show nbgit at work in a throwaway repository"),
    "clean": ("nbgit.cli.clean", "strip outputs and volatile metadata (stdin->stdout, or files in place)"),
    "smudge": ("nbgit.cli.smudge", "one-shot smudge filter (puts this clone's stored outputs back)"),
    "outputs": ("nbgit.cli.outputs", "show or trim this clone's store of stripped outputs (restored on checkout)"),
    "filter-process": ("nbgit.cli.filter_process", "git's long-running filter process (used by git)"),
    "textconv": ("nbgit.cli.textconv", "notebook -> readable cell-by-cell text (git's diff.textconv)"),
    "diff": ("nbgit.cli.diff", "cell-aware diff of two notebooks or two revisions"),
    "add": ("nbgit.cli.add", "stage part of a notebook by cell: add -p, add --cells 3,5-7"),
    "reset": ("nbgit.cli.reset", "unstage part of a notebook by cell: reset -p, reset --cells"),
    "log": ("nbgit.cli.log", "follow one cell back through history: log -- nb.ipynb --cell N|ID"),
    "blame": ("nbgit.cli.blame", "per cell: the commit, author and date of its last change"),
    "merge-driver": ("nbgit.cli.merge_driver", "git's merge driver (%O %A %B %L %P ...; used by git)"),
    "merge": ("nbgit.cli.merge", "three-way merge BASE LOCAL REMOTE by hand"),
    "fix": ("nbgit.cli.fix", "repair a notebook broken by git conflict markers in its JSON"),
    "conflicts": ("nbgit.cli.conflicts", "list unresolved conflicts inside notebooks"),
    "difftool": ("nbgit.cli.difftool", "open the review page for two notebooks (also `git difftool --tool=nbgit`)"),
    "mergetool": ("nbgit.cli.mergetool", "settle notebook conflicts in the browser (also `git mergetool --tool=nbgit`)"),
    "pair": ("nbgit.cli.pair", "pair notebooks with jupytext text files"),
    "sync": ("nbgit.cli.sync", "sync paired notebooks by content, never losing an edit"),
    "review": ("nbgit.cli.review", "review pages (HTML, PR-comment markdown) for notebook changes"),
    "check": ("nbgit.cli.check", "fail on notebooks that are not clean, invalid, conflicted or out of sync"),
    "doctor": ("nbgit.cli.doctor", "find what is wrong with nbgit in this clone and say how to fix it"),
    "renormalize": ("nbgit.cli.renormalize", "re-add committed notebooks through the current clean filter"),
    "refresh": ("nbgit.cli.refresh", "clear phantom modifications (re-run notebooks git lists as modified)"),
}



#: One exit-status rule for every command: 0 done and nothing to report; 1 the command's answer
#: is "yes, there is something" (differences, problems, conflicts, pairs out of sync); 2 it could
#: not do its job (a usage error, not inside a repository, an unreadable config or file).
EXIT_OK, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


def fail(command: str, message: str, code: int = EXIT_ERROR) -> int:
    """Print ``nbgit COMMAND: error: MESSAGE`` (escaped for the terminal) and return ``code``:
    the one error style of every command."""
    from nbgit._escape import term

    print(term(f"nbgit {command}: error: {message}"), file=sys.stderr)
    return code


def _usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [
        "usage: nbgit COMMAND [ARGS...]",
        "",
        "Jupyter notebooks that behave in git like source code.",
        "",
        "commands:",
    ]
    lines += [f"  {name:<{width}}  {summary}" for name, (_, summary) in COMMANDS.items()]
    lines += ["", "Run `nbgit COMMAND --help` for a command's options. Start with `nbgit demo`."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0 if args else 2
    if args[0] in ("-V", "--version"):
        from nbgit import __version__

        print(f"nbgit {__version__}")
        return 0
    name = args[0]
    entry = COMMANDS.get(name)
    if entry is None:
        print(f"nbgit: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    import importlib

    module = importlib.import_module(entry[0])
    try:
        return module.main(args[1:])
    except KeyboardInterrupt:
        print("nbgit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 141


def parser(name: str, description: str, epilog: str | None = None):
    """An argparse parser for ``nbgit NAME`` (argparse is imported only by commands that parse)."""
    import argparse

    return argparse.ArgumentParser(
        prog=f"nbgit {name}",
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
