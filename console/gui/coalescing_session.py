"""The live session as the console runs it: feed events folded once per event-loop turn."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from console.feed.client import FeedClient
from console.feed.relay_process import RelayProcess
from console.live.session import LiveSession

READ_CHUNK = 32 * 1024
#: while the console is behind the feed (console.live.lag) it reads this much at a time: ~4x fewer
#: loop turns, listener rounds and recorder hand-offs per event, at ~20 ms per turn
CATCH_UP_CHUNK = 128 * 1024


class CoalescingSession(LiveSession):
    """Feed events received in one turn of the (UI thread's) event loop are appended to the
    log as one batch: the fold, the recorder queue and the listeners pay their per-batch
    cost once per turn rather than once per frame (a feed sending one event per frame at
    5,000 events/s would otherwise cost 5,000 listener rounds a second). Any local event
    (command, ack, alert, status, welcome) first flushes the pending feed events, so the log
    order is exactly the order of arrival.

    The batching sits between the feed client and the session: the client's ``on_events`` and
    ``on_welcome`` callbacks go through :meth:`receive_feed_events` and :meth:`receive_welcome`,
    which hand on to the session's own handlers."""

    def __init__(self, url: str, **options: Any) -> None:
        self._inbox: list[dict] = []
        self._flush_handle: asyncio.Handle | None = None
        self._big_reads = False       # reading 128 KiB at a time while catching up
        super().__init__(url, **options)
        self._fold_feed_events = self.client.on_events
        self._welcome = self.client.on_welcome
        self.client.on_events = self.receive_feed_events
        self.client.on_welcome = self.receive_welcome

    # ---- Feed client callbacks
    def receive_feed_events(self, events: list[dict]) -> None:
        """Hold the feed events until the end of this loop turn (or the next local event)."""
        self._inbox.extend(events)
        if self._flush_handle is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self.flush_feed()
                return
            self._flush_handle = loop.call_soon(self.flush_feed)

    def receive_welcome(self, msg: dict) -> None:
        """A (re)connection: what came before it is appended first; reads start small again."""
        self.flush_feed()
        self._big_reads = False
        cap_reads(self.client)
        self._welcome(msg)

    # ---- Public API
    def flush_feed(self) -> None:
        """Append the feed events received so far (also runs on its own every loop turn)."""
        handle, self._flush_handle = self._flush_handle, None
        if handle is not None:
            handle.cancel()
        if self._inbox:
            batch, self._inbox = self._inbox, []
            self._fold_feed_events(batch)
            if self.lag.behind != self._big_reads:
                self._big_reads = self.lag.behind
                cap_reads(self.client, CATCH_UP_CHUNK if self._big_reads else READ_CHUNK)

    def append_local(self, type_: str, data: dict, source: str = "operator"):
        self.flush_feed()
        return super().append_local(type_, data, source)

    async def stop(self) -> None:
        self.flush_feed()
        await super().stop()
        self.flush_feed()
        relay = self.client.relay
        if isinstance(relay, RelayProcess):          # the session's own (make_session)
            await asyncio.get_running_loop().run_in_executor(None, relay.close)


def make_session(url: str, *, plan=None, token: str | None = None,
                 recorder=None, relay: bool | None = None) -> CoalescingSession:
    """The console's :class:`console.live.session.LiveSession` (see :class:`CoalescingSession`).

    ``relay``: read the feed through a batching relay process (console.feed.relay_process), so
    that the websocket library's per-frame work is not done on the UI thread; by default yes,
    unless the environment sets ``LIVEDESK_FEED_RELAY=0``."""
    if relay is None:
        relay = os.environ.get("LIVEDESK_FEED_RELAY", "1").strip() not in ("0", "no", "off")
    return CoalescingSession(url, plan=plan, token=token, recorder=recorder,
                             relay=RelayProcess() if relay else None)


def cap_reads(client: FeedClient, size: int = READ_CHUNK) -> None:
    """Read the feed socket in 32 KiB chunks instead of asyncio's 256 KiB.

    The websocket library parses every frame of a read at once, and the feed client then handles
    every parsed frame without returning to the event loop: after a busy frame a 256 KiB read is
    ~1,000 events, 50-100 ms during which nothing is painted. With 32 KiB reads the same backlog
    is worked off in slices of ~130 events with paints and timers in between; the cost per event
    is the same."""
    client.set_read_chunk(size)


__all__ = ["CoalescingSession", "make_session", "cap_reads", "READ_CHUNK", "CATCH_UP_CHUNK"]
