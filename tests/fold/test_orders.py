"""The order book's quick paths agree with the plain ones."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, strategies as st

from console.fold.comments import buyer_id, order_buyer
from console.fold.orders import paid_order_keys
from console.fold.state import SessionState
from tests.fold.stream import rich_events

IDS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3), st.floats(),
                st.just([]), st.just({}))
BUYERS = st.one_of(IDS, st.dictionaries(st.sampled_from(["id", "nick"]), IDS, max_size=2))


@given(buyer=BUYERS, has=st.booleans())
def test_order_buyer_is_buyer_id_of_the_orders_buyer(buyer, has):
    data = {"order_id": "o1", "sku": "A", **({"buyer": buyer} if has else {})}
    assert order_buyer(data) == buyer_id(data.get("buyer"))
    bid = buyer_id(data.get("buyer"))
    expected = bid or "order:o1"
    assert paid_order_keys(data) == ("b:" + expected, f"b:{expected}|A")


def test_a_snapshot_with_an_unknown_order_status_is_refused():
    st_ = SessionState()
    st_.apply(rich_events()[:300])
    snap = orjson.loads(orjson.dumps(st_.to_snapshot()))
    assert set(snap["order_status"]["st"]) <= set("cpxr") and snap["order_status"]["st"]
    snap["order_status"]["st"] = "?" + snap["order_status"]["st"][1:]
    with pytest.raises(KeyError):
        SessionState.from_snapshot(snap)
