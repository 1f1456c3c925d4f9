"""The feed client's tests run twice: connected to the feed directly, and through the batching
relay the console uses (console.feed.batching_relay, here in the test's own event loop), which
must change nothing the client reports."""

from __future__ import annotations

import pytest

from console.feed.batching_relay import BatchingRelay
from tests.feed.test_client import Sink


@pytest.fixture(params=["direct", "relay"])
async def feed_route(request):
    if request.param == "direct":
        yield None
        return
    relay = BatchingRelay()
    Sink.relay = relay
    try:
        yield relay
    finally:
        Sink.relay = None
        await relay.stop()
