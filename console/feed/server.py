"""A generic protocol v1 feed server (headless): what a feed adapter serves on loopback.

An adapter (the JSON mapper, the Douyin console connector, a capture replay) produces
events; :class:`FeedServer` keeps the last ``retention`` of them and serves them to any
number of clients as ``docs/protocol.md`` describes:

* handshake: ``hello`` -> ``welcome`` (``resume`` ``fresh`` or ``replay``), an optional
  bearer token (header or ``hello.token``, ``unauthorized`` + close 4401), ``bad_request``
  for anything but ``ping`` before ``hello``, ``unsupported_protocol`` + close 4400, no
  ``hello`` within 10 s closes with 4400;
* after the welcome, the retained events after the client's ``last_seq`` (a ``gap`` first
  for what is no longer retained), then live events in frames of up to ``batch``;
* ``resend`` (``gap`` for the part no longer retained; ``bad_request`` for a bad range),
  ``ping`` -> ``pong``, malformed frames -> ``bad_request`` (the connection stays open);
* ``command``: checked against the command table (``bad_command``), then handed to the
  *source hook* ``hook(name, args)``. The hook returns the events the command produced
  (event bodies ``{"type", "data"[, "ts"]}``; the server numbers them), or raises
  :class:`Rejected` / :class:`Unsupported` (-> ``error`` with that code). Produced events
  go to every client, then the sender gets ``ack`` with the seq of the last one.

Adapters publish either numbered wire events (:meth:`FeedServer.publish`, seqs must go up)
or bodies the server numbers (:meth:`FeedServer.emit`). No Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections import deque
from typing import Any, Awaitable, Callable, Iterable

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from console.core import protocol as p

log = logging.getLogger(__name__)

HELLO_TIMEOUT_S = 10.0
DEFAULT_RETENTION = 100_000
DEFAULT_BATCH = 500


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


#: ``hook(name, args) -> [event body, ...]`` (may be a coroutine function).
SourceHook = Callable[[str, dict], "list[dict] | Awaitable[list[dict]]"]


class _Conn:
    """One connected client: a queue of frames for its sender task."""

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self.queue: asyncio.Queue = asyncio.Queue()
        self.sent = 0                 # last event seq queued for this client
        self.ready = False            # welcome and backlog queued: live events may follow


class FeedServer:
    """Serve retained and live events as a protocol v1 feed (see the module docstring)."""

    def __init__(self, session: dict | Callable[[], dict], *, host: str = "127.0.0.1",
                 port: int = 0, retention: int = DEFAULT_RETENTION, batch: int = DEFAULT_BATCH,
                 token: str | None = None, hook: SourceHook | None = None,
                 commands: dict[str, dict[str, tuple[type, ...]]] | None = None,
                 catalog: Callable[[], list[dict]] | None = None,
                 read_only_reason: str = "this feed takes no commands",
                 clock: Callable[[], float] = time.time) -> None:
        self._session = session
        self.host, self.port = host, port
        self.retained: deque[dict] = deque(maxlen=max(1, int(retention)))
        self.batch = max(1, int(batch))
        self.token = token
        self.hook = hook
        self.commands = dict(p.COMMAND_ARGS if commands is None else commands)
        self.catalog = catalog
        self.read_only_reason = read_only_reason
        self.clock = clock
        self.clients: set[_Conn] = set()
        self.dropped = 0                      # published events whose seq did not go up
        self._last_seq = 0
        self._server: Any = None
        self._command_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()

    # ---- properties ---------------------------------------------------------------
    @property
    def session(self) -> dict:
        return dict(self._session() if callable(self._session) else self._session)

    @property
    def session_id(self) -> str:
        return str(self.session.get("id"))

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def last_seq(self) -> int:
        return self._last_seq

    @property
    def retained_from(self) -> int:
        return self.retained[0]["seq"] if self.retained else self._last_seq + 1

    # ---- lifecycle ----------------------------------------------------------------
    async def start(self) -> str:
        self._server = await serve(self._handle, self.host, self.port,
                                   max_size=p.MAX_FRAME_BYTES, process_request=self._check_header,
                                   ping_interval=20)
        self.port = self._server.sockets[0].getsockname()[1] if not self.port else self.port
        return self.url

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    # ---- producing ----------------------------------------------------------------
    def publish(self, events: Iterable[dict]) -> list[dict]:
        """Retain and broadcast numbered wire events; a seq that does not go up is dropped."""
        kept = []
        for ev in events:
            seq = ev.get("seq") if isinstance(ev, dict) else None
            if type(seq) is not int or seq <= self._last_seq:
                self.dropped += 1
                log.warning("feed server: dropped an event with seq %r (last %d)", seq,
                            self._last_seq)
                continue
            self._last_seq = seq
            kept.append(ev)
        if kept:
            self.retained.extend(kept)
            for conn in self.clients:
                if conn.ready:
                    conn.queue.put_nowait(kept)
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

    # ---- connection handling ------------------------------------------------------
    def _check_header(self, connection: ServerConnection, request: Any) -> Any:
        auth = request.headers.get("Authorization")
        if self.token and auth is not None and auth != f"Bearer {self.token}":
            return connection.respond(401, "wrong token\n")
        return None

    async def _send(self, ws: ServerConnection, msg: Any) -> None:
        with contextlib.suppress(ConnectionClosed):
            await ws.send(p.dumps_text(msg))

    async def _await_hello(self, ws: ServerConnection) -> dict | None:
        deadline = time.monotonic() + HELLO_TIMEOUT_S
        while True:
            try:
                raw = await asyncio.wait_for(ws.recv(), max(0.05, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                await self._send(ws, {"op": "error", "code": "bad_request",
                                      "message": "no hello received"})
                await ws.close(4400, "no hello")
                return None
            except ConnectionClosed:
                return None
            msg, reason = _control(raw)
            if msg is None:
                await self._send(ws, {"op": "error", "code": "bad_request", "message": reason})
                continue
            if msg["op"] == "ping":
                await self._send(ws, _pong(msg))
                continue
            if msg["op"] != "hello":
                await self._send(ws, {"op": "error", "code": "bad_request",
                                      "message": "send hello first"})
                continue
            if msg.get("protocol") != p.PROTOCOL_VERSION:
                await self._send(ws, {"op": "error", "code": "unsupported_protocol",
                                      "message": f"this feed speaks protocol {p.PROTOCOL_VERSION}"})
                await ws.close(4400, "unsupported protocol")
                return None
            return msg

    async def _handle(self, ws: ServerConnection) -> None:
        header_ok = bool(self.token) and ws.request is not None and \
            ws.request.headers.get("Authorization") == f"Bearer {self.token}"
        hello = await self._await_hello(ws)
        if hello is None:
            return
        if self.token and not header_ok and hello.get("token") != self.token:
            await self._send(ws, {"op": "error", "code": "unauthorized",
                                  "message": "missing or wrong token"})
            await ws.close(4401, "unauthorized")
            return
        conn = _Conn(ws)
        self._welcome(conn, hello)
        self.clients.add(conn)
        sender = asyncio.create_task(self._sender(conn))
        try:
            async for raw in ws:
                await self._on_message(conn, raw)
        except ConnectionClosed:
            pass
        finally:
            self.clients.discard(conn)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    def _welcome(self, conn: _Conn, hello: dict) -> None:
        """Queue the welcome and the backlog (no await: nothing is published in between)."""
        last = self._last_seq
        try:
            want = int(hello.get("last_seq") or 0)
        except (TypeError, ValueError):
            want = 0
        if want <= 0 or hello.get("session_id") != self.session_id:
            want, resume = 0, "fresh"
        else:
            resume = "replay"
        want = min(want, last)
        base = self.retained_from
        welcome = {"op": "welcome", "protocol": p.PROTOCOL_VERSION, "session": self.session,
                   "last_seq": last, "resume": resume, "retained_from": base,
                   "batch": self.batch}
        if self.catalog is not None:
            welcome["catalog"] = self.catalog()
        conn.queue.put_nowait(welcome)
        if want + 1 < base:
            conn.queue.put_nowait({"op": "gap", "from": want + 1, "to": base - 1,
                                   "reason": "not retained"})
        backlog = [e for e in self.retained if e["seq"] > want]
        if backlog:
            conn.queue.put_nowait(backlog)
        conn.ready = True

    async def _sender(self, conn: _Conn) -> None:
        ws = conn.ws
        try:
            while True:
                item = await conn.queue.get()
                if isinstance(item, dict):
                    await ws.send(p.dumps_text(item))
                    continue
                if isinstance(item, _Frame):
                    await ws.send(p.dumps_text(list(item)))
                    continue
                events = [e for e in item if e["seq"] > conn.sent]
                while not conn.queue.empty() and type(conn.queue._queue[0]) is list:  # type: ignore[attr-defined]
                    events.extend(e for e in conn.queue.get_nowait() if e["seq"] > conn.sent)
                for chunk in p.iter_batches(events, self.batch):
                    await ws.send(p.dumps_text(chunk))
                    conn.sent = chunk[-1]["seq"]
        except ConnectionClosed:
            pass

    async def _on_message(self, conn: _Conn, raw: Any) -> None:
        msg, reason = _control(raw)
        if msg is None:
            conn.queue.put_nowait({"op": "error", "code": "bad_request", "message": reason})
            return
        op = msg["op"]
        if op == "ping":
            conn.queue.put_nowait(_pong(msg))
        elif op == "resend":
            self._resend(conn, msg)
        elif op == "command":   # a page action may take a second: keep answering pings
            task = asyncio.create_task(self._command(conn, msg))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif op == "hello":
            conn.queue.put_nowait({"op": "error", "code": "bad_request",
                                   "message": "hello was already received"})
        elif op == "pong":
            pass
        else:
            conn.queue.put_nowait({"op": "error", "code": "bad_request",
                                   "message": f"unknown op {op!r}"})

    def _resend(self, conn: _Conn, msg: dict) -> None:
        a, b = msg.get("from"), msg.get("to")
        if type(a) is not int or type(b) is not int or a > b or a < 1 or a > self._last_seq:
            conn.queue.put_nowait({"op": "error", "code": "bad_request",
                                   "message": "resend needs integers 1 <= from <= to, "
                                              "not wholly after the last seq"})
            return
        b = min(b, self._last_seq)
        base = self.retained_from
        if a < base:
            conn.queue.put_nowait({"op": "gap", "from": a, "to": min(b, base - 1),
                                   "reason": "not retained"})
        events = [e for e in self.retained if max(a, base) <= e["seq"] <= b]
        for chunk in p.iter_batches(events, self.batch):   # as they are, past the live cursor
            conn.queue.put_nowait(_Frame(chunk))

    async def _command(self, conn: _Conn, msg: dict) -> None:
        cid = msg.get("id")
        reason = p.check_command(msg, self.commands)
        if reason:
            conn.queue.put_nowait({"op": "error", "id": cid, "code": "bad_command",
                                   "message": reason})
            return
        name, args = msg["name"], dict(msg.get("args") or {})
        if self.hook is None:
            conn.queue.put_nowait({"op": "error", "id": cid, "code": "unsupported",
                                   "message": self.read_only_reason})
            return
        async with self._command_lock:   # one page action at a time, in arrival order
            try:
                result = self.hook(name, args)
                if inspect.isawaitable(result):
                    result = await result
                produced = self.emit(result or [])
            except CommandError as exc:
                conn.queue.put_nowait({"op": "error", "id": cid, "code": exc.code,
                                       "message": str(exc)})
                return
            except Exception as exc:  # a source failure is the command's error
                log.exception("feed server: command %s failed", name)
                conn.queue.put_nowait({"op": "error", "id": cid, "code": "rejected",
                                       "message": f"{type(exc).__name__}: {exc}"})
                return
        ack = {"op": "ack", "id": cid, "seq": produced[-1]["seq"] if produced else self._last_seq}
        conn.queue.put_nowait(ack)


class _Frame(list):
    """Events to send as they are (a resend), not filtered by the live cursor."""


def _pong(msg: dict) -> dict:
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
        return None, "clients send control messages only"
    return msg, ""


__all__ = ["FeedServer", "CommandError", "Rejected", "Unsupported", "SourceHook"]
