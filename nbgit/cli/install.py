"""nbgit install: register the drivers in git config and the attributes line for *.ipynb."""

from __future__ import annotations

import os
import sys

from nbgit.cli import parser as make_parser
from nbgit._escape import term


def scope_options(p) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--global", dest="scope", action="store_const", const="global", help="for every repository of this user")
    g.add_argument("--system", dest="scope", action="store_const", const="system", help="for every user of this machine")
    p.set_defaults(scope="local")
    a = p.add_mutually_exclusive_group()
    a.add_argument("--attributes", metavar="FILE", help="attributes file to write (default: .gitattributes at the repository root)")
    a.add_argument("--info", action="store_true", help="write .git/info/attributes (this clone only, not committed)")


def main(argv: list[str]) -> int:
    p = make_parser(
        "install",
        "Register nbgit in git: the clean filter (filter.nbgit.*), the textconv diff driver\n"
        "(diff.nbgit.*) and the merge driver (merge.nbgit.*), plus the line\n"
        "`*.ipynb filter=nbgit diff=nbgit merge=nbgit` in an attributes file.\n"
        "Safe to run again. Commands point at this Python interpreter.",
        epilog="Existing nbstripout or nbdime settings are reported and left alone.",
    )
    scope_options(p)
    p.add_argument("--hooks", action="store_true", help="also add post-checkout, post-merge and post-commit hooks "
                   "that run `nbgit sync` (jupytext pairs) and `nbgit refresh` (re-run notebooks git would list as "
                   "modified); this repository only; an existing hook gets a marked block")
    p.add_argument("--diff-command", action="store_true", help="also set diff.nbgit.command so that `git diff` "
                   "shows notebooks with `nbgit diff` (cell-aware, coloured; replaces the textconv text; "
                   "`git diff --no-ext-diff` skips it)")
    args = p.parse_args(argv)
    if args.hooks and args.scope != "local":
        p.error("--hooks works per repository; it cannot be combined with --global or --system")

    from nbgit.git.install import (
        attributes_path,
        attributes_root,
        attributes_target,
        driver_config,
        effective_attributes,
        other_tools,
        set_config,
        write_attributes,
    )
    from nbgit.git.repo import GitError

    try:
        path = attributes_path(args.scope, args.attributes, args.info)
        root = attributes_root(args.scope, args.attributes, args.info)
        attributes_target(path, root)  # checked before anything is written: no half-done install
        changed = set_config(args.scope, driver_config())
        if args.diff_command:
            from nbgit.git.install import diff_command_entry

            changed += set_config(args.scope, [diff_command_entry()])
        attrs_changed = write_attributes(path, root)
    except (GitError, OSError) as exc:
        hint = " (run it inside a clone, or use --global)" if args.scope == "local" and "work tree" in str(exc) else ""
        from nbgit.cli import fail

        return fail("install", f"{exc}{hint}")
    where = {"local": "this repository's .git/config", "global": "your global git config", "system": "the system git config"}[args.scope]
    if changed or attrs_changed:
        print(term(f"nbgit: drivers written to {where}" + (f"; attributes line added to {path}" if attrs_changed else f"; {path} already up to date")))
    else:
        print(term(f"nbgit: already installed ({where}, {path})"))
    from nbgit.git.install import HOOK_NAMES

    hook_names: tuple[str, ...] = HOOK_NAMES if args.hooks else ()
    if not args.hooks and args.scope == "local":
        # hooks an earlier `install --hooks` wrote are brought up to date too (only those): an
        # older block may run `python -m nbgit`, which imports a committed nbgit/ package
        from nbgit.git.install import outdated_hooks

        try:
            hook_names = tuple(os.path.basename(p) for p in outdated_hooks())
        except (GitError, OSError):
            hook_names = ()
    if hook_names:
        from nbgit.git.install import HookError, install_hooks

        try:
            written = install_hooks(names=hook_names)
        except (HookError, GitError, OSError) as exc:
            from nbgit.cli import fail

            return fail("install", f"--hooks: {exc}")
        names = ", ".join(os.path.basename(h) for h in written)
        print(term(f"nbgit: hooks {names} now run `nbgit sync` and `nbgit refresh`") if written else "nbgit: hooks already installed")
    try:
        others = other_tools()
        attrs = effective_attributes()
    except GitError:
        return 0  # --global/--system outside a repository: nothing to check here
    for line in others:
        print(term(f"nbgit: note: also configured here: {line} (left in place)"))
    losing = {k: v for k, v in attrs.items() if v != "nbgit" and k in ("filter", "diff", "merge") and f"{k}=nbgit" in _line()}
    if losing:
        desc = " ".join(f"{k}={v}" for k, v in losing.items())
        print(
            f"nbgit install: warning: git still uses {desc} for *.ipynb: a higher-priority attributes file "
            "(.git/info/attributes, or a .gitattributes in a subfolder) overrides nbgit's line; "
            "remove that line or run `nbgit install --info`.",
            file=sys.stderr,
        )
        return 1
    if args.attributes is None and not args.info and args.scope == "local" and attrs_changed:
        print("nbgit: commit .gitattributes so that everyone who clones gets the same drivers (each runs `nbgit install` once).")
    return 0


def _line() -> str:
    from nbgit.git.install import attributes_line

    return attributes_line()
