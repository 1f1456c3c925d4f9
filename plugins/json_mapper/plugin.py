"""JSON mapper feed: any JSON websocket in, a protocol v1 feed out (on loopback).

``JsonMapperFeed.start`` connects to the upstream websocket (reconnecting with
backoff), maps each message with :class:`~plugins.json_mapper.mapping.Mapper`
and serves the events as a protocol v1 feed on ``127.0.0.1`` so the normal
FeedClient/LiveSession consume it: ``LiveSession(feed.url)``.

Served protocol: v1 through the generic :class:`console.feed.server.FeedServer`
(handshake, resume, gap, resend, ping); read-only, so ``command`` gets
``error`` ``unsupported`` (an upstream JSON source cannot take commands).
"""

from __future__ import annotations

import asyncio
import logging

import orjson
import websockets

from console.core import protocol
from console.feed.server import FeedServer
from console.plugin_host import FEEDS, Plugin, PluginContext
from console.support.resources import package_file
from plugins.json_mapper.mapping import Mapper, Mapping

log = logging.getLogger("livedesk.plugins.json_mapper")

EXAMPLE_MAPPING = package_file("plugins.json_mapper", "example_mapping.yaml")


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
        self.server: FeedServer | None = None
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
        self.server = FeedServer({"id": mapping.session_id, "source": "json_mapper"},
                                 port=int(s.get("port") or 0),
                                 retention=int(s.get("retention") or 100_000),
                                 read_only_reason="the json_mapper feed is read-only")
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
