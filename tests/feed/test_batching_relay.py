"""The batching relay (console.feed.batching_relay) and its process (console.feed.relay_process).

tests/feed/test_client.py and test_faults.py run every feed client test through the relay as
well (tests/feed/conftest.py); these are the relay's own cases: batching, refusals, back-pressure
and a relay process that dies."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import InvalidStatus

from console.feed import FeedClient, FixedPolicy
from console.feed import relay_process
from console.feed.batching_relay import (BATCH_BYTES, ERROR_HEADER, UPSTREAM_HEADER,
                                         BatchingRelay, classify)
from console.feed.relay_process import RelayProcess
from tests.feed.fakeserver import FakeServer, make_events
from tests.feed.test_client import Sink, until

pytestmark = pytest.mark.timeout(60)


def test_classify_joins_events_and_keeps_everything_else_apart():
    ev = orjson.dumps({"seq": 1, "ts": 1.0, "type": "comment", "data": {}})
    assert classify(ev) == (0, ev, 1)
    arr = b' [{"seq": 1}, {"seq": 2, "ts": "x"}] '
    assert classify(arr) == (1, b'{"seq": 1}, {"seq": 2, "ts": "x"}', 2)
    for alone in (b'{"op": "welcome", "seq": 3}', b'{"hello": 1}', b"[]", b'[{"seq": 1}, 7]',
                  b"{not json", b"42", b'"text"', b"\xff\xfe"):
        assert classify(alone) == (2, alone, 0), alone


async def test_one_event_frames_reach_the_client_in_batches_in_order():
    evs = make_events(3000)
    srv = await FakeServer(evs, batch=1).start()
    relay = BatchingRelay()
    sink = Sink()
    c = sink.client(srv.url, relay=relay)
    await c.start()
    await until(lambda: len(sink.events) == 3000)
    assert sink.seqs() == list(range(1, 3001))
    assert c.connected_via == relay.url and c.status.target == srv.url
    counters = relay.counters
    assert counters.frames_in == 3001 and counters.events_in == 3000   # + the welcome
    assert counters.alone == 1 and c.counters.frames == counters.frames_out
    assert c.counters.frames <= 3000 / 10, c.counters.frames
    assert c.counters.malformed == 0 and c.counters.duplicates == 0
    stats = relay.stats(starts=True)
    assert len(stats["batch_starts"]) == counters.batches and stats["hold_ms"]["max"] is not None
    await c.stop(); await relay.stop(); await srv.stop()


async def test_a_batch_never_exceeds_the_batch_size():
    evs = make_events(2000)
    srv = await FakeServer(evs, batch=1).start()
    relay = BatchingRelay()
    sizes: list[int] = []
    sink = Sink()
    c = sink.client(srv.url, relay=relay)
    original = c._on_frame

    def on_frame(raw):
        sizes.append(len(raw))
        original(raw)
    c._on_frame = on_frame
    await c.start()
    await until(lambda: len(sink.events) == 2000)
    assert max(sizes) <= BATCH_BYTES + 2
    await c.stop(); await relay.stop(); await srv.stop()


async def test_batches_are_paced_while_the_feed_keeps_coming():
    evs = make_events(300)
    srv = await FakeServer(evs, batch=1, pace=0.002).start()   # a frame every 2 ms or more
    relay = BatchingRelay(batch_interval_s=0.05)
    sink = Sink()
    c = sink.client(srv.url, relay=relay)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    await c.start()
    await until(lambda: len(sink.events) == 300)
    elapsed = loop.time() - t0
    assert sink.seqs() == list(range(1, 301))
    # unpaced, nearly every 2 ms frame would be a batch of its own (about 300)
    assert relay.counters.batches <= elapsed / 0.05 + 3, (relay.counters.batches, elapsed)
    await c.stop(); await relay.stop(); await srv.stop()


async def test_a_lone_event_after_a_quiet_spell_is_not_held():
    srv = await FakeServer(make_events(1), batch=1).start()
    relay = BatchingRelay(batch_interval_s=3.0)
    sink = Sink()
    c = sink.client(srv.url, relay=relay)
    loop = asyncio.get_running_loop()
    await c.start()
    await until(lambda: c.status.state == "live")
    t0 = loop.time()
    await until(lambda: len(sink.events) == 1)
    assert loop.time() - t0 < 1.5        # not the 3 s pace: the first batch goes at once
    await c.stop(); await relay.stop(); await srv.stop()


async def _refusing_server(status: int):
    def refuse(connection, request):
        return connection.respond(status, "no\n")
    server = await serve(lambda ws: ws.close(), "127.0.0.1", 0, process_request=refuse)
    return server, f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"


async def test_the_feeds_http_refusal_reaches_the_client():
    server, url = await _refusing_server(401)
    relay = BatchingRelay()
    sink = Sink()
    c = sink.client(url, relay=relay)
    await c.start()
    await until(lambda: c.status.state == "unauthorized")
    assert c.status.last_error == "refused the login (HTTP 401)"
    await c.stop(); await relay.stop()
    server.close(); await server.wait_closed()


async def test_an_unreachable_feed_is_a_failed_connection_and_retried():
    server, url = await _refusing_server(404)
    server.close(); await server.wait_closed()          # nothing listens there now
    relay = BatchingRelay()
    sink = Sink()
    c = sink.client(url, relay=relay)
    await c.start()
    await until(lambda: relay.counters.refused >= 2)
    assert c.status.state in ("connecting", "reconnecting")
    assert "Connect" in (c.status.last_error or "") or "Errno" in (c.status.last_error or "")
    assert c.counters.reconnects >= 1
    await c.stop(); await relay.stop()


async def test_browsers_and_requests_without_a_feed_are_refused():
    relay = BatchingRelay()
    url = await relay.start()
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, origin="http://example.com",
                           additional_headers={UPSTREAM_HEADER: "ws://127.0.0.1:9"}):
            pass
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url):
            pass
    assert refused.value.response.status_code == 400
    assert ERROR_HEADER in refused.value.response.headers
    await relay.stop()


async def test_a_client_that_stops_reading_stops_the_relay_reading_the_feed():
    n = 300_000
    evs = make_events(n)
    srv = await FakeServer(evs, batch=100).start()
    relay = BatchingRelay()
    gate = {"open": False}
    sink = Sink()
    c = sink.client(srv.url, relay=relay, read_gate=lambda: gate["open"])
    await c.start()
    await until(lambda: relay.counters.connections == 1)
    await asyncio.sleep(1.5)
    read = relay.counters.events_in
    await asyncio.sleep(0.5)
    assert relay.counters.events_in == read, "the relay kept reading"
    assert read < n / 2, read                  # sockets and the outbox hold the rest up
    assert c.counters.events == 0
    gate["open"] = True
    await until(lambda: len(sink.events) == n, timeout=30)
    assert sink.seqs() == list(range(1, n + 1))
    await c.stop(); await relay.stop(); await srv.stop()


# ---- the relay process ----------------------------------------------------------------------
async def test_relay_process_serves_restarts_after_a_kill_and_nothing_is_lost():
    evs = make_events(400)
    srv = await FakeServer(evs, batch=1, pace=0.005).start()
    relay = RelayProcess()
    sink = Sink()
    c = sink.client(srv.url, relay=relay)
    try:
        await c.start()
        await until(lambda: len(sink.events) >= 100, timeout=20)
        first_pid = relay.pid
        stats = relay.stats()
        assert stats is not None and stats["connections"] == 1 and stats["events_in"] >= 100
        relay._proc.kill()                            # the relay dies mid-stream
        await until(lambda: len(sink.events) == 400, timeout=30)
        assert sink.seqs() == list(range(1, 401))
        assert relay.starts == 2 and relay.pid != first_pid
        assert srv.connections == 2 and srv.hellos[1]["last_seq"] >= 100
        assert c.connected_via == await relay.address()
    finally:
        await c.stop()
        relay.close()
        await srv.stop()
    assert not relay.alive and relay.pid is None


async def test_the_relay_child_exits_when_its_parent_closes_the_pipe():
    relay = RelayProcess()
    url = await relay.address()
    assert url is not None and url.startswith("ws://127.0.0.1:")
    proc = relay._proc
    relay._conn.close()                               # as a dead parent's pipe
    await asyncio.get_running_loop().run_in_executor(None, proc.join, 10)
    assert proc.exitcode is not None
    relay.close()


async def test_after_failed_starts_the_client_connects_directly(monkeypatch, caplog):
    async def cannot_start(self):
        return None
    monkeypatch.setattr(RelayProcess, "_start", cannot_start)
    relay = RelayProcess()
    srv = await FakeServer(make_events(20)).start()
    sink = Sink()
    c = sink.client(srv.url, relay=relay, policy=FixedPolicy(0.02))
    await c.start()
    await until(lambda: len(sink.events) == 20)
    assert c.connected_via == srv.url                # no relay: this connection went direct
    assert relay.available                           # the next connection tries again ...
    for _ in range(relay_process.MAX_STARTS - 1):
        assert await relay.address() is None
    assert not relay.available                       # ... until MAX_STARTS failed in a row
    assert any("connecting to the feed directly" in r.getMessage() for r in caplog.records)
    await c.stop(); await srv.stop()


async def test_the_console_session_reads_through_a_relay_process_unless_told_not_to(monkeypatch):
    from console.gui.coalescing_session import make_session

    monkeypatch.delenv("LIVEDESK_FEED_RELAY", raising=False)
    session = make_session("ws://127.0.0.1:9")
    assert isinstance(session.client.relay, RelayProcess)
    monkeypatch.setenv("LIVEDESK_FEED_RELAY", "0")
    assert make_session("ws://127.0.0.1:9").client.relay is None
    evs = make_events(50)
    srv = await FakeServer(evs, batch=1).start()
    monkeypatch.delenv("LIVEDESK_FEED_RELAY")
    session = make_session(srv.url)
    relay = session.client.relay
    await session.start()
    await until(lambda: session.client.last_seq == 50, timeout=20)
    assert session.client.connected_via == await relay.address()
    await session.stop()
    assert not relay.alive                           # stopping the session stops its relay
    await srv.stop()


async def test_feed_client_refuses_a_bad_url_itself_when_relayed():
    relay = BatchingRelay()
    c = FeedClient("not a url", relay=relay, policy=FixedPolicy(0.01))
    await c.start()
    await until(lambda: c.status.state == "closed" and c._task.done())
    assert relay.counters.refused == 0 and relay._server is None
    await relay.stop()


async def test_a_feed_opened_for_a_client_whose_handshake_fails_is_closed(monkeypatch):
    from console.feed import batching_relay
    monkeypatch.setattr(batching_relay, "UNCLAIMED_S", 0.2)
    srv = await FakeServer(make_events(5)).start()
    relay = BatchingRelay()
    await relay.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", relay.port)
    writer.write((f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: not-a-key\r\n"
                  f"Sec-WebSocket-Version: 13\r\n{UPSTREAM_HEADER}: {srv.url}\r\n\r\n").encode())
    await writer.drain()
    status = await reader.readline()
    assert b" 400 " in status                        # refused after the feed was opened
    assert srv.connections == 1
    await until(lambda: not relay._upstreams and not srv._server.connections)
    writer.close()
    await relay.stop(); await srv.stop()
