"""The HTML review page, checked in a real headless Chromium.

The browser is driven over the Chrome DevTools protocol with a small
standard-library websocket client (no Selenium, no Playwright), plus one run
of the plain ``chromium --headless --dump-dom`` command line. Browser tests are
skipped when no Chromium is installed, except under CI (``CI=true``), where
a missing browser is a failure: ``.ci/run`` installs it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbfactory import PNG_1PX, code_cell, image, jupyter_bytes, markdown_cell, notebook, stream
from nbgit.review.changes import notebook_change
from nbgit.review.md_render import MATHML_TAGS
from nbgit.review.html import content_security_policy, data_uri, esc, markdown_to_html, render_html, word_diff

TITLE = "Notebook review: main → feature"


# --- a minimal DevTools client (stdlib only) -----------------------------------------------------


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def require_chromium() -> str:
    path = chromium_binary()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed, but CI=true: .ci/run must install it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium); the HTML page is not checked in a browser")
    return path


CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    # no name resolves: should the page ever ask for the network, the request fails (and is seen)
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


class WebSocket:
    """Just enough RFC 6455 for DevTools: masked text frames out, (fragmented) frames in."""

    def __init__(self, host: str, port: int, path: str, timeout: float = 30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("websocket handshake: connection closed")
            head += chunk
        status, _, self.buffer = head.partition(b"\r\n\r\n")
        if b" 101 " not in status.split(b"\r\n")[0]:
            raise ConnectionError(f"websocket handshake failed: {status[:200]!r}")

    def send(self, text: str) -> None:
        data = text.encode()
        header = bytearray([0x81])
        n = len(data)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(bytes(header) + mask + masked)

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("websocket closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def recv(self) -> str:
        parts = []
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise ConnectionError("websocket closed by the browser")
            if opcode in (0x9, 0xA):  # ping/pong: ignore
                continue
            parts.append(payload)
            if b0 & 0x80:
                return b"".join(parts).decode()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class Browser:
    """One headless Chromium; :meth:`page` opens a tab attached over a flat DevTools session."""

    def __init__(self, binary: str):
        self.profile = tempfile.mkdtemp(prefix="nbgit-chromium-")
        self.proc = subprocess.Popen(
            [binary, *CHROME_FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.ws = WebSocket("127.0.0.1", int(port), path)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise TimeoutError(method)

    def wait_event(self, method: str, session: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for ev in self.events:
            if ev.get("method") == method and ev.get("sessionId") == session:
                self.events.remove(ev)
                return ev
        while time.monotonic() < deadline:
            ev = json.loads(self.ws.recv())
            if ev.get("method") == method and ev.get("sessionId") == session:
                return ev
            self.events.append(ev)
        raise TimeoutError(method)

    def page(self, url: str, width: int = 1200, height: int = 900) -> "Page":
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable", session=session)
        # sandboxed iframes run out of process: attach to them as they appear
        self.call(
            "Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": True}, session=session
        )
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        self.call("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session)
        return Page(self, session, target)

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            try:
                self.call("Browser.close", timeout=5)
            except Exception:
                pass
            ws.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser: Browser, session: str, target: str):
        self.browser, self.session, self.target = browser, session, target

    def js(self, expression: str, context: int | None = None):
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        if context is not None:
            params["contextId"] = context
        result = self.browser.call("Runtime.evaluate", params, session=self.session)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def key(self, key: str) -> None:
        for kind in ("keyDown", "keyUp"):
            self.browser.call(
                "Input.dispatchKeyEvent",
                {"type": kind, "key": key, "text": key if kind == "keyDown" else "", "code": f"Key{key.upper()}",
                 "windowsVirtualKeyCode": ord(key.upper())},
                session=self.session,
            )

    def frames(self) -> list[tuple[str, str]]:
        """(session, frame id) of the page's iframes, each attached as its own DevTools target."""
        return [
            (e["params"]["sessionId"], e["params"]["targetInfo"]["targetId"])
            for e in self.events("Target.attachedToTarget")
            if e["params"]["targetInfo"]["type"] == "iframe"
        ]

    def frame_js(self, frame: tuple[str, str], expression: str):
        """Evaluate in a DevTools-only world of an iframe: reads its DOM even where its scripts are off."""
        session, frame_id = frame
        ctx = self.browser.call(
            "Page.createIsolatedWorld", {"frameId": frame_id, "worldName": "nbgit-test"}, session=session
        )["executionContextId"]
        res = self.browser.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "contextId": ctx}, session=session
        )
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def screenshot(self) -> bytes:
        data = self.browser.call("Page.captureScreenshot", {"format": "png"}, session=self.session)["data"]
        return base64.b64decode(data)

    def events(self, method: str) -> list[dict]:
        # drain what has arrived, then filter
        self.js("1")
        return [e for e in self.browser.events if e.get("method") == method and e.get("sessionId") == self.session]

    def close(self) -> None:
        self.browser.call("Target.closeTarget", {"targetId": self.target})


