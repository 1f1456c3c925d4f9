"""The JSON Schema matches protocol.py and accepts what the simulator and server send."""
from __future__ import annotations

import json
from pathlib import Path

from console.core import protocol as p
from plugins.simulator.model import Simulator
from tests.plugins.simulator.conftest import T0

SCHEMA = json.loads((Path(p.__file__).parent / "schema" / "protocol-v1.json").read_text("utf-8"))
_TYPES = {"integer": lambda v: type(v) is int, "number": lambda v: type(v) in (int, float),
          "string": lambda v: isinstance(v, str), "object": lambda v: isinstance(v, dict),
          "array": lambda v: isinstance(v, list), "null": lambda v: v is None,
          "boolean": lambda v: isinstance(v, bool)}


def valid(value, schema) -> bool:
    """A small subset of draft 2020-12 (what protocol-v1.json uses)."""
    if "$ref" in schema:
        return valid(value, SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]])
    if "oneOf" in schema:
        return sum(valid(value, s) for s in schema["oneOf"]) == 1
    if "const" in schema and value != schema["const"]:
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if "not" in schema and valid(value, schema["not"]):
        return False
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return False
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        return False
    if isinstance(value, dict):
        if any(k not in value for k in schema.get("required", [])):
            return False
        for k, sub in schema.get("properties", {}).items():
            if k in value and not valid(value[k], sub):
                return False
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            props = schema.get("properties", {})
            if any(not valid(v, extra) for k, v in value.items() if k not in props):
                return False
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return False
        if "items" in schema and not all(valid(v, schema["items"]) for v in value):
            return False
    return True


def test_schema_matches_required_fields():
    defs = SCHEMA["$defs"]
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for et, req in p.REQUIRED_FIELDS.items():
        if et in p.LOCAL_EVENT_TYPES:
            continue  # written by Livedesk into its own log, never on the wire
        d = defs["event_" + et.replace(".", "_")]
        assert d["properties"]["type"] == {"const": et}
        assert d["properties"]["data"]["required"] == list(req)
    assert p.FEED_EVENT_TYPES <= set(p.REQUIRED_FIELDS)
    for name, args in p.COMMAND_ARGS.items():
        d = defs["command_" + name.replace(".", "_")]
        assert d["properties"]["args"]["required"] == list(args)


def test_simulator_output_is_valid(plan):
    sim = Simulator(plan, seed=7, start_ts=T0)
    events = []
    for s in range(400):
        events += sim.step(T0 + s)
    ev, _ = sim.handle_command("flash.start", {"sku": "QM-SW-006", "deal_price": 69, "stock": 5,
                                               "duration_s": 60}, T0 + 400)
    events += ev + sim.end(T0 + 401)
    assert {e["type"] for e in events} >= {p.FLASH_STARTED, p.ORDER_PAID, p.COMMENT, p.SESSION_ENDED}
    for e in events:
        assert valid(e, SCHEMA), e
    assert valid(events[:10], SCHEMA)
    assert valid({"seq": 5, "ts": 1.0, "type": "future.thing", "data": {}}, SCHEMA)
    assert not valid({"seq": 5, "ts": 1.0, "type": "order.paid", "data": {"sku": "x"}}, SCHEMA)
    assert not valid({"seq": 0, "ts": 1.0, "type": "comment", "data": {"nick": "a", "text": "b"}}, SCHEMA)
    assert valid({"op": "snapshot", "last_seq": sim.seq, "state": sim.snapshot()}, SCHEMA)


def test_control_messages_valid():
    for msg in (p.hello("x", "s", 3, "t"), p.command("c1", "card.push", {"sku": "A"}),
                {"op": "ack", "id": "c1", "seq": 9}, {"op": "error", "code": "bad_request", "message": "m"},
                {"op": "resend", "from": 1, "to": 4}, {"op": "gap", "from": 1, "to": 4},
                {"op": "ping"}, {"op": "pong", "ts": 1.5}):
        assert valid(msg, SCHEMA), msg
    assert not valid(p.command("c1", "card.push", {}), SCHEMA)
