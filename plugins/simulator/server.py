"""The built-in simulator feed: protocol v1 over WebSocket (loopback by default).

``SimServer`` runs a :class:`plugins.simulator.model.Simulator` (or its benchmark
load generator) on a clock that runs ``speed`` times wall time, keeps the
last ``retention`` events in a ring buffer for resume/resend, and serves any
number of clients. ``run_simulate(args)`` is the ``livedesk simulate`` CLI.
No Qt here (headless).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import http
import logging
import secrets
import time
from pathlib import Path
from typing import Any

import orjson
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from console.core import protocol as p
from console.core.plan import ShowPlan, load_plan
from console.support.resources import sample_plan_path
from plugins.simulator.model import Simulator, default_session_id

log = logging.getLogger(__name__)

DEFAULT_RETENTION = 1_000_000
HELLO_TIMEOUT_S = 10.0
STEP_INTERVAL_S = 0.05
#: load mode generates at most this many events between yields to the event loop
LOAD_CHUNK = 500
#: load mode runs at most this many events ahead of the most advanced client: the rate
#: is EPS or what the fastest client takes, whichever is lower (slower clients fall
#: behind in the ring as they would on a real feed)
LOAD_LEAD = 20_000
#: a client's sender yields to the event loop after at most this many frames
SEND_ROUND = 64


def default_plan_path() -> Path:
    """The bundled sample plan (``resources/sample_plan.yaml``)."""
    return sample_plan_path()


class _Client:
    """One connected client.

    Events are not queued per client: the sender reads them straight from the
    server's ring, from ``cursor`` (the next feed seq to send) onwards, at the
    pace the client's socket accepts. ``control`` holds control messages and
    resend ranges as ``(after_seq, item)``: an item goes out once every event
    up to ``after_seq`` has been sent (0: at once, ahead of queued events).
    """

    __slots__ = ("ws", "name", "cursor", "control", "wake", "task")

    def __init__(self, ws: ServerConnection, name: str) -> None:
        self.ws = ws
        self.name = name
        self.cursor = 1
        self.control: collections.deque[tuple[int, Any]] = collections.deque()
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None

    def put(self, item: Any, after: int = 0) -> None:
        self.control.append((after, item))
        self.wake.set()


class SimServer:
    """A WebSocket server that serves a simulated session (protocol v1).

    The event loop is never held for long: load mode generates events in
    chunks of at most ``LOAD_CHUNK`` and yields between them, and each client's
    sender yields after at most ``SEND_ROUND`` frames, so new connections,
    hellos, resumes, resends and pings are served while under full load.
    Every event is encoded once, into the ring; frames are cut from the ring
    per client at the pace its socket accepts (memory does not grow with slow
    clients; a client that falls behind the retention gets a ``gap``).

    In load mode the generator starts when the first client has been welcomed
    (``wait_for_client``), so a benchmark measures the live stream rather than
    a replay of a backlog; the session preamble is there from the start.
    """

    def __init__(self, plan: ShowPlan | str | Path | None = None, *, seed: int = 7,
                 speed: float = 1.0, host: str = "127.0.0.1", port: int = 0,
                 token: str | None = None, batch: int = 1, load_eps: float | None = None,
                 retention: int = DEFAULT_RETENTION, duration: float | None = None,
                 total: int | None = None, session_id: str | None = None,
                 autopilot: bool = True, start_ts: float | None = None,
                 audience: int = 3000, wait_for_client: bool | None = None,
                 load_comments: float | None = None) -> None:
        if plan is None:
            plan = default_plan_path()
        self.plan = plan if isinstance(plan, ShowPlan) else load_plan(plan)
        self.seed = seed
        self.speed = float(speed) if speed and speed > 0 else 1.0
        self.host = host
        self.port = port
        self.token = token or None
        self.batch = max(1, int(batch or 1))
        self.load_eps = load_eps
        self.load_comments = load_comments
        self.retention = max(1, int(retention or DEFAULT_RETENTION))
        self.duration = duration
        self.total = total
        self.start_ts = start_ts
        self.wait_for_client = bool(load_eps) if wait_for_client is None else wait_for_client
        if session_id is None:
            # Each run of the server is a new live session (a second run with the same plan
            # and seed must not resume the first one's recording); the events stay seeded.
            session_id = (f"{default_session_id(self.plan, seed)}-"
                          f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}")
        self.sim = Simulator(self.plan, seed=seed, start_ts=start_ts, autopilot=autopilot,
                             audience=audience, session_id=session_id)
        self.session_id = self.sim.session_id
        # Encoded events (UTF-8 JSON bytes), contiguous feed seqs _ring_base.._ring_last.
        # A list (not a deque) so that slicing from the middle is O(k); trimmed in steps.
        self.ring: list[bytes] = []
        self._ring_base = 1
        self._ring_last = 0
        self.clients: set[_Client] = set()
        self.finished = asyncio.Event()
        self.emitted = 0
        self._server: Any = None
        self._driver: asyncio.Task | None = None
        self._first_client: asyncio.Event | None = None
        self._progress: asyncio.Event | None = None  # a sender sent something / a client left
        self._wall0 = 0.0
        self._sim0 = 0.0

    # ---- lifecycle -----------------------------------------------------------
    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"ws://{host}:{self.port}"

    @property
    def last_seq(self) -> int:
        return self.sim.seq

    @property
    def retained_from(self) -> int:
        """The first feed seq still held for replay and resend."""
        return max(self._ring_base, self._ring_last - self.retention + 1)

    def retained_events(self, first: int = 1, last: int | None = None) -> list[dict]:
        """Decoded events first..last that the ring still holds (tests, diagnostics)."""
        return [orjson.loads(b) for b in self._retained(first, self._ring_last if last is None
                                                          else last)[0]]

    def sim_now(self) -> float:
        return self._sim0 + (time.monotonic() - self._wall0) * self.speed

    async def start(self) -> None:
        self.finished = asyncio.Event()
        self._first_client = asyncio.Event()
        self._progress = asyncio.Event()
        self._server = await serve(self._handle, self.host, self.port,
                                   process_request=self._process_request,
                                   max_size=p.MAX_FRAME_BYTES, ping_interval=20,
                                   ping_timeout=20, compression=None)
        sock = next(iter(self._server.sockets))
        self.port = sock.getsockname()[1]
        self._wall0 = time.monotonic()
        self._sim0 = self.start_ts if self.start_ts is not None else time.time()
        self._publish(self.sim.step(self._sim0))
        self._driver = asyncio.create_task(self._drive_load() if self.load_eps else self._drive())

    async def stop(self) -> None:
        if self._driver is not None:
            self._driver.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._driver
            self._driver = None
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
        self.finished.set()

    def _client_idle(self, c: _Client) -> bool:
        return not c.control and c.cursor > self._ring_last

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until every client has been sent everything (or timeout)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and not all(self._client_idle(c) for c in self.clients):
            await asyncio.sleep(0.05)

    # ---- production ------------------------------------------------------------
    async def _drive(self) -> None:
        try:
            while True:
                now = self.sim_now()
                if self.duration is not None and now - self._sim0 >= self.duration * self.speed:
                    self._publish(self.sim.end(self._sim0 + self.duration * self.speed))
                    break
                self._publish(self.sim.step(now))
                await asyncio.sleep(STEP_INTERVAL_S)
        finally:
            self.finished.set()

    async def _drive_load(self) -> None:
        """Emit ``load_eps`` events per second, in chunks, yielding to the loop after each."""
        eps = float(self.load_eps or 0)
        try:
            if self.wait_for_client and self._first_client is not None:
                await self._first_client.wait()
            gen = self.sim.load(eps, start_ts=self._sim0, chunk=LOAD_CHUNK,
                                comments_per_s=self.load_comments)
            total = self.total
            budget = int(round(eps * self.duration)) if self.duration is not None else None
            produced = 0
            t0 = time.monotonic()
            for events in gen:
                if budget is not None:
                    if produced >= budget:
                        break
                    events = events[:budget - produced]
                if total is not None:
                    room = total - 1 - self.emitted  # keep one seq for session.ended
                    if room <= 0:
                        break
                    if len(events) > room:
                        events = events[:room]
                        self.sim.seq = events[-1]["seq"]  # drop the unsent tail's numbers
                self._publish(events)
                produced += len(events)
                if total is not None and self.emitted >= total - 1:
                    break
                await self._wait_for_a_reader()
                # pace: event number `produced` is due at t0 + produced / eps
                delay = t0 + produced / eps - time.monotonic()
                await asyncio.sleep(delay if delay > 0 else 0)
            # events generated but cut off above are dropped: continue after the last sent
            self.sim.seq = self._ring_last
            self._publish(self.sim.end(self.sim.last_ts))
        finally:
            self.finished.set()

    async def _wait_for_a_reader(self) -> None:
        """Load mode: do not run more than LOAD_LEAD events ahead of every client."""
        progress = self._progress
        lead = min(LOAD_LEAD, max(1, self.retention // 2))  # never outrun the ring
        while progress is not None and self.clients and \
                min(self._ring_last - c.cursor for c in self.clients) >= lead:
            progress.clear()
            await progress.wait()

    def _publish(self, events: list[dict]) -> None:
        if not events:
            return
        first = events[0]["seq"]
        if first != self._ring_last + 1:  # not contiguous (never expected): start over
            self.ring.clear()
            self._ring_base = first
        dumps = orjson.dumps
        ring = self.ring
        # copy: orjson's result keeps a >= 4 KiB buffer; the copy is its size (x15 less)
        ring.extend([memoryview(dumps(e)).tobytes() for e in events])
        self._ring_last = events[-1]["seq"]
        self.emitted += len(events)
        excess = len(ring) - self.retention
        if excess > max(1024, self.retention // 4):
            del ring[:excess]
            self._ring_base += excess
        for c in self.clients:
            c.wake.set()

    def _retained(self, first: int, last: int) -> tuple[list[bytes], int]:
        """Encoded events first..last still held; also the first retained seq."""
        base = self.retained_from
        if not self.ring:
            return [], self._ring_last + 1
        lo = max(first, base)
        hi = min(last, self._ring_last)
        if hi < lo:
            return [], base
        off = self._ring_base
        return self.ring[lo - off:hi - off + 1], base

    def _cut_frames(self, encoded: list[bytes]) -> list[bytes]:
        if self.batch <= 1:
            return encoded
        step = self.batch
        return [b"[" + b",".join(encoded[i:i + step]) + b"]"
                for i in range(0, len(encoded), step)]

    # ---- connections -------------------------------------------------------------
    def _process_request(self, connection: ServerConnection, request: Any) -> Any:
        if not self.token:
            return None
        auth = request.headers.get("Authorization")
        if auth is not None and auth != f"Bearer {self.token}":
            return connection.respond(http.HTTPStatus.UNAUTHORIZED, "unauthorized\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        header_ok = bool(self.token) and ws.request is not None and \
            ws.request.headers.get("Authorization") == f"Bearer {self.token}"
        hello = await self._await_hello(ws)
        if hello is None:
            return
        if self.token and not header_ok and hello.get("token") != self.token:
            await self._send_now(ws, {"op": "error", "code": "unauthorized",
                                      "message": "missing or wrong token"})
            await ws.close(4401, "unauthorized")
            return
        client = _Client(ws, str(hello.get("client", "")))
        self._welcome(client, hello)
        client.task = asyncio.create_task(self._sender(client))
        if self._first_client is not None:
            self._first_client.set()
        try:
            async for raw in ws:
                self._on_message(client, raw)
        except ConnectionClosed:
            pass
        finally:
            self.clients.discard(client)
            client.put(None)
            if self._progress is not None:
                self._progress.set()
            if client.task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(client.task, 1.0)

    async def _send_now(self, ws: ServerConnection, msg: dict) -> None:
        with contextlib.suppress(ConnectionClosed):
            await ws.send(p.dumps_text(msg))

    async def _await_hello(self, ws: ServerConnection) -> dict | None:
        deadline = time.monotonic() + HELLO_TIMEOUT_S
        while True:
            try:
                raw = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                await self._send_now(ws, {"op": "error", "code": "bad_request",
                                          "message": "no hello received"})
                await ws.close(4400, "no hello")
                return None
            except ConnectionClosed:
                return None
            msg, reason = _parse_control(raw)
            if msg is None:
                await self._send_now(ws, {"op": "error", "code": "bad_request", "message": reason})
                continue
            if msg.get("op") == "ping":
                await self._send_now(ws, _pong(msg))
                continue
            if msg.get("op") != "hello":
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
        """Queue welcome (+ snapshot), set the replay point, register (no await)."""
        last = self.last_seq
        try:
            want = int(hello.get("last_seq") or 0)
        except (TypeError, ValueError):
            want = 0
        same = hello.get("session_id") == self.session_id
        reason = None
        if want <= 0 or not same:
            want, resume = 0, "fresh"
        elif want > last:
            # the client holds seqs this feed never sent in this session (the feed restarted
            # its numbering, or the client's record is not ours): its position means nothing
            # here, so it gets everything from seq 1, and is told why (docs/protocol.md)
            want, resume, reason = 0, "fresh", "ahead"
            log.warning("client %s resumes session %s at seq %d, beyond our last seq %d: "
                        "sending from seq 1", client.name, self.session_id,
                        int(hello.get("last_seq") or 0), last)
        else:
            resume = "replay"
        base = self.retained_from if self.ring else last + 1
        if want + 1 >= base or want >= last:
            client.cursor = want + 1
        else:
            resume = "snapshot"
            client.cursor = last + 1
        welcome = {"op": "welcome", "protocol": p.PROTOCOL_VERSION,
                   "session": self.sim.session_info(), "catalog": self.sim.catalog(),
                   "last_seq": last, "resume": resume,
                   "retained_from": base, "batch": self.batch, "speed": self.speed}
        if reason is not None:
            welcome["reason"] = reason
        client.put(p.dumps(welcome))
        if resume == "snapshot":
            client.put(p.dumps({"op": "snapshot", "last_seq": last, "state": self.sim.snapshot()}))
        self.clients.add(client)

    async def _sender(self, client: _Client) -> None:
        """Send control items when due and events from the ring, yielding regularly."""
        ws, control = client.ws, client.control
        try:
            while True:
                while control:
                    after, item = control[0]
                    if after >= client.cursor and client.cursor <= self._ring_last:
                        break  # events up to `after` go first
                    control.popleft()
                    if item is None:
                        return
                    if type(item) is tuple:
                        await self._send_range(client, item[0], item[1])
                    else:
                        await ws.send(item, text=True)
                if client.cursor <= self._ring_last:
                    await self._send_events(client)
                    if self._progress is not None:
                        self._progress.set()
                    await asyncio.sleep(0)  # let the generator and other connections run
                    continue
                if control:
                    continue
                client.wake.clear()
                await client.wake.wait()
        except ConnectionClosed:
            pass

    async def _send_events(self, client: _Client) -> None:
        """Send up to SEND_ROUND frames from the client's cursor."""
        base = self.retained_from
        if client.cursor < base:
            # fell further behind than the retention: those events are gone for it
            await client.ws.send(p.dumps({"op": "gap", "from": client.cursor, "to": base - 1,
                                          "reason": "retention"}), text=True)
            client.cursor = base
        encoded, _ = self._retained(client.cursor, client.cursor + SEND_ROUND * self.batch - 1)
        if not encoded:
            return
        ws = client.ws
        batch = self.batch
        if batch <= 1:
            for b in encoded:
                await ws.send(b, text=True)
                client.cursor += 1
        else:
            for i in range(0, len(encoded), batch):
                part = encoded[i:i + batch]
                await ws.send(b"[" + b",".join(part) + b"]", text=True)
                client.cursor += len(part)

    async def _send_range(self, client: _Client, first: int, last: int) -> None:
        """A resend: events first..last (what is still held), in rounds."""
        ws = client.ws
        while first <= last:
            upto = min(last, first + SEND_ROUND * self.batch - 1)
            encoded, _ = self._retained(first, upto)
            for f in self._cut_frames(encoded):
                await ws.send(f, text=True)
            first = upto + 1
            await asyncio.sleep(0)

    def _reply(self, client: _Client, msg: dict, after: int = 0) -> None:
        client.put(p.dumps(msg), after)

    def _on_message(self, client: _Client, raw: str | bytes) -> None:
        msg, reason = _parse_control(raw)
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
        else:
            self._reply(client, {"op": "error", "code": "bad_request",
                                 "message": f"unknown op {op!r}"})

    def _on_command(self, client: _Client, msg: dict) -> None:
        cid = msg.get("id") if isinstance(msg.get("id"), str) else None
        reason = p.check_command(msg)
        if reason:
            self._reply(client, {"op": "error", "id": cid, "code": "bad_command", "message": reason})
            return
        if self.load_eps:
            self._reply(client, {"op": "error", "id": cid, "code": "unsupported",
                                 "message": "commands are not available in load mode"})
            return
        now = self.sim_now()
        self._publish(self.sim.step(now))
        events, error = self.sim.handle_command(msg["name"], msg.get("args") or {}, now)
        self._publish(events)
        if error:
            self._reply(client, {"op": "error", "id": cid, "code": "rejected", "message": error})
            return
        seq = events[-1]["seq"] if events else self.last_seq
        # the ack follows the events the command produced
        self._reply(client, {"op": "ack", "id": cid, "seq": seq}, after=seq)

    def _on_resend(self, client: _Client, msg: dict) -> None:
        a, b = msg.get("from"), msg.get("to")
        if type(a) is not int or type(b) is not int or a < 1 or b < a:
            self._reply(client, {"op": "error", "code": "bad_request",
                                 "message": "resend needs integers 1 <= from <= to"})
            return
        b = min(b, self.last_seq)
        if a > b:
            self._reply(client, {"op": "error", "code": "bad_request",
                                 "message": f"nothing to resend: last_seq is {self.last_seq}"})
            return
        base = self.retained_from if self.ring else self.last_seq + 1
        if a < base:
            self._reply(client, {"op": "gap", "from": a, "to": min(b, base - 1)})
        if b >= max(a, base):
            client.put((max(a, base), b))


def _pong(ping: dict) -> dict:
    """The answer to a ping, before or after hello: server time, the ping's id echoed."""
    pong = {"op": "pong", "ts": time.time()}
    if "id" in ping:
        pong["id"] = ping["id"]
    return pong


def _parse_control(raw: str | bytes) -> tuple[dict | None, str]:
    try:
        kind, msg = p.decode_frame(raw)
    except p.ProtocolError as exc:
        return None, str(exc)
    if kind != "control":
        return None, "clients send control messages (objects with 'op'), not events"
    return msg, ""


# ---- CLI -----------------------------------------------------------------------
def _arg(args: Any, name: str, default: Any = None) -> Any:
    value = getattr(args, name, default)
    return default if value is None else value








