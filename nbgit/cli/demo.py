"""nbgit demo: nbgit at work in a throwaway repository, checking every claim it shows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import resources

from nbgit.cli import parser as make_parser
from nbgit.cli._term import Painter, use_color

NOTEBOOK = "analysis.ipynb"


class Demo:
    def __init__(self, root: str, paint: Painter):
        self.root = root
        self.paint = paint
        self.failures: list[str] = []
        self.step_no = 0
        # The demo's git sees neither the user's global nor system config: same result everywhere.
        self.env = {
            **os.environ,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "nbgit demo",
            "GIT_AUTHOR_EMAIL": "demo@nbgit.invalid",
            "GIT_COMMITTER_NAME": "nbgit demo",
            "GIT_COMMITTER_EMAIL": "demo@nbgit.invalid",
            "GIT_PAGER": "cat",
        }
        for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_EXTERNAL_DIFF"):
            self.env.pop(var, None)

    # -- output -------------------------------------------------------------------------------

    def step(self, title: str) -> None:
        self.step_no += 1
        print()
        print(self.paint(f"== {self.step_no}. {title}", "bold", "cyan"))

    def say(self, text: str) -> None:
        for line in text.rstrip("\n").splitlines():
            print(f"   {line}")

    def shell(self, display: str) -> None:
        print(self.paint(f"   $ {display}", "dim"))

    def check(self, ok: bool, text: str) -> bool:
        mark = self.paint("ok", "green") if ok else self.paint("FAILED", "red", "bold")
        print(f"   [{mark}] {text}")
        if not ok:
            self.failures.append(text)
        return ok

    # -- running ------------------------------------------------------------------------------

    def run(self, *args: str, show: bool = False, check: bool = True, display: str | None = None) -> subprocess.CompletedProcess:
        if show:
            self.shell(display or " ".join(args))
        proc = subprocess.run(list(args), cwd=self.root, env=self.env, capture_output=True, text=True)
        if show:
            out = (proc.stdout + proc.stderr).rstrip("\n")
            if out:
                self.say(out)
        if check and proc.returncode != 0:
            raise DemoError(f"`{' '.join(args)}` failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()}")
        return proc

    def git(self, *args: str, **kw) -> subprocess.CompletedProcess:
        kw.setdefault("display", "git " + " ".join(args))
        return self.run("git", *args, **kw)

    def nbgit(self, *args: str, **kw) -> subprocess.CompletedProcess:
        kw.setdefault("display", "nbgit " + " ".join(args))
        return self.run(sys.executable, "-m", "nbgit", *args, **kw)

    def load(self, name: str = NOTEBOOK) -> dict:
        with open(os.path.join(self.root, name), encoding="utf-8") as fh:
            return json.load(fh)

    def save(self, nb: dict, name: str = NOTEBOOK) -> None:
        with open(os.path.join(self.root, name), "w", encoding="utf-8") as fh:
            fh.write(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")

    # -- the story ----------------------------------------------------------------------------

    def setup(self) -> None:
        self.step("A throwaway repository with a notebook that has outputs")
        self.git("init", "-q")
        self.git("checkout", "-q", "-b", "main")
        data = resources.files("nbgit.demo").joinpath(NOTEBOOK).read_bytes()
        with open(os.path.join(self.root, NOTEBOOK), "wb") as fh:
            fh.write(data)
        nb = json.loads(data)
        self.bundled_outputs = _count_outputs(nb)
        self.say(f"{self.root}/{NOTEBOOK}: {len(nb['cells'])} cells, {_count_outputs(nb)} outputs "
                 f"(one PNG plot), {len(data) / 1000:.1f} kB, execution counts and timing metadata")

    def install(self) -> None:
        self.step("nbgit install: git config plus one line in .gitattributes")
        self.nbgit("install", show=True)
        self.shell("cat .gitattributes")
        with open(os.path.join(self.root, ".gitattributes"), encoding="utf-8") as fh:
            self.say(fh.read())

    def commit_clean(self) -> None:
        self.step("git add + git commit: the notebook enters git clean")
        self.git("add", ".gitattributes", NOTEBOOK, show=True)
        self.git("commit", "-q", "-m", "Add sales analysis", show=True)
        blob = self.git("show", f"HEAD:{NOTEBOOK}").stdout
        committed = json.loads(blob)
        work = self.load()
        self.say(f"committed blob: {len(blob.encode()) / 1000:.1f} kB; working copy: "
                 f"{os.path.getsize(os.path.join(self.root, NOTEBOOK)) / 1000:.1f} kB")
        self.check(_count_outputs(committed) == 0, "the committed notebook has no outputs")
        self.check(all(c.get("execution_count") is None for c in committed["cells"] if c["cell_type"] == "code"),
                   "execution counts are cleared")
        self.check("widgets" not in committed["metadata"]
                   and "version" not in committed["metadata"].get("language_info", {})
                   and not any("ExecuteTime" in c["metadata"] or "scrolled" in c["metadata"] for c in committed["cells"]),
                   "volatile metadata (widgets, ExecuteTime, scrolled, language version) is gone")
        self.check([c.get("id") for c in committed["cells"]] == [c.get("id") for c in work["cells"]],
                   "cell ids are kept as they are")
        self.check(_count_outputs(work) == self.bundled_outputs > 0, "your working copy keeps its outputs")

    def status_stays_clean(self) -> None:
        self.step("Saving and re-running the notebook are not changes")
        os.utime(os.path.join(self.root, NOTEBOOK))
        status = self.git("status", "--short", show=True).stdout
        self.check(status.strip() == "", "after a save without edits, git status is clean")
        nb = self.load()
        for n, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
            cell["execution_count"] = 40 + n
            cell["metadata"]["ExecuteTime"] = {"end_time": "2026-11-27T09:00:00.000Z"}
            for out in cell["outputs"]:
                if "execution_count" in out:
                    out["execution_count"] = 40 + n
        self.save(nb)
        self.say("(re-ran every cell: new execution counts, timings and outputs)")
        diff = self.git("diff", "--stat", show=True).stdout
        self.check(diff.strip() == "", "git diff shows no change after a re-run")
        self.git("add", NOTEBOOK, show=True)
        status = self.git("status", "--short", show=True).stdout
        self.check(status.strip() == "", "nothing to commit")
        self.say("(until that `git add`, git status may list a re-run notebook whose file size changed:\n"
                 " git trusts a size change without asking the filter; git diff and git add do ask)")

    def diff(self) -> None:
        self.step("git diff of an edited notebook: cell by cell, outputs left out")
        nb = self.load()
        for cell in nb["cells"]:
            if cell.get("id") == "growth":
                cell["source"] = ["growth = (sales[-1] - sales[0]) / sales[0]\n", "print(f\"growth over the year: {growth:.1%}\")"]
                cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": ["growth over the year: 116.7%\n"]}]
                cell["execution_count"] = 9
        nb["cells"].append({"cell_type": "markdown", "id": "conclusion", "metadata": {},
                            "source": ["## Conclusion\n", "\n", "Sales more than doubled."]})
        self.save(nb)
        color = "--color=always" if self.paint.enabled else "--color=never"
        out = self.git("diff", color, show=True, display="git diff").stdout
        self.check("growth over the year" in out and "image/png" not in out and '"execution_count"' not in out,
                   "the diff shows the edited source and the new cell, no JSON and no outputs")
        self.git("commit", "-q", "-am", "Explain the growth")

    def merge(self) -> None:
        self.step("A conflicting merge, resolved cell by cell")
        self.git("checkout", "-q", "-b", "forecast")
        nb = self.load()
        _edit(nb, "summary", ["statistics.median(sales)"])
        _edit(nb, "load", ["sales = [120, 135, 160, 158, 172, 190, 210, 205, 198, 220, 240, 265]\n",
                           "print(f\"loaded {len(sales)} months\")"])
        self.save(nb)
        self.git("commit", "-q", "-am", "Use the median; corrected December", show=True)
        self.git("checkout", "-q", "main")
        nb = self.load()
        _edit(nb, "intro", ["# Sales analysis 2026\n", "\n", "A small notebook that nbgit's demo commits, diffs and merges."])
        _edit(nb, "load", ["sales = [120, 135, 160, 158, 172, 190, 210, 205, 198, 220, 240, 262]\n",
                           "print(f\"loaded {len(sales)} months\")"])
        self.save(nb)
        self.git("commit", "-q", "-am", "Title with the year; December from the final report", show=True)
        proc = self.git("merge", "forecast", check=False, show=True)
        self.check(proc.returncode == 1, "git reports one conflict (exit 1)")
        try:
            merged = self.load()
        except ValueError:
            merged = None
        self.check(merged is not None, "the conflicted notebook is still valid JSON: it opens in Jupyter")
        if merged is None:
            return
        by_id = {c.get("id"): "".join(c["source"]) for c in merged["cells"]}
        self.check(by_id.get("intro", "").startswith("# Sales analysis 2026") and by_id.get("summary") == "statistics.median(sales)",
                   "edits to different cells merged on their own (title from main, median from forecast)")
        self.check("<<<<<<<" in by_id.get("load", ""), "the conflict sits inside the one cell both sides changed")
        self.say("the conflicted cell's source:")
        self.say("\n".join("  " + ln for ln in by_id.get("load", "").splitlines()))
        self.nbgit("conflicts", check=False, show=True)
        _edit(merged, "load", ["sales = [120, 135, 160, 158, 172, 190, 210, 205, 198, 220, 240, 262]\n",
                               "print(f\"loaded {len(sales)} months\")"])
        self.save(merged)
        self.say("(resolved: kept main's December figure)")
        self.git("add", NOTEBOOK, show=True)
        self.git("commit", "-q", "--no-edit", show=True, display="git commit --no-edit")
        self.check(self.git("status", "--short").stdout.strip() == "", "merge committed, working tree clean")


class DemoError(RuntimeError):
    pass


def _count_outputs(nb: dict) -> int:
    return sum(len(c.get("outputs") or []) for c in nb.get("cells", []))


def _edit(nb: dict, cell_id: str, source: list[str]) -> None:
    for cell in nb["cells"]:
        if cell.get("id") == cell_id:
            cell["source"] = source
            return
    raise DemoError(f"demo notebook has no cell {cell_id!r}")


def main(argv: list[str]) -> int:
    p = make_parser(
        "demo",
        "Show nbgit at work in a throwaway git repository: install, a clean commit of a notebook\n"
        "with outputs, a quiet `git status`, a cell-by-cell `git diff` and a cell-aware merge.\n"
        "Nothing outside the temporary folder is touched (your git config is not read or written).",
        epilog="exit status: 0 when every check shown passed, 1 when one failed; 2 no git, or DIR not empty",
    )
    p.add_argument("--keep", action="store_true", help="keep the demo repository and print where it is")
    p.add_argument("--dir", metavar="DIR", help="create the demo repository in DIR (must not exist or be empty)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour output (default: auto)")
    args = p.parse_args(argv)
    from nbgit.cli import fail

    if shutil.which("git") is None:
        return fail("demo", "git is not installed (no `git` on PATH)")
    if args.dir:
        try:
            if os.path.exists(args.dir) and not os.path.isdir(args.dir):
                return fail("demo", f"--dir {args.dir}: exists and is not a directory")
            if os.path.exists(args.dir) and os.listdir(args.dir):
                return fail("demo", f"--dir {args.dir}: exists and is not empty")
            os.makedirs(args.dir, exist_ok=True)
        except OSError as exc:
            return fail("demo", f"--dir {args.dir}: {exc.strerror or exc}")
        root = os.path.abspath(args.dir)
    else:
        root = tempfile.mkdtemp(prefix="nbgit-demo-")
    demo = Demo(root, Painter(use_color(sys.stdout, args.color)))
    try:
        demo.setup()
        demo.install()
        demo.commit_clean()
        demo.status_stays_clean()
        demo.diff()
        demo.merge()
    except DemoError as exc:
        demo.failures.append(str(exc))
        fail("demo", str(exc))
    finally:
        if args.keep or args.dir:
            print(f"\nThe demo repository is kept at {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print()
    if demo.failures:
        print(demo.paint(f"{len(demo.failures)} check(s) failed:", "red", "bold"))
        for f in demo.failures:
            print(f"  - {f}")
        return 1
    print(demo.paint("All checks passed.", "green", "bold") + " Next: `cd your-repo && nbgit install`.")
    return 0
