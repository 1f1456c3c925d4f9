"""Feed connection: websocket client for protocol v1 and reconnect policies (headless)."""

from console.feed.client import FeedClient, FeedCounters, FeedStatus
from console.feed.reconnect import FixedPolicy, NoReconnect, ReconnectPolicy

__all__ = ["FeedClient", "FeedStatus", "FeedCounters", "ReconnectPolicy", "FixedPolicy",
           "NoReconnect"]
