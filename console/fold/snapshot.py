"""The snapshot codec: a :class:`~console.fold.state.SessionState` as one JSON-compatible
dict, and back; and the history of the format.

A snapshot is flat: the state's log position (``v``, ``version``, ``last_seq``,
``last_feed_seq``, ``last_ts``) and then each part's own top-level keys
(:meth:`console.fold.parts.Part.to_json`), which never overlap. Parts read only the current
format; older snapshots are brought to it here first:

* version 1 (before 2): dataclasses as one object each, the order window as pairs;
* without ``per_product_counts`` (before segment baselines were kept apart): one baseline
  held either the product's or the room's counters (the state says so with
  ``legacy_segment_baselines``: refold from the start for exact segment clicks).

Version 2 is built for speed, because the live session takes one every 2000 events on its
fold thread and every replay seek decodes one: dataclasses go out as column names plus rows
of values, the order window as a list of ids plus one status letter per order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.fold.orders import STATUS_CODE, BuyerRegistry

if TYPE_CHECKING:
    from console.fold.state import SessionState

SNAPSHOT_VERSION = 2
#: the log position, written by the codec itself (the parts write everything else)
POSITION = ("version", "last_seq", "last_feed_seq", "last_ts")


def encode(st: SessionState, keep: int = 100) -> dict:
    """Everything needed to continue the fold. ``keep``: the newest entries of each history
    (orders, comments, cues, alerts, command results, gaps) to include; the recorder stores
    100, a replay seek process sends all. Shares containers with the state: serialise it
    before the state changes again."""
    snap: dict = {"v": SNAPSHOT_VERSION}
    for name in POSITION:
        snap[name] = getattr(st, name)
    for part in st.parts():
        snap.update(part.to_json(keep))
    return snap


def decode(cls: type[SessionState], snap: dict,
           buyers: BuyerRegistry | None = None) -> SessionState:
    """The state a snapshot (any version) describes."""
    if snap.get("v", 1) < 2:
        snap = _from_version_1(snap)
    st = cls(buyers)
    for name in POSITION:
        setattr(st, name, snap[name])
    for part in st.parts():
        part.load(snap)
    if "per_product_counts" not in snap:
        _legacy_baselines(st)
    return st


def _table(objs: list[dict]) -> dict:
    """Dataclasses stored one object each (version 1) as a version 2 table."""
    cols = list(objs[0]) if objs else []
    return {"cols": cols, "rows": [[obj[c] for c in cols] for obj in objs]}


def _from_version_1(snap: dict) -> dict:
    pairs = snap["order_status"]
    return dict(snap, v=2, products=_table(list(snap["products"].values())),
                order_status={"ids": [oid for oid, _ in pairs],
                              "st": "".join(STATUS_CODE[status] for _, status in pairs)},
                segments=_table(snap["segments"]),
                flash_sales=_table(list(snap["flash_sales"].values())))


def _legacy_baselines(st: SessionState) -> None:
    """A snapshot written before the baselines were kept apart: one base held either
    counter, and whether the feed counts per product is guessed from the products."""
    st.card.legacy_segment_baselines = True
    st.audience.per_product_counts = any(prod.clicks or prod.impressions
                                         for prod in st.catalog.products.values())
    for seg in st.card.segments:
        seg._room_click_base, seg._room_impr_base = seg._click_base, seg._impr_base


__all__ = ["encode", "decode", "SNAPSHOT_VERSION"]
