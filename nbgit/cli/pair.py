"""nbgit pair: pair notebooks with jupytext text files."""

from __future__ import annotations

import os

from nbgit.cli import fail, parser as make_parser
from nbgit._escape import term

DESCRIPTION = """\
Pair notebooks with a jupytext text file beside them (nb.ipynb -> nb.py) and record the
pairing the way jupytext does (metadata.jupytext.formats = "ipynb,py:percent"), so Jupyter's
jupytext extension keeps both files up to date while you work, and `nbgit sync` does it after
git has changed either file. An existing text file that differs from the notebook is never
overwritten. Pairing a notebook that is already paired in that format only syncs it.

With no NOTEBOOK: every notebook of the repository that is not paired yet, in the format
set by `pair = "py:percent"` under [tool.nbgit] (pyproject.toml or .nbgit.toml)."""

EPILOG = """\
formats: py:percent (# %% cells), py:light, md (jupytext markdown), md:myst (MyST markdown)
exit status: 0 paired; 2 a notebook could not be paired (the message says why: a NOTEBOOK that
  does not exist or cannot be read, a text file beside it that differs), a usage or config error,
  or the sync record cannot be written"""


def main(argv: list[str]) -> int:
    from nbgit.pair.formats import PAIR_FORMATS

    p = make_parser("pair", DESCRIPTION, EPILOG)
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="notebooks (.ipynb) to pair")
    p.add_argument("--format", choices=PAIR_FORMATS, help="text format (default: [tool.nbgit] pair, else py:percent)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    args = p.parse_args(argv)

    from nbgit.notebook.config import ConfigError, load_config
    from nbgit.pair.formats import DEFAULT_FORMAT
    from nbgit.pair.state import Stores
    from nbgit.pair.sync import find_pairs, locate_repo, pair_notebook

    toplevel, git_dir = locate_repo(".")
    try:
        config = load_config(toplevel or ".")
    except ConfigError as exc:
        return fail("pair", str(exc))
    fmt = args.format or config.pair or DEFAULT_FORMAT
    stores = Stores(git_dir, toplevel)
    status = 0
    if args.notebooks:
        for name in args.notebooks:
            if not name.endswith(".ipynb"):
                return fail("pair", f"{name}: not a notebook (.ipynb)")
            if not os.path.lexists(name):
                return fail("pair", f"{name}: no such file or directory")
        targets = args.notebooks
    else:
        if not config.pair and not args.format:
            return fail("pair", "name the notebooks to pair, or set pair = \"py:percent\" under [tool.nbgit] "
                        "to pair every notebook of the repository")
        found = find_pairs([], stores, toplevel)
        targets = found.unpaired
        for problem in found.problems:
            status = fail("pair", problem.problem)
    for name in targets:
        outcome = pair_notebook(name, fmt, stores)
        rel_nb, rel_text = os.path.relpath(outcome.pair.ipynb), os.path.relpath(outcome.pair.text)
        if outcome.error or outcome.problem and not outcome.wrote:
            status = max(status, fail("pair", outcome.problem, code=2 if outcome.error else 1))
            continue
        if not args.quiet:
            if outcome.paired:
                print(term(f"paired {rel_nb} with {rel_text} ({outcome.pair.fmt})"))
            elif outcome.wrote:
                src, dst = (rel_text, rel_nb) if outcome.wrote == outcome.pair.ipynb else (rel_nb, rel_text)
                print(term(f"{rel_nb}: already paired; synced {src} -> {dst}"))
            else:
                print(term(f"{rel_nb}: already paired with {rel_text}, in sync"))
        if outcome.problem:
            print(term(f"nbgit pair: {outcome.problem}"))
    try:
        stores.save()
    except OSError as exc:
        return fail("pair", f"cannot write the sync record: {exc}")
    if not targets and not args.quiet:
        print("nbgit pair: every notebook is already paired")
    return status
