"""A loopback websocket relay that hands the console a feed's 1-event frames in batches.

Why: a feed that sends one event per websocket frame costs the reader's websocket library
about 11 µs of CPU per frame (measured, docs/performance.md): at 20,000 events a second that is
a fifth of the console's UI thread, spent before a single event is decoded. A thread cannot
take that work off the UI thread (it shares the interpreter lock), another process can. The
relay runs in its own process (:mod:`console.feed.relay_process`), reads the feed and writes
what it read since its last write as one protocol v1 batch frame (an array of events, which
every feed may send anyway), so the console reads a few hundred frames a second instead of
twenty thousand.

It is transparent to :class:`console.feed.client.FeedClient`, which keeps all protocol logic
(hello and resume, welcome, reordering, gaps, commands, the read gate):

* The client connects to the relay and names the feed in the ``X-Livedesk-Upstream`` header;
  the relay opens that feed *before* it accepts the client, with the client's
  ``Authorization`` header, so a refused handshake reaches the client with the feed's own
  HTTP status. A feed it cannot reach is answered ``502`` with the reason in
  ``X-Livedesk-Upstream-Error``.
* Everything the client sends (hello, commands, pongs) goes up unchanged and in order.
* Coming down, event frames (an event object, or an array of event objects) are joined into
  one array of at most :data:`BATCH_BYTES`, in the order received, without re-encoding: the
  events' bytes are the feed's. Anything else (a control message, or a frame that is not
  valid JSON or not an event) first sends what is held, then goes down alone, unchanged, so the
  client counts and handles it exactly as it would on a direct connection.
* Batches are paced: at most one every :data:`BATCH_INTERVAL_S` (5 ms). A batch that starts
  after a quiet spell is written once the relay has read every frame already received (the
  first turn of its event loop in which the socket has nothing more buffered), so a lone event
  waits for nothing; while the feed keeps coming, a batch is written 5 ms after the previous
  one. Every batch costs the console's UI thread a fixed share (its event loop, the websocket
  library, a fold and a recorder hand-off): at 20,000 events/s, 170-185 fuller batches a second
  instead of 500-550 left it about 6 % of a core more (docs/performance.md, issue 19 sixth pass).
* Closes are mirrored: the feed's close code and reason reach the client (1009 when a frame
  was over the protocol's size limit, 4401 when the login was refused), a connection that
  dropped without a close is dropped on the other side too.
* Back-pressure: when the client stops reading (its read gate), the relay's writes back up;
  beyond :data:`OUTBOX_BYTES` queued it stops reading the feed, whose socket then fills, as it
  would without the relay.

Only loopback clients are meant to use it; it listens on 127.0.0.1 and refuses requests that
carry an ``Origin`` header (a web page), so a browser cannot use it to reach a feed. Headless.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.frames import EXTERNAL_CLOSE_CODES
from websockets.http11 import Request, Response

from console.core import protocol as p

log = logging.getLogger(__name__)

UPSTREAM_HEADER = "X-Livedesk-Upstream"
COMPRESSION_HEADER = "X-Livedesk-Upstream-Compression"
OPEN_TIMEOUT_HEADER = "X-Livedesk-Upstream-Open-Timeout"
PING_HEADER = "X-Livedesk-Upstream-Ping"
ERROR_HEADER = "X-Livedesk-Upstream-Error"
#: a batch frame holds at most this many bytes of events (the console reads 32 KiB at a time,
#: so a backlog is still worked off in slices with paints in between)
BATCH_BYTES = 32 * 1024
#: queued for the client at most, before the relay stops reading the feed
OUTBOX_BYTES = 1024 * 1024
#: at most one batch is written per this many seconds while the feed keeps coming (a batch
#: after a quiet spell goes at once)
BATCH_INTERVAL_S = 0.005
#: frames the websocket library buffers from the feed before it stops reading the socket
UPSTREAM_QUEUE = 1024
#: a feed connection opened for a client whose handshake then failed (so its handler never
#: runs) is closed after this many seconds
UNCLAIMED_S = 30.0
#: batch hold times and start times kept for :meth:`BatchingRelay.stats` (the latest ones: a
#: 20 s benchmark at 20,000 events/s writes about 12,000 batches)
HOLD_SAMPLES = 50_000

_EVENT, _EVENTS, _ALONE = 0, 1, 2


@dataclass
class RelayCounters:
    connections: int = 0        # clients relayed
    refused: int = 0            # clients answered with an HTTP error
    frames_in: int = 0          # frames read from feeds
    events_in: int = 0          # events among them (joined into batches)
    frames_out: int = 0         # frames written to clients
    batches: int = 0            # of which batches
    batches_written: int = 0    # batches the client was sent (the last HOLD_SAMPLES timed)
    alone: int = 0              # of which frames sent on their own (control, not events)


def classify(raw: bytes) -> tuple[int, bytes, int]:
    """(_EVENT, raw, 1) for one event object, (_EVENTS, the array's inside, its length) for an
    array of event objects, (_ALONE, raw, 0) for anything else (it goes down unchanged). "Event"
    is what
    :func:`console.core.protocol.decode_frame` takes for one: an object with ``seq`` and no
    ``op``; its envelope is the client's to check."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _ALONE, raw, 0
    if type(obj) is dict:
        return (_EVENT, raw, 1) if "seq" in obj and "op" not in obj else (_ALONE, raw, 0)
    if type(obj) is list and obj:
        for item in obj:
            if type(item) is not dict or "seq" not in item:
                return _ALONE, raw, 0
        return _EVENTS, raw.strip()[1:-1].strip(), len(obj)
    return _ALONE, raw, 0


def _header_text(text: str) -> str:
    """A header value: one line of printable ASCII."""
    clean = " ".join(text.split())
    return clean.encode("ascii", "backslashreplace").decode("ascii")[:300]


class _Downlink:
    """What goes to one client, in order, written by its own task (the reader never waits
    for a write unless OUTBOX_BYTES are queued)."""

    def __init__(self, relay: "BatchingRelay", down: ServerConnection) -> None:
        self.relay = relay
        self.down = down
        self.queue: deque[tuple[bytes, bool, float]] = deque()
        self.queued = 0
        self.wake = asyncio.Event()
        self.room = asyncio.Event()
        self.room.set()
        self.closed = False       # nothing more will be put
        self.dead = False         # the client is gone: what is put is dropped

    def put(self, payload: bytes, text: bool, since: float = 0.0) -> None:
        if self.dead:
            return
        self.queue.append((payload, text, since))
        self.queued += len(payload)
        if self.queued > OUTBOX_BYTES:
            self.room.clear()
        self.wake.set()

    async def run(self) -> None:
        counters = self.relay.counters
        holds = self.relay.holds
        starts = self.relay.batch_starts
        try:
            while True:
                while not self.queue:
                    if self.closed:
                        return
                    self.wake.clear()
                    await self.wake.wait()
                payload, text, since = self.queue.popleft()
                await self.down.send(payload, text=text)
                self.queued -= len(payload)
                counters.frames_out += 1
                if since:
                    holds.append(time.perf_counter() - since)
                    starts.append(since)
                    counters.batches_written += 1
                if self.queued <= OUTBOX_BYTES // 2:
                    self.room.set()
        except ConnectionClosed:
            pass
        finally:
            self.dead = True
            self.queue.clear()
            self.room.set()


class BatchingRelay:
    """The relay server (see the module docstring). ``await start()`` returns its URL."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *,
                 batch_bytes: int = BATCH_BYTES,
                 batch_interval_s: float = BATCH_INTERVAL_S) -> None:
        self.host = host
        self.port = port
        self.batch_bytes = batch_bytes
        self.batch_interval_s = batch_interval_s
        self.counters = RelayCounters()
        #: seconds from a batch's first frame being read to the batch being written
        self.holds: deque[float] = deque(maxlen=HOLD_SAMPLES)
        #: ``time.perf_counter()`` when each batch's first frame was read, in the order the
        #: batches were written (bench/ui.py times events from there: the clock is the
        #: system's monotonic clock, the same in every process)
        self.batch_starts: deque[float] = deque(maxlen=HOLD_SAMPLES)
        self._server: Server | None = None
        self._upstreams: dict[ServerConnection, ClientConnection] = {}

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    async def start(self) -> str:
        if self._server is None:
            self._server = await serve(self._handle, self.host, self.port, compression=None,
                                       process_request=self._open_upstream, ping_interval=None,
                                       max_size=p.MAX_FRAME_BYTES, open_timeout=30)
            sock = next(iter(self._server.sockets))
            self.port = sock.getsockname()[1]
        return self.url

    async def address(self) -> str:
        """:class:`console.api.FeedRelay`: the relay in this process (tests)."""
        return await self.start()

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()
        for up in list(self._upstreams.values()):
            await up.close(1001, "relay stopped")
        self._upstreams.clear()

    def stats(self, starts: bool = False) -> dict:
        """Counters and batch hold times; with ``starts`` also :attr:`batch_starts`."""
        holds = sorted(self.holds)

        def pct(q: float) -> float | None:
            return round(holds[min(len(holds) - 1, int(q * len(holds)))] * 1000, 3) if holds else None

        out = {**asdict(self.counters), "cpu_s": time.process_time(), "hold_ms": {"p50": pct(0.50), "p99": pct(0.99),
                                                     "max": pct(1.0), "batches": len(holds)}}
        if starts:
            out["batch_starts"] = list(self.batch_starts)
        return out

    # ---- the handshake: the feed first ------------------------------------------------
    async def _open_upstream(self, connection: ServerConnection,
                             request: Request) -> Response | None:
        headers = request.headers
        if "Origin" in headers:
            return self._refuse(connection, 403, "the feed relay takes no browser connections")
        target = headers.get(UPSTREAM_HEADER)
        if not target:
            return self._refuse(connection, 400, f"no {UPSTREAM_HEADER} header")
        auth = headers.get("Authorization")
        compression = headers.get(COMPRESSION_HEADER, "deflate")
        try:
            open_timeout = float(headers.get(OPEN_TIMEOUT_HEADER, "5"))
            ping = float(headers.get(PING_HEADER, "5"))
            up = await connect(target, max_size=p.MAX_FRAME_BYTES, ping_interval=ping,
                               ping_timeout=ping * 2, open_timeout=open_timeout,
                               additional_headers={"Authorization": auth} if auth else None,
                               close_timeout=2.0,
                               compression=None if compression == "none" else compression,
                               max_queue=UPSTREAM_QUEUE)
        except InvalidStatus as exc:           # the feed refused: the client sees its status
            status = exc.response.status_code
            return self._refuse(connection, status, f"the feed answered HTTP {status}",
                                error=None)
        except Exception as exc:  # noqa: BLE001 - any failure to reach the feed is the client's 502
            reason = f"{type(exc).__name__}: {exc}"
            return self._refuse(connection, 502, reason)
        self._upstreams[connection] = up
        asyncio.get_running_loop().call_later(UNCLAIMED_S, self._drop_unclaimed, connection)
        return None

    def _drop_unclaimed(self, connection: ServerConnection) -> None:
        """The client's handshake failed after its feed was opened: close that feed."""
        up = self._upstreams.pop(connection, None)
        if up is not None:
            log.info("relay: closing a feed connection its client never took up")
            asyncio.ensure_future(up.close(1001, "client gone"))

    def _refuse(self, connection: ServerConnection, status: int, reason: str, *,
                error: str | None = "") -> Response:
        self.counters.refused += 1
        response = connection.respond(status, reason + "\n")
        if error is not None:
            response.headers[ERROR_HEADER] = _header_text(reason)
        return response

    # ---- a relayed connection ---------------------------------------------------------
    async def _handle(self, down: ServerConnection) -> None:
        up = self._upstreams.pop(down, None)
        if up is None:                                  # pragma: no cover - defensive
            await down.close(1011, "relay has no feed connection")
            return
        self.counters.connections += 1
        try:
            await asyncio.gather(self._pump_down(up, down), self._pump_up(down, up))
        finally:
            await up.close()

    async def _pump_up(self, down: ServerConnection, up: ClientConnection) -> None:
        """The client's messages to the feed, unchanged; then its close."""
        try:
            async for message in down:
                await up.send(message)
        except ConnectionClosed:
            pass
        await _mirror_close(down, up)

    async def _pump_down(self, up: ClientConnection, down: ServerConnection) -> None:
        """The feed's frames to the client: events joined into batches (module docstring)."""
        link = _Downlink(self, down)
        writer = asyncio.get_running_loop().create_task(link.run())
        loop = asyncio.get_running_loop()
        counters = self.counters
        limit = self.batch_bytes
        batch: list[bytes] = []
        size = 0
        since = 0.0
        handle: asyncio.Handle | None = None
        interval = self.batch_interval_s
        flushed_at = -interval     # loop.time() of the last batch written

        def flush() -> None:
            nonlocal batch, size, handle, flushed_at
            if handle is not None:
                handle.cancel()
                handle = None
            if batch:
                link.put(b"[" + b",".join(batch) + b"]", False, since)
                counters.batches += 1
                batch, size = [], 0
                flushed_at = loop.time()

        try:
            while True:
                if not link.room.is_set():
                    flush()
                    await link.room.wait()
                raw = await up.recv(decode=False)
                counters.frames_in += 1
                kind, body, count = classify(raw)
                if kind == _ALONE:
                    flush()
                    counters.alone += 1
                    link.put(raw, _is_text(raw))
                    continue
                counters.events_in += count
                if size and size + len(body) > limit:
                    flush()
                if not batch:
                    since = time.perf_counter()
                batch.append(body)
                size += len(body) + 1
                if size >= limit:
                    flush()
                elif handle is None:
                    due = flushed_at + interval
                    # call_soon runs once the read loop waits for the socket: every frame
                    # already received is in this batch
                    handle = (loop.call_at(due, flush) if due > loop.time()
                              else loop.call_soon(flush))
        except ConnectionClosed:
            pass
        finally:
            flush()
            link.closed = True
            link.wake.set()
        await writer
        await _mirror_close(up, down)


def _is_text(raw: bytes) -> bool:
    """Whether a frame can go down as text (valid UTF-8); else it goes as binary, which the
    client reads the same way."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


async def _mirror_close(closed: Any, other: Any) -> None:
    """Close ``other`` as ``closed`` was closed: the same code and reason, or dropped without a
    close frame when ``closed`` was (or when its code cannot be sent)."""
    rcvd, sent = closed.protocol.close_rcvd, closed.protocol.close_sent
    frame = rcvd if rcvd is not None else sent
    if frame is None or (frame.code not in EXTERNAL_CLOSE_CODES
                         and not 3000 <= frame.code <= 4999 and frame.code != 1005):
        transport = getattr(other, "transport", None)
        if transport is not None:
            transport.abort()
        return
    code = 1000 if frame.code == 1005 else frame.code
    try:
        await other.close(code, frame.reason)
    except Exception:  # noqa: BLE001 - already closing or gone: nothing more to mirror
        pass


__all__ = ["BatchingRelay", "RelayCounters", "classify", "UPSTREAM_HEADER", "ERROR_HEADER",
           "COMPRESSION_HEADER", "OPEN_TIMEOUT_HEADER", "PING_HEADER", "BATCH_BYTES",
           "OUTBOX_BYTES"]
