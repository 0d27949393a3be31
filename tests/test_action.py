"""The GitHub Action (action.yml): its `run:` steps, run with bash in a real repository.

GitHub is not reachable here, so the steps run as the runner would run them: the YAML is parsed,
``${{ ... }}`` expressions in ``env:`` are evaluated against a pull-request context, each step
gets its own ``GITHUB_OUTPUT`` file, and ``gh`` is a fake on PATH that records its calls and keeps
the pull request's comments in a JSON file. ``uses:`` steps (upload-artifact) are checked, not run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nbfactory import code_cell, jupyter_bytes, markdown_cell, notebook

ACTION = Path(__file__).resolve().parent.parent / "action.yml"
MARKER = "<!-- nbgit-review -->"

FAKE_GH = r'''#!PYTHON
"""A fake `gh`: records each call, keeps issue comments in $FAKE_GH_STATE (a JSON list)."""
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps(args) + "\n")
state_file = os.environ["FAKE_GH_STATE"]
comments = json.load(open(state_file)) if os.path.exists(state_file) else []
if os.environ.get("FAKE_GH_FAIL"):
    print("HTTP 403: Resource not accessible by integration", file=sys.stderr)
    sys.exit(1)
assert args[0] == "api", args
method = args[args.index("--method") + 1] if "--method" in args else "GET"
path = next(a for a in args[1:] if a.startswith("repos/"))
if method == "GET":
    jq = args[args.index("--jq") + 1]
    marker = "<!-- nbgit-review -->"
    assert "startswith" in jq and marker in jq, jq
    for c in comments:
        if c["body"].startswith(marker):
            print(c["id"])
    sys.exit(0)
field = args[args.index("-F") + 1]
assert field.startswith("body=@"), field
body = open(field[len("body=@"):]).read()
if method == "POST":
    comments.append({"id": 1000 + len(comments), "body": body})
else:
    cid = int(path.rsplit("/", 1)[1])
    for c in comments:
        if c["id"] == cid:
            c["body"] = body
json.dump(comments, open(state_file, "w"))
print("{}")
'''


def evaluate(expr: str, ctx: dict) -> str:
    """The few expression forms action.yml uses: dotted names, 'strings', and a || b || ..."""
    for part in (p.strip() for p in expr.split("||")):
        if part.startswith("'") and part.endswith("'"):
            value = part[1:-1]
        else:
            value = ctx
            for key in part.split("."):
                value = value.get(key, "") if isinstance(value, dict) else ""
        if value not in ("", None):
            return str(value)
    return ""


def substitute(text: str, ctx: dict) -> str:
    return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", lambda m: evaluate(m.group(1), ctx), str(text))


class Runner:
    def __init__(self, repo, tmp: Path):
        self.repo = repo
        self.tmp = tmp
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        gh = bin_dir / "gh"
        gh.write_text(FAKE_GH.replace("PYTHON", sys.executable))
        gh.chmod(0o755)
        nbgit = bin_dir / "nbgit"  # the nbgit under test, as `pip install` would put it on PATH
        nbgit.write_text(f"#!/bin/sh\nexec {sys.executable} -m nbgit \"$@\"\n")
        nbgit.chmod(0o755)
        self.path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
        self.log = tmp / "gh.log"
        self.state = tmp / "comments.json"

    def calls(self) -> list[list[str]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []

    def comments(self) -> list[dict]:
        return json.loads(self.state.read_text()) if self.state.exists() else []

    def run(self, inputs: dict, base: str, head: str, env: dict | None = None) -> list[dict]:
        action = yaml.safe_load(ACTION.read_text())
        assert action["runs"]["using"] == "composite"
        values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
        values.update(inputs)
        temp = self.tmp / f"runner-{len(list(self.tmp.glob('runner-*')))}"
        temp.mkdir()
        ctx = {
            "inputs": values,
            "github": {
                "action_path": str(ACTION.parent),
                "repository": "team/analysis",
                "token": "t0ken",
                "event": {"pull_request": {"number": 7, "base": {"sha": base}, "head": {"sha": head}}},
            },
            "runner": {"temp": str(temp)},
            "steps": {},
        }
        summary = temp / "summary.md"
        results = []
        for n, step in enumerate(action["runs"]["steps"]):
            if "uses" in step:
                with_ = {k: substitute(v, ctx) for k, v in step.get("with", {}).items()}
                results.append({"name": step["name"], "uses": step["uses"], "with": with_})
                continue
            assert step["shell"] == "bash"
            output = temp / f"output-{n}"
            output.write_text("")
            step_env = {k: substitute(v, ctx) for k, v in step.get("env", {}).items()}
            proc = subprocess.run(
                ["bash", "-e", "-c", step["run"]], cwd=self.repo.path, capture_output=True, text=True,
                env={**os.environ, "PATH": self.path, "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
                     "FAKE_GH_LOG": str(self.log), "FAKE_GH_STATE": str(self.state), **step_env, **(env or {})},
            )
            outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
            if "id" in step:
                ctx["steps"][step["id"]] = {"outputs": outputs}
            results.append({"name": step["name"], "code": proc.returncode, "out": proc.stdout, "err": proc.stderr})
            if proc.returncode != 0:
                break  # the runner stops at a failing step
        return results


BASE = notebook([markdown_cell("# Sales\n", id="m"), code_cell("df = load()\n", id="c")])


@pytest.fixture
def pr(repo, tmp_path):
    """A repository with a base commit and a pull-request commit that edits a notebook."""
    repo.nbgit("install")
    repo.write("analysis.ipynb", jupyter_bytes(BASE))
    repo.commit("base")
    base = repo.out("rev-parse", "HEAD").strip()
    head_nb = json.loads(json.dumps(BASE))
    head_nb["cells"][1]["source"] = "df = load(cache=True)\n"
    repo.write("analysis.ipynb", jupyter_bytes(head_nb))
    repo.commit("pr")
    head = repo.out("rev-parse", "HEAD").strip()
    return repo, base, head, Runner(repo, tmp_path)


def test_action_reviews_uploads_and_keeps_one_comment(pr):
    repo, base, head, runner = pr
    steps = runner.run({"install": ""}, base, head)
    assert [s.get("code", 0) for s in steps] == [0] * len(steps), steps
    upload = next(s for s in steps if "uses" in s)
    assert upload["uses"].startswith("actions/upload-artifact@")
    html = Path(upload["with"]["path"])
    assert html.name == "notebook-review.html" and "<html" in html.read_text()[:300].lower()
    comments = runner.comments()
    assert len(comments) == 1 and comments[0]["body"].startswith(MARKER + "\n")
    assert "+df = load(cache=True)" in comments[0]["body"]
    calls = runner.calls()
    assert calls[0][:2] == ["api", "repos/team/analysis/issues/7/comments"]  # look for our comment first
    assert calls[1][:4] == ["api", "--method", "POST", "repos/team/analysis/issues/7/comments"] and len(calls) == 2

    # another push: the same comment is updated, no second one
    later = json.loads(json.dumps(BASE))
    later["cells"][1]["source"] = "df = load(cache=False)\n"
    repo.write("analysis.ipynb", jupyter_bytes(later))
    repo.commit("pr, again")
    head2 = repo.out("rev-parse", "HEAD").strip()
    steps = runner.run({"install": ""}, base, head2)
    assert all(s.get("code", 0) == 0 for s in steps), steps
    comments = runner.comments()
    assert len(comments) == 1 and "+df = load(cache=False)" in comments[0]["body"]
    assert runner.calls()[-1][:4] == ["api", "--method", "PATCH", f"repos/team/analysis/issues/comments/{comments[0]['id']}"]


def test_action_annotates_notebook_problems_and_fails_at_the_end(pr):
    repo, base, head, runner = pr
    repo.write("broken.ipynb", b'{"cells": [')  # the filter passes it through; check reports it
    repo.commit("broken notebook")
    steps = runner.run({"install": "", "comment": "false"}, base, repo.out("rev-parse", "HEAD").strip())
    check = next(s for s in steps if s["name"] == "Check notebooks")
    assert "::error file=broken.ipynb," in check["out"]
    assert steps[-1]["name"] == "Fail on notebook problems" and steps[-1]["code"] == 1
    assert any("uses" in s for s in steps)  # the review was still made and uploaded
    assert runner.calls() == []  # comment: false


def test_a_read_only_token_warns_instead_of_failing(pr):
    repo, base, head, runner = pr
    steps = runner.run({"install": ""}, base, head, env={"FAKE_GH_FAIL": "1"})
    comment = next(s for s in steps if s["name"] == "Comment on the pull request")
    assert comment["code"] == 0 and "::warning" in comment["out"]
    assert steps[-1]["code"] == 0


def test_paths_limit_the_review():
    action = yaml.safe_load(ACTION.read_text())
    review = next(s for s in action["runs"]["steps"] if s.get("id") == "review")
    assert '-- $PATHS' in review["run"] and "inputs.paths" in review["env"]["PATHS"]
    assert set(action["inputs"]) >= {"base", "head", "paths", "comment"}
