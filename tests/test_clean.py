"""The normalization rules of issue 2, the layout guarantees, config, and `nbgit clean`."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from nbfactory import (
    code_cell,
    dirty_notebook,
    image,
    jupyter_bytes,
    markdown_cell,
    notebook,
    stream,
    v3_notebook,
)
from nbgit.notebook.clean import clean_bytes, clean_notebook, is_clean
from nbgit.notebook.config import Config, ConfigError, config_from_dict, load_config
from nbgit.notebook.io import NotebookError, detect_layout, parse


def one_code(**kw) -> dict:
    return notebook([code_cell("x = 1\n", outputs=[stream("1\n"), image(4)], count=4, id="a", **kw)])


# --- default rules ------------------------------------------------------------------------------


def test_outputs_and_counts_cleared():
    nb = dirty_notebook(3)
    out = clean_notebook(nb)
    code = [c for c in out["cells"] if c["cell_type"] == "code"]
    assert len(code) == 3
    for cell in code:
        assert cell["outputs"] == []
        assert cell["execution_count"] is None
        assert "execution_count" in cell  # v4 keeps the key, as null
    assert [c["source"] for c in out["cells"]] == [c["source"] for c in nb["cells"]]


@pytest.mark.parametrize("key", ["collapsed", "scrolled", "ExecuteTime", "execution", "heading_collapsed", "hidden"])
def test_volatile_cell_metadata_dropped(key):
    nb = notebook([
        code_cell("x\n", metadata={key: {"nested": 1} if key in ("ExecuteTime", "execution") else True, "tags": ["t"]}),
        markdown_cell("# h\n", metadata={key: True}),
    ])
    out = clean_notebook(nb)
    assert out["cells"][0]["metadata"] == {"tags": ["t"]}
    assert out["cells"][1]["metadata"] == {}


@pytest.mark.parametrize("key", ["widgets", "signature"])
def test_volatile_notebook_metadata_dropped(key):
    nb = notebook([], metadata={key: {"x": 1}, "kernelspec": {"name": "python3"}})
    assert clean_notebook(nb)["metadata"] == {"kernelspec": {"name": "python3"}}


def test_language_info_version_dropped_rest_kept():
    nb = notebook([])
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.7", "file_extension": ".py"}
    out = clean_notebook(nb)
    assert out["metadata"]["language_info"] == {"name": "python", "file_extension": ".py"}
    assert out["metadata"]["kernelspec"] == nb["metadata"]["kernelspec"]


def test_kept_metadata():
    md = {
        "tags": ["parameters", "x"],
        "slideshow": {"slide_type": "slide"},
        "papermill": {"parameters": {"a": 1}},
        "parameters": {"a": 1},
        "editable": False,
        "jupyter": {"source_hidden": True},
    }
    nb = notebook([code_cell("a = 1\n", metadata=copy.deepcopy(md))])
    nb["metadata"]["papermill"] = {"parameters": {"a": 2}}
    out = clean_notebook(nb)
    assert out["cells"][0]["metadata"] == md
    assert out["metadata"]["kernelspec"] == nb["metadata"]["kernelspec"]
    assert out["metadata"]["papermill"] == {"parameters": {"a": 2}}


def test_markdown_and_raw_cells_untouched():
    raw = {"cell_type": "raw", "metadata": {"format": "text/x-rst"}, "source": ["raw"]}
    md = markdown_cell("hello\n", metadata={"tags": ["a"]})
    md["attachments"] = {"a.png": {"image/png": "AAAA"}}
    nb = notebook([raw, md], metadata={})
    assert clean_notebook(nb) == nb
    assert is_clean(nb)


# --- keep rules -----------------------------------------------------------------------------------


def test_keep_output_tag():
    nb = one_code(metadata={"tags": ["keep_output"]})
    out = clean_notebook(nb)["cells"][0]
    assert len(out["outputs"]) == 2
    assert out["outputs"][0] == stream("1\n")
    assert out["outputs"][1]["execution_count"] is None
    assert out["execution_count"] is None


def test_keep_output_metadata_flag():
    nb = one_code(metadata={"keep_output": True})
    out = clean_notebook(nb)["cells"][0]
    assert len(out["outputs"]) == 2 and out["execution_count"] is None
    # only `true` counts
    nb = one_code(metadata={"keep_output": "yes"})
    assert clean_notebook(nb)["cells"][0]["outputs"] == []


def test_init_cells_keep_their_outputs_as_under_nbstripout():
    out = clean_notebook(one_code(metadata={"init_cell": True}))["cells"][0]
    assert len(out["outputs"]) == 2 and out["execution_count"] is None
    assert out["metadata"] == {"init_cell": True}
    assert clean_notebook(one_code(metadata={"init_cell": False}))["cells"][0]["outputs"] == []


def test_keep_outputs_config_still_normalizes_counts():
    nb = one_code()
    out = clean_notebook(nb, Config(keep_outputs=True))["cells"][0]
    assert [o["output_type"] for o in out["outputs"]] == ["stream", "execute_result"]
    assert out["outputs"][1]["execution_count"] is None
    assert out["outputs"][1]["data"] == nb["cells"][0]["outputs"][1]["data"]
    assert out["execution_count"] is None


def test_keep_count_config():
    out = clean_notebook(one_code(), Config(keep_outputs=True, keep_count=True))["cells"][0]
    assert out["execution_count"] == 4 and out["outputs"][1]["execution_count"] == 4


def test_max_output_size():
    big = stream("y" * 5000)
    small = stream("ok\n")
    nb = notebook([code_cell("p\n", outputs=[small, big], count=1),
                   code_cell("q\n", outputs=[small, big], count=2, metadata={"tags": ["keep_output"]})])
    out = clean_notebook(nb, Config(keep_outputs=True, max_output_size=1000))
    assert out["cells"][0]["outputs"] == [small]
    # an explicitly tagged cell keeps everything it asked for
    assert out["cells"][1]["outputs"] == [small, big]
    # without keep_outputs, max_output_size has nothing to keep
    assert clean_notebook(nb, Config(max_output_size=1000))["cells"][0]["outputs"] == []


def test_drop_and_keep_metadata_config():
    nb = notebook([code_cell("x\n", metadata={"scrolled": True, "id_hash": "abc", "tags": ["t"]})])
    nb["metadata"]["authors"] = [{"name": "A"}]
    nb["metadata"]["widgets"] = {"w": 1}
    cfg = config_from_dict({
        "drop_metadata": ["notebook.authors", "cell.id_hash", "notebook.language_info.name"],
        "keep_metadata": ["cell.scrolled", "notebook.widgets"],
    })
    out = clean_notebook(nb, cfg)
    assert out["cells"][0]["metadata"] == {"scrolled": True, "tags": ["t"]}
    assert "authors" not in out["metadata"]
    assert out["metadata"]["widgets"] == {"w": 1}
    assert out["metadata"]["language_info"] == {}


# --- config files ---------------------------------------------------------------------------------


def test_unknown_config_key_names_the_key(tmp_path):
    (tmp_path / ".nbgit.toml").write_text("keep_outputs = true\nkeep_ouputs = false\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert "keep_ouputs" in str(err.value) and ".nbgit.toml" in str(err.value)
    (tmp_path / ".nbgit.toml").unlink()
    (tmp_path / "pyproject.toml").write_text("[tool.nbgit]\nstrip = 1\n")
    with pytest.raises(ConfigError, match="'strip'"):
        load_config(tmp_path)


@pytest.mark.parametrize("text", ["keep_outputs = 'yes'\n", "max_output_size = -1\n", "max_output_size = true\n",
                                  "drop_metadata = ['widgets']\n", "keep_outputs = \n"])
def test_bad_config_values(tmp_path, text):
    (tmp_path / ".nbgit.toml").write_text(text)
    with pytest.raises(ConfigError):
        load_config(tmp_path)


def test_config_precedence(tmp_path):
    assert load_config(tmp_path) == Config()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n[tool.nbgit]\nkeep_outputs = true\n")
    assert load_config(tmp_path).keep_outputs is True
    (tmp_path / ".nbgit.toml").write_text("max_output_size = 10\n")
    cfg = load_config(tmp_path)
    assert cfg.max_output_size == 10 and cfg.keep_outputs is False
    (tmp_path / ".nbgit.toml").write_text("[tool.nbgit]\nkeep_count = true\n")
    assert load_config(tmp_path) == Config(keep_count=True)


def test_pyproject_without_nbgit_table_is_default(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n[tool.black]\nline-length = 99\n")
    assert load_config(tmp_path) == Config()


# --- ids and formats ------------------------------------------------------------------------------


def test_ids_kept_and_absent_ids_stay_absent():
    nb = dirty_notebook(2)
    out = clean_notebook(nb)
    assert [c["id"] for c in out["cells"]] == [c["id"] for c in nb["cells"]]
    old = notebook([code_cell("x\n", outputs=[stream("1")], count=1), markdown_cell("m\n")], minor=4)
    out = clean_notebook(old)
    assert all("id" not in c for c in out["cells"])
    assert out["nbformat_minor"] == 4


def test_nbformat3_cleaned_in_its_own_format():
    nb = v3_notebook()
    out = clean_notebook(nb)
    assert out["nbformat"] == 3 and "cells" not in out
    cells = out["worksheets"][0]["cells"]
    assert [c["cell_type"] for c in cells] == ["heading", "code", "markdown"]
    code = cells[1]
    assert code["outputs"] == [] and "prompt_number" not in code and code["input"] == "x = 1\nprint(x)"
    assert code["metadata"] == {}
    assert "signature" not in out["metadata"] and out["metadata"]["name"] == "old"
    data = jupyter_bytes(nb)
    cleaned = clean_bytes(data)
    assert json.loads(cleaned) == out
    assert clean_bytes(cleaned) == cleaned


def test_nbformat3_upgraded_when_configured_deterministically():
    data = jupyter_bytes(v3_notebook())
    cfg = Config(upgrade_v3=True)
    first = clean_bytes(data, cfg)
    assert first == clean_bytes(data, cfg)  # no random ids
    nb = json.loads(first)
    assert nb["nbformat"] == 4
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds == ["markdown", "code", "markdown"]
    code = nb["cells"][1]
    assert code["outputs"] == [] and code["execution_count"] is None
    assert "".join(code["source"]) == "x = 1\nprint(x)"
    assert clean_bytes(first, cfg) == first
    ids = [c.get("id") for c in nb["cells"]]
    if any(ids):
        assert len(set(ids)) == len(ids)
    import nbformat

    nbformat.validate(nbformat.from_dict(nb))


# --- byte layout ----------------------------------------------------------------------------------

LAYOUTS = {
    "indent1": dict(indent=1, sort_keys=True),
    "indent2": dict(indent=2, sort_keys=True),
    "indent4": dict(indent=4, sort_keys=True),
    "tab": dict(indent="\t", sort_keys=True),
    "compact": dict(indent=None, separators=(",", ":"), sort_keys=True),
    "oneline": dict(indent=None, sort_keys=True),
    "unsorted": dict(indent=2, sort_keys=False),
    "ascii": dict(indent=1, sort_keys=True, ensure_ascii=True),
}


def layout_bytes(nb: dict, newline="\n", final=True, **kw) -> bytes:
    kw.setdefault("ensure_ascii", False)
    text = json.dumps(nb, **kw).replace("\n", newline)
    return (text + (newline if final else "")).encode()


def unicode_dirty() -> dict:
    nb = dirty_notebook(2)
    nb["cells"][1]["source"] = ["Grüße 😀 — ünïcode\n", "tab\there"]
    # unsorted key order inside the notebook (e.g. written by a tool other than Jupyter)
    nb["cells"][0] = {"source": nb["cells"][0]["source"], "id": "cell-0", **nb["cells"][0]}
    return nb


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("final", [True, False], ids=["final-nl", "no-final-nl"])
@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layout_preserved(name, newline, final):
    kw = LAYOUTS[name]
    nb = unicode_dirty() if not kw["sort_keys"] else dirty_notebook(2)
    if kw["sort_keys"]:
        nb["cells"][1]["source"] = ["Grüße 😀 — ünïcode\n"]
    data = layout_bytes(nb, newline, final, **kw)
    out = clean_bytes(data)
    assert out != data
    # the output is exactly what the same writer would write for the cleaned notebook
    assert out == layout_bytes(json.loads(out), newline, final, **kw)
    assert json.loads(out) == clean_notebook(json.loads(data))
    assert detect_layout(out) == detect_layout(data)
    assert clean_bytes(out) == out
    if newline == "\r\n":
        assert b"\n" not in out.replace(b"\r\n", b"")
    assert out.endswith(newline.encode()) == final
    if kw.get("ensure_ascii"):
        assert out.isascii() and b"\\ud83d\\ude00" in out
    else:
        assert "😀".encode() in out


def test_one_field_change_is_one_hunk():
    nb = dirty_notebook(4)
    clean = clean_bytes(jupyter_bytes(nb))
    nb2 = json.loads(clean)
    nb2["cells"][2]["source"] = ["x = 99\n"]
    nb2["cells"][2]["outputs"] = [stream("99\n")]
    nb2["cells"][2]["execution_count"] = 7
    data2 = json.dumps(nb2, indent=1, sort_keys=True, ensure_ascii=False).encode() + b"\n"
    clean2 = clean_bytes(data2)
    import difflib

    changed = [ln for ln in difflib.unified_diff(clean.decode().splitlines(), clean2.decode().splitlines(), n=0)
               if ln.startswith(("+", "-")) and not ln.startswith(("+++", "---"))]
    assert changed == ['-    "x = 1\\n",', '-    "print(x)\\n"', '+    "x = 99\\n"']


def test_clean_notebook_passes_through_identical_bytes():
    data = jupyter_bytes(clean_notebook(dirty_notebook(2)))
    assert clean_bytes(data) is data


def test_default_layout_of_new_content_is_jupyters():
    from nbgit.notebook.io import JUPYTER_LAYOUT, dumps

    nb = clean_notebook(dirty_notebook(1))
    assert dumps(nb) == jupyter_bytes(nb)
    assert JUPYTER_LAYOUT.indent == 1 and JUPYTER_LAYOUT.sort_keys and not JUPYTER_LAYOUT.ensure_ascii


def test_clean_notebook_does_not_mutate_input():
    nb = dirty_notebook(2)
    nb["cells"][0]["metadata"]["tags"] = ["keep_output"]
    before = copy.deepcopy(nb)
    clean_notebook(nb)
    clean_notebook(nb, Config(keep_outputs=True, max_output_size=10))
    assert nb == before


# --- bad input ------------------------------------------------------------------------------------

VALID = jupyter_bytes(dirty_notebook(1))
BAD_INPUTS = {
    "invalid-json": VALID[:-40],
    "conflict-markers": b'{\n <<<<<<< HEAD\n "cells": [],\n=======\n "cells": [1],\n>>>>>>> theirs\n "nbformat": 4\n}\n',
    "conflict-in-valid-json-string-is-fine": None,
    "bom": b"\xef\xbb\xbf" + VALID,
    "not-utf8": VALID.replace(b"Section", b"Secti\xf3n"),
    "latin1-only": '{"nbformat": 4, "cells": [], "metadata": {"a": "é"}}'.encode("latin-1"),
    "empty": b"",
    "whitespace": b"  \n",
    "list": b"[1, 2]\n",
    "no-nbformat": b'{"cells": [], "metadata": {}}\n',
    "string-nbformat": b'{"cells": [], "metadata": {}, "nbformat": "4"}\n',
    "nbformat2": b'{"cells": [], "metadata": {}, "nbformat": 2}\n',
    "cells-not-list": b'{"cells": {}, "metadata": {}, "nbformat": 4}\n',
    "metadata-not-dict": b'{"cells": [], "metadata": [], "nbformat": 4}\n',
    "deeply-nested": b'{"nbformat": 4, "cells": [], "metadata": ' + b"[" * 100000 + b"]" * 100000 + b"}",
}
BAD_INPUTS = {k: v for k, v in BAD_INPUTS.items() if v is not None}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_raises_notebook_error(name):
    with pytest.raises(NotebookError) as err:
        clean_bytes(BAD_INPUTS[name])
    assert err.value.reason and "\n" not in err.value.reason


def test_conflict_marker_text_inside_a_valid_notebook_is_cleaned():
    nb = dirty_notebook(1)
    nb["cells"][1]["source"] = ["<<<<<<< HEAD\n", "=======\n", ">>>>>>> x\n"]
    data = jupyter_bytes(nb)
    out = clean_bytes(data)
    assert json.loads(out)["cells"][1]["source"] == nb["cells"][1]["source"]
    assert json.loads(out)["cells"][0]["outputs"] == []


def nbgit(*args, input=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "nbgit", *args], input=input, capture_output=True, cwd=cwd, timeout=60)


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_passes_through_cli_in_place(tmp_path, name):
    path = tmp_path / "sub dir" / f"{name}.ipynb"
    path.parent.mkdir()
    path.write_bytes(BAD_INPUTS[name])
    proc = nbgit("clean", str(path))
    assert proc.returncode == 0, proc.stderr
    assert path.read_bytes() == BAD_INPUTS[name]
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and "warning" in lines[0]
    assert proc.stdout == b""
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp files left


@pytest.mark.parametrize("name", ["invalid-json", "conflict-markers", "bom", "not-utf8", "empty", "list", "no-nbformat"])
def test_bad_input_passes_through_cli_stdin(tmp_path, name):
    proc = nbgit("clean", "--path", "x/y.ipynb", input=BAD_INPUTS[name], cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == BAD_INPUTS[name]
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and "x/y.ipynb" in lines[0]


def test_cli_stdin_cleans(tmp_path):
    proc = nbgit("clean", input=VALID, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == b""
    assert proc.stdout == clean_bytes(VALID)


def test_cli_in_place_and_check(tmp_path):
    dirty = tmp_path / "dirty.ipynb"
    clean = tmp_path / "clean.ipynb"
    dirty.write_bytes(VALID)
    clean.write_bytes(clean_bytes(VALID))
    dirty.chmod(0o640)

    proc = nbgit("clean", "--check", str(dirty), str(clean))
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines() == [f"{dirty}: not clean"]
    assert dirty.read_bytes() == VALID  # --check never writes

    assert nbgit("clean", "--check", str(clean)).returncode == 0

    proc = nbgit("clean", str(dirty), str(clean))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().splitlines() == [f"cleaned {dirty}"]
    assert dirty.read_bytes() == clean_bytes(VALID)
    assert (dirty.stat().st_mode & 0o777) == 0o640
    assert nbgit("clean", "--check", str(dirty), str(clean)).returncode == 0

    proc = nbgit("clean", "--check", input=VALID, cwd=tmp_path)
    assert proc.returncode == 1
    proc = nbgit("clean", "--check", input=clean_bytes(VALID), cwd=tmp_path)
    assert proc.returncode == 0


def test_cli_missing_file(tmp_path):
    proc = nbgit("clean", str(tmp_path / "nope.ipynb"))
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "nope.ipynb" in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_cli_config_error_names_key(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".nbgit.toml").write_text("bogus_key = 1\n")
    nbf = tmp_path / "a.ipynb"
    nbf.write_bytes(VALID)
    proc = nbgit("clean", str(nbf))
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "bogus_key" in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert nbf.read_bytes() == VALID
    proc = nbgit("clean", input=VALID, cwd=tmp_path)
    assert proc.returncode == 2 and b"bogus_key" in proc.stderr and proc.stdout == b""


def test_cli_uses_repo_config(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".nbgit.toml").write_text("keep_outputs = true\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    nbf = sub / "a.ipynb"
    nbf.write_bytes(VALID)
    assert nbgit("clean", "a.ipynb", cwd=sub).returncode == 0
    out = json.loads(nbf.read_bytes())
    assert out["cells"][0]["outputs"] and out["cells"][0]["execution_count"] is None


def test_compact_layout_detected_outside_strings():
    # the first value holds ", " inside a string: the file's own separator is still ","
    cell = {"source": ["x = [1, 2]\n", 'print("a", "b")'], "cell_type": "code", "execution_count": 3,
            "metadata": {}, "outputs": [stream("1\n")]}
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    data = json.dumps(nb, separators=(",", ":")).encode()
    out = clean_bytes(data)
    assert out == json.dumps(clean_notebook(nb), separators=(",", ":")).encode()


def test_nested_key_order_kept_when_top_level_is_sorted():
    # top level and first cell sorted, deeper objects not: a count change must not reorder them
    nb = notebook([code_cell("x\n", count=1, metadata={"z": 1, "a": {"y": 1, "b": 2}}),
                   {"source": [], "metadata": {}, "cell_type": "markdown"}],
                  metadata={"kernelspec": {"name": "python3", "display_name": "P"}, "authors": []})
    data = json.dumps(nb, indent=1, ensure_ascii=False).encode() + b"\n"
    out = clean_bytes(data)
    assert out == json.dumps(clean_notebook(nb), indent=1, ensure_ascii=False).encode() + b"\n"
    assert out.index(b'"z"') < out.index(b'"a"') and out.index(b'"source"') < out.index(b'"cell_type"', 100)


def test_cli_in_place_through_symlink_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "a.ipynb"
    target.write_bytes(VALID)
    link = tmp_path / "link.ipynb"
    link.symlink_to("real/a.ipynb")
    proc = nbgit("clean", "link.ipynb", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink()
    assert target.read_bytes() == clean_bytes(VALID)


def test_cli_write_failure_leaves_file_and_reports(tmp_path, monkeypatch, capsys):
    import errno

    import nbgit._fs
    from nbgit.cli import main

    def full_disk(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    a, b = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    a.write_bytes(VALID)
    b.write_bytes(VALID)
    monkeypatch.setattr(nbgit._fs, "atomic_write", full_disk)
    monkeypatch.chdir(tmp_path)
    assert main(["clean", "a.ipynb", "b.ipynb"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "a.ipynb" in err[0] and "No space left" in err[0] and "b.ipynb" in err[1]
    assert a.read_bytes() == VALID and b.read_bytes() == VALID


@pytest.mark.parametrize("separators", [(",", ":"), (", ", ": ")])
def test_one_line_file_longer_than_4k_keeps_its_crlf_final_newline(separators):
    nb = dirty_notebook(30)
    data = json.dumps(nb, separators=separators, ensure_ascii=False).encode() + b"\r\n"
    assert len(data) > 8192
    out = clean_bytes(data)
    assert out == json.dumps(clean_notebook(nb), separators=separators, ensure_ascii=False).encode() + b"\r\n"


def test_atomic_write_gives_a_new_file_the_usual_mode(tmp_path):
    import os

    from nbgit._fs import atomic_write

    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.ipynb", b"{}")
        (tmp_path / "kept.ipynb").write_bytes(b"x")
        os.chmod(tmp_path / "kept.ipynb", 0o640)
        atomic_write(tmp_path / "kept.ipynb", b"{}")
    finally:
        os.umask(old)
    assert (tmp_path / "new.ipynb").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "kept.ipynb").stat().st_mode & 0o777 == 0o640
