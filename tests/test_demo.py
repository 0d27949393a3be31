"""`nbgit demo` is the README's first command: it must pass on a fresh machine."""

import subprocess
import sys


def test_demo_passes_every_check(tmp_path):
    target = tmp_path / "demo"
    proc = subprocess.run([sys.executable, "-m", "nbgit", "demo", "--dir", str(target), "--color", "never"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All checks passed" in proc.stdout
    assert "FAILED" not in proc.stdout
    # the demo really committed a clean notebook
    blob = subprocess.run(["git", "show", "HEAD~0:analysis.ipynb"], cwd=target, capture_output=True, text=True).stdout
    assert '"outputs": []' in blob and "image/png" not in blob


def test_demo_refuses_a_non_empty_dir(tmp_path):
    (tmp_path / "x").write_text("hello")
    proc = subprocess.run([sys.executable, "-m", "nbgit", "demo", "--dir", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == f"nbgit demo: error: --dir {tmp_path}: exists and is not empty\n"
    assert (tmp_path / "x").read_text() == "hello"
