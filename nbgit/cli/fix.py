"""nbgit fix: repair a notebook that a text merge left with git conflict markers in its JSON."""

from __future__ import annotations

import os

from nbgit.cli import fail, parser as make_parser
from nbgit._escape import term


def main(argv: list[str]) -> int:
    p = make_parser(
        "fix",
        "Repair a notebook whose JSON a text merge (plain git, without nbgit's merge driver)\n"
        "filled with conflict markers, so that it opens again. Both versions are rebuilt from\n"
        "the marker regions and merged cell by cell, as `nbgit merge` would: against the base\n"
        "when the markers have ||||||| parts (merge.conflictStyle=diff3), else two-way, where\n"
        "only what both versions share merges cleanly. What still conflicts stays inside the\n"
        "notebook (markers in cell sources, metadata.nbgit.conflicts); `nbgit conflicts` lists it.\n\n"
        "Outputs and counts are kept (nothing is cleaned). The file is replaced atomically, and\n"
        "only if both versions could be rebuilt: otherwise it is left exactly as it was.",
        epilog="exit status: 0 repaired, no conflict left; 1 repaired, conflicts left inside the notebook;\n"
        "2 not repaired (file left unchanged)",
    )
    p.add_argument("notebook", metavar="NOTEBOOK", help="the notebook with conflict markers")
    p.add_argument("-o", "--output", metavar="OUT", help="write the repaired notebook here (default: in place)")
    p.add_argument("--backup", action="store_true", help="keep the original as NOTEBOOK.orig (or .orig.N)")
    p.add_argument("--marker-size", type=int, default=7, metavar="N", help="marker length for new in-cell conflicts (default 7)")
    args = p.parse_args(argv)

    from nbgit._fs import atomic_write
    from nbgit.merge.blobs import merge_text_conflicts
    from nbgit.merge.conflicts import NoMarkers
    from nbgit.notebook.io import NotebookError, parse

    name = args.notebook
    from nbgit._fs import read_regular

    try:
        data = read_regular(name)  # a regular file: never a device or a FIFO (a committed link to /dev/zero)
    except OSError as exc:
        return fail("fix", f"{name}: cannot read ({exc.strerror or exc})")
    try:
        parse(data)
    except NotebookError:
        pass
    else:
        print(term(f"nbgit fix: {name}: already a valid notebook, nothing to fix (`nbgit conflicts {name}` lists conflicts inside it)"))
        return 0
    try:
        merged, three_way = merge_text_conflicts(data, marker_size=args.marker_size)
    except UnicodeDecodeError:
        return fail("fix", f"{name}: not UTF-8; left unchanged")
    except NoMarkers:
        return fail("fix", f"{name}: not a valid notebook and no git conflict markers in it; left unchanged")
    except NotebookError as exc:
        return fail("fix", f"{name}: {exc.reason}; left unchanged")
    except ValueError as exc:
        return fail("fix", f"{name}: {exc}; left unchanged")
    target = args.output or name
    try:
        if args.backup:
            backup = _free_name(name + ".orig")
            atomic_write(backup, data)
            print(term(f"nbgit fix: original kept as {backup}"))
        atomic_write(target, merged.data)
    except OSError as exc:
        return fail("fix", f"{target}: cannot write ({exc.strerror or exc}); left unchanged")
    how = "a three-way merge" if three_way else "a two-way merge (the markers have no ||||||| base parts)"
    if merged.clean:
        print(term(f"nbgit fix: {target}: repaired by {how}; no conflict left"))
        return 0
    n = len(merged.conflicts)
    print(term(f"nbgit fix: {target}: repaired by {how}; {n} conflict{'s' if n > 1 else ''} left inside the notebook:"))
    for c in merged.conflicts:
        print(term(f"  {c}"))
    return 1


def _free_name(path: str) -> str:
    if not os.path.exists(path):
        return path
    n = 1
    while os.path.exists(f"{path}.{n}"):
        n += 1
    return f"{path}.{n}"
