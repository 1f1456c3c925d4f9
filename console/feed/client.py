"""FeedClient: protocol v1 websocket client with resume, reordering and gap handling.

Delivery interface (all callbacks run on the event loop thread, synchronously):

* ``on_events(list[wire_event])`` -- feed events, deduplicated and in feed-seq order;
* ``on_local(type_, data)`` -- ``feed.gap``, ``feed.snapshot``, ``feed.status`` (state changes only);
* ``on_command_result(command_id, ok, payload)`` -- ack (payload: the ack message) or
  error (payload: {"code", "message"});
* ``on_welcome(msg)`` -- each welcome; it may call :meth:`FeedClient.resume_from` to move the
  delivery point forward (e.g. to the recorder's last feed seq) before any event is delivered.

While a connection is read, the events of frames that arrived together are handed to
``on_events`` as one list (after the socket has nothing more buffered, at most
``COALESCE_MAX`` at a time); any other callback first flushes them, so callbacks keep
their order. ``read_gate`` (optional) is flow control: while it returns False the client
stops reading and the server's sending backs up in the socket.

Sequencing: a feed seq <= the last delivered one is a duplicate (dropped, counted). A seq beyond
the expected one waits in a bounded reorder buffer; if the gap is not filled within ``gap_wait``
seconds (or the buffer is full) the client sends ``resend``; a ``gap`` answer or no answer within
``resend_timeout`` emits ``feed.gap`` and skips ahead. A seq more than ``max_jump`` beyond both
the delivery point and the feed's own last seq (welcome, snapshot, ack) is not believed on its
own: it is held apart until ``corroborate`` consecutive seqs (itself included) arrive there, or
the feed says its last seq reaches that far; otherwise, after ``suspect_wait`` seconds or
``SUSPECT_EVENTS`` delivered events, it is reported as ``feed.invalid`` (kept in the log,
never the new high-water mark). An event with a valid seq whose envelope is broken (``ts``
not a number, ``type`` not a string, ``data`` not an object) is delivered in its place as a
``feed.invalid`` event carrying the original (so a re-sent copy is a duplicate, not a gap).
Frames that cannot be decoded are counted and logged, never raised. Headless: no Qt.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import orjson
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.uri import parse_uri

from console.core import protocol as p
from console.feed import batching_relay as relaying
from console.feed.reconnect import ReconnectPolicy

if TYPE_CHECKING:
    from console.api import FeedRelay

log = logging.getLogger(__name__)

CLIENT_NAME = "livedesk/0.1"
AUTH_CLOSE_CODES = frozenset({1008, 4001, 4003, 4401, 4403})
AUTH_ERROR_CODES = frozenset({"unauthorized", "forbidden", "auth", "auth_failed", "bad_token",
                              "invalid_token"})
STATES = ("connecting", "live", "reconnecting", "closed", "unauthorized")
HOLD_POLL_S = 0.005
#: frames websockets buffers before it stops reading the socket (its default is 16): more
#: frames per wake-up means fewer, larger lists for the consumer (see coalescing)
MAX_QUEUE_FRAMES = 64
COALESCE_MAX = 5000     # feed events held at most before on_events is called
#: a seq this far beyond the delivery point and the feed's own last seq is not believed alone
MAX_JUMP = 10_000
#: consecutive seqs (the jump included) that make a far jump believable
CORROBORATE = 3
#: an unbelieved seq is reported invalid after this many other events were delivered
SUSPECT_EVENTS = 100
SUSPECT_MAX = 100       # unbelieved seqs held at most (the oldest is reported first)
#: what an event without ``data`` counts as in the envelope check (never changed: one object
#: instead of a new empty dict for every event read)
_NO_DATA: dict = {}


@dataclass
class FeedCounters:
    events: int = 0          # delivered feed events
    frames: int = 0
    bytes: int = 0
    duplicates: int = 0
    malformed: int = 0
    gaps: int = 0
    missed: int = 0          # feed events skipped by gaps
    resends: int = 0
    reconnects: int = 0
    snapshots: int = 0
    oversize: int = 0
    holds: int = 0           # times reading paused because the consumer was behind
    invalid: int = 0         # events kept as feed.invalid (broken envelope, unbelievable seq)


@dataclass
class FeedStatus:
    """Connection status (polled by the GUI and the CLI summary line)."""

    target: str = ""
    state: str = "closed"
    attempt: int = 0
    session_id: str | None = None
    last_seq: int = 0
    last_data_monotonic: float | None = None
    events_per_s: float = 0.0
    last_error: str | None = None
    buffered: int = 0
    counters: FeedCounters = field(default_factory=FeedCounters)

    def data_age(self, now: float | None = None) -> float | None:
        """Seconds since the last frame arrived, or None if none yet."""
        if self.last_data_monotonic is None:
            return None
        return (time.monotonic() if now is None else now) - self.last_data_monotonic

    def to_dict(self) -> dict:
        return {"state": self.state, "attempt": self.attempt, "target": self.target,
                "session_id": self.session_id, "last_seq": self.last_seq,
                "error": self.last_error, "counters": asdict(self.counters)}


def _noop(*_a: Any) -> None:
    return None


class _Unauthorized(Exception):
    pass


class FeedClient:
    def __init__(self, url: str, *, token: str | None = None, client_name: str = CLIENT_NAME,
                 session_id: str | None = None, last_seq: int = 0,
                 on_events: Callable[[list[dict]], None] = _noop,
                 on_local: Callable[[str, dict], None] = _noop,
                 on_command_result: Callable[[str, bool, dict], None] = _noop,
                 on_welcome: Callable[[dict], None] = _noop,
                 policy: ReconnectPolicy | None = None,
                 ping_interval: float = 5.0, receive_timeout: float | None = None,
                 open_timeout: float = 5.0, reorder_max: int = 10_000,
                 gap_wait: float = 0.3, resend_timeout: float = 2.0,
                 command_timeout: float = 10.0, tick: float = 0.05,
                 compression: str | None = "deflate",
                 read_gate: Callable[[], bool] | None = None, max_jump: int = MAX_JUMP,
                 corroborate: int = CORROBORATE, suspect_wait: float | None = None,
                 relay: FeedRelay | None = None) -> None:
        self.url = url
        self.token = token
        self.client_name = client_name
        self.session_id = session_id
        self.last_seq = last_seq           # last delivered feed seq
        self.on_events = on_events
        self.on_local = on_local
        self.on_command_result = on_command_result
        self.on_welcome = on_welcome
        self.policy = policy if policy is not None else ReconnectPolicy()
        self.ping_interval = ping_interval
        self.receive_timeout = receive_timeout if receive_timeout is not None else 3 * ping_interval
        self.open_timeout = open_timeout
        self.reorder_max = reorder_max
        self.gap_wait = gap_wait
        self.resend_timeout = resend_timeout
        self.command_timeout = command_timeout
        self.tick = tick
        self.compression = compression     # None: no permessage-deflate (saves CPU on localhost)
        # Flow control: while read_gate() is False the client stops reading frames, so the
        # socket fills and the feed server holds back (nothing is lost: it resumes sending
        # where it stopped). LiveSession uses it to bound the recorder's backlog.
        self.read_gate = read_gate
        #: connect through this batching relay (console.feed.batching_relay) when it has an
        #: address; the feed's URL stays ``url`` (status, logs, resume)
        self.relay = relay
        #: where the current or last connection went: ``url``, or the relay's address
        self.connected_via: str | None = None
        self.status = FeedStatus(target=url, last_seq=last_seq, session_id=session_id)
        self.counters = self.status.counters
        self._pending: dict[int, dict] = {}       # reorder buffer: feed seq -> event
        self.max_jump = max(1, int(max_jump))
        self.corroborate = max(1, int(corroborate))
        self.suspect_wait = resend_timeout if suspect_wait is None else suspect_wait
        #: far-future seqs not believed yet: seq -> (event, monotonic arrival, events delivered)
        self._suspects: dict[int, tuple[dict, float, int]] = {}
        self._feed_last = 0                       # the feed's last seq as it last said
        self._hello: tuple[str | None, int] = (session_id, last_seq)   # what the hello said
        #: during on_welcome: True when the feed's numbering of our session restarted (its
        #: last seq is below the one we said hello with); the sequence starts again at 1
        self.numbering_restarted = False
        self._last_ts: float | None = None        # ts of the last delivered event
        self._gap_since: float | None = None
        self._resend: tuple[int, int, float] | None = None   # (from, to, sent_at)
        self._commands: dict[str, dict] = {}      # id -> {"msg", "deadline", "sent"}
        self._ws: Any = None
        self._welcomed = False
        self._stopping = False
        self._task: asyncio.Task | None = None
        self._stop_event: asyncio.Event | None = None
        self._outbox_event: asyncio.Event | None = None
        self._rate_count = 0
        self._rate_t = time.monotonic()
        self._warned = 0
        # Coalescing: while reading a connection, events of consecutive frames that were
        # already received are handed to on_events as one list, once the socket has no
        # more buffered (a 1-event frame then costs the consumer one event, not one batch).
        # Anything else the client reports (control, gaps, status, command results) first
        # flushes what is held, so the order of callbacks is unchanged.
        self._coalesce = False
        self._held: list[dict] = []
        self._flush_handle: asyncio.Handle | None = None

    # ---- lifecycle ------------------------------------------------------------
    async def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping = False
            self._stop_event = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self.run(), name="feed-client")

    def set_read_chunk(self, size: int) -> None:
        """Read the socket at most ``size`` bytes at a time (a UI reads smaller pieces so that a
        backlog is worked off between paints). Nothing to do while not connected."""
        transport = getattr(self._ws, "transport", None)
        if transport is not None and hasattr(transport, "max_size"):
            transport.max_size = size

    async def stop(self) -> None:
        self._stopping = True
        if self._stop_event is not None:
            self._stop_event.set()
        ws = self._ws
        if ws is not None:
            try:
                await ws.close()
            except Exception:  # noqa: BLE001  # pragma: no cover - best effort
                pass
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 5.0)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            self._task = None
        self._fail_commands(lambda c: True, "closed", "feed client stopped")
        self._set_state("closed")

    async def wait_closed(self) -> None:
        if self._task is not None:
            await asyncio.shield(self._task)

    def resume_from(self, feed_seq: int) -> None:
        """Move the delivery point forward (events <= feed_seq are duplicates from now on)."""
        if feed_seq > self.last_seq:
            self.last_seq = feed_seq
            self.status.last_seq = feed_seq
            for s in [s for s in self._pending if s <= feed_seq]:
                del self._pending[s]

    async def run(self) -> None:
        """Connect, read and reconnect until :meth:`stop` or an auth failure."""
        if self._stop_event is None:
            self._stop_event = asyncio.Event()
        first = True
        watch = asyncio.get_running_loop().create_task(self._watch())
        try:
            await self._run_loop(first)
        finally:
            watch.cancel()
            try:
                await watch
            except asyncio.CancelledError:
                pass

    async def _watch(self) -> None:
        """Connection-independent checks: command deadlines and the event rate."""
        while True:
            await asyncio.sleep(self.tick)
            now = time.monotonic()
            self._update_rate(now)
            self._check_commands(now)

    async def _run_loop(self, first: bool) -> None:
        assert self._stop_event is not None
        while not self._stopping:
            self._set_state("connecting" if first else "reconnecting")
            first = False
            try:
                await self._connect_once()
            except _Unauthorized as exc:
                self.status.last_error = f"refused the login ({exc})"
                # the caller reports it (livedesk record: one line and a non-zero exit)
                log.debug("feed %s: unauthorized (%s); not reconnecting", self.url, exc)
                self._fail_commands(lambda c: True, "unauthorized", str(exc))
                self._set_state("unauthorized")
                return
            except InvalidStatus as exc:
                code = exc.response.status_code
                upstream_error = exc.response.headers.get(relaying.ERROR_HEADER)
                if upstream_error:
                    # the relay could not reach the feed: as a failed connection would be
                    self.status.last_error = upstream_error
                    log.info("feed %s: connection failed: %s", self.url, upstream_error)
                elif code in (401, 403):
                    self.status.last_error = f"refused the login (HTTP {code})"
                    log.debug("feed %s: HTTP %s; not reconnecting", self.url, code)
                    self._fail_commands(lambda c: True, "unauthorized", f"HTTP {code}")
                    self._set_state("unauthorized")
                    return
                else:
                    self.status.last_error = f"HTTP {code}"
                    log.warning("feed %s: handshake refused: HTTP %s", self.url, code)
            except InvalidURI as exc:
                self.status.last_error = str(exc)
                log.error("feed: invalid URL %s", self.url)
                self._set_state("closed")
                return
            except ConnectionClosed as exc:
                if self._on_closed(exc):
                    self._fail_commands(lambda c: True, "unauthorized", self.status.last_error or "")
                    self._set_state("unauthorized")
                    return
            except (OSError, asyncio.TimeoutError, InvalidHandshake, EOFError) as exc:
                self.status.last_error = f"{type(exc).__name__}: {exc}"
                log.info("feed %s: connection failed: %s", self.url, self.status.last_error)
            finally:
                self._ws = None
                self._welcomed = False
                self.policy.disconnected()
                self._resend = None
                # Commands that were sent but not acked may or may not have run: fail them
                # rather than risk running them twice. Unsent ones stay queued.
                self._fail_commands(lambda c: c["sent"], "connection_lost",
                                    "connection lost before the command was acknowledged")
            if self._stopping:
                break
            delay = self.policy.next_delay()
            self.status.attempt = self.policy.attempt
            if delay is None:
                break
            self.counters.reconnects += 1
            self._set_state("reconnecting")
            try:
                await asyncio.wait_for(self._stop_event.wait(), delay)
            except asyncio.TimeoutError:
                pass
        self._set_state("closed")

    def _on_closed(self, exc: ConnectionClosed) -> bool:
        """Record a close; return True if it means the token was refused."""
        rcvd, sent = exc.rcvd, exc.sent
        code = rcvd.code if rcvd is not None else (sent.code if sent is not None else None)
        reason = rcvd.reason if rcvd is not None else (sent.reason if sent is not None else "")
        if (sent is not None and sent.code == 1009) or code == 1009:
            self.counters.oversize += 1
            log.warning("feed %s: frame larger than %d bytes; reconnecting to resume after seq %d",
                        self.url, p.MAX_FRAME_BYTES, self.last_seq)
        self.status.last_error = f"closed {code} {reason}".strip()
        if rcvd is not None and rcvd.code in AUTH_CLOSE_CODES and (
                rcvd.code in (4401, 4403) or self._mentions_auth(reason)):
            self.status.last_error = f"refused the login (close {rcvd.code} {reason})".strip()
            log.debug("feed %s: unauthorized (%s); not reconnecting", self.url, reason)
            return True
        return False

    @staticmethod
    def _mentions_auth(reason: str) -> bool:
        # Policy-violation closes that do not mention auth are ordinary disconnects.
        r = reason.lower()
        return "auth" in r or "token" in r or "forbidden" in r

    async def _connect_once(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        target, compression, open_timeout = self.url, self.compression, self.open_timeout
        if self.relay is not None:
            parse_uri(self.url)                    # a bad URL is refused here, not by the relay
            via = await self.relay.address()
            if via is not None:                    # the relay opens the feed with these
                headers.update({relaying.UPSTREAM_HEADER: self.url,
                                relaying.COMPRESSION_HEADER: self.compression or "none",
                                relaying.OPEN_TIMEOUT_HEADER: f"{self.open_timeout:g}",
                                relaying.PING_HEADER: f"{self.ping_interval:g}"})
                target, compression, open_timeout = via, None, self.open_timeout + 2.0
        self.connected_via = target
        async with connect(target, max_size=p.MAX_FRAME_BYTES, ping_interval=self.ping_interval,
                           ping_timeout=self.ping_interval * 2, open_timeout=open_timeout,
                           additional_headers=headers or None, close_timeout=2.0,
                           compression=compression, max_queue=MAX_QUEUE_FRAMES) as ws:
            self._ws = ws
            self.policy.connected()
            self._hello = (self.session_id, self.last_seq)
            await ws.send(p.dumps_text(p.hello(self.client_name, self.session_id,
                                               self.last_seq, self.token)))
            self.status.last_data_monotonic = time.monotonic()
            self._outbox_event = asyncio.Event()
            ticker = asyncio.get_running_loop().create_task(self._ticker(ws))
            writer = asyncio.get_running_loop().create_task(self._writer(ws))
            try:
                gate = self.read_gate
                self._coalesce = True
                while True:
                    if gate is not None and not gate():
                        self._flush_events()
                        await self._hold(gate)
                    # bytes: orjson parses UTF-8 directly (no str round trip)
                    raw = await ws.recv(decode=False)
                    self._on_frame(raw)
            finally:
                self._coalesce = False
                self._flush_events()
                ticker.cancel()
                writer.cancel()
                for t in (ticker, writer):
                    try:
                        await t
                    except (asyncio.CancelledError, Exception):  # noqa: BLE001 - the session is over: how its tasks ended does not matter
                        pass

    async def _hold(self, gate: Callable[[], bool]) -> None:
        """Stop reading until gate() allows it again (or the client stops)."""
        self.counters.holds += 1
        while not self._stopping and not gate():
            await asyncio.sleep(HOLD_POLL_S)
            # we chose not to read: that is not the feed going quiet
            self.status.last_data_monotonic = time.monotonic()

    # ---- frames ---------------------------------------------------------------
    def _on_frame(self, raw: str | bytes) -> None:
        self.status.last_data_monotonic = time.monotonic()
        c = self.counters
        c.frames += 1
        c.bytes += len(raw)
        try:
            kind, obj = p.decode_frame(raw)
        except p.ProtocolError as exc:
            salvaged = self._salvage(raw)
            if salvaged is None:
                self._malformed(f"frame rejected: {exc}")
                return
            kind, obj = "events", salvaged
        if kind == "events":
            self._on_events(obj)
        else:
            self._on_control(obj)

    def _salvage(self, raw: str | bytes) -> list[dict] | None:
        """Keep the valid events of a batch that decode_frame refused as a whole."""
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(obj, list):
            return None
        good = []
        for item in obj:
            if isinstance(item, dict) and "seq" in item:
                good.append(item)
            else:
                self._malformed(f"batch item is not an event object: {str(item)[:80]}")
        return good

    def _malformed(self, reason: str) -> None:
        self.counters.malformed += 1
        self._warned += 1
        if self._warned <= 20 or self._warned % 1000 == 0:
            log.warning("feed %s: malformed input (%d so far): %s", self.url,
                        self.counters.malformed, reason)

    def _on_events(self, events: list) -> None:
        expected = self.last_seq + 1
        pending = self._pending
        good: list[dict] = []
        append = good.append
        for ev in events:
            seq = ev.get("seq")
            if type(seq) is not int or seq < 1:
                self._malformed(p.check_envelope(ev) or "bad envelope")
                continue
            if type(ev.get("ts")) not in (float, int) or type(ev.get("type")) is not str \
                    or type(ev.get("data", _NO_DATA)) is not dict:
                if seq < expected or seq in pending or seq in self._suspects:
                    self.counters.duplicates += 1
                    continue
                ev = self._invalid_event(ev, good)
            if seq == expected:
                append(ev)
                expected += 1
                if pending:
                    while expected in pending:
                        append(pending.pop(expected))
                        expected += 1
            elif seq < expected:
                self.counters.duplicates += 1
            elif seq in pending:
                self.counters.duplicates += 1
            elif seq > max(self._feed_last, expected - 1) + self.max_jump:
                if self._suspect(ev):     # corroborated: now in the reorder buffer
                    self._after_buffering()
            else:
                pending[seq] = ev
                if len(pending) >= self.reorder_max:
                    if good:
                        self._deliver(good, expected - 1)
                        good = []
                        append = good.append
                    self._overflow()
                    expected = self.last_seq + 1
        if good:
            self._deliver(good, expected - 1)
        self._after_buffering()
        if self._suspects:
            self._expire_suspects(time.monotonic())

    def _invalid_event(self, ev: dict, good: list[dict]) -> dict:
        """A sequenced event whose envelope is broken, as a ``feed.invalid`` event that keeps
        the original: it takes its seq (a re-sent copy is then a duplicate, not a gap)."""
        reason = p.check_envelope(ev) or "bad envelope"
        self.counters.invalid += 1
        self._warned += 1
        if self._warned <= 20 or self._warned % 1000 == 0:
            log.warning("feed %s: invalid event kept (%d so far): %s", self.url,
                        self.counters.invalid, reason)
        ts = ev.get("ts")
        if type(ts) not in (float, int):
            ts = good[-1]["ts"] if good else self._last_ts
            if ts is None:
                ts = time.time()
        return {"seq": ev["seq"], "ts": ts, "type": p.FEED_INVALID,
                "data": {"reason": reason, "event": ev}}

    # ---- seqs too far ahead to be believed alone ------------------------------------
    def _suspect(self, ev: dict) -> bool:
        """Hold a far-future event apart; True once it is corroborated (then it and its
        consecutive successors are moved to the reorder buffer)."""
        seq = ev["seq"]
        suspects = self._suspects
        if seq in suspects:
            self.counters.duplicates += 1
            return False
        if not suspects:
            log.warning("feed %s: seq %d is %d ahead of the last delivered (%d) and of the "
                        "feed's last seq (%d); not believed until confirmed", self.url, seq,
                        seq - self.last_seq, self.last_seq, self._feed_last)
        suspects[seq] = (ev, time.monotonic(), self.counters.events)
        lo = hi = seq
        while lo - 1 in suspects:
            lo -= 1
        while hi + 1 in suspects:
            hi += 1
        if hi - lo + 1 >= self.corroborate:
            log.warning("feed %s: seqs %d..%d follow the jump; accepting it", self.url, lo, hi)
            self._feed_last = max(self._feed_last, hi)
            self._believe_suspects()
            return True
        if len(suspects) > SUSPECT_MAX:
            self._report_suspect(min(suspects, key=lambda s: suspects[s][1]))
        return False

    def _believe_suspects(self) -> None:
        """Move the held seqs the feed's last seq now covers into the reorder buffer."""
        limit = max(self._feed_last, self.last_seq) + self.max_jump
        for seq in [s for s in self._suspects if s <= limit]:
            ev = self._suspects.pop(seq)[0]
            if seq > self.last_seq and seq not in self._pending:
                self._pending[seq] = ev

    def _expire_suspects(self, now: float) -> None:
        delivered = self.counters.events
        for seq, (_ev, since, at) in list(self._suspects.items()):
            if now - since >= self.suspect_wait or delivered - at >= SUSPECT_EVENTS:
                self._report_suspect(seq)

    def _report_suspect(self, seq: int) -> None:
        """An unbelieved seq was not confirmed: keep it in the log as ``feed.invalid``."""
        ev = self._suspects.pop(seq)[0]
        self._flush_events()
        self.counters.invalid += 1
        reason = (f"seq {seq} implausibly far ahead (delivered up to {self.last_seq}, "
                  f"feed last seq {self._feed_last}) and not confirmed by following events")
        log.warning("feed %s: %s; kept as invalid", self.url, reason)
        self.on_local(p.FEED_INVALID, {"reason": reason, "event": ev})

    def _note_feed_last(self, seq: Any) -> None:
        """The feed said its last seq is ``seq`` (welcome, snapshot, ack)."""
        if type(seq) is int and seq > self._feed_last:
            self._feed_last = seq
            if self._suspects:
                self._believe_suspects()
                self._after_buffering()

    def _deliver(self, good: list[dict], last: int) -> None:
        self.last_seq = last
        self._last_ts = good[-1]["ts"]
        self.status.last_seq = last
        self.counters.events += len(good)
        self._rate_count += len(good)
        if self._resend is not None and last >= self._resend[1]:
            self._resend = None
        if not self._coalesce:
            self._flush_events()
            self.on_events(good)
            return
        held = self._held
        held.extend(good)
        if len(held) >= COALESCE_MAX:
            self._flush_events()
        elif self._flush_handle is None:
            # runs when the read loop next waits for the socket
            self._flush_handle = asyncio.get_running_loop().call_soon(self._flush_events)

    def _flush_events(self) -> None:
        """Hand the held events to on_events (see _coalesce)."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if self._held:
            held, self._held = self._held, []
            self.on_events(held)

    def _after_buffering(self) -> None:
        pending = self._pending
        self.status.buffered = len(pending)
        if not pending:
            self._gap_since = None
            return
        now = time.monotonic()
        if self._gap_since is None:
            self._gap_since = now

    def _overflow(self) -> None:
        """The reorder buffer is full: ask for the hole once, then give up on it."""
        if self._resend is None:
            if self._gap_since is None:
                self._gap_since = time.monotonic()
            self._send_resend(time.monotonic())
        else:
            self._skip_to(min(self._pending) - 1, "buffer_full")

    def _send_resend(self, now: float) -> None:
        first = self.last_seq + 1
        last = min(self._pending) - 1
        self._resend = (first, last, now)
        self.counters.resends += 1
        self._send_now({"op": "resend", "from": first, "to": last})

    def _skip_to(self, last: int, reason: str) -> None:
        """Declare feed seqs (last_seq, last] missing, then deliver what the buffer holds."""
        self._flush_events()
        first = self.last_seq + 1
        if last >= first:
            self.counters.gaps += 1
            self.counters.missed += last - first + 1
            log.warning("feed %s: gap %d..%d (%s)", self.url, first, last, reason)
            self.on_local(p.FEED_GAP, {"from": first, "to": last, "reason": reason})
            self.last_seq = last
            self.status.last_seq = last
        self._resend = None
        self._gap_since = None
        pending = self._pending
        for s in [s for s in pending if s <= self.last_seq]:
            del pending[s]
        expected = self.last_seq + 1
        good = []
        while expected in pending:
            good.append(pending.pop(expected))
            expected += 1
        if good:
            self._deliver(good, expected - 1)
        self._after_buffering()

    def _on_control(self, msg: dict) -> None:
        self._flush_events()
        op = msg["op"]
        try:
            if op == "welcome":
                self._on_welcome(msg)
            elif op == "snapshot":
                self._on_snapshot(msg)
            elif op == "ack":
                self._note_feed_last(msg.get("seq"))
                self._command_done(msg["id"], True, msg)
            elif op == "error":
                cid = msg.get("id")
                code = str(msg.get("code", "error"))
                if cid is None or cid not in self._commands:
                    if not self._welcomed and code.lower() in AUTH_ERROR_CODES:
                        raise _Unauthorized(f"{code}: {msg.get('message', '')}")
                    log.warning("feed %s: server error %s: %s", self.url, code, msg.get("message"))
                    self.status.last_error = f"{code}: {msg.get('message', '')}"
                    return
                self._command_done(cid, False, {"code": code, "message": msg.get("message", "")})
            elif op == "gap":
                a, b = msg["from"], msg["to"]
                if type(a) is not int or type(b) is not int:
                    raise TypeError("gap from/to must be integers")
                if b > self.last_seq:
                    self._skip_to(b, str(msg.get("reason", "unavailable")))
            elif op == "ping":
                reply = {"op": "pong"}
                if "id" in msg:
                    reply["id"] = msg["id"]
                self._send_now(reply)
            elif op == "pong":
                pass
            else:
                log.info("feed %s: ignoring control op %r", self.url, op)
        except _Unauthorized:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self._malformed(f"bad {op!r} message: {exc!r}")

    def _on_welcome(self, msg: dict) -> None:
        session = msg["session"]
        sid = session["id"]
        if type(msg.get("protocol", p.PROTOCOL_VERSION)) is not int:
            raise TypeError("welcome protocol must be an integer")
        feed_last = msg.get("last_seq")
        said_sid, said_seq = self._hello
        self.numbering_restarted = (said_sid == sid and type(feed_last) is int
                                    and feed_last < said_seq)
        if self.numbering_restarted:
            log.warning("feed %s: session %s is at seq %d, below the %d this client holds "
                        "(%s): the feed restarted its numbering; taking its events from seq 1",
                        self.url, sid, feed_last, said_seq, msg.get("reason", "no reason given"))
        if self.numbering_restarted or (self.session_id is not None and sid != self.session_id):
            if not self.numbering_restarted:
                log.warning("feed %s: new session %s (was %s); restarting the sequence",
                            self.url, sid, self.session_id)
            self.last_seq = 0
            self.status.last_seq = 0
            self._pending.clear()
            self._suspects.clear()
            self._feed_last = 0
        self.session_id = sid
        self._note_feed_last(msg.get("last_seq"))
        self.status.session_id = sid
        self._welcomed = True
        try:
            self.on_welcome(msg)
        finally:
            self.numbering_restarted = False
        self._set_state("live")
        self.status.attempt = 0
        # Flush queued commands now that the session is known.
        if self._outbox_event is not None:
            self._outbox_event.set()

    def _on_snapshot(self, msg: dict) -> None:
        m = msg["last_seq"]
        state = msg.get("state") or {}
        if type(m) is not int or not isinstance(state, dict):
            raise TypeError("snapshot needs an integer last_seq and a state object")
        self.counters.snapshots += 1
        self._note_feed_last(m)
        if m > self.last_seq:
            first = self.last_seq + 1
            self.counters.gaps += 1
            self.counters.missed += m - first + 1
            self.on_local(p.FEED_GAP, {"from": first, "to": m, "reason": "snapshot"})
            self.last_seq = m
            self.status.last_seq = m
        self.on_local(p.FEED_SNAPSHOT, state)
        self._skip_to(self.last_seq, "snapshot")

    # ---- commands -------------------------------------------------------------
    def send_command(self, command_id: str, name: str, args: dict | None = None) -> None:
        """Queue a command; it is sent now if connected, else after the next welcome."""
        self._commands[command_id] = {"msg": p.command(command_id, name, args),
                                      "deadline": time.monotonic() + self.command_timeout,
                                      "sent": False}
        if self._outbox_event is not None and self._welcomed:
            self._outbox_event.set()

    def _command_done(self, cid: str, ok: bool, payload: dict) -> None:
        self._flush_events()
        if self._commands.pop(cid, None) is None:
            log.info("feed %s: result for unknown command %r", self.url, cid)
            return
        self.on_command_result(cid, ok, payload)

    def _fail_commands(self, which: Callable[[dict], bool], code: str, message: str) -> None:
        self._flush_events()
        for cid in [cid for cid, c in self._commands.items() if which(c)]:
            del self._commands[cid]
            self.on_command_result(cid, False, {"code": code, "message": message})

    def _send_now(self, msg: dict) -> None:
        ws = self._ws
        if ws is None:
            return
        asyncio.get_running_loop().create_task(self._safe_send(ws, p.dumps_text(msg)))

    @staticmethod
    async def _safe_send(ws: Any, text: str) -> None:
        try:
            await ws.send(text)
        except ConnectionClosed:
            pass

    async def _writer(self, ws: Any) -> None:
        ev = self._outbox_event
        assert ev is not None
        while True:
            await ev.wait()
            ev.clear()
            if not self._welcomed:
                continue
            for c in list(self._commands.values()):
                if not c["sent"]:
                    c["sent"] = True
                    await ws.send(p.dumps_text(c["msg"]))

    # ---- periodic checks ------------------------------------------------------
    async def _ticker(self, ws: Any) -> None:
        while True:
            await asyncio.sleep(self.tick)
            now = time.monotonic()
            if self._suspects:
                self._expire_suspects(now)
            if self._pending:
                if self._resend is None:
                    if self._gap_since is not None and now - self._gap_since >= self.gap_wait:
                        self._send_resend(now)
                elif now - self._resend[2] >= self.resend_timeout:
                    self._skip_to(min(self._pending) - 1, "resend_timeout")
            age = self.status.data_age(now)
            if age is not None and age > self.receive_timeout:
                log.warning("feed %s: no data for %.1f s; reconnecting", self.url, age)
                self.status.last_error = f"no data for {age:.1f} s"
                await ws.close(1001, "receive timeout")
                return

    def _update_rate(self, now: float) -> None:
        dt = now - self._rate_t
        if dt >= 0.5:
            rate = self._rate_count / dt
            a = min(1.0, dt / 2.0)
            self.status.events_per_s = a * rate + (1 - a) * self.status.events_per_s
            self._rate_count = 0
            self._rate_t = now

    def _check_commands(self, now: float) -> None:
        if self._commands:
            self._fail_commands(lambda c: now >= c["deadline"], "timeout",
                                "no answer from the feed in time")

    def _set_state(self, state: str) -> None:
        self._flush_events()
        if self.status.state != state:
            self.status.state = state
            self.on_local(p.FEED_STATUS, self.status.to_dict())
