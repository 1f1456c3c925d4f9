"""JSON mapper feed: any JSON websocket in, a protocol v1 feed out (on loopback).

``JsonMapperFeed.start`` connects to the upstream websocket (reconnecting with
backoff), maps each message with :class:`~plugins.json_mapper.mapping.Mapper`
and serves the events as a protocol v1 feed on ``127.0.0.1`` so the normal
FeedClient/LiveSession consume it: ``LiveSession(feed.url)``.

Served protocol (subset of v1, read-only): the client sends ``hello``
(``session_id``, ``last_seq``); the server answers ``welcome`` (``protocol``,
``session: {id}``, ``last_seq``, ``resume``, ``retained_from``), then replays
retained events after ``last_seq`` (``gap`` for what is no longer retained),
then streams live batches. ``resend`` is answered from the retained events or
with ``gap``; ``ping`` -> ``pong``; ``command`` -> ``error`` (an upstream JSON
source cannot take commands).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

import orjson
import websockets

from console import protocol
from console.plugins import FEEDS, Plugin, PluginContext
from console.resources import package_file
from plugins.json_mapper.mapping import Mapper, Mapping

log = logging.getLogger("livedesk.plugins.json_mapper")

EXAMPLE_MAPPING = package_file("plugins.json_mapper", "example_mapping.yaml")


class MappedFeedServer:
    """Serves mapped events as a protocol v1 feed; keeps the last ``retention`` events."""

    def __init__(self, session_id: str, *, host: str = "127.0.0.1", port: int = 0,
                 retention: int = 100_000, batch: int = 500) -> None:
        self.session_id = session_id
        self.host, self.port = host, port
        self.retained: deque[dict] = deque(maxlen=retention)
        self.batch = batch
        self._clients: set[asyncio.Queue] = set()
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def last_seq(self) -> int:
        return self.retained[-1]["seq"] if self.retained else 0

    async def start(self) -> None:
        self._server = await websockets.serve(self._handle, self.host, self.port,
                                              max_size=protocol.MAX_FRAME_BYTES)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def publish(self, events: list[dict]) -> None:
        if not events:
            return
        self.retained.extend(events)
        for q in self._clients:
            q.put_nowait(events)

    async def _handle(self, ws) -> None:
        try:
            first = await asyncio.wait_for(ws.recv(), 10)
            kind, msg = protocol.decode_frame(first)
            if kind != "control" or msg.get("op") != "hello":
                raise protocol.ProtocolError("expected hello")
            if msg.get("protocol") != protocol.PROTOCOL_VERSION:
                await ws.send(protocol.dumps_text({"op": "error", "code": "protocol",
                                                   "message": "protocol version 1 only"}))
                return
        except (asyncio.TimeoutError, protocol.ProtocolError) as exc:
            await ws.close(1002, f"bad handshake: {exc}"[:120])
            return
        except websockets.ConnectionClosed:
            return
        try:
            want = int(msg.get("last_seq") or 0)
        except (TypeError, ValueError):
            want = 0
        if msg.get("session_id") != self.session_id:
            want = 0
        last = self.last_seq
        want = min(want, last)
        base = self.retained[0]["seq"] if self.retained else last + 1
        queue: asyncio.Queue = asyncio.Queue()
        self._clients.add(queue)
        sender = None
        try:
            await ws.send(protocol.dumps_text({
                "op": "welcome", "protocol": protocol.PROTOCOL_VERSION,
                "session": {"id": self.session_id, "source": "json_mapper"},
                "last_seq": last, "resume": "replay" if want else "fresh",
                "retained_from": base}))
            if want + 1 < base:
                await ws.send(protocol.dumps_text({"op": "gap", "from": want + 1, "to": base - 1,
                                                   "reason": "not retained"}))
            backlog = [e for e in self.retained if e["seq"] > want]
            sent = want
            for chunk in protocol.iter_batches(backlog, self.batch):
                await ws.send(protocol.dumps_text(chunk))
                sent = chunk[-1]["seq"]
            sender = asyncio.create_task(self._pump(ws, queue, sent))
            async for raw in ws:
                try:
                    kind, msg = protocol.decode_frame(raw)
                except protocol.ProtocolError:
                    continue
                if kind != "control":
                    continue
                op = msg.get("op")
                if op == "ping":
                    await ws.send(protocol.dumps_text({"op": "pong", "id": msg.get("id")}))
                elif op == "resend":
                    await self._resend(ws, msg)
                elif msg.get("op") == "command":
                    await ws.send(protocol.dumps_text({
                        "op": "error", "id": msg.get("id"), "code": "unsupported",
                        "message": "the json_mapper feed is read-only"}))
        except websockets.ConnectionClosed:
            pass
        finally:
            self._clients.discard(queue)
            if sender is not None:
                sender.cancel()

    async def _resend(self, ws, msg: dict) -> None:
        a, b = msg.get("from"), msg.get("to")
        if type(a) is not int or type(b) is not int or b < a:
            await ws.send(protocol.dumps_text({"op": "error", "code": "bad_request",
                                               "message": "resend needs integer from <= to"}))
            return
        events = [e for e in self.retained if a <= e["seq"] <= b]
        if not events or events[0]["seq"] > a:
            await ws.send(protocol.dumps_text({"op": "gap", "from": a, "to": b,
                                               "reason": "not retained"}))
            return
        for chunk in protocol.iter_batches(events, self.batch):
            await ws.send(protocol.dumps_text(chunk))

    async def _pump(self, ws, queue: asyncio.Queue, sent: int) -> None:
        try:
            while True:
                events = [e for e in await queue.get() if e["seq"] > sent]
                while not queue.empty():
                    events.extend(e for e in queue.get_nowait() if e["seq"] > sent)
                for chunk in protocol.iter_batches(events, self.batch):
                    await ws.send(protocol.dumps_text(chunk))
                    sent = chunk[-1]["seq"]
        except websockets.ConnectionClosed:
            pass


class JsonMapperFeed(Plugin):
    """Feed source: any JSON websocket, mapped to protocol v1 by a YAML file."""

    name = "json_mapper"
    title = "JSON websocket (mapped)"
    description = ("Connects to any JSON websocket and maps its messages to Livedesk "
                   "events with a YAML mapping file; serves them as a local v1 feed.")
    kind = FEEDS
    requires = ["websockets", "yaml", "setting:mapping"]
    settings = {"mapping": str(EXAMPLE_MAPPING), "upstream": "", "port": 0,
                "retention": 100_000, "reconnect_max_s": 10.0}
    default_enabled = False

    def __init__(self) -> None:
        self.mapper: Mapper | None = None
        self.server: MappedFeedServer | None = None
        self.upstream_state = "idle"
        self._task: asyncio.Task | None = None
        self.connected = asyncio.Event()

    @property
    def url(self) -> str | None:
        return self.server.url if self.server else None

    async def start(self, context: PluginContext) -> None:
        s = context.settings
        mapping = Mapping.load(s["mapping"])
        upstream = s.get("upstream") or mapping.upstream
        if not upstream:
            raise ValueError("no upstream URL: set 'upstream' in the settings or the mapping file")
        self.mapper = Mapper(mapping)
        self.server = MappedFeedServer(mapping.session_id, port=int(s.get("port") or 0),
                                       retention=int(s.get("retention") or 100_000))
        await self.server.start()
        self._task = asyncio.create_task(self._run(upstream, float(s.get("reconnect_max_s", 10.0))))
        log.info("json_mapper: %s -> %s", upstream, self.server.url)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self.server is not None:
            await self.server.stop()
        self.upstream_state = "closed"

    async def _run(self, upstream: str, backoff_max: float) -> None:
        delay = 0.2
        while True:
            self.upstream_state = "connecting"
            try:
                async with websockets.connect(upstream, max_size=protocol.MAX_FRAME_BYTES) as ws:
                    self.upstream_state = "live"
                    self.connected.set()
                    delay = 0.2
                    async for raw in ws:
                        self.feed_raw(raw)
            except (OSError, websockets.WebSocketException, asyncio.TimeoutError) as exc:
                log.warning("json_mapper upstream %s: %s", upstream, exc)
            self.connected.clear()
            self.upstream_state = "reconnecting"
            await asyncio.sleep(delay)
            delay = min(backoff_max, delay * 2)

    def feed_raw(self, raw: str | bytes) -> list[dict]:
        """Decode, map and publish one upstream frame (non-JSON frames are counted and skipped)."""
        assert self.mapper is not None and self.server is not None
        try:
            msg = orjson.loads(raw)
        except orjson.JSONDecodeError:
            self.mapper._drop("upstream frame is not JSON")
            return []
        events = self.mapper.map_message(msg)
        self.server.publish(events)
        return events
