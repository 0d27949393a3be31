"""nbgit review on real git repositories: revisions, paths, statuses, outputs, errors."""

from __future__ import annotations

import json
import os

from nbfactory import code_cell, image, jupyter_bytes, markdown_cell, notebook, stream


def nb(*sources: str, outputs: dict | None = None) -> bytes:
    outputs = outputs or {}
    cells = [code_cell(s, id=f"c{i}", outputs=outputs.get(i)) for i, s in enumerate(sources)]
    n = notebook(cells)
    n["metadata"]["language_info"].pop("version")
    return jupyter_bytes(n)


def review(repo, *args, check=True):
    return repo.nbgit("review", *args, check=check)


def test_default_is_work_tree_vs_head(repo):
    repo.write("a.ipynb", nb("x = 1\n", "y = 2\n"))
    repo.commit("one")
    repo.write("a.ipynb", nb("x = 1\n", "y = 3\n"))
    proc = review(repo)
    md = proc.stdout.decode()
    assert md.startswith("## Notebook review: `HEAD (") and ")` → `working tree`\n" in md
    assert "-y = 2\n+y = 3\n" in md
    assert "1 notebook changed" in proc.stderr.decode()


def test_range_forms_agree_and_write_files(repo):
    repo.write("a.ipynb", nb("x = 1\n"))
    repo.commit("one")
    repo.git("tag", "base")
    repo.write("a.ipynb", nb("x = 2\n"))
    repo.write("sub/b.ipynb", nb("new = True\n"))
    repo.commit("two")
    review(repo, "base..HEAD", "--markdown", "r1.md", "--html", "r1.html")
    review(repo, "base", "HEAD", "--markdown", "r2.md")
    review(repo, "base...HEAD", "--markdown", "r3.md")
    r1, r2 = repo.read("r1.md").decode(), repo.read("r2.md").decode()
    assert r1 == r2
    assert repo.read("r3.md").decode().split("\n", 1)[1] == r1.split("\n", 1)[1]  # same body, merge-base label
    assert "| <code>sub/b&#46;ipynb</code> | added | 1 |" in r1
    assert "| <code>a&#46;ipynb</code> | modified |" in r1
    umask = os.umask(0)
    os.umask(umask)
    assert (repo.path / "r1.html").stat().st_mode & 0o777 == 0o666 & ~umask  # like any new file, not 0600
    html = repo.read("r1.html").decode()
    assert html.startswith("<!DOCTYPE html>") and "sub/b.ipynb" in html and "a.ipynb" in html


def test_paths_limit_the_review(repo):
    repo.write("keep/a.ipynb", nb("a = 1\n"))
    repo.write("skip/b.ipynb", nb("b = 1\n"))
    repo.commit("one")
    repo.write("keep/a.ipynb", nb("a = 2\n"))
    repo.write("skip/b.ipynb", nb("b = 2\n"))
    md = review(repo, "HEAD", "--", "keep").stdout.decode()
    assert "keep/a" in md and "skip/b" not in md


def test_deleted_and_renamed(repo):
    repo.write("old.ipynb", nb("".join(f"line_{i} = {i}\n" for i in range(30))))
    repo.write("gone.ipynb", nb("bye()\n"))
    repo.commit("one")
    repo.git("mv", "old.ipynb", "new.ipynb")
    repo.git("rm", "-q", "gone.ipynb")
    repo.commit("two")
    md = review(repo, "HEAD~1..HEAD").stdout.decode()
    assert "| <code>gone&#46;ipynb</code> | deleted | 0 | 1 |" in md
    assert "renamed from <code>old&#46;ipynb</code>" in md


def test_outputs_are_reviewed_where_the_repo_keeps_them(repo):
    repo.write("plot.ipynb", nb("plot()\n", outputs={0: [image(1)]}))
    repo.commit("one")
    repo.write("plot.ipynb", nb("plot()\n", outputs={0: [stream("warning\n"), image(2)]}))
    repo.commit("two")
    review(repo, "HEAD~1..HEAD", "--html", "r.html", "--markdown", "r.md")
    md = repo.read("r.md").decode()
    assert "| <code>plot&#46;ipynb</code> | modified | 0 | 0 | 0 | 0 | 1 |" in md
    assert "+[stream: stdout]" in md
    html = repo.read("r.html").decode()
    assert html.count("data:image/png;base64,") == 1 and "picture unchanged" in html  # the same picture: once
    assert 'class="flip"' in html  # the text outputs, before and after


