"""Feed protocol v1: frames, events, control messages and their validation.

A frame is one JSON text message. It holds either

* one event object (it has an integer ``seq``),
* an array of event objects (a batch), or
* one control object (it has a string ``op``: hello, welcome, snapshot,
  command, ack, error, resend, gap, ping, pong).

See ``docs/protocol.md`` for the prose and ``console/core/schema/protocol-v1.json``
for the JSON Schema. This module is headless: no Qt.
"""

from __future__ import annotations

from typing import Any, Iterable

import orjson

PROTOCOL_VERSION = 1
#: Frames larger than this are refused (websockets enforces it on receive too).
MAX_FRAME_BYTES = 8 * 1024 * 1024

# ---- Event types (feed -> client) -------------------------------------------
SESSION_STARTED = "session.started"
SESSION_ENDED = "session.ended"
PRODUCT_UPSERT = "product.upsert"
ORDER_CREATED = "order.created"
ORDER_PAID = "order.paid"
ORDER_CANCELLED = "order.cancelled"
ORDER_REFUNDED = "order.refunded"
INVENTORY_SET = "inventory.set"
CARD_PUSHED = "card.pushed"
CARD_CLEARED = "card.cleared"
FLASH_STARTED = "flash.started"
FLASH_ENDED = "flash.ended"
TRAFFIC_TICK = "traffic.tick"
COMMENT = "comment"
COMMENT_PINNED = "comment.pinned"
COMMENT_SENT = "comment.sent"

# ---- Local event types (written by Livedesk itself into the same log) ------
PLAN_LOADED = "plan.loaded"
OPERATOR_COMMAND = "operator.command"
OPERATOR_ACK = "operator.ack"
OPERATOR_ERROR = "operator.error"
OPERATOR_REORDER = "operator.reorder"
OPERATOR_CUE = "operator.cue"
OPERATOR_CUE_ACK = "operator.cue_ack"
OPERATOR_SCRIPT_EDIT = "operator.script_edit"
PLAN_PRODUCT_UPSERTED = "plan.product_upserted"
ALERT_RAISED = "alert.raised"
ALERT_CLEARED = "alert.cleared"
FEED_STATUS = "feed.status"
FEED_GAP = "feed.gap"
FEED_SNAPSHOT = "feed.snapshot"
#: a feed event Livedesk keeps but cannot use: a known type whose envelope is broken (``ts``
#: not a number, ``data`` not an object) or a seq too far ahead to be believed
FEED_INVALID = "feed.invalid"
# show automation (console/live/automation.py): its state, what it did and what it held back
AUTOMATION_STATE = "automation.state"
AUTOMATION_CONFIG = "automation.config"
AUTOMATION_ACTION = "automation.action"
AUTOMATION_BLOCKED = "automation.blocked"

FEED_EVENT_TYPES = frozenset({
    SESSION_STARTED, SESSION_ENDED, PRODUCT_UPSERT, ORDER_CREATED, ORDER_PAID,
    ORDER_CANCELLED, ORDER_REFUNDED, INVENTORY_SET, CARD_PUSHED, CARD_CLEARED,
    FLASH_STARTED, FLASH_ENDED, TRAFFIC_TICK, COMMENT, COMMENT_PINNED, COMMENT_SENT,
})
LOCAL_EVENT_TYPES = frozenset({
    PLAN_LOADED, OPERATOR_COMMAND, OPERATOR_ACK, OPERATOR_ERROR, OPERATOR_REORDER,
    OPERATOR_CUE, OPERATOR_CUE_ACK, OPERATOR_SCRIPT_EDIT, ALERT_RAISED, ALERT_CLEARED, FEED_STATUS,
    FEED_GAP, FEED_SNAPSHOT, FEED_INVALID, PLAN_PRODUCT_UPSERTED, AUTOMATION_STATE, AUTOMATION_CONFIG, AUTOMATION_ACTION,
    AUTOMATION_BLOCKED,
})

