"""nbgit doctor: find what is wrong with nbgit in this clone and say how to fix it."""

from __future__ import annotations

import json
import sys

from nbgit.cli import parser as make_parser
from nbgit.cli._term import progress_bar, use_color
from nbgit._escape import term


_LEVEL_COLOURS = {"error": "31", "warning": "33", "info": "36"}


def main(argv: list[str]) -> int:
    p = make_parser(
        "doctor",
        "Check this clone for what keeps nbgit from working and print one line per finding,\n"
        "each with the command that fixes it: drivers not installed after a clone, a deleted\n"
        "interpreter, committed notebooks that are not clean under the current config,\n"
        "nbstripout/nbdime/jupytext settings that fight nbgit, a git too old for nbgit.",
        epilog="exit status: 0 nothing wrong (info lines may be printed); 1 something to fix; 2 not inside a\n"
        "git work tree (or no git)",
    )
    p.add_argument("--no-content", dest="content", action="store_false",
                   help="skip reading the committed notebooks (fast on very large repositories)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems (no info lines, no summary)")
    p.add_argument("--json", action="store_true", help="machine-readable findings on stdout")
    args = p.parse_args(argv)

    from nbgit.cli import fail
    from nbgit.git.doctor import diagnose
    from nbgit.git.repo import GitError, toplevel

    try:
        toplevel()
    except GitError as exc:
        return fail("doctor", f"{exc}; cd into a clone (or run `git init`)")
    try:
        report = diagnose(".", content=args.content, progress=None if args.json else progress_bar("nbgit doctor: reading notebooks"))
    except GitError as exc:
        return fail("doctor", str(exc))
    if args.json:
        json.dump(
            {
                "ok": not report.wrong,
                "notebooks": report.notebooks,
                "checked": report.checked,
                "findings": [{"level": f.level, "message": f.message, "fix": f.fix} for f in report.findings],
            },
            sys.stdout,
            indent=1,
        )
        print()
        return 1 if report.wrong else 0
    colour = use_color(sys.stdout)
    for f in report.findings:
        if args.quiet and not f.wrong:
            continue
        line = term(f.line())
        if colour:
            line = f"\033[{_LEVEL_COLOURS[f.level]}m{f.level}\033[0m" + line[len(f.level):]
        print(line)
    if not args.quiet:
        problems = sum(f.wrong for f in report.findings)
        checked = f" ({report.checked} committed notebooks checked)" if report.checked else ""
        if problems:
            print(term(f"nbgit doctor: {problems} problem(s) found{checked}"))
        else:
            print(term(f"nbgit doctor: nothing wrong{checked}"))
    return 1 if report.wrong else 0