@pytest.fixture(scope="module")
def browser():
    b = Browser(require_chromium())
    yield b
    b.close()


# --- PNG decoding (stdlib only) -----------------------------------------------------------------


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit truecolour PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r[i] for i in range(len(r)) if i % bpp < 3) for r in rows]


def pixel_variety(png: bytes) -> tuple[int, float]:
    """(distinct colours, share of pixels that differ from the most common colour)."""
    _, _, rows = png_pixels(png)
    counts: dict[bytes, int] = {}
    for row in rows:
        for i in range(0, len(row), 3):
            px = row[i : i + 3]
            counts[px] = counts.get(px, 0) + 1
    total = sum(counts.values())
    return len(counts), 1 - max(counts.values()) / total


# --- notebooks for the page ----------------------------------------------------------------------

SCRIPT = "<script>document.title='PWNED';window.__pwned=1;document.documentElement.setAttribute('data-pwned','1')</script>"
ONERROR = "<img src=x onerror=\"document.title='PWNED';document.documentElement.setAttribute('data-pwned','2')\">"
SVG_PAYLOAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" onload="document.title=\'PWNED\'">'
    "<script>document.title='PWNED'</script><rect width=\"40\" height=\"40\" fill=\"red\"/></svg>"
)
EVIL = SCRIPT + ONERROR + "<svg onload=\"document.title='PWNED'\"></svg>"


def hostile_change():
    """A notebook whose every string field carries script payloads."""
    a = notebook(
        [
            markdown_cell("# Intro\n\nplain text\n", id="m1"),
            code_cell("x = 1\n", id="c1", outputs=[stream("1\n")]),
        ]
    )
    b = notebook(
        [
            markdown_cell(f"# Intro {EVIL}\n\nplain text {EVIL}\n\n[link]({EVIL})\n![img](javascript:alert(1))\n", id="m1"),
            code_cell(
                f"x = 2  # {EVIL}\n",
                id="c1",
                metadata={"tags": [EVIL], EVIL: EVIL},
                outputs=[
                    stream(f"{EVIL}\n"),
                    {"output_type": "display_data", "metadata": {}, "data": {"text/html": [
                        "<p id='inside'>hello</p>",
                        "<script>document.title='PWNED';document.body.setAttribute('data-pwned','3')</script>",
                        "<img src=x onerror=\"document.body.setAttribute('data-pwned','4')\">",
                    ], "text/plain": ["<HTML>"]}},
                    {"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": SVG_PAYLOAD}},
                    {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": EVIL}},
                    {"output_type": "error", "ename": EVIL, "evalue": EVIL, "traceback": [EVIL]},
                ],
            ),
            code_cell(f"y = '{EVIL}'\n", id=f"{EVIL}"),
        ],
        metadata={"kernelspec": {"name": EVIL, "display_name": EVIL}},
    )
    return notebook_change(f"dir/{EVIL}.ipynb", jupyter_bytes(a), jupyter_bytes(b))


def ordinary_changes():
    cells_a = [markdown_cell(f"## Part {i}\n\nSome *text* and `code` {i}.\n", id=f"m{i}") for i in range(8)]
    cells_a += [code_cell("".join(f"v{i}_{k} = {k}\n" for k in range(20)), id=f"c{i}", outputs=[image(i)]) for i in range(6)]
    cells_b = [dict(c) for c in cells_a]
    cells_b[2] = markdown_cell("## Part 2\n\nSome **bold** text and `code` 2.\n\n- one\n- two\n", id="m2")
    cells_b[9] = code_cell("".join(f"v1_{k} = {k * (k == 10) or k}\n" for k in range(20)).replace("v1_10 = 10", "v1_10 = 'ten'"),
                           id="c1", outputs=[stream("changed\n"), image(2)])
    cells_b[10]["outputs"] = [red_square()]
    del cells_b[5]
    cells_b.insert(1, code_cell("import numpy as np\n", id="new"))
    return [
        notebook_change("analysis/a.ipynb", jupyter_bytes(notebook(cells_a)), jupyter_bytes(notebook(cells_b))),
        notebook_change("new.ipynb", None, jupyter_bytes(notebook(cells_b[:3]))),
    ]


def red_square() -> dict:
    """A 24x24 red PNG output (built with zlib, no imaging library)."""
    w = h = 24
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * w for _ in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(
        b"IDAT", zlib.compress(raw)
    ) + chunk(b"IEND", b"")
    return {"output_type": "display_data", "metadata": {}, "data": {"image/png": base64.b64encode(png).decode()}}


