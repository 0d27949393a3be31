"""pkt-line framing, as git's long-running filter protocol uses it.

A packet is four lowercase-or-uppercase hex digits giving the total length
(header included) followed by the payload; ``0000`` is a flush packet. Payloads
are at most 65516 bytes (LARGE_PACKET_DATA_MAX in git's pkt-line.h). Text
packets end in ``\\n``. This module is the only place that knows the framing.
"""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` costs milliseconds of start-up, once per `git add`/`git status`
if TYPE_CHECKING:
    from typing import BinaryIO

MAX_PACKET_DATA = 65516
FLUSH = b"0000"
_HEX = frozenset(b"0123456789abcdefABCDEF")


class PktLineError(Exception):
    """The peer sent something that is not pkt-line framed."""


class PeerClosed(Exception):
    """The peer closed the stream cleanly, between two messages."""


class PktReader:
    def __init__(self, stream: BinaryIO):
        self._stream = stream

    def _read_exact(self, n: int) -> bytes:
        chunks = []
        while n:
            chunk = self._stream.read(n)
            if not chunk:
                raise EOFError("unexpected end of stream inside a packet")
            chunks.append(chunk)
            n -= len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def read_packet(self, *, eof_ok: bool = False) -> bytes | None:
        """Read one packet: its payload, or None for a flush packet.

        End of stream raises ``EOFError`` (truncated), or ``PeerClosed`` when
        ``eof_ok`` and the stream ends before the first header byte.
        """
        header = self._stream.read(4)
        if not header:
            if eof_ok:
                raise PeerClosed
            raise EOFError("unexpected end of stream")
        if len(header) < 4:
            header += self._read_exact(4 - len(header))
        # exactly four hex digits: int() alone would also take "0x1a", "0_1a", " +1a", "\t01a"
        if not _HEX.issuperset(header):
            raise PktLineError(f"bad packet header {header!r}")
        size = int(header, 16)
        if size == 0:
            return None
        if size < 4 or size - 4 > MAX_PACKET_DATA:
            raise PktLineError(f"bad packet length {size}")
        return self._read_exact(size - 4) if size > 4 else b""

    def read_text_list(self, *, eof_ok: bool = False) -> list[str]:
        """Read text packets up to a flush packet; trailing newlines stripped."""
        lines = []
        first = True
        while True:
            pkt = self.read_packet(eof_ok=eof_ok and first)
            first = False
            if pkt is None:
                return lines
            # pathnames are bytes to git: a file name that is not UTF-8 must not end the process
            lines.append(pkt.decode("utf-8", "surrogateescape").removesuffix("\n"))

    def read_content(self) -> bytes:
        """Read binary packets up to a flush packet and join them."""
        chunks = []
        while True:
            pkt = self.read_packet()
            if pkt is None:
                return b"".join(chunks)
            chunks.append(pkt)


class PktWriter:
    def __init__(self, stream: BinaryIO):
        self._stream = stream

    def packet(self, payload: bytes) -> None:
        if len(payload) > MAX_PACKET_DATA:
            raise ValueError("packet payload too long")
        self._stream.write(b"%04x" % (len(payload) + 4))
        self._stream.write(payload)

    def flush(self) -> None:
        self._stream.write(FLUSH)
        self._stream.flush()

    def text(self, *lines: str) -> None:
        """Write text packets followed by a flush packet."""
        for line in lines:
            self.packet(line.encode("utf-8") + b"\n")
        self.flush()

    def content(self, data: bytes) -> None:
        """Write ``data`` as packets of at most MAX_PACKET_DATA bytes, then a flush packet."""
        view = memoryview(data)
        for start in range(0, len(view), MAX_PACKET_DATA):
            self.packet(view[start : start + MAX_PACKET_DATA])
        self.flush()
