"""The protocol v1 feed server (headless): what every feed serves, usually on loopback.

A *source* (the simulator, the JSON mapper, the Douyin connector, a capture replay, the
tests' fake feed) produces events; :class:`FeedServer` keeps the last ``retention`` of them
and serves them to any number of clients as ``docs/protocol.md`` describes:

* handshake: ``hello`` -> ``welcome``, an optional bearer token (a wrong
  ``Authorization`` header: HTTP 401 before the upgrade; a missing or wrong ``hello.token``:
  ``unauthorized`` + close 4401), ``ping`` answered before ``hello`` too, ``bad_request``
  for anything else before ``hello``, ``unsupported_protocol`` + close 4400, no ``hello``
  within 10 s closes with 4400;
* resume: ``fresh`` (with ``"reason": "ahead"`` for a client of this session whose
  ``last_seq`` is beyond the feed's), ``replay`` of what follows the client's ``last_seq``,
  or, when that is no longer retained, ``snapshot`` (the source gives one) or a ``gap``
  and the retained events;
* events in frames of up to ``batch`` (``batch`` 1: one bare event per frame); a client
  that falls further behind than the retention gets a ``gap`` (``reason`` ``retention``);
* ``resend`` (``gap`` for the part no longer retained; ``bad_request`` for a bad range),
  ``ping`` -> ``pong``, malformed frames -> ``bad_request`` (the connection stays open);
* ``command``: checked against the command table (``bad_command``), then handed to the
  source hook (below); its events go to every client, then the sender gets ``ack``.

What the source gives (all optional, keyword arguments):

* ``hook(name, args)`` (a function or coroutine function) carries out a command and returns
  the events it produced: bodies ``{"type", "data"[, "ts"]}`` the server numbers, or events
  numbered by the source itself (the simulator). It raises :class:`Rejected` or
  :class:`Unsupported` (-> ``error`` with that code). Without a hook every command is
  ``unsupported`` (``read_only_reason``);
* ``catalog()``: the welcome's ``catalog``; ``snapshot()``: the absolute state sent to a
  client whose position is no longer retained; ``welcome_extra``: fields added to every
  welcome (the simulator's ``speed``).

A source publishes numbered events (:meth:`FeedServer.publish`: seqs must go up, holes are
allowed) or bodies the server numbers (:meth:`FeedServer.emit`). A source that can outrun
its clients (the simulator's load mode) paces itself with :meth:`wait_for_first_client` and
:meth:`wait_for_readers`.

Each event is encoded once, into a ring (the last ``retention`` of them are served); each
client's sender reads frames from its own cursor in the ring at the pace its socket takes,
yielding to the event loop every ``SEND_ROUND`` frames, so a slow client costs no memory
and never holds the others or the source up. No Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from typing import Any, Awaitable, Callable, Iterable

import orjson
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from console.core import protocol as p

log = logging.getLogger(__name__)

HELLO_TIMEOUT_S = 10.0
DEFAULT_RETENTION = 100_000
DEFAULT_BATCH = 500
#: a client's sender yields to the event loop after at most this many frames
SEND_ROUND = 64


class CommandError(Exception):
    """A command the source could not carry out; ``code`` goes into the ``error`` answer."""

    code = "rejected"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class Rejected(CommandError):
    """Valid shape, but not possible now (unknown SKU, not live, the page refused)."""

    code = "rejected"


class Unsupported(CommandError):
    """The source cannot do this at all (read-only feed, not offered by the platform)."""

    code = "unsupported"


#: ``hook(name, args) -> [event, ...]`` (may be a coroutine function).
SourceHook = Callable[[str, dict], "list[dict] | Awaitable[list[dict]]"]


class _Client:
    """One welcomed client.

    Events are not queued per client: the sender reads them from the server's ring, from
    ``cursor`` (the next seq to send) on. ``control`` holds control messages and resend
    ranges as ``(after_seq, item)``: an item goes out once every event up to ``after_seq``
    has been sent (0: at once, ahead of the events still to send).
    """

    __slots__ = ("ws", "name", "cursor", "control", "wake", "task")

    def __init__(self, ws: ServerConnection, name: str) -> None:
        self.ws = ws
        self.name = name
        self.cursor = 1
        self.control: deque[tuple[int, Any]] = deque()
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None

    def put(self, item: Any, after: int = 0) -> None:
        """Queue encoded control message (bytes), a resend range (tuple) or None (stop)."""
        self.control.append((after, item))
        self.wake.set()


async def _send_text_frames(ws: ServerConnection, frames: list[bytes]) -> None:
    """Send ``frames`` as text frames, unchanged, with one socket write for the lot.

    ``ws.send()`` per frame makes one system call per frame (asyncio writes at once while its
    buffer is empty): at 20,000 one-event frames a second that was a good part of the
    simulator's CPU, and each frame reached the reader in a TCP segment of its own. A busy
    server's socket coalesces like this anyway; the frames themselves do not change. Written
    through websockets' own send context (its state checks and flow control)."""
    async with ws.send_context():
        protocol = ws.protocol
        for frame in frames:
            protocol.send_text(frame)
        ws.transport.write(b"".join(protocol.data_to_send()))