def write_page(tmp_path: Path, changes, name="review.html") -> Path:
    path = tmp_path / name
    path.write_text(render_html(changes, base="main", head="feature"), encoding="utf-8")
    return path


# --- static checks (no browser) -------------------------------------------------------------------

URL_ATTRS = {"src", "href", "action", "srcset", "poster", "background", "formaction", "xlink:href", "data", "ping"}


def tags_and_attributes(page: str) -> list[tuple[str, dict]]:
    """Every start tag of the page with its attributes, as a browser's tokenizer sees them."""
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

        handle_startendtag = handle_starttag

    Collect(convert_charrefs=True).feed(page)
    return found


def test_page_has_csp_first_and_no_external_reference(tmp_path):
    page = write_page(tmp_path, ordinary_changes() + [hostile_change()]).read_text()
    head = page[: page.index("</head>")]
    assert head.index('http-equiv="Content-Security-Policy"') < head.index("<title>") < head.index("<style>")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', head).group(1)
    assert "default-src &#x27;none&#x27;" in csp and "img-src data:" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "frame-src" not in csp and "self" not in csp
    tags = tags_and_attributes(page)
    for tag, attrs in tags:
        for name, value in attrs.items():
            if name in URL_ATTRS:
                assert (value or "").startswith(("#", "data:image/")), (tag, name, value)
            assert not name.startswith("on"), (tag, name)
    assert {t for t, _ in tags} <= {
        "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "p", "kbd", "code", "table", "thead",
        "tbody", "tr", "th", "td", "a", "section", "header", "ul", "li", "span", "div", "details", "summary",
        "article", "pre", "colgroup", "col", "del", "ins", "img", "iframe", "button", "strong", "em", "s", "hr",
        "ol", "blockquote", "h3", "h4", "h5", "h6", "script", "figure", "figcaption", "canvas", "input", "br",
    }
    assert [t for t, _ in tags].count("script") == 1
    # the only way a URL reaches the page is as escaped text (srcdoc is escaped HTML, never a URL)
    assert "url(" not in re.sub(r"data:image/[^\"]+", "", page).replace("url(#", "")
    assert page.count("<script>") == 1 and page.count("<style>") == 1


def test_every_notebook_string_is_escaped():
    page = render_html([hostile_change()])
    tags = tags_and_attributes(page)
    assert [t for t, _ in tags].count("script") == 1  # ours
    assert "svg" not in {t for t, _ in tags}
    assert not [(t, a) for t, a in tags if any(k.startswith("on") for k in a)]
    # srcdoc is the one attribute holding notebook markup, and only in a script-less sandbox
    frames = [a for t, a in tags if t == "iframe"]
    assert len(frames) == 1 and frames[0]["sandbox"] == "" and "<script>" in frames[0]["srcdoc"]
    for t, a in tags:  # notebook text in attributes only as plain values (title, alt), never as markup
        assert not any("<" in (v or "") for k, v in a.items() if k not in ("title", "alt", "srcdoc")), (t, a)
    # the reviewer sees what the notebook says, as text
    body = page[page.index("<body>") : page.rindex("<script>")]
    assert esc(SCRIPT) in body and esc(ONERROR) in body
    assert "allow-scripts" not in body and "allow-same-origin" not in body


def test_csp_hashes_match_inline_style_and_script():
    page = render_html([])
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    import hashlib

    csp = content_security_policy()
    for text in (style, script):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_markdown_renderer_is_safe_and_useful():
    html = markdown_to_html(
        "# Title <b>x</b>\n\nSome **bold**, *it*, `a<b`, [site](http://x.test/?a=\"b\") ![p](attachment:p.png)\n\n"
        "```\n<script>x</script>\n```\n\n- a\n- b\n\n> quote\n",
        {"p.png": {"image/png": PNG_1PX}},
    )
    assert "<h1>Title &lt;b&gt;x&lt;/b&gt;</h1>" in html
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html and "<code>a&lt;b</code>" in html
    assert '<span class="link" title="http://x.test/?a=%22b%22">site</span>' in html  # URL as markdown-it normalizes it
    assert f'<img alt="p" src="data:image/png;base64,{PNG_1PX}">' in html
    assert '<pre class="hl"><code>&lt;script&gt;x&lt;/script&gt;</code></pre>' in html
    assert "<ul><li>a</li>" in html.replace("\n", "") and "<blockquote>" in html
    assert "<a " not in html