# ---- Commands (client -> feed) ----------------------------------------------
CMD_CARD_PUSH = "card.push"
CMD_CARD_CLEAR = "card.clear"
CMD_FLASH_START = "flash.start"
CMD_FLASH_END = "flash.end"
CMD_INVENTORY_SET = "inventory.set"
CMD_COMMENT_PIN = "comment.pin"
CMD_COMMENT_SEND = "comment.send"
COMMANDS = frozenset({CMD_CARD_PUSH, CMD_CARD_CLEAR, CMD_FLASH_START, CMD_FLASH_END,
                      CMD_INVENTORY_SET, CMD_COMMENT_PIN, CMD_COMMENT_SEND})
#: Longest text ``comment.send`` accepts (characters); platforms cap room comments near this.
MAX_COMMENT_CHARS = 100

#: Required ``data`` fields and their accepted Python types, per feed event type.
_NUM = (int, float)
_STR = (str,)
_ORDER_FIELDS = {"order_id": _STR, "sku": _STR, "qty": (int,), "amount": _NUM}
REQUIRED_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    SESSION_STARTED: {},
    SESSION_ENDED: {},
    PRODUCT_UPSERT: {"sku": _STR, "title": _STR, "price": _NUM},
    ORDER_CREATED: _ORDER_FIELDS,
    ORDER_PAID: _ORDER_FIELDS,
    ORDER_CANCELLED: _ORDER_FIELDS,
    ORDER_REFUNDED: _ORDER_FIELDS,
    INVENTORY_SET: {"sku": _STR, "available": (int,)},
    CARD_PUSHED: {"sku": _STR},
    CARD_CLEARED: {},
    FLASH_STARTED: {"flash_id": _STR, "sku": _STR, "deal_price": _NUM,
                    "stock": (int,), "ends_at": _NUM},
    FLASH_ENDED: {"flash_id": _STR, "sku": _STR},
    TRAFFIC_TICK: {"online": (int,)},
    COMMENT: {"nick": _STR, "text": _STR},
    COMMENT_PINNED: {"comment_id": _STR},
    COMMENT_SENT: {"comment_id": _STR, "text": _STR},
    OPERATOR_SCRIPT_EDIT: {"sku": _STR},
    PLAN_PRODUCT_UPSERTED: {"product": (dict,)},
}

#: Lower bounds of numeric data fields, wherever they appear in a feed event: an order of no
#: units or of a negative amount is invalid (counted, kept in the log, ignored by the fold).
FIELD_MINIMUMS: dict[str, int] = {"qty": 1, "amount": 0}

COMMAND_ARGS: dict[str, dict[str, tuple[type, ...]]] = {
    CMD_CARD_PUSH: {"sku": _STR},
    CMD_CARD_CLEAR: {},
    CMD_FLASH_START: {"sku": _STR, "deal_price": _NUM, "stock": (int,),
                      "duration_s": _NUM},
    CMD_FLASH_END: {"flash_id": _STR},
    CMD_INVENTORY_SET: {"sku": _STR, "available": (int,)},
    CMD_COMMENT_PIN: {"comment_id": _STR},
    CMD_COMMENT_SEND: {"text": _STR},   # optional: reply_to (comment id), source
}


class ProtocolError(ValueError):
    """A frame or message that does not follow protocol v1."""


def dumps(obj: Any) -> bytes:
    """Serialise to compact UTF-8 JSON bytes."""
    return orjson.dumps(obj)


def dumps_text(obj: Any) -> str:
    """Serialise to a JSON text frame (websocket text frames are str)."""
    return orjson.dumps(obj).decode()


