"""The built-in simulator feed: protocol v1 over WebSocket (loopback by default).

``SimServer`` runs a :class:`console.simulator.Simulator` (or its benchmark
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
import itertools
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from console import protocol as p
from console.plan import ShowPlan, load_plan
from console.simulator import Simulator

log = logging.getLogger(__name__)

DEFAULT_RETENTION = 1_000_000
HELLO_TIMEOUT_S = 10.0
STEP_INTERVAL_S = 0.05


def default_plan_path() -> Path:
    """resources/sample_plan.yaml, next to the package (repo checkout or install)."""
    here = Path(__file__).resolve().parent
    for cand in (here.parent / "resources" / "sample_plan.yaml",
                 here / "resources" / "sample_plan.yaml",
                 Path(sys.prefix) / "share" / "livedesk" / "resources" / "sample_plan.yaml"):
        if cand.exists():
            return cand
    return here.parent / "resources" / "sample_plan.yaml"


class _Client:
    __slots__ = ("ws", "queue", "task", "name")

    def __init__(self, ws: ServerConnection, name: str) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.task: asyncio.Task | None = None
        self.name = name


class SimServer:
    """A WebSocket server that serves a simulated session (protocol v1)."""

    def __init__(self, plan: ShowPlan | str | Path | None = None, *, seed: int = 7,
                 speed: float = 1.0, host: str = "127.0.0.1", port: int = 0,
                 token: str | None = None, batch: int = 1, load_eps: float | None = None,
                 retention: int = DEFAULT_RETENTION, duration: float | None = None,
                 total: int | None = None, session_id: str | None = None,
                 autopilot: bool = True, start_ts: float | None = None,
                 audience: int = 3000) -> None:
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
        self.retention = max(1, int(retention or DEFAULT_RETENTION))
        self.duration = duration
        self.total = total
        self.start_ts = start_ts
        self.sim = Simulator(self.plan, seed=seed, start_ts=start_ts, autopilot=autopilot,
                             audience=audience, session_id=session_id)
        self.session_id = self.sim.session_id
        self.ring: collections.deque[dict] = collections.deque(maxlen=self.retention)
        self.clients: set[_Client] = set()
        self.finished = asyncio.Event()
        self.emitted = 0
        self._server: Any = None
        self._driver: asyncio.Task | None = None
        self._wall0 = 0.0
        self._sim0 = 0.0
        self._lock = asyncio.Lock()

    # ---- lifecycle -----------------------------------------------------------
    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"ws://{host}:{self.port}"

    @property
    def last_seq(self) -> int:
        return self.sim.seq

    def sim_now(self) -> float:
        return self._sim0 + (time.monotonic() - self._wall0) * self.speed

    async def start(self) -> None:
        self.finished = asyncio.Event()
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
            c.queue.put_nowait(None)
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

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait until every client's send queue is empty (or timeout)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and any(not c.queue.empty() for c in self.clients):
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
        eps = float(self.load_eps or 0)
        gen = self.sim.load(eps, start_ts=self._sim0)
        slices = 20 if eps >= 20 else 1
        t0 = time.monotonic()
        total = self.total
        try:
            for sec, events in enumerate(gen):
                if self.duration is not None and sec >= self.duration:
                    break
                if total is not None:
                    room = total - 1 - self.emitted
                    if room <= 0:
                        break
                    if len(events) > room:
                        events = events[:room]
                        self.sim.seq = events[-1]["seq"]  # drop the unsent tail's numbers
                step = max(1, -(-len(events) // slices))
                for i in range(0, len(events), step):
                    self._publish(events[i:i + step])
                    target = t0 + sec + (i + step) / max(1, len(events))
                    delay = target - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    else:
                        await asyncio.sleep(0)
                if total is not None and self.emitted >= total - 1:
                    break
            self._publish(self.sim.end(self.sim.last_ts))
        finally:
            self.finished.set()

    def _publish(self, events: list[dict]) -> None:
        if not events:
            return
        self.ring.extend(events)
        self.emitted += len(events)
        if not self.clients:
            return
        frames = self._frames(events)
        for c in self.clients:
            q = c.queue
            for f in frames:
                q.put_nowait(f)

    def _frames(self, events: list[dict]) -> list[str]:
        if self.batch <= 1:
            return [orjson.dumps(e).decode() for e in events]
        return [orjson.dumps(b).decode() for b in p.iter_batches(events, self.batch)]

    def _retained(self, first: int, last: int) -> tuple[list[dict], int]:
        """Events first..last still in the ring; also the first retained seq."""
        ring = self.ring
        if not ring:
            return [], self.last_seq + 1
        base = ring[0]["seq"]
        lo = max(first, base)
        if last < lo:
            return [], base
        return list(itertools.islice(ring, lo - base, last - base + 1)), base

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
        try:
            async for raw in ws:
                self._on_message(client, raw)
        except ConnectionClosed:
            pass
        finally:
            self.clients.discard(client)
            client.queue.put_nowait(None)
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
                await self._send_now(ws, {"op": "pong", "ts": time.time()})
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
        """Queue welcome + replay or snapshot and register for live events (no await)."""
        last = self.last_seq
        try:
            want = int(hello.get("last_seq") or 0)
        except (TypeError, ValueError):
            want = 0
        same = hello.get("session_id") == self.session_id
        if want <= 0 or not same:
            want, resume = 0, "fresh"
        else:
            resume = "replay"
        want = min(want, last)
        base = self.ring[0]["seq"] if self.ring else last + 1
        replay: list[dict] = []
        if want + 1 >= base or want >= last:
            replay, _ = self._retained(want + 1, last)
        else:
            resume = "snapshot"
        welcome = {"op": "welcome", "protocol": p.PROTOCOL_VERSION,
                   "session": self.sim.session_info(), "catalog": self.sim.catalog(),
                   "last_seq": last, "resume": resume,
                   "retained_from": base, "batch": self.batch, "speed": self.speed}
        q = client.queue
        q.put_nowait(p.dumps_text(welcome))
        if resume == "snapshot":
            q.put_nowait(p.dumps_text({"op": "snapshot", "last_seq": last,
                                       "state": self.sim.snapshot()}))
        for f in self._frames(replay):
            q.put_nowait(f)
        self.clients.add(client)

    async def _sender(self, client: _Client) -> None:
        ws, q = client.ws, client.queue
        try:
            while True:
                frame = await q.get()
                if frame is None:
                    break
                await ws.send(frame)
        except ConnectionClosed:
            pass

    def _reply(self, client: _Client, msg: dict) -> None:
        client.queue.put_nowait(p.dumps_text(msg))

    def _on_message(self, client: _Client, raw: str | bytes) -> None:
        msg, reason = _parse_control(raw)
        if msg is None:
            self._reply(client, {"op": "error", "code": "bad_request", "message": reason})
            return
        op = msg["op"]
        if op == "ping":
            pong = {"op": "pong", "ts": time.time()}
            if "id" in msg:
                pong["id"] = msg["id"]
            self._reply(client, pong)
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
        self._reply(client, {"op": "ack", "id": cid, "seq": seq})

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
        events, base = self._retained(a, b)
        if a < base:
            self._reply(client, {"op": "gap", "from": a, "to": min(b, base - 1)})
        for f in self._frames(events):
            client.queue.put_nowait(f)


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


async def _run(args: Any) -> int:
    plan_path = _arg(args, "plan") or default_plan_path()
    server = SimServer(plan_path, seed=int(_arg(args, "seed", 7)),
                       speed=float(_arg(args, "speed", 1.0)),
                       host=_arg(args, "host", "127.0.0.1"), port=int(_arg(args, "port", 8765)),
                       token=_arg(args, "token"), batch=int(_arg(args, "batch", 1)),
                       load_eps=_arg(args, "load"),
                       retention=int(_arg(args, "retention", DEFAULT_RETENTION)),
                       duration=_arg(args, "duration"), total=_arg(args, "total"),
                       session_id=_arg(args, "session_id"),
                       autopilot=bool(_arg(args, "autopilot", True)))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await server.start()
    mode = f"load {server.load_eps:g} events/s" if server.load_eps else f"speed x{server.speed:g}"
    print(f"livedesk simulator listening on {server.url} (session {server.session_id}, "
          f"{len(server.plan.products)} products, seed {server.seed}, {mode}"
          f"{', token required' if server.token else ''})", flush=True)
    if server.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {server.host}, not loopback only", file=sys.stderr, flush=True)
    stopper = asyncio.create_task(stop.wait())
    finisher = asyncio.create_task(server.finished.wait())
    await asyncio.wait({stopper, finisher}, return_when=asyncio.FIRST_COMPLETED)
    if finisher.done() and not stop.is_set():
        await server.drain()
    stopper.cancel()
    finisher.cancel()
    await server.stop()
    print(f"simulator stopped after {server.emitted} events (last seq {server.last_seq})", flush=True)
    return 0


def run_simulate(args: Any) -> int:
    """``livedesk simulate``: serve the simulator until SIGINT/SIGTERM or --duration/--total."""
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(f"livedesk simulate: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # PlanError included
        print(f"livedesk simulate: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m console.simserver")
    ap.add_argument("--plan")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--speed", type=float, default=1.0)
    ap.add_argument("--token")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--load", type=float)
    ap.add_argument("--retention", type=int, default=DEFAULT_RETENTION)
    ap.add_argument("--duration", type=float)
    ap.add_argument("--total", type=int)
    ap.add_argument("--session-id", dest="session_id")
    ap.add_argument("--no-autopilot", dest="autopilot", action="store_false")
    return run_simulate(ap.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
