"""The show's products: each product's facts, stock and running totals, and the run of show
(the order they go on air). Handles ``product.upsert`` and ``inventory.set``; every other
concern that meets a new SKU adds it here through :meth:`Catalog.product`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from console.core import protocol as p
from console.core.eventlog import Event
from console.fold.parts import Handler, from_rows, rows

if TYPE_CHECKING:
    from console.fold.state import SessionState

SELL_RATE_TAU = 120.0        # seconds; time constant of the sell-rate average


@dataclass
class ProductState:
    sku: str
    title: str = ""
    price: float = 0.0
    list_price: float = 0.0
    image_url: str = ""
    selling_points: list = field(default_factory=list)
    script: str = ""
    stock: int | None = None          # available now (from inventory.set)
    stock_initial: int | None = None  # first stock seen
    stock_max: int = 0                # largest stock seen (bar scale)
    sold_out_at: float | None = None
    orders: int = 0
    units: int = 0
    gmv: float = 0.0
    buyers: int = 0
    refunds: int = 0
    refund_amount: float = 0.0
    impressions: int = 0              # cumulative product-impression viewers (feed by_sku)
    clicks: int = 0                   # cumulative product-click viewers (feed by_sku)
    explanations: int = 0
    on_air_s: float = 0.0             # closed segments only; see SessionState.on_air()
    rate: float = 0.0                 # units per second, exponentially averaged
    rate_ts: float = 0.0

    def sell_rate(self, now: float) -> float:
        """Units per minute at ``now``."""
        if self.rate_ts == 0.0:
            return 0.0
        return self.rate * math.exp(-max(0.0, now - self.rate_ts) / SELL_RATE_TAU) * 60.0

    def sell_out_eta(self, now: float) -> float | None:
        """Seconds until sold out at the current sell rate, or None."""
        rate = self.sell_rate(now)
        if self.stock is None or rate <= 0:
            return None
        return self.stock / rate * 60.0


class Catalog:
    """Products by SKU and the run of show."""

    def __init__(self) -> None:
        self.products: dict[str, ProductState] = {}
        self.run_of_show: list[str] = []

    def product(self, sku: str) -> ProductState:
        """The product with this SKU, added (at the end of the run of show) if new."""
        prod = self.products.get(sku)
        if prod is None:
            prod = self.products[sku] = ProductState(sku=sku, title=sku)
            if sku not in self.run_of_show:
                self.run_of_show.append(sku)
        return prod

    # ---- Snapshot part -------------------------------------------------------------------
    def to_json(self, keep: int) -> dict:
        return {"run_of_show": self.run_of_show,
                "products": rows(ProductState, self.products.values())}

    def load(self, snap: dict) -> None:
        self.run_of_show = list(snap["run_of_show"])
        self.products = {prod.sku: prod for prod in from_rows(ProductState, snap["products"])}


def set_stock(st: SessionState, prod: ProductState, available: int, ts: float) -> None:
    """The product's available stock is now ``available`` (a stock-out is marked)."""
    available = max(0, int(available))
    if prod.stock_initial is None:
        prod.stock_initial = available
    prod.stock_max = max(prod.stock_max, available)
    was = prod.stock
    prod.stock = available
    if available == 0 and (was is None or was > 0):
        prod.sold_out_at = ts
        st.timeline.mark(ts, "stockout", prod.title)
    elif available > 0:
        prod.sold_out_at = None


# ---- Handlers ------------------------------------------------------------------------------
def on_product_upsert(st: SessionState, ev: Event) -> None:
    d = ev.data
    prod = st.catalog.product(d["sku"])
    prod.title = d["title"]
    prod.price = float(d["price"])
    prod.list_price = float(d.get("list_price") or d["price"])
    prod.image_url = d.get("image_url") or prod.image_url
    if "selling_points" in d:
        prod.selling_points = list(d["selling_points"])
    if "script" in d:
        prod.script = d["script"] or ""
    if d.get("stock") is not None:
        set_stock(st, prod, int(d["stock"]), ev.ts)


def on_inventory_set(st: SessionState, ev: Event) -> None:
    prod = st.catalog.product(ev.data["sku"])
    set_stock(st, prod, ev.data["available"], ev.ts)


HANDLERS: dict[str, Handler] = {
    p.PRODUCT_UPSERT: on_product_upsert,
    p.INVENTORY_SET: on_inventory_set,
}

__all__ = ["Catalog", "ProductState", "set_stock", "HANDLERS", "SELL_RATE_TAU"]