def test_work_tree_is_cleaned_where_the_filter_applies(installed_repo):
    repo = installed_repo
    repo.write("a.ipynb", nb("x = 1\n", "y = 2\n", outputs={0: [stream("1\n")]}))
    repo.commit("one", "a.ipynb", ".gitattributes")
    # only new outputs: nothing git would commit, nothing to review
    repo.write("a.ipynb", nb("x = 1\n", "y = 2\n", outputs={0: [stream("1\n")], 1: [stream("2\n")]}))
    assert "No notebook changed." in review(repo).stdout.decode()
    # a source change is reviewed, the uncommittable outputs are not
    repo.write("a.ipynb", nb("x = 1\n", "y = 3\n", outputs={1: [stream("3\n")]}))
    md = review(repo).stdout.decode()
    assert "-y = 2\n+y = 3\n" in md and "outputs" not in md.split("</summary>", 1)[1]


def test_unreadable_notebook_is_reported_not_fatal(repo):
    repo.write("bad.ipynb", b'{"cells": [')
    repo.write("good.ipynb", nb("g = 1\n"))
    repo.commit("one")
    repo.write("bad.ipynb", b'{"cells": [}')
    repo.write("good.ipynb", nb("g = 2\n"))
    proc = review(repo, "--markdown", "r.md")
    assert "1 unreadable" in proc.stderr.decode()
    md = repo.read("r.md").decode()
    assert "unreadable (base&#58;<wbr> invalid JSON" in md and "+g = 2" in md


def test_nbformat3_side_is_upgraded(repo):
    v3 = {
        "metadata": {"name": ""},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [{"cells": [{"cell_type": "code", "input": "a = 1", "language": "python", "outputs": []}]}],
    }
    repo.write("old.ipynb", json.dumps(v3, indent=1) + "\n")
    repo.commit("one")
    repo.write("old.ipynb", nb("a = 2\n"))
    md = review(repo).stdout.decode()
    assert "-a = 1\n+a = 2\n" in md


def test_errors_are_one_line(repo, tmp_path):
    repo.write("a.ipynb", nb("x\n"))
    repo.commit("one")
    proc = review(repo, "nope..HEAD", check=False)
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == "nbgit review: error: unknown revision 'nope'"
    proc = review(repo, "--html", str(tmp_path / "no" / "such" / "dir" / "r.html"), check=False)
    assert proc.returncode == 2 and "cannot write" in proc.stderr.decode() and "Traceback" not in proc.stderr.decode()
    outside = tmp_path / "outside"
    outside.mkdir()
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "nbgit", "review"], cwd=outside, capture_output=True, text=True)
    assert proc.returncode == 2 and "not inside a git repository" in proc.stderr


def test_markdown_cells_rendered_in_html(repo):
    n = notebook([markdown_cell("# Title\n\nSome *words*\n", id="m")])
    repo.write("m.ipynb", jupyter_bytes(n))
    repo.commit("one")
    n = notebook([markdown_cell("# Title\n\nSome **words** <b>raw</b>\n", id="m")])
    repo.write("m.ipynb", jupyter_bytes(n))
    review(repo, "--html", "r.html")
    html = repo.read("r.html").decode()
    assert "<em>words</em>" in html and "<strong>words</strong> &lt;b&gt;raw&lt;/b&gt;" in html


def test_help_names_the_forms(repo):
    out = review(repo, "--help").stdout.decode()
    for form in ("BASE..HEAD", "BASE...HEAD", "--html FILE", "--markdown FILE", "gh pr comment"):
        assert form in out


def test_markdown_to_stdout_with_a_smaller_bound(repo):
    repo.write("big.ipynb", nb(*[f"v{i} = {i}\n" for i in range(300)]))
    repo.commit("one")
    repo.write("big.ipynb", nb(*[f"v{i} = {i + 1}\n" for i in range(300)]))
    proc = review(repo, "--markdown", "-", "--max-chars", "5000", "--html", "r.html")
    md = proc.stdout.decode()
    assert len(md) < 5000 and "Truncated" in md and "the HTML review has everything" in md
    assert (repo.path / "r.html").exists()
    bad = review(repo, "--max-chars", "10", check=False)
    assert bad.returncode == 2 and "--max-chars" in bad.stderr.decode()
