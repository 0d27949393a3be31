"""The local web server of ``nbgit mergetool``: one notebook, one page, 127.0.0.1 only.

Who may talk to it: a request must name the server by the address it listens
on (``Host`` 127.0.0.1:PORT or localhost:PORT, against DNS rebinding), carry
the random token of this run (in the URL for the page, in a header for the
page's own requests), and a POST must come from the page itself (``Origin``
absent or this server). Anything else gets 403. It serves only the notebook it
was started for, and only these paths: ``/`` (the page), ``/cells`` (a folded
run of cells), ``/save``, ``/quit`` and ``/closed``.

How it ends (:meth:`ToolServer.wait` returns the exit status):

* Save with no conflict left: the file is written, 0;
* Close without saving, or the tab closed (the page's ``pagehide`` beacon,
  with a grace period so that a reload does not count): 1;
* Ctrl-C in the terminal: the caller catches ``KeyboardInterrupt``.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from nbgit.mergetool.session import Session

#: Seconds after a ``pagehide`` beacon before the tool ends (a reload cancels it).
CLOSE_GRACE = 4.0
#: Largest request body accepted (a save of hand-written results).
MAX_BODY = 64 * 1024 * 1024


class ToolServer:
    def __init__(self, session: Session, on_done=None, host: str = "127.0.0.1", port: int = 0):
        self.session = session
        self.token = secrets.token_urlsafe(24)
        self.on_done = on_done  # called with the session after a save that settled everything
        self._status: int | None = None
        self._finished = threading.Event()
        self._closing: float | None = None
        self._lock = threading.Lock()
        self._origins_cache = None
        handler = type("Handler", (_Handler,), {"tool": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/?token={self.token}"

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    def finish(self, status: int) -> None:
        with self._lock:
            if self._status is None:
                self._status = status
        self._finished.set()

    def wait(self) -> int:
        try:
            while not self._finished.wait(0.25):
                closing = self._closing
                if closing is not None and time.monotonic() - closing > CLOSE_GRACE:
                    self.finish(1)
        finally:
            self.httpd.shutdown()
            self.httpd.server_close()
        return self._status if self._status is not None else 1

    # -- what the page shows -----------------------------------------------------------------

    def origins(self):
        if self._origins_cache is None:
            self._origins_cache = _origins(self.session)
        return self._origins_cache

    def page(self) -> str:
        from nbgit.review.mergetool_page import render_page

        # The cells' relation to the base is worked out when a fold is first opened, not before
        # the page is served (it matches every cell: a tenth of a second on 5,000 cells).
        origins, base_cells = self._origins_cache or ([], {})
        return render_page(self.session.notebook, self.session.blocks, title=self.session.display, token=self.token,
                           origins=origins, base_cells=base_cells, banner=_banner(self.session))

    def cells(self, start: int, end: int) -> str:
        from nbgit.review.mergetool_page import render_cells

        origins, base_cells = self.origins()
        return render_cells(self.session.notebook, start, end, origins, base_cells)

    def save(self, body: dict) -> tuple[int, dict]:
        from nbgit.merge.resolve import ResolveError
        from nbgit.notebook.io import NotebookError

        raw = body.get("choices") if isinstance(body, dict) else None
        if not isinstance(raw, dict):
            return 400, {"error": "no choices"}
        choices = {}
        for key, value in raw.items():
            if not (isinstance(key, str) and isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
                    and (value[1] is None or isinstance(value[1], str))):
                return 400, {"error": f"malformed choice for {key!r}"}
            choices[key] = (value[0], value[1])
        with self._lock:
            try:
                left = self.session.save(choices)
            except (ResolveError, NotebookError) as exc:
                return 400, {"error": str(exc)}
            except OSError as exc:
                return 500, {"error": f"{self.session.display}: {exc.strerror or exc}; not saved"}
            except Exception as exc:  # noqa: BLE001 - the page must hear of any failure; the file is untouched
                return 500, {"error": f"not saved: {type(exc).__name__}: {exc}"}
            self._origins_cache = None
        if left:
            return 200, {"done": False, "left": left,
                         "message": f"saved; {left} conflict{'s' if left != 1 else ''} left (the file stays unmerged)"}
        message = "saved: no conflict left"
        if self.on_done is not None:
            message = self.on_done(self.session) or message
        return 200, {"done": True, "left": 0, "message": message + ". You can close this tab."}


def _banner(session: Session) -> str:
    if session.rebuilt:
        return f"The file had git's text conflict markers in its JSON: {session.rebuilt}. Nothing is written until you save."
    return ""


def _origins(session: Session):
    from nbgit.review.mergetool_page import cell_origins

    return cell_origins(*session.sides, session.notebook)


class _Handler(BaseHTTPRequestHandler):
    tool: ToolServer
    server_version = "nbgit-mergetool"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # no request log on the user's terminal

    # -- checks -------------------------------------------------------------------------------

    def _allowed(self, token: str | None) -> bool:
        port = self.tool.port
        host = self.headers.get("Host", "")
        if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            return False
        if token is None or not hmac.compare_digest(token.encode(), self.tool.token.encode()):
            return False
        if self.command == "POST":
            origin = self.headers.get("Origin")
            if origin is not None and origin not in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
                return False
            site = self.headers.get("Sec-Fetch-Site")
            if site is not None and site not in ("same-origin", "none"):
                return False
        return True

    def _token(self, query: dict) -> str | None:
        return self.headers.get("X-Nbgit-Token") or (query.get("token") or [None])[0]

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        from nbgit.review.mergetool_page import content_security_policy

        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy", content_security_policy(header=True))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj: dict) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json")

    def _forbidden(self) -> None:
        self._send(403, b"forbidden\n", "text/plain; charset=utf-8")

    # -- routes -------------------------------------------------------------------------------

    def do_GET(self):  # noqa: N802 - http.server's name
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if not self._allowed(self._token(query)):
            return self._forbidden()
        self.tool._closing = None
        if url.path not in ("/", "/cells"):
            return self._send(404, b"not found\n", "text/plain; charset=utf-8")
        try:
            if url.path == "/":
                html = self.tool.page()
            else:
                try:
                    start, end = int(query["from"][0]), int(query["to"][0])
                except (KeyError, ValueError, IndexError):
                    return self._send(400, b"bad range\n", "text/plain; charset=utf-8")
                html = self.tool.cells(start, end)
        except Exception as exc:  # noqa: BLE001 - a page that cannot be drawn is a 500, never a traceback on the terminal
            return self._send(500, f"nbgit mergetool could not draw this page ({type(exc).__name__})\n".encode(),
                              "text/plain; charset=utf-8")
        return self._send(200, html.encode("utf-8"), "text/html; charset=utf-8")

    def do_POST(self):  # noqa: N802
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if not self._allowed(self._token(query)):
            return self._forbidden()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            return self._json(413, {"error": "request too large"})
        raw = self.rfile.read(length) if length else b""
        if url.path == "/closed":
            self.tool._closing = time.monotonic()
            return self._json(200, {"ok": True})
        if url.path == "/quit":
            self._json(200, {"ok": True})
            self.tool.finish(1)
            return None
        if url.path == "/save":
            if not (self.headers.get("Content-Type") or "").startswith("application/json"):
                return self._json(415, {"error": "JSON expected"})
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return self._json(400, {"error": "not JSON"})
            status, reply = self.tool.save(body)
            self._json(status, reply)
            if reply.get("done"):
                self.tool.finish(0)  # after the reply is written: the process ends with it
            return None
        return self._json(404, {"error": "not found"})


__all__ = ["ToolServer", "CLOSE_GRACE"]