def test_markdown_tables_math_strikethrough_and_code():
    html = markdown_to_html(
        "| name | value |\n|:--|--:|\n| $\\alpha$ | **2** |\n\n~~old~~ new, $x^2 + 1$ and\n\n$$\\frac{a}{b}$$\n\n"
        "\\begin{align}a &= b\\end{align}\n\n```python\ndef f(): pass\n```\n"
    )
    assert '<th class="al-left">name</th>' in html and '<td class="al-right"><strong>2</strong></td>' in html
    assert "<s>old</s>" in html
    assert '<span class="math inline"><math display="inline"><mrow><msup><mi>x</mi><mn>2</mn></msup>' in html
    assert '<math display="block"><mrow><mfrac>' in html and "<mtable" in html  # $$ and align
    assert "<mi>&#x3b1;</mi>" in html or "<mi>\u03b1</mi>" in html
    assert '<pre class="hl"><code><span class="k">def</span> <span class="nf">f</span>' in html
    assert " style=" not in html  # alignment as classes: the CSP allows no inline style


def test_math_is_sanitized_mathml_or_shown_as_tex():
    html = markdown_to_html(
        "$\\text{<img src=x onerror=alert(1)>}$ $\\href{javascript:alert(1)}{x}$ $\\style{color:red}{y}$ "
        "$\\text{<mi>fake</mi>}$ $\\frac{$"
    )
    tags = tags_and_attributes(html)
    assert {t for t, _ in tags} <= {"p", "span", "math", "mrow", "mi", "mtext", "code", "mfrac"}, tags
    assert not [a for _, a in tags if set(a) - {"class", "display"}], tags
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_bracket_math_as_jupyter_reads_it():
    html = markdown_to_html("Inline \\(x^2\\) and `\\(code\\)`\n\n\\[\n\\frac{a}{b}\n\\]\n\n\\[ a+b \\] (3)\n\n"
                            "\\(\\text{<img src=x onerror=alert(1)>}\\)\n")
    assert '<span class="math inline"><math display="inline"><mrow><msup><mi>x</mi><mn>2</mn></msup>' in html
    assert "<code>\\(code\\)</code>" in html  # a code span stays code
    assert '<math display="block"><mrow><mfrac>' in html
    assert '<div class="math-eqno"><math display="block"><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow></math> <span>(3)</span></div>' in html
    tags = tags_and_attributes(html)
    assert {t for t, _ in tags} <= {"p", "span", "math", "mrow", "mi", "mn", "mo", "msup", "mtext", "code", "mfrac", "div"}, tags
    assert not [a for _, a in tags if set(a) - {"class", "display", "stretchy"}], tags
    assert "onerror=alert(1)&gt;" in html and "<img" not in html


def test_math_labels_and_text_after_a_bracket_block():
    """A `$$ x $$ (label)` label is text, never an id or a link (a label `nbgit-model` would have
    shadowed the merge tool's model element); text after `\\]` on its line is kept."""
    html = markdown_to_html("$$ x $$ (nbgit-model)\n\n\\[x\\] <b>kept</b> more\n")
    assert " id=" not in html and "<a " not in html and "href" not in html
    assert "<span>(nbgit-model)</span>" in html
    assert "&lt;b&gt;kept&lt;/b&gt; more" in html


def test_pathological_math_cells_fall_back_to_plain_markdown():
    """Cells whose math openers would make the math rules quadratic are drawn without math (TeX as
    written); an ordinary cell with display math is drawn with it."""
    from nbgit.review.md_render import _math_is_cheap

    assert _math_is_cheap("$$\na^2\n$$\n\ntext\n\n$$ b $$\n" * 50)
    assert not _math_is_cheap("$$ a\n" * 4000)
    assert not _math_is_cheap("\\begin{align} a\n" * 4000)
    for container in ("- $$ a\n", "1. $$ a\n", "> $$ a\n", "- \\begin{align}\n", "> \\begin{align}\n"):
        assert not _math_is_cheap(container * 4000), container  # openers in list items and quotes count
    assert "<math" not in markdown_to_html("\\begin{align}\r" * 4000)  # \r ends a line for markdown-it too
    html = markdown_to_html("$$ a\n" * 4000)
    assert "<math" not in html and "$$ a" in html


def test_code_cells_are_highlighted_under_the_word_marks():
    a = notebook([code_cell("def f(x):\n    return x + 1  # one\n", id="c"), code_cell("import os\n", id="u")])
    b = notebook([code_cell("def f(x):\n    return x + 2  # two\n", id="c"), code_cell("import os\n", id="u")])
    page = render_html([notebook_change("h.ipynb", jupyter_bytes(a), jupyter_bytes(b))])
    assert '<span class="k">def</span> <span class="nf">f</span>(x):' in page  # context line, coloured
    assert '<del class="w"><span class="mi">1</span></del>' in page and '<ins class="w"><span class="mi">2</span></ins>' in page
    assert '<pre class="single src hl">import os\n</pre>' in page  # folded unchanged cell: plain (Pygments' time)
    assert ".hl .k{" in re.search(r"<style>(.*?)</style>", page, re.S).group(1)  # colours inline, under the CSP hash


