"""Headless alert engine: turns session state into alert.raised / alert.cleared payloads.

``AlertEngine.evaluate(state, now, data_age=..., feed_state=...)`` looks at the
current :class:`~console.fold.state.SessionState` and returns a list of
``(event_type, data)`` pairs. Each condition is raised once and stays quiet
until it clears. :class:`SessionAlerts` runs it for one session: on the session's
clock, with its feed status (data age, dead feed) and lag, appending the pairs to
the session log (``source="system"``) so that alerts are recorded and replayed like
everything else. The live session (console/live/session.py) checks once a second,
so ``livedesk record`` records alerts too; the console only shows what the log holds.
No Qt here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

from console.core import metrics, protocol as p

if TYPE_CHECKING:
    from console.api import Session
    from console.fold.state import SessionState
    from console.live.lag import FeedLag


@dataclass
class Thresholds:
    low_stock_fraction: float = 0.10     # stock below this share of its maximum
    low_stock_units: int = 20            # ... or below this many units
    sellout_minutes: float = 3.0         # sell-out predicted within N minutes
    online_drop: float = 0.30            # online viewers down 30 % vs the recent baseline
    online_window_s: int = 120           # baseline window (seconds before the last 15 s)
    online_min: int = 30                 # ignore drops on tiny rooms
    rate_drop: float = 0.40              # CTR / CTOR down 40 % vs the session baseline
    rate_window_min: int = 3             # recent window for CTR / CTOR (minutes)
    rate_min_impressions: int = 200      # minimum sample in the recent window
    rate_min_clicks: int = 30
    stale_s: float = 10.0                # no data for this long -> stale

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def parse(cls, settings: list[str]) -> "Thresholds":
        """Thresholds from ``NAME=VALUE`` strings (``livedesk record --alert``), the defaults
        for the rest. Raises ValueError naming the bad setting and what is allowed."""
        th = cls()
        names = {f.name: f.type for f in fields(cls)}
        for item in settings:
            name, sep, text = item.partition("=")
            name = name.strip().replace("-", "_")
            if not sep or name not in names:
                raise ValueError(f"unknown alert setting {item!r}; known: "
                                 + ", ".join(f"{n}={getattr(th, n)}" for n in names))
            kind = int if names[name] in (int, "int") else float
            try:
                value = kind(text.strip())
            except ValueError:
                raise ValueError(f"{name} needs {'a whole number' if kind is int else 'a number'},"
                                 f" not {text!r}") from None
            if value < 0 or not math.isfinite(value):
                raise ValueError(f"{name} cannot be {text!r}")
            setattr(th, name, value)
        return th


WARNING, CRITICAL, INFO = "warning", "critical", "info"


class AlertEngine:
    """Evaluate alert conditions; raise each once, clear it when it no longer holds."""

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self.active: dict[str, dict] = {}

    # ---- Public API ---------------------------------------------------------
    def evaluate(self, state: SessionState, now: float, data_age: float | None = None,
                 feed_state: str | None = None,
                 lag: FeedLag | None = None) -> list[tuple[str, dict]]:
        """Raised and cleared alerts since the last call. ``lag``: the session's
        :class:`console.live.lag.FeedLag` (a "falling behind" alert while it says so)."""
        current: dict[str, dict] = {}
        self._stock(state, now, current)
        self._online(state, current)
        self._rates(state, current)
        self._feed(data_age, feed_state, current)
        self._behind(lag, current)
        out: list[tuple[str, dict]] = []
        for key, data in current.items():
            if key not in self.active:
                self.active[key] = data
                out.append((p.ALERT_RAISED, data))
        for key in [k for k in self.active if k not in current]:
            old = self.active.pop(key)
            out.append((p.ALERT_CLEARED, {"key": key, "kind": old["kind"], "level": old["level"],
                                          "sku": old.get("sku"), "message": old["message"],
                                          "value": None, "threshold": old.get("threshold")}))
        return out

    def reset(self) -> None:
        self.active.clear()

    def adopt(self, active: dict[str, dict]) -> None:
        """Take ``active`` (a resumed state's ``active_alerts``) as already raised: they are
        not raised again, and are cleared once they no longer hold."""
        self.active = {key: dict(data) for key, data in active.items()}

    # ---- Conditions -----------------------------------------------------------
    @staticmethod
    def _alert(key: str, kind: str, level: str, message: str, value: object,
               threshold: object, sku: str | None = None, **extra: object) -> dict:
        # ``message`` is a Chinese sentence for the log and reports; the console builds its own
        # (translated) text from kind, value, threshold, sku and the extra fields (baseline, base)
        return {"key": key, "kind": kind, "level": level, "sku": sku, "message": message,
                "value": value, "threshold": threshold, **extra}

    def _stock(self, state: SessionState, now: float, out: dict) -> None:
        th = self.thresholds
        for sku, prod in state.products.items():
            if prod.stock is None:
                continue
            title = prod.title or sku
            if prod.stock == 0:
                key = f"sold_out:{sku}"
                out[key] = self._alert(key, "sold_out", CRITICAL, f"{title} 已售罄", 0, 0, sku)
                continue
            limit = max(th.low_stock_fraction * prod.stock_max, 0)
            if prod.stock < th.low_stock_units or (prod.stock_max and prod.stock < limit):
                key = f"low_stock:{sku}"
                out[key] = self._alert(key, "low_stock", WARNING, f"{title} 库存低: 剩 {prod.stock} 件",
                                       prod.stock, max(th.low_stock_units, int(limit)), sku)
            eta = prod.sell_out_eta(now)
            if eta is not None and eta < th.sellout_minutes * 60:
                key = f"sellout_eta:{sku}"
                out[key] = self._alert(key, "sellout_eta", WARNING,
                                       f"{title} 预计 {eta / 60:.1f} 分钟内售罄",
                                       round(eta, 1), th.sellout_minutes * 60, sku)

    def _online(self, state: SessionState, out: dict) -> None:
        th = self.thresholds
        series = state.seconds.data.get("online") or []
        recent_skip = 15
        if len(series) < recent_skip + 30:
            return
        window = series[-(recent_skip + th.online_window_s):-recent_skip]
        baseline = sum(window) / len(window)
        current = state.traffic.get("online", 0)
        if baseline >= th.online_min and current < baseline * (1 - th.online_drop):
            drop = 1 - current / baseline
            out["online_drop"] = self._alert(
                "online_drop", "online_drop", WARNING,
                f"在线人数下降 {drop:.0%}: {current} (此前约 {baseline:.0f})",
                current, round(baseline * (1 - th.online_drop), 1), baseline=round(baseline, 1))

    def _rates(self, state: SessionState, out: dict) -> None:
        th = self.thresholds
        t = state.traffic
        mins = state.minutes
        k = th.rate_window_min
        if len(mins["clicks"]) <= k:
            return  # need a session baseline longer than the recent window
        clicks = sum(mins["clicks"][-k:])
        impr = sum(mins["impressions"][-k:])
        orders = sum(mins["orders"][-k:])
        base_ctr = metrics.ratio(t["product_clicks"], t["product_impressions"])
        base_ctor = metrics.ratio(state.orders, t["product_clicks"])
        if impr >= th.rate_min_impressions and base_ctr > 0:
            ctr = metrics.ratio(clicks, impr)
            if ctr < base_ctr * (1 - th.rate_drop):
                out["ctr_drop"] = self._alert(
                    "ctr_drop", "ctr_drop", WARNING,
                    f"商品点击率下降: {ctr:.1%} (本场 {base_ctr:.1%})", round(ctr, 4),
                    round(base_ctr * (1 - th.rate_drop), 4), base=round(base_ctr, 4))
        if clicks >= th.rate_min_clicks and base_ctor > 0:
            ctor = metrics.ratio(orders, clicks)
            if ctor < base_ctor * (1 - th.rate_drop):
                out["ctor_drop"] = self._alert(
                    "ctor_drop", "ctor_drop", WARNING,
                    f"点击-成交转化率下降: {ctor:.1%} (本场 {base_ctor:.1%})", round(ctor, 4),
                    round(base_ctor * (1 - th.rate_drop), 4), base=round(base_ctor, 4))

    def _feed(self, data_age: float | None, feed_state: str | None, out: dict) -> None:
        th = self.thresholds
        if feed_state in ("reconnecting", "closed"):
            out["feed_down"] = self._alert("feed_down", "feed_down", CRITICAL,
                                           f"数据连接中断 ({feed_state})", feed_state, "live")
        elif data_age is not None and data_age > th.stale_s:
            out["stale"] = self._alert("stale", "stale", WARNING,
                                       f"数据已 {data_age:.0f} 秒未更新", round(data_age, 1), th.stale_s)

    def _behind(self, lag: FeedLag | None, out: dict) -> None:
        """The console reads the feed later and later (more arrives than it can take): said
        once when it starts, with how far behind it is then; cleared once it has caught up."""
        if lag is None or not lag.behind:
            return
        n, s = lag.behind_events, lag.lag_s
        out["behind"] = self._alert("behind", "behind", WARNING,
                                    f"处理跟不上数据: 落后约 {n} 条 ({s:.1f} 秒), 正在追赶",
                                    round(s, 1), lag.behind_s, events=n)


class SessionAlerts:
    """The alert conditions of one session, evaluated on its clock and appended to its log.

    ``check()`` reads the session's state, its feed status (data age and a dead feed are
    measured in wall time by the feed client, so they are raised while nothing arrives) and
    its lag, and appends what was raised or cleared with ``session.append_local(..., "system")``.
    The live session calls it once a second; tests call it directly.
    """

    def __init__(self, session: Session, thresholds: Thresholds | None = None) -> None:
        self.session = session
        self.engine = AlertEngine(thresholds)

    @property
    def thresholds(self) -> Thresholds:
        return self.engine.thresholds

    def set_thresholds(self, thresholds: Thresholds) -> None:
        """New thresholds from the next check on (the console's settings)."""
        self.engine.thresholds = thresholds

    def check(self, now: float | None = None) -> list[tuple[str, dict]]:
        """Evaluate now (``now``: the session clock by default); returns what was appended."""
        session = self.session
        status = session.status
        out = self.engine.evaluate(session.state, session.now() if now is None else now,
                                   data_age=status.data_age() if status is not None else None,
                                   feed_state=status.state if status is not None else None,
                                   lag=session.lag)
        for type_, data in out:
            session.append_local(type_, data, "system")
        return out

    def reset(self) -> None:
        """A new session log (the feed restarted as a new session): nothing is raised in it."""
        self.engine.reset()

    def adopt(self, active: dict[str, dict]) -> None:
        """A resumed session: the alerts its recording holds as active stay raised."""
        self.engine.adopt(active)


__all__ = ["AlertEngine", "SessionAlerts", "Thresholds", "WARNING", "CRITICAL", "INFO"]
