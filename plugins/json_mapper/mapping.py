"""Map arbitrary JSON messages to protocol v1 wire events using a small YAML mapping.

Mapping file (see ``example_mapping.yaml``)::

    messages: payload.items        # optional: dotted path to a list of messages in a frame
    seq: {field: id}               # or "generate" (default)
    ts: {field: time_ms, scale: 0.001}   # or "generate" (default: wall clock)
    rules:
      - match: {kind: chat}        # dotted path -> value (or list of accepted values)
        type: comment
        data: {nick: user.name, text: body}   # event field -> dotted path in the message
                                              # (a dotted event field, buyer.id, nests)
        const: {source: upstream}             # fixed values
        convert: {qty: int}                   # int | float | str | bool

Every rule that matches produces one event (so one message can feed several).
Mapped events are checked with :func:`console.core.protocol.check_event`; invalid
ones are dropped and counted in ``Mapper.dropped`` with ``Mapper.last_error``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from console.core import protocol

_MISSING = object()
_CONVERT: dict[str, Callable[[Any], Any]] = {"int": int, "float": float, "str": str, "bool": bool}


class MappingError(ValueError):
    """The mapping file is invalid."""


def get_path(obj: Any, path: str, default: Any = _MISSING) -> Any:
    """Follow a dotted path through dicts and lists (``items.0.sku``)."""
    cur = obj
    for part in path.split(".") if path else ():
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.lstrip("-").isdigit() and -len(cur) <= int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return default
    return cur


@dataclass
class Rule:
    type: str
    match: dict[str, Any] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)
    const: dict[str, Any] = field(default_factory=dict)
    convert: dict[str, str] = field(default_factory=dict)

    def matches(self, msg: Any) -> bool:
        for path, want in self.match.items():
            got = get_path(msg, path)
            if isinstance(want, list):
                if got not in want:
                    return False
            elif got != want:
                return False
        return True


@dataclass
class Mapping:
    rules: list[Rule]
    messages: str | None = None
    seq_field: str | None = None
    ts_field: str | None = None
    ts_scale: float = 1.0
    upstream: str | None = None
    session_id: str = "json-mapper"

    @classmethod
    def from_dict(cls, raw: dict) -> "Mapping":
        if not isinstance(raw, dict) or not isinstance(raw.get("rules"), list) or not raw["rules"]:
            raise MappingError("mapping needs a non-empty 'rules' list")
        rules = []
        for i, r in enumerate(raw["rules"]):
            if not isinstance(r, dict) or not isinstance(r.get("type"), str):
                raise MappingError(f"rule {i}: needs a string 'type'")
            for key in ("match", "data", "const", "convert"):
                if not isinstance(r.get(key, {}), dict):
                    raise MappingError(f"rule {i}: '{key}' must be a mapping")
            for k, conv in (r.get("convert") or {}).items():
                if conv not in _CONVERT:
                    raise MappingError(f"rule {i}: convert '{k}' must be one of {sorted(_CONVERT)}")
            rules.append(Rule(r["type"], dict(r.get("match") or {}), dict(r.get("data") or {}),
                              dict(r.get("const") or {}), dict(r.get("convert") or {})))
        seq = raw.get("seq", "generate")
        ts = raw.get("ts", "generate")
        for name, spec in (("seq", seq), ("ts", ts)):
            if spec != "generate" and not (isinstance(spec, dict) and isinstance(spec.get("field"), str)):
                raise MappingError(f"'{name}' must be 'generate' or {{field: path}}")
        return cls(rules=rules, messages=raw.get("messages"),
                   seq_field=seq["field"] if isinstance(seq, dict) else None,
                   ts_field=ts["field"] if isinstance(ts, dict) else None,
                   ts_scale=float(ts.get("scale", 1.0)) if isinstance(ts, dict) else 1.0,
                   upstream=raw.get("upstream"), session_id=str(raw.get("session_id", "json-mapper")))

    @classmethod
    def load(cls, path: str | Path) -> "Mapping":
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise MappingError(f"{path}: not valid YAML: {exc}") from None
        return cls.from_dict(raw)


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Turn dotted target keys (``buyer.id``) into nested objects."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split(".")
        cur = out
        for part in parts[:-1]:
            nxt = cur.get(part)
            if not isinstance(nxt, dict):
                nxt = cur[part] = {}
            cur = nxt
        cur[parts[-1]] = value
    return out


class Mapper:
    """Stateful mapper: assigns strictly increasing feed seqs."""

    def __init__(self, mapping: Mapping, clock: Callable[[], float] = time.time) -> None:
        self.mapping = mapping
        self.clock = clock
        self.last_seq = 0
        self.mapped = 0
        self.unmatched = 0
        self.dropped = 0
        self.last_error: str | None = None

    def map_message(self, msg: Any) -> list[dict]:
        """Map one decoded upstream JSON message to zero or more wire events."""
        m = self.mapping
        if m.messages:
            items = get_path(msg, m.messages, None)
            items = items if isinstance(items, list) else []
        else:
            items = msg if isinstance(msg, list) else [msg]
        out: list[dict] = []
        for item in items:
            hit = False
            for rule in m.rules:
                if rule.matches(item):
                    hit = True
                    ev = self._build(rule, item)
                    if ev is not None:
                        out.append(ev)
            if not hit:
                self.unmatched += 1
        return out

    def _build(self, rule: Rule, item: Any) -> dict | None:
        data: dict[str, Any] = {}
        for target, path in rule.data.items():
            value = get_path(item, path)
            if value is not _MISSING:
                data[target] = value
        data.update(rule.const)
        try:
            for target, conv in rule.convert.items():
                if target in data and data[target] is not None:
                    data[target] = _CONVERT[conv](data[target])
        except (TypeError, ValueError) as exc:
            return self._drop(f"{rule.type}: cannot convert: {exc}")
        data = _nest(data)
        m = self.mapping
        if m.seq_field:
            seq = get_path(item, m.seq_field, None)
            try:
                seq = int(seq)
            except (TypeError, ValueError):
                return self._drop(f"{rule.type}: seq field {m.seq_field!r} missing or not an integer")
            if seq <= self.last_seq:
                return self._drop(f"{rule.type}: seq {seq} is not after {self.last_seq} (duplicate?)")
        else:
            seq = self.last_seq + 1
        ts: Any = self.clock()
        if m.ts_field:
            raw_ts = get_path(item, m.ts_field, None)
            try:
                ts = float(raw_ts) * m.ts_scale
            except (TypeError, ValueError):
                return self._drop(f"{rule.type}: ts field {m.ts_field!r} missing or not a number")
        event = protocol.make_event(seq, ts, rule.type, data)
        reason = protocol.check_event(event)
        if reason:
            return self._drop(reason)
        self.last_seq = seq
        self.mapped += 1
        return event

    def _drop(self, reason: str) -> None:
        self.dropped += 1
        self.last_error = reason
        return None