class FeedServer:
    """Serve retained and live events as a protocol v1 feed (see the module docstring)."""

    def __init__(self, session: dict | Callable[[], dict], *, host: str = "127.0.0.1",
                 port: int = 0, retention: int = DEFAULT_RETENTION, batch: int = DEFAULT_BATCH,
                 token: str | None = None, hook: SourceHook | None = None,
                 commands: dict[str, dict[str, tuple[type, ...]]] | None = None,
                 catalog: Callable[[], list[dict]] | None = None,
                 snapshot: Callable[[], dict] | None = None,
                 welcome_extra: dict | None = None,
                 read_only_reason: str = "this feed takes no commands",
                 clock: Callable[[], float] = time.time) -> None:
        self._session = session
        self.host, self.port = host, port
        self.retention = max(1, int(retention))
        self.batch = max(1, int(batch))
        self.token = token or None
        self.hook = hook
        self.command_table = dict(p.COMMAND_ARGS if commands is None else commands)
        self.catalog = catalog
        self.snapshot = snapshot
        self.welcome_extra = dict(welcome_extra or {})
        self.read_only_reason = read_only_reason
        self.clock = clock
        #: frames a sender sends before it yields to the event loop
        self.send_round = SEND_ROUND
        # Encoded events (UTF-8 JSON) and their seqs, in seq order; the last `retention` are
        # served. A list, so that slicing from the middle is O(k); trimmed in steps.
        self.ring: list[bytes] = []
        self.seqs = array("q")
        self.clients: set[_Client] = set()
        self.emitted = 0                      # events published
        self.dropped = 0                      # published events whose seq did not go up
        self._last_seq = 0
        self._server: Any = None
        self._command_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()
        self._first_client = asyncio.Event()
        self._progress = asyncio.Event()      # a sender sent something / a client left

    # ---- properties ---------------------------------------------------------------
    @property
    def session(self) -> dict:
        return dict(self._session() if callable(self._session) else self._session)

    @property
    def session_id(self) -> str:
        return str(self.session.get("id"))

    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"ws://{host}:{self.port}"

    @property
    def last_seq(self) -> int:
        return self._last_seq

    @property
    def retained_from(self) -> int:
        """The first seq still held for replay and resend."""
        n = len(self.ring)
        return self.seqs[max(0, n - self.retention)] if n else self._last_seq + 1

    def retained_events(self, first: int = 1, last: int | None = None) -> list[dict]:
        """Decoded retained events with ``first <= seq <= last`` (tests, diagnostics)."""
        encoded, _ = self._slice(first, self._last_seq if last is None else last)
        return [orjson.loads(b) for b in encoded]

    # ---- lifecycle ----------------------------------------------------------------
    async def start(self) -> str:
        self._first_client = asyncio.Event()
        self._progress = asyncio.Event()
        self._server = await serve(self._handle, self.host, self.port,
                                   process_request=self._check_header,
                                   max_size=p.MAX_FRAME_BYTES, ping_interval=20,
                                   ping_timeout=20, compression=None)
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        return self.url

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for c in list(self.clients):
            c.put(None)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None
        for c in list(self.clients):
            if c.task is not None:
                c.task.cancel()
        self.clients.clear()

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until every client has been sent everything (or timeout)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and not all(
                not c.control and c.cursor > self._last_seq for c in self.clients):
            await asyncio.sleep(0.05)

    # ---- producing ----------------------------------------------------------------
    def publish(self, events: Iterable[dict]) -> list[dict]:
        """Retain and broadcast numbered events; one whose seq does not go up is dropped."""
        last = self._last_seq
        kept = []
        for ev in events:
            seq = ev.get("seq") if isinstance(ev, dict) else None
            if type(seq) is not int or seq <= last:
                self.dropped += 1
                log.warning("feed server: dropped an event with seq %r (last %d)", seq, last)
                continue
            last = seq
            kept.append(ev)
        if not kept:
            return kept
        dumps = orjson.dumps
        # copy: orjson's result keeps a >= 4 KiB buffer; the copy is its size (x15 less)
        encoded = [memoryview(dumps(e)).tobytes() for e in kept]
        self._last_seq = last
        ring = self.ring
        ring.extend(encoded)
        self.seqs.extend([e["seq"] for e in kept])
        self.emitted += len(kept)
        excess = len(ring) - self.retention
        if excess > max(1024, self.retention // 4):
            del ring[:excess]
            del self.seqs[:excess]
        for c in self.clients:
            c.wake.set()
        return kept

    def emit(self, bodies: Iterable[dict]) -> list[dict]:
        """Number event bodies ``{"type", "data"[, "ts"]}`` and publish them."""
        events = []
        seq = self._last_seq
        for body in bodies:
            seq += 1
            ts = body.get("ts")
            events.append(p.make_event(seq, float(ts) if ts is not None else self.clock(),
                                       body["type"], body.get("data") or {}))
        return self.publish(events)

    async def wait_for_first_client(self) -> None:
        """Until a client has been welcomed (since :meth:`start`)."""
        await self._first_client.wait()

    async def wait_for_readers(self, lead: int) -> None:
        """Until some client is fewer than ``lead`` events behind the last one published
        (at once when no client is connected): a fast source follows its fastest reader."""
        progress = self._progress
        while self.clients and min(self._last_seq - c.cursor for c in self.clients) >= lead:
            progress.clear()
            await progress.wait()

    # ---- the ring -------------------------------------------------------------------
    def _slice(self, first: int, last: int, limit: int | None = None) -> tuple[list[bytes], array]:
        """Retained encoded events with ``first <= seq <= last`` (at most ``limit``), and
        their seqs (copies: the ring may be trimmed while they are sent)."""
        seqs = self.seqs
        lo = max(bisect_left(seqs, first), len(self.ring) - self.retention)
        hi = bisect_right(seqs, last, lo)
        if limit is not None:
            hi = min(hi, lo + limit)
        return self.ring[lo:hi], seqs[lo:hi]

    def _frames(self, encoded: list[bytes]) -> list[bytes]:
        if self.batch <= 1:
            return encoded
        step = self.batch
        return [b"[" + b",".join(encoded[i:i + step]) + b"]"
                for i in range(0, len(encoded), step)]

    # ---- connections ------------------------------------------------------------------
    def _check_header(self, connection: ServerConnection, request: Any) -> Any:
        """Before the upgrade: a wrong bearer token in the header gets HTTP 401."""
        auth = request.headers.get("Authorization")
        if self.token and auth is not None and auth != f"Bearer {self.token}":
            return connection.respond(401, "wrong token\n")
        return None

    def _authorized(self, ws: ServerConnection, hello: dict) -> bool:
        """The token came in the header or in ``hello`` (always, for a feed without one)."""
        if not self.token:
            return True
        header = ws.request.headers.get("Authorization") if ws.request is not None else None
        return header == f"Bearer {self.token}" or hello.get("token") == self.token

    async def _handle(self, ws: ServerConnection) -> None:
        hello = await self._await_hello(ws)
        if hello is None:
            return
        if not self._authorized(ws, hello):
            await self._send_now(ws, {"op": "error", "code": "unauthorized",
                                      "message": "missing or wrong token"})
            await ws.close(4401, "unauthorized")
            return
        client = _Client(ws, str(hello.get("client", "")))
        self._welcome(client, hello)
        self.clients.add(client)
        client.task = asyncio.create_task(self._sender(client))
        self._first_client.set()
        try:
            async for raw in ws:
                self._on_message(client, raw)
        except ConnectionClosed:
            pass
        finally:
            self.clients.discard(client)
            client.put(None)
            self._progress.set()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(client.task, 1.0)

    async def _send_now(self, ws: ServerConnection, msg: dict) -> None:
        with contextlib.suppress(ConnectionClosed):
            await ws.send(p.dumps_text(msg))

    async def _await_hello(self, ws: ServerConnection) -> dict | None:
        deadline = time.monotonic() + HELLO_TIMEOUT_S
        while True:
            try:
                raw = await asyncio.wait_for(ws.recv(), max(0.05, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                await self._send_now(ws, {"op": "error", "code": "bad_request",
                                          "message": "no hello received"})
                await ws.close(4400, "no hello")
                return None
            except ConnectionClosed:
                return None
            msg, reason = _control(raw)
            if msg is None:
                await self._send_now(ws, {"op": "error", "code": "bad_request", "message": reason})
                continue
            if msg["op"] == "ping":
                await self._send_now(ws, _pong(msg))
                continue
            if msg["op"] != "hello":
                await self._send_now(ws, {"op": "error", "code": "bad_request",
                                          "message": "send hello first"})
                continue
            if msg.get("protocol") != p.PROTOCOL_VERSION:
                await self._send_now(ws, {"op": "error", "code": "unsupported_protocol",
                                          "message": f"this feed speaks protocol {p.PROTOCOL_VERSION}"})
                await ws.close(4400, "unsupported protocol")
                return None
            return msg

    def _welcome(self, client: _Client, hello: dict) -> None:
        """Queue the welcome (and a snapshot or a gap) and set the client's cursor (no await:
        nothing is published in between)."""
        last = self._last_seq
        try:
            want = int(hello.get("last_seq") or 0)
        except (TypeError, ValueError):
            want = 0
        reason = None
        if want <= 0 or hello.get("session_id") != self.session_id:
            want, resume = 0, "fresh"
        elif want > last:
            # the client holds seqs this feed never sent in this session (the feed restarted
            # its numbering, or the client's record is not ours): its position means nothing
            # here, so it gets everything from seq 1, and is told why (docs/protocol.md)
            log.warning("client %s resumes session %s at seq %d, beyond our last seq %d: "
                        "sending from seq 1", client.name, self.session_id, want, last)
            want, resume, reason = 0, "fresh", "ahead"
        else:
            resume = "replay"
        base = self.retained_from
        gap = None
        client.cursor = want + 1
        if want + 1 < base and want < last:           # the client's next events are gone
            if self.snapshot is not None:
                resume = "snapshot"
                client.cursor = last + 1
            else:
                gap = {"op": "gap", "from": want + 1, "to": base - 1, "reason": "not retained"}
                client.cursor = base
        welcome = {"op": "welcome", "protocol": p.PROTOCOL_VERSION, "session": self.session,
                   "last_seq": last, "resume": resume, "retained_from": base,
                   "batch": self.batch}
        if self.catalog is not None:
            welcome["catalog"] = self.catalog()
        welcome.update(self.welcome_extra)
        if reason is not None:
            welcome["reason"] = reason
        client.put(p.dumps(welcome))
        if resume == "snapshot":
            assert self.snapshot is not None
            client.put(p.dumps({"op": "snapshot", "last_seq": last, "state": self.snapshot()}))
        elif gap is not None:
            client.put(p.dumps(gap))

    # ---- sending ------------------------------------------------------------------------
    async def _sender(self, client: _Client) -> None:
        """Send control items when due and events from the ring, yielding regularly."""
        ws, control = client.ws, client.control
        try:
            while True:
                while control:
                    after, item = control[0]
                    if after >= client.cursor and client.cursor <= self._last_seq:
                        break                           # events up to `after` go first
                    control.popleft()
                    if item is None:
                        return
                    if type(item) is tuple:
                        await self._send_range(client, item[0], item[1])
                    else:
                        await ws.send(item, text=True)
                if client.cursor <= self._last_seq:
                    await self._send_events(client)
                    self._progress.set()
                    await asyncio.sleep(0)      # let the source and other connections run
                    continue
                if control:
                    continue
                client.wake.clear()
                await client.wake.wait()
        except ConnectionClosed:
            pass

    async def _send_events(self, client: _Client) -> None:
        """Send up to ``send_round`` frames from the client's cursor."""
        base = self.retained_from
        if client.cursor < base:
            # fell further behind than the retention: those events are gone for it
            await client.ws.send(p.dumps({"op": "gap", "from": client.cursor, "to": base - 1,
                                          "reason": "retention"}), text=True)
            client.cursor = base
        batch = self.batch
        encoded, seqs = self._slice(client.cursor, self._last_seq, self.send_round * batch)
        if not encoded:
            client.cursor = self._last_seq + 1          # a hole at the end of the ring
            return
        await _send_text_frames(client.ws, self._frames(encoded))
        client.cursor = seqs[-1] + 1

    async def _send_range(self, client: _Client, first: int, last: int) -> None:
        """A resend: the retained events first..last, in rounds, past the live cursor."""
        ws = client.ws
        while first <= last:
            encoded, seqs = self._slice(first, last, self.send_round * self.batch)
            if not encoded:
                return
            await _send_text_frames(ws, self._frames(encoded))
            first = seqs[-1] + 1
            await asyncio.sleep(0)

    def _reply(self, client: _Client, msg: dict, after: int = 0) -> None:
        client.put(p.dumps(msg), after)

    # ---- what clients send ----------------------------------------------------------------
    def _on_message(self, client: _Client, raw: str | bytes) -> None:
        msg, reason = _control(raw)
        if msg is None:
            self._reply(client, {"op": "error", "code": "bad_request", "message": reason})
            return
        op = msg["op"]
        if op == "ping":
            self._reply(client, _pong(msg))
        elif op == "command":
            self._on_command(client, msg)
        elif op == "resend":
            self._on_resend(client, msg)
        elif op == "hello":
            self._reply(client, {"op": "error", "code": "bad_request",
                                 "message": "already said hello on this connection"})
        elif op == "pong":
            pass
        else:
            self._reply(client, {"op": "error", "code": "bad_request",
                                 "message": f"unknown op {op!r}"})

    def _on_resend(self, client: _Client, msg: dict) -> None:
        a, b = msg.get("from"), msg.get("to")
        if type(a) is not int or type(b) is not int or a < 1 or b < a:
            self._reply(client, {"op": "error", "code": "bad_request",
                                 "message": "resend needs integers 1 <= from <= to"})
            return
        b = min(b, self._last_seq)
        if a > b:
            self._reply(client, {"op": "error", "code": "bad_request",
                                 "message": f"nothing to resend: last_seq is {self._last_seq}"})
            return
        base = self.retained_from
        if a < base:
            self._reply(client, {"op": "gap", "from": a, "to": min(b, base - 1),
                                 "reason": "not retained"})
        if b >= max(a, base):
            client.put((max(a, base), b))

    def _on_command(self, client: _Client, msg: dict) -> None:
        cid = msg.get("id") if isinstance(msg.get("id"), str) else None
        reason = p.check_command(msg, self.command_table)
        if reason:
            self._reply(client, {"op": "error", "id": cid, "code": "bad_command",
                                 "message": reason})
            return
        if self.hook is None:
            self._reply(client, {"op": "error", "id": cid, "code": "unsupported",
                                 "message": self.read_only_reason})
            return
        # a page action may take a second: keep answering pings and resends meanwhile
        task = asyncio.create_task(self._command(client, cid, msg["name"],
                                                 dict(msg.get("args") or {})))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _command(self, client: _Client, cid: str | None, name: str, args: dict) -> None:
        assert self.hook is not None
        async with self._command_lock:   # one command at a time, in arrival order
            try:
                result = self.hook(name, args)
                if inspect.isawaitable(result):
                    result = await result
                events = list(result or [])
                if events and all(isinstance(e, dict) and "seq" in e for e in events):
                    produced = self.publish(events)      # numbered by the source
                else:
                    produced = self.emit(events)
            except CommandError as exc:
                self._reply(client, {"op": "error", "id": cid, "code": exc.code,
                                     "message": str(exc)})
                return
            except Exception as exc:  # a source failure is the command's error
                log.exception("feed server: command %s failed", name)
                self._reply(client, {"op": "error", "id": cid, "code": "rejected",
                                     "message": f"{type(exc).__name__}: {exc}"})
                return
        seq = produced[-1]["seq"] if produced else self._last_seq
        # the ack follows the events the command produced
        self._reply(client, {"op": "ack", "id": cid, "seq": seq}, after=seq if produced else 0)


def _pong(msg: dict) -> dict:
    """The answer to a ping, before or after hello: server time, the ping's id echoed."""
    reply = {"op": "pong", "ts": time.time()}
    if "id" in msg:
        reply["id"] = msg["id"]
    return reply


def _control(raw: Any) -> tuple[dict | None, str]:
    try:
        kind, msg = p.decode_frame(raw)
    except p.ProtocolError as exc:
        return None, str(exc)
    if kind != "control":
        return None, "clients send control messages (objects with 'op'), not events"
    return msg, ""


__all__ = ["FeedServer", "CommandError", "Rejected", "Unsupported", "SourceHook",
           "DEFAULT_BATCH", "DEFAULT_RETENTION"]