def decode_frame(raw: str | bytes) -> tuple[str, Any]:
    """Classify one frame.

    Returns ``("events", [event, ...])`` or ``("control", message)``.
    Raises :class:`ProtocolError` for anything else. Event objects are only
    checked for their envelope here; use :func:`check_event` for the body.
    """
    if len(raw) > MAX_FRAME_BYTES:
        raise ProtocolError(f"frame of {len(raw)} bytes exceeds the {MAX_FRAME_BYTES} byte limit")
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProtocolError(f"frame is not valid JSON: {exc}") from None
    if isinstance(obj, list):
        for item in obj:
            if not isinstance(item, dict) or "seq" not in item:
                raise ProtocolError("a batch frame must be an array of event objects")
        return "events", obj
    if isinstance(obj, dict):
        if "op" in obj:
            if not isinstance(obj["op"], str):
                raise ProtocolError("control message 'op' must be a string")
            return "control", obj
        if "seq" in obj:
            return "events", [obj]
        raise ProtocolError("frame object has neither 'seq' (event) nor 'op' (control)")
    raise ProtocolError(f"frame must be a JSON object or array, not {type(obj).__name__}")


def check_envelope(event: Any) -> str | None:
    """Return a reason if ``event`` lacks a valid seq/ts/type/data envelope."""
    if not isinstance(event, dict):
        return "event is not an object"
    seq = event.get("seq")
    if type(seq) is not int or seq < 1:
        return f"event seq must be a positive integer, got {seq!r}"
    ts = event.get("ts")
    if type(ts) not in (int, float):
        return f"event {seq}: ts must be a number, got {ts!r}"
    if not isinstance(event.get("type"), str):
        return f"event {seq}: type must be a string"
    data = event.get("data", {})
    if not isinstance(data, dict):
        return f"event {seq}: data must be an object"
    return None


def check_event(event: dict) -> str | None:
    """Return a reason if a known event type misses fields or has wrong types.

    Unknown types pass (they are kept in the log and ignored by the fold).
    """
    reason = check_envelope(event)
    if reason:
        return reason
    required = REQUIRED_FIELDS.get(event["type"])
    if required is None:
        return None
    return check_fields(event.get("data") or {}, required, f"event {event['seq']} ({event['type']})")


def check_fields(data: dict, required: dict[str, tuple[type, ...]], where: str) -> str | None:
    """Check that ``data`` (an object) has each required field with an accepted type and
    at or above its :data:`FIELD_MINIMUMS` bound."""
    if not isinstance(data, dict):
        return f"{where}: data must be an object, not {type(data).__name__}"
    for name, types in required.items():
        value = data.get(name)
        if value is None:
            return f"{where}: missing field '{name}'"
        if type(value) is bool or not isinstance(value, types):
            return f"{where}: field '{name}' has type {type(value).__name__}"
        low = FIELD_MINIMUMS.get(name)
        if low is not None and isinstance(value, (int, float)) and not value >= low:  # NaN too
            return f"{where}: field '{name}' is {value!r}, below {low}"
    return None


def check_command(message: dict, table: dict[str, dict[str, tuple]] | None = None) -> str | None:
    """Validate a client command message against ``table`` (default: the protocol's commands;
    a feed with extra commands passes its own); return a reason or None."""
    table = COMMAND_ARGS if table is None else table
    if not isinstance(message.get("id"), str) or not message["id"]:
        return "command needs a non-empty string 'id'"
    name = message.get("name")
    if not isinstance(name, str) or name not in table:
        return f"unknown command {name!r}"
    args = message.get("args", {})
    if not isinstance(args, dict):
        return "command args must be an object"
    return check_fields(args, table[name], f"command {name}")


def make_event(seq: int, ts: float, type_: str, data: dict | None = None) -> dict:
    """Build a wire event object."""
    return {"seq": seq, "ts": ts, "type": type_, "data": data or {}}


def hello(client: str, session_id: str | None = None, last_seq: int = 0,
          token: str | None = None) -> dict:
    msg = {"op": "hello", "protocol": PROTOCOL_VERSION, "client": client,
           "session_id": session_id, "last_seq": last_seq}
    if token:
        msg["token"] = token
    return msg


def command(command_id: str, name: str, args: dict | None = None) -> dict:
    return {"op": "command", "id": command_id, "name": name, "args": args or {}}


def iter_batches(events: Iterable[dict], size: int) -> Iterable[list[dict]]:
    """Group events into lists of at most ``size`` (for batched frames)."""
    batch: list[dict] = []
    for ev in events:
        batch.append(ev)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
