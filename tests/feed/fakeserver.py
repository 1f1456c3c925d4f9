"""A small protocol-v1 server for the feed tests (not the simulator)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

import orjson
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from console.core import protocol as p

SESSION = {"id": "s-test", "room": "r1", "title": "Test show", "currency": "CNY",
           "platform": "douyin", "started_at": 1_700_000_000.0}


def make_events(n: int, start: int = 1, ts0: float = 1_700_000_000.0) -> list[dict]:
    out = []
    for i in range(start, start + n):
        if i % 5 == 0:
            out.append(p.make_event(i, ts0 + i * 0.01, p.ORDER_PAID,
                                    {"order_id": f"o{i}", "sku": "A1", "qty": 1, "amount": 9.5,
                                     "buyer": f"b{i % 7}"}))
        elif i % 5 == 1:
            out.append(p.make_event(i, ts0 + i * 0.01, p.TRAFFIC_TICK, {"online": 100 + i}))
        else:
            out.append(p.make_event(i, ts0 + i * 0.01, p.COMMENT, {"nick": "n", "text": f"c{i}"}))
    return out


class FakeServer:
    """Retains ``events``; on each hello replays seq > last_seq in batches.

    ``first_frames``: raw frames (str) sent instead of the replay on the first connection;
    ``pace``: pause after each replayed batch;
    ``unavailable``: seqs answered with ``gap`` on resend; ``ignore_resend``: never answer.
    """

    def __init__(self, events: list[dict], *, token: str | None = None, batch: int = 100,
                 first_frames: list[str] | None = None, unavailable: set[int] | None = None,
                 ignore_resend: bool = False, hold_open: bool = True,
                 pace: float = 0.0, welcome_extra: dict | None = None) -> None:
        self.events = events
        self.token = token
        self.batch = batch
        self.first_frames = first_frames
        self.unavailable = unavailable or set()
        self.ignore_resend = ignore_resend
        self.pace = pace  # seconds to wait after each replayed batch (a stream, not a burst)
        self.welcome_extra = welcome_extra or {}   # welcome fields to override (e.g. last_seq)
        self.connections = 0
        self.hellos: list[dict] = []
        self.commands: list[dict] = []
        self.resends: list[tuple[int, int]] = []
        self.server: Any = None
        self.port = 0
        self.on_connect: Callable[[int], Any] | None = None
        self.live: set = set()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> "FakeServer":
        self.server = await serve(self.handler, "127.0.0.1", port, max_size=p.MAX_FRAME_BYTES * 4)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self.server.close()
        for ws in list(self.live):
            ws.transport.abort()
        await self.server.wait_closed()

    def by_seq(self, a: int, b: int) -> list[dict]:
        return [e for e in self.events if a <= e["seq"] <= b]

    async def handler(self, ws) -> None:
        self.connections += 1
        self.live.add(ws)
        try:
            await self._serve(ws)
        except ConnectionClosed:
            pass
        finally:
            self.live.discard(ws)

    async def _serve(self, ws) -> None:
        hello = orjson.loads(await ws.recv())
        self.hellos.append(hello)
        auth = ws.request.headers.get("Authorization")
        if self.token is not None and (hello.get("token") != self.token
                                       or auth != f"Bearer {self.token}"):
            await ws.send(p.dumps_text({"op": "error", "code": "unauthorized",
                                        "message": "bad token"}))
            await ws.close(4401, "unauthorized")
            return
        last = self.events[-1]["seq"] if self.events else 0
        resume = "replay" if hello.get("session_id") == SESSION["id"] else "fresh"
        await ws.send(p.dumps_text({"op": "welcome", "protocol": 1, "session": SESSION,
                                    "catalog": [], "last_seq": last, "resume": resume,
                                    **self.welcome_extra}))
        if self.first_frames is not None and self.connections == 1:
            for frame in self.first_frames:
                await ws.send(frame)
        else:
            since = hello.get("last_seq") or 0
            todo = [e for e in self.events if e["seq"] > since]
            for batch in p.iter_batches(todo, self.batch):
                await ws.send(p.dumps_text(batch))
                if self.pace:
                    await asyncio.sleep(self.pace)
        if self.on_connect is not None:
            await self.on_connect(self.connections)
        async for raw in ws:
            msg = orjson.loads(raw)
            op = msg.get("op")
            if op == "command":
                self.commands.append(msg)
                reason = p.check_command(msg)
                if reason:
                    await ws.send(p.dumps_text({"op": "error", "id": msg.get("id"),
                                                "code": "bad_command", "message": reason}))
                else:
                    await ws.send(p.dumps_text({"op": "ack", "id": msg["id"], "seq": last}))
            elif op == "resend":
                a, b = msg["from"], msg["to"]
                self.resends.append((a, b))
                if self.ignore_resend:
                    continue
                if any(s in self.unavailable for s in range(a, b + 1)):
                    await ws.send(p.dumps_text({"op": "gap", "from": a, "to": b}))
                else:
                    await ws.send(p.dumps_text(self.by_seq(a, b)))
            elif op == "ping":
                await ws.send(p.dumps_text({"op": "pong"}))
