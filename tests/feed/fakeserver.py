"""The feed tests' server: the product FeedServer over a fixed list of events, with switches
to misbehave (the simulator is not used here: these tests need exact, hostile streams)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from console.core import protocol as p
from console.feed.server import FeedServer

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


class FakeServer(FeedServer):
    """Serves ``events`` (all retained; seqs must go up, holes allowed) to every client from
    its hello's position; commands are checked and acknowledged, producing nothing.

    Misbehaviour:

    * ``first_frames``: raw frames (str) sent instead of the events on the first connection;
    * ``pace``: pause after each frame of events (a stream, not a burst);
    * ``unavailable``: a resend touching these seqs is answered with a ``gap`` for its range;
      ``ignore_resend``: resends are never answered;
    * ``welcome_extra``: welcome fields to override (e.g. a ``last_seq`` it does not have);
    * ``token``: both the ``Authorization`` header and ``hello.token`` must carry it, and a
      wrong one is refused after the hello (``unauthorized``, close 4401), never with HTTP 401;
    * :meth:`stop` drops the connections without a close handshake (a killed server).

    It records ``connections`` (upgrade requests), ``hellos``, ``commands`` and ``resends``;
    ``on_connect(n)`` (a coroutine function) runs when connection ``n`` has been welcomed.
    """

    def __init__(self, events: list[dict], *, token: str | None = None, batch: int = 100,
                 first_frames: list[str] | None = None, unavailable: set[int] | None = None,
                 ignore_resend: bool = False, pace: float = 0.0,
                 welcome_extra: dict | None = None) -> None:
        super().__init__(SESSION, token=token, batch=batch, retention=max(1, len(events)),
                         hook=lambda name, args: [], catalog=list, welcome_extra=welcome_extra)
        self.events = events
        self.first_frames = first_frames
        self.unavailable = unavailable or set()
        self.ignore_resend = ignore_resend
        self.pace = pace
        if pace:
            self.send_round = 1             # one frame, then the pause
        self.connections = 0
        self.hellos: list[dict] = []
        self.commands: list[dict] = []
        self.resends: list[tuple[int, int]] = []
        self.on_connect: Callable[[int], Any] | None = None
        self.publish(events)

    async def start(self, port: int = 0) -> "FakeServer":   # type: ignore[override]
        self.port = port
        await super().start()
        return self

    async def stop(self) -> None:
        if self._server is not None:
            for ws in list(self._server.connections):
                ws.transport.abort()
        await super().stop()

    # ---- the switches ---------------------------------------------------------------
    def _check_header(self, connection: Any, request: Any) -> Any:
        self.connections += 1
        return None

    def _authorized(self, ws: Any, hello: dict) -> bool:
        self.hellos.append(hello)
        if self.token is None:
            return True
        auth = ws.request.headers.get("Authorization")
        return hello.get("token") == self.token and auth == f"Bearer {self.token}"

    def _welcome(self, client: Any, hello: dict) -> None:
        super()._welcome(client, hello)
        if self.first_frames is not None and self.connections == 1:
            client.cursor = self.last_seq + 1       # none of the events: these frames instead
            for frame in self.first_frames:
                client.put(frame)
        if self.on_connect is not None:
            asyncio.ensure_future(self.on_connect(self.connections))

    async def _send_events(self, client: Any) -> None:
        await super()._send_events(client)
        if self.pace:
            await asyncio.sleep(self.pace)

    def _on_resend(self, client: Any, msg: dict) -> None:
        a, b = msg.get("from"), msg.get("to")
        self.resends.append((a, b))
        if self.ignore_resend:
            return
        if isinstance(a, int) and isinstance(b, int) and \
                any(s in self.unavailable for s in range(a, b + 1)):
            self._reply(client, {"op": "gap", "from": a, "to": b})
            return
        super()._on_resend(client, msg)

    def _on_command(self, client: Any, msg: dict) -> None:
        self.commands.append(msg)
        super()._on_command(client, msg)
