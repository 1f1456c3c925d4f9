"""Flash sales: each sale's deal, stock and units sold; ``flash.started`` and ``flash.ended``.
Paid orders that name a flash sale add to its units sold (orders.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from console.core import protocol as p
from console.core.eventlog import Event
from console.fold.parts import Handler, from_rows, rows

if TYPE_CHECKING:
    from console.fold.state import SessionState


@dataclass
class FlashSale:
    flash_id: str
    sku: str
    deal_price: float
    stock: int
    started_at: float
    ends_at: float
    sold: int = 0
    ended_at: float | None = None
    reason: str = ""

    @property
    def remaining(self) -> int:
        return max(0, self.stock - self.sold)

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.ends_at - now) if self.ended_at is None else 0.0


class FlashSales:
    """Every flash sale of the session by id, in the order they started."""

    def __init__(self) -> None:
        self.flash_sales: dict[str, FlashSale] = {}

    def active(self, sku: str | None = None) -> FlashSale | None:
        """The latest running flash sale (of ``sku``, if given)."""
        for fs in reversed(list(self.flash_sales.values())):
            if fs.ended_at is None and (sku is None or fs.sku == sku):
                return fs
        return None

    # ---- Snapshot part -------------------------------------------------------------------
    def to_json(self, keep: int) -> dict:
        return {"flash_sales": rows(FlashSale, self.flash_sales.values())}

    def load(self, snap: dict) -> None:
        self.flash_sales = {f.flash_id: f for f in from_rows(FlashSale, snap["flash_sales"])}


# ---- Handlers ------------------------------------------------------------------------------
def on_flash_started(st: SessionState, ev: Event) -> None:
    d = ev.data
    fs = FlashSale(flash_id=d["flash_id"], sku=d["sku"], deal_price=float(d["deal_price"]),
                   stock=d["stock"], started_at=ev.ts, ends_at=float(d["ends_at"]))
    st.flash.flash_sales[fs.flash_id] = fs
    st.timeline.mark(ev.ts, "flash", st.catalog.product(fs.sku).title)


def on_flash_ended(st: SessionState, ev: Event) -> None:
    fs = st.flash.flash_sales.get(ev.data["flash_id"])
    if fs is None or fs.ended_at is not None:
        st.feed_meta.counters.bad_transitions += 1
        return
    fs.ended_at = ev.ts
    fs.reason = ev.data.get("reason", "")
    if "sold" in ev.data and isinstance(ev.data["sold"], int):
        fs.sold = ev.data["sold"]
    st.timeline.mark(ev.ts, "flash_end", st.catalog.product(fs.sku).title)


HANDLERS: dict[str, Handler] = {
    p.FLASH_STARTED: on_flash_started,
    p.FLASH_ENDED: on_flash_ended,
}

__all__ = ["FlashSales", "FlashSale", "HANDLERS"]
