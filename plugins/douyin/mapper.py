"""Captured web-console JSON -> protocol v1 event bodies (pure: no browser, no I/O).

The browser bridge hands every captured response to :meth:`ConsoleMapper.feed` as a
*record* ``{"t": unix time, "url": ..., "body": parsed JSON, "request": {"post": ...}}``
(the same records the raw capture file keeps, so a capture replays through this class).
Which stream a record belongs to, and where its fields are, comes from the
:class:`~plugins.douyin.profile.Profile`. Bodies ``{"type", "data", "ts"}`` come out; the
feed server numbers them.

Rules (docs/connectors/douyin.md):

* the product list -> ``product.upsert`` when a product is new or its title, price or stock
  changed, and ``inventory.set`` when its shown stock changed;
* orders are deduplicated by the platform's order id and only move forward
  (created -> paid -> refunded, created -> cancelled): a repeated or reordered poll never
  counts twice. First seen as paid, an order gets ``order.created`` then ``order.paid``.
  With no amount in the stream the amount is the product's price x quantity, marked
  ``estimated``; an order whose price is not known yet waits for the product list;
* comments (screen and control page) are deduplicated by message id, and a comment both
  pages report is passed on once;
* enters, likes, follows, shares, comments and the room's counters become one
  ``traffic.tick`` a second (:meth:`tick`), cumulative counters never going down;
* a 讲解 started or ended outside Livedesk (the page's own call, or the page showing
  another product as explained) -> ``card.pushed`` / ``card.cleared``.

Anything the mapper notices about the platform (an error status such as an expired login,
the room going live or ending) is appended to :attr:`signals` for the bridge.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import parse_qs

from console.core import protocol as p
from plugins.douyin.profile import Profile, get_path

RANK = {"created": 0, "paid": 1, "cancelled": 2, "refunded": 3}
#: how far back a comment reported by the other page counts as the same comment
CROSS_SOURCE_S = 60.0
#: ids remembered for deduplication (per kind); older ones are forgotten first
SEEN_MAX = 500_000


def to_num(value: Any) -> float | None:
    """A number from a number, a numeric string or a ``{"value": ...}`` object; else None."""
    if isinstance(value, dict):
        value = value.get("value")
    if type(value) is bool or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            return float(text)
        except ValueError:
            return None
    return None


def to_id(value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, (dict, list)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def to_unix(value: Any) -> float | None:
    """Platform times: seconds or milliseconds (a GUESS per value: above 1e11 is ms)."""
    num = to_num(value)
    if num is None or num <= 0:
        return None
    return num / 1000.0 if num > 1e11 else num


class _Seen:
    """A bounded set of keys, oldest forgotten first."""

    def __init__(self, limit: int = SEEN_MAX) -> None:
        self.keys: OrderedDict[Any, None] = OrderedDict()
        self.limit = limit

    def add(self, key: Any) -> bool:
        """True if the key is new."""
        if key in self.keys:
            return False
        self.keys[key] = None
        if len(self.keys) > self.limit:
            self.keys.popitem(last=False)
        return True


@dataclass
class ProductInfo:
    promotion_id: str
    sku: str
    product_id: str | None
    title: str
    price: float | None
    stock: int | None
    cover: str | None = None
    upserted: tuple | None = None      # (title, price, stock) last sent


@dataclass
class StreamStats:
    matched: int = 0          # responses seen for the stream
    items: int = 0            # list items read
    events: int = 0           # events produced
    empty: int = 0            # answers whose list was missing or null
    errors: int = 0           # answers with an error status
    last_t: float | None = None


@dataclass
class MapperStats:
    streams: dict[str, StreamStats] = field(default_factory=dict)
    unmatched: int = 0                  # records no stream pattern matched
    duplicates: int = 0                 # items seen before (orders, comments, messages)
    stale_statuses: int = 0             # order statuses older than what was already sent
    unknown_statuses: dict[str, int] = field(default_factory=dict)
    malformed: int = 0
    last_error: str | None = None

    def stream(self, name: str) -> StreamStats:
        return self.streams.setdefault(name, StreamStats())


class ConsoleMapper:
    """Stateful mapper for one live session (see the module docstring)."""

    def __init__(self, profile: Profile, clock: Callable[[], float] = time.time) -> None:
        self.profile = profile
        self.clock = clock
        self.stats = MapperStats()
        self.signals: list[tuple[str, Any]] = []
        self.products: dict[str, ProductInfo] = {}        # promotion id -> product
        self.sku_of_product: dict[str, str] = {}          # product id -> sku
        self.promotion_of_sku: dict[str, str] = {}
        self.orders: dict[str, str] = {}                  # order id -> last sent status
        self.room_id: str | None = None
        self.live: bool | None = None
        self.current_sku: str | None = None
        self.online: int | None = None
        self.counts = {"likes": 0, "comments": 0, "shares": 0, "new_followers": 0}
        self.platform: dict[str, int] = {}                # cumulative counters from the room
        self.extra: dict[str, float] = {}
        self.viewer_ids = _Seen()
        self.viewers_counted = 0
        self.traffic_seen = False
        self.sent_traffic: dict[str, int] = {}
        self._seen = _Seen()
        self._recent_comments: dict[tuple[str, str], tuple[str, float]] = {}
        self._pending_orders: dict[str, tuple[float, dict]] = {}
        self._comments: OrderedDict[str, dict] = OrderedDict()
        self._last_ts = 0.0
        self._last_tick: int | None = None

    # ---- public API -------------------------------------------------------------------
    def feed(self, record: dict) -> list[dict]:
        """Map one captured response record to event bodies."""
        url = str(record.get("url") or "")
        t = self._ts(record.get("t"))
        stream = self.profile.classify(url)
        if stream is None:
            self.stats.unmatched += 1
            return []
        st = self.stats.stream(stream)
        st.matched += 1
        st.last_t = t
        body = record.get("body")
        if stream != "card" and self._error_status(stream, body, url):
            st.errors += 1
            return []
        handler = getattr(self, f"_map_{stream}", None)
        if handler is None:
            return []
        try:
            out = handler(body, t, record)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            self.stats.malformed += 1
            self.stats.last_error = f"{stream}: {type(exc).__name__}: {exc}"
            return []
        st.events += len(out)
        return out

    def tick(self, now: float | None = None) -> list[dict]:
        """One ``traffic.tick`` per whole second once any traffic figure was seen.

        Also releases orders that waited too long for a price.
        """
        now = self._ts(now if now is not None else self.clock())
        out = self._release_orders(now, force=False)
        second = int(now)
        if not self.traffic_seen or second == self._last_tick:
            return out
        self._last_tick = second
        data: dict[str, Any] = {"online": int(self.online or 0)}
        counted = dict(self.counts)
        counted["viewers"] = self.viewers_counted
        for key in ("viewers", "room_impressions", "product_impressions", "product_clicks",
                    "likes", "comments", "shares", "new_followers"):
            value = max(counted.get(key, 0), self.platform.get(key, 0),
                        self.sent_traffic.get(key, 0))
            if value or key in self.sent_traffic:
                data[key] = self.sent_traffic[key] = int(value)
        if self.extra:
            data["platform"] = dict(self.extra)
        out.append(self._body(p.TRAFFIC_TICK, data, now))
        return out

    def observe_card(self, promotion_id: str | None, t: float | None = None) -> list[dict]:
        """The page shows ``promotion_id`` as explained (None: nothing is explained)."""
        t = self._ts(t if t is not None else self.clock())
        if promotion_id is None:
            return self._card(None, t)
        prod = self.products.get(str(promotion_id))
        return self._card(prod.sku if prod else str(promotion_id), t)

    def set_current(self, sku: str | None) -> None:
        """Livedesk itself is pushing or clearing a card: the page's echo is not news."""
        self.current_sku = sku

    def product_for_sku(self, sku: str) -> ProductInfo | None:
        pid = self.promotion_of_sku.get(sku)
        return self.products.get(pid) if pid else None

    def comment_by_id(self, comment_id: str) -> dict | None:
        return self._comments.get(comment_id)

    def catalog(self) -> list[dict]:
        out = []
        for prod in self.products.values():
            item = {"sku": prod.sku, "title": prod.title, "price": prod.price or 0.0}
            if prod.stock is not None:
                item["stock"] = prod.stock
            out.append(item)
        return out

    def drain_signals(self) -> list[tuple[str, Any]]:
        out, self.signals = self.signals, []
        return out

    # ---- helpers ------------------------------------------------------------------------
    def _ts(self, t: Any) -> float:
        try:
            t = float(t)
        except (TypeError, ValueError):
            t = self.clock()
        self._last_ts = max(self._last_ts, t)
        return self._last_ts

    @staticmethod
    def _body(type_: str, data: dict, ts: float) -> dict:
        return {"type": type_, "data": data, "ts": ts}

    def _error_status(self, stream: str, body: Any, url: str) -> bool:
        path, codes = self.profile.error_codes
        code = get_path(body, path) if isinstance(body, dict) else None
        if code in (None, 0, "0", ""):
            return False
        meaning = codes.get(str(code), "error")
        self.signals.append(("platform_error", {"stream": stream, "code": code,
                                                "meaning": meaning, "url": url}))
        self.stats.last_error = f"{stream}: status {code} ({meaning})"
        return True

    def _list(self, stream: str, body: Any, spec: dict) -> list | None:
        for path in [spec.get("list")] + list(spec.get("list_alternatives") or []):
            if not path:
                continue
            items = get_path(body, path)
            if isinstance(items, list):
                return items
        self.stats.stream(stream).empty += 1
        return None

    # ---- products ---------------------------------------------------------------------
    def _map_products(self, body: Any, t: float, record: dict) -> list[dict]:
        spec = self.profile.stream("products")
        fields = spec.get("fields") or {}
        room = to_id(get_path(body, spec.get("room_id")))
        if room is not None and room != self.room_id:
            self.room_id = room
            self.signals.append(("room", room))
        items = self._list("products", body, spec) or []
        scale = float(spec.get("price_scale", 1.0))
        out: list[dict] = []
        for item in items:
            if not isinstance(item, dict):
                self.stats.malformed += 1
                continue
            self.stats.stream("products").items += 1
            out.extend(self._product(item, fields, spec, scale, t))
        if out:
            out.extend(self._release_orders(t, force=False))
        return out

    def _product(self, item: dict, fields: dict, spec: dict, scale: float, t: float) -> list[dict]:
        def f(name: str) -> Any:
            return get_path(item, fields.get(name)) if fields.get(name) else None

        promotion_id = to_id(f("promotion_id"))
        product_id = to_id(f("product_id"))
        if promotion_id is None and product_id is None:
            self.stats.malformed += 1
            return []
        promotion_id = promotion_id or product_id
        prod = self.products.get(promotion_id)
        if prod is None:
            sku = None
            for key in spec.get("sku_from") or ("product_id",):
                sku = to_id(get_path(item, fields.get(key) or key))
                if sku:
                    break
            sku = sku or product_id or promotion_id
            if sku in self.promotion_of_sku and self.promotion_of_sku[sku] != promotion_id:
                sku = f"{sku}#{promotion_id}"       # two promotions with one article number
            prod = ProductInfo(promotion_id, sku, product_id, "", None, None)
            self.products[promotion_id] = prod
            self.promotion_of_sku[sku] = promotion_id
            if product_id:
                self.sku_of_product[product_id] = sku
        title = f("title")
        if isinstance(title, str) and title:
            prod.title = title
        price = to_num(f("price"))
        if price is not None:
            prod.price = round(price * scale, 2)
        stock = to_num(f("stock"))
        old_stock = prod.stock
        if stock is not None:
            prod.stock = max(0, int(stock))
        cover = f("cover")
        if isinstance(cover, str):
            prod.cover = cover
        out: list[dict] = []
        state = (prod.title, prod.price, prod.stock)
        if state != prod.upserted and prod.price is not None:
            data = {"sku": prod.sku, "title": prod.title or prod.sku, "price": prod.price,
                    "promotion_id": prod.promotion_id}
            if prod.product_id:
                data["product_id"] = prod.product_id
            if prod.stock is not None:
                data["stock"] = prod.stock
            if prod.cover:
                data["image_url"] = prod.cover
            out.append(self._body(p.PRODUCT_UPSERT, data, t))
            first = prod.upserted is None
            prod.upserted = state
            if prod.stock is not None and (first or prod.stock != old_stock):
                out.append(self._body(p.INVENTORY_SET, {"sku": prod.sku, "available": prod.stock}, t))
        elif prod.stock is not None and old_stock is not None and prod.stock != old_stock:
            out.append(self._body(p.INVENTORY_SET, {"sku": prod.sku, "available": prod.stock}, t))
        return out

    # ---- orders -------------------------------------------------------------------------
    def _map_orders(self, body: Any, t: float, record: dict) -> list[dict]:
        spec = self.profile.stream("orders")
        items = self._list("orders", body, spec) or []
        out: list[dict] = []
        for item in items:
            if not isinstance(item, dict):
                self.stats.malformed += 1
                continue
            self.stats.stream("orders").items += 1
            out.extend(self._order(item, t, spec))
        return out

    def _order(self, item: dict, t: float, spec: dict, force: bool = False) -> list[dict]:
        fields = spec.get("fields") or {}

        def f(name: str) -> Any:
            return get_path(item, fields.get(name)) if fields.get(name) else None

        oid = to_id(f("order_id"))
        if oid is None:
            self.stats.malformed += 1
            return []
        raw_status = f("status")
        statuses = {str(k): str(v) for k, v in (spec.get("statuses") or {}).items()}
        status = statuses.get(str(to_id(raw_status)))
        if status not in RANK:
            key = str(raw_status)
            self.stats.unknown_statuses[key] = self.stats.unknown_statuses.get(key, 0) + 1
            return []
        have = self.orders.get(oid)
        if have is not None and RANK[status] <= RANK[have]:
            if status == have:
                self.stats.duplicates += 1
            else:
                self.stats.stale_statuses += 1
            return []
        if have == "cancelled" or (have == "refunded"):
            self.stats.stale_statuses += 1
            return []
        product_id = to_id(f("product_id"))
        sku = self.sku_of_product.get(product_id or "") or product_id or "unknown"
        prod = self.product_for_sku(sku)
        amount = to_num(f("amount"))
        qty = to_num(f("qty"))
        qty_i = max(1, int(qty)) if qty is not None else 1
        if amount is None and (prod is None or prod.price is None) and not force:
            t0 = self._pending_orders.get(oid, (t, None))[0]
            self._pending_orders[oid] = (t0, item)      # the newest poll's view of the order
            return []
        data: dict[str, Any] = {"order_id": oid, "sku": sku, "qty": qty_i}
        if amount is not None:
            data["amount"] = round(amount * float(spec.get("amount_scale", 1.0)), 2)
            data["unit_price"] = round(data["amount"] / qty_i, 2)
        elif prod is not None and prod.price is not None:
            data["unit_price"] = prod.price
            data["amount"] = round(prod.price * qty_i, 2)
            data["estimated"] = True
        else:
            data["amount"] = 0.0
            data["estimated"] = True
            data["price_unknown"] = True
        nick = f("nick")
        buyer_id = to_id(f("buyer_id"))
        if nick or buyer_id:
            data["buyer"] = {"id": buyer_id or f"nick:{nick}", "nick": str(nick or "")}
        title = f("title")
        if isinstance(title, str) and title:
            data["title"] = title
        if product_id:
            data["product_id"] = product_id
        data["platform_status"] = raw_status
        when = to_unix(f("ts"))
        out: list[dict] = []
        steps = self._steps(have, status)
        for step in steps:
            ev_data = dict(data)
            if step == "paid" and when is not None:
                ev_data["paid_at"] = when
            if step == "created" and when is not None and status == "created":
                ev_data["created_at"] = when
            out.append(self._body(f"order.{step}", ev_data, t))
        self.orders[oid] = status if status != "cancelled" or have != "paid" else "refunded"
        return out

    @staticmethod
    def _steps(have: str | None, status: str) -> list[str]:
        if have is None:
            return {"created": ["created"], "paid": ["created", "paid"],
                    "cancelled": ["created", "cancelled"],
                    "refunded": ["created", "paid", "refunded"]}[status]
        if have == "created":
            return {"paid": ["paid"], "cancelled": ["cancelled"],
                    "refunded": ["cancelled"]}.get(status, [])
        if have == "paid":
            return ["refunded"] if status in ("cancelled", "refunded") else []
        return []

    def _release_orders(self, now: float, force: bool) -> list[dict]:
        """Orders waiting for a price: send those whose price is known now or that waited enough."""
        if not self._pending_orders:
            return []
        spec = self.profile.stream("orders")
        wait = float(spec.get("price_wait_s", 30))
        out = []
        for oid, (t0, item) in list(self._pending_orders.items()):
            if force or now - t0 >= wait or not self._is_pending(item, spec):
                del self._pending_orders[oid]
                out.extend(self._order(item, now, spec, force=True))
        return out

    def _is_pending(self, item: dict, spec: dict) -> bool:
        fields = spec.get("fields") or {}
        product_id = to_id(get_path(item, fields.get("product_id")))
        sku = self.sku_of_product.get(product_id or "")
        prod = self.product_for_sku(sku) if sku else None
        return prod is None or prod.price is None

    def flush_pending(self, now: float | None = None) -> list[dict]:
        """Send every waiting order now (with whatever price is known): end of a session."""
        return self._release_orders(self._ts(now if now is not None else self.clock()), True)

    # ---- comments and room messages ---------------------------------------------------------
    def _map_comments(self, body: Any, t: float, record: dict) -> list[dict]:
        spec = self.profile.stream("comments")
        kinds = spec.get("kinds") or {}
        out: list[dict] = []
        groups = get_path(body, spec.get("kinds_path")) if spec.get("kinds_path") else None
        found = False
        if isinstance(groups, dict):
            found = True
            for key, kind in kinds.items():
                items = groups.get(key)
                if isinstance(items, list):
                    for item in items:
                        out.extend(self._message("comments", str(kind), item, spec, t))
        flat = get_path(body, spec.get("list")) if spec.get("list") else None
        if isinstance(flat, list):
            found = True
            for item in flat:
                out.extend(self._message("comments", "comment", item, spec, t))
        if not found:
            self.stats.stream("comments").empty += 1
        return out

    def _map_control_comments(self, body: Any, t: float, record: dict) -> list[dict]:
        spec = self.profile.stream("control_comments")
        out: list[dict] = []
        for item in self._list("control_comments", body, spec) or []:
            out.extend(self._message("control_comments", str(spec.get("kind", "comment")),
                                     item, spec, t))
        return out

    def _message(self, stream: str, kind: str, item: Any, spec: dict, t: float) -> list[dict]:
        if not isinstance(item, dict):
            self.stats.malformed += 1
            return []
        self.stats.stream(stream).items += 1
        fields = spec.get("fields") or {}

        def f(name: str) -> Any:
            return get_path(item, fields.get(name)) if fields.get(name) else None

        mid = to_id(f("id"))
        key = (stream, kind, mid) if mid else (stream, kind, json.dumps(item, sort_keys=True,
                                                                       ensure_ascii=False))
        if not self._seen.add(key):
            self.stats.duplicates += 1
            return []
        self.traffic_seen = True
        nick = str(f("nick") or "")
        user_id = to_id(f("user_id"))
        if kind == "comment":
            text = f("text")
            if not isinstance(text, str):
                self.stats.malformed += 1
                return []
            same = (nick, text)
            prior = self._recent_comments.get(same)
            self._recent_comments[same] = (stream, t)
            if len(self._recent_comments) > 5000:
                for k in list(self._recent_comments)[:2500]:
                    del self._recent_comments[k]
            if prior is not None and prior[0] != stream and t - prior[1] <= CROSS_SOURCE_S:
                self.stats.duplicates += 1      # the other page reported the same comment
                return []
            self.counts["comments"] += 1
            data: dict[str, Any] = {"nick": nick, "text": text,
                                    "comment_id": mid or f"{stream}:{len(self._seen.keys)}"}
            if user_id:
                data["user_id"] = user_id
            if stream != "comments":
                data["source"] = stream
            self._comments[data["comment_id"]] = data
            if len(self._comments) > 20_000:
                self._comments.popitem(last=False)
            return [self._body(p.COMMENT, data, t)]
        if kind == "enter":
            if self.viewer_ids.add(user_id or nick or key):
                self.viewers_counted += 1
        elif kind == "like":
            count = to_num(f("like_count"))
            self.counts["likes"] += int(count) if count and count > 0 else 1
        elif kind == "follow":
            self.counts["new_followers"] += 1
        elif kind == "share":
            self.counts["shares"] += 1
        return []

    # ---- room counters ------------------------------------------------------------------------
    def _map_core_data(self, body: Any, t: float, record: dict) -> list[dict]:
        spec = self.profile.stream("core_data")
        items = self._list("core_data", body, spec) or []
        mapping = spec.get("traffic") or {}
        extra = set(spec.get("extra") or ())
        name_key, value_key = spec.get("name", "index_name"), spec.get("value", "value")
        for item in items:
            if not isinstance(item, dict):
                continue
            self.stats.stream("core_data").items += 1
            name = item.get(name_key)
            value = to_num(item.get(value_key))
            if value is None:
                continue
            target = mapping.get(name)
            if target == "online":
                self.online = max(0, int(value))
                self.traffic_seen = True
            elif target:
                self.platform[target] = max(self.platform.get(target, 0), int(value))
                self.traffic_seen = True
            elif name in extra:
                self.extra[name] = value
        for name, path in (spec.get("extra_paths") or {}).items():
            value = to_num(get_path(body, path))
            if value is not None:
                self.extra[name] = value
        return []

    def _map_base_info(self, body: Any, t: float, record: dict) -> list[dict]:
        spec = self.profile.stream("base_info")
        status = get_path(body, spec.get("live_status"))
        status = to_num(status)
        if status is None:
            self.stats.stream("base_info").empty += 1
            return []
        live_values = {float(v) for v in spec.get("live_values") or ()}
        ended_values = {float(v) for v in spec.get("ended_values") or ()}
        was = self.live
        if status in live_values:
            self.live = True
        elif status in ended_values:
            self.live = False
        if self.live != was and self.live is not None:
            self.signals.append(("live", self.live))
        return []

    # ---- cards ------------------------------------------------------------------------------
    def _map_card(self, body: Any, t: float, record: dict) -> list[dict]:
        spec = self.profile.stream("card")
        ok = spec.get("ok") or {}
        if isinstance(body, dict) and ok.get("path") and get_path(body, ok["path"]) != ok.get("equals"):
            self.signals.append(("card_refused", str(get_path(body, spec.get("message")) or "")))
            return []
        form = _parse_form((record.get("request") or {}).get("post"))
        names = spec.get("request_fields") or {}
        pid = to_id(form.get(names.get("promotion_id", "promotion_id")))
        cancel = str(form.get(names.get("cancel", "cancel"), "false")).lower() in ("true", "1")
        if cancel:
            return self._card(None, t)
        if pid is None:
            self.stats.malformed += 1
            return []
        return self.observe_card(pid, t)

    def _card(self, sku: str | None, t: float) -> list[dict]:
        if sku == self.current_sku:
            return []
        old, self.current_sku = self.current_sku, sku
        if sku is None:
            return [self._body(p.CARD_CLEARED, {"sku": old} if old else {}, t)]
        prod = self.product_for_sku(sku)
        data: dict[str, Any] = {"sku": sku, "origin": "platform"}
        if prod is not None:
            data["title"] = prod.title
            if prod.price is not None:
                data["price"] = prod.price
            data["promotion_id"] = prod.promotion_id
        return [self._body(p.CARD_PUSHED, data, t)]


def _parse_form(post: Any) -> dict:
    """A request body: form-encoded or JSON."""
    if isinstance(post, dict):
        return post
    if not isinstance(post, str) or not post:
        return {}
    text = post.strip()
    if text.startswith("{"):
        try:
            obj = json.loads(text)
            return obj if isinstance(obj, dict) else {}
        except ValueError:
            return {}
    return {k: v[-1] for k, v in parse_qs(text).items()}


__all__ = ["ConsoleMapper", "ProductInfo", "MapperStats", "to_num", "to_unix"]
