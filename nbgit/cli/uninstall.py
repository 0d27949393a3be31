"""nbgit uninstall: remove nbgit's git config and its attributes line."""

from __future__ import annotations

import sys

from nbgit.cli import parser as make_parser
from nbgit.cli.install import scope_options
from nbgit._escape import term


def main(argv: list[str]) -> int:
    p = make_parser(
        "uninstall",
        "Remove what `nbgit install` wrote: the filter.nbgit, diff.nbgit and merge.nbgit config\n"
        "sections and nbgit's line in the attributes file. Other tools' settings are not touched.",
    )
    scope_options(p)
    args = p.parse_args(argv)

    from nbgit.git.install import attributes_path, attributes_root, attributes_target, remove_attributes, unset_config
    from nbgit.git.repo import GitError

    try:
        path = attributes_path(args.scope, args.attributes, args.info)
        root = attributes_root(args.scope, args.attributes, args.info)
        attributes_target(path, root)  # checked before anything is changed
        removed = unset_config(args.scope)
        attrs_removed = remove_attributes(path, root)
    except (GitError, OSError) as exc:
        hint = " (run it inside a clone, or use --global)" if args.scope == "local" and "work tree" in str(exc) else ""
        from nbgit.cli import fail

        return fail("uninstall", f"{exc}{hint}")
    hooks_removed = []
    if args.scope == "local":
        from nbgit.git.install import remove_hooks

        try:
            hooks_removed = remove_hooks()
        except (GitError, OSError):
            pass
    for hook in hooks_removed:
        print(term(f"nbgit: removed nbgit's block from {hook}"))
    if hooks_removed and not removed and not attrs_removed:
        return 0
    if not removed and not attrs_removed:
        print("nbgit: nothing to remove (nbgit was not installed here)")
        return 0
    if removed:
        print(term(f"nbgit: removed config sections {', '.join(removed)}"))
    if attrs_removed:
        print(term(f"nbgit: removed nbgit's line from {path}"))
        if args.scope == "local" and not args.info and not args.attributes:
            print("nbgit: commit the change to .gitattributes, so that other clones stop routing notebooks to nbgit")
    return 0