def test_markdown_and_unknown_languages_are_not_coloured():
    a = notebook([markdown_cell("def x\n", id="m")], metadata={"kernelspec": {"language": "no-such-lexer"}})
    b = notebook([markdown_cell("def y\n", id="m")], metadata={"kernelspec": {"language": "no-such-lexer"}})
    page = render_html([notebook_change("m.ipynb", jupyter_bytes(a), jupyter_bytes(b))])
    assert '<span class="k">' not in page


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_property_painted_lines_are_the_escaped_text(x, y):
    """Colours and word marks only add tags: removing them gives back each line, escaped."""
    from html import unescape

    from nbgit._escape import term
    from nbgit.review.highlight import line_tokens

    x, y = x.replace("\n", " ").replace("\r", " "), y.replace("\n", " ").replace("\r", " ")
    toks = line_tokens([x, y], "python")
    ha, hb = word_diff(x, y, toks[0] if toks else None, toks[1] if toks else None)
    for shown, text in ((ha, x), (hb, y)):
        assert unescape(re.sub(r"</?(?:span|del|ins)(?: class=\"[\w-]*\")?>", "", shown)) == term(text, keep="\t")
        assert "<" not in re.sub(r"</?(?:span|del|ins)(?: class=\"[\w-]*\")?>", "", shown)


def test_data_uri_checks_base64():
    assert data_uri("image/png", PNG_1PX).startswith("data:image/png;base64,iVBOR")
    assert data_uri("image/png", 'AAAA" onerror="x') is None
    assert data_uri("text/html", "AAAA") is None
    assert data_uri("image/svg+xml", "<svg/>") == "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()


def test_word_diff_marks_changed_words_only():
    a, b = word_diff("total = price * qty  # <old>", "total = price * quantity  # <old>")
    assert a == 'total = price * <del class="w">qty</del>  # &lt;old&gt;'
    assert b == 'total = price * <ins class="w">quantity</ins>  # &lt;old&gt;'


def test_summary_and_anchors(tmp_path):
    page = render_html(ordinary_changes(), base="main", head="feature")
    assert '<section class="nb" id="nb1">' in page and '<section class="nb" id="nb2">' in page
    assert '<li class="add">1 added</li>' in page and '<li class="del">1 removed</li>' in page
    assert 'id="nb1-c2"' in page  # the inserted cell
    assert re.search(r'<details class="fold"><summary>\d+ unchanged cells? \(cells? ', page)
    assert "unchanged lines (click to show)" in page
    assert 'class="flip"' in page


# --- in the browser ------------------------------------------------------------------------------


