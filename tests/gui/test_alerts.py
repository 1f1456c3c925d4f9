"""Headless alert engine: each condition raises once and clears once."""

from console.core import protocol as p
from console.live.alerts import AlertEngine, Thresholds
from tests.support.demo import T0


def kinds(out, type_):
    return sorted(d["key"] for t, d in out if t == type_)


def test_low_stock_raises_once_and_clears(session):
    sc = session.script
    eng = AlertEngine(Thresholds(sellout_minutes=0))
    assert eng.evaluate(session.state, T0 + 1) == []
    sc.feed(sc.ev(2, p.INVENTORY_SET, sku="LD-004", available=5))
    out = eng.evaluate(session.state, T0 + 3)
    assert kinds(out, p.ALERT_RAISED) == ["low_stock:LD-004"]
    data = out[0][1]
    assert set(data) == {"key", "kind", "level", "sku", "message", "value", "threshold"}
    assert data["sku"] == "LD-004" and data["value"] == 5 and data["level"] == "warning"
    assert eng.evaluate(session.state, T0 + 4) == []          # not raised again
    sc.feed(sc.ev(5, p.INVENTORY_SET, sku="LD-004", available=0))
    out = eng.evaluate(session.state, T0 + 6)
    assert kinds(out, p.ALERT_RAISED) == ["sold_out:LD-004"]
    assert kinds(out, p.ALERT_CLEARED) == ["low_stock:LD-004"]
    sc.feed(sc.ev(7, p.INVENTORY_SET, sku="LD-004", available=80))
    out = eng.evaluate(session.state, T0 + 8)
    assert kinds(out, p.ALERT_CLEARED) == ["sold_out:LD-004"] and kinds(out, p.ALERT_RAISED) == []


def test_sellout_eta(session):
    from tests.gui.conftest import order
    sc = session.script
    eng = AlertEngine(Thresholds(sellout_minutes=5, low_stock_units=0, low_stock_fraction=0))
    evs = []
    for i in range(40):
        evs.append(sc.ev(10 + i, p.ORDER_PAID, **order(f"o{i}", "LD-002", 1, 129.0, buyer=f"u{i}")))
    evs.append(sc.ev(50, p.INVENTORY_SET, sku="LD-002", available=30))
    sc.feed(*evs)
    out = eng.evaluate(session.state, T0 + 51)
    assert "sellout_eta:LD-002" in kinds(out, p.ALERT_RAISED)


def test_feed_down_and_stale(session):
    eng = AlertEngine()
    out = eng.evaluate(session.state, T0, data_age=30.0, feed_state="live")
    assert kinds(out, p.ALERT_RAISED) == ["stale"]
    out = eng.evaluate(session.state, T0, data_age=30.0, feed_state="reconnecting")
    assert kinds(out, p.ALERT_RAISED) == ["feed_down"] and kinds(out, p.ALERT_CLEARED) == ["stale"]
    out = eng.evaluate(session.state, T0, data_age=0.5, feed_state="live")
    assert kinds(out, p.ALERT_CLEARED) == ["feed_down"]
    assert eng.evaluate(session.state, T0, data_age=0.5, feed_state="live") == []


def test_online_drop(session):
    sc = session.script
    eng = AlertEngine()
    sc.feed(*[sc.ev(1 + s, p.TRAFFIC_TICK, online=1000) for s in range(150)])
    assert eng.evaluate(session.state, T0 + 151) == []
    sc.feed(*[sc.ev(151 + s, p.TRAFFIC_TICK, online=400) for s in range(5)])
    out = eng.evaluate(session.state, T0 + 156)
    assert kinds(out, p.ALERT_RAISED) == ["online_drop"]
    assert eng.evaluate(session.state, T0 + 157) == []
