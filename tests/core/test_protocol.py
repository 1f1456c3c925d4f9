"""Protocol v1 framing and validation edge cases."""

import pytest

from console.core import protocol as p


def test_single_event_and_batch_frames():
    kind, events = p.decode_frame('{"seq": 1, "ts": 1.0, "type": "comment", "data": {}}')
    assert kind == "events" and events[0]["seq"] == 1
    kind, events = p.decode_frame(b'[{"seq": 1, "ts": 1, "type": "a"}, {"seq": 2, "ts": 2, "type": "b"}]')
    assert kind == "events" and [e["seq"] for e in events] == [1, 2]


def test_control_frame():
    kind, msg = p.decode_frame('{"op": "welcome", "last_seq": 3}')
    assert kind == "control" and msg["last_seq"] == 3


@pytest.mark.parametrize("raw, reason", [
    ("not json", "not valid JSON"),
    ("42", "must be a JSON object or array"),
    ('{"hello": 1}', "neither"),
    ('[1, 2]', "array of event objects"),
    ('{"op": 5}', "'op' must be a string"),
])
def test_malformed_frames_are_refused_with_a_reason(raw, reason):
    with pytest.raises(p.ProtocolError, match=reason):
        p.decode_frame(raw)


def test_huge_frame_is_refused():
    with pytest.raises(p.ProtocolError, match="exceeds"):
        p.decode_frame(b"[" + b" " * (p.MAX_FRAME_BYTES + 1) + b"]")


@pytest.mark.parametrize("event, reason", [
    ({"seq": 0, "ts": 1, "type": "x"}, "positive integer"),
    ({"seq": "1", "ts": 1, "type": "x"}, "positive integer"),
    ({"seq": 1, "ts": "now", "type": "x"}, "ts must be a number"),
    ({"seq": 1, "ts": 1, "type": 3}, "type must be a string"),
    ({"seq": 1, "ts": 1, "type": "x", "data": []}, "data must be an object"),
    ({"seq": 1, "ts": 1, "type": "order.paid", "data": {"order_id": "o", "sku": "A", "qty": "2",
                                                        "amount": 1}}, "qty"),
    ({"seq": 1, "ts": 1, "type": "order.paid", "data": {"order_id": "o", "sku": "A", "qty": True,
                                                        "amount": 1}}, "qty"),
    ({"seq": 1, "ts": 1, "type": "inventory.set", "data": {"sku": "A"}}, "missing field 'available'"),
])
def test_event_validation(event, reason):
    assert reason in p.check_event(event)


def test_unknown_event_types_pass_validation():
    assert p.check_event({"seq": 1, "ts": 1, "type": "future.thing", "data": {"x": 1}}) is None


def test_command_validation():
    assert p.check_command(p.command("c1", "card.push", {"sku": "A"})) is None
    assert "unknown command" in p.check_command(p.command("c1", "explode", {}))
    assert "needs a non-empty string 'id'" in p.check_command({"name": "card.push"})
    assert "missing field 'stock'" in p.check_command(
        p.command("c2", "flash.start", {"sku": "A", "deal_price": 9.9, "duration_s": 60}))