def test_page_loads_offline_styled_and_scripted(browser, tmp_path):
    path = write_page(tmp_path, ordinary_changes())
    page = browser.page(path.as_uri())
    try:
        assert page.js("document.title") == TITLE
        assert page.js("document.documentElement.getAttribute('data-ready')") == str(
            len(re.findall(r'class="cell change ', path.read_text()))
        )  # our script ran under the CSP
        assert page.js("getComputedStyle(document.querySelector('main')).maxWidth") == "1400px"  # our style applied
        assert page.js("document.querySelectorAll('img').length") >= 2
        assert page.js("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
        requests = [e["params"]["request"]["url"] for e in page.events("Network.requestWillBeSent")]
        assert requests and all(u.startswith(("file://", "data:")) for u in requests), requests
        failed = page.events("Network.loadingFailed")
        assert not failed, failed
        logs = [e["params"]["entry"]["text"] for e in page.events("Log.entryAdded")]
        assert not [t for t in logs if "Content Security Policy" in t or "Refused" in t], logs
    finally:
        page.close()


def test_payloads_do_not_run(browser, tmp_path):
    path = write_page(tmp_path, [hostile_change()])
    page = browser.page(path.as_uri())
    try:
        time.sleep(0.3)  # give any stray handler (img onerror, svg onload) its chance
        assert page.js("document.title") == "Notebook review: main → feature"
        assert page.js("typeof window.__pwned") == "undefined"
        assert page.js("document.documentElement.getAttribute('data-pwned')") is None
        assert page.js("document.querySelectorAll('[onerror],[onload],[onclick]').length") == 0
        assert page.js("document.querySelectorAll('script').length") == 1
        # the sandboxed HTML output is there, rendered, and its script did not run
        page.js("document.querySelector('iframe').scrollIntoView()")  # the frame loads lazily
        deadline = time.monotonic() + 20
        while not page.frames() and time.monotonic() < deadline:
            time.sleep(0.1)
        frames = page.frames()
        assert len(frames) == 1
        deadline = time.monotonic() + 20
        while page.frame_js(frames[0], "document.readyState") != "complete" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert page.frame_js(frames[0], "document.getElementById('inside').textContent") == "hello"
        assert page.frame_js(frames[0], "document.body.getAttribute('data-pwned')") is None
        assert page.frame_js(frames[0], "document.title") != "PWNED"
        requests = [e["params"]["request"]["url"] for e in page.events("Network.requestWillBeSent")]
        assert all(u.startswith(("file://", "data:")) for u in requests), requests
        assert page.js("document.documentElement.getAttribute('data-ready')") is not None
    finally:
        page.close()


def test_the_harness_sees_a_payload_that_runs(browser, tmp_path):
    """Control: the same payloads in a page without escaping and CSP do run (so the test above can fail)."""
    path = tmp_path / "control.html"
    path.write_text(f"<!DOCTYPE html><title>control</title><body>{SCRIPT}</body>")
    page = browser.page(path.as_uri())
    try:
        assert page.js("document.title") == "PWNED"
        assert page.js("document.documentElement.getAttribute('data-pwned')") == "1"
    finally:
        page.close()


PWN = "document.title='PWNED';document.documentElement.setAttribute('data-pwned','md')"
#: Markdown that tried to reach HTML through the renderer: the attribute breakout of issue 10 item 5,
#: quotes in alt text and titles, javascript: links, raw HTML, math that latex2mathml passes through.
XSS_MARKDOWN = [
    "[c](![x tabindex=1 autofocus onfocus=document.title=1 y](attachment:a.png))",
    f'![x" autofocus tabindex=1 onfocus="{PWN}" y](attachment:a.png)',
    f"![a](attachment:a.png \"t\" onload=\"{PWN}\")",
    f'[t](http://x.test "a\" onmouseover=\"{PWN}")',
    f"[js](javascript:{PWN}) <javascript:{PWN}> [d](data:text/html,<script>{PWN}</script>)",
    f"![r](https://e.vil/p.png\" onerror=\"{PWN}) ![s](data:image/svg+xml;base64,"
    + base64.b64encode(f'<svg xmlns="http://www.w3.org/2000/svg" onload="{PWN}"/>'.encode()).decode() + ")",
    f"<img src=x onerror=\"{PWN}\"> <svg onload=\"{PWN}\"></svg> <details open ontoggle=\"{PWN}\">",
    f"| a | <img src=x onerror=\"{PWN}\"> |\n|---|---|\n| `</td><script>{PWN}</script>` | ~~x~~ |",
    f"$\\text{{<img src=x onerror=\"{PWN}\">}}$ $\\href{{javascript:{PWN}}}{{x}}$ "
    f"$$\\style{{background:url(x)}}{{y}}$$",
    f"```html\n</code></pre><script>{PWN}</script>\n```",
    f"<a href=\"javascript:{PWN}\" autofocus>x</a>",
]


def xss_markdown_change():
    cells = [markdown_cell(md, id=f"x{i}") for i, md in enumerate(XSS_MARKDOWN)]
    for c in cells:
        c["attachments"] = {"a.png": {"image/png": PNG_1PX}}
    a = notebook([markdown_cell("before\n", id=f"x{i}") for i in range(len(cells))])
    b = notebook(cells + [code_cell(f"s = '</pre><script>{PWN}</script>'\n", id=f'"><img src=x onerror="{PWN}">')])
    return notebook_change(f'"><img src=x onerror="{PWN}">.ipynb', jupyter_bytes(a), jupyter_bytes(b))


def without_csp(page: str) -> str:
    out, n = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', "", page)
    assert n == 1 and "Content-Security-Policy" not in out
    return out


def _settle(page) -> None:
    """Give every handler its chance: images load or fail, autofocus fires, Tab moves focus around."""
    time.sleep(0.5)
    for _ in range(6):
        for kind in ("keyDown", "keyUp"):
            page.browser.call("Input.dispatchKeyEvent", {"type": kind, "key": "Tab", "code": "Tab",
                                                         "windowsVirtualKeyCode": 9}, session=page.session)
    time.sleep(0.2)


def test_page_is_safe_without_its_csp(browser, tmp_path):
    """Escaping alone makes the page safe: the same payloads with the CSP removed do not run."""
    path = tmp_path / "no-csp.html"
    path.write_text(without_csp(render_html([xss_markdown_change(), hostile_change()], base="main", head="feature")))
    page = browser.page(path.as_uri())
    try:
        _settle(page)
        assert page.js("document.title") == TITLE
        assert page.js("document.documentElement.getAttribute('data-pwned')") is None
        assert page.js("typeof window.__pwned") == "undefined"
        assert page.js("document.querySelectorAll('script').length") == 1  # ours, and it ran
        assert page.js("document.documentElement.getAttribute('data-ready')") is not None
        handlers = "[onerror],[onload],[onfocus],[onclick],[onmouseover],[ontoggle],[autofocus],[tabindex],[style]"
        assert page.js(f"document.querySelectorAll('{handlers}').length") == 0
        assert page.js("document.querySelectorAll('a[href^=javascript], [href^=data], svg, object, embed').length") == 0
        assert page.js("document.querySelectorAll('math').length") >= 2  # the math is still drawn
        # the attachment picture of the breakout case is drawn, as a picture, nothing more
        assert page.js("document.querySelectorAll('.md-render img[src^=\"data:image/png\"]').length") >= 2
        requests = [e["params"]["request"]["url"] for e in page.events("Network.requestWillBeSent")]
        assert all(u.startswith(("file://", "data:")) for u in requests), requests
    finally:
        page.close()


def test_control_page_without_csp_runs_injected_handlers(browser, tmp_path):
    """Control: in the same CSP-less page, markup that did get through would run (the test above can fail)."""
    page_html = without_csp(render_html([xss_markdown_change()], base="main", head="feature"))
    injected = (
        f"<img src=x onerror=\"{PWN}\">"
        "<input autofocus onfocus=\"window.__pwned=1\">"
    )
    path = tmp_path / "control.html"
    path.write_text(page_html.replace("<main>", "<main>" + injected, 1))
    page = browser.page(path.as_uri())
    try:
        _settle(page)
        assert page.js("document.title") == "PWNED"
        assert page.js("document.documentElement.getAttribute('data-pwned')") == "md"
        assert page.js("window.__pwned") == 1
    finally:
        page.close()


def test_keyboard_navigation_and_toggles(browser, tmp_path):
    path = write_page(tmp_path, ordinary_changes())
    page = browser.page(path.as_uri(), height=700)
    try:
        ids = page.js("Array.from(document.querySelectorAll('.cell.change')).map(e => e.id)")
        assert len(ids) >= 4
        page.key("j")
        assert page.js("document.querySelector('.cell.current').id") == ids[0]
        page.key("j")
        page.key("j")
        assert page.js("document.querySelector('.cell.current').id") == ids[2]
        assert page.js("location.hash") == "#" + ids[2]
        page.key("k")
        assert page.js("document.querySelector('.cell.current').id") == ids[1]
        assert page.js("document.querySelectorAll('.cell.current').length") == 1
        top = page.js(f"document.getElementById('{ids[1]}').getBoundingClientRect().top")
        assert 0 <= top < 200  # scrolled to it
        # a folded run of unchanged lines opens on click
        assert page.js("document.querySelector('tbody.hidden') !== null")
        page.js("document.querySelector('tr.skip td').click()")
        n_hidden = page.js("document.querySelectorAll('tbody.hidden').length")
        assert n_hidden == len(re.findall(r'<tbody class="hidden">', path.read_text())) - 1
        # before/after flip of image outputs: side by side -> after -> before -> side by side
        flip = "document.querySelector('button.flip')"
        pair = f"document.getElementById({flip}.dataset.target)"
        visible = f"[...{pair}.querySelectorAll('.side')].filter(s => s.offsetParent !== null).map(s => s.classList[1])"
        assert page.js(visible) == ["a", "b"]
        page.js(f"{flip}.click()")
        assert page.js(visible) == ["b"]
        page.js(f"{flip}.click()")
        assert page.js(visible) == ["a"]
        assert page.js(f"{flip}.textContent") == "flip: before"
        page.js(f"{flip}.click()")
        assert page.js(visible) == ["a", "b"]
    finally:
        page.close()


def test_anchor_in_url_opens_folded_cell(browser, tmp_path):
    path = write_page(tmp_path, ordinary_changes())
    page = browser.page(path.as_uri() + "#nb1-c1")  # cell 1 is unchanged, inside a closed fold
    try:
        assert page.js("document.getElementById('nb1-c1').closest('details').open") is True
    finally:
        page.close()


def test_screenshot_is_not_blank(browser, tmp_path):
    path = write_page(tmp_path, ordinary_changes())
    page = browser.page(path.as_uri(), width=900, height=700)
    try:
        png = page.screenshot()
    finally:
        page.close()
    colours, ink = pixel_variety(png)
    assert colours > 30, colours
    assert ink > 0.03, ink


def test_blank_page_screenshot_is_blank(browser, tmp_path):
    """Control for the screenshot check: an empty page fails it."""
    path = tmp_path / "blank.html"
    path.write_text("<!DOCTYPE html><title>blank</title><body style='background:#fff'></body>")
    page = browser.page(path.as_uri(), width=300, height=200)
    try:
        colours, ink = pixel_variety(page.screenshot())
    finally:
        page.close()
    assert colours <= 2 and ink < 0.001


def test_dump_dom_from_the_command_line(tmp_path):
    """The plain `chromium --headless --dump-dom` run: scripts ran, payload titles did not."""
    binary = require_chromium()
    path = write_page(tmp_path, [hostile_change()] + ordinary_changes())
    proc = subprocess.run(
        [binary, *CHROME_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = proc.stdout
    assert "</html>" in dom, proc.stderr[-2000:]
    html_tag = re.search(r"<html[^>]*>", dom).group(0)
    assert "data-ready=" in html_tag and "data-pwned" not in html_tag
    assert re.search(r"<title>(.*?)</title>", dom).group(1) == "Notebook review: main → feature"
    assert "<script>document.title" not in dom  # payloads are text in the DOM, not elements


# --- robustness ------------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "p", "kbd", "code", "table", "thead",
    "tbody", "tr", "th", "td", "a", "section", "header", "ul", "li", "span", "div", "details", "summary",
    "article", "pre", "colgroup", "col", "del", "ins", "img", "iframe", "button", "strong", "em", "s", "hr",
    "ol", "blockquote", "h3", "h4", "h5", "h6", "script", "figure", "figcaption", "canvas", "input", "br",
} | MATHML_TAGS  # math in markdown cells, allow-listed MathML
nasty_text = st.lists(
    st.sampled_from(list("<>&\"'`=/ \n#*_[]()!:-abcxyz\\\x00é|$^{}") + ["<script>", "onerror=", "javascript:", "</textarea>",
                                                                   "-->", "<!--", "]]>", "<img src=x ", "```", "    ",
                                                                   "$$", "\\text{", "\\href{", "\\frac", "|---|"]),
    max_size=40,
).map("".join)


@settings(max_examples=40, deadline=None)
@given(st.lists(nasty_text, min_size=1, max_size=5), nasty_text, nasty_text)
def test_property_no_markup_from_content(sources, name, html_output):
    a = notebook([markdown_cell(s, id=f"m{i}") for i, s in enumerate(sources)])
    b = notebook(
        [markdown_cell(s[::-1], id=f"m{i}") for i, s in enumerate(sources)]
        + [code_cell(name, id=name or "x", metadata={name: name},
                     outputs=[stream(name), {"output_type": "display_data", "metadata": {},
                                             "data": {"text/html": html_output, "image/svg+xml": name}}])]
    )
    change = notebook_change(name + ".ipynb", jupyter_bytes(a), jupyter_bytes(b))
    page = render_html([change])
    tags = tags_and_attributes(page)
    assert {t for t, _ in tags} <= ALLOWED_TAGS
    assert [t for t, _ in tags].count("script") == 1
    for t, attrs in tags:
        assert not any(k.startswith("on") for k in attrs), (t, attrs)
        for k in ("src", "href"):
            if k in attrs:
                assert attrs[k].startswith(("#", "data:image/")), (t, attrs)


def test_odd_cells_do_not_break_the_page():
    a = notebook([code_cell("x\n", id="a")])
    b = notebook([code_cell("x\n", id="a")])
    b["cells"][0]["source"] = 42
    b["cells"][0]["outputs"] = [{"output_type": "display_data", "data": {"image/png": "not base64!!", "text/plain": 7}},
                                {"output_type": "stream", "text": None}, {"output_type": "mystery"}]
    b["cells"].append({"cell_type": None, "metadata": None, "source": "y"})
    change = notebook_change("odd.ipynb", jupyter_bytes(a), jupyter_bytes(b))
    page = render_html([change])
    assert "[image/png: not valid image data]" in page and "[mystery output]" in page
    from nbgit.review.markdown import render_markdown

    assert "odd&#46;ipynb" in render_markdown([change])
    # a source list holding a number: shown (items as JSON), the page still renders
    b["cells"].append({"cell_type": "code", "metadata": {}, "source": ["a_source_", 3, None], "outputs": []})
    change = notebook_change("odd.ipynb", jupyter_bytes(a), jupyter_bytes(b))
    assert change.error is None and change.diff is not None
    assert "a_source_3null" in render_html([change])


def test_long_rewritten_output_is_shown_as_replaced():
    from nbgit.review.changes import output_line_diff

    a = [f"epoch {i} loss {i * 0.1:.3f}\n" for i in range(3000)]
    b = [f"epoch {i} loss {i * 0.2:.3f}\n" for i in range(3000)]
    assert output_line_diff(a, b) == [("replace", 0, 3000, 0, 3000)]
    small_a, small_b = ["same\n", "old\n"], ["same\n", "new\n"]
    assert output_line_diff(small_a, small_b)[0][0] == "equal"


def test_moved_cell_is_marked():
    cells = [code_cell(f"step_{i}()\n", id=f"c{i}") for i in range(6)]
    moved = cells[:1] + cells[2:5] + cells[1:2] + cells[5:]
    change = notebook_change("m.ipynb", jupyter_bytes(notebook(cells)), jupyter_bytes(notebook(moved)))
    page = render_html([change])
    assert "moved from cell 2" in page and change.summary["moved"] == 1
    from nbgit.review.markdown import render_markdown

    assert "moved from cell 2" in render_markdown([change])
