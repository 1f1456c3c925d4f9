"""Traffic and the funnel: the room's cumulative counters from the latest ``traffic.tick``
(online, impressions, viewers, product impressions and clicks, likes, comments, shares,
followers), the peak audience, and whether the feed counts per product (``by_sku``).
A tick also moves the minute and second series and the open segment's counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.core import metrics, protocol as p
from console.core.eventlog import Event
from console.fold.parts import Handler

if TYPE_CHECKING:
    from console.fold.state import SessionState

TRAFFIC_KEYS = ("online", "room_impressions", "viewers", "product_impressions",
                "product_clicks", "likes", "comments", "shares", "new_followers")


class Audience:
    """The room's traffic counters."""

    def __init__(self) -> None:
        self.traffic: dict[str, int] = {k: 0 for k in TRAFFIC_KEYS}
        self.peak_online = 0
        #: Whether the feed carries per-product counts (``by_sku`` in ``traffic.tick``): then a
        #: segment's clicks and impressions are its product's own, else the room's.
        self.per_product_counts = False

    # ---- Snapshot part -------------------------------------------------------------------
    def to_json(self, keep: int) -> dict:
        return {"traffic": self.traffic, "peak_online": self.peak_online,
                "per_product_counts": self.per_product_counts}

    def load(self, snap: dict) -> None:
        self.traffic = dict(snap["traffic"])
        self.peak_online = snap["peak_online"]
        if "per_product_counts" in snap:   # else: an older snapshot (see console.fold.snapshot)
            self.per_product_counts = bool(snap["per_product_counts"])


def funnel_stages(traffic: dict[str, int], buyers: int) -> dict[str, float]:
    """The funnel's stages, room impressions to paying buyers."""
    return {"room_impressions": traffic["room_impressions"], "viewers": traffic["viewers"],
            "product_impressions": traffic["product_impressions"],
            "product_clicks": traffic["product_clicks"], "buyers": buyers}


def funnel(traffic: dict[str, int], buyers: int) -> list[metrics.FunnelRate]:
    return metrics.funnel(funnel_stages(traffic, buyers))


# ---- Handlers ------------------------------------------------------------------------------
def on_traffic_tick(st: SessionState, ev: Event) -> None:
    d = ev.data
    audience = st.audience
    t = audience.traffic
    prev_viewers, prev_clicks, prev_impr = t["viewers"], t["product_clicks"], t["product_impressions"]
    prev_comments = t["comments"]
    for key in TRAFFIC_KEYS:
        value = d.get(key)
        if type(value) is int and value >= 0:
            t[key] = value if key == "online" else max(t[key], value)
    online = t["online"]
    if online > audience.peak_online:
        audience.peak_online = online
    ts = ev.ts
    timeline = st.timeline
    m = timeline.minute(ts)
    if m is not None:
        mins = timeline.minutes
        mins["online"][m] = online
        mins["entering"][m] += t["viewers"] - prev_viewers
        mins["clicks"][m] += t["product_clicks"] - prev_clicks
        mins["impressions"][m] += t["product_impressions"] - prev_impr
        mins["comments"][m] += t["comments"] - prev_comments
    seconds = timeline.seconds
    s = seconds.bucket(int(ts))
    if s is not None:
        seconds.data["online"][s] = online
        seconds.data["clicks"][s] += t["product_clicks"] - prev_clicks
    catalog = st.catalog
    by_sku = d.get("by_sku")
    if isinstance(by_sku, dict):
        audience.per_product_counts = True
        for sku, counts in by_sku.items():
            if isinstance(counts, dict):
                prod = catalog.product(sku)
                prod.impressions = max(prod.impressions, int(counts.get("impressions", 0) or 0))
                prod.clicks = max(prod.clicks, int(counts.get("clicks", 0) or 0))
    seg = st.card.current_segment
    if seg is not None:
        # increases since the push; never below 0 (a feed snapshot may set counters back)
        if audience.per_product_counts:
            prod = catalog.products[seg.sku]
            seg.clicks = max(0, prod.clicks - seg._click_base)
            seg.impressions = max(0, prod.impressions - seg._impr_base)
        else:
            seg.clicks = max(0, t["product_clicks"] - seg._room_click_base)
            seg.impressions = max(0, t["product_impressions"] - seg._room_impr_base)
        seg.views = max(0, t["viewers"] - seg._views_base)


HANDLERS: dict[str, Handler] = {
    p.TRAFFIC_TICK: on_traffic_tick,
}

__all__ = ["Audience", "TRAFFIC_KEYS", "funnel_stages", "funnel", "HANDLERS"]
