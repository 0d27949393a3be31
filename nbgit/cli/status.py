"""nbgit status: what is installed where, and whether git will actually use it."""

from __future__ import annotations

import os
import shlex

from nbgit.cli import parser as make_parser
from nbgit._escape import term


def main(argv: list[str]) -> int:
    p = make_parser(
        "status",
        "Show nbgit's git config (with the file each entry comes from), the attributes git\n"
        "applies to *.ipynb here, and other notebook tools configured alongside.",
        epilog="exit status: 0 when git will run nbgit's drivers for notebooks here, 1 otherwise;\n"
        "2 outside a git work tree or when git cannot read its config",
    )
    p.parse_args(argv)

    from nbgit.cli import fail
    from nbgit.git.install import CONFIG_KEYS_RE, driver_config, effective_attributes, other_tools
    from nbgit.git.repo import GitError, config_get_all, toplevel

    try:
        toplevel()  # what applies "here" needs a work tree (as every other command)
        entries = config_get_all(CONFIG_KEYS_RE)
    except GitError as exc:
        return fail("status", str(exc))
    ok = True
    if not entries:
        print("config: nbgit is not configured (run `nbgit install`)")
        ok = False
    else:
        print("config:")
        for origin, key, value in entries:
            print(term(f"  {key} = {value}    [{origin}]"))
        present = {k for _, k, _ in entries}
        missing = [k for k, _ in driver_config() if k not in present]
        if missing:
            print(term(f"  missing: {', '.join(missing)} (run `nbgit install` again)"))
            ok = False
        for _, key, value in entries:
            if key.endswith((".process", ".clean", ".textconv", ".driver")):
                try:
                    exe = shlex.split(value)[0]
                except (ValueError, IndexError):
                    continue
                if os.path.isabs(exe) and not os.access(exe, os.X_OK):
                    print(term(f"  broken: {key} runs {exe}, which no longer exists (venv deleted?): run `nbgit install` again"))
                    ok = False
    try:
        attrs = effective_attributes()
    except GitError as exc:
        return fail("status", str(exc))
    print("attributes for *.ipynb here: " + " ".join(f"{k}={v}" for k, v in attrs.items()))
    roles = {"filter": "the clean filter", "diff": "the diff driver (textconv)", "merge": "the merge driver"}
    for attr, role in roles.items():
        if attrs.get(attr) != "nbgit":
            print(f"  {role} is not active for notebooks ({attr}={attrs.get(attr)}): run `nbgit install`, "
                  "or see `nbgit doctor` for what overrides it")
            ok = False
    for line in other_tools():
        print(term(f"also configured: {line}"))
    return 0 if ok else 1
