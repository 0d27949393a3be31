"""Review page: pictures compared (side by side, swipe, onion skin, pixel difference) and re-run noise apart."""

from __future__ import annotations

import base64
import json
import struct
import zlib

from nbfactory import code_cell, jupyter_bytes, notebook, stream
from nbgit.notebook.outputs import rerun_key
from nbgit.review.changes import notebook_change
from nbgit.review.html import render_html
from nbgit.review.images import dimensions, size_change
from nbgit.review.markdown import render_markdown


def png(w: int, h: int, rgb=(255, 0, 0), dot=None) -> bytes:
    rows = []
    for y in range(h):
        row = bytearray(b"\x00" + bytes(rgb) * w)
        if dot is not None and y == dot[1]:
            row[1 + 3 * dot[0] : 4 + 3 * dot[0]] = b"\x00\x00\xff"
        rows.append(bytes(row))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


def picture(data: bytes, count=None, text="<Figure size 640x480 with 1 Axes>") -> dict:
    out = {"output_type": "execute_result" if count else "display_data", "metadata": {},
           "data": {"image/png": base64.b64encode(data).decode(), "text/plain": text}}
    if count:
        out["execution_count"] = count
    return out


def change(a_outputs, b_outputs, b_count=None):
    a = notebook([code_cell("plot()\n", id="p", outputs=a_outputs, count=1)])
    b = notebook([code_cell("plot()\n", id="p", outputs=b_outputs, count=b_count or 1)])
    return notebook_change("nb.ipynb", jupyter_bytes(a), jupyter_bytes(b))


def test_dimensions_and_size_change():
    assert dimensions(png(24, 16)) == (24, 16)
    assert dimensions(b"GIF89a" + struct.pack("<HH", 7, 9) + b"\x00" * 8) == (7, 9)
    jpeg = b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 4) + b"\x00\x00" + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 30, 40) + b"\x00" * 12
    assert dimensions(jpeg) == (40, 30)
    assert dimensions(b"<svg/>") is None
    assert size_change(png(24, 24), png(32, 16)).startswith("24×24 → 32×16 · ")


def test_rerun_key_masks_what_a_rerun_changes():
    a = [stream("start 2024-01-02 10:00:01\nworker 1 done\nworker 2 done\n"),
         {"output_type": "execute_result", "execution_count": 3, "metadata": {},
          "data": {"text/plain": "<Model at 0x7f3a2c1d5e80>"}}]
    b = [stream("start 2024-05-06 11:22:33\nworker 2 done\n"), stream("worker 1 done\n"),
         {"output_type": "execute_result", "execution_count": 9, "metadata": {"x": 1},
          "data": {"text/plain": "<Model at 0x7f00deadbeef>"}}]
    assert rerun_key(a) == rerun_key(b)
    b[2]["data"]["text/plain"] = "<Other at 0x7f00deadbeef>"
    assert rerun_key(a) != rerun_key(b)
    assert rerun_key([picture(png(2, 2))]) != rerun_key([picture(png(2, 2, (0, 0, 0)))])


def test_same_picture_after_a_rerun_is_not_a_change():
    c = change([picture(png(24, 24), count=1)], [picture(png(24, 24), count=7)], b_count=7)
    assert c.summary["modified"] == 0 and c.summary["outputs"] == 0 and c.summary["rerun"] == 1
    page = render_html([c])
    assert 'details class="fold rerun"' in page and "1 cell whose outputs changed only because" in page
    assert 'class="imgcmp"' not in page and "picture unchanged" in page
    assert 'class="cell change' not in page
    md = render_markdown([c])
    assert "1 re-run only" in md and "```diff" not in md


def test_changed_text_next_to_an_unchanged_picture_shows_the_picture_once_as_unchanged():
    c = change([stream("loss 0.5\n"), picture(png(24, 24))], [stream("loss 0.4\n"), picture(png(24, 24))])
    assert c.summary["outputs"] == 1
    page = render_html([c])
    assert page.count("picture unchanged (24×24") == 1 and 'class="imgcmp"' not in page


def test_changed_picture_gets_the_comparison_widget():
    c = change([picture(png(24, 24))], [picture(png(32, 16, dot=(3, 4)))])
    page = render_html([c])
    assert 'class="imgcmp"' in page and "picture changed: 24×24 → 32×16" in page
    for mode in ("side", "swipe", "onion", "diff"):
        assert f'data-mode="{mode}"' in page


def test_widget_works_under_the_page_csp(browser, tmp_path):
    c = change([picture(png(24, 24))], [picture(png(24, 24, dot=(3, 4)))])
    path = tmp_path / "review.html"
    path.write_text(render_html([c]), encoding="utf-8")
    page = browser.page(path.as_uri())
    try:
        box = "document.querySelector('.imgcmp')"
        after = f"{box}.querySelector('figure.after img')"
        assert page.js("document.documentElement.getAttribute('data-ready')") is not None  # the script ran
        assert page.js(f"getComputedStyle({box}.querySelector('.imgstage')).display") == "flex"  # side by side
        page.js(f"{box}.querySelector('button[data-mode=swipe]').click()")
        assert page.js(f"{after}.style.clipPath") == "inset(0px 0px 0px 50%)"
        assert page.js(f"{box}.querySelector('input.imgslider').hidden") is False
        page.js(f"(() => {{ const s = {box}.querySelector('input.imgslider'); s.value = 20;"
                " s.dispatchEvent(new Event('input', {bubbles: true})); })()")
        assert page.js(f"{after}.style.clipPath") == "inset(0px 0px 0px 20%)"
        page.js(f"{box}.querySelector('button[data-mode=onion]').click()")
        assert page.js(f"{after}.style.opacity") == "0.2" and page.js(f"{after}.style.clipPath") == ""
        page.js(f"{box}.querySelector('button[data-mode=diff]').click()")
        assert page.js(f"{box}.querySelector('canvas.imgdiff').getAttribute('data-differing')") == "1"
        assert page.js(f"{box}.querySelector('.imgdiffnote').textContent").startswith("1 of 576 pixels differ")
        assert page.js(f"getComputedStyle({box}.querySelector('canvas.imgdiff')).display") == "block"
        assert page.js(f"[...{box}.querySelectorAll('button.imgmode')].map(b => b.getAttribute('aria-pressed'))") == [
            "false", "false", "false", "true"]
        assert not [e for e in page.events("Log.entryAdded") if "Content Security Policy" in json.dumps(e)]
    finally:
        page.close()


from test_review_html import browser  # noqa: E402,F401  (the module's headless Chromium fixture)


def test_appending_a_line_is_one_added_line_in_the_page_and_the_comment():
    a = notebook([code_cell("x = 1\nprint(x)", id="c")])
    b = notebook([code_cell("x = 1\nprint(x)\nprint(2)", id="c")])
    c = notebook_change("nb.ipynb", jupyter_bytes(a), jupyter_bytes(b))
    md = render_markdown([c])
    assert "+print(2)\n" in md and "-print(x)" not in md and "+print(x)" not in md
    page = render_html([c])
    assert page.count('class="del') == 0 and page.count('class="b-side ins') == 1
